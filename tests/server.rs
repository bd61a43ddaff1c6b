//! The language server over an in-memory connection: initialize, diagnostics of the whole
//! workspace, edits, navigation, hover, code actions, a panicking request, shutdown. Responses
//! are compared whole.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

struct Client {
    conn: Connection,
    next: i32,
    server: Option<std::thread::JoinHandle<()>>,
    /// Notifications received while waiting for something else.
    pending: Vec<Notification>,
}

const TIMEOUT: Duration = Duration::from_secs(60);

impl Client {
    /// A client connected to a server running in memory, before `initialize`.
    fn connect() -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || {
            gwlint::server::serve(server_side).expect("the server ends cleanly");
        });
        Client {
            conn: client_side,
            next: 0,
            server: Some(server),
            pending: Vec::new(),
        }
    }

    fn start(root: &Path, init_options: Value) -> (Client, Value) {
        let mut c = Client::connect();
        let caps = json!({
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"workspaceEdit": {"resourceOperations": ["create"]}},
        });
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": caps,
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "initializationOptions": init_options,
            }),
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.request_raw(method, params);
        assert!(r.error.is_none(), "{method}: {:?}", r.error);
        r.result.unwrap_or(Value::Null)
    }

    fn request_raw(&mut self, method: &str, params: Value) -> lsp_server::Response {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .expect("send");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .conn
                .receiver
                .recv_timeout(left)
                .expect("a response in time")
            {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push(n),
                _ => {}
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .expect("send");
    }

    /// Waits for the end of a lint (its log message) and returns the diagnostics published
    /// before it, by URI.
    fn lint_done(&mut self) -> Vec<(String, Value)> {
        let deadline = Instant::now() + TIMEOUT;
        let mut published = Vec::new();
        loop {
            let n = if self.pending.is_empty() {
                let left = deadline.saturating_duration_since(Instant::now());
                match self
                    .conn
                    .receiver
                    .recv_timeout(left)
                    .expect("a lint in time")
                {
                    Message::Notification(n) => n,
                    _ => continue,
                }
            } else {
                self.pending.remove(0)
            };
            match n.method.as_str() {
                "textDocument/publishDiagnostics" => {
                    let u = n.params["uri"].as_str().unwrap_or("").to_string();
                    published.push((u, n.params["diagnostics"].clone()));
                }
                "window/logMessage"
                    if n.params["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("gwlint: linted")) =>
                {
                    // A lint publishes before its log message; late ones are drained.
                    self.drain(&mut published);
                    return published;
                }
                _ => {}
            }
        }
    }

    fn drain(&mut self, published: &mut Vec<(String, Value)>) {
        while let Ok(Message::Notification(n)) =
            self.conn.receiver.recv_timeout(Duration::from_millis(300))
        {
            if n.method == "textDocument/publishDiagnostics" {
                let u = n.params["uri"].as_str().unwrap_or("").to_string();
                published.push((u, n.params["diagnostics"].clone()));
            } else {
                self.pending.push(n);
            }
        }
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        if let Some(s) = self.server.take() {
            s.join().expect("the server thread ends");
        }
    }
}

fn uri(p: &Path) -> String {
    gwlint::server::uri::from_path(p)
        .expect("a file URI")
        .as_str()
        .to_string()
}

fn workspace() -> PathBuf {
    std::fs::canonicalize("testdata/lsp/workspace").expect("the fixture")
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn range(l0: u32, c0: u32, l1: u32, c1: u32) -> Value {
    json!({"start": pos(l0, c0), "end": pos(l1, c1)})
}

fn at(u: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": u}, "position": pos(line, character)})
}

fn gw101() -> Value {
    json!({
        "range": range(7, 10, 7, 16),
        "severity": 1,
        "code": "GW101",
        "codeDescription": {"href": format!(
            "https://github.com/gwlint/gwlint/blob/v{}/rules/GW101-parent-ref-not-found.md",
            env!("CARGO_PKG_VERSION"))},
        "source": "gwlint",
        "message": "HTTPRoute shop/blog: parentRef Gateway infra/publik does not exist\nhelp: fix the name, add the Gateway to the repository, or declare it under `externals` in .gwlint.yaml if it is managed elsewhere",
    })
}

#[test]
fn protocol_session() {
    let root = workspace();
    let (mut c, init) = Client::start(&root, json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["definitionProvider"], true);
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.gwlint"])
    );
    assert_eq!(init["serverInfo"]["name"], "gwlint");

    // Diagnostics for every file with findings, opened or not.
    let broken = uri(&root.join("broken.yaml"));
    let route = uri(&root.join("route.yaml"));
    let gateway = uri(&root.join("gateway.yaml"));
    let certificate = uri(&root.join("certificate.yaml"));
    let published = c.lint_done();
    assert_eq!(published, vec![(broken.clone(), json!([gw101()]))]);

    // Go to definition: the parentRef with sectionName leads to the listener.
    let def = c.request("textDocument/definition", at(&route, 7, 12));
    assert_eq!(
        def,
        json!([{"uri": gateway, "range": range(10, 10, 10, 15)}])
    );
    // The backendRef leads to the Service's port.
    let def = c.request("textDocument/definition", at(&route, 14, 13));
    assert_eq!(def, json!([{"uri": route, "range": range(25, 10, 25, 12)}]));
    // The certificateRef: the Secret is not in the repository; its Certificate, then its issuer.
    let def = c.request("textDocument/definition", at(&gateway, 16, 16));
    assert_eq!(
        def,
        json!([
            {"uri": certificate, "range": range(6, 14, 6, 26)},
            {"uri": certificate, "range": range(16, 8, 16, 19)},
        ])
    );
    // Nothing leads anywhere from a dangling reference.
    let def = c.request("textDocument/definition", at(&broken, 7, 12));
    assert_eq!(def, Value::Null);

    // References of the Gateway: the routes that attach (not the misspelt one).
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": gateway}, "position": pos(5, 9),
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs, json!([{"uri": route, "range": range(7, 10, 7, 16)}]));

    // Hover on the parentRef: the attachment as a controller reports it.
    let hover = c.request("textDocument/hover", at(&route, 7, 12));
    assert_eq!(
        hover,
        json!({
            "contents": {"kind": "markdown", "value": "**Gateway infra/public**\n\n`Accepted: True` (reason `Accepted`)\n- listener https\n\nEffective hostnames: `store.example.com`\n"},
            "range": range(7, 10, 7, 16),
        })
    );
    // Hover on the listener: attached routes and the certificate chain.
    let hover = c.request("textDocument/hover", at(&gateway, 10, 11));
    assert_eq!(
        hover["contents"]["value"],
        "**listener https** of Gateway infra/public\n\n1 attached route(s)\n- HTTPRoute shop/store (accepted)\n\nCertificate:\n- Secret infra/wildcard-tls (produced)\n- written by Certificate infra/wildcard\n- ClusterIssuer letsencrypt\n"
    );

    // Document symbols: objects by kind and name.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": route}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["HTTPRoute store", "Service storefront"]);
    assert_eq!(symbols[0]["detail"], "shop");
    assert_eq!(symbols[0]["selectionRange"], range(3, 8, 3, 13));

    // Code actions on the finding: the fix model's rename (unsafe, so not preferred), then
    // suppress it on its line.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": broken}, "range": range(7, 12, 7, 12),
               "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions,
        json!([{
            "title": "Change the parentRef to Gateway `public`, the nearest name in namespace `infra` (unsafe fix)",
            "kind": "quickfix",
            "diagnostics": [gw101()],
            "edit": {"changes": {broken.clone(): [
                {"range": range(7, 10, 7, 16), "newText": "public"}
            ]}},
        }, {
            "title": "Suppress GW101 on this line",
            "kind": "quickfix",
            "diagnostics": [gw101()],
            "edit": {"changes": {broken.clone(): [
                {"range": range(7, 0, 7, 0), "newText": "  # gwlint-ignore: GW101\n"}
            ]}},
        }])
    );

    // Open the broken file and fix the name: its diagnostics are cleared.
    let text = std::fs::read_to_string(root.join("broken.yaml")).expect("fixture");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": broken, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let fixed = text.replace("publik # expect: GW101", "public");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": broken, "version": 2},
               "contentChanges": [{"text": fixed}]}),
    );
    let mut published = c.lint_done();
    if published.is_empty() {
        // The open and the change may have been linted separately.
        published = c.lint_done();
    }
    assert_eq!(published, vec![(broken.clone(), json!([]))]);
    // Now both routes attach.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": gateway}, "position": pos(5, 9),
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(
        refs,
        json!([
            {"uri": broken, "range": range(7, 10, 7, 16)},
            {"uri": route, "range": range(7, 10, 7, 16)},
        ])
    );

    // A panic in a handler is an error response; the server goes on answering.
    let r = c.request_raw("gwlint/panic", Value::Null);
    let err = r.error.expect("an error");
    assert_eq!(err.code, -32603);
    assert_eq!(
        err.message,
        "gwlint: internal error in gwlint/panic: the test panic asked for"
    );
    let def = c.request("textDocument/definition", at(&route, 7, 12));
    assert_eq!(
        def,
        json!([{"uri": gateway, "range": range(10, 10, 10, 15)}])
    );

    c.shutdown();
}

#[test]
fn settings_select_and_unused_suppressions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("abs");
    std::fs::write(
        root.join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: a\nspec:\n  parentRefs:\n  # gwlint-ignore: GW102\n  - name: nowhere\n",
    )
    .expect("write");
    let u = uri(&root.join("route.yaml"));
    let (mut c, init) = Client::start(&root, json!({"select": ["GW101"]}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let published = c.lint_done();
    let codes: Vec<&str> = published[0]
        .1
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, ["GW101"]);
    // Settings change: GWL001 too; the suppression of GW102 silences nothing.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"gwlint": {"select": ["GW101", "GWL001"]}}}),
    );
    let published = c.lint_done();
    let diags = &published[0].1;
    assert_eq!(diags[0]["code"], "GWL001");
    assert_eq!(diags[0]["tags"], json!([1]));
    assert_eq!(diags[0]["range"], range(7, 2, 7, 24));
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(7, 4, 7, 4),
               "context": {"diagnostics": []}}),
    );
    assert_eq!(actions[0]["title"], "Remove the unused suppression");
    assert_eq!(
        actions[0]["edit"],
        json!({"changes": {u.clone(): [{"range": range(7, 0, 8, 0), "newText": ""}]}})
    );
    // Hover on the rule id in the comment: its summary.
    let hover = c.request("textDocument/hover", at(&u, 7, 21));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.starts_with("**GW102** "), "{text}");
    assert_eq!(hover["range"], range(7, 19, 7, 24));
    c.shutdown();
}

/// The server's findings are those of a `gwlint check` run (the library's lint, as the command
/// runs it) on the same folder: same files, rules, positions and messages, in the same order.
#[test]
fn same_findings_as_check() {
    let corpus = Path::new("../shared/corpus");
    let root = if corpus.is_dir() {
        std::fs::canonicalize(corpus).expect("abs")
    } else {
        println!("note: ../shared/corpus is missing; comparing on testdata only");
        std::fs::canonicalize("testdata").expect("abs")
    };
    let opts = gwlint::Options {
        paths: vec![root.clone()],
        ..gwlint::Options::default()
    };
    let outcome = gwlint::lint(&opts, None);
    let cwd = std::env::current_dir().expect("cwd");
    let mut expected: Vec<(String, Value)> = Vec::new();
    for d in &outcome.diagnostics {
        let f = outcome.file(d.span.file);
        let u = uri(&gwlint::discover::lexical_abs(&f.path, &cwd));
        let lines = gwlint::source::LineIndex::new(&f.text);
        let line = lines.line_of(d.span.start as usize);
        let start = lines.line_start(line, f.text.len());
        let col = f.text[start..d.span.start as usize].encode_utf16().count();
        let entry = json!([d.rule, line, col, gwlint::escape::display(&d.message)]);
        match expected.last_mut() {
            Some((last, v)) if *last == u => v.as_array_mut().expect("list").push(entry),
            _ => expected.push((u, json!([entry]))),
        }
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!expected.is_empty());
    let (mut c, _) = Client::start(&root, Value::Null);
    let mut published = c.lint_done();
    published.sort_by(|a, b| a.0.cmp(&b.0));
    let got: Vec<(String, Value)> = published
        .into_iter()
        .map(|(u, ds)| {
            let list: Vec<Value> = ds
                .as_array()
                .expect("list")
                .iter()
                .map(|d| {
                    let message = d["message"].as_str().unwrap_or("");
                    let message = message.split("\nhelp: ").next().unwrap_or("");
                    json!([
                        d["code"],
                        d["range"]["start"]["line"],
                        d["range"]["start"]["character"],
                        message
                    ])
                })
                .collect();
            (u, Value::Array(list))
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    c.shutdown();
}

/// A lint that reuses the cache after an edit finds what a lint from nothing finds for the same
/// contents (the per-file stages reused are those of unchanged files only), and what the batch
/// lint (`gwlint check`) finds with the same overlay; so does a run that changes nothing (all
/// shared: stages, Flux remodels, field paths), and one after the edit is undone.
#[test]
fn incremental_lint_matches_a_fresh_one() {
    let corpus = Path::new("../shared/corpus");
    let root = if corpus.is_dir() {
        std::fs::canonicalize(corpus).expect("abs")
    } else {
        println!("note: ../shared/corpus is missing; comparing on testdata only");
        std::fs::canonicalize("testdata").expect("abs")
    };
    let mut opts = gwlint::Options {
        paths: vec![root.clone()],
        ..gwlint::Options::default()
    };
    let mut cache = gwlint::incremental::Cache::new();
    let (first, _) = gwlint::lint_incremental(&opts, &mut cache, |_, _| ());
    assert_eq!(cache.reused, 0);
    let cwd = std::env::current_dir().expect("cwd");
    // Edit a route: misspell its first parentRef; and a file modelled with Flux variables, when
    // there is one: give it a variable-free comment.
    let parent = regex::Regex::new(r"parentRefs:\n(\s*)- name: ").expect("regex");
    let (path, text) = first
        .files
        .iter()
        .find(|f| f.text.contains("kind: HTTPRoute") && parent.is_match(&f.text))
        .map(|f| {
            (
                gwlint::discover::lexical_abs(&f.path, &cwd),
                f.text.to_string(),
            )
        })
        .expect("a route file");
    let edited = parent
        .replacen(&text, 1, "parentRefs:\n${1}- name: zz-")
        .into_owned();
    let mut overlay = gwlint::overlay::Overlay::new();
    overlay.insert(&path, edited.clone());
    let flux = first
        .files
        .iter()
        .find(|f| f.text.contains("${") && f.path != path)
        .map(|f| gwlint::discover::lexical_abs(&f.path, &cwd));
    if let Some(flux) = &flux {
        let text = std::fs::read_to_string(flux).expect("read");
        overlay.insert(flux, format!("# edited\n{text}"));
    }
    let edits = overlay.len();
    opts.overlay = Some(std::sync::Arc::new(overlay));
    let (again, _) = gwlint::lint_incremental(&opts, &mut cache, |_, _| ());
    assert_eq!(
        cache.parsed, edits,
        "only the edited files are parsed again"
    );
    let mut fresh_cache = gwlint::incremental::Cache::new();
    let (fresh, _) = gwlint::lint_incremental(&opts, &mut fresh_cache, |_, _| ());
    assert_eq!(fresh_cache.reused, 0);
    assert_ne!(
        first.diagnostics, fresh.diagnostics,
        "the edit changes the findings"
    );
    let same = |a: &gwlint::Outcome, b: &gwlint::Outcome, what: &str| {
        assert_eq!(a.diagnostics.len(), b.diagnostics.len(), "{what}");
        for (x, y) in a.diagnostics.iter().zip(&b.diagnostics) {
            assert_eq!(x, y, "{what}");
        }
        assert_eq!(a.notes, b.notes, "{what}");
    };
    same(&again, &fresh, "incremental after the edit == fresh");
    let batch = gwlint::lint(&opts, None);
    same(
        &again,
        &batch,
        "incremental == gwlint check with the same overlay",
    );
    let (unchanged, _) = gwlint::lint_incremental(&opts, &mut cache, |_, _| ());
    assert_eq!(cache.parsed, 0, "nothing changed, nothing parsed");
    same(&unchanged, &fresh, "a run that changes nothing");
    opts.overlay = None;
    let (undone, _) = gwlint::lint_incremental(&opts, &mut cache, |_, _| ());
    assert_eq!(
        cache.parsed, edits,
        "the edited files are read from disk again"
    );
    same(&undone, &first, "after the edit is undone");
}

/// A client that can watch files is asked to (YAML files and `.gitignore`); a file created
/// outside the editor and reported by the watcher is linted.
#[test]
fn watches_files_when_the_client_can() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("abs");
    for f in ["gateway.yaml", "certificate.yaml"] {
        std::fs::copy(Path::new("testdata/lsp/workspace").join(f), root.join(f)).expect("copy");
    }
    let mut c = Client::connect();
    c.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}},
            "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
        }),
    );
    c.notify("initialized", json!({}));
    let registration = loop {
        match c.conn.receiver.recv_timeout(TIMEOUT).expect("a message") {
            Message::Request(r) if r.method == "client/registerCapability" => break r,
            Message::Notification(n) => c.pending.push(n),
            _ => {}
        }
    };
    assert_eq!(
        registration.params,
        json!({"registrations": [{
            "id": "gwlint/watch",
            "method": "workspace/didChangeWatchedFiles",
            "registerOptions": {"watchers": [
                {"globPattern": "**/*.{yaml,yml}"},
                {"globPattern": "**/.gitignore"},
            ]},
        }]})
    );
    c.conn
        .sender
        .send(Message::Response(lsp_server::Response::new_ok(
            registration.id,
            Value::Null,
        )))
        .expect("send");
    let before = c.lint_done();
    assert!(before.iter().all(|(u, _)| !u.ends_with("broken.yaml")));
    // A route whose parentRef is misspelt.
    let route = root.join("broken.yaml");
    std::fs::copy("testdata/lsp/workspace/broken.yaml", &route).expect("copy");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&route), "type": 1}]}),
    );
    let published = c.lint_done();
    let on_route: Vec<&Value> = published
        .iter()
        .filter(|(u, _)| *u == uri(&route))
        .flat_map(|(_, d)| d.as_array().into_iter().flatten())
        .collect();
    assert!(
        on_route.iter().any(|d| d["code"] == "GW101"),
        "{published:?}"
    );
    // An edit to another buffer (after which the files on disk are not looked at again: the
    // watcher reports their changes) publishes nothing new for the route.
    let gateway = root.join("gateway.yaml");
    let gateway_text = std::fs::read_to_string(&gateway).expect("read");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&gateway), "languageId": "yaml", "version": 1,
                                "text": gateway_text}}),
    );
    c.lint_done();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&gateway), "version": 2},
               "contentChanges": [{"text": format!("{gateway_text}\n# edited\n")}]}),
    );
    let published = c.lint_done();
    assert!(
        published.iter().all(|(u, _)| *u != uri(&route)),
        "{published:?}"
    );
    // A change on disk that the watcher reports is linted: the route, emptied, has no findings.
    std::fs::write(&route, "# nothing here yet\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&route), "type": 2}]}),
    );
    let published = c.lint_done();
    assert!(
        published
            .iter()
            .any(|(u, d)| *u == uri(&route) && *d == json!([])),
        "{published:?}"
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    if let Some(s) = c.server.take() {
        s.join().expect("server thread");
    }
}

/// The resolve stage's layout is kept between runs only while nothing it reads changed: an
/// edit to a route's spec keeps it; a kustomization's `namespace:`, a renamed object, a patch
/// file, a new file and a CRD make the run compute it (or apply it) again. After each edit the
/// findings are those of a lint from nothing.
#[test]
fn kept_layout_matches_a_fresh_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("abs");
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    };
    write(
        "infra/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: infra\nresources:\n  - gateway.yaml\n  - crd.yaml\n",
    );
    write(
        "infra/gateway.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: public\nspec:\n  gatewayClassName: example\n  listeners:\n    - name: http\n      protocol: HTTP\n      port: 80\n      allowedRoutes:\n        namespaces:\n          from: All\n",
    );
    let crd_text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names:\n    kind: Widget\n    plural: widgets\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          x-kubernetes-preserve-unknown-fields: true\n";
    let crd = write("infra/crd.yaml", crd_text);
    let kustomization_text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\nresources:\n  - route.yaml\n";
    let kustomization = write("apps/kustomization.yaml", kustomization_text);
    let route_text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  parentRefs:\n    - name: public\n  rules:\n    - backendRefs:\n        - name: web\n          port: 80\n";
    let route = write("apps/route.yaml", route_text);
    let patch = write(
        "apps/patch.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  hostnames: [a.example.com]\n",
    );

    let mut opts = gwlint::Options {
        paths: vec![root.clone()],
        ..gwlint::Options::default()
    };
    let mut cache = gwlint::incremental::Cache::new();
    let rules =
        |o: &gwlint::Outcome| -> Vec<&str> { o.diagnostics.iter().map(|d| d.rule).collect() };
    // Lints with these buffers, checks the run against one from nothing, and says whether the
    // layout was kept.
    fn step(
        cache: &mut gwlint::incremental::Cache,
        opts: &gwlint::Options,
        what: &str,
    ) -> (bool, gwlint::Outcome) {
        let (again, _) = gwlint::lint_incremental(opts, cache, |_, _| ());
        let (fresh, _) =
            gwlint::lint_incremental(opts, &mut gwlint::incremental::Cache::new(), |_, _| ());
        assert_eq!(again.diagnostics, fresh.diagnostics, "{what}");
        assert_eq!(again.notes, fresh.notes, "{what}");
        (cache.layout_reused(), again)
    }
    let (kept, first) = step(&mut cache, &opts, "first run");
    assert!(!kept);
    assert!(rules(&first).contains(&"GW101"), "{:?}", rules(&first));

    let mut buffers = gwlint::overlay::Overlay::new();
    let mut edit = |opts: &mut gwlint::Options, path: &Path, text: String| {
        buffers.insert(path, text);
        opts.overlay = Some(std::sync::Arc::new(buffers.clone()));
    };
    edit(
        &mut opts,
        &route,
        route_text.replace("port: 80", "port: 8080"),
    );
    let (kept, _) = step(&mut cache, &opts, "the route's spec edited");
    assert!(kept, "an edit to a route's spec keeps the layout");

    edit(
        &mut opts,
        &kustomization,
        kustomization_text.replace("namespace: apps", "namespace: infra"),
    );
    let (kept, moved) = step(&mut cache, &opts, "the kustomization's namespace edited");
    assert!(!kept);
    assert!(
        !rules(&moved).contains(&"GW101"),
        "the route moved into the Gateway's namespace: {:?}",
        rules(&moved)
    );

    edit(
        &mut opts,
        &route,
        route_text.replace("name: web\nspec", "name: site\nspec"),
    );
    let (kept, _) = step(&mut cache, &opts, "the route renamed");
    assert!(!kept, "a renamed object may be a replacement's source");

    edit(
        &mut opts,
        &kustomization,
        format!("{kustomization_text}patches:\n  - path: patch.yaml\n"),
    );
    let (kept, _) = step(&mut cache, &opts, "a patch listed");
    assert!(!kept);
    edit(
        &mut opts,
        &patch,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\n"
            .into(),
    );
    let (kept, _) = step(&mut cache, &opts, "the patch file edited");
    assert!(!kept, "a patch file is read as text");

    edit(&mut opts, &crd, crd_text.replace("Namespaced", "Cluster"));
    step(&mut cache, &opts, "the CRD's scope edited");

    write(
        "apps/other.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n",
    );
    cache.rediscover();
    let (kept, _) = step(&mut cache, &opts, "a file added");
    assert!(!kept, "a new file changes the file table");
    let (kept, _) = step(&mut cache, &opts, "nothing changed");
    assert!(kept);
}
