//! The end of a run: rows counted and handed on, or held for forced
//! ranking, ranked and re-evaluated with the grade ranking gave.

use super::*;

/// Hands evaluated rows on and counts them; under forced ranking, holds
/// them until the end, ranks each group and hands them on then; with
/// quotas, tallies the grades.
pub(super) struct Finish<'p, F> {
    program: &'p Program,
    row_word: &'static str,
    summary: Summary,
    tally: Option<Tally>,
    held: Vec<Held>,
    each: F,
}

impl<'p, F: FnMut(RowResult)> Finish<'p, F> {
    pub(super) fn new(program: &'p Program, row_word: &'static str, each: F) -> Self {
        Finish {
            program,
            row_word,
            summary: Summary::default(),
            tally: program.policy().quotas.is_some().then(Tally::default),
            held: Vec::new(),
            each,
        }
    }

    pub(super) fn row(&mut self, row: EvaluatedRow) {
        self.summary.read += 1;
        match row {
            Ok((number, record, outcome, Some(facts))) => self.held.push(Held {
                number,
                record,
                outcome: Ok(outcome),
                facts,
            }),
            Ok((_, record, outcome, None)) => self.evaluated(record, outcome),
            Err(e) => {
                self.summary.failed += 1;
                (self.each)(RowResult::Failed(e));
            }
        }
    }

    pub(super) fn evaluated(&mut self, record: Record, outcome: Outcome) {
        self.summary.evaluated += 1;
        if let Some(t) = &mut self.tally {
            t.add(self.program.policy(), &outcome);
        }
        (self.each)(RowResult::Evaluated(Box::new(record), Box::new(outcome)));
    }

    pub(super) fn end(mut self) -> Summary {
        let policy = self.program.policy();
        if policy.has_forced_ranking() {
            let mut held = std::mem::take(&mut self.held);
            self.summary.unranked = rank_groups(self.program, &mut held);
            for h in held {
                match h.outcome {
                    Ok(outcome) => self.evaluated(h.record, outcome),
                    Err(e) => {
                        self.summary.failed += 1;
                        let failure = eval_failure(h.number, self.row_word, &h.record.id, e);
                        (self.each)(RowResult::Failed(failure));
                    }
                }
            }
        }
        self.summary.distribution = self.tally.map(|t| t.finish(policy));
        self.summary
    }
}

/// An evaluated row waiting for forced ranking. The outcome becomes an
/// error if re-evaluating with the ranked grade fails (a pay formula).
pub(super) struct Held {
    number: usize,
    record: Record,
    outcome: Result<Outcome, crate::engine::eval::EvalError>,
    facts: RankingFacts,
}

/// Ranks every group and re-evaluates the people whose grade moved, so that
/// pay follows the final grade. Returns the groups that could not be ranked.
pub(super) fn rank_groups(program: &Program, held: &mut [Held]) -> Vec<UnrankedGroup> {
    let policy = program.policy();
    let Some(quotas) = &policy.quotas else {
        return Vec::new();
    };
    let mut groups: IndexMap<Option<String>, Vec<usize>> = IndexMap::new();
    for (i, h) in held.iter().enumerate() {
        groups.entry(h.record.group.clone()).or_default().push(i);
    }
    let mut unranked = Vec::new();
    for (group, members) in groups {
        let people: Vec<Candidate> = members
            .iter()
            .map(|&i| Candidate {
                score: held[i].facts.score,
                ties: held[i].facts.ties.clone(),
                id: held[i].record.id.clone(),
                grade: held[i].facts.grade,
                fixed: held[i].facts.vetoed,
            })
            .collect();
        let Ok(placements) = ranking::rank(quotas, policy.grades.len(), &people) else {
            unranked.push(UnrankedGroup {
                group,
                people: members.len(),
            });
            continue;
        };
        let of = members.len();
        for (&i, placed) in members.iter().zip(placements) {
            let h = &mut held[i];
            if placed.grade != h.facts.grade {
                h.outcome = program.evaluate_ranked(&h.record, placed.grade);
            }
            if let Ok(outcome) = &mut h.outcome {
                outcome.ranking = Some(RankingNote {
                    rank: placed.rank,
                    of,
                    quota: placed
                        .quota
                        .and_then(|q| quotas.limits.get(q))
                        .map(|l| l.text.clone()),
                });
            }
        }
    }
    unranked
}
