//! No edit breaks the language server: random edits of the bundled
//! policies (text typed, deleted, pasted, at any place, positions past a
//! line's end or inside a surrogate pair included) are sent as incremental
//! changes, each followed by every request an editor makes at a random
//! place. Every request must be answered, none by an internal error (a
//! caught panic), and the server must shut down cleanly.
//!
//! The server runs in memory (`kpi::lsp::serve` over lsp-server's memory
//! connection); tests/lsp.rs drives the real process over stdio.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use proptest::prelude::*;
use serde_json::{Value, json};

const URI: &str = "file:///edited.kpi";

/// What gets typed: keywords, names, punctuation of both widths, a line
/// break, a brace, a quote, an emoji (two UTF-16 units), nothing.
const TYPED: &[&str] = &[
    "",
    "成",
    "😀",
    "\n",
    "}",
    "{",
    "\"",
    "“",
    "weight 5%",
    "by grade {",
    "，",
    "（",
    ")",
    "=>",
    "measure ",
    "indicator x weight 10% {",
    "  ",
    "\t",
    "#",
    "// note\n",
    "A",
    "100%",
    "¥",
    "0",
];

#[derive(Debug, Clone)]
struct Edit {
    line: u32,
    character: u32,
    /// How many UTF-16 units after the start the change ends (same line).
    length: u32,
    text: &'static str,
    /// Where the requests after the edit are made.
    at: (u32, u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        0u32..320,
        0u32..90,
        0u32..12,
        prop::sample::select(TYPED),
        (0u32..320, 0u32..90),
    )
        .prop_map(|(line, character, length, text, at)| Edit {
            line,
            character,
            length,
            text,
            at,
        })
}

struct Client {
    connection: Connection,
    next_id: i32,
}

impl Client {
    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    /// Sends a request and returns its response, skipping the diagnostics
    /// published meanwhile. Fails when the server is gone or silent.
    fn request(&mut self, method: &str, params: Value) -> lsp_server::Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(30))
            {
                Ok(Message::Response(r)) if r.id == id => return r,
                Ok(_) => {}
                Err(e) => panic!("no answer to {method}: {e}"),
            }
        }
    }
}

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn run(policy: &str, edits: &[Edit]) -> Result<(), TestCaseError> {
    let (server, connection) = Connection::memory();
    let thread = std::thread::spawn(move || kpi::lsp::serve(&server));
    let mut client = Client {
        connection,
        next_id: 0,
    };
    client.request("initialize", json!({"capabilities": {}}));
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "kpi", "version": 1, "text": policy}}),
    );
    for (version, e) in edits.iter().enumerate() {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version + 2}, "contentChanges": [{
                "range": {"start": position(e.line, e.character),
                          "end": position(e.line, e.character + e.length)},
                "text": e.text
            }]}),
        );
        let at = json!({"textDocument": {"uri": URI}, "position": position(e.at.0, e.at.1)});
        let range =
            json!({"start": position(e.line, e.character), "end": position(e.at.0, e.at.1)});
        let with = |extra: Value| {
            let mut p = at.clone();
            for (k, v) in extra.as_object().unwrap() {
                p[k] = v.clone();
            }
            p
        };
        let requests = [
            ("textDocument/hover", at.clone()),
            ("textDocument/definition", at.clone()),
            (
                "textDocument/references",
                with(json!({"context": {"includeDeclaration": true}})),
            ),
            ("textDocument/completion", at.clone()),
            ("textDocument/prepareRename", at.clone()),
            ("textDocument/rename", with(json!({"newName": "新名"}))),
            (
                "textDocument/codeAction",
                json!({"textDocument": {"uri": URI}, "range": range, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": URI}}),
            ),
            (
                "textDocument/formatting",
                json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
            ),
        ];
        for (method, params) in requests {
            let response = client.request(method, params);
            if let Some(error) = &response.error {
                prop_assert_ne!(
                    error.code,
                    lsp_server::ErrorCode::InternalError as i32,
                    "{} after {:?}: {}",
                    method,
                    e,
                    error.message
                );
            }
        }
    }
    let shutdown = client.request("shutdown", Value::Null);
    prop_assert!(shutdown.error.is_none());
    client.notify("exit", Value::Null);
    prop_assert!(thread.join().unwrap().is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_break_the_server(
        which in 0..kpi::fuzzing::BUNDLED.len(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        run(kpi::fuzzing::BUNDLED[which], &edits)?;
    }
}
