//! The rules a policy rounds by, which the numbers carry out.

/// How a value is brought to its declared precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// 四舍五入: halves go away from zero. The usual payroll rule.
    #[default]
    HalfAwayFromZero,
    /// Banker's rounding: halves go to the even neighbour.
    HalfEven,
    /// Toward zero (truncate).
    Down,
    /// Away from zero.
    Up,
}

impl RoundingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfAwayFromZero => "half-away-from-zero",
            RoundingMode::HalfEven => "half-even",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
        }
    }
}
