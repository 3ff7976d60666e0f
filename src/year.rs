//! The year: a policy's quarters rolled up to a yearly result (全年绩效评定).
//!
//! Each quarter is evaluated as usual. Then, per employee:
//! - a `financial` indicator is re-scored on the year's figures: each input
//!   is added up over the quarters by its `yearly` rule (amounts sum, rates
//!   average, a base pay takes the last quarter's), unless a file of yearly
//!   figures gives the value;
//! - every other indicator, and every bonus and deduction item, takes the
//!   mean of its quarterly points;
//! - the score, grade (with the policy's quotas and forced ranking, over
//!   everyone's year) and pay follow through the ordinary evaluator.
//!
//! Someone absent from a quarter is rolled up as the policy's `year` block
//! says (average over the quarters present, or prorated pay); a policy that
//! says nothing fails them, naming the quarter, rather than count a zero.

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::ast::{MissingQuarters, YearlyRule};
use crate::data::{Columns, HeaderError, RawTable, RowError, RowProblem, parse_cell};
use crate::eval::{Record, YearGiven};
use crate::outcome::Outcome;
use crate::program::{Program, Value};
use crate::round::round;

/// One quarter's data, with the name it is shown by (`Q1`, `2026Q1.csv`).
#[derive(Debug, Clone)]
pub struct Quarter {
    pub name: String,
    pub table: RawTable,
}

/// What the quarters gave: the yearly records, ready for
/// [`crate::batch::run_records`], and every quarter row that failed.
#[derive(Debug, Clone)]
pub struct Year {
    /// One per employee, in order of first appearance; numbered from 1.
    pub records: Vec<Result<(usize, Record), RowError>>,
    /// Rows of the quarters that failed, with their quarter's name.
    pub quarter_failures: Vec<(String, RowError)>,
}

/// A header of a quarter's file (or of the yearly figures) that does not fit.
#[derive(Debug, Clone)]
pub struct YearHeaderError {
    pub file: String,
    pub error: HeaderError,
}

/// Rolls the quarters up. `figures`, when given, holds yearly values by
/// employee id (e.g. the yearly targets) that replace the added-up ones.
pub fn roll_up(
    program: &Program,
    quarters: &[Quarter],
    figures: Option<&RawTable>,
) -> Result<Year, YearHeaderError> {
    let policy = program.policy();
    let count = quarters.len();
    // Per employee, per quarter: the record and its outcome, or the
    // quarter's failure.
    type Slot = Option<Result<(Record, Outcome), ()>>;
    let mut people: IndexMap<String, Vec<Slot>> = IndexMap::new();
    let mut quarter_failures = Vec::new();
    for (q, quarter) in quarters.iter().enumerate() {
        let columns = Columns::map(program, &quarter.table.headers, quarter.table.row_word)
            .map_err(|error| YearHeaderError {
                file: quarter.name.clone(),
                error,
            })?;
        for row in &quarter.table.rows {
            let id = columns.id_of(row);
            let result =
                columns
                    .record(program, row)
                    .and_then(|record| match program.evaluate(&record) {
                        Ok(outcome) => Ok((record, outcome)),
                        Err(e) => Err(RowError {
                            row: row.number,
                            row_word: quarter.table.row_word,
                            id: Some(record.id.clone()),
                            problem: RowProblem::Eval(Box::new(e)),
                        }),
                    });
            let slots = people
                .entry(id.clone())
                .or_insert_with(|| vec![None; count]);
            let Some(slot) = slots.get_mut(q) else {
                continue;
            };
            match result {
                Ok(_) if slot.is_some() => quarter_failures.push((
                    quarter.name.clone(),
                    RowError {
                        row: row.number,
                        row_word: quarter.table.row_word,
                        id: Some(id),
                        problem: RowProblem::Year(
                            "the employee appears twice in this quarter; the first row counts"
                                .to_string(),
                        ),
                    },
                )),
                Ok(pair) => *slot = Some(Ok(pair)),
                Err(e) => {
                    *slot = Some(Err(()));
                    quarter_failures.push((quarter.name.clone(), e));
                }
            }
        }
    }
    let figures = match figures {
        Some(table) => Some(yearly_figures(program, table)?),
        None => None,
    };
    let names: Vec<String> = quarters.iter().map(|q| q.name.clone()).collect();
    let mut records = Vec::new();
    let people = people.into_iter().filter(|(id, _)| !id.is_empty());
    for (n, (id, slots)) in people.enumerate() {
        let number = n + 1;
        let fail = |message: String| RowError {
            row: number,
            row_word: "employee",
            id: Some(id.clone()),
            problem: RowProblem::Year(message),
        };
        let quarters_where = |wanted: fn(&Slot) -> bool| -> Vec<&str> {
            names
                .iter()
                .zip(&slots)
                .filter(|(_, s)| wanted(s))
                .map(|(q, _)| q.as_str())
                .collect()
        };
        let failed = quarters_where(|s| matches!(s, Some(Err(()))));
        if !failed.is_empty() {
            records.push(Err(fail(format!(
                "no yearly result: the row of {} failed (reported above)",
                failed.join(", ")
            ))));
            continue;
        }
        let absent = quarters_where(Option::is_none);
        if !absent.is_empty() && policy.missing_quarters.is_none() {
            records.push(Err(fail(format!(
                "absent from {}: the policy does not say how the year treats a missing quarter (add `year {{ missing quarters average }}` or `prorate`)",
                absent.join(", ")
            ))));
            continue;
        }
        let present: Vec<(usize, Record, Outcome)> = slots
            .into_iter()
            .enumerate()
            .filter_map(|(q, s)| match s {
                Some(Ok((record, outcome))) => Some((q, record, outcome)),
                _ => None,
            })
            .collect();
        let given = figures.as_ref().and_then(|f| f.get(&id));
        if let Some(record) = yearly_record(program, &present, &names, given) {
            records.push(Ok((number, record)));
        }
    }
    Ok(Year {
        records,
        quarter_failures,
    })
}

/// One employee's yearly record from the quarters they were appraised in
/// (in order), under the plan of their latest quarter.
fn yearly_record(
    program: &Program,
    present: &[(usize, Record, Outcome)],
    quarters: &[String],
    figures: Option<&Vec<Option<Value>>>,
) -> Option<Record> {
    let (_, last, _) = present.last()?;
    let policy = program.plan(last.plan).policy();
    let rounding = policy.score_rounding;
    let inputs = policy
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            if let Some(v) = figures.and_then(|f| f.get(i).copied().flatten()) {
                return v;
            }
            let values: Vec<Value> = present
                .iter()
                .filter_map(|(_, r, _)| r.inputs.get(i).copied())
                .filter(|v| *v != Value::Missing)
                .collect();
            aggregate(input.yearly, &values)
        })
        .collect();
    // Each quarter's points of one indicator or item, `None` where absent.
    let per_quarter = |points: &dyn Fn(&Outcome) -> Option<Decimal>| -> Vec<Option<Decimal>> {
        (0..quarters.len())
            .map(|q| {
                present
                    .iter()
                    .find(|(pq, _, _)| *pq == q)
                    .and_then(|(_, _, o)| points(o))
            })
            .collect()
    };
    let averaged = |points: &[Option<Decimal>]| -> Value {
        let given: Vec<Decimal> = points.iter().flatten().copied().collect();
        mean(&given)
            .and_then(|m| round(m, rounding))
            .map_or(Value::Missing, Value::Num)
    };
    let mut year = YearGiven {
        quarters: quarters.to_vec(),
        ..YearGiven::default()
    };
    for indicator in &policy.indicators {
        let points = per_quarter(&|o: &Outcome| {
            o.indicators.get(indicator.name.as_str()).copied().flatten()
        });
        year.indicators
            .push((!indicator.financial).then(|| averaged(&points)));
        year.indicator_quarters.push(points);
    }
    for adjustment in &policy.adjustments {
        // Deductions are shown negative in outcomes; the rule gives them positive.
        let points = per_quarter(&|o: &Outcome| {
            o.adjustments.get(adjustment.name.as_str()).map(|p| p.abs())
        });
        year.adjustments.push(Some(averaged(&points)));
        year.adjustment_quarters.push(points);
    }
    if present.len() < quarters.len() && policy.missing_quarters == Some(MissingQuarters::Prorate) {
        year.pay_factor = Decimal::from(present.len()).checked_div(Decimal::from(quarters.len()));
    }
    Some(Record {
        id: last.id.clone(),
        name: last.name.clone(),
        group: last.group.clone(),
        plan: last.plan,
        inputs,
        final_adjustment: None,
        year: Some(Box::new(year)),
    })
}

/// Yearly figures by employee id: for each input the file has a column for,
/// its non-empty cells.
fn yearly_figures(
    program: &Program,
    table: &RawTable,
) -> Result<IndexMap<String, Vec<Option<Value>>>, YearHeaderError> {
    let policy = program.policy();
    let headers: Vec<String> = table.headers.iter().map(|h| h.trim().to_string()).collect();
    let at = |name: &str| headers.iter().position(|h| h == name);
    let Some(id_column) = at(&policy.id_column) else {
        return Err(YearHeaderError {
            file: "the yearly figures".to_string(),
            error: HeaderError {
                missing: vec![crate::data::MissingColumn {
                    input: policy.id_column.clone(),
                    label: Some("employee id".to_string()),
                    did_you_mean: None,
                }],
                unknown: Vec::new(),
                duplicates: Vec::new(),
            },
        });
    };
    let columns: Vec<Option<usize>> = policy
        .inputs
        .iter()
        .map(|i| at(&i.name).or_else(|| i.label.as_deref().and_then(at)))
        .collect();
    let mut figures = IndexMap::new();
    for row in &table.rows {
        let cell = |c: usize| row.cell_or_empty(c);
        let id = cell(id_column).trimmed().into_owned();
        let values = policy
            .inputs
            .iter()
            .zip(&columns)
            .map(|(input, column)| {
                let raw = cell((*column)?);
                if raw == crate::data::CellRef::Empty {
                    return None;
                }
                parse_cell(input.ty, raw).ok()
            })
            .collect();
        figures.insert(id, values);
    }
    Ok(figures)
}

/// A year's value of an input from its quarters' values, by its rule.
fn aggregate(rule: YearlyRule, values: &[Value]) -> Value {
    let nums: Vec<Decimal> = values
        .iter()
        .filter_map(|v| match v {
            Value::Num(n) => Some(*n),
            _ => None,
        })
        .collect();
    match rule {
        YearlyRule::Last => values.last().copied().unwrap_or(Value::Missing),
        YearlyRule::Any => {
            if values.is_empty() {
                Value::Missing
            } else {
                Value::Bool(values.contains(&Value::Bool(true)))
            }
        }
        YearlyRule::Sum => {
            if nums.is_empty() {
                Value::Missing
            } else {
                nums.iter()
                    .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))
                    .map_or(Value::Missing, Value::Num)
            }
        }
        YearlyRule::Average => mean(&nums).map_or(Value::Missing, Value::Num),
    }
}

fn mean(values: &[Decimal]) -> Option<Decimal> {
    let sum = values
        .iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))?;
    sum.checked_div(Decimal::from(values.len()))
}
