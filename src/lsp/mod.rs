//! `kpi lsp`: the language server, over stdio. It only speaks the protocol:
//! every answer comes from `ide`, the analysis `kpi check` uses, turned
//! into the protocol's types in `convert`. Documents are kept whole and
//! changed in place (incremental sync); each change is analysed again and
//! its diagnostics published.
//!
//! Built on lsp-server, rust-analyzer's synchronous scaffold: a loop over
//! messages on one thread, no async runtime.

mod convert;

use std::collections::HashMap;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability, CompletionOptions,
    CompletionParams, CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, HoverParams,
    HoverProviderCapability, OneOf, PositionEncodingKind, PrepareRenameResponse,
    PublishDiagnosticsParams, ReferenceParams, RenameOptions, RenameParams, ServerCapabilities,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::ide::{self, LineIndex, PolicyAnalysis};
use crate::language::source::Source;

/// One open document, by its URI's text: its text as the editor has it, and its analysis.
struct Document {
    version: i32,
    analysis: PolicyAnalysis,
    lines: LineIndex,
    /// The outline of the last version that parsed: completion offers its
    /// names while the line being typed breaks the syntax.
    outline: Vec<ide::Symbol>,
}

impl Document {
    fn new(uri: &Uri, version: i32, text: String, before: Option<Document>) -> Document {
        let name = convert::file_name(uri);
        let analysis = ide::analyze(Source::new(name, text));
        let lines = LineIndex::new(analysis.source.text());
        let outline = match &analysis.syntax {
            Some(policy) => ide::outline(policy),
            None => before.map(|d| d.outline).unwrap_or_default(),
        };
        Document {
            version,
            analysis,
            lines,
            outline,
        }
    }

    /// The byte offset of a protocol position.
    fn offset(&self, at: lsp_types::Position) -> usize {
        self.lines.offset(self.text(), convert::position(at))
    }

    fn text(&self) -> &str {
        self.analysis.source.text()
    }
}

/// What the server can do, as the initialize response says it.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".to_string(), "{".to_string()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Runs the server on stdin and stdout until the client says exit.
pub fn run() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    // Dropping the connection ends the writer thread.
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

/// The handshake and the loop, over any connection (tests use memory).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let capabilities = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    connection
        .initialize(capabilities)
        .map_err(|e| e.to_string())?;
    let mut documents: HashMap<String, Document> = HashMap::new();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = respond(&documents, request);
                send(connection, Message::Response(response));
            }
            Message::Notification(note) => {
                if let Some(uri) = apply(&mut documents, note)
                    && let Some(notification) = publish(&documents, &uri)
                {
                    send(connection, Message::Notification(notification));
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) {
    // The client is gone: the loop ends when its messages do.
    let _ = connection.sender.send(message);
}

/// Applies a document notification; the document to publish again, if any.
fn apply(documents: &mut HashMap<String, Document>, note: Notification) -> Option<Uri> {
    match note.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: DidOpenTextDocumentParams = serde_json::from_value(note.params).ok()?;
            let d = p.text_document;
            let before = documents.remove(d.uri.as_str());
            documents.insert(
                d.uri.as_str().to_string(),
                Document::new(&d.uri, d.version, d.text, before),
            );
            Some(d.uri)
        }
        DidChangeTextDocument::METHOD => {
            let p: DidChangeTextDocumentParams = serde_json::from_value(note.params).ok()?;
            let uri = p.text_document.uri;
            let document = documents.get(uri.as_str())?;
            let mut text = document.text().to_string();
            let mut lines = document.lines.clone();
            for change in p.content_changes {
                match change.range {
                    Some(range) => {
                        let start = lines.offset(&text, convert::position(range.start));
                        let end = lines.offset(&text, convert::position(range.end));
                        let (start, end) = (start.min(end), start.max(end));
                        text.replace_range(start..end, &change.text);
                    }
                    None => text = change.text,
                }
                lines = LineIndex::new(&text);
            }
            let before = documents.remove(uri.as_str());
            documents.insert(
                uri.as_str().to_string(),
                Document::new(&uri, p.text_document.version, text, before),
            );
            Some(uri)
        }
        DidCloseTextDocument::METHOD => {
            let p: DidCloseTextDocumentParams = serde_json::from_value(note.params).ok()?;
            documents.remove(p.text_document.uri.as_str());
            None
        }
        _ => None,
    }
}

/// The diagnostics of a document, as a notification.
fn publish(documents: &HashMap<String, Document>, uri: &Uri) -> Option<Notification> {
    let document = documents.get(uri.as_str())?;
    let diagnostics = document
        .analysis
        .diagnostics
        .iter()
        .map(|d| convert::diagnostic(uri, &document.analysis.source, &document.lines, d))
        .collect();
    let params = PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics,
        version: Some(document.version),
    };
    Some(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        params,
    ))
}

/// Answers a request; a request that cannot be answered gets an error,
/// never a crash of the server.
fn respond(documents: &HashMap<String, Document>, request: Request) -> Response {
    let id = request.id.clone();
    let answer =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(documents, request)));
    match answer {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err((code, message))) => Response::new_err(id, code, message),
        Err(_) => Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            "kpi could not answer this request (an internal error)".to_string(),
        ),
    }
}

type Answer = Result<serde_json::Value, (i32, String)>;

fn answer(documents: &HashMap<String, Document>, request: Request) -> Answer {
    let invalid = |e: serde_json::Error| (ErrorCode::InvalidParams as i32, e.to_string());
    let document = |uri: &Uri| {
        documents.get(uri.as_str()).ok_or_else(|| {
            (
                ErrorCode::InvalidParams as i32,
                format!("the document {} is not open", uri.as_str()),
            )
        })
    };
    match request.method.as_str() {
        HoverRequest::METHOD => {
            let p: HoverParams = serde_json::from_value(request.params).map_err(invalid)?;
            let d = document(&p.text_document_position_params.text_document.uri)?;
            let at = d.lines.offset(
                d.text(),
                convert::position(p.text_document_position_params.position),
            );
            let hover = ide::hover(&d.analysis.source, d.analysis.compiled.as_ref(), at)
                .map(|h| convert::hover(d.text(), &d.lines, h));
            json(&hover)
        }
        DocumentSymbolRequest::METHOD => {
            let p: DocumentSymbolParams =
                serde_json::from_value(request.params).map_err(invalid)?;
            let d = document(&p.text_document.uri)?;
            let symbols = d
                .analysis
                .syntax
                .as_ref()
                .map(ide::outline)
                .unwrap_or_default()
                .into_iter()
                .map(|s| convert::symbol(d.text(), &d.lines, s))
                .collect();
            json(&DocumentSymbolResponse::Nested(symbols))
        }
        GotoDefinition::METHOD => {
            let p: GotoDefinitionParams =
                serde_json::from_value(request.params).map_err(invalid)?;
            let TextDocumentPositionParams {
                text_document,
                position,
            } = p.text_document_position_params;
            let d = document(&text_document.uri)?;
            let spans = d
                .analysis
                .names
                .as_ref()
                .map(|n| n.definitions(d.offset(position)))
                .unwrap_or_default();
            let locations = convert::locations(&text_document.uri, d.text(), &d.lines, &spans);
            if locations.is_empty() {
                json(&None::<GotoDefinitionResponse>)
            } else {
                json(&GotoDefinitionResponse::Array(locations))
            }
        }
        References::METHOD => {
            let p: ReferenceParams = serde_json::from_value(request.params).map_err(invalid)?;
            let TextDocumentPositionParams {
                text_document,
                position,
            } = p.text_document_position;
            let d = document(&text_document.uri)?;
            let spans = d
                .analysis
                .names
                .as_ref()
                .map(|n| n.references(d.offset(position), p.context.include_declaration))
                .unwrap_or_default();
            json(&convert::locations(
                &text_document.uri,
                d.text(),
                &d.lines,
                &spans,
            ))
        }
        PrepareRenameRequest::METHOD => {
            let p: TextDocumentPositionParams =
                serde_json::from_value(request.params).map_err(invalid)?;
            let d = document(&p.text_document.uri)?;
            let at = d
                .analysis
                .names
                .as_ref()
                .and_then(|n| n.at(d.offset(p.position)));
            match at {
                Some(o) => json(&PrepareRenameResponse::RangeWithPlaceholder {
                    range: convert::range(d.text(), &d.lines, o.span),
                    placeholder: o.name.clone(),
                }),
                None => Err((
                    ErrorCode::RequestFailed as i32,
                    ide::RenameError::NoName.to_string(),
                )),
            }
        }
        Rename::METHOD => {
            let p: RenameParams = serde_json::from_value(request.params).map_err(invalid)?;
            let TextDocumentPositionParams {
                text_document,
                position,
            } = p.text_document_position;
            let d = document(&text_document.uri)?;
            let Some(names) = &d.analysis.names else {
                return Err((
                    ErrorCode::RequestFailed as i32,
                    "names are not renamed while the policy's syntax has mistakes: fix those first (see the diagnostics)".to_string(),
                ));
            };
            let spans = names
                .rename(d.offset(position), &p.new_name)
                .map_err(|e| (ErrorCode::RequestFailed as i32, e.to_string()))?;
            let edits = spans
                .iter()
                .map(|s| TextEdit::new(convert::range(d.text(), &d.lines, *s), p.new_name.clone()))
                .collect();
            // Keyed by `Uri` as the protocol's type wants (see convert::code_action).
            #[allow(clippy::mutable_key_type)]
            let changes = HashMap::from([(text_document.uri, edits)]);
            json(&WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            })
        }
        Completion::METHOD => {
            let p: CompletionParams = serde_json::from_value(request.params).map_err(invalid)?;
            let TextDocumentPositionParams {
                text_document,
                position,
            } = p.text_document_position;
            let d = document(&text_document.uri)?;
            let items = ide::complete(d.text(), d.offset(position), &d.outline)
                .into_iter()
                .map(convert::completion)
                .collect();
            json(&CompletionResponse::Array(items))
        }
        CodeActionRequest::METHOD => {
            let p: CodeActionParams = serde_json::from_value(request.params).map_err(invalid)?;
            let d = document(&p.text_document.uri)?;
            let (start, end) = (d.offset(p.range.start), d.offset(p.range.end));
            let uri = &p.text_document.uri;
            let actions: Vec<CodeActionOrCommand> = d
                .analysis
                .diagnostics
                .iter()
                .filter(|diag| {
                    let span = diag.primary_span();
                    span.start <= end && start <= span.end
                })
                .flat_map(|diag| {
                    diag.fixes.iter().map(move |fix| {
                        CodeActionOrCommand::CodeAction(convert::code_action(
                            uri,
                            &d.analysis.source,
                            &d.lines,
                            diag,
                            fix,
                        ))
                    })
                })
                .collect();
            json(&actions)
        }
        Formatting::METHOD => {
            let p: DocumentFormattingParams =
                serde_json::from_value(request.params).map_err(invalid)?;
            let d = document(&p.text_document.uri)?;
            match crate::tools::formatter::format(&d.analysis.source) {
                Ok(formatted) if formatted == d.text() => json(&Vec::<TextEdit>::new()),
                Ok(formatted) => {
                    let end = d.lines.position(d.text(), d.text().len());
                    let whole = lsp_types::Range {
                        start: lsp_types::Position::new(0, 0),
                        end: convert::to_position(end),
                    };
                    json(&vec![TextEdit::new(whole, formatted)])
                }
                Err(_) => Err((
                    ErrorCode::RequestFailed as i32,
                    "the policy is not formatted while its syntax has mistakes: fix those first (see the diagnostics)".to_string(),
                )),
            }
        }
        _ => Err((
            ErrorCode::MethodNotFound as i32,
            format!("kpi does not answer `{}`", request.method),
        )),
    }
}

/// An answer as the protocol's JSON.
fn json<T: serde::Serialize>(value: &T) -> Answer {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError as i32, e.to_string()))
}
