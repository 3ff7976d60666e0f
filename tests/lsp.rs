//! `kpi lsp` driven as an editor drives it: JSON-RPC over the process's
//! stdin and stdout, on a bundled policy with a mistake typed into it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

struct Server {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            input,
            output: rx,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.output.recv_timeout(Duration::from_secs(20)).unwrap();
            if m["id"] == id {
                return m;
            }
        }
    }

    fn diagnostics(&mut self) -> Value {
        loop {
            let m = self.output.recv_timeout(Duration::from_secs(20)).unwrap();
            if m["method"] == "textDocument/publishDiagnostics" {
                return m["params"]["diagnostics"].clone();
            }
        }
    }
}

const URI: &str = "file:///work/%E5%A4%96%E8%B4%B8.kpi";

#[test]
fn diagnostics_hover_outline_and_formatting_over_stdio() {
    let policy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/foreign_trade_sales.kpi"),
    )
    .unwrap();
    let line = policy
        .lines()
        .position(|l| l.trim() == "measure 成交额 / 成交目标")
        .unwrap() as u32;
    let broken = policy.replacen("measure 成交额 / 成交目标", "measure 成交额 / 成交目表", 1);

    let mut server = Server::start();
    let init = server.request("initialize", json!({"capabilities": {}}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "kpi", "version": 1, "text": broken}}),
    );
    let diagnostics = server.diagnostics();
    let d = &diagnostics[0];
    assert_eq!(d["code"], "kpi::name::unknown", "{diagnostics}");
    // `      measure 成交额 / ` is 20 UTF-16 units (成交额 three of them), and
    // 成交目表 four more.
    assert_eq!(d["range"]["start"], json!({"line": line, "character": 20}));
    assert_eq!(d["range"]["end"], json!({"line": line, "character": 24}));
    assert_eq!(d["severity"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `成交目标`?")
    );

    // The fix, typed as an incremental change of one character.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": line, "character": 23}, "end": {"line": line, "character": 24}},
            "text": "标"
        }]}),
    );
    assert_eq!(server.diagnostics(), json!([]));

    // Hover on the input 成交额 where it is declared.
    let declared = policy
        .lines()
        .position(|l| l.trim_start().starts_with("input 成交额 "))
        .unwrap() as u32;
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": declared, "character": 9}}),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with("**input** `成交额` · money · “deal value”"),
        "{shown}"
    );
    assert_eq!(hover["result"]["range"]["start"]["character"], 8);

    // The outline names the input where it is declared.
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let input = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "成交额")
        .unwrap();
    assert_eq!(input["selectionRange"]["start"]["line"], declared);

    // The bundled policy is formatted already: no edit.
    let edits = server.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits["result"], json!([]));

    let shutdown = server.request("shutdown", Value::Null);
    assert!(shutdown["error"].is_null());
    server.notify("exit", Value::Null);
    let status = server.child.wait().unwrap();
    assert!(status.success());
}
