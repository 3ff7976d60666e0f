//! The grade distribution of each group against the policy's quotas.
//!
//! A quota is a share of a group; a group is a whole number of people, so
//! each share becomes a headcount by the policy's rounding rule
//! ([`headcount`]). The tally keeps one row of counts per group, so it costs
//! nothing per person and works on a streamed file.

use indexmap::IndexMap;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::language::checked::{CheckedPolicy, HeadcountRounding, QuotaLimit};

/// The distribution of every group, in the order the groups first appear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Distribution {
    pub groups: Vec<GroupDistribution>,
}

impl Distribution {
    /// Quotas broken in any group.
    pub fn broken(&self) -> impl Iterator<Item = (&GroupDistribution, &QuotaCheck)> {
        self.groups
            .iter()
            .flat_map(|g| g.quotas.iter().filter(|q| !q.holds).map(move |q| (g, q)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupDistribution {
    /// The group's value in the quota column; `None`: everyone together.
    pub group: Option<String>,
    pub people: usize,
    /// People per grade, in the order of the policy's grades.
    pub counts: IndexMap<String, usize>,
    pub quotas: Vec<QuotaCheck>,
}

/// One quota in one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaCheck {
    /// As written: `S + A <= 20%`.
    pub quota: String,
    /// `<=` (true) or `>=`.
    pub at_most: bool,
    /// The headcount the share allows (`<=`) or requires (`>=`).
    pub limit: usize,
    pub actual: usize,
    pub holds: bool,
}

/// The headcount a share of `people` allows (`at_most`) or requires.
/// Strict: `<=` rounds down and `>=` rounds up, so the share itself always
/// holds (S <= 5% of 13 people = 0.65 allows 0). Half-up: both round to the
/// nearest person, halves up (0.65 allows 1).
pub fn headcount(
    share: Decimal,
    people: usize,
    at_most: bool,
    rounding: HeadcountRounding,
) -> usize {
    let exact = share * Decimal::from(people);
    let rounded = match (rounding, at_most) {
        (HeadcountRounding::HalfUp, _) => {
            exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        }
        (HeadcountRounding::Strict, true) => exact.floor(),
        (HeadcountRounding::Strict, false) => exact.ceil(),
    };
    usize::try_from(rounded.mantissa() / 10i128.pow(rounded.scale()))
        .unwrap_or(0)
        .min(people)
}

/// Which of the policy's grades an outcome has, if any.
pub fn grade_of(
    policy: &CheckedPolicy,
    outcome: &crate::engine::outcome::Outcome,
) -> Option<usize> {
    outcome
        .grade
        .as_deref()
        .and_then(|name| policy.grades.iter().position(|g| g.name == name))
}

/// Counts grades per group as outcomes come.
#[derive(Debug, Default)]
pub struct Tally {
    counts: IndexMap<Option<String>, Vec<usize>>,
}

impl Tally {
    /// Counts one outcome's final grade in its group.
    pub fn add(&mut self, policy: &CheckedPolicy, outcome: &crate::engine::outcome::Outcome) {
        if let Some(grade) = grade_of(policy, outcome) {
            self.count(policy, &outcome.group, grade);
        }
    }

    /// Counts one person of `group` with the policy's `grade`-th grade.
    pub fn count(&mut self, policy: &CheckedPolicy, group: &Option<String>, grade: usize) {
        let row = match self.counts.get_mut(group) {
            Some(row) => row,
            None => self
                .counts
                .entry(group.clone())
                .or_insert_with(|| vec![0; policy.grades.len()]),
        };
        if let Some(c) = row.get_mut(grade) {
            *c += 1;
        }
    }

    /// Each group's counts beside each quota.
    pub fn finish(self, policy: &CheckedPolicy) -> Distribution {
        let groups = self
            .counts
            .into_iter()
            .map(|(group, counts)| group_distribution(policy, group, &counts))
            .collect();
        Distribution { groups }
    }

    /// The distribution of outcomes held in memory.
    pub fn of<'a>(
        policy: &CheckedPolicy,
        outcomes: impl IntoIterator<Item = &'a crate::engine::outcome::Outcome>,
    ) -> Distribution {
        let mut tally = Tally::default();
        for o in outcomes {
            tally.add(policy, o);
        }
        tally.finish(policy)
    }
}

pub fn group_distribution(
    policy: &CheckedPolicy,
    group: Option<String>,
    counts: &[usize],
) -> GroupDistribution {
    let people: usize = counts.iter().sum();
    let quotas = policy.quotas.as_ref().map_or_else(Vec::new, |q| {
        q.limits
            .iter()
            .map(|limit| check(limit, counts, people, q.rounding))
            .collect()
    });
    GroupDistribution {
        group,
        people,
        counts: policy
            .grades
            .iter()
            .zip(counts)
            .map(|(g, c)| (g.name.clone(), *c))
            .collect(),
        quotas,
    }
}

/// One quota against the counts of one group.
pub fn check(
    limit: &QuotaLimit,
    counts: &[usize],
    people: usize,
    rounding: HeadcountRounding,
) -> QuotaCheck {
    let actual = limit
        .grades
        .iter()
        .filter_map(|&g| counts.get(usize::from(g)))
        .sum();
    let allowed = headcount(limit.share, people, limit.at_most, rounding);
    QuotaCheck {
        quota: limit.text.clone(),
        at_most: limit.at_most,
        limit: allowed,
        actual,
        holds: if limit.at_most {
            actual <= allowed
        } else {
            actual >= allowed
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn strict_headcounts_keep_the_share() {
        use HeadcountRounding::Strict;
        // 5% of 13 = 0.65: at most 0; 30% of 13 = 3.9: at least 4.
        assert_eq!(headcount(dec("0.05"), 13, true, Strict), 0);
        assert_eq!(headcount(dec("0.30"), 13, false, Strict), 4);
        // 20% of 40 = 8 exactly, either way.
        assert_eq!(headcount(dec("0.20"), 40, true, Strict), 8);
        assert_eq!(headcount(dec("0.20"), 40, false, Strict), 8);
        assert_eq!(headcount(dec("0.15"), 0, true, Strict), 0);
    }

    #[test]
    fn half_up_headcounts_round_to_the_nearest_person() {
        use HeadcountRounding::HalfUp;
        // 0.65 → 1; 3.9 → 4; 15% of 10 = 1.5 → 2; 5% of 9 = 0.45 → 0.
        assert_eq!(headcount(dec("0.05"), 13, true, HalfUp), 1);
        assert_eq!(headcount(dec("0.30"), 13, false, HalfUp), 4);
        assert_eq!(headcount(dec("0.15"), 10, true, HalfUp), 2);
        assert_eq!(headcount(dec("0.05"), 9, true, HalfUp), 0);
    }
}
