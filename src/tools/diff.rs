//! Comparing two versions of a policy over the same data: who moves, by how
//! much, and what it does to the pay bill. This is how HR tests a policy
//! change on last period's data before adopting it.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::Batch;
use crate::engine::outcome::{Outcome, Scores};

/// A value before and after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    pub before: Option<T>,
    pub after: Option<T>,
}

/// A number before and after, with the difference (after − before; a value
/// missing on one side counts as 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta {
    pub before: Option<Decimal>,
    pub after: Option<Decimal>,
    pub difference: Decimal,
}

impl Delta {
    fn new(before: Option<Decimal>, after: Option<Decimal>) -> Delta {
        let difference = after
            .unwrap_or_default()
            .saturating_sub(before.unwrap_or_default());
        Delta {
            before,
            after,
            difference,
        }
    }

    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// One employee whose outcome differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeChange {
    pub id: String,
    pub name: Option<String>,
    /// Present when the score changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Delta>,
    /// Present when the grade changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<Change<String>>,
    /// The pay items that changed.
    pub pay: IndexMap<String, Delta>,
    /// The change in this employee's total pay (all items).
    pub total_pay: Delta,
}

/// Everything that differs between two runs over the same data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDiff {
    /// Employees evaluated by both versions.
    pub employees: usize,
    pub changes: Vec<EmployeeChange>,
    /// The pay bill per item, and in total, before and after.
    pub pay_bill: IndexMap<String, Delta>,
    pub total_pay_bill: Delta,
    /// Employees only one version could evaluate, by id.
    pub only_before: Vec<String>,
    pub only_after: Vec<String>,
}

/// What a comparison needs of one employee's outcome: a few fields of it,
/// so that two versions' runs over a million employees are kept without
/// their indicator points and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub id: String,
    pub name: Option<String>,
    pub score: Option<Decimal>,
    pub grade: Option<String>,
    pub pay: Scores<Decimal>,
}

impl Compared {
    pub fn of(outcome: &Outcome) -> Compared {
        Compared {
            id: outcome.id.clone(),
            name: outcome.name.clone(),
            score: outcome.score,
            grade: outcome.grade.clone(),
            pay: outcome.pay.clone(),
        }
    }
}

/// Compares two runs over the same data, matching employees by id.
pub fn compare(before: &Batch, after: &Batch) -> PolicyDiff {
    let side =
        |batch: &Batch| -> Vec<Compared> { batch.outcomes.iter().map(Compared::of).collect() };
    compare_outcomes(&side(before), &side(after))
}

/// [`compare`], of what two runs kept of their outcomes ([`Compared::of`]).
pub fn compare_outcomes(before: &[Compared], after: &[Compared]) -> PolicyDiff {
    let after_by_id: IndexMap<&str, &Compared> = after.iter().map(|o| (o.id.as_str(), o)).collect();
    let before_ids: std::collections::HashSet<&str> =
        before.iter().map(|o| o.id.as_str()).collect();
    // Pay items of both versions, those of the old one first.
    let mut items: Vec<String> = Vec::new();
    for o in before.iter().chain(after) {
        for name in o.pay.keys() {
            if !items.iter().any(|i| **i == **name) {
                items.push(name.to_string());
            }
        }
    }
    let mut bill_before: IndexMap<String, Decimal> =
        items.iter().map(|i| (i.clone(), Decimal::ZERO)).collect();
    let mut bill_after = bill_before.clone();
    let mut changes = Vec::new();
    let mut employees = 0;
    for old in before {
        let Some(new) = after_by_id.get(old.id.as_str()) else {
            continue;
        };
        employees += 1;
        for (item, amount) in &old.pay {
            if let Some(total) = bill_before.get_mut(&**item) {
                *total = total.saturating_add(*amount);
            }
        }
        for (item, amount) in &new.pay {
            if let Some(total) = bill_after.get_mut(&**item) {
                *total = total.saturating_add(*amount);
            }
        }
        let score = Delta::new(old.score, new.score);
        let grade = Change {
            before: old.grade.clone(),
            after: new.grade.clone(),
        };
        let pay: IndexMap<String, Delta> = items
            .iter()
            .map(|item| {
                (
                    item.clone(),
                    Delta::new(
                        old.pay.get(item.as_str()).copied(),
                        new.pay.get(item.as_str()).copied(),
                    ),
                )
            })
            .filter(|(_, d)| d.changed())
            .collect();
        let total_pay = Delta::new(Some(sum(old.pay.values())), Some(sum(new.pay.values())));
        if score.changed() || grade.before != grade.after || !pay.is_empty() {
            changes.push(EmployeeChange {
                id: old.id.clone(),
                name: new.name.clone().or_else(|| old.name.clone()),
                score: score.changed().then_some(score),
                grade: (grade.before != grade.after).then_some(grade),
                pay,
                total_pay,
            });
        }
    }
    let pay_bill: IndexMap<String, Delta> = items
        .iter()
        .map(|item| {
            let b = bill_before.get(item).copied();
            let a = bill_after.get(item).copied();
            (item.clone(), Delta::new(b, a))
        })
        .collect();
    let total_pay_bill = Delta::new(
        Some(sum(bill_before.values())),
        Some(sum(bill_after.values())),
    );
    PolicyDiff {
        employees,
        changes,
        pay_bill,
        total_pay_bill,
        only_before: before
            .iter()
            .filter(|o| !after_by_id.contains_key(o.id.as_str()))
            .map(|o| o.id.clone())
            .collect(),
        only_after: after
            .iter()
            .filter(|o| !before_ids.contains(o.id.as_str()))
            .map(|o| o.id.clone())
            .collect(),
    }
}

/// A sum that saturates rather than overflow: amounts near 10^28 are far
/// beyond any pay bill, and a diff must not panic.
fn sum<'a>(values: impl Iterator<Item = &'a Decimal>) -> Decimal {
    values.fold(Decimal::ZERO, |acc, v| acc.saturating_add(*v))
}
