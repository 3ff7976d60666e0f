//! Forced ranking (强制排序): within a group, people are ranked by final
//! score (then the policy's tie-breakers, then employee id) and grades are
//! reassigned so that every quota holds, moving as few people as possible.
//!
//! Grades follow rank: nobody gets a better grade than someone ranked above
//! them, except people whose grade a veto forced (they keep it, and count in
//! the quotas). Under that rule the best assignment is found exactly by a
//! dynamic programme over (grade, how many people have a grade at least this
//! good): O(grades × people), with a sliding-window minimum for quotas on a
//! single grade. The checker has made sure every quota covers one grade, the
//! top grades or the bottom grades, which is what makes this exact.

use std::cmp::Ordering;
use std::collections::VecDeque;

use rust_decimal::Decimal;

use crate::company::distribution::headcount;
use crate::language::checked::Quotas;

/// One person of a group, as the ranking sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub score: Decimal,
    /// The tie-breakers' values, in the policy's order (`None`: missing,
    /// which ranks after any value).
    pub ties: Vec<Option<Decimal>>,
    pub id: String,
    /// The grade the score (and any veto) gave.
    pub grade: u16,
    /// A veto forced the grade: it is kept.
    pub fixed: bool,
}

/// A group as the ranking reads it: person `i`'s facts, for `i` below
/// `len()`. A run over a million people keeps them in columns
/// (`crate::batch`), not as a [`Candidate`] each.
pub trait Group {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn score(&self, i: usize) -> Decimal;
    /// The tie-breakers' values, in the policy's order.
    fn ties(&self, i: usize) -> &[Option<Decimal>];
    fn id(&self, i: usize) -> &str;
    fn grade(&self, i: usize) -> u16;
    fn fixed(&self, i: usize) -> bool;
}

impl Group for [Candidate] {
    fn len(&self) -> usize {
        <[Candidate]>::len(self)
    }
    fn score(&self, i: usize) -> Decimal {
        self.get(i).map_or(Decimal::ZERO, |p| p.score)
    }
    fn ties(&self, i: usize) -> &[Option<Decimal>] {
        self.get(i).map_or(&[], |p| &p.ties)
    }
    fn id(&self, i: usize) -> &str {
        self.get(i).map_or("", |p| &p.id)
    }
    fn grade(&self, i: usize) -> u16 {
        self.get(i).map_or(0, |p| p.grade)
    }
    fn fixed(&self, i: usize) -> bool {
        self.get(i).is_some_and(|p| p.fixed)
    }
}

/// Where a person ended up (twelve bytes: a million are kept at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// 1-based rank within the group.
    pub rank: u32,
    pub grade: u16,
    /// When the grade changed, the quota (index into the policy's limits)
    /// that moved the person.
    pub quota: Option<u16>,
}

/// The quotas cannot all hold for this group (for example a `>=` quota on
/// grades that vetoes keep people out of, or half-up rounding in a very
/// small group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Infeasible;

/// Ranks a group and assigns grades. `grades` is the number of grades,
/// best first. Placements are in the order of `people`.
pub fn rank<G: Group + Sync + ?Sized>(
    quotas: &Quotas,
    grades: usize,
    people: &G,
) -> Result<Vec<Placement>, Infeasible> {
    let lower_first: Vec<bool> = quotas
        .ranking
        .as_ref()
        .map_or_else(Vec::new, |r| r.ties.iter().map(|t| t.lower_first).collect());
    let n = people.len();
    // Positions as u32: at ten million people, every byte per person is
    // ten megabytes.
    let Ok(count) = u32::try_from(n) else {
        return Err(Infeasible);
    };
    // Sorted by each score as a whole number of its smallest unit first
    // (a compare of two integers: a million people are some twenty
    // million compares), then in full where two scores are equal. Ids are
    // unique within a run, so the order is total.
    let scores = keys(people, |i| Some(people.score(i)), false);
    let first_tie = keys(
        people,
        |i| people.ties(i).first().copied().flatten(),
        lower_first.first().copied().unwrap_or(false),
    );
    // One integer per person where it can be had (the score and the first
    // tie-breaker, packed), then the id's first eight bytes: the sort then
    // compares integers held side by side, and reads the people's own
    // facts only where both are equal.
    let packed = match (&scores, lower_first.len()) {
        (Some(s), 0) => Some(s.clone()),
        (Some(s), 1) => first_tie.as_ref().and_then(|t| pack(s, t)),
        _ => None,
    };
    let whole = packed.is_some();
    let primary = packed.or(scores);
    drop(first_tie);
    let keyed: Vec<(i64, u64, u32)> = (0..count)
        .map(|i| {
            let key = primary
                .as_ref()
                .and_then(|k| k.get(i as usize).copied())
                .unwrap_or(0);
            (key, id_prefix(people.id(i as usize)), i)
        })
        .collect();
    drop(primary);
    let order_of = |&(ka, pa, a): &(i64, u64, u32), &(kb, pb, b): &(i64, u64, u32)| {
        ka.cmp(&kb).then_with(|| {
            let (a, b) = (a as usize, b as usize);
            if whole {
                pa.cmp(&pb).then_with(|| people.id(a).cmp(people.id(b)))
            } else {
                compare(people, a, b, &lower_first)
            }
        })
    };
    let keyed = sort_on_cores(keyed, &order_of);
    let order: Vec<u32> = keyed.into_iter().map(|(.., i)| i).collect();

    let ranked: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&i| !people.fixed(i as usize))
        .collect();
    let m = ranked.len();
    let mut fixed = vec![0usize; grades];
    for i in (0..n).filter(|&i| people.fixed(i)) {
        if let Some(c) = fixed.get_mut(usize::from(people.grade(i))) {
            *c += 1;
        }
    }

    // Bounds on P_j, the number of ranked people in grades 0..=j, and on
    // the count of grade j alone.
    let mut pos = vec![(0usize, m); grades];
    let mut single = vec![(0usize, m); grades];
    if let Some(last) = pos.last_mut() {
        *last = (m, m);
    }
    let last = grades.saturating_sub(1);
    for limit in &quotas.limits {
        let Some((&lo, &hi)) = limit.grades.first().zip(limit.grades.last()) else {
            continue;
        };
        let (lo, hi) = (usize::from(lo), usize::from(hi));
        let held: usize = limit
            .grades
            .iter()
            .filter_map(|&g| fixed.get(usize::from(g)))
            .sum();
        let bound = headcount(limit.share, n, limit.at_most, quotas.rounding);
        // What the ranked people of the quota's grades may (or must) number.
        let (min, max) = if limit.at_most {
            if held > bound {
                return Err(Infeasible);
            }
            (0, bound - held)
        } else {
            (bound.saturating_sub(held), m)
        };
        if lo == 0 && hi == last {
            if m < min || m > max {
                return Err(Infeasible);
            }
        } else if lo == 0 {
            narrow(&mut pos[hi], min, max);
        } else if hi == last {
            // m − P_{lo−1} in [min, max].
            narrow(
                &mut pos[lo - 1],
                m.saturating_sub(max),
                m.saturating_sub(min),
            );
            if min > m {
                return Err(Infeasible);
            }
        } else {
            narrow(&mut single[lo], min, max);
        }
    }

    // The grade each ranked person's score gave, in rank order.
    let own: Vec<u16> = ranked.iter().map(|&i| people.grade(i as usize)).collect();
    // by_grade[p]: ranked people among the first p whose own grade is j,
    // for the grade j being placed (one row at a time, not one per grade).
    let mut by_grade = vec![0u32; m + 1];

    const INF: i64 = i64::MAX / 4;
    let mut prev = vec![INF; m + 1];
    prev[0] = 0;
    let mut cur = vec![INF; m + 1];
    let mut choice = vec![vec![0u32; m + 1]; grades];
    for j in 0..grades {
        for (p, &g) in own.iter().enumerate() {
            by_grade[p + 1] = by_grade[p] + u32::from(usize::from(g) == j);
        }
        let by_grade = &by_grade;
        let (cmin, cmax) = single[j];
        let (pmin, pmax) = pos[j];
        cur.fill(INF);
        let key = |q: usize| prev[q].saturating_sub(q as i64) + i64::from(by_grade[q]);
        let mut window: VecDeque<usize> = VecDeque::new();
        let mut next_q = 0usize;
        for p in 0..=m {
            // Admit q up to p − cmin.
            while p >= cmin && next_q <= p - cmin {
                if prev[next_q] < INF {
                    let k = key(next_q);
                    while window.back().is_some_and(|&b| key(b) >= k) {
                        window.pop_back();
                    }
                    window.push_back(next_q);
                }
                next_q += 1;
            }
            let lowest = p.saturating_sub(cmax);
            while window.front().is_some_and(|&f| f < lowest) {
                window.pop_front();
            }
            if p < pmin || p > pmax {
                continue;
            }
            if let Some(&q) = window.front() {
                cur[p] = key(q) + p as i64 - i64::from(by_grade[p]);
                choice[j][p] = u32::try_from(q).unwrap_or(u32::MAX);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    if prev[m] >= INF {
        return Err(Infeasible);
    }

    // Walk back: grade j takes ranked positions choice[j][p]..p.
    let mut new_grade = vec![0u16; m];
    let mut p = m;
    for j in (0..grades).rev() {
        let q = choice[j][p] as usize;
        for g in new_grade.iter_mut().take(p).skip(q) {
            *g = u16::try_from(j).unwrap_or(u16::MAX);
        }
        p = q;
    }

    let mut placements: Vec<Placement> = (0..n)
        .map(|i| Placement {
            rank: 0,
            grade: people.grade(i),
            quota: None,
        })
        .collect();
    for (r, &i) in (1..).zip(order.iter()) {
        placements[i as usize].rank = r;
    }
    for (slot, &i) in ranked.iter().enumerate() {
        let i = i as usize;
        let (was, now) = (people.grade(i), new_grade[slot]);
        placements[i].grade = now;
        if was != now {
            placements[i].quota = quotas
                .limits
                .iter()
                .position(|l| {
                    let has = |g: u16| l.grades.contains(&g);
                    (l.at_most && has(was) && !has(now)) || (!l.at_most && has(now) && !has(was))
                })
                .and_then(|q| u16::try_from(q).ok());
        }
    }
    Ok(placements)
}

/// Each person's value (their score, a tie-breaker) as an integer that
/// sorts the way ranking does, best first: the value in units of its finest
/// decimal place, negated when higher is better, and a missing value last.
/// `None` when some value does not fit in 64 bits that way: then the
/// values are compared in full.
fn keys<G: Group + ?Sized>(
    people: &G,
    value: impl Fn(usize) -> Option<Decimal>,
    lower_first: bool,
) -> Option<Vec<i64>> {
    let n = people.len();
    let scale = (0..n)
        .filter_map(|i| value(i).map(|v| v.scale()))
        .max()
        .unwrap_or(0);
    (0..n)
        .map(|i| {
            let Some(v) = value(i) else {
                return Some(i64::MAX);
            };
            let up = 10i64.checked_pow(scale - v.scale())?;
            let units = i64::try_from(v.mantissa()).ok()?.checked_mul(up)?;
            // Kept clear of the missing value's i64::MAX.
            if units == i64::MAX || units == i64::MIN {
                return None;
            }
            Some(if lower_first { units } else { -units })
        })
        .collect()
}

/// Two keys packed into one that sorts as the pair does (`first`, then
/// `second`), or `None` when their ranges do not fit in 64 bits together.
fn pack(first: &[i64], second: &[i64]) -> Option<Vec<i64>> {
    let range = |keys: &[i64]| {
        let lo = keys.iter().copied().min().unwrap_or(0);
        let hi = keys.iter().copied().max().unwrap_or(0);
        (lo, i128::from(hi) - i128::from(lo) + 1)
    };
    let (first_lo, first_span) = range(first);
    let (second_lo, second_span) = range(second);
    if first_span.checked_mul(second_span)? > i128::from(i64::MAX) {
        return None;
    }
    first
        .iter()
        .zip(second)
        .map(|(&a, &b)| {
            let packed = (i128::from(a) - i128::from(first_lo)) * second_span
                + (i128::from(b) - i128::from(second_lo));
            i64::try_from(packed).ok()
        })
        .collect()
}

/// The first eight bytes of an id, as a number that sorts as they do.
fn id_prefix(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

/// Sorts `items` by `order`, a half on each of two threads for a large
/// group (a million people took 0.25 s on one), then merges the halves.
fn sort_on_cores<T: Send + Copy>(
    items: Vec<T>,
    order: &(impl Fn(&T, &T) -> Ordering + Sync),
) -> Vec<T> {
    const ON_ONE: usize = 100_000;
    let mut items = items;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < ON_ONE || cores < 2 {
        items.sort_unstable_by(order);
        return items;
    }
    let half = items.len() / 2;
    let (first, second) = items.split_at_mut(half);
    let apart = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("kpi-rank".to_string())
            .spawn_scoped(scope, move || second.sort_unstable_by(order));
        first.sort_unstable_by(order);
        other.is_ok_and(|t| t.join().is_ok())
    });
    if !apart {
        // No second thread, or it failed: all sorted here.
        items.sort_unstable_by(order);
        return items;
    }
    let (first, second) = items.split_at(half);
    let mut merged = Vec::with_capacity(items.len());
    let (mut a, mut b) = (first.iter().peekable(), second.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if order(y, x) == Ordering::Less => b.next(),
            (Some(_), _) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        merged.extend(next.copied());
    }
    merged
}

fn narrow(range: &mut (usize, usize), min: usize, max: usize) {
    range.0 = range.0.max(min);
    range.1 = range.1.min(max);
}

/// Higher score first; then each tie-breaker (higher first unless the
/// policy says lower first; a missing value last); then employee id.
fn compare<G: Group + ?Sized>(people: &G, a: usize, b: usize, lower_first: &[bool]) -> Ordering {
    people
        .score(b)
        .cmp(&people.score(a))
        .then_with(|| {
            for (i, (x, y)) in people.ties(a).iter().zip(people.ties(b)).enumerate() {
                let order = match (x, y) {
                    (Some(x), Some(y)) if lower_first.get(i).copied().unwrap_or(false) => x.cmp(y),
                    (Some(x), Some(y)) => y.cmp(x),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        })
        .then_with(|| people.id(a).cmp(people.id(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::distribution::headcount;
    use crate::language::checked::{QuotaLimit, Ranking};
    use crate::language::source::Span;
    use HeadcountRounding::{HalfUp, Strict};

    use crate::language::checked::HeadcountRounding;

    fn limit(grades: &[u16], at_most: bool, percent: i64) -> QuotaLimit {
        QuotaLimit {
            grades: grades.to_vec(),
            at_most,
            share: Decimal::new(percent, 2),
            text: String::new(),
            span: Span::default(),
        }
    }

    fn quotas(limits: Vec<QuotaLimit>, rounding: HeadcountRounding) -> Quotas {
        Quotas {
            group_column: None,
            limits,
            rounding,
            ranking: Some(Ranking {
                ties: Vec::new(),
                span: Span::default(),
            }),
            span: Span::default(),
        }
    }

    fn person(i: usize, score: i64, grade: u16, fixed: bool) -> Candidate {
        Candidate {
            score: Decimal::from(score),
            ties: Vec::new(),
            id: format!("E{i:03}"),
            grade,
            fixed,
        }
    }

    #[test]
    fn vetoed_people_can_make_a_group_unrankable() {
        // D <= 20% of 3 allows 0, but a veto has put someone in D.
        let q = quotas(vec![limit(&[3], true, 20)], Strict);
        let people = [
            person(1, 90, 0, false),
            person(2, 80, 1, false),
            person(3, 95, 3, true),
        ];
        assert_eq!(rank(&q, 4, &people[..]), Err(Infeasible));
    }

    /// Small pseudo-random groups: the programme's number of moves equals
    /// the best found by trying every assignment where grades follow rank.
    #[test]
    fn the_fewest_moves_match_an_exhaustive_search() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut moved, mut infeasible) = (0, 0);
        for case in 0..400 {
            let grades = 3 + next(2) as usize;
            let m = 1 + next(8) as usize;
            let last = (grades - 1) as u16;
            // Random quotas on one grade, the top or the bottom grades.
            let mut limits = Vec::new();
            for _ in 0..1 + next(3) {
                let at_most = next(2) == 0;
                let share = 5 + 5 * next(12) as i64;
                let kind = next(3);
                let cut = next(grades as u64) as u16;
                let set: Vec<u16> = match kind {
                    0 => vec![cut],
                    1 => (0..=cut.min(last - 1)).collect(),
                    _ => (cut.max(1)..=last).collect(),
                };
                limits.push(limit(&set, at_most, share));
            }
            let rounding = if next(2) == 0 { Strict } else { HalfUp };
            let q = quotas(limits, rounding);
            // Scores from 100 down; the grade by score falls with the score.
            let mut scores: Vec<i64> = (0..m).map(|_| 50 + next(50) as i64).collect();
            scores.sort_unstable_by(|a, b| b.cmp(a));
            let people: Vec<Candidate> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| {
                    let g = ((100 - s) as usize * grades / 51).min(grades - 1) as u16;
                    person(i, s, g, false)
                })
                .collect();
            let best = exhaustive(&q, grades, &people);
            match rank(&q, grades, people.as_slice()) {
                Ok(placed) => {
                    let moves = placed
                        .iter()
                        .zip(&people)
                        .filter(|(p, c)| p.grade != c.grade)
                        .count();
                    assert_eq!(Some(moves), best, "case {case}");
                    moved += usize::from(moves > 0);
                    let mut counts = vec![0usize; grades];
                    for p in &placed {
                        counts[usize::from(p.grade)] += 1;
                    }
                    for l in &q.limits {
                        let c = crate::company::distribution::check(l, &counts, m, q.rounding);
                        assert!(c.holds, "case {case}: {:?}", l.grades);
                    }
                }
                Err(Infeasible) => {
                    assert_eq!(best, None, "case {case}");
                    infeasible += 1;
                }
            }
        }
        // The cases exercise both moving people and giving up.
        assert!(moved > 100 && infeasible > 10, "{moved} {infeasible}");
    }

    /// Every way to cut the ranked list into grades (best first), keeping
    /// the quotas; the fewest people moved, or `None`.
    fn exhaustive(q: &Quotas, grades: usize, people: &[Candidate]) -> Option<usize> {
        let m = people.len();
        let mut best = None;
        let mut cuts = vec![0usize; grades - 1];
        loop {
            if cuts.windows(2).all(|w| w[0] <= w[1]) {
                let grade_at = |pos: usize| cuts.iter().filter(|&&c| c <= pos).count();
                let mut counts = vec![0usize; grades];
                for pos in 0..m {
                    counts[grade_at(pos)] += 1;
                }
                let ok = q.limits.iter().all(|l| {
                    let actual: usize = l.grades.iter().map(|&g| counts[usize::from(g)]).sum();
                    let bound = headcount(l.share, m, l.at_most, q.rounding);
                    if l.at_most {
                        actual <= bound
                    } else {
                        actual >= bound
                    }
                });
                if ok {
                    let moves = (0..m)
                        .filter(|&pos| grade_at(pos) != usize::from(people[pos].grade))
                        .count();
                    best = Some(best.map_or(moves, |b: usize| b.min(moves)));
                }
            }
            // Next combination of cut positions in 0..=m.
            let mut i = 0;
            loop {
                if i == cuts.len() {
                    return best;
                }
                cuts[i] += 1;
                if cuts[i] <= m {
                    break;
                }
                cuts[i] = 0;
                i += 1;
            }
        }
    }
}
