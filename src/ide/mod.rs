//! The one analysis of a policy's text that every surface shares: `kpi
//! check` calls it, and so will the language server and the workbench, so
//! that a mistake reads the same wherever it is shown. It takes a source
//! text and gives plain data (diagnostics with spans, the compiled program,
//! what the policy can pay); it knows nothing of terminals, LSP or HTTP,
//! which each turn this data into their own form.

mod complete;
mod hover;
mod lines;
mod names;
mod outline;

pub use complete::{Completion, CompletionKind, complete};
pub use hover::{FUNCTIONS, Hover, hover, word_at};
pub use lines::{LineIndex, Position};
pub use names::{NameIndex, NameKind, Occurrence, RenameError, is_name};
pub use outline::{Symbol, SymbolKind, outline, symbols};

use crate::Compiled;
use crate::language::ast::Policy;
use crate::language::diagnostic::{self, Diagnostic};
use crate::language::source::Source;
use crate::tools::analysis::{self, Analysis};

/// Everything kpi knows of one policy's text.
#[derive(Debug)]
pub struct PolicyAnalysis {
    pub source: Source,
    /// The syntax tree, when the text parses.
    pub syntax: Option<Policy>,
    /// Where each name is defined and used, when the text parses.
    pub names: Option<NameIndex>,
    /// Every diagnostic, errors and warnings, sorted by position: the
    /// text's, the checker's, and the findings of `kpi analyze` that say
    /// the policy does not do what it means (`Analysis::for_check`).
    pub diagnostics: Vec<Diagnostic>,
    /// The policy compiled, when it has no errors.
    pub compiled: Option<Compiled>,
    /// What the compiled policy can give (bounds, findings), for the line
    /// `kpi check` prints under a clean policy.
    pub analysis: Option<Analysis>,
}

impl PolicyAnalysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Analyses a policy given as a file's bytes (not UTF-8 is a diagnostic).
pub fn analyze_bytes(name: &str, bytes: Vec<u8>) -> PolicyAnalysis {
    let (source, diagnostics) = Source::from_bytes(name, bytes);
    if !diagnostics.is_empty() {
        return PolicyAnalysis::failed(source, diagnostics, None);
    }
    analyze(source)
}

impl PolicyAnalysis {
    fn failed(source: Source, diagnostics: Vec<Diagnostic>, syntax: Option<Policy>) -> Self {
        PolicyAnalysis {
            names: syntax.as_ref().map(NameIndex::new),
            syntax,
            source,
            diagnostics,
            compiled: None,
            analysis: None,
        }
    }
}

/// Parses, checks and compiles `source`, then analyses what it can pay.
pub fn analyze(source: Source) -> PolicyAnalysis {
    crate::with_deep_stack(|| analyze_deep(source))
}

fn analyze_deep(source: Source) -> PolicyAnalysis {
    let syntax = match crate::language::syntax::parse(&source) {
        Ok(syntax) => syntax,
        Err(diagnostics) => return PolicyAnalysis::failed(source, diagnostics, None),
    };
    match crate::compile_parsed(&source, &syntax) {
        Ok(compiled) => {
            let analysis = analysis::analyze(&compiled.program);
            let mut diagnostics = compiled.warnings.clone();
            diagnostics.extend(analysis.for_check.iter().cloned());
            diagnostic::sort(&mut diagnostics);
            PolicyAnalysis {
                names: Some(NameIndex::new(&syntax)),
                syntax: Some(syntax),
                source,
                diagnostics,
                compiled: Some(compiled),
                analysis: Some(analysis),
            }
        }
        Err(diagnostics) => PolicyAnalysis::failed(source, diagnostics, Some(syntax)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "policy \"p\" {\n  period quarter\n  input 完成率 percent\n  indicator 业绩 weight 100% {\n    measure 完成率\n    points linear { 0% => 0, 100% => 75, 125% => 100 }\n  }\n  grades { A >= 85, B otherwise }\n}\n";

    #[test]
    fn a_clean_policy_is_compiled_and_analysed() {
        let a = analyze_bytes("p.kpi", CLEAN.as_bytes().to_vec());
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert!(!a.has_errors());
        assert!(a.compiled.is_some());
        // 125% and above give 100 points: the score lies within 0–100.
        let analysis = a.analysis.unwrap_or_else(|| panic!("analysed"));
        assert_eq!(analysis.plans.len(), 1);
    }

    #[test]
    fn a_broken_policy_gives_its_diagnostics_at_their_spans() {
        let broken = CLEAN.replace("weight 100%", "weight 90%");
        let a = analyze_bytes("p.kpi", broken.into_bytes());
        assert!(a.has_errors());
        assert!(a.compiled.is_none() && a.analysis.is_none());
        let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["kpi::weights::sum"]);
        let span = a.diagnostics[0].primary_span();
        assert_eq!(a.source.slice(span), "90%");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_diagnostic() {
        let a = analyze_bytes("p.kpi", b"policy \"\xFF\" {}".to_vec());
        let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["kpi::syntax::encoding"]);
    }

    /// Applies the fixes offered for the one diagnostic of `broken`, and
    /// analyses the result again: each fix must mend the mistake.
    fn mended(broken: &str) -> Vec<String> {
        let a = analyze_bytes("p.kpi", broken.as_bytes().to_vec());
        assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
        let fixes = &a.diagnostics[0].fixes;
        assert!(!fixes.is_empty(), "{:?}", a.diagnostics[0]);
        fixes
            .iter()
            .map(|fix| {
                let mut text = broken.to_string();
                let mut edits = fix.edits.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for e in edits {
                    text.replace_range(e.span.start..e.span.end, &e.text);
                }
                let again = analyze_bytes("p.kpi", text.clone().into_bytes());
                assert!(
                    again.diagnostics.is_empty(),
                    "{}: {:?}",
                    fix.title,
                    again.diagnostics
                );
                text
            })
            .collect()
    }

    #[test]
    fn the_fixes_offered_mend_their_mistakes() {
        // A misspelt name.
        let fixed = mended(&CLEAN.replace("measure 完成率", "measure 完成律"));
        assert_eq!(fixed, [CLEAN]);
        // Full-width punctuation typed by an input method.
        assert_eq!(mended(&CLEAN.replace("0% => 0,", "0% => ０,")), [CLEAN]);
        // Weights that do not add up: the one indicator's weight set.
        let two = CLEAN.replace(
            "  grades",
            "  indicator 评议 weight 10% {\n    measure 完成率\n    points linear { 0% => 0, 100% => 100 }\n  }\n  grades",
        );
        let fixed = mended(&two);
        assert_eq!(fixed, [two.replacen("weight 100%", "weight 90%", 1)]);
        // An input nothing uses: its line removed.
        let unused = CLEAN.replace("  indicator", "  input 备注 number\n  indicator");
        assert_eq!(mended(&unused), [CLEAN]);
        // A `by grade` table without a grade: added, valued as the last.
        let pay = CLEAN.replace("  grades { A >= 85, B otherwise }\n", "  currency CNY\n  grades { A >= 85, B >= 60, C otherwise }\n  pay 奖金 = by grade { A ¥100, B ¥50 }\n");
        let fixed = mended(&pay);
        assert_eq!(fixed, [pay.replace("B ¥50 }", "B ¥50, C ¥50 }")]);
    }
}
