//! The foreign-trade policy's sales plan (业务员) as a team would write it
//! for two general rule engines, beside the compiled policy and the
//! hand-written floor (benches/floor.rs, shared): [`zen`] (GoRules'
//! zen-engine, a decision graph of decision tables and expressions) and
//! [`cel`] (cel-interpreter, a sequence of named CEL expressions). Both
//! decide the floor's [`floor::Decided`] (score, grade, pay) for the same
//! employees, so that the benchmark compares the same work.

#[path = "../../floor.rs"]
pub mod floor;

pub mod cel;
pub mod zen;

/// An employee's numeric inputs under the names both peers' rules use
/// (the yes/no `breach` aside).
fn numbers(s: &floor::Sales) -> [(&'static str, rust_decimal::Decimal); 14] {
    [
        ("deal", s.deal),
        ("dealTarget", s.deal_target),
        ("fx", s.fx),
        ("fxTarget", s.fx_target),
        ("newCustomers", s.new_customers),
        ("newTarget", s.new_target),
        ("errorRate", s.error_rate),
        ("expenses", s.expenses),
        ("revenue", s.revenue),
        ("approvedRatio", s.approved_ratio),
        ("review", s.review),
        ("proposals", s.proposals),
        ("complaints", s.complaints),
        ("base", s.base),
    ]
}

/// A grade name as the floor's `&'static str`.
fn grade(name: &str) -> &'static str {
    match name {
        "S" => "S",
        "A" => "A",
        "B" => "B",
        "C" => "C",
        "D" => "D",
        _ => "?",
    }
}
