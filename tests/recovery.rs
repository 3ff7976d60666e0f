//! Syntax recovery by property: one brace, quote or character deleted or
//! typed anywhere in a bundled policy gives syntax errors only near the
//! edit: never on a line that is fine, further away, except the error of a
//! block left open, which points at the `{` that opened it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

/// How far (in lines) from the edit an error may be and still be its own.
const NEAR: usize = 3;

const TYPED: &[&str] = &[
    "{", "}", "\"", "“", "(", ")", "x", "成", " ", "\n", "%", ",", "=",
];

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn one_edit_gives_syntax_errors_only_near_it(
        which in 0..kpi::fuzzing::BUNDLED.len(),
        at in any::<prop::sample::Index>(),
        delete in any::<bool>(),
        typed in prop::sample::select(TYPED),
    ) {
        let original = kpi::fuzzing::BUNDLED[which];
        let boundaries: Vec<usize> = original.char_indices().map(|(i, _)| i).collect();
        let offset = boundaries[at.index(boundaries.len())];
        let mut text = original.to_string();
        if delete {
            let c = text[offset..].chars().next().unwrap();
            text.replace_range(offset..offset + c.len_utf8(), "");
        } else {
            text.insert_str(offset, typed);
        }
        let (source, diagnostics) = kpi::check_bytes("edited.kpi", text.clone().into_bytes());
        let syntax = diagnostics.iter().any(|d| d.code.as_str().starts_with("kpi::syntax"));
        if syntax {
            let edit_line = line_of(&text, offset);
            for d in diagnostics.iter().filter(|d| d.is_error()) {
                let line = line_of(source.text(), d.primary_span().start);
                let opener = d.message.contains("is never closed")
                    || d.message.contains("the file ends before");
                prop_assert!(
                    opener || line.abs_diff(edit_line) <= NEAR,
                    "edit at line {} ({}), error at line {}: {} ({})\n{}",
                    edit_line + 1,
                    if delete { "deleted".to_string() } else { format!("typed {typed:?}") },
                    line + 1,
                    d.message,
                    d.code.as_str(),
                    source.text().lines().nth(line).unwrap_or("")
                );
            }
        }
    }
}
