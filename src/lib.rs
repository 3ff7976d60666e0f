//! kpi: a rules language for KPI appraisal and performance pay.
//!
//! A policy flows one way through the crate:
//! text → [`syntax`] (pest parse tree → spanned [`ast`]) → [`check`]
//! (names, units, weights, grade bands, quotas → [`checked::CheckedPolicy`]) →
//! [`compile`](mod@compile) (flat [`program::Program`]) → [`eval`] (record →
//! [`outcome::Outcome`], optionally traced) → [`batch`] (a whole file; forced
//! [`ranking`] and the quota [`distribution`]; [`year`] rolls quarters up
//! into yearly records for it) → [`explain`] and `report`.
//!
//! ```
//! use kpi::source::Source;
//!
//! let source = Source::new("example.kpi", r#"
//! policy "example" {
//!   period quarter
//!   input 完成率 percent "completion"
//!   indicator 业绩 weight 100% {
//!     measure 完成率
//!     points linear { 0% => 0, 100% => 75, 125% => 100 }
//!   }
//!   grades { A >= 85, B >= 75, C otherwise }
//! }"#);
//! let compiled = kpi::compile(&source).expect("a valid policy");
//! let program = compiled.program;
//! let record = kpi::eval::Record {
//!     id: "E001".into(),
//!     name: None,
//!     group: None,
//!     plan: 0,
//!     final_adjustment: None,
//!     year: None,
//!     inputs: vec![kpi::program::Value::Num("1.125".parse().unwrap())],
//! };
//! let outcome = program.evaluate(&record).expect("evaluates");
//! assert_eq!(outcome.score.unwrap().to_string(), "87.50");
//! assert_eq!(outcome.grade.as_deref(), Some("A"));
//! ```

// The folders. Data flows numbers → language → engine → data → company →
// batch → tools → report, and `ide` is the one analysis of a policy's text
// the command line, the language server and the workbench share: each
// imports only from those before it, which tests/architecture.rs holds the
// crate to (see ARCHITECTURE.md).
pub mod batch;
pub mod company;
pub mod data;
pub mod engine;
pub mod fuzzing;
pub mod i18n;
pub mod ide;
pub mod language;
pub mod lsp;
pub mod numbers;
pub mod report;
pub mod tools;

// The library's paths as they were before the folders: `kpi::ast`,
// `kpi::eval::Record`, ... stay where users found them.
pub use company::{distribution, ranking, year};
pub use engine::{compile, eval, outcome, program, round, scores};
pub use language::{ast, check, checked, diagnostic, format, fuzzy, source, syntax, types};
pub use numbers::decimal;
pub use tools::{analysis, diff, explain, formatter, generate, testing};

use diagnostic::Diagnostic;
use program::Program;
use source::Source;

/// A compiled policy and the warnings its check raised.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub program: Program,
    pub warnings: Vec<Diagnostic>,
}

/// Parses, checks and compiles a policy: the whole front end in one call.
/// On any error, returns every diagnostic found (errors and warnings).
pub fn compile(source: &Source) -> Result<Compiled, Vec<Diagnostic>> {
    with_deep_stack(|| {
        let ast = syntax::parse(source)?;
        compile_parsed(source, &ast)
    })
}

/// Runs `f` with room on the stack for the deepest policy allowed: parsing,
/// checking and compiling walk formulas recursively, up to
/// `syntax::MAX_NESTING` levels, whatever thread calls (a test's thread
/// has 2 MiB). The stack is grown once per call, not looked at per node.
pub(crate) fn with_deep_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(8 * 1024 * 1024, 32 * 1024 * 1024, f)
}

/// Checks and compiles a policy already parsed from `source` (the editor's
/// analysis keeps the syntax tree, so it parses once).
pub fn compile_parsed(source: &Source, ast: &ast::Policy) -> Result<Compiled, Vec<Diagnostic>> {
    with_deep_stack(|| compile_checked(source, ast))
}

fn compile_checked(source: &Source, ast: &ast::Policy) -> Result<Compiled, Vec<Diagnostic>> {
    let checked = check::check(source, ast)?;
    let program = compile::compile(checked.plans).ok_or_else(|| {
        vec![Diagnostic::error(
            diagnostic::Code::Syntax,
            "internal error: the policy has no plan to compile",
        )]
    })?;
    Ok(Compiled {
        program,
        warnings: checked.warnings,
    })
}

/// Checks a policy given as a file's bytes: every diagnostic, errors and
/// warnings, sorted by position (empty when the policy is clean). The
/// analysis behind it is [`ide::analyze_bytes`].
pub fn check_bytes(name: &str, bytes: Vec<u8>) -> (Source, Vec<Diagnostic>) {
    let analyzed = ide::analyze_bytes(name, bytes);
    (analyzed.source, analyzed.diagnostics)
}
