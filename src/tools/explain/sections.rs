//! The sections of an explanation, in the order a payslip reads: inputs,
//! values, each indicator, bonuses and deductions, the score, the grade, pay.

use super::*;

impl Renderer<'_> {
    pub(super) fn inputs(&mut self) {
        let policy = self.policy;
        if policy.inputs.is_empty() {
            return;
        }
        if self.year.is_some() {
            self.heading(
                "Inputs (the year's: each input added up over the quarters by its `yearly` rule)",
            );
        } else {
            self.heading("Inputs");
        }
        // A plan shows only the inputs it uses; a policy without plans
        // shows all of them, used or not.
        let used = policy.used_inputs();
        let rows: Vec<(String, String)> = policy
            .inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| policy.plan.is_none() || used.get(*i).copied().unwrap_or(true))
            .map(|(i, input)| {
                let ty = Ty::of_input(input.ty);
                (
                    Self::named(&input.name, input.label.as_deref()),
                    format::value(policy, self.slot(Node::Input(i)), ty),
                )
            })
            .collect();
        let width = rows.iter().map(|(n, _)| n.width()).max().unwrap_or(0);
        for (name, value) in rows {
            let pad = width - name.width();
            self.line(1, &format!("{name}{:pad$}  {value}", ""));
        }
    }

    pub(super) fn values(&mut self) {
        if self.policy.values.is_empty() {
            return;
        }
        self.heading("Values");
        for i in 0..self.policy.values.len() {
            self.value(i);
        }
    }

    pub(super) fn value(&mut self, i: usize) {
        let policy = self.policy;
        let Some(value) = policy.values.get(i) else {
            return;
        };
        let result = format::value(policy, self.slot(Node::Value(i)), value.expr.ty);
        let name = Self::named(&value.name, value.label.as_deref());
        self.formula(1, &name, &value.expr, &result);
    }

    pub(super) fn indicators(&mut self) {
        if self.policy.indicators.is_empty() {
            return;
        }
        self.heading("Indicators");
        for i in 0..self.policy.indicators.len() {
            self.indicator(i);
        }
    }

    pub(super) fn indicator(&mut self, i: usize) {
        let policy = self.policy;
        let Some(indicator) = policy.indicators.get(i) else {
            return;
        };
        let weight = format::percent(indicator.weight);
        self.line(
            1,
            &format!(
                "{} · weight {weight}",
                Self::named(&indicator.name, indicator.label.as_deref())
            ),
        );
        if self.year.is_some() {
            self.year_source(Node::Indicator(i), indicator.financial, &weight);
            if indicator.financial {
                self.line(2, "financial: re-scored on the year's figures");
            } else {
                return;
            }
        }
        if let Some(missing) = self.excluded.get(&i).copied() {
            let what = missing
                .map(|slot| self.slot_name(slot))
                .unwrap_or_else(|| "a value".to_string());
            self.line(
                2,
                &format!(
                    "left out: {what} has no value, so this indicator does not count this time"
                ),
            );
            return;
        }
        let Some(trace) = self.indicators.get(&i).copied() else {
            return;
        };
        if let (Some(measure), Some(m)) = (&indicator.measure, trace.measure) {
            let shown = format::value(policy, Value::Num(m), measure.ty);
            self.formula(2, "measure", measure, &shown);
        }
        if let Some(veto) = trace.vetoed_by.and_then(|v| policy.vetoes.get(v)) {
            let reason = veto_reason(policy, veto);
            self.line(2, &format!("vetoed: {reason} → 0 points"));
        } else {
            let shown = format::number(trace.raw);
            self.formula(2, "points", &indicator.points, &shown);
            self.bounds(trace, indicator.cap, indicator.floor);
        }
        let contribution = self
            .score
            .and_then(|s| s.contributions.get(i).copied().flatten())
            .map(|c| self.points(c))
            .unwrap_or_default();
        self.line(
            2,
            &format!("= {} points × {weight} = {contribution}", trace.points),
        );
    }

    /// Where a yearly indicator's (or bonus/deduction item's) points come
    /// from: the mean of the quarters' points, each quarter shown.
    pub(super) fn year_source(&mut self, node: Node, financial: bool, weight: &str) {
        let Some(year) = &self.year else { return };
        let per_quarter = match node {
            Node::Indicator(i) => year.indicator_quarters.get(i),
            Node::Adjustment(i) => year.adjustment_quarters.get(i),
            _ => None,
        };
        let quarters: Vec<String> = year
            .quarters
            .iter()
            .zip(per_quarter.into_iter().flatten())
            .map(|(q, p)| match p {
                Some(p) => format!("{q} {p}"),
                None => format!("{q} —"),
            })
            .collect();
        if financial {
            self.line(2, &format!("quarters: {}", quarters.join(", ")));
            return;
        }
        let line = match self.given.get(&node) {
            Some(Value::Num(mean)) => {
                let mean = self.points(*mean);
                let contribution = match node {
                    Node::Indicator(i) => self
                        .score
                        .and_then(|s| s.contributions.get(i).copied().flatten())
                        .map(|c| format!(" × {weight} = {}", self.points(c)))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                format!(
                    "average of the quarters: {} → {mean} points{contribution}",
                    quarters.join(", ")
                )
            }
            _ => format!(
                "left out: no quarter gave it points ({})",
                quarters.join(", ")
            ),
        };
        self.line(2, &line);
    }

    pub(super) fn bounds(
        &mut self,
        trace: &IndicatorTrace,
        cap: Option<Decimal>,
        floor: Option<Decimal>,
    ) {
        if trace.bounded != trace.raw {
            let why = if cap == Some(trace.bounded) {
                format!("capped at {} points", trace.bounded)
            } else if floor == Some(trace.bounded) {
                format!("raised to the floor of {} points", trace.bounded)
            } else {
                format!("kept within 0–100: {}", trace.bounded.normalize())
            };
            self.line(2, &why);
        }
        if trace.points.normalize() != trace.bounded.normalize() {
            let rounding = self.policy.score_rounding;
            self.line(
                2,
                &format!(
                    "rounded {} to {} → {}",
                    rounding.mode.as_str(),
                    rounding.quantum.normalize(),
                    trace.points
                ),
            );
        }
    }

    pub(super) fn adjustments_and_score(&mut self) {
        let policy = self.policy;
        let Some(score) = self.score else {
            return;
        };
        self.heading("Score");
        let parts: Vec<String> = score
            .contributions
            .iter()
            .flatten()
            .map(|c| self.points(*c))
            .collect();
        if score.included_weight != Decimal::ONE {
            let left_out: Vec<String> = policy
                .indicators
                .iter()
                .zip(&score.contributions)
                .filter(|(_, c)| c.is_none())
                .map(|(i, _)| format!("`{}`", i.name))
                .collect();
            self.line(
                1,
                &format!(
                    "{} left out: the weights of the others add up to {}, so their sum is divided by it",
                    left_out.join(", "),
                    format::percent(score.included_weight)
                ),
            );
            self.line(
                1,
                &format!(
                    "weighted score = ({}) ÷ {} = {}",
                    parts.join(" + "),
                    format::percent(score.included_weight),
                    self.points(score.weighted)
                ),
            );
        } else {
            self.line(
                1,
                &format!(
                    "weighted score = {} = {}",
                    parts.join(" + "),
                    self.points(score.weighted)
                ),
            );
        }
        for (i, adjustment) in policy.adjustments.iter().enumerate() {
            let Some((raw, rounded, points)) = self.adjustments.get(&i).copied() else {
                continue;
            };
            let kind = match adjustment.kind {
                AdjustmentKind::Bonus => "bonus",
                AdjustmentKind::Deduction => "deduction",
            };
            let name = format!(
                "{kind} {}",
                Self::named(&adjustment.name, adjustment.label.as_deref())
            );
            self.formula(1, &name, &adjustment.points, &format::number(raw));
            if rounded != points {
                self.line(2, &format!("capped at {points} points"));
            }
        }
        if !policy.adjustments.is_empty() {
            let caps = policy.caps;
            let capped = |(total, kept): (Decimal, Decimal), cap: Option<Decimal>| match cap {
                Some(c) if total != kept => {
                    format!("{} (capped at {})", self.points(total), c.normalize())
                }
                _ => self.points(kept),
            };
            let signed = |d: Decimal| {
                if d >= Decimal::ZERO {
                    format!("+{}", self.points(d))
                } else {
                    self.points(d)
                }
            };
            let mut line = format!(
                "bonuses +{} − deductions {} = {}",
                capped(score.bonuses, caps.bonuses),
                capped(score.deductions, caps.deductions),
                signed(score.net.0)
            );
            if score.net.0 != score.net.1 {
                let cap = caps.net.unwrap_or_default().normalize();
                let _ = write!(line, ", kept within ±{cap} → {}", signed(score.net.1));
            }
            self.line(1, &line);
        }
        let (low, high) = policy.score_range;
        let mut line = if policy.adjustments.is_empty() {
            format!("final score = {}", self.points(score.raw))
        } else {
            format!(
                "final score = {} {} {} = {}",
                self.points(score.weighted),
                if score.net.1 >= Decimal::ZERO {
                    "+"
                } else {
                    "−"
                },
                self.points(score.net.1.abs()),
                self.points(score.raw)
            )
        };
        let mut shown = score.raw;
        if score.clamped != score.raw {
            let _ = write!(
                line,
                ", kept within {}–{} → {}",
                low.normalize(),
                high.normalize(),
                self.points(score.clamped)
            );
            shown = score.clamped;
        }
        if score.score.normalize() != shown.normalize() {
            let rounding = policy.score_rounding;
            let _ = write!(
                line,
                ", rounded {} to {} → {}",
                rounding.mode.as_str(),
                rounding.quantum.normalize(),
                score.score
            );
        }
        self.line(1, &line);
    }

    pub(super) fn grade(&mut self) {
        let policy = self.policy;
        let Some((by_score, veto, ranked, grade)) = self.grade else {
            return;
        };
        self.heading("Grade");
        let band = |g: u16| policy.grades.get(usize::from(g));
        let score = self.outcome.score.unwrap_or_default();
        if let Some(b) = band(by_score) {
            let range = b
                .scores
                .iter()
                .map(|i| i.describe("score"))
                .collect::<Vec<_>>()
                .join(" or ");
            self.line(
                1,
                &format!(
                    "{} by score: {score} falls in {range}",
                    Self::named(&b.name, b.label.as_deref())
                ),
            );
        }
        if let (Some(v), Some(forced)) = (veto.and_then(|v| policy.vetoes.get(v)), band(grade)) {
            let reason = veto_reason(policy, v);
            self.line(
                1,
                &format!(
                    "{} by veto: {reason}",
                    Self::named(&forced.name, forced.label.as_deref())
                ),
            );
        }
        if let Some(note) = &self.outcome.ranking {
            let group = self
                .outcome
                .group
                .as_deref()
                .map(|g| format!(" in {g}"))
                .unwrap_or_default();
            let line = match (ranked.and_then(band), &note.quota) {
                (Some(to), quota) => format!(
                    "{} after forced ranking: rank {} of {}{group}{}",
                    Self::named(&to.name, to.label.as_deref()),
                    note.rank,
                    note.of,
                    quota
                        .as_deref()
                        .map(|q| format!(", {q}"))
                        .unwrap_or_default()
                ),
                (None, _) if veto.is_some() => format!(
                    "forced ranking: rank {} of {}{group}; a veto's grade is kept, and counts in the quotas",
                    note.rank, note.of
                ),
                (None, _)
                    if self.outcome.final_adjustment.as_ref().is_some_and(|n| {
                        n.target == crate::language::ast::OverrideTarget::Grade
                    }) =>
                {
                    format!(
                        "forced ranking: rank {} of {}{group}; the general manager's grade is kept, and counts in the quotas",
                        note.rank, note.of
                    )
                }
                (None, _) => format!(
                    "forced ranking: rank {} of {}{group}; the quotas hold without moving this grade",
                    note.rank, note.of
                ),
            };
            self.line(1, &line);
        }
        if let Some(note) = &self.outcome.final_adjustment
            && note.target == crate::language::ast::OverrideTarget::Grade
        {
            let after = policy
                .grades
                .iter()
                .find(|g| g.name == note.after)
                .map(|g| Self::named(&g.name, g.label.as_deref()))
                .unwrap_or_else(|| note.after.clone());
            let line = format!(
                "{after} by the general manager's final adjustment (was {}), reason: {}",
                note.before, note.reason
            );
            self.line(1, &line);
        }
    }

    /// The general manager's score, when it replaced the computed one.
    pub(super) fn score_adjustment(&mut self) {
        if let Some(note) = &self.outcome.final_adjustment
            && note.target == crate::language::ast::OverrideTarget::Score
        {
            let line = format!(
                "score {} by the general manager's final adjustment (computed: {}), reason: {}",
                note.after, note.before, note.reason
            );
            self.heading("Final adjustment");
            self.line(1, &line);
        }
    }

    pub(super) fn pay(&mut self) {
        if self.policy.pay.is_empty() {
            return;
        }
        self.heading("Pay");
        for i in 0..self.policy.pay.len() {
            self.pay_item(i);
        }
    }

    pub(super) fn pay_item(&mut self, i: usize) {
        let policy = self.policy;
        let (Some(item), Some((unprorated, raw, amount))) =
            (policy.pay.get(i), self.pay.get(&i).copied())
        else {
            return;
        };
        let currency = policy.currency.as_deref();
        let name = Self::named(&item.name, item.label.as_deref());
        self.formula(
            1,
            &name,
            &item.expr,
            &format::money(unprorated.unwrap_or(raw), currency),
        );
        // A mid-year joiner's pay, prorated: the formula's amount, then the
        // share of the year.
        if let (Some(_), Some(year)) = (unprorated, &self.year) {
            let (present, quarters) = (year.quarters_present, year.quarters.len());
            self.line(
                2,
                &format!(
                    "prorated for {present} of the year's {quarters} quarters: × {present}/{quarters} = {}",
                    format::money(raw, currency)
                ),
            );
        }
        if raw.normalize() != amount.normalize() {
            let rounding = policy.money_rounding;
            self.line(
                2,
                &format!(
                    "rounded {} to {} → {}",
                    rounding.mode.as_str(),
                    rounding.quantum.normalize(),
                    format::money(amount, currency)
                ),
            );
        }
    }

    /// Only what leads to one node: its own lines, or for the score and the
    /// grade their sections.
    pub(super) fn node(mut self, node: Node) -> String {
        match node {
            Node::Input(_) => {}
            Node::Value(i) => self.value(i),
            Node::Indicator(i) => self.indicator(i),
            Node::Adjustment(_) | Node::Score => self.adjustments_and_score(),
            Node::Grade => {
                self.adjustments_and_score();
                self.grade();
            }
            Node::Pay(i) => self.pay_item(i),
        }
        self.out.trim_start_matches('\n').to_string()
    }
}
