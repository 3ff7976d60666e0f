//! The evaluator's decisions, recorded for `explain` when tracing, compiled
//! away when not ([`NoTrace`]).

use rust_decimal::Decimal;

use crate::engine::outcome::Outcome;
use crate::language::checked::Node;
use crate::language::source::Span;
use crate::language::value::Value;

/// Receives the evaluator's decisions. The closure is only called when
/// tracing, so building an event costs nothing in bulk evaluation.
pub trait Tracer {
    /// Whether events are recorded: work done only for the trace is
    /// skipped when not (a constant, so the check compiles away).
    const ENABLED: bool;
    fn event(&mut self, event: impl FnOnce() -> Event);
}

/// Records nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;
    #[inline(always)]
    fn event(&mut self, _: impl FnOnce() -> Event) {}
}

/// Records every decision, in evaluation order.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    pub events: Vec<Event>,
}

impl Tracer for Trace {
    const ENABLED: bool = true;
    fn event(&mut self, event: impl FnOnce() -> Event) {
        self.events.push(event());
    }
}

/// One traced evaluation: the outcome, every decision on the way, and the
/// value of every slot, from which explanations are rendered.
#[derive(Debug, Clone)]
pub struct Traced {
    pub outcome: Outcome,
    pub events: Vec<Event>,
    pub slots: Vec<Value>,
}

/// A decision the evaluator made, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A table at `span` chose this.
    Table {
        span: Span,
        choice: TableChoice,
    },
    /// The condition of the `if` (or `when`) at `span` was met, or not.
    Branch {
        span: Span,
        taken: bool,
    },
    /// An indicator was left out: the slot (an input, or a value computed
    /// from one) that had no value.
    Excluded {
        index: usize,
        missing: Option<usize>,
    },
    /// A derived value (`let`) was computed.
    Value {
        index: usize,
        value: Value,
    },
    Indicator(IndicatorTrace),
    Adjustment {
        index: usize,
        raw: Decimal,
        rounded: Decimal,
        points: Decimal,
    },
    Score(ScoreTrace),
    Grade {
        by_score: u16,
        veto: Option<usize>,
        /// The grade forced ranking gave, when it changed the grade.
        ranked: Option<u16>,
        grade: u16,
    },
    Pay {
        index: usize,
        /// Before prorating, when the pay item was prorated for a year
        /// the employee was appraised in part of.
        unprorated: Option<Decimal>,
        raw: Decimal,
        amount: Decimal,
    },
    /// A yearly record's indicator or bonus/deduction points, given by the
    /// quarters rather than computed.
    Given {
        node: Node,
        value: Value,
    },
    /// The general manager's final adjustment replaced the score or grade.
    Override {
        before: Value,
        after: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChoice {
    /// Band `index` of a steps table matched (the first that did).
    Band {
        index: usize,
        subject: Decimal,
        threshold: Decimal,
        value: Decimal,
    },
    /// No band matched; `otherwise` applied.
    Otherwise { subject: Decimal, value: Decimal },
    /// Below the first point of a linear table: its value.
    Below {
        subject: Decimal,
        at: Decimal,
        value: Decimal,
    },
    /// Above the last point: its value (capped).
    Above {
        subject: Decimal,
        at: Decimal,
        value: Decimal,
    },
    /// Between two points (points `segment` and `segment + 1`): interpolated.
    Between {
        segment: usize,
        subject: Decimal,
        from: (Decimal, Decimal),
        to: (Decimal, Decimal),
        value: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorTrace {
    pub index: usize,
    pub measure: Option<Decimal>,
    /// The veto that zeroed the indicator, if one did.
    pub vetoed_by: Option<usize>,
    /// Points as the rule gave them, before any bound.
    pub raw: Decimal,
    /// After clamping to 0–100, the cap and the floor.
    pub bounded: Decimal,
    /// After rounding to the score precision.
    pub points: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreTrace {
    /// Points × weight for each indicator; `None` when left out.
    pub contributions: Vec<Option<Decimal>>,
    /// The sum of the weights of the indicators that count: 100% unless some
    /// were left out, when the weighted sum is divided by it.
    pub included_weight: Decimal,
    pub weighted: Decimal,
    /// The sum of bonus points, before and after the cap on bonuses.
    pub bonuses: (Decimal, Decimal),
    /// The sum of deduction points, before and after the cap on deductions.
    pub deductions: (Decimal, Decimal),
    /// Bonuses minus deductions, before and after the cap on adjustments.
    pub net: (Decimal, Decimal),
    pub raw: Decimal,
    pub clamped: Decimal,
    pub score: Decimal,
}
