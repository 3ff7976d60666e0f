//! The end of a run that does not rank: rows counted and handed on, and
//! with quotas, the grades tallied (forced ranking is in `ranked`).

use super::*;

/// Hands evaluated rows on and counts them; with quotas, tallies the grades.
pub(super) struct Finish<'p, F> {
    program: &'p Program,
    summary: Summary,
    tally: Option<Tally>,
    each: F,
}

impl<'p, F: FnMut(RowResult)> Finish<'p, F> {
    pub(super) fn new(program: &'p Program, each: F) -> Self {
        Finish {
            program,
            summary: Summary::default(),
            tally: program.policy().quotas.is_some().then(Tally::default),
            each,
        }
    }

    pub(super) fn row(&mut self, row: EvaluatedRow) {
        self.summary.read += 1;
        match row {
            Ok((record, outcome)) => {
                self.summary.evaluated += 1;
                if let Some(t) = &mut self.tally {
                    t.add(self.program.policy(), &outcome);
                }
                (self.each)(RowResult::Evaluated(Box::new(record), Box::new(outcome)));
            }
            Err(e) => {
                self.summary.failed += 1;
                (self.each)(RowResult::Failed(e));
            }
        }
    }

    pub(super) fn end(mut self) -> Summary {
        self.summary.distribution = self.tally.map(|t| t.finish(self.program.policy()));
        self.summary
    }
}
