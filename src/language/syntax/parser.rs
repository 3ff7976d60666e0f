//! The pest parser generated from `grammar/policy.pest`.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/policy.pest"]
pub struct PolicyParser;

// Makes edits to the grammar rebuild the crate.
const _GRAMMAR: &str = include_str!("../../../grammar/policy.pest");
