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
            .env("KPI_LANG", "en")
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

/// The protocol's position of byte `offset` of `text`: its line, and the
/// UTF-16 units before it on that line.
fn position_of(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    json!({"line": line, "character": character})
}

#[test]
fn definition_references_rename_completion_and_quick_fixes_over_stdio() {
    let policy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/foreign_trade_sales.kpi"),
    )
    .unwrap();
    let mut server = Server::start();
    server.request("initialize", json!({"capabilities": {}}));
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "kpi", "version": 1, "text": policy}}),
    );
    assert_eq!(server.diagnostics(), json!([]));

    // 成交目标 is declared once (line 18) and used in the measure of 成交
    // and in six examples.
    let declared = policy.find("input 成交目标").unwrap() + "input ".len();
    let used = policy.find("measure 成交额 / 成交目标").unwrap() + "measure 成交额 / ".len();
    let at =
        |offset| json!({"textDocument": {"uri": URI}, "position": position_of(&policy, offset)});
    let definition = server.request("textDocument/definition", at(used));
    let locations = definition["result"].as_array().unwrap();
    assert_eq!(locations.len(), 1);
    assert_eq!(
        locations[0]["range"]["start"],
        position_of(&policy, declared)
    );
    assert_eq!(
        locations[0]["range"]["end"]["character"], 12,
        "`  input 成交目标`"
    );

    let mut params = at(declared);
    params["context"] = json!({"includeDeclaration": true});
    let references = server.request("textDocument/references", params.clone());
    assert_eq!(references["result"].as_array().unwrap().len(), 8);
    params["context"] = json!({"includeDeclaration": false});
    let references = server.request("textDocument/references", params);
    let uses = references["result"].as_array().unwrap();
    assert_eq!(uses.len(), 7);
    assert_eq!(uses[0]["range"]["start"], position_of(&policy, used));

    // Rename: every one of the eight places, and refused onto a taken name.
    let prepared = server.request("textDocument/prepareRename", at(used));
    assert_eq!(prepared["result"]["placeholder"], "成交目标");
    let mut params = at(used);
    params["newName"] = json!("季度成交目标");
    let rename = server.request("textDocument/rename", params.clone());
    let edits = rename["result"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 8);
    assert!(edits.iter().all(|e| e["newText"] == "季度成交目标"));
    params["newName"] = json!("成交额");
    let refused = server.request("textDocument/rename", params);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already has something named `成交额`"),
        "{refused}"
    );

    // Completion in the measure offers the inputs with their labels.
    let completion = server.request("textDocument/completion", at(used));
    let items = completion["result"].as_array().unwrap();
    let target = items.iter().find(|i| i["label"] == "成交目标").unwrap();
    assert_eq!(target["detail"], "input “quarterly deal target”");
    assert!(items.iter().any(|i| i["label"] == "min"));

    // A misspelt name typed, and its quick fix.
    let broken = policy.replacen("measure 成交额 / 成交目标", "measure 成交额 / 成交目表", 1);
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diagnostics = server.diagnostics();
    assert_eq!(diagnostics[0]["code"], "kpi::name::unknown");
    let range = diagnostics[0]["range"].clone();
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": {"diagnostics": diagnostics}}),
    );
    let action = &actions["result"][0];
    assert_eq!(action["title"], "change to `成交目标`");
    assert_eq!(action["kind"], "quickfix");
    let edit = &action["edit"]["changes"][URI][0];
    assert_eq!(edit["range"], range);
    assert_eq!(edit["newText"], "成交目标");

    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert!(server.child.wait().unwrap().success());
}

#[test]
fn an_emoji_and_chinese_in_a_label_put_the_diagnostic_on_the_right_character() {
    let policy = "policy \"p\" {\n  period quarter\n  input 完成率 percent\n  indicator 业绩 \"🎯 业绩\" weight 90% {\n    measure 完成率\n    points linear { 0% => 0, 100% => 100 }\n  }\n  grades { A >= 85, B otherwise }\n}\n";
    let mut server = Server::start();
    server.request("initialize", json!({"capabilities": {}}));
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///emoji.kpi", "languageId": "kpi", "version": 1, "text": policy}}),
    );
    let diagnostics = server.diagnostics();
    assert_eq!(diagnostics[0]["code"], "kpi::weights::sum", "{diagnostics}");
    // `  indicator 业绩 "🎯 业绩" weight ` is 30 UTF-16 units: 🎯 is two, each
    // Chinese character one (in UTF-8 the line's bytes before `90%` are 40).
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 3, "character": 30})
    );
    assert_eq!(
        diagnostics[0]["range"]["end"],
        json!({"line": 3, "character": 33})
    );
    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert!(server.child.wait().unwrap().success());
}
