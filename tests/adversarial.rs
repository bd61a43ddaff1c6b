//! Hostile and odd inputs: every case writes an odd file next to a normal file with a known
//! finding (GW108, a backendRef to a missing Service) and checks that gwlint does not panic or
//! hang, that the odd file ends in a diagnostic, a skip reason or an I/O error naming it, and that
//! the normal file's finding is still reported.
//!
//! The time limits are hang guards, not benchmarks: generous for a debug build on two busy cores.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use gwlint::config::Config;
use gwlint::load::FileStatus;
use gwlint::{Options, Outcome};

/// How long any one case may take: a hang guard, not a timing. The slowest case takes about 8 s
/// alone in a debug build and failed 2 runs in 5 at 20 s beside the rest of the suite on two
/// cores; the inputs are sized so that the quadratic behaviour they guard against takes minutes.
const LIMIT: Duration = Duration::from_secs(90);

/// A Gateway and an HTTPRoute whose backendRef names a Service that does not exist: GW108 at
/// line 23, column 13 (`missing-svc`).
const GOOD: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: shop
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    protocol: HTTP
    port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
  - name: gw
  rules:
  - backendRefs:
    - name: missing-svc
      port: 8080
";
const GOOD_LINE: usize = 23;
const GOOD_COLUMN: usize = 13;

/// Runs `f` on another thread and fails the test if it does not finish within `LIMIT` (a hang
/// then fails the test instead of blocking the suite; the stuck thread ends with the process).
/// Each case gets its own two-thread pool, so that a long case running beside it in the global
/// pool cannot hold its work up and blur the measurement.
fn bounded<T: Send + 'static>(case: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    bounded_within(case, LIMIT, f)
}

fn bounded_within<T: Send + 'static>(
    case: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let handle = std::thread::Builder::new()
        .name(case.to_string())
        .spawn(move || {
            let _ = tx.send(pool.install(f));
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(v) => {
            let _ = handle.join();
            eprintln!("{case}: {:.2} s", start.elapsed().as_secs_f64());
            v
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The closure panicked: re-raise its panic here.
            match handle.join() {
                Err(p) => std::panic::resume_unwind(p),
                Ok(()) => panic!("{case}: worker ended without a result"),
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{case}: did not finish within {limit:?} (hang?)")
        }
    }
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// A temp dir holding `good.yaml`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("good.yaml"), GOOD);
    dir
}

fn lint_paths(paths: Vec<PathBuf>, config: Config) -> Outcome {
    let opts = Options {
        paths,
        config,
        ..Options::default()
    };
    gwlint::lint(&opts, None)
}

/// Lints `dir` with the default configuration, within the time limit.
fn lint(case: &str, dir: &Path) -> Outcome {
    let dir = dir.to_path_buf();
    bounded(case, move || lint_paths(vec![dir], Config::default()))
}

fn file_id(o: &Outcome, path: &Path) -> Option<usize> {
    o.files.iter().position(|f| f.path == path)
}

/// The GW108 of `good.yaml` is reported at its line and column.
#[track_caller]
fn assert_good_finding(o: &Outcome, dir: &Path) {
    let good = dir.join("good.yaml");
    let id = file_id(o, &good).unwrap_or_else(|| panic!("good.yaml not linted: {:?}", o.files));
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.span.file as usize == id && d.rule == "GW108")
        .unwrap_or_else(|| panic!("GW108 of good.yaml missing: {:#?}", o.diagnostics));
    assert!(d.message.contains("missing-svc"), "{}", d.message);
    let pos = o.file(d.span.file).position(d.span.start as usize);
    assert_eq!((pos.line, pos.column), (GOOD_LINE, GOOD_COLUMN));
}

/// The rules of the diagnostics on `path`, and its status.
fn report_on(o: &Outcome, path: &Path) -> (Vec<&'static str>, Option<FileStatus>) {
    let Some(id) = file_id(o, path) else {
        return (vec![], None);
    };
    let rules = o
        .diagnostics
        .iter()
        .filter(|d| d.span.file as usize == id)
        .map(|d| d.rule)
        .collect();
    (rules, Some(o.statuses[id].clone()))
}

/// `path` has a finding of `rule` (and, for YAML003, is skipped for that reason).
#[track_caller]
fn assert_rule_on(o: &Outcome, path: &Path, rule: &str) {
    let (rules, status) = report_on(o, path);
    assert!(
        rules.contains(&rule),
        "{} should have {rule}, has {rules:?} (status {status:?})",
        path.display()
    );
}

/// The message of the first diagnostic of `rule` on `path`.
fn message_of(o: &Outcome, path: &Path, rule: &str) -> String {
    let id = file_id(o, path).expect("file linted");
    o.diagnostics
        .iter()
        .find(|d| d.span.file as usize == id && d.rule == rule)
        .map(|d| d.message.clone())
        .unwrap_or_default()
}

#[track_caller]
fn assert_skipped(o: &Outcome, path: &Path, rule: &str, reason_contains: &str) {
    let (rules, status) = report_on(o, path);
    match status {
        Some(FileStatus::Skipped { rule: r, reason }) => {
            assert_eq!(r, rule);
            assert!(
                reason.contains(reason_contains),
                "reason `{reason}` lacks `{reason_contains}`"
            );
        }
        other => panic!("{} not skipped: {other:?}", path.display()),
    }
    assert!(rules.contains(&rule), "{rule} not reported: {rules:?}");
}

/// Every report format renders, and every diagnostic's position is inside its file.
fn assert_renders(o: &Outcome) {
    for d in &o.diagnostics {
        let f = o.file(d.span.file);
        assert!(
            (d.span.end as usize) <= f.text.len().max(1),
            "{d:?} past the end of {}",
            f.path.display()
        );
        assert!(
            f.text
                .is_char_boundary((d.span.start as usize).min(f.text.len()))
        );
        assert!(
            f.text
                .is_char_boundary((d.span.end as usize).min(f.text.len()))
        );
    }
    for format in [
        gwlint::report::Format::Human,
        gwlint::report::Format::Json,
        gwlint::report::Format::Sarif,
    ] {
        let out = gwlint::report::render(o, format, false);
        assert!(!out.is_empty());
    }
}

fn gwlint_cmd() -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.env("NO_COLOR", "1").timeout(LIMIT);
    c
}

fn is_root() -> bool {
    // Root reads files whatever their mode; probe instead of asking for the uid.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("probe");
    std::fs::write(&p, "x").unwrap();
    set_mode(&p, 0o000);
    let readable = std::fs::read(&p).is_ok();
    set_mode(&p, 0o644);
    readable
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Resource bombs

#[test]
fn alias_bomb_is_cut_off() {
    let dir = repo();
    // Billion laughs: 10 aliases per level, 9 levels: 10^9 nodes if expanded.
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10u8 {
        let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        let refs = vec![format!("*{p}"); 10].join(", ");
        writeln!(bomb, "  {c}: &{c} [{refs}]").unwrap();
    }
    let bomb_path = dir.path().join("bomb.yaml");
    write(&bomb_path, &bomb);
    // The same bomb in the middle of a stream does not take the later documents with it.
    let stream_path = dir.path().join("stream.yaml");
    write(
        &stream_path,
        format!(
            "{bomb}---\napiVersion: v1\nkind: Service\nmetadata: {{name: after, namespace: shop}}\nspec:\n  ports: [{{port: 80}}]\n"
        ),
    );
    let o = lint("alias bomb", dir.path());
    assert_rule_on(&o, &bomb_path, "YAML001");
    assert!(message_of(&o, &bomb_path, "YAML001").contains("alias"));
    assert_rule_on(&o, &stream_path, "YAML001");
    assert_eq!(
        o.statuses[file_id(&o, &stream_path).unwrap()],
        FileStatus::Loaded { documents: 1 }
    );
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn deep_flow_nesting_is_cut_off() {
    let dir = repo();
    let seq = dir.path().join("deep-seq.yaml");
    write(
        &seq,
        format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let map = dir.path().join("deep-map.yaml");
    write(
        &map,
        format!("{}x: 1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000)),
    );
    // Unclosed: the scanner sees the end of input 10,000 levels down.
    let open = dir.path().join("deep-open.yaml");
    write(&open, "[".repeat(10_000));
    let o = lint("deep flow nesting", dir.path());
    for p in [&seq, &map, &open] {
        assert_rule_on(&o, p, "YAML001");
    }
    // The scanner's own limit on flow levels may come first: either way the document is cut off.
    for p in [&seq, &map] {
        let m = message_of(&o, p, "YAML001");
        assert!(
            m.contains("nesting deeper than") || m.contains("recursion limit"),
            "{m}"
        );
    }
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn deep_block_nesting_is_cut_off() {
    let dir = repo();
    // 10,000 block mappings, one space of indentation per level (about 50 MB).
    let map = dir.path().join("deep-block-map.yaml");
    let mut text = String::with_capacity(10_000 * 10_000 / 2 + 40_000);
    for depth in 0..10_000 {
        text.extend(std::iter::repeat_n(' ', depth));
        text.push_str("a:\n");
    }
    text.extend(std::iter::repeat_n(' ', 10_000));
    text.push_str("x\n");
    write(&map, &text);
    drop(text);
    // 10,000 block sequences on one line, and block sequences of mappings.
    let seq = dir.path().join("deep-block-seq.yaml");
    write(&seq, format!("{}x\n", "- ".repeat(10_000)));
    let mixed = dir.path().join("deep-block-mixed.yaml");
    write(&mixed, format!("{}x\n", "- a: ".repeat(5_000)));
    let o = lint("deep block nesting", dir.path());
    for p in [&map, &seq] {
        assert_rule_on(&o, p, "YAML001");
        assert!(message_of(&o, p, "YAML001").contains("nesting deeper than"));
    }
    // `- a: - a:` is not valid YAML (a block sequence cannot start on a key's line): any
    // YAML001 will do.
    assert_rule_on(&o, &mixed, "YAML001");
    assert_good_finding(&o, dir.path());
}

/// Writes `size` bytes of valid YAML (a ConfigMap with many keys) quickly.
fn write_big_yaml(path: &Path, size: usize) {
    let header = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: shop}\ndata:\n";
    let mut chunk = String::new();
    let mut i = 0;
    while chunk.len() < 1 << 20 {
        writeln!(chunk, "  k{i:07}: {}", "v".repeat(50)).unwrap();
        i += 1;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(header.as_bytes()).unwrap();
    let mut written = header.len();
    let mut n = 0;
    while written < size {
        // Keys must stay unique, or the file would be a YAML004 bomb instead.
        let text = chunk.replace("  k", &format!("  c{n}k"));
        f.write_all(text.as_bytes()).unwrap();
        written += text.len();
        n += 1;
    }
    f.flush().unwrap();
}

#[test]
fn file_over_the_default_size_limit_is_skipped() {
    let dir = repo();
    let big = dir.path().join("big.yaml");
    write_big_yaml(&big, 100 << 20);
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size >= 100 << 20);
    let start = Instant::now();
    let o = lint("100 MB file", dir.path());
    assert_skipped(&o, &big, "YAML003", "larger than the limit");
    // Only the limit's worth is read, and it is not kept once skipped.
    let f = &o.files[file_id(&o, &big).unwrap()];
    assert!(f.text.is_empty(), "an oversized file's text is kept");
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
    assert!(start.elapsed() < LIMIT);
}

#[test]
fn max_file_size_from_the_configuration_is_honoured() {
    let dir = repo();
    // About 1 MiB of valid YAML (one chunk).
    let mid = dir.path().join("mid.yaml");
    write_big_yaml(&mid, 4096);
    let mid_len = std::fs::metadata(&mid).unwrap().len();
    assert!(mid_len > 1 << 20, "write_big_yaml writes whole chunks");
    let run = |config: &str| {
        write(&dir.path().join(".gwlint.yaml"), config);
        let out = gwlint_cmd()
            .args(["check", "--format", "json"])
            .arg(dir.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), v)
    };
    let on_mid = |v: &serde_json::Value, rule: &str| {
        v["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["rule"] == rule
                && d["location"]["path"]
                    .as_str()
                    .unwrap()
                    .ends_with("mid.yaml")
        })
    };
    let good_reported = |v: &serde_json::Value| {
        v["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["rule"] == "GW108"
                && d["location"]["path"]
                    .as_str()
                    .unwrap()
                    .ends_with("good.yaml")
        })
    };
    // Lowered below the file's size: skipped with YAML003.
    let (code, v) = run("maxFileSize: 100000\n");
    assert_eq!(code, Some(1));
    assert!(on_mid(&v, "YAML003"), "{v:#}");
    assert!(good_reported(&v));
    // Raised above it: linted, no YAML003.
    let (code, v) = run(&format!("maxFileSize: {}\n", mid_len + 1));
    assert_eq!(code, Some(1));
    assert!(!on_mid(&v, "YAML003"), "{v:#}");
    assert!(good_reported(&v));
    // Exactly the file's size is still allowed.
    let (_, v) = run(&format!("maxFileSize: {mid_len}\n"));
    assert!(!on_mid(&v, "YAML003"), "{v:#}");
    // A limit below the good file skips it too, and its finding goes with it.
    let (_, v) = run("maxFileSize: 10\n");
    assert!(!good_reported(&v));
    assert!(on_mid(&v, "YAML003"));
}

#[test]
fn a_million_tiny_documents_finish() {
    let dir = repo();
    let many = dir.path().join("many.yaml");
    write(&many, "a: 1\n---\n".repeat(1_000_000));
    // The parser's generic code is compiled into this crate, so it runs unoptimised in a debug
    // build: about 13 s here alone, against 3 s for the release binary. Hence a longer limit.
    let path = dir.path().to_path_buf();
    let o = bounded_within("a million documents", Duration::from_secs(180), move || {
        lint_paths(vec![path], Config::default())
    });
    // The last `---` opens one more, empty, document.
    assert_eq!(
        o.statuses[file_id(&o, &many).unwrap()],
        FileStatus::Loaded {
            documents: 1_000_001
        }
    );
    assert_good_finding(&o, dir.path());
}

#[test]
fn many_broken_documents_finish() {
    let dir = repo();
    // Every document is broken: the loader resynchronises 100,000 times.
    let broken = dir.path().join("broken.yaml");
    write(&broken, "a: [1\n---\n".repeat(100_000));
    let o = lint("100,000 broken documents", dir.path());
    let (rules, _) = report_on(&o, &broken);
    assert_eq!(rules.iter().filter(|r| **r == "YAML001").count(), 100_000);
    assert_good_finding(&o, dir.path());
}

// ---------------------------------------------------------------------------------------------
// Encodings and odd bytes

#[test]
fn invalid_utf8_and_nul_bytes_are_skipped() {
    let dir = repo();
    let latin1 = dir.path().join("latin1.yaml");
    write(
        &latin1,
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    );
    let truncated = dir.path().join("truncated.yaml");
    // A multi-byte sequence cut at the end of the file.
    write(
        &truncated,
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xe2\x82",
    );
    let nul = dir.path().join("nul.yaml");
    write(
        &nul,
        b"apiVersion: v1\nkind: Service\0\0\0metadata: {name: x}\n",
    );
    let utf16 = dir.path().join("utf16.yaml");
    let mut bytes = vec![0xff, 0xfe];
    for c in "apiVersion: v1\n".encode_utf16() {
        bytes.extend(c.to_le_bytes());
    }
    write(&utf16, bytes);
    let o = lint("invalid UTF-8 and NUL", dir.path());
    assert_skipped(&o, &latin1, "YAML003", "UTF-8");
    assert_skipped(&o, &truncated, "YAML003", "UTF-8");
    assert_skipped(&o, &nul, "YAML003", "NUL");
    assert_skipped(&o, &utf16, "YAML003", "");
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn crlf_and_bom_keep_positions() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = dir.path().join("good.yaml");
    write(
        &crlf,
        format!("\u{feff}{}", GOOD.replace('\n', "\r\n")).as_bytes(),
    );
    let o = lint("CRLF + BOM", dir.path());
    // Same line and column as the LF file; offsets count from after the BOM.
    assert_good_finding(&o, dir.path());
    let d = o.diagnostics.iter().find(|d| d.rule == "GW108").unwrap();
    let text = &o.file(d.span.file).text;
    assert_eq!(&text[d.span.range()], "missing-svc");
    assert_renders(&o);

    // JSON carries the same line/column, through the binary.
    let out = gwlint_cmd()
        .args(["check", "--format", "json"])
        .arg(&crlf)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "GW108")
        .unwrap()
        .clone();
    assert_eq!(d["location"]["start"]["line"], GOOD_LINE);
    assert_eq!(d["location"]["start"]["column"], GOOD_COLUMN);
    assert_eq!(
        d["location"]["end"]["column"],
        GOOD_COLUMN + "missing-svc".len()
    );

    // A byte order mark may start every document of a stream (files concatenated after the
    // fact), before `---` or after `...`: spans on its line must not shift by one character.
    let dir = tempfile::tempdir().unwrap();
    let route = |name: &str| {
        format!(
            "{{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {{name: {name}, namespace: shop}}, spec: {{parentRefs: [{{name: gw}}], rules: [{{backendRefs: [{{name: bom-missing, port: 80}}]}}]}}}}\n"
        )
    };
    write(
        &dir.path().join("good.yaml"),
        format!(
            "\u{feff}{GOOD}...\n\u{feff}{}\u{feff}--- {}",
            route("r1"),
            route("r2")
        )
        .replace('\n', "\r\n"),
    );
    let o = lint("BOM per document", dir.path());
    assert_good_finding(&o, dir.path());
    let found: Vec<_> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "GW108" && d.message.contains("bom-missing"))
        .collect();
    assert_eq!(found.len(), 2, "{:#?}", o.diagnostics);
    for d in found {
        let f = o.file(d.span.file);
        assert_eq!(&f.text[d.span.range()], "bom-missing");
    }
    assert_renders(&o);

    // Old Mac line breaks (lone CR) are line breaks to YAML and to the line index alike.
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("good.yaml"), GOOD.replace('\n', "\r"));
    let o = lint("lone CR", dir.path());
    assert_good_finding(&o, dir.path());
}

#[test]
fn non_ascii_before_findings_keeps_columns() {
    let dir = tempfile::tempdir().unwrap();
    // Multi-byte characters before the finding on its line and in earlier lines: columns count
    // characters, offsets count bytes.
    let text = GOOD
        .replace("  name: shop\n", "  name: shop # ünïcödé ✓ 🚀\n")
        .replace(
            "    - name: missing-svc\n      port: 8080",
            "    - {name: missing-svc, 🚀: ü, port: 8080}",
        );
    write(&dir.path().join("good.yaml"), &text);
    let o = lint("non-ASCII", dir.path());
    let d = o.diagnostics.iter().find(|d| d.rule == "GW108").unwrap();
    let f = o.file(d.span.file);
    assert_eq!(&f.text[d.span.range()], "missing-svc");
    let pos = f.position(d.span.start as usize);
    assert_eq!((pos.line, pos.column), (GOOD_LINE, 14));
}

#[test]
fn tabs_in_indentation_are_a_syntax_error() {
    let dir = repo();
    let tabs = dir.path().join("tabs.yaml");
    write(
        &tabs,
        "apiVersion: v1\nkind: Service\nmetadata:\n\tname: tabbed\n\tnamespace: shop\n",
    );
    // Tabs as separation inside a line are fine. (The parser rejects a tab right after `:`
    // when a plain scalar follows, `name:\tx`, although YAML 1.2 allows it: not tested here.)
    let ok_tabs = dir.path().join("ok-tabs.yaml");
    write(
        &ok_tabs,
        "apiVersion: v1\t\nkind: Service\nmetadata:\n  name: spaced\t# comment\n  namespace:  \tshop\nspec:\n  ports: [{port: 80}]\n",
    );
    let o = lint("tabs", dir.path());
    assert_rule_on(&o, &tabs, "YAML001");
    let (rules, status) = report_on(&o, &ok_tabs);
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(status, Some(FileStatus::Loaded { documents: 1 }));
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn very_long_lines_finish() {
    let dir = repo();
    // One 1 MB plain scalar.
    let scalar = dir.path().join("long-scalar.yaml");
    write(
        &scalar,
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: long, namespace: shop}}\ndata:\n  k: {}\n",
            "x".repeat(1 << 20)
        ),
    );
    // One 1 MB line with 200,000 nodes, after a non-ASCII character: every node's column must
    // become a byte offset without rescanning the line.
    let flow = dir.path().join("long-flow.yaml");
    let items = vec!["ab"; 200_000].join(",");
    write(
        &flow,
        format!(
            "{{kind: ConfigMap, ü: 1, apiVersion: v1, metadata: {{name: flow, namespace: shop}}, data: [{items}]}}\n"
        ),
    );
    // The same line, broken at its very end.
    let broken = dir.path().join("long-broken.yaml");
    write(&broken, format!("ü: [{items}\n"));
    // A 1 MB key: YAML limits implicit keys to 1024 characters, so this is a syntax error. It is
    // reported at the key's end, in column 1,048,577 (see `findings_past_column_65535_render`).
    let key = dir.path().join("long-key.yaml");
    write(&key, format!("{}: 1\n", "k".repeat(1 << 20)));
    let o = lint("1 MB lines", dir.path());
    for p in [&scalar, &flow] {
        let (rules, status) = report_on(&o, p);
        assert!(rules.is_empty(), "{}: {rules:?}", p.display());
        assert_eq!(status, Some(FileStatus::Loaded { documents: 1 }));
    }
    assert_rule_on(&o, &broken, "YAML001");
    assert_rule_on(&o, &key, "YAML001");
    assert_good_finding(&o, dir.path());
    let without_key = Outcome {
        diagnostics: o
            .diagnostics
            .iter()
            .filter(|d| d.span.file as usize != file_id(&o, &key).unwrap())
            .cloned()
            .collect(),
        files: o.files,
        ..Outcome::default()
    };
    assert_renders(&without_key);
}

/// Minified JSON (`kubectl get -o json | jq -c`) puts a whole List on one line, so findings sit
/// in columns past 65,535. The human report must still render.
#[test]
fn findings_past_column_65535_render() {
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        concat!(
            r#"{{"apiVersion":"v1","kind":"List","items":["#,
            r#"{{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{{"name":"gw","namespace":"shop","annotations":{{"pad":"{}"}}}},"spec":{{"gatewayClassName":"istio","listeners":[{{"name":"http","protocol":"HTTP","port":80}}]}}}},"#,
            r#"{{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{{"name":"shop","namespace":"shop"}},"spec":{{"parentRefs":[{{"name":"gw"}}],"rules":[{{"backendRefs":[{{"name":"missing-svc","port":8080}}]}}]}}}}]}}"#,
            "\n"
        ),
        "x".repeat(70_000)
    );
    let path = dir.path().join("list.yaml");
    write(&path, &list);
    let o = lint("one-line JSON List", dir.path());
    assert_rule_on(&o, &path, "GW108");
    let out = gwlint_cmd()
        .args(["check", "--format", "human"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("GW108"));
    assert_renders(&o);
}

// ---------------------------------------------------------------------------------------------
// The file system

#[test]
fn symlink_loops_and_links_out_of_the_tree_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let outside_file = outside.path().join("outside.yaml");
    write(&outside_file, "a: [unclosed\n");
    let dir = repo();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    // A directory link to its parent, with and without a YAML name.
    symlink("..", sub.join("up")).unwrap();
    symlink("..", sub.join("up.yaml")).unwrap();
    // A link to itself (ELOOP), a dangling link, a link out of the tree, a link to a file inside.
    symlink("self.yaml", sub.join("self.yaml")).unwrap();
    symlink("nowhere.yaml", sub.join("dangling.yaml")).unwrap();
    symlink(&outside_file, sub.join("out.yaml")).unwrap();
    symlink("../good.yaml", sub.join("alias.yaml")).unwrap();
    let o = lint("symlinks", dir.path());
    assert!(o.io_errors.is_empty(), "{:?}", o.io_errors);
    let names: Vec<_> = o.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(names, vec![dir.path().join("good.yaml")], "{:?}", o.notes);
    for (name, why) in [
        ("up.yaml", "symlink to a directory"),
        ("self.yaml", "broken symlink"),
        ("dangling.yaml", "broken symlink"),
        ("out.yaml", "out of the tree"),
        ("alias.yaml", "same file"),
    ] {
        let p = sub.join(name);
        assert!(
            o.notes
                .iter()
                .any(|n| n.contains(&*p.to_string_lossy()) && n.contains(why)),
            "no note `{why}` for {name}: {:#?}",
            o.notes
        );
    }
    // No finding was reported twice through the link.
    assert_eq!(
        o.diagnostics.iter().filter(|d| d.rule == "GW108").count(),
        1
    );
    assert_good_finding(&o, dir.path());

    // Walking the loop itself, and naming the links on the command line.
    let paths = vec![
        sub.join("up"),
        sub.join("out.yaml"),
        dir.path().to_path_buf(),
    ];
    let o = bounded("symlinks on the command line", move || {
        lint_paths(paths, Config::default())
    });
    // A file named on the command line is linted wherever it lives.
    assert_rule_on(&o, &sub.join("out.yaml"), "YAML001");
    assert_eq!(
        o.diagnostics.iter().filter(|d| d.rule == "GW108").count(),
        1,
        "the same file reached twice is linted once"
    );
}

#[test]
fn unreadable_file_exits_2_and_names_the_file() {
    let dir = repo();
    let locked = dir.path().join("locked.yaml");
    write(&locked, GOOD);
    set_mode(&locked, 0o000);
    if is_root() {
        // Root reads a mode-000 file: nothing to assert for it. /proc/self/mem is a regular
        // file whose first read fails (EIO) even for root, so it stands in.
        eprintln!("note: running as root; chmod 000 does not make a file unreadable");
        let mem = Path::new("/proc/self/mem");
        if std::fs::read(mem).is_ok() {
            eprintln!("note: /proc/self/mem is readable here; unreadable-file case skipped");
            return;
        }
        let out = gwlint_cmd()
            .args(["check"])
            .arg(dir.path().join("good.yaml"))
            .arg(mem)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("/proc/self/mem"), "{stderr}");
        assert!(stdout.contains("GW108"), "{stdout}");
        return;
    }
    let out = gwlint_cmd()
        .args(["check", "--format", "human"])
        .arg(dir.path())
        .output()
        .unwrap();
    set_mode(&locked, 0o644);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("locked.yaml"), "{stderr}");
    assert!(stdout.contains("GW108"), "{stdout}");
}

#[test]
fn unreadable_directory_exits_2() {
    if is_root() {
        eprintln!("note: running as root; an unreadable directory cannot be made");
        return;
    }
    let dir = repo();
    let locked = dir.path().join("locked");
    write(&locked.join("x.yaml"), GOOD);
    set_mode(&locked, 0o000);
    let out = gwlint_cmd().arg("check").arg(dir.path()).output().unwrap();
    set_mode(&locked, 0o755);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("locked"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("GW108"));
}

#[test]
fn directory_named_like_yaml_and_fifo_in_the_tree_are_not_read_as_files() {
    let dir = repo();
    let xdir = dir.path().join("x.yaml");
    std::fs::create_dir(&xdir).unwrap();
    let inner = xdir.join("inner.yaml");
    write(&inner, "a: [unclosed\n");
    // A FIFO in the tree would block a reader forever: walking passes it over.
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let o = lint("x.yaml directory", dir.path());
    assert!(o.io_errors.is_empty(), "{:?}", o.io_errors);
    assert!(
        file_id(&o, &xdir).is_none(),
        "a directory was read as a file"
    );
    assert!(file_id(&o, &fifo).is_none(), "a FIFO was read");
    if made {
        assert!(
            o.notes
                .iter()
                .any(|n| n.contains("pipe.yaml") && n.contains("not a regular file")),
            "{:?}",
            o.notes
        );
    }
    assert_rule_on(&o, &inner, "YAML001");
    assert_good_finding(&o, dir.path());

    // Named on the command line, the directory is walked.
    let out = gwlint_cmd()
        .args(["check", "--format", "json"])
        .arg(&xdir)
        .arg(dir.path().join("good.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("YAML001") && stdout.contains("GW108"),
        "{stdout}"
    );
    if made {
        // Named on the command line, a pipe is read like a file, as for
        // `gwlint check <(kustomize build .)`, which names /dev/fd/63.
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, "a: [unclosed\n").unwrap())
        };
        let out = gwlint_cmd()
            .args(["check", "--format", "json"])
            .arg(&fifo)
            .arg(dir.path().join("good.yaml"))
            .output()
            .unwrap();
        writer.join().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let on = |rule: &str, file: &str| {
            v["diagnostics"].as_array().unwrap().iter().any(|d| {
                d["rule"] == rule && d["location"]["path"].as_str().unwrap().ends_with(file)
            })
        };
        assert!(
            on("YAML001", "pipe.yaml") && on("GW108", "good.yaml"),
            "{v:#}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// YAML features

#[test]
fn tags_and_merge_keys() {
    let dir = repo();
    let tags = dir.path().join("tags.yaml");
    write(
        &tags,
        "\
apiVersion: v1
kind: Service
metadata:
  name: !!str tagged
  namespace: !Ref shop
  labels: !!map {a: !!str 443, b: !custom {x: 1}}
spec:
  ports:
  - port: !!int 443
  - port: !!str 444
  - port: !Ref 445
---
!!map
apiVersion: !!str v1
kind: !<tag:yaml.org,2002:str> ConfigMap
metadata: {name: !local x, namespace: shop}
data: !!binary aGVsbG8=
",
    );
    let merge = dir.path().join("merge.yaml");
    write(
        &merge,
        "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: merged
  namespace: shop
spec:
  parentRefs:
  - name: gw
  rules:
  - backendRefs:
    - &ref
      name: merged-missing
      port: 8080
    - <<: *ref
      name: merged-other
    - <<: [*ref, {weight: 2}]
---
base: &base {a: 1}
self: &self
  <<: *base
merge-into-scalar:
  <<: 1
merge-of-unknown:
  <<: *nope
",
    );
    let o = lint("tags and merge keys", dir.path());
    let (rules, status) = report_on(&o, &tags);
    assert!(
        !rules.contains(&"YAML001"),
        "tags are valid YAML: {rules:?} {status:?}"
    );
    assert_eq!(status, Some(FileStatus::Loaded { documents: 2 }));
    // Merged backendRefs resolve like written ones.
    let merge_id = file_id(&o, &merge).unwrap();
    let missing: Vec<_> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "GW108" && d.span.file as usize == merge_id)
        .map(|d| d.message.clone())
        .collect();
    assert!(
        missing.iter().any(|m| m.contains("merged-other")),
        "{missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.contains("merged-missing")),
        "{missing:?}"
    );
    // The alias to an unknown anchor breaks the second document only.
    assert_rule_on(&o, &merge, "YAML001");
    assert!(message_of(&o, &merge, "YAML001").contains("unknown anchor"));
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn duplicate_keys_are_reported() {
    let dir = repo();
    let dup = dir.path().join("dup.yaml");
    write(
        &dup,
        "\
apiVersion: v1
kind: Service
metadata:
  name: a
  name: b
  namespace: shop
spec:
  ports: [{port: 80, port: 81}]
  1: x
  1: y
  true: x
  true: y
  ? [complex]
  : x
  ? [complex]
  : y
",
    );
    // Ten thousand copies of one key: reported, and not quadratically slow to find.
    let many = dir.path().join("many-dups.yaml");
    write(&many, "k: v\n".repeat(10_000));
    let o = lint("duplicate keys", dir.path());
    let (rules, _) = report_on(&o, &dup);
    assert!(
        rules.iter().filter(|r| **r == "YAML004").count() >= 4,
        "{rules:?}"
    );
    let (rules, _) = report_on(&o, &many);
    assert_eq!(rules.iter().filter(|r| **r == "YAML004").count(), 9_999);
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn degenerate_files() {
    let dir = repo();
    let cases: &[(&str, &str)] = &[
        ("empty.yaml", ""),
        ("only-comment.yaml", "# nothing here\n"),
        ("only-separators.yaml", "---\n---\n...\n---\n"),
        ("only-bom.yaml", "\u{feff}"),
        ("bom-per-document.yaml", "\u{feff}a: 1\n---\n\u{feff}b: 2\n"),
        ("scalar-root.yaml", "just a string\n"),
        ("list-root.yaml", "- 1\n- 2\n"),
        ("null-kind.yaml", "kind:\napiVersion:\nmetadata:\n"),
        (
            "numbers.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: n, namespace: shop}\nspec:\n  ports:\n  - port: 99999999999999999999999999\n  - port: -1\n  - port: .inf\n  - port: .nan\n  - port: 0x7fffffffffffffff\n  - port: 1e999\n",
        ),
        (
            "wrong-types.yaml",
            "apiVersion: [v1]\nkind: {a: b}\nmetadata: 7\nspec: []\n",
        ),
        (
            "route-wrong-types.yaml",
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: [x], namespace: {y: 1}}\nspec:\n  parentRefs: {name: gw}\n  rules:\n  - backendRefs: [1, null, [], {name: 5, port: x}]\n  - backendRefs: 7\n",
        ),
        (
            "unicode-separators.yaml",
            "a: \u{2028}b\u{85}c\u{2029}\nd: \"\u{0}\\0\"\n",
        ),
        (
            "template.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
        ),
        (
            "directive.yaml",
            "%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n",
        ),
        ("bad-directive.yaml", "%YAML 9.9\n---\na: 1\n"),
    ];
    for (name, text) in cases {
        write(&dir.path().join(name), text);
    }
    let o = lint("degenerate files", dir.path());
    for (name, _) in cases {
        let (_, status) = report_on(&o, &dir.path().join(name));
        assert!(status.is_some(), "{name} not linted");
    }
    assert_rule_on(&o, &dir.path().join("template.yaml"), "YAML002");
    assert_good_finding(&o, dir.path());
    assert_renders(&o);
}

#[test]
fn large_fan_out_of_findings_in_one_document_finishes() {
    let dir = repo();
    // One HTTPRoute with 5,000 backendRefs to missing Services: 5,000 findings in one document.
    let mut route = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: fan, namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n",
    );
    for i in 0..5_000 {
        writeln!(route, "    - {{name: missing-{i}, port: 80}}").unwrap();
    }
    let fan = dir.path().join("fan.yaml");
    write(&fan, &route);
    let o = lint("5,000 findings in one document", dir.path());
    let (rules, _) = report_on(&o, &fan);
    assert_eq!(rules.iter().filter(|r| **r == "GW108").count(), 5_000);
    assert_good_finding(&o, dir.path());
}

/// A crowded namespace: 3,000 routes into a namespace holding 1,000 ReferenceGrants, and 800
/// writers of four Secrets. Each finding names a few of the others, not all of them, and reports
/// stay in proportion to the findings (each used to list every grant: output in the square of
/// the input).
#[test]
fn crowded_namespaces_keep_findings_and_reports_bounded() {
    let dir = repo();
    let mut routes = String::new();
    for i in 0..3_000 {
        writeln!(
            routes,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{i}, namespace: apps}}\nspec:\n  parentRefs: [{{name: gw, namespace: shop}}]\n  rules:\n  - backendRefs: [{{name: svc, namespace: backends, port: 80}}]"
        )
        .unwrap();
    }
    write(&dir.path().join("routes.yaml"), &routes);
    let mut grants = String::from(
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: backends}\nspec:\n  ports: [{port: 80}]\n",
    );
    for i in 0..1_000 {
        writeln!(
            grants,
            "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: g{i}, namespace: backends}}\nspec:\n  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other{i}}}]\n  to: [{{group: \"\", kind: Service}}]"
        )
        .unwrap();
    }
    write(&dir.path().join("grants.yaml"), &grants);
    let mut writers = String::new();
    for i in 0..400 {
        writeln!(
            writers,
            "---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {{name: c{i}, namespace: shop}}\nspec:\n  secretName: tls-{}\n  dnsNames: [a.example.com]\n  issuerRef: {{name: ca, kind: ClusterIssuer}}\n---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {{name: e{i}, namespace: shop}}\nspec:\n  secretStoreRef: {{name: kv, kind: ClusterSecretStore}}\n  target: {{name: tls-{}}}\n  data: [{{secretKey: tls.crt, remoteRef: {{key: k{i}}}}}]",
            i % 4,
            i % 4
        )
        .unwrap();
    }
    write(&dir.path().join("writers.yaml"), &writers);
    let o = lint("crowded namespaces", dir.path());
    let count = |rule: &str| o.diagnostics.iter().filter(|d| d.rule == rule).count();
    assert_eq!(count("GW110"), 3_000);
    assert_eq!(count("SEC401"), 800);
    for d in &o.diagnostics {
        assert!(
            d.related.len() <= gwlint::diagnostic::MAX_RELATED,
            "{} has {} related",
            d.rule,
            d.related.len()
        );
    }
    let gw110 = o.diagnostics.iter().find(|d| d.rule == "GW110").unwrap();
    let last = &gw110.related.last().unwrap().message;
    assert!(last.ends_with("(and 990 more not shown)"), "{last}");
    let sec401 = o.diagnostics.iter().find(|d| d.rule == "SEC401").unwrap();
    assert!(sec401.message.contains("(191 more)"), "{}", sec401.message);
    let last = &sec401.related.last().unwrap().message;
    assert!(last.ends_with("(and 189 more not shown)"), "{last}");
    assert_good_finding(&o, dir.path());
    let findings = o.diagnostics.len();
    let o = std::sync::Arc::new(o);
    for format in [
        gwlint::report::Format::Human,
        gwlint::report::Format::Json,
        gwlint::report::Format::Sarif,
    ] {
        let o = o.clone();
        let out = bounded("crowded namespaces report", move || {
            gwlint::report::render(&o, format, false).len()
        });
        assert!(
            out < findings * 8_000,
            "{format:?}: {out} bytes for {findings} findings"
        );
    }
}

/// 2,000 Gateways serving one name with one Secret that 2,000 Certificates write, and 2,000 A
/// records for that name: what is known about a name or a Secret is worked out once, not once
/// per listener or record.
#[test]
fn many_gateways_sharing_one_name_and_one_secret_finish() {
    let dir = repo();
    let mut text = String::from(
        "apiVersion: network.azure.com/v1api20200601\nkind: PrivateDnsZone\nmetadata: {name: internal.example.com, namespace: infra}\nspec: {location: global, owner: {name: rg}}\n",
    );
    for i in 0..2_000 {
        let (a, b) = (i / 250, i % 250);
        writeln!(
            text,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: gw{i}, namespace: infra}}\nspec:\n  gatewayClassName: istio\n  addresses: [{{value: 10.0.{a}.{b}}}]\n  listeners:\n  - {{name: https, protocol: HTTPS, port: 443, hostname: same.internal.example.com, tls: {{certificateRefs: [{{name: tls}}]}}}}\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {{name: c{i}, namespace: infra}}\nspec: {{secretName: tls, dnsNames: [other.internal.example.com], issuerRef: {{name: ca, kind: ClusterIssuer}}}}\n---\napiVersion: network.azure.com/v1api20200601\nkind: PrivateDnsZonesARecord\nmetadata: {{name: same-{i}, namespace: infra}}\nspec: {{azureName: same, owner: {{name: internal.example.com}}, aRecords: [{{ipv4Address: 10.9.{a}.{b}}}]}}"
        )
        .unwrap();
    }
    let crowded = dir.path().join("crowded.yaml");
    write(&crowded, &text);
    let o = lint("2,000 Gateways sharing a name and a Secret", dir.path());
    let (rules, _) = report_on(&o, &crowded);
    let count = |rule: &str| rules.iter().filter(|r| **r == rule).count();
    // Every record points at an address no Gateway asks for; no listener's certificate covers
    // the name it serves.
    assert_eq!(count("DNS302"), 2_000);
    assert_eq!(count("TLS208"), 2_000);
    let tls208 = o.diagnostics.iter().find(|d| d.rule == "TLS208").unwrap();
    assert!(
        tls208
            .related
            .last()
            .unwrap()
            .message
            .ends_with("(and 1990 more not shown)"),
        "{:?}",
        tls208.related.last()
    );
    assert_good_finding(&o, dir.path());
}

/// 3,000 routes whose Gateway `gw` is missing from their namespace, with 3,000 Gateways named
/// `gw` elsewhere and 3,000 other objects named `gw`: each hint looks up its own kind.
#[test]
fn dangling_refs_to_a_common_name_finish() {
    let dir = repo();
    let mut text = String::new();
    for i in 0..3_000 {
        writeln!(
            text,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r, namespace: a{i}}}\nspec:\n  parentRefs: [{{name: gw}}]\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: gw, namespace: g{i}}}\nspec:\n  gatewayClassName: istio\n  listeners: [{{name: http, protocol: HTTP, port: 80}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: gw, namespace: a{i}}}"
        )
        .unwrap();
    }
    let common = dir.path().join("common.yaml");
    write(&common, &text);
    let o = lint("3,000 dangling refs to a common name", dir.path());
    let hints: Vec<&gwlint::diagnostic::Diagnostic> =
        o.diagnostics.iter().filter(|d| d.rule == "GW101").collect();
    assert_eq!(hints.len(), 3_000);
    assert!(
        hints.iter().all(|d| d.related.len() == 1
            && d.related[0].message == "Gateway `gw` exists in namespace `g0`"),
        "{:?}",
        hints[0].related
    );
    assert_good_finding(&o, dir.path());
}

/// Suppressions are looked up by line and object, not tested against every finding: 20,000
/// comments over 20,000 findings in one file, and 5,000 annotated objects.
#[test]
fn many_suppressions_each_silence_their_own_findings() {
    let dir = repo();
    let mut text = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: fan, namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n",
    );
    let mut unused_lines = Vec::new();
    for i in 0..20_000 {
        // The last ten name a rule that does not fire there: each is reported as unused.
        let rule = if i >= 19_990 { "GW109" } else { "GW108" };
        if i >= 19_990 {
            unused_lines.push(text.lines().count() + 1);
        }
        writeln!(text, "    # gwlint-ignore: {rule} created elsewhere").unwrap();
        writeln!(text, "    - {{name: missing-{i}, port: 80}}").unwrap();
    }
    let commented = dir.path().join("commented.yaml");
    write(&commented, &text);
    let mut annotated = String::new();
    for i in 0..5_000 {
        writeln!(
            annotated,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r{i}\n  namespace: shop\n  annotations: {{gwlint.io/ignore: GW108}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules:\n  - backendRefs: [{{name: gone-{i}, port: 80}}]"
        )
        .unwrap();
    }
    let annotated_path = dir.path().join("annotated.yaml");
    write(&annotated_path, &annotated);
    let o = lint("25,000 suppressions", dir.path());
    let (rules, _) = report_on(&o, &commented);
    assert_eq!(rules.iter().filter(|r| **r == "GW108").count(), 10);
    assert_eq!(rules.iter().filter(|r| **r == "GWL001").count(), 10);
    let id = file_id(&o, &commented).unwrap();
    let file = &o.files[id];
    let mut lines: Vec<usize> = o
        .diagnostics
        .iter()
        .filter(|d| d.rule == "GWL001" && d.span.file as usize == id)
        .map(|d| file.lines().line_of(d.span.start as usize) + 1)
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, unused_lines);
    let (rules, _) = report_on(&o, &annotated_path);
    assert!(
        rules.is_empty(),
        "{} findings: {:?}",
        rules.len(),
        &rules[..5.min(rules.len())]
    );
    assert_eq!(o.suppressed, 20_000 - 10 + 5_000);
    assert_good_finding(&o, dir.path());
}

/// Lists far over their maxItems: the schema rules over them are quadratic (every listener
/// against every other), and each finding about one parentRef must not list every listener.
#[test]
fn lists_far_over_their_bounds_finish() {
    let dir = repo();
    let mut text = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec:\n  gatewayClassName: istio\n  listeners:\n",
    );
    for i in 0..5_000 {
        writeln!(
            text,
            "  - {{name: l{i}, protocol: HTTP, port: 80, hostname: h{i}.example.com}}"
        )
        .unwrap();
    }
    text.push_str("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec:\n  parentRefs:\n");
    for i in 0..5_000 {
        writeln!(text, "  - {{name: gw, sectionName: s{i}}}").unwrap();
    }
    let big = dir.path().join("big.yaml");
    write(&big, &text);
    let o = lint("5,000 listeners and 5,000 parentRefs", dir.path());
    let (rules, _) = report_on(&o, &big);
    assert_eq!(
        rules.iter().filter(|r| **r == "API505").count(),
        2,
        "{rules:?}"
    );
    assert_eq!(rules.iter().filter(|r| **r == "GW102").count(), 5_000);
    let gw102 = message_of(&o, &big, "GW102");
    assert!(gw102.len() < 300, "{gw102}");
    let help = o
        .diagnostics
        .iter()
        .find(|d| d.rule == "GW102")
        .and_then(|d| d.help.clone())
        .unwrap_or_default();
    assert!(help.contains("(4992 more)"), "{help}");
    assert_good_finding(&o, dir.path());
}

#[test]
fn nested_anchors_and_many_small_alias_bombs_are_cut_off() {
    let dir = repo();
    // 190 anchored sequences nested in each other around 300,000 scalars (900 kB, no alias at
    // all): each anchor copies its subtree when it closes, 190 × 300,000 nodes (2.7 GB) if
    // nothing stopped it.
    let mut text = String::from("a: ");
    for i in 0..190 {
        write!(text, "&n{i} [").unwrap();
    }
    text.push_str(&vec!["x"; 300_000].join(", "));
    text.push_str(&"]".repeat(190));
    text.push('\n');
    let nested = dir.path().join("nested-anchors.yaml");
    write(&nested, &text);
    // 2,000 documents, each an alias bomb just under any per-document limit (90,000 nodes from
    // 250 bytes): 180 million nodes for the file if each document had its own budget.
    let mut small = String::new();
    let levels = "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
                  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                  e: [*d, *d, *d, *d, *d, *d, *d]\n";
    for _ in 0..2_000 {
        small.push_str("---\n");
        small.push_str(levels);
    }
    let many = dir.path().join("many-bombs.yaml");
    write(&many, &small);
    // Ordinary use of anchors and merge keys across many documents stays well inside the budget.
    let mut ordinary = String::new();
    for i in 0..2_000 {
        writeln!(
            ordinary,
            "---\ndefaults: &d {{protocol: TCP, port: 80}}\nports:\n- <<: *d\n  name: p{i}\n- *d\n- *d"
        )
        .unwrap();
    }
    let fine = dir.path().join("ordinary-anchors.yaml");
    write(&fine, &ordinary);
    let o = lint("nested anchors and many small bombs", dir.path());
    assert_rule_on(&o, &nested, "YAML001");
    assert!(message_of(&o, &nested, "YAML001").contains("alias bomb"));
    assert_rule_on(&o, &many, "YAML001");
    let (rules, status) = report_on(&o, &many);
    assert!(rules.len() > 1_900, "{} findings", rules.len());
    assert!(matches!(status, Some(FileStatus::Loaded { documents }) if documents < 100));
    let (rules, status) = report_on(&o, &fine);
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(status, Some(FileStatus::Loaded { documents: 2_000 }));
    assert_good_finding(&o, dir.path());
}

// ---------------------------------------------------------------------------------------------
// Standard input

#[test]
fn hostile_standard_input() {
    for (case, bytes) in [
        ("stdin: NUL", b"a: 1\0".to_vec()),
        ("stdin: latin1", b"a: caf\xe9\n".to_vec()),
        ("stdin: deep", "[".repeat(10_000).into_bytes()),
        ("stdin: empty", Vec::new()),
    ] {
        let o = bounded(case, move || {
            let opts = Options {
                paths: vec!["-".into()],
                ..Options::default()
            };
            gwlint::lint(&opts, Some(bytes))
        });
        assert_eq!(o.files.len(), 1);
        assert!(o.io_errors.is_empty());
        assert_renders(&o);
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism with enough files that the threads really interleave

#[test]
fn output_is_identical_across_thread_counts_on_a_large_input() {
    let dir = tempfile::tempdir().unwrap();
    // 2,000 files in 40 directories: routes with findings, Services, broken and duplicate-key
    // files, so every format has plenty to order.
    for i in 0..2_000 {
        let sub = dir.path().join(format!("team-{:02}", i % 40));
        let text = match i % 5 {
            0 => GOOD.replace("name: shop", &format!("name: shop-{i}")),
            1 => format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: shop}}\nspec:\n  ports: [{{port: 80}}]\n"
            ),
            2 => format!("a: [broken-{i}\n---\nb: 1\nb: 2\n"),
            3 => format!(
                "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r-{i}, namespace: shop}}\nspec:\n  parentRefs: [{{name: gw-{i}}}]\n  rules:\n  - backendRefs: [{{name: svc-{}, port: 81}}]\n",
                i - 2
            ),
            _ => format!(
                "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {{name: c-{i}, namespace: shop}}\nspec:\n  secretName: s-{i}\n  issuerRef: {{name: issuer-{i}}}\n  dnsNames: [a{i}.example.com]\n"
            ),
        };
        write(&sub.join(format!("f-{i:04}.yaml")), text);
    }
    for format in ["sarif", "human", "json"] {
        let run = |threads: &str| {
            let out = gwlint_cmd()
                .timeout(Duration::from_secs(120))
                .env("RAYON_NUM_THREADS", threads)
                .args(["check", "--format", format])
                .arg(dir.path())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            out.stdout
        };
        let one = run("1");
        let two = run("2");
        assert!(one.len() > 100_000, "{format}: only {} bytes", one.len());
        assert!(
            one == two,
            "{format} output differs between 1 and 2 threads"
        );
    }
}
