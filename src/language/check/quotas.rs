//! The `quotas` block: every quota names known grades and a share, the
//! quotas can hold together for some group, and forced ranking can hold them.

use rust_decimal::Decimal;

use super::scope::Scope;
use crate::language::ast::{self, CmpOp, HeadcountRounding, InputType, Item, QuotaLine};
use crate::language::checked::{CheckedPolicy, Node, QuotaLimit, Quotas, Ranking, TieBreak};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;
use crate::language::types::Ty;

pub(super) fn check(
    policy: &ast::Policy,
    scope: &Scope,
    checked: &CheckedPolicy,
    grade_labels: &[Option<String>],
    diags: &mut Vec<Diagnostic>,
) -> Option<Quotas> {
    let blocks = policy.items.iter().filter_map(|i| match i {
        Item::Quotas(d) => Some(d),
        _ => None,
    });
    let block = super::one_block(blocks, |b| b.span, "quotas", diags)?;
    let grade_names: Vec<String> = checked.grades.iter().map(|g| g.name.clone()).collect();
    if grade_names.is_empty() {
        diags.push(
            Diagnostic::error(
                Code::GradesMissing,
                "quotas limit grades, but this policy has no grades",
            )
            .label(
                super::block_keyword(block.span, "quotas"),
                "quotas on what?",
            )
            .help("add a `grades { … }` block, or remove the quotas"),
        );
        return None;
    }
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut limits = Vec::new();
    let mut rounding: Option<(HeadcountRounding, Span)> = None;
    let mut ranking: Option<Ranking> = None;
    for line in &block.lines {
        match line {
            QuotaLine::Limit(decl) => {
                if let Some(limit) = limit(decl, &grade_names, grade_labels, diags) {
                    limits.push(limit);
                }
            }
            QuotaLine::Rounding { mode, span } => {
                if let Some((_, first)) = rounding {
                    diags.push(line_twice("round headcount", *span, first));
                } else {
                    rounding = Some((*mode, *span));
                }
            }
            QuotaLine::Ranking { ties, span } => {
                if let Some(first) = &ranking {
                    diags.push(line_twice("forced ranking", *span, first.span));
                    continue;
                }
                ranking = Some(Ranking {
                    ties: ties
                        .iter()
                        .filter_map(|t| tie_break(t, scope, checked, diags))
                        .collect(),
                    span: *span,
                });
            }
        }
    }
    if block
        .lines
        .iter()
        .all(|l| !matches!(l, QuotaLine::Limit(_)))
    {
        diags.push(
            Diagnostic::error(Code::QuotaRule, "the quotas block sets no quota")
                .label(super::block_keyword(block.span, "quotas"), "no quota here")
                .help("add quotas such as `S <= 5%` or `C + D >= 30%`, one per line"),
        );
    }
    if let Some(ranking) = &ranking {
        let last = grade_names.len() - 1;
        for limit in &limits {
            let first = usize::from(limit.grades[0]);
            let end = usize::from(limit.grades[limit.grades.len() - 1]);
            let contiguous = end - first + 1 == limit.grades.len();
            if !contiguous || (limit.grades.len() > 1 && first != 0 && end != last) {
                diags.push(
                    Diagnostic::error(
                        Code::QuotaRule,
                        format!("forced ranking cannot hold the quota `{}`", limit.text),
                    )
                    .label(limit.span, "grades in the middle of the scale")
                    .label(ranking.span, "forced ranking is on")
                    .help(format!(
                        "with forced ranking a quota covers one grade, the top grades (`{} + {}`) or the bottom grades (`{} + {}`), so that grades follow rank",
                        grade_names[0],
                        grade_names[1.min(last)],
                        grade_names[last.saturating_sub(1)],
                        grade_names[last]
                    )),
                );
            }
        }
    }
    let fresh_errors = diags.iter().filter(|d| d.is_error()).count() > errors_before;
    if !fresh_errors && let Some(core) = infeasible_core(&limits, grade_names.len()) {
        let mut d = Diagnostic::error(
            Code::QuotaInfeasible,
            "these quotas cannot all hold, whatever the people and their scores",
        );
        for &i in &core {
            d = d.label(limits[i].span, "this quota");
        }
        diags.push(d.help(why_infeasible(&core, &limits)));
    }
    Some(Quotas {
        group_column: block.group.as_ref().map(|g| g.text.clone()),
        limits,
        rounding: rounding.map_or(HeadcountRounding::Strict, |(m, _)| m),
        ranking,
        span: block.span,
    })
}

fn limit(
    decl: &ast::QuotaLimitDecl,
    grade_names: &[String],
    grade_labels: &[Option<String>],
    diags: &mut Vec<Diagnostic>,
) -> Option<QuotaLimit> {
    let ast::QuotaLimitDecl {
        grades,
        op,
        op_span,
        share,
        share_span,
        span,
    } = decl;
    let (op, op_span, share, share_span, span) = (*op, *op_span, *share, *share_span, *span);
    let at_most = match op {
        CmpOp::Le => true,
        CmpOp::Ge => false,
        _ => {
            let (fix, meaning) = match op {
                CmpOp::Lt => ("<=", "at most"),
                CmpOp::Gt => (">=", "at least"),
                _ => ("<= or >=", "at most or at least"),
            };
            diags.push(
                Diagnostic::error(
                    Code::QuotaRule,
                    format!("a quota is a limit: `{}` cannot be one", op.symbol()),
                )
                .label(op_span, "not a limit")
                .help(format!(
                    "write `{fix}`: a quota says {meaning} this share of the group"
                )),
            );
            return None;
        }
    };
    if share > Decimal::ONE {
        diags.push(
            Diagnostic::error(Code::QuotaRule, "a quota cannot be over 100% of the group")
                .label(share_span, "more than everyone")
                .help("write a share between 0% and 100%"),
        );
        return None;
    }
    let mut indexes: Vec<u16> = Vec::new();
    let mut ok = true;
    for g in grades {
        match grade_names.iter().position(|n| *n == g.text) {
            Some(i) => {
                let i = u16::try_from(i).unwrap_or(u16::MAX);
                if indexes.contains(&i) {
                    diags.push(
                        Diagnostic::error(
                            Code::QuotaRule,
                            format!("grade `{}` is counted twice in one quota", g.text),
                        )
                        .label(g.span, "again here")
                        .help("name each grade once: `S + A <= 20%`"),
                    );
                    ok = false;
                }
                indexes.push(i);
            }
            None => {
                diags.push(super::unknown_grade(g, grade_names, grade_labels));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    indexes.sort_unstable();
    let names: Vec<&str> = indexes
        .iter()
        .filter_map(|&i| grade_names.get(usize::from(i)).map(String::as_str))
        .collect();
    let text = format!(
        "{} {} {}%",
        names.join(" + "),
        if at_most { "<=" } else { ">=" },
        (share * Decimal::ONE_HUNDRED).normalize()
    );
    Some(QuotaLimit {
        grades: indexes,
        at_most,
        share,
        text,
        span,
    })
}

fn tie_break(
    tie: &ast::TieKey,
    scope: &Scope,
    checked: &CheckedPolicy,
    diags: &mut Vec<Diagnostic>,
) -> Option<TieBreak> {
    if tie.name.text == checked.id_column {
        // The employee id breaks the last tie anyway.
        return None;
    }
    let Some(symbol) = scope.get(&tie.name.text) else {
        let mut d = Diagnostic::error(
            Code::UnknownName,
            format!(
                "there is no input or indicator `{}` to break ties",
                tie.name.text
            ),
        )
        .label(tie.name.span, "unknown name");
        d = match scope.suggest(&tie.name.text) {
            Some(s) => d.did_you_mean(tie.name.span, s),
            None => d.help(
                "ties are broken by an input, a value or an indicator; the employee id always breaks the last tie",
            ),
        };
        diags.push(d);
        return None;
    };
    let numeric = match symbol.node {
        Node::Input(i) => checked
            .inputs
            .get(i)
            .is_some_and(|x| x.ty != InputType::YesNo),
        Node::Value(i) => checked.values.get(i).is_some_and(|v| v.expr.ty != Ty::Bool),
        Node::Indicator(_) => true,
        _ => false,
    };
    if !numeric {
        diags.push(
            Diagnostic::error(
                Code::QuotaRule,
                format!("ties cannot be broken by `{}`", tie.name.text),
            )
            .label(tie.name.span, format!("this is {}", symbol.kind_words()))
            .help("break ties by a number: an input, a value or an indicator's points, e.g. `ties by 民主评议`"),
        );
        return None;
    }
    Some(TieBreak {
        node: symbol.node,
        name: tie.name.text.clone(),
        lower_first: tie.lower_first,
    })
}

/// Whether the shares can hold together for a large enough group: is there
/// a split of everyone into the grades (fractions ≥ 0 adding up to 1) that
/// keeps every limit? Decided exactly by Fourier–Motzkin elimination, which
/// is quick for the handful of grades a policy has. When they cannot hold,
/// returns a smallest set of limits that already cannot (indexes into
/// `limits`), found by leaving out each limit in turn.
fn infeasible_core(limits: &[QuotaLimit], grades: usize) -> Option<Vec<usize>> {
    let all: Vec<usize> = (0..limits.len()).collect();
    if feasible(limits, &all, grades) {
        return None;
    }
    let mut core = all;
    let mut i = 0;
    while i < core.len() {
        let mut without = core.clone();
        without.remove(i);
        if feasible(limits, &without, grades) {
            i += 1;
        } else {
            core = without;
        }
    }
    Some(core)
}

/// One inequality: Σ coefficient × share ≤ bound.
type Row = (Vec<Decimal>, Decimal);

fn feasible(limits: &[QuotaLimit], chosen: &[usize], grades: usize) -> bool {
    let mut rows: Vec<Row> = Vec::new();
    let unit = |i: usize, c: Decimal| {
        let mut v = vec![Decimal::ZERO; grades];
        v[i] = c;
        v
    };
    for g in 0..grades {
        rows.push((unit(g, Decimal::NEGATIVE_ONE), Decimal::ZERO));
    }
    rows.push((vec![Decimal::ONE; grades], Decimal::ONE));
    rows.push((vec![Decimal::NEGATIVE_ONE; grades], Decimal::NEGATIVE_ONE));
    for &i in chosen {
        let limit = &limits[i];
        let sign = if limit.at_most {
            Decimal::ONE
        } else {
            Decimal::NEGATIVE_ONE
        };
        let mut v = vec![Decimal::ZERO; grades];
        for &g in &limit.grades {
            if let Some(c) = v.get_mut(usize::from(g)) {
                *c = sign;
            }
        }
        rows.push((v, sign * limit.share));
    }
    for var in 0..grades {
        let (mut keep, mut pos, mut neg) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            match row.0[var].cmp(&Decimal::ZERO) {
                std::cmp::Ordering::Greater => pos.push(row),
                std::cmp::Ordering::Less => neg.push(row),
                std::cmp::Ordering::Equal => keep.push(row),
            }
        }
        for (pc, pb) in &pos {
            for (nc, nb) in &neg {
                // Scale both so the variable cancels: |n_var|·p + p_var·n.
                let (a, b) = (-nc[var], pc[var]);
                let combined: Option<Vec<Decimal>> = pc
                    .iter()
                    .zip(nc)
                    .map(|(x, y)| a.checked_mul(*x)?.checked_add(b.checked_mul(*y)?))
                    .collect();
                let bound = a
                    .checked_mul(*pb)
                    .and_then(|x| x.checked_add(b.checked_mul(*nb)?));
                match (combined, bound) {
                    (Some(c), Some(bound)) => keep.push((c, bound)),
                    // Numbers too large to decide: do not claim infeasible.
                    _ => return true,
                }
            }
        }
        if keep.len() > 20_000 {
            return true;
        }
        rows = keep;
    }
    rows.iter().all(|(_, bound)| *bound >= Decimal::ZERO)
}

/// In words, why the limits of an infeasible core cannot all hold.
fn why_infeasible(core: &[usize], limits: &[QuotaLimit]) -> String {
    let picked: Vec<&QuotaLimit> = core.iter().filter_map(|&i| limits.get(i)).collect();
    let pct = |share: Decimal| format!("{}%", (share * Decimal::ONE_HUNDRED).normalize());
    let texts: Vec<String> = picked.iter().map(|l| format!("`{}`", l.text)).collect();
    let disjoint = |a: &QuotaLimit, b: &QuotaLimit| a.grades.iter().all(|g| !b.grades.contains(g));
    match picked.as_slice() {
        [a, b] if !a.at_most && !b.at_most && disjoint(a, b) => format!(
            "{} and {} need at least {} + {} = {} of the group in different grades: lower one of them",
            texts[0],
            texts[1],
            pct(a.share),
            pct(b.share),
            pct(a.share + b.share)
        ),
        [a, b] if a.at_most != b.at_most => {
            let (most, least) = if a.at_most { (a, b) } else { (b, a) };
            format!(
                "`{}` needs at least {} of the group, but `{}` allows at most {}: lower the first or raise the second",
                least.text,
                pct(least.share),
                most.text,
                pct(most.share)
            )
        }
        [single] if single.at_most => format!(
            "`{}` allows nobody in grades that everyone else is kept out of: raise it",
            single.text
        ),
        _ => format!(
            "{} cannot hold together for any group: loosen one of them",
            texts.join(", ")
        ),
    }
}

fn line_twice(what: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::error(Code::QuotaRule, format!("`{what}` is given twice"))
        .label(again, "given again here")
        .label(first, "first given here")
        .help(format!("keep one `{what}` line"))
}
