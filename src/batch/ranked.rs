//! Forced ranking over a whole file in two passes, so that a million
//! employees cost what ranking needs of each, not their whole outcome:
//!
//! 1. every row is typed and evaluated to its score, tie-breakers and grade
//!    ([`Standings`], a few dozen bytes a person, in columns), and the rows
//!    that fail are handed on as they come;
//! 2. each group is ranked ([`ranking::rank`]), giving each person a final
//!    grade, a rank and the quota that moved them;
//! 3. the rows are read again (the file re-opened, or the rows kept from
//!    the first pass where the source cannot be read twice, a pipe) and
//!    each is evaluated with its final grade, so that pay follows it, and
//!    handed on in the order of the file.
//!
//! The second pass checks that each row is the one the first pass ranked
//! (same line, same employee id): a file changed between the passes fails
//! its rows rather than paying anyone from another row's figures.

use rust_decimal::Decimal;

use super::*;
use crate::company::ranking::{Group, Placement};
use crate::data::ReadError;

/// What the first pass keeps of each employee it evaluated, one column per
/// fact, in the order of the file.
#[derive(Debug, Default)]
pub(super) struct Standings {
    /// The row's line (or record) number: ascending.
    numbers: Vec<usize>,
    ids: Vec<CompactString>,
    /// Index into `group_names`.
    groups: Vec<u32>,
    /// The groups the quotas count people in, in order of first appearance.
    group_names: IndexMap<Option<String>, usize>,
    scores: Vec<Decimal>,
    /// `stride` tie-breaker values per person.
    ties: Vec<Option<Decimal>>,
    stride: usize,
    grades: Vec<u16>,
    fixed: Vec<bool>,
    /// After ranking: where each person ended up (`None`: their group
    /// could not be ranked, and their grade stays as the score gave it).
    placed: Vec<Option<Placement>>,
    /// How the source numbers its rows ("line", "record", "row").
    row_word: &'static str,
}

/// One row of the first pass: what ranking needs of it, and the row itself
/// when the source cannot be read twice.
pub(super) struct Scored {
    number: usize,
    id: CompactString,
    group: Option<String>,
    facts: RankingFacts,
    kept: Option<RawRow>,
}

impl Standings {
    fn push(&mut self, row: Scored) {
        let next = self.group_names.len();
        let group = *self.group_names.entry(row.group).or_insert(next);
        self.numbers.push(row.number);
        self.ids.push(row.id);
        self.groups.push(u32::try_from(group).unwrap_or(u32::MAX));
        self.scores.push(row.facts.score);
        self.stride = row.facts.ties.len();
        self.ties.extend(row.facts.ties);
        self.grades.push(row.facts.grade);
        self.fixed.push(row.facts.vetoed);
    }

    fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Ranks every group; returns the groups that could not be ranked.
    fn rank(&mut self, program: &Program) -> Vec<UnrankedGroup> {
        let policy = program.policy();
        self.placed = vec![None; self.len()];
        let Some(quotas) = &policy.quotas else {
            return Vec::new();
        };
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); self.group_names.len()];
        for (i, &g) in self.groups.iter().enumerate() {
            if let (Some(list), Ok(i)) = (members.get_mut(g as usize), u32::try_from(i)) {
                list.push(i);
            }
        }
        let mut unranked = Vec::new();
        for (list, (group, _)) in members.iter().zip(&self.group_names) {
            let view = Members {
                standings: self,
                members: list,
            };
            match ranking::rank(quotas, policy.grades.len(), &view) {
                Ok(placements) => {
                    for (&i, placed) in list.iter().zip(placements) {
                        if let Some(slot) = self.placed.get_mut(i as usize) {
                            *slot = Some(placed);
                        }
                    }
                }
                Err(_) => unranked.push(UnrankedGroup {
                    group: group.clone(),
                    people: list.len(),
                }),
            }
        }
        unranked
    }

    fn group_of(&self, i: usize) -> Option<&Option<String>> {
        let g = *self.groups.get(i)? as usize;
        self.group_names.get_index(g).map(|(name, _)| name)
    }

    /// The grade ranking gave person `i` when it differs from the score's,
    /// and the note their outcome carries.
    fn placement(
        &self,
        program: &Program,
        i: usize,
        sizes: &[usize],
    ) -> (Option<u16>, Option<RankingNote>) {
        let Some(Some(placed)) = self.placed.get(i) else {
            return (None, None);
        };
        let moved = (Some(&placed.grade) != self.grades.get(i)).then_some(placed.grade);
        let limits = program
            .policy()
            .quotas
            .as_ref()
            .map(|q| q.limits.as_slice());
        let note = RankingNote {
            rank: placed.rank as usize,
            of: self
                .groups
                .get(i)
                .and_then(|&g| sizes.get(g as usize))
                .copied()
                .unwrap_or(0),
            quota: placed
                .quota
                .and_then(|q| limits?.get(usize::from(q)))
                .map(|l| l.text.clone()),
        };
        (moved, Some(note))
    }

    /// How many people each group has.
    fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.group_names.len()];
        for &g in &self.groups {
            if let Some(n) = sizes.get_mut(g as usize) {
                *n += 1;
            }
        }
        sizes
    }
}

/// One group of [`Standings`], as the ranking reads it.
struct Members<'a> {
    standings: &'a Standings,
    members: &'a [u32],
}

impl Members<'_> {
    fn at(&self, i: usize) -> usize {
        self.members.get(i).map_or(usize::MAX, |&m| m as usize)
    }
}

impl Group for Members<'_> {
    fn len(&self) -> usize {
        self.members.len()
    }
    fn score(&self, i: usize) -> Decimal {
        self.standings
            .scores
            .get(self.at(i))
            .copied()
            .unwrap_or_default()
    }
    fn ties(&self, i: usize) -> &[Option<Decimal>] {
        let stride = self.standings.stride;
        let start = self.at(i).saturating_mul(stride);
        self.standings
            .ties
            .get(start..start.saturating_add(stride))
            .unwrap_or_default()
    }
    fn id(&self, i: usize) -> &str {
        self.standings
            .ids
            .get(self.at(i))
            .map_or("", |id| id.as_str())
    }
    fn grade(&self, i: usize) -> u16 {
        self.standings
            .grades
            .get(self.at(i))
            .copied()
            .unwrap_or_default()
    }
    fn fixed(&self, i: usize) -> bool {
        self.standings
            .fixed
            .get(self.at(i))
            .copied()
            .unwrap_or_default()
    }
}

/// What a thread of the second pass evaluates a row with, beside the
/// buffers of [`Reused`].
pub(super) struct Second<'a> {
    pub(super) columns: &'a Columns,
    pub(super) row_word: &'static str,
    /// The final grade when ranking moved the person, and their note.
    pub(super) ranked: Option<u16>,
    pub(super) note: Option<RankingNote>,
}

/// A ranked run over `source`: rows that fail are handed to `each` as the
/// first pass meets them, then every evaluated row, in the order of the
/// file, with what `evaluate` made of it (and the text it wrote). `evaluate`
/// returns its value and the outcome's grade (for the quotas' tally).
pub(super) fn run<O: Send>(
    program: &Program,
    mut source: DataSource,
    evaluate: &(
         impl Fn(
        &mut Reused,
        &RawRow,
        Second<'_>,
        &mut Vec<u8>,
    ) -> Result<(O, Option<usize>), Box<RowError>>
         + Sync
     ),
    mut each: impl FnMut(Result<O, RowError>, &[u8]),
) -> Result<Summary, HeaderError> {
    let policy = program.policy();
    let columns = Columns::map(program, &source.headers, source.row_word)?;
    let row_word = source.row_word;
    let headers = source.headers.clone();
    let again = source.reopen();
    let keep = again.is_none();
    let empty = source.empty_rows();
    let mut progress = source.take_first_reading();
    let mut summary = Summary::default();
    let mut standings = Standings {
        row_word,
        ..Standings::default()
    };
    let mut kept = Vec::new();

    // The first pass: what ranking needs of each row.
    let score = |reused: &mut Reused, row: &RawRow, _: &mut Vec<u8>| {
        let Reused {
            record,
            inputs,
            scratch,
            ..
        } = reused;
        columns
            .type_into(program, row, record, inputs)
            .map_err(Box::new)?;
        match program.ranking_facts_typed(record, inputs, scratch) {
            Ok(facts) => Ok(Scored {
                number: row.number,
                id: record.id.as_str().into(),
                group: record.group.clone(),
                facts,
                kept: keep.then(|| row.clone()),
            }),
            Err(e) => Err(Box::new(eval_failure(row.number, row_word, &record.id, e))),
        }
    };
    pipeline(source, &columns, &score, |row, _| {
        summary.read += 1;
        if let Some(tell) = &mut progress {
            tell(crate::data::FirstReading::Row);
        }
        match row {
            Ok(Ok(mut scored)) => {
                if let Some(row) = scored.kept.take() {
                    kept.push(row);
                }
                standings.push(scored);
            }
            Ok(Err(e)) => {
                summary.failed += 1;
                each(Err(*e), &[]);
            }
            Err(e) => {
                summary.failed += 1;
                each(Err(e), &[]);
            }
        }
    });
    summary.unranked = standings.rank(program);
    let sizes = standings.sizes();
    if let Some(tell) = &mut progress {
        tell(crate::data::FirstReading::Done);
    }

    // The second pass: each ranked row again, with its final grade.
    let second = match again {
        Some(Ok(source)) if source.headers == headers => Ok(source),
        Some(Ok(_)) => Err("its header is not the one read first".to_string()),
        Some(Err(ReadError { message, .. })) => Err(message),
        None => {
            let len = kept.len();
            Ok(DataSource::of_rows(
                headers,
                row_word,
                Some(len),
                None,
                kept.into_iter().map(Ok),
            ))
        }
    };
    let mut tally = policy.quotas.is_some().then(Tally::default);
    // The next person of the standings the second pass should meet.
    let mut next = 0;
    let source = match second {
        Ok(source) => source,
        Err(why) => {
            let why = format!("it could not be read a second time: {why}");
            gone(
                &standings,
                &mut next,
                standings.len(),
                &mut summary,
                &mut each,
                &why,
            );
            summary.empty = empty.lines();
            return Ok(summary);
        }
    };
    let work = |reused: &mut Reused, row: &RawRow, text: &mut Vec<u8>| {
        let i = standings.numbers.binary_search(&row.number).ok()?;
        if columns.id_text(row).as_ref() != standings.ids.get(i).map_or("", |id| id.as_str()) {
            return Some((i, Err(None)));
        }
        let (ranked, note) = standings.placement(program, i, &sizes);
        let second = Second {
            columns: &columns,
            row_word,
            ranked,
            note,
        };
        Some((i, evaluate(reused, row, second, text).map_err(Some)))
    };
    pipeline(source, &columns, &work, |row, text| {
        // Rows that failed in the first pass fail again: reported already.
        let Ok(Some((i, result))) = row else {
            return;
        };
        if i < next {
            return;
        }
        gone(
            &standings,
            &mut next,
            i,
            &mut summary,
            &mut each,
            "a line is missing",
        );
        next = i + 1;
        match result {
            Ok((value, grade)) => {
                summary.evaluated += 1;
                if let (Some(t), Some(g), Some(group)) = (&mut tally, grade, standings.group_of(i))
                {
                    t.count(policy, group, g);
                }
                each(Ok(value), text);
            }
            Err(Some(e)) => {
                summary.failed += 1;
                each(Err(*e), text);
            }
            Err(None) => {
                next = i;
                let why = "a line holds another employee";
                gone(&standings, &mut next, i + 1, &mut summary, &mut each, why);
            }
        }
    });
    let end = standings.len();
    gone(
        &standings,
        &mut next,
        end,
        &mut summary,
        &mut each,
        "lines are missing at its end",
    );
    summary.distribution = tally.map(|t| t.finish(policy));
    summary.empty = empty.lines();
    Ok(summary)
}

/// Fails the people of the standings from `*next` up to `upto`, whom the
/// second pass did not meet as the first left them, and moves `next` on.
fn gone<O>(
    standings: &Standings,
    next: &mut usize,
    upto: usize,
    summary: &mut Summary,
    each: &mut impl FnMut(Result<O, RowError>, &[u8]),
    why: &str,
) {
    while *next < upto.min(standings.len()) {
        summary.failed += 1;
        each(
            Err(RowError {
                row: standings.numbers.get(*next).copied().unwrap_or_default(),
                row_word: standings.row_word,
                id: standings.ids.get(*next).map(|id| id.to_string()),
                problem: RowProblem::Unreadable(format!(
                    "the data changed while kpi read it ({why}): run again on a file that is not being written"
                )),
            }),
            &[],
        );
        *next += 1;
    }
}

/// [`run`] over records in memory (a year rolled up from its quarters):
/// the second pass goes over the records the first kept.
pub(super) fn run_records(
    program: &Program,
    records: Vec<Result<(usize, Record), RowError>>,
    row_word: &'static str,
    mut each: impl FnMut(RowResult),
) -> Summary {
    let policy = program.policy();
    let mut summary = Summary::default();
    let mut standings = Standings {
        row_word,
        ..Standings::default()
    };
    let mut scratch = Scratch::default();
    let mut kept = Vec::new();
    for row in records {
        summary.read += 1;
        let (number, record) = match row {
            Ok(row) => row,
            Err(e) => {
                summary.failed += 1;
                each(RowResult::Failed(e));
                continue;
            }
        };
        match program.ranking_facts(&record, &mut scratch) {
            Ok(facts) => {
                standings.push(Scored {
                    number,
                    id: record.id.as_str().into(),
                    group: record.group.clone(),
                    facts,
                    kept: None,
                });
                kept.push(record);
            }
            Err(e) => {
                summary.failed += 1;
                each(RowResult::Failed(eval_failure(
                    number, row_word, &record.id, e,
                )));
            }
        }
    }
    summary.unranked = standings.rank(program);
    let sizes = standings.sizes();
    let mut tally = policy.quotas.is_some().then(Tally::default);
    for (i, record) in kept.into_iter().enumerate() {
        let (ranked, note) = standings.placement(program, i, &sizes);
        let evaluated = match ranked {
            Some(grade) => program.evaluate_ranked(&record, grade),
            None => program.evaluate(&record),
        };
        match evaluated {
            Ok(mut outcome) => {
                summary.evaluated += 1;
                outcome.ranking = note;
                if let Some(t) = &mut tally {
                    t.add(policy, &outcome);
                }
                each(RowResult::Evaluated(Box::new(record), Box::new(outcome)));
            }
            Err(e) => {
                summary.failed += 1;
                let number = standings.numbers.get(i).copied().unwrap_or_default();
                each(RowResult::Failed(eval_failure(
                    number, row_word, &record.id, e,
                )));
            }
        }
    }
    summary.distribution = tally.map(|t| t.finish(policy));
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[allow(clippy::unwrap_used, clippy::panic)]
    fn run_with_second_reading(first: &str, second: &str) -> (Summary, Vec<String>, Vec<RowError>) {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/quotas/ranking.kpi"),
        )
        .unwrap();
        let source = crate::language::source::Source::new("ranking.kpi", text);
        let program = crate::compile(&source).unwrap().program;
        let options = crate::data::ReadOptions::default();
        let again = second.as_bytes().to_vec();
        let source = crate::data::open_bytes("d.csv", first.as_bytes().to_vec(), &options)
            .unwrap()
            .with_again(Arc::new(move || {
                crate::data::open_bytes(
                    "d.csv",
                    again.clone(),
                    &crate::data::ReadOptions::default(),
                )
            }));
        let (mut paid, mut failed) = (Vec::new(), Vec::new());
        let summary = super::super::run(&program, source, |r| match r {
            RowResult::Evaluated(_, o) => paid.push(o.id.clone()),
            RowResult::Failed(e) => failed.push(e),
        })
        .unwrap();
        (summary, paid, failed)
    }

    /// The first reading tells its progress, a row at a time, then that
    /// ranking is done, before any row is handed on.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_first_reading_reports_each_row_then_that_it_is_done() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("tests/fixtures/quotas/ranking.kpi")).unwrap();
        let program = crate::compile(&crate::language::source::Source::new("r.kpi", text))
            .unwrap()
            .program;
        let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let told = events.clone();
        let source = crate::data::open(
            &root.join("tests/fixtures/quotas/ranking.csv"),
            &crate::data::ReadOptions::default(),
        )
        .unwrap()
        .on_first_reading(Box::new(move |e| {
            told.lock().unwrap().push(format!("{e:?}"))
        }));
        let seen = events.clone();
        let summary = super::super::run(&program, source, |_| {
            seen.lock().unwrap().push("handed".to_string());
        })
        .unwrap();
        let events = events.lock().unwrap().join(" ");
        let expected = format!("{}Done{}", "Row ".repeat(13), " handed".repeat(13));
        assert_eq!(events, expected);
        assert_eq!(summary.read, 13);
    }

    /// A file changed between the two readings (another employee on a
    /// line, a line gone) fails the rows that changed, naming them, and
    /// pays nobody from another row's figures; every row is accounted for.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn rows_changed_between_the_passes_fail_and_are_named() {
        let first = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/quotas/ranking.csv"),
        )
        .unwrap();
        let (same, paid, failed) = run_with_second_reading(&first, &first);
        assert_eq!((same.read, same.evaluated, same.failed), (13, 13, 0));
        assert_eq!(paid.len(), 13);
        assert!(failed.is_empty());

        let lines: Vec<&str> = first.lines().collect();
        let swapped_id = lines[3].split(',').next().unwrap().to_string();
        let mut second: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        second[3] = second[3].replacen(&swapped_id, "X999", 1);
        second.remove(6);
        let (changed, paid, failed) = run_with_second_reading(&first, &(second.join("\n") + "\n"));
        assert_eq!(changed.read, 13);
        assert_eq!(
            changed.evaluated + changed.failed,
            13,
            "every row accounted for"
        );
        assert!(
            !paid.contains(&"X999".to_string()),
            "nobody paid from a changed line"
        );
        assert!(
            !paid.contains(&swapped_id),
            "the changed line's employee is not paid"
        );
        let named: Vec<usize> = failed.iter().map(|e| e.row).collect();
        assert!(named.contains(&4), "line 4 changed: {named:?}");
        assert!(
            failed
                .iter()
                .all(|e| e.to_string().contains("the data changed while kpi read it"))
        );
        assert!(
            changed.failed >= 2,
            "the changed line and the lines after the one gone"
        );
    }
}
