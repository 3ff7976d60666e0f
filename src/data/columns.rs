//! A row typed into a record: the columns each input is read from, found
//! once from the header, and each cell read as its input's type and range.

use super::*;

/// How one input a plan uses is typed from a row: its index, its column
/// (`None` when the data leaves it out: an input only some plans use may
/// be, as a file of sales staff needs no project columns), and its range
/// made ready.
#[derive(Debug, Clone, Copy)]
pub(super) struct Typing {
    input: usize,
    column: Option<usize>,
    range: RangeTest,
}

/// A header's columns by name (trimmed; columns with no name, the
/// trailing commas spreadsheets leave, hold nothing the policy could ask
/// for), and the names given twice. A name given twice is its first column.
pub(crate) struct HeaderIndex<'h> {
    index: HashMap<&'h str, usize>,
    pub(crate) duplicates: Vec<String>,
}

impl<'h> HeaderIndex<'h> {
    pub(crate) fn of(headers: &'h [String]) -> HeaderIndex<'h> {
        let mut index = HashMap::new();
        let mut duplicates: Vec<String> = Vec::new();
        for (i, h) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
            if index.contains_key(h.as_str()) {
                if !duplicates.contains(h) {
                    duplicates.push(h.clone());
                }
            } else {
                index.insert(h.as_str(), i);
            }
        }
        HeaderIndex { index, duplicates }
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The column of each input: by its name, else its label, else an
    /// alias; but never by a label or alias that is the name of a column
    /// another input is read from by its name (that column is the other
    /// input's).
    pub(crate) fn inputs(&self, inputs: &[crate::language::checked::Input]) -> Vec<Option<usize>> {
        let by_name: Vec<Option<usize>> = inputs.iter().map(|i| self.get(&i.name)).collect();
        inputs
            .iter()
            .zip(&by_name)
            .map(|(input, name)| {
                name.or_else(|| {
                    self.names(input)
                        .skip(1)
                        .filter_map(|n| self.get(n))
                        .find(|c| !by_name.contains(&Some(*c)))
                })
            })
            .collect()
    }

    /// An input's names, in the order a column is looked for by them.
    pub(super) fn names<'i>(
        &self,
        input: &'i crate::language::checked::Input,
    ) -> impl Iterator<Item = &'i str> {
        std::iter::once(input.name.as_str())
            .chain(input.label.as_deref().map(str::trim))
            .chain(input.aliases.iter().map(|a| a.trim()))
    }

    /// The inputs two columns give, each by another of its names (its name
    /// and its label, say), with `columns` the column each input was
    /// found in ([`Self::inputs`]): only one of the two would count, and
    /// which must be said rather than the other dropped unseen. A column
    /// another input is read from is that input's, and one in `taken` (the
    /// id, name, plan or group column) is that, even if its name is also
    /// this input's label or alias.
    pub(crate) fn two_columns(
        &self,
        headers: &[String],
        inputs: &[crate::language::checked::Input],
        columns: &[Option<usize>],
        taken: &[usize],
    ) -> Vec<TwoColumns> {
        let mut found: Vec<TwoColumns> = Vec::new();
        for (input, column) in inputs.iter().zip(columns) {
            let Some(first) = *column else { continue };
            let others = self.names(input).filter_map(|n| self.get(n));
            let other_use = |i: usize| columns.contains(&Some(i)) || taken.contains(&i);
            for other in others.filter(|&i| i != first && !other_use(i)) {
                let (Some(a), Some(b)) = (headers.get(first), headers.get(other)) else {
                    continue;
                };
                let pair = [a.clone(), b.clone()];
                if !found.iter().any(|t| t.columns == pair) {
                    found.push(TwoColumns {
                        input: input.name.clone(),
                        columns: pair,
                    });
                }
            }
        }
        found
    }
}

/// Where each input's value is in a row.
#[derive(Debug, Clone)]
pub struct Columns {
    id: usize,
    name: Option<usize>,
    /// The quota group column, when the policy sets quotas per group.
    group: Option<usize>,
    /// The column choosing each employee's plan, for a policy with plans.
    plan: Option<usize>,
    /// Per plan, how each input it uses is typed, in the inputs' order.
    typing: Vec<Vec<Typing>>,
    /// Per plan, for each input, the rule that first uses it: "indicator
    /// `成交`", or `None` when the plan does not use the input (its cell
    /// may then be empty).
    consumers: Vec<Vec<Option<String>>>,
    /// Every plan's name, for the message naming an unknown plan.
    plan_names: Vec<String>,
    /// The final adjustment's column and its reason's column, when the
    /// policy allows overrides and the data has the column.
    adjustment: Option<(usize, usize)>,
    headers: Vec<String>,
    row_word: &'static str,
}

/// Where typing puts a row's inputs, by the policy's order: a record's
/// [`Value`]s, or the evaluator's [`Slot`]s, so that the pipeline does not
/// make a `Decimal` of each number only for the evaluator to take it apart.
pub(crate) trait Inputs {
    /// As many inputs as the policy has, every one missing.
    fn reset(&mut self, len: usize);
    fn set(&mut self, i: usize, value: Value);
    /// A number read as its parts (the usual cell).
    fn set_plain(&mut self, i: usize, n: crate::numbers::decimal::Plain);
}

/// A typed input as [`Inputs`] keeps it: a `Value` or a `Slot`.
pub(crate) trait Input: Copy + From<Value> {
    fn plain(n: crate::numbers::decimal::Plain) -> Self;
}

impl Input for Value {
    #[inline]
    fn plain(n: crate::numbers::decimal::Plain) -> Value {
        Value::Num(n.decimal())
    }
}

impl Input for Slot {
    #[inline]
    fn plain(n: crate::numbers::decimal::Plain) -> Slot {
        Slot::Num(n.num())
    }
}

impl<T: Input> Inputs for Vec<T> {
    fn reset(&mut self, len: usize) {
        self.clear();
        self.resize(len, T::from(Value::Missing));
    }

    fn set(&mut self, i: usize, value: Value) {
        if let Some(slot) = self.get_mut(i) {
            *slot = T::from(value);
        }
    }

    #[inline]
    fn set_plain(&mut self, i: usize, n: crate::numbers::decimal::Plain) {
        if let Some(slot) = self.get_mut(i) {
            *slot = T::plain(n);
        }
    }
}

impl Columns {
    /// Maps a header to the policy: each input by its name or its label,
    /// the id column by the name the policy gives it.
    pub fn map(
        program: &Program,
        headers: &[String],
        row_word: &'static str,
    ) -> Result<Columns, HeaderError> {
        let policy = program.policy();
        let headers: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        let index = HeaderIndex::of(&headers);
        let duplicates = index.duplicates.clone();
        let find = |name: &str, label: Option<&str>| {
            index
                .get(name)
                .or_else(|| label.and_then(|l| index.get(l.trim())))
        };
        let mut missing = Vec::new();
        let suggest = |name: &str| {
            crate::language::fuzzy::closest(name, headers.iter().map(String::as_str))
                .map(str::to_string)
        };
        let id = find(&policy.id_column, None);
        if id.is_none() {
            missing.push(MissingColumn {
                input: policy.id_column.clone(),
                label: Some("employee id".to_string()),
                did_you_mean: suggest(&policy.id_column),
            });
        }
        let name = policy.name_column.as_deref().and_then(|n| find(n, None));
        // A column the policy names for a purpose, required when named.
        let mut purpose_column = |column: Option<&str>, purpose: &str| {
            let column = column?;
            let found = find(column, None);
            if found.is_none() {
                missing.push(MissingColumn {
                    input: column.to_string(),
                    label: Some(purpose.to_string()),
                    did_you_mean: suggest(column),
                });
            }
            found
        };
        let group = purpose_column(policy.quota_group_column(), "the group the quotas apply to");
        let plan = purpose_column(policy.plan_column.as_deref(), "each employee's plan");
        // An input every plan uses must have a column; one that only some
        // plans use may be left out, and is then missing for those plans' rows.
        let mut required = vec![true; policy.inputs.len()];
        for plan in program.plans() {
            for (r, used) in required.iter_mut().zip(plan.policy().used_inputs()) {
                *r &= used;
            }
        }
        // A file without the override column has no overrides; with it, the
        // reason column must be there too.
        let override_rule = policy.override_rule.as_ref();
        let adjustment = override_rule.and_then(|o| find(&o.column, None));
        let reason = override_rule.and_then(|o| find(&o.reason_column, None));
        if let (Some(rule), Some(_), None) = (override_rule, adjustment, reason) {
            missing.push(MissingColumn {
                input: rule.reason_column.clone(),
                label: Some(format!("the reason for each override in `{}`", rule.column)),
                did_you_mean: suggest(&rule.reason_column),
            });
        }
        let found = index.inputs(&policy.inputs);
        let mut inputs = Vec::new();
        for ((input, required), column) in policy.inputs.iter().zip(required).zip(&found) {
            match *column {
                Some(i) => inputs.push(Some(i)),
                None if !required => inputs.push(None),
                None => missing.push(MissingColumn {
                    input: input.name.clone(),
                    label: input.label.clone(),
                    did_you_mean: suggest(&input.name)
                        .or_else(|| input.label.as_deref().and_then(suggest)),
                }),
            }
        }
        // As in the yearly figures: an input given by two columns is
        // refused, not read from one with the other ignored.
        let taken: Vec<usize> = [id, name, group, plan, adjustment, reason]
            .into_iter()
            .flatten()
            .collect();
        let two_columns = index.two_columns(&headers, &policy.inputs, &found, &taken);
        if !missing.is_empty() || !duplicates.is_empty() || !two_columns.is_empty() {
            // The columns nothing uses: when an input has no column, one of
            // these is likely its misspelt name.
            let second: Vec<usize> = two_columns
                .iter()
                .filter_map(|t| index.get(&t.columns[1]))
                .collect();
            let used: Vec<usize> = inputs
                .iter()
                .copied()
                .flatten()
                .chain(second)
                .chain(id)
                .chain(name)
                .chain(group)
                .chain(plan)
                .chain(adjustment)
                .chain(reason)
                .collect();
            let names: Vec<&str> = policy
                .inputs
                .iter()
                .flat_map(|i| std::iter::once(i.name.as_str()).chain(i.label.as_deref()))
                .chain(std::iter::once(policy.id_column.as_str()))
                .collect();
            let unknown = headers
                .iter()
                .enumerate()
                // A column named twice is reported as that, not also as
                // one the policy does not use.
                .filter(|(i, h)| !used.contains(i) && !h.is_empty() && !duplicates.contains(h))
                .map(|(_, h)| UnknownColumn {
                    column: h.clone(),
                    did_you_mean: crate::language::fuzzy::closest(h, names.iter().copied())
                        .map(str::to_string),
                })
                .collect();
            return Err(HeaderError {
                missing,
                unknown,
                duplicates,
                two_columns,
            });
        }
        // Per plan, the inputs it uses, each with its column and range.
        let consumers: Vec<Vec<Option<String>>> =
            program.plans().map(|p| consumers(p.policy())).collect();
        let typing = consumers
            .iter()
            .map(|used| {
                (0..policy.inputs.len())
                    .filter(|i| matches!(used.get(*i), Some(Some(_))))
                    .map(|i| Typing {
                        input: i,
                        column: inputs.get(i).copied().flatten(),
                        range: policy
                            .inputs
                            .get(i)
                            .map_or(RangeTest::Other, |input| input.range.test()),
                    })
                    .collect()
            })
            .collect();
        Ok(Columns {
            id: id.unwrap_or_default(),
            name,
            group,
            plan,
            typing,
            consumers,
            plan_names: policy.plans.iter().map(|p| p.name.clone()).collect(),
            adjustment: adjustment.zip(reason),
            headers,
            row_word,
        })
    }

    /// Types one row's cells as the policy's inputs.
    pub fn record(&self, program: &Program, row: &RawRow) -> Result<Record, RowError> {
        let mut record = Record::default();
        self.record_into(program, row, &mut record)?;
        Ok(record)
    }

    /// [`Self::record`] into a record from an earlier row, whose buffers are
    /// reused: typing many rows this way allocates little per row. On an
    /// error, `record` holds part of the row and must not be evaluated.
    pub fn record_into(
        &self,
        program: &Program,
        row: &RawRow,
        record: &mut Record,
    ) -> Result<(), RowError> {
        let mut inputs = std::mem::take(&mut record.inputs);
        let typed = self.type_into(program, row, record, &mut inputs);
        record.inputs = inputs;
        typed
    }

    /// [`Self::record_into`], with the inputs put in `inputs` rather than in
    /// the record (whose own are left as they were): the pipeline types
    /// them straight into the evaluator's form ([`Slot`]s).
    pub(crate) fn type_into(
        &self,
        program: &Program,
        row: &RawRow,
        record: &mut Record,
        inputs: &mut impl Inputs,
    ) -> Result<(), RowError> {
        let policy = program.policy();
        let cell = |i: usize| row.cell_or_empty(i);
        crate::engine::outcome::replace_text(&mut record.id, &row.trimmed(self.id));
        let id = &record.id;
        let mut problems = Vec::new();
        if id.is_empty() {
            problems.push(CellProblem {
                column: self.header(self.id),
                value: String::new(),
                message: "no employee id".to_string(),
                rule: String::new(),
            });
        }
        let name = self.name.map(|i| row.trimmed(i)).filter(|n| !n.is_empty());
        crate::engine::outcome::replace_optional_text(&mut record.name, name.as_deref());
        let group = self.group.map(|column| (column, row.trimmed(column)));
        crate::engine::outcome::replace_optional_text(
            &mut record.group,
            group.as_ref().map(|(_, g)| &**g),
        );
        // Who the row is must read as written: a byte the file's encoding
        // does not have (a name pasted from a GBK file into a UTF-8 one)
        // would put a garbled id or name on a payslip.
        let who = [
            Some((self.id, id.as_str())),
            self.name.zip(record.name.as_deref()),
            self.group.zip(record.group.as_deref()),
        ];
        for (column, text) in who.into_iter().flatten() {
            if text.contains(char::REPLACEMENT_CHARACTER) {
                problems.push(CellProblem {
                    column: self.header(column),
                    value: text.to_string(),
                    message: "it holds bytes the file's encoding does not have (shown as �): the file mixes encodings; save it again as UTF-8 (Excel: CSV UTF-8), or give its encoding with --encoding".to_string(),
                    rule: String::new(),
                });
            }
        }
        if let Some((column, value)) = group
            && value.is_empty()
        {
            problems.push(CellProblem {
                column: self.header(column),
                value: String::new(),
                message: "no group: the quotas are counted per group".to_string(),
                rule: "quotas".to_string(),
            });
        }
        let plan = match self.plan {
            Some(column) => {
                let value = row.trimmed(column);
                match program.plan_named(&value) {
                    Some(plan) => plan,
                    None => {
                        let value = value.into_owned();
                        let plans = self
                            .plan_names
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let message = if value.is_empty() {
                            format!("no plan: the plans are {plans}")
                        } else {
                            format!("names no plan: the plans are {plans}")
                        };
                        return Err(RowError {
                            row: row.number,
                            row_word: self.row_word,
                            id: (!id.is_empty()).then(|| id.clone()),
                            problem: RowProblem::Cells(vec![CellProblem {
                                column: self.header(column),
                                value,
                                message,
                                rule: "the plans".to_string(),
                            }]),
                        });
                    }
                }
            }
            None => 0,
        };
        let no_consumers = Vec::new();
        let consumers = self.consumers.get(plan).unwrap_or(&no_consumers);
        let consumer = |i: usize| consumers.get(i).cloned().flatten().unwrap_or_default();
        // An input the employee's plan does not use is not read: missing.
        inputs.reset(policy.inputs.len());
        let steps = self.typing.get(plan).map_or(&[][..], Vec::as_slice);
        for step in steps {
            let Some(input) = policy.inputs.get(step.input) else {
                continue;
            };
            let slot = step.input;
            let Some(column) = step.column else {
                let plan_name = self.plan_names.get(plan).cloned().unwrap_or_default();
                problems.push(CellProblem {
                    column: input.name.clone(),
                    value: String::new(),
                    message: format!(
                        "the data has no such column, and plan `{plan_name}` needs it"
                    ),
                    rule: consumer(step.input),
                });
                inputs.set(slot, Value::Num(Default::default()));
                continue;
            };
            // The usual cell, read without making a `CellRef`, and checked
            // against its range inline, not by `within_range` (values passed
            // to a call go through memory, and stall the read after).
            // A percentage column `written as` a number or fraction is read
            // by that rule, never by the usual one (`0.85` is 0.85% there).
            match row
                .plain_text(column)
                .filter(|_| input.written.is_none())
                .and_then(|text| cell::usual_parts(input.ty, text))
            {
                Some(cell::Usual::Num(n)) if step.range.holds_plain(n, &input.range) => {
                    inputs.set_plain(slot, n);
                    continue;
                }
                Some(cell::Usual::Bool(b)) => {
                    inputs.set(slot, Value::Bool(b));
                    continue;
                }
                _ => {}
            }
            let raw = cell(column);
            let empty = raw == CellRef::Empty;
            // What the policy says an empty cell means.
            match (empty, input.missing) {
                (true, Missing::Exclude) => {
                    inputs.set(slot, Value::Missing);
                    continue;
                }
                (true, Missing::Default(v)) => {
                    let value = match v {
                        InputValue::Number(n) => Value::Num(n),
                        InputValue::Bool(b) => Value::Bool(b),
                    };
                    inputs.set(slot, value);
                    continue;
                }
                _ => {}
            }
            match super::parse_input_cell(input, raw).and_then(|v| within_range(input, v)) {
                Ok(value) => inputs.set(slot, value),
                Err(message) => {
                    problems.push(CellProblem {
                        column: self.header(column),
                        value: raw.shown(),
                        message,
                        rule: consumer(step.input),
                    });
                    inputs.set(slot, Value::Num(Default::default()));
                }
            }
        }
        // Written only where there may be one: moving even a `None` of this
        // size through memory costs a stall on every row.
        if self.adjustment.is_some() || record.final_adjustment.is_some() {
            record.final_adjustment = self.final_adjustment(program, row, &mut problems);
        }
        record.plan = plan;
        record.year = None;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RowError {
                row: row.number,
                row_word: self.row_word,
                id: (!record.id.is_empty()).then(|| record.id.clone()),
                problem: RowProblem::Cells(problems),
            })
        }
    }

    /// The general manager's override of a row, if its cell is filled: a
    /// grade (by name or label) or a score in the policy's range, with a
    /// reason. An override without a reason is refused.
    pub(super) fn final_adjustment(
        &self,
        program: &Program,
        row: &RawRow,
        problems: &mut Vec<CellProblem>,
    ) -> Option<Override> {
        let policy = program.policy();
        let rule = policy.override_rule.as_ref()?;
        let (column, reason_column) = self.adjustment?;
        let cell = |i: usize| row.cell_or_empty(i);
        let raw = cell(column);
        let text = raw.trimmed().into_owned();
        if text.is_empty() {
            return None;
        }
        let reason = cell(reason_column).trimmed().into_owned();
        let mut problem = |at: usize, value: &str, message: String| {
            problems.push(CellProblem {
                column: self.header(at),
                value: value.to_string(),
                message,
                rule: "override".to_string(),
            });
        };
        let value = match rule.target {
            OverrideTarget::Grade => {
                let found = policy
                    .grades
                    .iter()
                    .position(|g| g.name == text || g.label.as_deref() == Some(text.as_str()))
                    .and_then(|g| u16::try_from(g).ok());
                if found.is_none() {
                    let grades: Vec<String> = policy
                        .grades
                        .iter()
                        .map(|g| format!("`{}`", g.name))
                        .collect();
                    problem(
                        column,
                        &text,
                        format!("not a grade: the grades are {}", grades.join(", ")),
                    );
                }
                found.map(OverrideValue::Grade)
            }
            OverrideTarget::Score => match parse_cell(InputType::Score, raw) {
                Ok(Value::Num(n)) if n >= policy.score_range.0 && n <= policy.score_range.1 => {
                    Some(OverrideValue::Score(n))
                }
                Ok(_) => {
                    problem(
                        column,
                        &text,
                        format!(
                            "a score must lie in {} to {}",
                            policy.score_range.0, policy.score_range.1
                        ),
                    );
                    None
                }
                Err(message) => {
                    problem(column, &text, message);
                    None
                }
            },
        };
        if reason.is_empty() {
            problem(
                reason_column,
                "",
                format!(
                    "an override needs a reason: `{}` = `{text}` has none, so it is not applied",
                    self.header(column)
                ),
            );
        }
        Some(Override {
            value: value?,
            reason,
        })
    }

    /// The employee id of a row, as written (trimmed).
    pub fn id_of(&self, row: &RawRow) -> String {
        self.id_text(row).into_owned()
    }

    /// [`Self::id_of`], borrowed from the row where it can be.
    pub fn id_text<'r>(&self, row: &'r RawRow) -> std::borrow::Cow<'r, str> {
        row.trimmed(self.id)
    }

    /// The employee name of a row, if the policy names a name column.
    pub fn name_of(&self, row: &RawRow) -> Option<String> {
        let column = self.name?;
        let name = row.cell(column)?.trimmed().into_owned();
        (!name.is_empty()).then_some(name)
    }

    pub(super) fn header(&self, column: usize) -> String {
        self.headers.get(column).cloned().unwrap_or_default()
    }
}

/// The rule that first uses each input, for error messages; `None` for an
/// input the policy (plan) does not use.
pub(super) fn consumers(policy: &CheckedPolicy) -> Vec<Option<String>> {
    let mut found: Vec<Option<String>> = vec![None; policy.inputs.len()];
    for node in &policy.order {
        let (kind, exprs): (&str, Vec<&crate::language::checked::Expr>) = match *node {
            Node::Value(i) => (
                "value",
                policy
                    .values
                    .get(i)
                    .map(|v| vec![&v.expr])
                    .unwrap_or_default(),
            ),
            Node::Indicator(i) => (
                "indicator",
                policy
                    .indicators
                    .get(i)
                    .map(|x| x.measure.iter().chain(std::iter::once(&x.points)).collect())
                    .unwrap_or_default(),
            ),
            Node::Adjustment(i) => (
                "bonus/deduction",
                policy
                    .adjustments
                    .get(i)
                    .map(|a| vec![&a.points])
                    .unwrap_or_default(),
            ),
            Node::Pay(i) => (
                "pay item",
                policy.pay.get(i).map(|p| vec![&p.expr]).unwrap_or_default(),
            ),
            Node::Grade => ("veto", policy.vetoes.iter().map(|v| &v.condition).collect()),
            Node::Input(_) | Node::Score => continue,
        };
        let (name, _) = policy.describe(*node);
        for e in exprs {
            e.for_each_ref(&mut |n| {
                if let Node::Input(i) = n
                    && let Some(slot @ None) = found.get_mut(i)
                {
                    *slot = Some(if *node == Node::Grade {
                        kind.to_string()
                    } else {
                        format!("{kind} `{name}`")
                    });
                }
            });
        }
    }
    if let Some(ranking) = policy.quotas.as_ref().and_then(|q| q.ranking.as_ref()) {
        for tie in &ranking.ties {
            if let Node::Input(i) = tie.node
                && let Some(slot @ None) = found.get_mut(i)
            {
                *slot = Some("forced ranking's tie-breaker".to_string());
            }
        }
    }
    found
}

/// A value the policy declares out of range (`range >= 0% and <= 100%`) is
/// refused like a value of the wrong type: the analysis of `kpi analyze`
/// holds only for data within the declared ranges.
#[inline]
pub(crate) fn within_range(
    input: &crate::language::checked::Input,
    value: Value,
) -> Result<Value, String> {
    match value {
        Value::Num(n) if !input.range.contains(n) => Err(format!(
            "outside the range the policy declares, {}",
            input
                .range
                .describe_with(&input.name, |d| crate::language::format::input_value(
                    input.ty, d
                ))
        )),
        _ => Ok(value),
    }
}
