//! The policy language: a source text, parsed (`syntax` → `ast`), checked
//! (`check` → `checked`), and the diagnostics it gets. Nothing here runs a
//! policy or reads data.

pub mod ast;
pub mod check;
pub mod checked;
pub mod diagnostic;
pub mod format;
pub mod fuzzy;
pub mod source;
pub mod syntax;
pub mod types;
pub mod value;
