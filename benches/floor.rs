//! The floor: the foreign-trade policy's sales plan (业务员,
//! `policies/foreign_trade_sales.kpi`) written by hand in plain Rust with
//! rust_decimal, as a team without kpi would write it. The benchmark
//! compares the compiled program with it, and `tests/floor.rs` checks that
//! both give the same score, grade and pay for every generated employee.
//!
//! Shared by the benchmark and the test through `#[path]`.
#![allow(dead_code)]

use rust_decimal::{Decimal, RoundingStrategy};

/// One sales employee's inputs, as typed fields.
#[derive(Debug, Clone)]
pub struct Sales {
    pub deal: Decimal,
    pub deal_target: Decimal,
    pub fx: Decimal,
    pub fx_target: Decimal,
    pub new_customers: Decimal,
    pub new_target: Decimal,
    pub error_rate: Decimal,
    pub expenses: Decimal,
    pub revenue: Decimal,
    pub approved_ratio: Decimal,
    pub review: Decimal,
    pub proposals: Decimal,
    pub complaints: Decimal,
    pub breach: bool,
    pub base: Decimal,
}

/// What the policy decides for one employee (before forced ranking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub score: Decimal,
    pub grade: &'static str,
    pub pay: Decimal,
}

fn pct(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// To the hundredth, half away from zero, showing two decimals.
fn hundredths(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// A piecewise-linear curve through `points`, flat beyond its ends.
fn linear(x: Decimal, points: &[(Decimal, Decimal)]) -> Decimal {
    let (first, last) = (points[0], points[points.len() - 1]);
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    let upper = points.partition_point(|(at, _)| *at <= x);
    let (from, to) = (points[upper - 1], points[upper]);
    from.1 + (x - from.0) * (to.1 - from.1) / (to.0 - from.0)
}

/// An indicator's points: within 0–100, to the hundredth.
fn points(raw: Decimal) -> Decimal {
    hundredths(raw.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED))
}

pub fn decide(s: &Sales) -> Decided {
    let hundred = Decimal::ONE_HUNDRED;
    // 差错 10%: lower is better, the first band that matches wins.
    let errors = points(if s.error_rate <= pct(1) {
        hundred
    } else if s.error_rate <= pct(2) {
        Decimal::from(75)
    } else if s.error_rate <= pct(5) {
        Decimal::from(50)
    } else {
        Decimal::ZERO
    });
    // 评议 15%: the peer review itself.
    let review = points(s.review);
    // 成交 25%: 0% → 0, 100% → 75, 125% → 100.
    let deal = points(linear(
        s.deal / s.deal_target,
        &[
            (Decimal::ZERO, Decimal::ZERO),
            (Decimal::ONE, Decimal::from(75)),
            (pct(125), hundred),
        ],
    ));
    // 结汇 20%: steps.
    let fx_ratio = s.fx / s.fx_target;
    let fx = points(if fx_ratio >= pct(110) {
        hundred
    } else if fx_ratio >= pct(100) {
        Decimal::from(75)
    } else if fx_ratio >= pct(80) {
        Decimal::from(50)
    } else {
        Decimal::ZERO
    });
    // 新客户 15%: 0% → 0, 100% → 75, 150% → 100.
    let customers = points(linear(
        s.new_customers / s.new_target,
        &[
            (Decimal::ZERO, Decimal::ZERO),
            (Decimal::ONE, Decimal::from(75)),
            (pct(150), hundred),
        ],
    ));
    // 费用控制 15%: met ⇒ 80; over, 10 points per percentage point, to 0.
    let ratio = s.expenses / s.revenue;
    let expenses = points(if ratio <= s.approved_ratio {
        Decimal::from(80)
    } else {
        (Decimal::from(80) - (ratio - s.approved_ratio) * Decimal::from(1000)).max(Decimal::ZERO)
    });
    let weighted = errors * pct(10)
        + review * pct(15)
        + deal * pct(25)
        + fx * pct(20)
        + customers * pct(15)
        + expenses * pct(15);
    // 提案: 2 per proposal, at most 6; 投诉: 3 per complaint, at most 12;
    // together they move the score by at most 10.
    let bonus = hundredths(s.proposals * Decimal::TWO).min(Decimal::from(6));
    let deduction = hundredths(s.complaints * Decimal::from(3)).min(Decimal::from(12));
    let net = (bonus - deduction).clamp(Decimal::from(-10), Decimal::TEN);
    let score = hundredths((weighted + net).clamp(Decimal::ZERO, hundred));
    let grade = if s.breach {
        "D"
    } else if score >= Decimal::from(95) {
        "S"
    } else if score >= Decimal::from(85) {
        "A"
    } else if score >= Decimal::from(75) {
        "B"
    } else if score >= Decimal::from(65) {
        "C"
    } else {
        "D"
    };
    let coefficient = match grade {
        "S" => pct(150),
        "A" => pct(130),
        "B" => pct(110),
        "C" => pct(90),
        _ => pct(70),
    };
    Decided {
        score,
        grade,
        pay: hundredths(s.base * coefficient),
    }
}

/// The foreign-trade policy compiled, and `n` sales employees with
/// realistic spreads (every grade occurs), as the engine's records and as
/// the floor's typed inputs. Deterministic: the same `n`, the same people.
pub fn sample(n: usize) -> (kpi::program::Program, Vec<kpi::eval::Record>, Vec<Sales>) {
    use kpi::program::Value;
    // Relative to this file, so that the peers crate (benches/peers) finds it too.
    let text = include_str!("../policies/foreign_trade_sales.kpi").to_string();
    let source = kpi::source::Source::new("foreign_trade_sales.kpi", text);
    let program = kpi::compile(&source).expect("the policy compiles").program;
    let plan = program.plan_named("业务员").expect("the sales plan");
    let inputs = &program.policy().inputs;
    let slot = |name: &str| inputs.iter().position(|i| i.name == name).expect(name);
    // A linear congruential generator: no dependency, the same every run.
    let mut state: u64 = 0x5EED;
    let mut between = |low: i64, high: i64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        low + ((state >> 33) % (high - low + 1) as u64) as i64
    };
    let mut records = Vec::with_capacity(n);
    let mut typed = Vec::with_capacity(n);
    for i in 0..n {
        let deal_target = Decimal::from(between(800, 2_000) * 1_000);
        let fx_target = Decimal::from(between(800, 2_000) * 1_000);
        let revenue = Decimal::new(between(50_000_000, 300_000_000), 2);
        let sales = Sales {
            deal: deal_target * Decimal::new(between(60, 140), 2),
            deal_target,
            fx: fx_target * Decimal::new(between(70, 125), 2),
            fx_target,
            new_customers: Decimal::from(between(0, 12)),
            new_target: Decimal::from(between(4, 8)),
            error_rate: Decimal::new(between(0, 400), 4),
            expenses: revenue * Decimal::new(between(100, 450), 4),
            revenue,
            approved_ratio: Decimal::new(3, 2),
            review: Decimal::from(between(60, 100)),
            proposals: Decimal::from(between(0, 4)),
            complaints: Decimal::from(between(0, 3)),
            breach: between(1, 100) == 1,
            base: Decimal::from(between(50, 120) * 100),
        };
        let mut values = vec![Value::Missing; inputs.len()];
        for (name, value) in [
            ("成交额", sales.deal),
            ("成交目标", sales.deal_target),
            ("结汇额", sales.fx),
            ("结汇目标", sales.fx_target),
            ("新客户数", sales.new_customers),
            ("新客户目标", sales.new_target),
            ("差错率", sales.error_rate),
            ("费用", sales.expenses),
            ("营业额", sales.revenue),
            ("核定费用率", sales.approved_ratio),
            ("民主评议", sales.review),
            ("改进提案", sales.proposals),
            ("客户投诉", sales.complaints),
            ("绩效基数", sales.base),
        ] {
            values[slot(name)] = Value::Num(value);
        }
        values[slot("严重违规")] = Value::Bool(sales.breach);
        records.push(kpi::eval::Record {
            id: format!("E{i:06}"),
            name: None,
            group: None,
            plan,
            inputs: values,
            final_adjustment: None,
            year: None,
        });
        typed.push(sales);
    }
    (program, records, typed)
}

/// The engine's decision for a record, in the floor's terms.
pub fn engine(program: &kpi::program::Program, record: &kpi::eval::Record) -> Decided {
    let outcome = program.evaluate(record).expect("evaluates");
    Decided {
        score: outcome.score.expect("a score"),
        grade: grade(outcome.grade.as_deref()),
        pay: outcome.pay["绩效工资"],
    }
}

/// The engine's fast path ([`kpi::program::Program::decide`]), in the
/// floor's terms.
pub fn engine_decide(
    program: &kpi::program::Program,
    record: &kpi::eval::Record,
    scratch: &mut kpi::eval::Scratch,
) -> Decided {
    let decision = program.decide(record, scratch).expect("evaluates");
    Decided {
        score: decision.score.expect("a score"),
        grade: grade(decision.grade),
        pay: decision.pay(0).expect("the performance pay"),
    }
}

/// The engine's grade name as the floor's (a `&'static str`).
fn grade(name: Option<&str>) -> &'static str {
    match name {
        Some("S") => "S",
        Some("A") => "A",
        Some("B") => "B",
        Some("C") => "C",
        _ => "D",
    }
}
