//! The pay bill of a period's data (`kpi analyze --data`): the total of
//! each pay item as the policy pays it, and what it would be if everyone
//! were graded one grade better, or one worse.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::{self, RowResult};
use crate::data::{DataSource, HeaderError};
use crate::engine::program::Program;

#[derive(Debug, Clone, Serialize)]
pub struct PayBill {
    /// Employees evaluated, and rows that failed (left out of the totals).
    pub people: usize,
    pub failed: usize,
    pub items: Vec<BillItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BillItem {
    pub name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// Everyone one grade better (the best grade stays; vetoes still apply).
    #[serde(with = "rust_decimal::serde::str")]
    pub one_grade_up: Decimal,
    /// Everyone one grade worse (the worst grade stays).
    #[serde(with = "rust_decimal::serde::str")]
    pub one_grade_down: Decimal,
}

/// Evaluates every row and adds up each pay item, as graded and one grade
/// either way.
pub fn pay_bill(program: &Program, source: DataSource) -> Result<PayBill, HeaderError> {
    let policy = program.policy();
    let order = super::monotone::grades_worst_first(policy);
    let n = policy.pay.len();
    let (mut total, mut up, mut down) = (
        vec![Decimal::ZERO; n],
        vec![Decimal::ZERO; n],
        vec![Decimal::ZERO; n],
    );
    let mut people = 0;
    let mut failed = 0;
    batch::run(program, source, |result| match result {
        RowResult::Failed(_) => failed += 1,
        RowResult::Evaluated(record, outcome) => {
            people += 1;
            let paid: Vec<Decimal> = outcome.pay.values().copied().collect();
            add(&mut total, &paid);
            let grade = outcome
                .grade
                .as_ref()
                .and_then(|g| policy.grades.iter().position(|x| &x.name == g));
            let position = grade.and_then(|g| order.iter().position(|&o| o == g));
            for (sums, step) in [(&mut up, 1isize), (&mut down, -1)] {
                let moved = position
                    .and_then(|p| p.checked_add_signed(step))
                    .and_then(|p| order.get(p))
                    .and_then(|&g| u16::try_from(g).ok());
                let pay = match moved {
                    Some(g) => match program.evaluate_ranked(&record, g) {
                        Ok(o) => o.pay.values().copied().collect(),
                        Err(_) => paid.clone(),
                    },
                    None => paid.clone(),
                };
                add(sums, &pay);
            }
        }
    })?;
    Ok(PayBill {
        people,
        failed,
        items: policy
            .pay
            .iter()
            .enumerate()
            .map(|(i, p)| BillItem {
                name: p.name.clone(),
                total: total[i],
                one_grade_up: up[i],
                one_grade_down: down[i],
            })
            .collect(),
    })
}

fn add(sums: &mut [Decimal], values: &[Decimal]) {
    for (s, v) in sums.iter_mut().zip(values) {
        *s = s.checked_add(*v).unwrap_or(*s);
    }
}
