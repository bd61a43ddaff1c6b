//! The language server's latencies, in process over an in-memory connection:
//! cold start (initialize to the first complete lint), edit to diagnostics (a change to one
//! route file to the end of the lint it starts, less the debounce delay), go to definition and
//! hover on a parentRef, and resident memory. The client declares a file watcher, as VS Code
//! and Neovim do (`GWLINT_BENCH_WATCH=0`: it does not).
//!
//! usage: cargo bench --bench server [-- DIR...]
//! Default folders: ../shared/corpus and target/bench-corpus/10000 (made by
//! `cargo bench --bench pipeline -- --docs 10k --runs 1 --no-mem`); a missing one is skipped
//! with a note.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

/// Edits per folder; `GWLINT_BENCH_EDITS` sets another count (more, to profile the edits alone).
fn edits() -> usize {
    std::env::var("GWLINT_BENCH_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}
const QUERIES: usize = 200;

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!("VmRSS {}, VmHWM {}", get("VmRSS:"), get("VmHWM:"))
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Client {
    conn: Connection,
    next: i32,
}

impl Client {
    fn request(&mut self, method: &str, params: Value) -> Value {
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
        loop {
            match self.conn.receiver.recv().expect("response") {
                Message::Response(r) if r.id == id => return r.result.unwrap_or(Value::Null),
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

    /// Waits for the log message that ends a lint; returns it.
    fn lint_done(&mut self) -> String {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().expect("notification") {
                if n.method == "window/logMessage" {
                    let m = n.params["message"].as_str().unwrap_or("").to_string();
                    if m.starts_with("gwlint: linted") {
                        return m;
                    }
                }
            }
        }
    }
}

/// A route file and the position of the name of its first parentRef: preferably one that
/// resolves to a Gateway the same file defines, so navigation is measured answering; else the
/// first parentRef that is not a placeholder (`${sub}-gateway`) (generated repositories keep
/// Gateways in files of their own).
fn find_route(root: &Path) -> Option<(PathBuf, String, u32, u32)> {
    let found =
        gwlint::discover::discover(&[root.to_path_buf()], &gwlint::config::Config::default());
    let mut fallback = None;
    for p in found.files {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        if !text.contains("kind: HTTPRoute") {
            continue;
        }
        let mut after = false;
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("parentRefs:") {
                after = true;
                continue;
            }
            let Some(col) = line.find("- name: ").filter(|_| after) else {
                continue;
            };
            after = false;
            let name = line[col + 8..].trim().trim_matches(['"', '\'']);
            if name.contains(['$', '{']) {
                continue;
            }
            let Ok(abs) = std::fs::canonicalize(&p) else {
                continue;
            };
            let at = (abs, text.clone(), i as u32, (col + 9) as u32);
            if text.contains(&format!("kind: Gateway\nmetadata:\n  name: {name}\n")) {
                return Some(at);
            }
            fallback.get_or_insert(at);
        }
    }
    fallback
}

fn bench(root: &Path) {
    let root = std::fs::canonicalize(root).expect("folder");
    println!("== {}", root.display());
    let (server_side, client_side) = Connection::memory();
    let server = std::thread::spawn(move || {
        let _ = gwlint::server::serve(server_side);
    });
    let mut c = Client {
        conn: client_side,
        next: 0,
    };
    let root_uri = gwlint::server::uri::from_path(&root).expect("uri");
    let start = Instant::now();
    // Editors that watch files for the server (VS Code, Neovim) say so; GWLINT_BENCH_WATCH=0
    // measures a client that does not.
    let watch = std::env::var("GWLINT_BENCH_WATCH").map_or(true, |v| v != "0");
    let capabilities = if watch {
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
    } else {
        json!({})
    };
    println!("client watches files: {watch}");
    c.request(
        "initialize",
        json!({"processId": null, "capabilities": capabilities,
               "workspaceFolders": [{"uri": root_uri.as_str(), "name": "bench"}]}),
    );
    c.notify("initialized", json!({}));
    let first = c.lint_done();
    println!("cold start: {} ({first}); {}", ms(start.elapsed()), rss());

    let Some((path, text, line, col)) = find_route(&root) else {
        println!("no HTTPRoute with a parentRef; edit and navigation skipped");
        return;
    };
    let u = gwlint::server::uri::from_path(&path).expect("uri");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u.as_str(), "languageId": "yaml", "version": 1, "text": text}}),
    );
    c.lint_done();
    let mut lat = Vec::new();
    let mut last = String::new();
    let cpu = gwlint::process::cpu_time();
    let edits = edits();
    for i in 0..edits {
        // A comment line that changes each time: the file is re-parsed, the findings stay.
        let edited = format!("{text}\n# edit {i}\n");
        let t = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u.as_str(), "version": i + 2},
                   "contentChanges": [{"text": edited}]}),
        );
        last = c.lint_done();
        lat.push(t.elapsed().saturating_sub(gwlint::server::DEBOUNCE));
    }
    let cpu = gwlint::process::cpu_time().saturating_sub(cpu);
    println!(
        "edit to diagnostics after the {} debounce ({edits} edits): p50 {}, p95 {}, max {}; CPU time per edit {} (last: {last}); {}",
        ms(gwlint::server::DEBOUNCE),
        ms(percentile(&mut lat, 0.5)),
        ms(percentile(&mut lat, 0.95)),
        ms(percentile(&mut lat, 1.0)),
        ms(cpu / edits.max(1) as u32),
        rss()
    );
    for method in ["textDocument/definition", "textDocument/hover"] {
        let mut lat = Vec::new();
        let mut answer = Value::Null;
        for _ in 0..QUERIES {
            let t = Instant::now();
            answer = c.request(
                method,
                json!({"textDocument": {"uri": u.as_str()}, "position": {"line": line, "character": col}}),
            );
            lat.push(t.elapsed());
        }
        println!(
            "{method} ({QUERIES} requests): p50 {}, p95 {}, max {}; answered: {}",
            ms(percentile(&mut lat, 0.5)),
            ms(percentile(&mut lat, 0.95)),
            ms(percentile(&mut lat, 1.0)),
            !answer.is_null()
        );
    }
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let _ = server.join();
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let dirs: Vec<PathBuf> = if args.is_empty() {
        vec![
            PathBuf::from("../shared/corpus"),
            PathBuf::from("target/bench-corpus/10000"),
        ]
    } else {
        args.into_iter().map(PathBuf::from).collect()
    };
    for d in dirs {
        if d.is_dir() {
            bench(&d);
        } else {
            println!("note: {} is missing; skipped", d.display());
        }
    }
}
