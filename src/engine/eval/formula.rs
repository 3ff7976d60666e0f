//! Evaluating one formula of a compiled step: its operations over the
//! record's slots, the tables (steps, linear), functions and conditions.
//! Generic over the tracer, so that bulk evaluation compiles tracing away.

use super::*;

/// A formula's value, or its first fault.
#[inline]
pub(super) fn eval<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<Slot> {
    let mut pending = None;
    let v = value(op, slots, t, &mut pending);
    pending.map_or(Ok(v), Err)
}

/// A number-valued formula's value, or its first fault.
#[inline]
pub(super) fn eval_number<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<Num> {
    let mut pending = None;
    let n = operand(op, slots, t, &mut pending);
    pending.map_or(Ok(n), Err)
}

/// Whether a yes/no formula holds, or its first fault.
#[inline]
pub(super) fn eval_truth<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<bool> {
    let mut pending = None;
    let holds = truth(op, slots, t, &mut pending);
    pending.map_or(Ok(holds), Err)
}

/// A formula of any type: numbers and yes/no go to their own walks; what
/// is left here is what may be of any type (a constant, a slot, a branch,
/// `first_of`, a by-grade table).
pub(super) fn value<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Slot {
    match op {
        Op::Const(v) => *v,
        Op::Slot(i) => match get(slots, *i) {
            Slot::Missing => {
                fail(p, Fault::missing_in(*i));
                Slot::Missing
            }
            v => v,
        },
        Op::Not(_) | Op::Cmp(..) | Op::And(_) | Op::Or(_) => Slot::Bool(truth(op, slots, t, p)),
        Op::If(parts, span) => value(branch(parts, *span, slots, t, p), slots, t, p),
        Op::FirstOf(args, span) => first_of(args, *span, slots, t, p),
        Op::ByGrade(slot, values) => match values.get(grade_in(slots, *slot)) {
            Some(v) => value(v, slots, t, p),
            None => Slot::Num(Num::ZERO),
        },
        Op::Neg(_)
        | Op::Arith(..)
        | Op::Min(_)
        | Op::Max(_)
        | Op::Clamp(..)
        | Op::Abs(_)
        | Op::Average(..)
        | Op::FullMarks(..)
        | Op::Linear(_)
        | Op::Steps(_) => Slot::Num(number(op, slots, t, p)),
    }
}

/// A formula the checker typed as a number.
pub(super) fn number<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    // Constants and slots are read in place: copying the whole `Value` out
    // first costs a stalled load on every read.
    match op {
        Op::Const(Slot::Num(n)) => *n,
        Op::Const(_) => Num::ZERO,
        Op::Slot(i) => match slots.get(*i) {
            Some(Slot::Num(n)) => *n,
            Some(Slot::Missing) => fail(p, Fault::missing_in(*i)),
            Some(Slot::Bool(_) | Slot::Grade(_)) | None => Num::ZERO,
        },
        Op::Neg(x) => -operand(x, slots, t, p),
        Op::Arith(a, operands, span) => {
            let [l, r] = &**operands;
            let l = operand(l, slots, t, p);
            let r = operand(r, slots, t, p);
            let result = match a {
                ArithOp::Add => l.checked_add(r),
                ArithOp::Sub => l.checked_sub(r),
                ArithOp::Mul => l.checked_mul(r),
                ArithOp::Div if r.is_zero() => {
                    return fail(p, Fault::new(FaultKind::DivisionByZero, *span));
                }
                ArithOp::Div => l.checked_div(r),
            };
            match result {
                Some(n) => n,
                None => fail(p, Fault::new(FaultKind::Overflow, *span)),
            }
        }
        Op::Min(args) => extreme(args, true, slots, t, p),
        Op::Max(args) => extreme(args, false, slots, t, p),
        Op::Clamp(parts, span) => clamp(parts, *span, slots, t, p),
        Op::Abs(x) => operand(x, slots, t, p).abs(),
        Op::Average(args, trimmed, span) => average(args, *trimmed, *span, slots, t, p),
        Op::FullMarks(x, span) => match operand(x, slots, t, p).checked_mul(Num::ONE_HUNDRED) {
            Some(n) => n,
            None => fail(p, Fault::new(FaultKind::Overflow, *span)),
        },
        Op::Linear(table) => linear(table, slots, t, p),
        Op::Steps(table) => steps(table, slots, t, p),
        Op::If(parts, span) => number(branch(parts, *span, slots, t, p), slots, t, p),
        Op::ByGrade(slot, values) => match values.get(grade_in(slots, *slot)) {
            Some(v) => number(v, slots, t, p),
            None => Num::ZERO,
        },
        Op::FirstOf(..) | Op::Not(_) | Op::Cmp(..) | Op::And(_) | Op::Or(_) => {
            num(value(op, slots, t, p))
        }
    }
}

/// An operand: a constant or a slot read here, anything else walked. Most
/// operands are leaves, and a call of [`number`] for each costs more than
/// the read itself (its frame is large, for the operations it holds).
#[inline(always)]
pub(super) fn operand<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    match op {
        Op::Const(Slot::Num(n)) => *n,
        Op::Slot(i) => match slots.get(*i) {
            Some(Slot::Num(n)) => *n,
            _ => number(op, slots, t, p),
        },
        _ => number(op, slots, t, p),
    }
}

/// [`operand`] for a value of any type.
#[inline(always)]
pub(super) fn leaf_value<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Slot {
    match op {
        Op::Const(v) => *v,
        Op::Slot(i) => match slots.get(*i) {
            Some(v) if !matches!(v, Slot::Missing) => *v,
            _ => value(op, slots, t, p),
        },
        _ => value(op, slots, t, p),
    }
}

/// The least (`min`) or the greatest of the arguments.
#[inline(never)]
pub(super) fn extreme<T: Tracer>(
    args: &[Op],
    min: bool,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    let mut best: Option<Num> = None;
    for arg in args {
        let v = operand(arg, slots, t, p);
        best = Some(match best {
            None => v,
            Some(b) if min => least(b, v),
            Some(b) => greatest(b, v),
        });
    }
    best.unwrap_or_default()
}

/// `clamp(x, lo, hi)`: a fault if the bounds are crossed.
#[inline(never)]
pub(super) fn clamp<T: Tracer>(
    parts: &[Op; 3],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    let [x, lo, hi] = parts;
    let x = number(x, slots, t, p);
    let lo = number(lo, slots, t, p);
    let hi = number(hi, slots, t, p);
    if order(lo, hi).is_gt() {
        return fail(p, Fault::new(FaultKind::ClampOrder, span));
    }
    within(x, lo, hi)
}

/// A formula the checker typed as yes/no.
pub(super) fn truth<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> bool {
    match op {
        Op::Not(x) => !truth(x, slots, t, p),
        Op::Cmp(c, operands) => {
            let [l, r] = &**operands;
            match (leaf_value(l, slots, t, p), leaf_value(r, slots, t, p)) {
                (Slot::Num(a), Slot::Num(b)) => compare(*c, a, b),
                (a, b) => match c {
                    CmpOp::Eq => a.same(b),
                    CmpOp::Ne => !a.same(b),
                    _ => false,
                },
            }
        }
        Op::And(operands) => {
            let [l, r] = &**operands;
            truth(l, slots, t, p) && truth(r, slots, t, p)
        }
        Op::Or(operands) => {
            let [l, r] = &**operands;
            truth(l, slots, t, p) || truth(r, slots, t, p)
        }
        Op::If(parts, span) => truth(branch(parts, *span, slots, t, p), slots, t, p),
        _ => matches!(value(op, slots, t, p), Slot::Bool(true)),
    }
}

/// The branch of an `if` its condition takes.
pub(super) fn branch<'a, T: Tracer>(
    parts: &'a [Op; 3],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> &'a Op {
    let [condition, then, otherwise] = parts;
    let taken = truth(condition, slots, t, p);
    note(t, p, || Event::Branch { span, taken });
    if taken { then } else { otherwise }
}

/// The grade in `slot`, as an index into a by-grade table.
#[inline]
pub(super) fn grade_in(slots: &[Slot], slot: usize) -> usize {
    match get(slots, slot) {
        Slot::Grade(g) => usize::from(g),
        _ => 0,
    }
}

/// The first argument present.
#[inline(never)]
pub(super) fn first_of<T: Tracer>(
    args: &[Op],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Slot {
    // After a fault nothing more counts, not even a trace of what follows.
    if p.is_some() {
        return Slot::Missing;
    }
    // Each argument is walked on its own (`eval`), to see whether it alone
    // is missing.
    let mut missing = Fault::new(FaultKind::MissingValue, span);
    for arg in args {
        match eval(arg, slots, t) {
            Ok(v) => return v,
            Err(f) if f.missing() => missing = f,
            Err(f) => {
                fail(p, f);
                return Slot::Missing;
            }
        }
    }
    fail(p, missing);
    Slot::Missing
}

/// The mean of the arguments present (a missing one is skipped); trimmed:
/// without the highest and the lowest when at least three are present.
#[inline(never)]
pub(super) fn average<T: Tracer>(
    args: &[Op],
    trimmed: bool,
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    // As in `first_of`: nothing counts after a fault, and each argument is
    // walked on its own.
    if p.is_some() {
        return Num::ZERO;
    }
    let mut present = Vec::with_capacity(args.len());
    let mut missing = None;
    for arg in args {
        match eval_number(arg, slots, t) {
            Ok(v) => present.push(Decimal::from(v)),
            Err(f) if f.missing() => missing = Some(f),
            Err(f) => return fail(p, f),
        }
    }
    if present.is_empty() {
        return fail(
            p,
            missing.unwrap_or(Fault::new(FaultKind::MissingValue, span)),
        );
    }
    if trimmed && present.len() >= 3 {
        present.sort_unstable();
        present.pop();
        present.remove(0);
    }
    let mut sum = Decimal::ZERO;
    for v in &present {
        match sum.checked_add(*v) {
            Some(s) => sum = s,
            None => return fail(p, Fault::new(FaultKind::Overflow, span)),
        }
    }
    match sum.checked_div(Decimal::from(present.len())) {
        Some(mean) => mean.into(),
        None => fail(p, Fault::new(FaultKind::Overflow, span)),
    }
}

#[inline]
pub(super) fn compare(op: CmpOp, a: Num, b: Num) -> bool {
    let o = order(a, b);
    match op {
        CmpOp::Eq => o.is_eq(),
        CmpOp::Ne => o.is_ne(),
        CmpOp::Lt => o.is_lt(),
        CmpOp::Le => o.is_le(),
        CmpOp::Gt => o.is_gt(),
        CmpOp::Ge => o.is_ge(),
    }
}

#[inline(never)]
pub(super) fn steps<T: Tracer>(
    table: &StepsTable,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    let subject = operand(&table.subject, slots, t, p);
    for (index, (op, threshold, value)) in table.bands.iter().enumerate() {
        let threshold = operand(threshold, slots, t, p);
        if compare(*op, subject, threshold) {
            let value = operand(value, slots, t, p);
            note(t, p, || Event::Table {
                span: table.span,
                choice: TableChoice::Band {
                    index,
                    subject: subject.into(),
                    threshold: threshold.into(),
                    value: value.into(),
                },
            });
            return value;
        }
    }
    match &table.otherwise {
        Some(value) => {
            let value = operand(value, slots, t, p);
            note(t, p, || Event::Table {
                span: table.span,
                choice: TableChoice::Otherwise {
                    subject: subject.into(),
                    value: value.into(),
                },
            });
            value
        }
        None => fail(p, Fault::new(FaultKind::NoBand, table.span)),
    }
}

#[inline(never)]
pub(super) fn linear<T: Tracer>(
    table: &LinearTable,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    let subject = operand(&table.subject, slots, t, p);
    let fault = |kind| Fault::new(kind, table.span);
    let evaluated;
    let points: &[(Num, Num)] = match &table.constant {
        Some(points) => points,
        None => {
            let mut points = Vec::with_capacity(table.at.len());
            for (at, value) in table.at.iter().zip(&table.values) {
                let at = number(at, slots, t, p);
                let value = number(value, slots, t, p);
                if points
                    .last()
                    .is_some_and(|(prev, _)| order(at, *prev).is_le())
                {
                    return fail(p, fault(FaultKind::LinearOrder));
                }
                points.push((at, value));
            }
            evaluated = points;
            &evaluated
        }
    };
    let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
        return fail(p, fault(FaultKind::LinearOrder));
    };
    if order(subject, first.0).is_le() {
        note(t, p, || Event::Table {
            span: table.span,
            choice: TableChoice::Below {
                subject: subject.into(),
                at: first.0.into(),
                value: first.1.into(),
            },
        });
        return first.1;
    }
    if order(subject, last.0).is_ge() {
        note(t, p, || Event::Table {
            span: table.span,
            choice: TableChoice::Above {
                subject: subject.into(),
                at: last.0.into(),
                value: last.1.into(),
            },
        });
        return last.1;
    }
    // The segment holding the subject: the first point above it and the one before.
    let upper = points.partition_point(|(at, _)| order(*at, subject).is_le());
    let (Some(&from), Some(&to)) = (points.get(upper.wrapping_sub(1)), points.get(upper)) else {
        return fail(p, fault(FaultKind::LinearOrder));
    };
    // y0 + (x - x0) × (y1 - y0) / (x1 - x0): multiply before dividing, so
    // that exact results stay exact.
    let value = subject.checked_sub(from.0).and_then(|dx| {
        let dy = to.1.checked_sub(from.1)?;
        let width = to.0.checked_sub(from.0)?;
        from.1.checked_add(dx.checked_mul(dy)?.checked_div(width)?)
    });
    let Some(value) = value else {
        return fail(p, fault(FaultKind::Overflow));
    };
    note(t, p, || Event::Table {
        span: table.span,
        choice: TableChoice::Between {
            segment: upper.saturating_sub(1),
            subject: subject.into(),
            from: (from.0.into(), from.1.into()),
            to: (to.0.into(), to.1.into()),
            value: value.into(),
        },
    });
    value
}
