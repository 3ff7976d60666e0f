//! A data file's header against the policy: each input's column, found by
//! its name, label or alias, and what does not fit, reported before any row.

use super::*;

/// Problems with the header, found before any row is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderError {
    /// Inputs (or the id column) with no column, with a suggestion each.
    pub missing: Vec<MissingColumn>,
    /// Columns that match no input, with the input each may be misspelt from.
    pub unknown: Vec<UnknownColumn>,
    /// Columns named twice.
    pub duplicates: Vec<String>,
    /// Inputs given by two columns (by name and by label or alias), where
    /// only one may count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub two_columns: Vec<TwoColumns>,
}

/// An input two columns of one file give, each by another of its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TwoColumns {
    pub input: String,
    pub columns: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownColumn {
    pub column: String,
    pub did_you_mean: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingColumn {
    /// The input's name, or the id column's.
    pub input: String,
    pub label: Option<String>,
    /// A column with a similar name, if there is one.
    pub did_you_mean: Option<String>,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::i18n::{Arg, text};
        for m in &self.missing {
            write!(
                f,
                "{}",
                text("column-missing", &[("input", Arg::Text(&m.input))])
            )?;
            if let Some(label) = &m.label {
                write!(
                    f,
                    "{}",
                    text("column-missing-label", &[("label", Arg::Text(label))])
                )?;
            }
            if let Some(s) = &m.did_you_mean {
                let column = [("column", Arg::Text(s))];
                write!(f, "{}", text("column-missing-did-you-mean", &column))?;
            }
            writeln!(f)?;
        }
        let unknown: Vec<String> = self
            .unknown
            .iter()
            .map(|u| match &u.did_you_mean {
                Some(s) => format!("`{}` (`{s}`?)", u.column),
                None => format!("`{}`", u.column),
            })
            .collect();
        if !unknown.is_empty() {
            let columns = unknown.join(&text("list-separator", &[]));
            writeln!(
                f,
                "{}",
                text("columns-unused", &[("columns", Arg::Text(&columns))])
            )?;
        }
        for d in &self.duplicates {
            writeln!(f, "{}", text("column-twice", &[("column", Arg::Text(d))]))?;
        }
        for t in &self.two_columns {
            let [a, b] = &t.columns;
            let args = [
                ("a", Arg::Text(a)),
                ("b", Arg::Text(b)),
                ("input", Arg::Text(&t.input)),
            ];
            writeln!(f, "{}", text("columns-both", &args))?;
        }
        Ok(())
    }
}
