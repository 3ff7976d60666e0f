//! The one analysis of a policy's text that every surface shares: `kpi
//! check` calls it, and so will the language server and the workbench, so
//! that a mistake reads the same wherever it is shown. It takes a source
//! text and gives plain data (diagnostics with spans, the compiled program,
//! what the policy can pay); it knows nothing of terminals, LSP or HTTP,
//! which each turn this data into their own form.

mod hover;
mod lines;
mod outline;

pub use hover::{FUNCTIONS, Hover, hover, word_at};
pub use lines::{LineIndex, Position};
pub use outline::{Symbol, SymbolKind, outline, symbols};

use crate::Compiled;
use crate::language::diagnostic::{self, Diagnostic};
use crate::language::source::Source;
use crate::tools::analysis::{self, Analysis};

/// Everything kpi knows of one policy's text.
#[derive(Debug)]
pub struct PolicyAnalysis {
    pub source: Source,
    /// Every diagnostic, errors and warnings, sorted by position: the
    /// text's, the checker's, and the findings of `kpi analyze` that say
    /// the policy does not do what it means (`analysis::is_intent`).
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
        return PolicyAnalysis {
            source,
            diagnostics,
            compiled: None,
            analysis: None,
        };
    }
    analyze(source)
}

/// Parses, checks and compiles `source`, then analyses what it can pay.
pub fn analyze(source: Source) -> PolicyAnalysis {
    match crate::compile(&source) {
        Ok(compiled) => {
            let analysis = analysis::analyze(&compiled.program);
            let mut diagnostics = compiled.warnings.clone();
            diagnostics.extend(
                analysis
                    .findings
                    .iter()
                    .filter(|d| analysis::is_intent(d.code))
                    .cloned(),
            );
            diagnostic::sort(&mut diagnostics);
            PolicyAnalysis {
                source,
                diagnostics,
                compiled: Some(compiled),
                analysis: Some(analysis),
            }
        }
        Err(diagnostics) => PolicyAnalysis {
            source,
            diagnostics,
            compiled: None,
            analysis: None,
        },
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
}
