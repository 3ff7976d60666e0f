//! The language server's re-check after a keystroke: a 5,000-line policy
//! (63 plans of 20 indicators, 50 pay items; benches/large_policy.rs) with
//! one character changed. Target: under 50 ms.
//!
//! - `analyze_after_one_character`: `ide::analyze`, the whole analysis an
//!   edit runs (parse, check, compile, `kpi analyze`'s findings);
//! - `did_change_to_diagnostics`: the server itself, in memory: an
//!   incremental `didChange` sent, its `publishDiagnostics` received.
//!
//! cargo bench --bench lsp

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use divan::{Bencher, black_box};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

#[path = "large_policy.rs"]
mod large_policy;

// The allocator of the `kpi` binary, so that the figures are what an
// editor gets from `kpi lsp`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The 5,000-line policy, and the byte offset of a digit in a points table
/// (`100% => 75` → `100% => 76`): the policy stays clean, so each change
/// runs the whole analysis, the slowest case (a broken one stops earlier).
fn policy() -> (String, usize) {
    let text = large_policy::sized(63, 50);
    assert!(
        text.lines().count() >= 5_000,
        "{} lines",
        text.lines().count()
    );
    let at = text.rfind("100% => 75").unwrap() + "100% => 7".len();
    (text, at)
}

#[divan::bench(sample_count = 20)]
fn analyze_after_one_character(bencher: Bencher) {
    let (text, at) = policy();
    let mut toggle = false;
    bencher.bench_local(|| {
        toggle = !toggle;
        let mut edited = text.clone();
        edited.replace_range(at..at + 1, if toggle { "6" } else { "5" });
        let analysis = kpi::ide::analyze(kpi::source::Source::new("big.kpi", edited));
        black_box(analysis.diagnostics.len())
    });
}

#[divan::bench(sample_count = 20)]
fn did_change_to_diagnostics(bencher: Bencher) {
    let (text, at) = policy();
    let line = text[..at].matches('\n').count();
    let character = text[text[..at].rfind('\n').unwrap() + 1..at]
        .encode_utf16()
        .count();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || kpi::lsp::serve(&server));
    let request = |id: i32, method: &str, params| {
        Message::Request(Request::new(
            RequestId::from(id),
            method.to_string(),
            params,
        ))
    };
    let notify =
        |method: &str, params| Message::Notification(Notification::new(method.to_string(), params));
    client
        .sender
        .send(request(1, "initialize", json!({"capabilities": {}})))
        .unwrap();
    client.receiver.recv().unwrap();
    client
        .sender
        .send(notify("initialized", json!({})))
        .unwrap();
    let uri = "file:///big.kpi";
    client
        .sender
        .send(notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kpi", "version": 1, "text": text}}),
        ))
        .unwrap();
    client.receiver.recv().unwrap();
    let mut version = 1;
    bencher.bench_local(|| {
        version += 1;
        let digit = if version % 2 == 0 { "6" } else { "5" };
        client
            .sender
            .send(notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                    "range": {"start": {"line": line, "character": character},
                              "end": {"line": line, "character": character + 1}},
                    "text": digit
                }]}),
            ))
            .unwrap();
        black_box(client.receiver.recv().unwrap())
    });
    client
        .sender
        .send(request(2, "shutdown", serde_json::Value::Null))
        .unwrap();
    client.receiver.recv().unwrap();
    client
        .sender
        .send(notify("exit", serde_json::Value::Null))
        .unwrap();
    thread.join().unwrap().unwrap();
}
