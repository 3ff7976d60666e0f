//! Synthetic data for a policy, of any size: one row per made-up employee,
//! a column per input, values of each input's type in plausible ranges. The
//! same seed gives the same file. Used by tests and benchmarks.

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::language::ast::InputType;
use crate::language::checked::{CheckedPolicy, Input};

/// splitmix64: a small, fast, deterministic generator (not for secrets).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// What kind of figure a money input is, guessed from its name and label,
/// so that actuals fall around their targets.
enum MoneyKind {
    /// A target, plan or budget: the employee's scale.
    Target,
    /// A base salary or pay base: a few thousand.
    Base,
    /// An actual figure: the scale times how well the employee did.
    Actual,
}

fn money_kind(input: &Input) -> MoneyKind {
    let text = format!("{} {}", input.name, input.label.as_deref().unwrap_or("")).to_lowercase();
    if ["基数", "底薪", "base", "salary", "工资"]
        .iter()
        .any(|w| text.contains(w))
    {
        MoneyKind::Base
    } else if ["目标", "计划", "预算", "target", "plan", "budget"]
        .iter()
        .any(|w| text.contains(w))
    {
        MoneyKind::Target
    } else {
        MoneyKind::Actual
    }
}

/// Writes `rows` synthetic employees for `policy` as CSV.
pub fn csv(policy: &CheckedPolicy, rows: usize, seed: u64, out: impl Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(out);
    let mut header = vec![policy.id_column.clone()];
    if let Some(name) = &policy.name_column {
        header.push(name.clone());
    }
    if let Some(plan) = &policy.plan_column {
        header.push(plan.clone());
    }
    header.extend(policy.inputs.iter().map(|i| i.name.clone()));
    out.write_record(&header)?;
    let mut random = Random(seed);
    let width = rows.to_string().len().max(6);
    let mut row = Vec::with_capacity(header.len());
    for n in 1..=rows {
        row.clear();
        row.push(format!("E{n:0width$}"));
        if policy.name_column.is_some() {
            row.push(format!("员工{n}"));
        }
        // Plans in turn, so that every plan is exercised.
        if policy.plan_column.is_some()
            && let Some(plan) = policy.plans.get(n % policy.plans.len().max(1))
        {
            row.push(plan.name.clone());
        }
        // The employee's scale (a target) and how well they did against it.
        let scale = random.between(200, 2_000) * 1_000;
        let performance = random.between(40, 140);
        for input in &policy.inputs {
            row.push(match input.ty {
                InputType::Money => {
                    let amount = match money_kind(input) {
                        MoneyKind::Target => Decimal::from(scale),
                        MoneyKind::Base => Decimal::from(random.between(30, 200) * 100),
                        MoneyKind::Actual => {
                            // ±10% around the performance, to the cent.
                            let cents = scale * performance * random.between(90, 110) / 100;
                            Decimal::new(cents as i64, 2)
                        }
                    };
                    fit(input, amount, Decimal::new(1, 2)).to_string()
                }
                InputType::Percent => {
                    let fraction = Decimal::new(random.between(0, 2_000) as i64, 4);
                    let fraction = fit(input, fraction, Decimal::new(1, 4));
                    format!("{}%", (fraction * Decimal::ONE_HUNDRED).normalize())
                }
                InputType::Score => {
                    fit(input, Decimal::from(random.between(50, 100)), Decimal::ONE).to_string()
                }
                // Counts from 1, so that a count used as a target is never 0.
                InputType::Number => {
                    fit(input, Decimal::from(random.between(1, 12)), Decimal::ONE).to_string()
                }
                InputType::YesNo => (if random.between(1, 100) <= 3 {
                    "yes"
                } else {
                    "no"
                })
                .to_string(),
            });
        }
        out.write_record(&row)?;
    }
    out.flush()
}

/// A generated value moved into the input's declared range (by `step`
/// inside an open end), so that generated data is always accepted.
fn fit(input: &Input, n: Decimal, step: Decimal) -> Decimal {
    let mut n = n;
    if let Some(lo) = input.range.lo
        && (n < lo.value || (n == lo.value && !lo.closed))
    {
        n = if lo.closed { lo.value } else { lo.value + step };
    }
    if let Some(hi) = input.range.hi
        && (n > hi.value || (n == hi.value && !hi.closed))
    {
        n = if hi.closed { hi.value } else { hi.value - step };
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Random(7), Random(7));
        let xs: Vec<u64> = (0..5).map(|_| a.between(1, 100)).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.between(1, 100)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (1..=100).contains(x)));
    }
}
