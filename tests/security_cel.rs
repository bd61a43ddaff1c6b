//! Hostile CustomResourceDefinitions in a linted repository (gwlint lints untrusted pull
//! requests in CI): validation rules whose cost has no bound, and CRDs that claim core or
//! built-in kinds such as `Secret`.
//!
//! The assertions are on the findings (API508: the rule was not evaluated, and why); the time
//! limits are hang guards only, generous for a debug build on two busy cores.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use gwlint::config::Config;
use gwlint::{Options, Outcome};

const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` on another thread, in a pool of `threads`, and fails if it does not finish in time.
fn bounded<T: Send + 'static>(
    case: &str,
    threads: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let handle = std::thread::Builder::new()
        .name(case.to_string())
        .spawn(move || {
            let _ = tx.send(pool.install(f));
        })
        .unwrap();
    match rx.recv_timeout(LIMIT) {
        Ok(v) => {
            let _ = handle.join();
            eprintln!("{case}: {:.2} s", start.elapsed().as_secs_f64());
            v
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(p) => std::panic::resume_unwind(p),
            Ok(()) => panic!("{case}: worker ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{case}: did not finish within {LIMIT:?} (hang?)")
        }
    }
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn lint_dir(case: &str, dir: &Path, threads: usize, select: &[&str]) -> Outcome {
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        config: Config::default(),
        select: select.iter().map(|s| s.to_string()).collect(),
        ..Options::default()
    };
    bounded(case, threads, move || gwlint::lint(&opts, None))
}

/// A CRD `<plural>.<group>` for `kind` whose `spec.xs` (a list of integers) carries `rules`.
fn crd(group: &str, kind: &str, plural: &str, rules: &[&str]) -> String {
    let mut r = String::new();
    for rule in rules {
        let _ = write!(
            r,
            "\n                - rule: {rule:?}\n                  message: xs are wrong"
        );
    }
    format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group:?}
  names: {{kind: {kind}, plural: {plural}}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              xs:
                type: array
                items: {{type: integer}}
                x-kubernetes-validations:{r}
"
    )
}

/// `count` objects of `kind` in one file, each with `spec.xs` holding `0..n`.
fn objects(api_version: &str, kind: &str, n: usize, count: usize) -> String {
    let mut out = String::new();
    for c in 0..count {
        let _ = write!(
            out,
            "---\napiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: o{c}\n  namespace: ns\nspec:\n  xs:\n"
        );
        for i in 0..n {
            let _ = writeln!(out, "  - {i}");
        }
    }
    out
}

fn with_rule<'o>(o: &'o Outcome, rule: &str) -> Vec<&'o gwlint::diagnostic::Diagnostic> {
    o.diagnostics.iter().filter(|d| d.rule == rule).collect()
}

/// A repository with one CRD (`nums.example.com`, kind Num) and one object with `n` items.
fn one_rule_repo(rule: &str, n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("crd.yaml"),
        &crd("example.com", "Num", "nums", &[rule]),
    );
    write(
        &dir.path().join("obj.yaml"),
        &objects("example.com/v1", "Num", n, 1),
    );
    dir
}

#[track_caller]
fn assert_skipped_for_cost(o: &Outcome) {
    let skipped = with_rule(o, "API508");
    assert_eq!(skipped.len(), 1, "{:#?}", o.diagnostics);
    let m = &skipped[0].message;
    assert!(
        m.contains("was not evaluated") && m.contains("estimated cost") && m.contains("1000000"),
        "{m}"
    );
    assert!(with_rule(o, "API504").is_empty(), "{:#?}", o.diagnostics);
}

#[test]
fn triple_nested_all_is_not_evaluated_past_the_budget() {
    // Before: 30-45 s at 400 items and about 11 minutes at 1,000 (release build).
    let rule = "self.all(a, self.all(b, self.all(c, a + b + c >= 0)))";
    for n in [400, 1000] {
        let dir = one_rule_repo(rule, n);
        let o = lint_dir(&format!("triple all, {n} items"), dir.path(), 2, &[]);
        assert_skipped_for_cost(&o);
    }
}

#[test]
fn nested_map_is_not_evaluated_past_the_budget() {
    // Before: 1.7 GB of memory at 400 items.
    let rule = "self.map(a, self.map(b, self.map(c, a+b+c))).size() > 0";
    let dir = one_rule_repo(rule, 400);
    let o = lint_dir("triple map, 400 items", dir.path(), 2, &[]);
    assert_skipped_for_cost(&o);
}

#[test]
fn the_same_rule_on_a_short_list_still_runs() {
    // Cheap on 10 items: evaluated, and it fails there.
    let dir = one_rule_repo("self.all(a, self.all(b, self.all(c, a + b + c < 20)))", 10);
    let o = lint_dir("triple all, 10 items", dir.path(), 2, &[]);
    assert_eq!(with_rule(&o, "API504").len(), 1, "{:#?}", o.diagnostics);
    assert!(with_rule(&o, "API508").is_empty(), "{:#?}", o.diagnostics);
}

/// Ten rules, each estimated just under the per-rule budget on 300 items but cheap to run
/// (`exists` stops at the first match): each object costs nearly the per-object budget, and a
/// hundred and ten of them more than the run's budget.
fn many_objects_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules: Vec<String> = (0..10)
        .map(|i| format!("self.exists(a, self.exists(b, a + {i} >= b))"))
        .collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    write(
        &dir.path().join("crd.yaml"),
        &crd("example.com", "Num", "nums", &rules),
    );
    for f in 0..11 {
        write(
            &dir.path().join(format!("objs{f:02}.yaml")),
            &objects("example.com/v1", "Num", 300, 10),
        );
    }
    dir
}

#[test]
fn many_objects_spend_the_run_budget_once() {
    let dir = many_objects_repo();
    let o = lint_dir("many objects", dir.path(), 2, &[]);
    let skipped = with_rule(&o, "API508");
    assert_eq!(skipped.len(), 1, "{:#?}", skipped);
    let m = &skipped[0].message;
    assert!(
        m.contains("were not evaluated") && m.contains("per run") && m.contains("1000000000"),
        "{m}"
    );
    // Per rule and per object, everything was within budget.
    assert!(!m.contains("per object"), "{m}");
    // The same objects are checked whatever the thread count.
    let one = lint_dir("many objects, one thread", dir.path(), 1, &[]);
    let messages = |o: &Outcome| -> Vec<(String, u32)> {
        o.diagnostics
            .iter()
            .map(|d| (d.message.clone(), d.span.start))
            .collect()
    };
    assert_eq!(messages(&o), messages(&one));
}

const PASSWORD: &str = "hunter2-do-not-print";

fn secret_repo(group: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("crd.yaml"),
        &format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: secrets.{group}
spec:
  group: {group:?}
  names: {{kind: Secret, plural: secrets}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          data:
            type: object
            additionalProperties:
              type: string
              maxLength: 3
              pattern: '^x$'
            x-kubernetes-validations:
            - rule: self.password == 'nope'
              message: static message
              messageExpression: self.password
"
        ),
    );
    let api_version = if group.is_empty() {
        "v1".to_string()
    } else {
        format!("{group}/v1")
    };
    write(
        &dir.path().join("secret.yaml"),
        &format!(
            "apiVersion: {api_version}
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: {PASSWORD}
"
        ),
    );
    dir
}

fn run_formats(dir: &Path) -> Vec<(String, String)> {
    ["human", "json", "sarif", "github", "junit"]
        .iter()
        .map(|f| {
            let out = Command::cargo_bin("gwlint")
                .unwrap()
                .env("NO_COLOR", "1")
                .timeout(LIMIT)
                .args(["check", "--fail-on", "never", "--format", f])
                .arg(dir)
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (f.to_string(), text)
        })
        .collect()
}

#[test]
fn a_core_group_secret_crd_is_ignored() {
    let dir = secret_repo("");
    let o = lint_dir("core Secret CRD", dir.path(), 2, &[]);
    for d in &o.diagnostics {
        assert!(!d.rule.starts_with("API50"), "{d:#?}");
        assert!(!d.message.contains(PASSWORD), "{d:#?}");
    }
    for (format, text) in run_formats(dir.path()) {
        assert!(!text.contains(PASSWORD), "{format}: {text}");
    }
}

#[test]
fn a_secret_kind_never_gets_message_expressions_nor_quoted_values() {
    // A CRD of its own group for a kind named Secret: validated, but its values stay out of
    // every message.
    let dir = secret_repo("evil.example.com");
    let o = lint_dir("Secret kind CRD", dir.path(), 2, &[]);
    let failed = with_rule(&o, "API504");
    assert_eq!(failed.len(), 1, "{:#?}", o.diagnostics);
    assert!(failed[0].message.contains("static message"), "{failed:#?}");
    assert!(!with_rule(&o, "API505").is_empty(), "{:#?}", o.diagnostics);
    // Not a core Secret, so source snippets show its file as written (the repository's own
    // text); no message carries the value.
    for d in &o.diagnostics {
        assert!(!d.message.contains(PASSWORD), "{d:#?}");
        assert!(
            !d.label.as_deref().unwrap_or("").contains(PASSWORD),
            "{d:#?}"
        );
    }
}

#[test]
fn crds_of_groups_the_api_server_refuses_are_ignored() {
    for group in ["example", "apps", "networking.k8s.io", "Example.com", ""] {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("crd.yaml"),
            &crd(group, "Widget", "widgets", &["self.all(x, x < 3)"]),
        );
        let api_version = if group.is_empty() {
            "v1".to_string()
        } else {
            format!("{group}/v1")
        };
        write(
            &dir.path().join("obj.yaml"),
            &objects(&api_version, "Widget", 5, 1),
        );
        let o = lint_dir(&format!("group {group:?}"), dir.path(), 2, &[]);
        assert!(
            with_rule(&o, "API504").is_empty() && with_rule(&o, "API508").is_empty(),
            "{group:?}: {:#?}",
            o.diagnostics
        );
    }
}

#[test]
fn a_normal_crd_is_still_validated() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("crd.yaml"),
        &crd("example.com", "Widget", "widgets", &["self.all(x, x < 3)"]),
    );
    write(
        &dir.path().join("obj.yaml"),
        &objects("example.com/v1", "Widget", 5, 1),
    );
    let o = lint_dir("widgets.example.com", dir.path(), 2, &[]);
    let failed = with_rule(&o, "API504");
    assert_eq!(failed.len(), 1, "{:#?}", o.diagnostics);
    assert!(failed[0].message.contains("xs are wrong"), "{failed:#?}");
    assert!(with_rule(&o, "API508").is_empty(), "{:#?}", o.diagnostics);
}

#[test]
fn gateway_listener_uniqueness_still_runs_on_64_listeners() {
    // The embedded Gateway API rule compares listeners pairwise; at maxItems it is well within
    // the budget and still finds the duplicate.
    let mut yaml = String::from(
        "apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: shop
spec:
  gatewayClassName: istio
  listeners:
",
    );
    for i in 0..64 {
        let host = if i == 63 { 0 } else { i };
        let _ = write!(
            yaml,
            "  - name: l{i}\n    protocol: HTTP\n    port: 80\n    hostname: h{host}.example.com\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("gw.yaml"), &yaml);
    // With GW117 off, the CRD rule's own finding is reported.
    let o = lint_dir("64 listeners", dir.path(), 2, &["API504", "API508"]);
    let failed = with_rule(&o, "API504");
    assert!(
        failed
            .iter()
            .any(|d| d.message.contains("must be unique for each listener")),
        "{:#?}",
        o.diagnostics
    );
    assert!(with_rule(&o, "API508").is_empty(), "{:#?}", o.diagnostics);
}
