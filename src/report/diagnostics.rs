//! Diagnostics for machines: JSON, GitHub Actions workflow commands, and
//! SARIF 2.1.0 for code-scanning tools. Positions are one-based lines and
//! columns counted in characters (Unicode code points), so a Chinese name
//! is one column per character.

use serde::Serialize;
use serde_json::json;

use crate::language::diagnostic::{Code, Diagnostic, Severity};
use crate::language::source::{Source, Span};

/// The diagnostics of one file.
#[derive(Debug, Clone, Copy)]
pub struct FileDiagnostics<'a> {
    pub source: &'a Source,
    pub diagnostics: &'a [Diagnostic],
}

/// A span as lines and columns.
#[derive(Debug, Clone, Copy, Serialize)]
struct Region {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn region(source: &Source, span: Span) -> Region {
    let (line, column) = source.line_col(span.start);
    let (end_line, end_column) = source.line_col(span.end);
    Region {
        line,
        column,
        end_line,
        end_column,
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    region: Region,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    #[serde(flatten)]
    region: Region,
}

/// A JSON array: one object per diagnostic with its code, severity, message,
/// file, line, column, end line and column, labels and help.
pub fn json(files: &[FileDiagnostics<'_>]) -> String {
    let all: Vec<JsonDiagnostic<'_>> = files
        .iter()
        .flat_map(|f| {
            f.diagnostics.iter().map(|d| JsonDiagnostic {
                file: f.source.name(),
                code: d.code.as_str(),
                severity: d.severity,
                message: &d.message,
                region: region(f.source, d.primary_span()),
                labels: d
                    .labels
                    .iter()
                    .map(|l| JsonLabel {
                        message: &l.message,
                        region: region(f.source, l.span),
                    })
                    .collect(),
                help: d.help.as_deref(),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// GitHub Actions workflow commands, one line per diagnostic, so that each
/// mistake is shown on the pull request's line:
/// `::error file=policies/a.kpi,line=12,col=3,endLine=12,endColumn=9,title=kpi::weights::sum::…`
pub fn github(files: &[FileDiagnostics<'_>]) -> String {
    let mut out = String::new();
    for f in files {
        for d in f.diagnostics {
            let r = region(f.source, d.primary_span());
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!(
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(f.source.name()),
                r.line,
                r.column,
                r.end_line,
                r.end_column,
                escape_property(d.code.as_str()),
                escape_data(&message)
            ));
        }
    }
    out
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run of kpi, listing every diagnostic code as
/// a rule and every diagnostic as a result.
pub fn sarif(files: &[FileDiagnostics<'_>]) -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.description() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| {
            f.diagnostics.iter().map(|d| {
                let r = region(f.source, d.primary_span());
                let mut text = d.message.clone();
                if let Some(help) = &d.help {
                    text.push_str("\nhelp: ");
                    text.push_str(help);
                }
                let related: Vec<serde_json::Value> = d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let r = region(f.source, l.span);
                        json!({
                            "id": i,
                            "message": { "text": l.message },
                            "physicalLocation": physical(f.source.name(), r),
                        })
                    })
                    .collect();
                json!({
                    "ruleId": d.code.as_str(),
                    "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                    "level": match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    "message": { "text": text },
                    "locations": [{ "physicalLocation": physical(f.source.name(), r) }],
                    "relatedLocations": related,
                })
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kpi",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut log = log;
    if let (Some(base), Some(run)) = (base_uri(), log["runs"].get_mut(0)) {
        run["originalUriBaseIds"] = base;
    }
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// The characters a URI path keeps as they are (RFC 3986: unreserved,
/// `/` between segments); everything else, a space, `%`, `#`, a line
/// break, Chinese, is percent-encoded as its UTF-8 bytes.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The base the relative file names of a SARIF log are resolved against:
/// the folder kpi ran in, as SARIF's `originalUriBaseIds` recommends.
const BASE: &str = "SRCROOT";

/// A file name as a SARIF artifact location: a relative name as a
/// percent-encoded relative reference against [`BASE`], an absolute one as
/// a `file:` URI.
fn artifact_location(file: &str) -> serde_json::Value {
    let slashed = file.replace('\\', "/");
    let encoded = percent_encoding::utf8_percent_encode(&slashed, PATH).to_string();
    match absolute(&slashed) {
        Some(rooted) => {
            let rooted = percent_encoding::utf8_percent_encode(&rooted, PATH).to_string();
            json!({ "uri": format!("file://{rooted}") })
        }
        None => json!({ "uri": encoded, "uriBaseId": BASE }),
    }
}

/// `path` from the root, with a leading `/` (`C:/x` becomes `/C:/x`), if it
/// is absolute.
fn absolute(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return Some(path.to_string());
    }
    let bytes = path.as_bytes();
    let drive =
        bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    drive.then(|| format!("/{path}"))
}

/// The `originalUriBaseIds` entry for [`BASE`]: the current folder as a
/// `file:` URI ending in `/`.
fn base_uri() -> Option<serde_json::Value> {
    let folder = std::env::current_dir().ok()?;
    let folder = folder.to_str()?.replace('\\', "/");
    let rooted = absolute(&folder)?;
    let mut uri = format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&rooted, PATH)
    );
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(json!({ BASE: { "uri": uri } }))
}

fn physical(file: &str, r: Region) -> serde_json::Value {
    json!({
        "artifactLocation": artifact_location(file),
        "region": {
            "startLine": r.line,
            "startColumn": r.column,
            "endLine": r.end_line,
            "endColumn": r.end_column,
        }
    })
}
