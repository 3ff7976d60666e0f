//! A row that could not be used, and why: its line, the employee, the
//! column, the value and the rule that needed it.

use super::*;

/// A row that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    #[serde(skip)]
    pub row_word: &'static str,
    pub id: Option<String>,
    pub problem: RowProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    /// Cells that could not be read as their input's type.
    Cells(Vec<CellProblem>),
    /// The row read well but a rule failed on its values.
    Eval(Box<crate::engine::eval::EvalError>),
    /// An earlier row has the same employee id.
    DuplicateId { first: usize },
    /// The row could not be read at all (a line that is not JSON).
    Unreadable(String),
    /// The yearly roll-up cannot make a year of this employee's quarters.
    Year(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    pub column: String,
    pub value: String,
    pub message: String,
    /// The rule that uses the column.
    pub rule: String,
}

/// A value as quoted in a message: at most 40 characters of it.
pub(super) fn shortened(value: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &value[..end]).into(),
        None => value.into(),
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.row_word, self.row)?;
        if let Some(id) = &self.id {
            write!(f, " (id {id})")?;
        }
        match &self.problem {
            RowProblem::Cells(problems) => {
                for (i, p) in problems.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}column `{}`", p.column)?;
                    if !p.value.is_empty() {
                        write!(f, " = `{}`", shortened(&p.value))?;
                    }
                    write!(f, ": {}", p.message)?;
                    if !p.rule.is_empty() {
                        write!(f, " (used by {})", p.rule)?;
                    }
                }
                Ok(())
            }
            RowProblem::Eval(e) => write!(f, ": {e}"),
            RowProblem::DuplicateId { first } => write!(
                f,
                ": the same employee id as {} {first}; each employee must appear once per period, so this row is not evaluated",
                self.row_word
            ),
            RowProblem::Unreadable(message) => write!(f, ": cannot be read: {message}"),
            RowProblem::Year(message) => write!(f, ": {message}"),
        }
    }
}
