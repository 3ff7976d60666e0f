//! One mistake, one error: the errors that follow from another are folded
//! into it. A grade band written twice (`B` typed where `C` was meant) is
//! reported once, at the band, with "did you mean `C`?" when the policy's
//! tables and quotas name a grade no band defines; the "there is no grade
//! `C`" at each of those uses, and the gap the missing band leaves, become
//! labels of that one error.

use crate::language::ast::{self, Item};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Source;

pub(super) fn fold(source: &Source, policy: &ast::Policy, diags: &mut Vec<Diagnostic>) {
    let Some(grades) = policy.items.iter().find_map(|i| match i {
        Item::Grades(g) => Some(g),
        _ => None,
    }) else {
        return;
    };
    // The bands whose name was written before in the block.
    let repeated: Vec<&ast::Name> = grades
        .bands
        .iter()
        .enumerate()
        .filter(|(i, b)| {
            grades.bands[..*i]
                .iter()
                .any(|o| o.name.text == b.name.text)
        })
        .map(|(_, b)| &b.name)
        .collect();
    let [band] = repeated.as_slice() else {
        return;
    };
    // The grades used but never defined: what the repeated band was meant to be.
    let unknown: Vec<(usize, String)> = diags
        .iter()
        .enumerate()
        .filter(|(_, d)| d.code == Code::UnknownGrade)
        .map(|(i, d)| (i, source.slice(d.primary_span()).to_string()))
        .collect();
    let Some((_, meant)) = unknown.first() else {
        return;
    };
    if unknown.iter().any(|(_, n)| n != meant) {
        return;
    }
    let meant = meant.clone();
    let Some(at) = diags
        .iter()
        .position(|d| d.code == Code::DuplicateName && d.primary_span() == band.span)
    else {
        return;
    };
    let uses: Vec<_> = unknown
        .iter()
        .map(|(i, _)| diags[*i].primary_span())
        .collect();
    let gaps: Vec<usize> = diags
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.code == Code::GradesGap
                && grades.span.start <= d.primary_span().start
                && d.primary_span().end <= grades.span.end
        })
        .map(|(i, _)| i)
        .collect();
    let mut folded = diags[at]
        .clone()
        .help(format!(
            "did you mean `{meant}`? The policy uses grade `{meant}` (marked), but no band defines it"
        ))
        .fix(format!("rename this band to `{meant}`"), band.span, meant.clone());
    for span in &uses {
        folded = folded.label(*span, format!("grade `{meant}` used here"));
    }
    let mut drop: Vec<usize> = unknown.iter().map(|(i, _)| *i).chain(gaps).collect();
    drop.push(at);
    drop.sort_unstable();
    for i in drop.into_iter().rev() {
        diags.remove(i);
    }
    diags.push(folded);
}

#[cfg(test)]
mod tests {
    use crate::language::diagnostic::Code;
    use crate::language::source::Source;

    #[test]
    fn a_band_written_twice_is_one_error_naming_the_grade_meant() {
        let text = "policy \"p\" {\n  period quarter\n  currency CNY\n  input 完成率 percent\n  input 基数 money\n  indicator 业绩 weight 100% {\n    measure 完成率\n    points linear { 0% => 0, 100% => 75, 125% => 100 }\n  }\n  grades {\n    A >= 85\n    B >= 75\n    B >= 65\n    D otherwise\n  }\n  pay 奖金 = 基数 * by grade { A 1.3, B 1.1, C 0.9, D 0.7 }\n  pay 补贴 = by grade { A ¥80, B ¥60, C ¥40, D ¥0 }\n}\n";
        let source = Source::new("p.kpi", text);
        let diagnostics = match crate::compile(&source) {
            Ok(_) => panic!("compiled"),
            Err(d) => d,
        };
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::DuplicateName);
        assert_eq!(source.line_col(d.primary_span().start), (13, 5));
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean `C`?"))
        );
        // Both uses of `C` are marked, and the fix renames the band.
        assert_eq!(
            d.labels
                .iter()
                .filter(|l| l.message == "grade `C` used here")
                .count(),
            2
        );
        assert_eq!(d.fixes[0].edits[0].text, "C");
        assert_eq!(source.slice(d.fixes[0].edits[0].span), "B");
    }
}
