//! `gwlint server`: a Language Server Protocol server over standard input and output.
//!
//! The server is a client of the library like the command line: it lints the workspace folder
//! as `gwlint check` would (its configuration, kustomize, Flux), with open buffers standing for
//! their files, and answers navigation from the graph of the last complete run.
//!
//! One thread reads the protocol and answers every request at once from the last snapshot;
//! lints run on a thread of their own (and rayon's pool), started when edits have been quiet for
//! the debounce delay, so a request never waits for a lint. Each lint reuses the load and model
//! stages of the files whose content did not change (`crate::incremental`). A lint hands its
//! findings (and the caches: the next lint may start) to this thread as soon as they are known,
//! then indexes its graph for navigation; a navigation request waits briefly for the index of
//! the findings last published, else answers from the last index.

mod actions;
mod diagnostics;
mod position;
mod requests;
pub mod uri;
mod workspace;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, OneOf, PublishDiagnosticsParams, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use crate::Options;
use crate::graph::nav::Nav;
pub use position::Encoding;
use workspace::{Caches, Settings, Snapshot};

/// Quiet time after an edit before the workspace is linted again: typing does not start a lint
/// per keystroke, and a lint of 3,000 files takes a few tens of milliseconds.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// A request that makes the handler panic, so tests (and anyone doubting it) can see a panic
/// answered as an error while the server keeps running.
pub const PANIC_REQUEST: &str = "gwlint/panic";

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves the protocol on standard input and output until the client exits.
pub fn run_stdio() -> Result<(), Error> {
    let (conn, io) = Connection::stdio();
    serve(conn)?;
    io.join()?;
    Ok(())
}

/// What a lint thread hands back: the snapshot and the caches as soon as the findings are
/// known (the next lint may start), then the navigation index of the snapshot.
enum Built {
    Findings {
        /// The lint's number, which its index comes with.
        seq: u64,
        snap: Box<Snapshot>,
        caches: Box<Caches>,
        generation: u64,
    },
    /// The lint panicked before its findings were known.
    Failed,
    /// None when indexing panicked.
    Nav { seq: u64, nav: Option<Nav> },
}

/// How long a navigation request waits for the index of the findings just published before it
/// answers from the last complete one (indexing takes milliseconds).
const NAV_WAIT: Duration = Duration::from_secs(2);

struct Server {
    sender: Sender<Message>,
    enc: Encoding,
    can_create: bool,
    root: PathBuf,
    settings: Settings,
    opts: Arc<Options>,
    /// `None` while a lint thread holds them.
    caches: Option<Caches>,
    /// Bumped when the configuration changes: a cache built under an older one is dropped.
    generation: u64,
    open: crate::overlay::Overlay,
    /// The last findings published; its navigation index may still be on its way.
    snap: Arc<Snapshot>,
    /// The number of the lint `snap` comes from.
    snap_seq: u64,
    /// The last snapshot with its navigation index, and its lint's number: navigation answers
    /// from it while the newer one's index is built (and does not come within [`NAV_WAIT`]).
    nav_snap: Arc<Snapshot>,
    nav_seq: u64,
    /// Published snapshots whose index is being built, by lint number (oldest first).
    indexing: Vec<(u64, Arc<Snapshot>)>,
    /// The number of the last lint started.
    seq: u64,
    /// Something changed since the last lint started; lint at `due`.
    dirty: bool,
    /// Files may have appeared or gone since the last walk of the folder.
    rediscover: bool,
    /// The globs registered with the client's file watcher (empty: none).
    watched: Vec<&'static str>,
    due: Instant,
    building: bool,
    built_tx: Sender<Built>,
    built_rx: Receiver<Built>,
    /// What was last published, by file.
    published: HashMap<PathBuf, Published>,
}

/// The diagnostics last published for a file, and what they were converted from.
#[derive(Clone)]
struct Published {
    /// A hash of the findings' fields that the conversion reads.
    fingerprint: u64,
    /// The texts their positions are in (the file's, then those of related locations). Kept so
    /// that the same allocation means the same text: it cannot be freed and reused meanwhile.
    texts: Vec<Arc<String>>,
    diags: Vec<lsp_types::Diagnostic>,
}

impl Published {
    fn same_input(&self, fingerprint: u64, texts: &[Arc<String>]) -> bool {
        self.fingerprint == fingerprint
            && self.texts.len() == texts.len()
            && self.texts.iter().zip(texts).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

/// What the LSP form of one file's findings is made of: a hash of the fields the conversion
/// reads (and of the paths of related locations) and the texts of the files their positions are
/// in, in order of first use.
fn fingerprint<'a>(
    files: &[crate::source::SourceFile],
    diags: impl Iterator<Item = &'a crate::diagnostic::Diagnostic>,
) -> (u64, Vec<Arc<String>>) {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::with_seed(0x6777_6c69_6e74).build_hasher();
    let mut texts: Vec<Arc<String>> = Vec::new();
    let mut text_of = |id: crate::source::FileId, h: &mut dyn Hasher| {
        let Some(f) = files.get(id as usize) else {
            h.write_u8(0);
            return;
        };
        h.write(f.path.as_os_str().as_encoded_bytes());
        if !texts.iter().any(|t| Arc::ptr_eq(t, &f.text)) {
            texts.push(Arc::clone(&f.text));
        }
    };
    for d in diags {
        d.rule.hash(&mut h);
        d.severity.hash(&mut h);
        d.message.hash(&mut h);
        d.help.hash(&mut h);
        d.span.hash(&mut h);
        text_of(d.span.file, &mut h);
        d.related.len().hash(&mut h);
        for r in &d.related {
            r.span.hash(&mut h);
            r.message.hash(&mut h);
            text_of(r.span.file, &mut h);
        }
    }
    (h.finish(), texts)
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The folder to lint: the first workspace folder, else the root URI, else the working
/// directory.
fn workspace_root(params: &InitializeParams) -> PathBuf {
    let from_folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| uri::to_path(&f.uri));
    #[allow(deprecated)]
    let from_root = params.root_uri.as_ref().and_then(uri::to_path);
    from_folder
        .or(from_root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// Serves one client on `conn` until it exits.
pub fn serve(conn: Connection) -> Result<(), Error> {
    let (id, params) = conn.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let enc = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let can_create = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.resource_operations.as_ref())
        .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Create));
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|c| c.dynamic_registration)
        .unwrap_or(false);
    let root = workspace_root(&params);
    let (settings, settings_error) = match &params.initialization_options {
        Some(v) => match Settings::from_json(v) {
            Ok(s) => (s, None),
            Err(e) => (Settings::default(), Some(e)),
        },
        None => (Settings::default(), None),
    };
    let result = serde_json::json!({
        "capabilities": capabilities(enc),
        "serverInfo": ServerInfo {
            name: "gwlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    conn.initialize_finish(id, result)?;
    let (built_tx, built_rx) = crossbeam_channel::unbounded();
    let mut server = Server {
        sender: conn.sender.clone(),
        enc,
        can_create,
        root,
        settings,
        opts: Arc::new(Options::default()),
        caches: Some(Caches::default()),
        generation: 0,
        open: crate::overlay::Overlay::new(),
        snap: Arc::new(Snapshot::empty()),
        snap_seq: 0,
        nav_snap: Arc::new(Snapshot::empty()),
        nav_seq: 0,
        indexing: Vec::new(),
        seq: 0,
        dirty: true,
        rediscover: true,
        watched: Vec::new(),
        due: Instant::now(),
        building: false,
        built_tx,
        built_rx,
        published: HashMap::new(),
    };
    if let Some(e) = settings_error {
        server.show_warning(&e);
    }
    server.reload_options();
    if watch {
        server.watch_files();
    }
    server.due = Instant::now();
    server.run(&conn)
}

/// The id of the server's one request to the client (its answer is not needed).
const WATCH_REGISTRATION: &str = "gwlint/watch";

impl Server {
    /// Asks the client to report files created, changed or deleted outside the editor: without
    /// it, a new or deleted file counts only from the next open, save or configuration change.
    fn watch_files(&mut self) {
        use lsp_types::{
            DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Registration,
            RegistrationParams,
        };
        // What discovery reads: YAML files (the configuration among them), `.gitignore` files,
        // and with an `include` list any file.
        let mut globs = vec!["**/*.{yaml,yml}", "**/.gitignore"];
        if !self.opts.config.include.is_empty() {
            globs.push("**/*");
        }
        self.watched = globs.clone();
        let watchers = globs
            .into_iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.into()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: WATCH_REGISTRATION.into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.send(Request::new(
            WATCH_REGISTRATION.to_string().into(),
            "client/registerCapability".into(),
            params,
        ));
    }
}

impl Server {
    fn run(&mut self, conn: &Connection) -> Result<(), Error> {
        loop {
            if self.dirty && !self.building && Instant::now() >= self.due {
                self.start_lint();
            }
            let wait = if self.dirty && !self.building {
                self.due.saturating_duration_since(Instant::now())
            } else {
                Duration::from_secs(3600)
            };
            crossbeam_channel::select! {
                recv(conn.receiver) -> msg => {
                    let Ok(msg) = msg else { return Ok(()) };
                    match msg {
                        Message::Request(req) => {
                            if conn.handle_shutdown(&req)? {
                                return Ok(());
                            }
                            self.request(req);
                        }
                        Message::Notification(n) => self.notification(n),
                        Message::Response(_) => {}
                    }
                }
                recv(self.built_rx) -> built => {
                    if let Ok(built) = built {
                        self.built(built);
                    }
                }
                default(wait) => {}
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // The client is gone when this fails; the reader then ends the loop.
        let _ = self.sender.send(msg.into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn show_warning(&self, message: &str) {
        self.notify::<lsp_types::notification::ShowMessage>(lsp_types::ShowMessageParams {
            typ: lsp_types::MessageType::WARNING,
            message: format!("gwlint: {message}"),
        });
    }

    fn log(&self, message: &str) {
        self.notify::<lsp_types::notification::LogMessage>(lsp_types::LogMessageParams {
            typ: lsp_types::MessageType::LOG,
            message: format!("gwlint: {message}"),
        });
    }

    /// Reads the settings' configuration again; the caches built under the old one go.
    fn reload_options(&mut self) {
        let (opts, errors) = workspace::options(&self.root, &self.settings);
        for e in errors {
            self.show_warning(&e);
        }
        self.opts = Arc::new(opts);
        self.generation += 1;
        if self.caches.is_some() {
            self.caches = Some(Caches::default());
        }
        self.schedule(Duration::ZERO);
    }

    fn schedule(&mut self, delay: Duration) {
        self.dirty = true;
        self.due = Instant::now() + delay;
    }

    fn start_lint(&mut self) {
        let Some(mut caches) = self.caches.take() else {
            return;
        };
        self.dirty = false;
        self.building = true;
        self.seq += 1;
        let seq = self.seq;
        if std::mem::take(&mut self.rediscover) {
            caches.cache.rediscover();
        }
        // Files on disk need not be looked at when the watcher covers every file discovery may
        // find (any file once the configuration has an `include` list).
        caches.cache.disk_watched = !self.watched.is_empty()
            && (self.opts.config.include.is_empty() || self.watched.contains(&"**/*"));
        // The open buffers stand for their files, as `--fix`'s edits do (the texts are shared,
        // not copied).
        let mut opts = (*self.opts).clone();
        opts.overlay = Some(Arc::new(self.open.clone()));
        let tx = self.built_tx.clone();
        let generation = self.generation;
        let spawned = std::thread::Builder::new()
            .name("gwlint-lint".into())
            .spawn(move || {
                let mut published = false;
                let nav = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    workspace::build(&opts, caches, |snap, caches| {
                        published = true;
                        let _ = tx.send(Built::Findings {
                            seq,
                            snap: Box::new(snap),
                            caches: Box::new(caches),
                            generation,
                        });
                    })
                }))
                .ok();
                // A panic before the findings loses the caches (they may be half updated):
                // the next lint starts from nothing.
                let _ = tx.send(match published {
                    true => Built::Nav { seq, nav },
                    false => Built::Failed,
                });
            });
        if spawned.is_err() {
            self.building = false;
            self.caches = Some(Caches::default());
            self.show_warning("could not start a lint thread");
        }
    }

    fn built(&mut self, built: Built) {
        match built {
            Built::Findings {
                seq,
                snap,
                caches,
                generation,
            } => {
                self.building = false;
                // Caches built under an older configuration are dropped.
                self.caches = Some(match generation == self.generation {
                    true => *caches,
                    false => Caches::default(),
                });
                self.findings(seq, *snap);
            }
            Built::Failed => {
                self.building = false;
                self.caches = Some(Caches::default());
                self.internal_error();
            }
            Built::Nav { seq, nav } => self.indexed(seq, nav),
        }
    }

    fn internal_error(&self) {
        self.show_warning(
            "internal error while linting the workspace (a bug: please report it); the last results stay",
        );
    }

    /// Publishes the findings of a lint whose graph is being indexed.
    fn findings(&mut self, seq: u64, snap: Snapshot) {
        let stages: Vec<String> = snap
            .outcome
            .timings
            .iter()
            .map(|(s, t)| format!("{s} {:.1}", t.as_secs_f64() * 1000.0))
            .collect();
        let layout = match snap.stats.layout_reused {
            true => "kept",
            false => "computed",
        };
        let done = format!(
            "linted {} files ({} parsed, {} reused, layout {}) in {} ms: {} findings ({} ms)",
            snap.outcome.files.len(),
            snap.stats.parsed,
            snap.stats.reused,
            layout,
            snap.took.as_millis(),
            snap.outcome.diagnostics.len(),
            stages.join(", ")
        );
        let snap = Arc::new(snap);
        self.indexing.push((seq, Arc::clone(&snap)));
        let old = std::mem::replace(&mut self.snap, snap);
        self.snap_seq = seq;
        self.publish();
        // Sent once the diagnostics are: the log marks the end of what an edit costs
        // (the benchmark and the tests wait for it).
        self.log(&done);
        free_later(old);
    }

    /// The navigation index of lint `seq` (None: indexing panicked).
    fn indexed(&mut self, seq: u64, nav: Option<Nav>) {
        let Some(k) = self.indexing.iter().position(|(s, _)| *s == seq) else {
            return;
        };
        let (_, snap) = self.indexing.remove(k);
        let Some(nav) = nav else {
            // Navigation stays with the last index.
            self.internal_error();
            return;
        };
        if seq < self.nav_seq {
            return;
        }
        snap.set_nav(nav);
        // Older snapshots still being indexed are of no use once a newer one is.
        self.indexing.retain(|(s, _)| *s > seq);
        self.nav_seq = seq;
        let old = std::mem::replace(&mut self.nav_snap, snap);
        free_later(old);
    }

    /// The snapshot navigation answers from: the last one published, once its index is set
    /// (waited for a little while it is built).
    fn nav_snapshot(&mut self) -> Arc<Snapshot> {
        let deadline = Instant::now() + NAV_WAIT;
        let wanted = self.snap_seq;
        while self.nav_seq < wanted && self.indexing.iter().any(|(s, _)| *s == wanted) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.built_rx.recv_timeout(left) {
                Ok(built) => self.built(built),
                Err(_) => break,
            }
        }
        Arc::clone(&self.nav_snap)
    }

    /// Sends the diagnostics of every file whose findings changed, and empty lists for the
    /// files that no longer have any.
    fn publish(&mut self) {
        let snap = Arc::clone(&self.snap);
        let files = &snap.outcome.files;
        let mut ids: Vec<_> = snap.files_with_findings().collect();
        ids.sort_unstable();
        let mut now: HashMap<PathBuf, Published> = HashMap::with_capacity(ids.len());
        // By the URI's text: `Uri` has interior cells and makes a poor key.
        let mut changed: Vec<(String, Uri, Vec<lsp_types::Diagnostic>)> = Vec::new();
        for id in ids {
            let Some(f) = files.get(id as usize) else {
                continue;
            };
            let (fingerprint, texts) = fingerprint(files, snap.diagnostics_of(id));
            let old = self.published.remove(&f.path);
            // Converting every file's findings on each edit cost more than most rules: a file
            // whose findings and texts are those last published keeps what was sent.
            if let Some(old) = old.as_ref().filter(|o| o.same_input(fingerprint, &texts)) {
                now.insert(f.path.clone(), old.clone());
                continue;
            }
            let Some(uri) = uri::from_path(&f.path) else {
                continue;
            };
            let diags: Vec<lsp_types::Diagnostic> = snap
                .diagnostics_of(id)
                .filter_map(|d| diagnostics::convert(files, d, self.enc))
                .collect();
            if old.as_ref().is_none_or(|o| o.diags != diags) {
                changed.push((uri.as_str().to_string(), uri, diags.clone()));
            }
            now.insert(
                f.path.clone(),
                Published {
                    fingerprint,
                    texts,
                    diags,
                },
            );
        }
        // What is left of the last publication are files without findings now.
        let mut gone: Vec<(String, Uri)> = self
            .published
            .keys()
            .filter_map(|p| uri::from_path(p))
            .map(|u| (u.as_str().to_string(), u))
            .collect();
        gone.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, u) in gone {
            self.notify::<lsp_types::notification::PublishDiagnostics>(
                PublishDiagnosticsParams::new(u, Vec::new(), None),
            );
        }
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, u, d) in changed {
            self.notify::<lsp_types::notification::PublishDiagnostics>(
                PublishDiagnosticsParams::new(u, d, None),
            );
        }
        self.published = now;
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let answer = std::panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(req)));
        let response = match answer {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let message = format!("gwlint: internal error in {method}: {what}");
                self.log(&message);
                Response::new_err(id, ErrorCode::InternalError as i32, message)
            }
        };
        self.send(response);
    }

    fn dispatch(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        use lsp_types::request::{
            CodeActionRequest, DocumentSymbolRequest, GotoDefinition, HoverRequest, References,
            Request as _,
        };
        // Navigation answers from a snapshot with its index; code actions from the findings
        // last published.
        let navigates = matches!(
            req.method.as_str(),
            GotoDefinition::METHOD
                | References::METHOD
                | HoverRequest::METHOD
                | DocumentSymbolRequest::METHOD
        );
        let snap = if navigates {
            self.nav_snapshot()
        } else {
            Arc::clone(&self.snap)
        };
        let ctx = requests::Ctx {
            snap: &snap,
            enc: self.enc,
            can_create: self.can_create,
        };
        fn params<R: lsp_types::request::Request>(
            req: lsp_server::Request,
        ) -> Result<R::Params, (ErrorCode, String)> {
            serde_json::from_value(req.params)
                .map_err(|e| (ErrorCode::InvalidParams, format!("{}: {e}", R::METHOD)))
        }
        fn json(v: impl serde::Serialize) -> Result<serde_json::Value, (ErrorCode, String)> {
            serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
        }
        match req.method.as_str() {
            GotoDefinition::METHOD => json(ctx.definition(params::<GotoDefinition>(req)?)),
            References::METHOD => json(ctx.references(params::<References>(req)?)),
            HoverRequest::METHOD => json(ctx.hover(params::<HoverRequest>(req)?)),
            DocumentSymbolRequest::METHOD => {
                json(ctx.symbols(params::<DocumentSymbolRequest>(req)?))
            }
            CodeActionRequest::METHOD => json(ctx.code_actions(params::<CodeActionRequest>(req)?)),
            PANIC_REQUEST => panic!("the test panic asked for"),
            m => Err((ErrorCode::MethodNotFound, format!("unhandled method {m}"))),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles,
            DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
        };
        let method = n.method.clone();
        let handled = std::panic::catch_unwind(AssertUnwindSafe(|| match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    if let Some(path) = uri::to_path(&p.text_document.uri) {
                        self.open.insert(&path, p.text_document.text);
                        self.rediscover = true;
                        self.schedule(DEBOUNCE);
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    // Full synchronisation: the last change holds the whole text.
                    if let (Some(path), Some(change)) = (
                        uri::to_path(&p.text_document.uri),
                        p.content_changes.into_iter().last(),
                    ) {
                        self.open.insert(&path, change.text);
                        self.schedule(DEBOUNCE);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    if let Some(path) = uri::to_path(&p.text_document.uri) {
                        self.open.remove(&path);
                        self.rediscover = true;
                        self.schedule(DEBOUNCE);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                {
                    self.rediscover = true;
                    if is_config(&p.text_document.uri) {
                        self.reload_options();
                    } else {
                        self.schedule(DEBOUNCE);
                    }
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                {
                    self.rediscover = true;
                    if p.changes.iter().any(|c| is_config(&c.uri)) {
                        self.reload_options();
                    } else {
                        self.schedule(DEBOUNCE);
                    }
                }
            }
            DidChangeConfiguration::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeConfigurationParams>(n.params)
                {
                    match Settings::from_json(&p.settings) {
                        Ok(s) => {
                            self.settings = s;
                            self.reload_options();
                        }
                        Err(e) => self.show_warning(&e),
                    }
                }
            }
            _ => {}
        }));
        if handled.is_err() {
            self.log(&format!("internal error handling {method}"));
        }
    }
}

/// Frees a snapshot on a thread of its own: a few milliseconds nothing waits for (should the
/// spawn fail, right here).
fn free_later(snap: Arc<Snapshot>) {
    let _ = std::thread::Builder::new()
        .name("gwlint-free".into())
        .spawn(move || drop(snap));
}

fn is_config(u: &Uri) -> bool {
    uri::to_path(u).is_some_and(|p| p.file_name().is_some_and(|n| n == crate::config::FILE_NAME))
}
