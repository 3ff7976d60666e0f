// Starts `kpi lsp` for .kpi files: every diagnostic, hover, completion and
// fix comes from the server, so the extension only connects the two.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("kpi").get("path", "kpi");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "kpi",
    "kpi",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "kpi" }, { scheme: "untitled", language: "kpi" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
