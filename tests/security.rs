//! A hostile pull request against gwlint's output: Secret values printed in snippets or
//! messages, forged CI workflow commands, terminal escapes, DOT and JUnit that break out of their
//! syntax, suppressions and baselines that hide other findings, and a mapping that costs the
//! square of its size. Each case is a reproduction of a reported attack.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

/// A hang guard for the binary, not a benchmark: generous for a debug build on two busy cores.
const LIMIT: Duration = Duration::from_secs(120);

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "junit"];

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn gwlint() -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .timeout(LIMIT);
    c
}

/// Standard output and error of `gwlint check DIR --format FORMAT` (with `extra` arguments).
fn check(dir: &Path, format: &str, extra: &[&str]) -> (String, String) {
    let out = gwlint()
        .current_dir(dir)
        .args(["check", ".", "--no-config", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{format}: exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("UTF-8 report"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A route with a GW108 (missing Service) whose snippet shows the lines around it.
const ROUTE: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  rules:
  - backendRefs:
    - name: missing-svc
      port: 8080
";

#[test]
fn secret_values_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A Secret as JSON, then in flow style, each with one syntax error: the documents are broken,
    // so nothing in them can be located for redaction.
    write(
        &d.join("json.yaml"),
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"a\"},\n \"stringData\": {\"password\": \"S3CRET-A\"}\n",
    );
    write(
        &d.join("flow.yaml"),
        "{apiVersion: v1, kind: Secret, metadata: {name: b},\n stringData: {password: S3CRET-B}, ]\n",
    );
    // `kind` twice: the tree keeps the first (ConfigMap), kubectl the last (Secret).
    write(
        &d.join("dupkind.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nstringData:\n  password: S3CRET-C\nkind: Secret\n",
    );
    // A list kind other than `List`, applied item by item.
    write(
        &d.join("list.yaml"),
        "apiVersion: v1\nkind: SecretList\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: d\n  stringData:\n    password: S3CRET-D\n    password: again\n",
    );
    // An anchor outside `data` whose value a `data` entry takes through an alias.
    write(
        &d.join("anchor.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  annotations: {x: &pw S3CRET-E}\nstringData:\n  password: *pw\n  password: again\n",
    );
    // kustomize secretGenerator literals, and a file it reads, with findings near them.
    write(
        &d.join("kustomize/kustomization.yaml"),
        "resources:\n- route.yaml\nsecretGenerator:\n- name: g\n  literals:\n  - password=S3CRET-G\n  files:\n  - creds.yaml\nresources:\n- other.yaml\n",
    );
    write(&d.join("kustomize/route.yaml"), ROUTE);
    write(
        &d.join("kustomize/creds.yaml"),
        "password: S3CRET-H\npassword: S3CRET-H2\nenabled: on\n",
    );
    // An environment variable that YAML 1.1 reads as a number: its value is not quoted.
    write(
        &d.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: f\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        env:\n        - name: TOKEN\n          value: 0b1011011\n",
    );
    for format in FORMATS {
        let (out, err) = check(d, format, &[]);
        assert!(
            !out.contains("S3CRET") && !err.contains("S3CRET"),
            "{format} shows a Secret value:\n{out}\n{err}"
        );
        if format == "human" {
            // The marker has one length, whatever the value's: cut or padded, it told it.
            for (at, _) in out.match_indices("<redacte") {
                assert!(out[at..].starts_with("<redacted>"), "{out}");
                assert!(!out[at + 10..].starts_with("  "), "{out}");
            }
            assert!(out.contains("<redacted>"), "{out}");
        }
        // The findings themselves are still reported.
        if format == "json" {
            for (file, rule) in [
                ("json.yaml", "YAML001"),
                ("flow.yaml", "YAML001"),
                ("dupkind.yaml", "YAML004"),
                ("list.yaml", "YAML004"),
                ("anchor.yaml", "YAML004"),
                ("kustomize/kustomization.yaml", "YAML004"),
                ("deploy.yaml", "YAML005"),
            ] {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let found = v["diagnostics"].as_array().unwrap().iter().any(|f| {
                    f["rule"] == rule
                        && f["location"]["path"]
                            .as_str()
                            .is_some_and(|p| p.ends_with(file))
                });
                assert!(found, "no {rule} in {file}:\n{out}");
            }
            assert!(
                !out.contains("creds.yaml"),
                "secretGenerator source linted:\n{out}"
            );
            // Messages quote neither the environment variable's value nor what it reads as.
            for f in v_of(&out)["diagnostics"].as_array().unwrap() {
                let m = f["message"].as_str().unwrap();
                assert!(!m.contains("0b1011011") && !m.contains("91"), "{m}");
            }
        }
    }
}

#[test]
fn a_million_keys_in_one_mapping_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("  k{i}: v\n"));
    }
    text.push_str("  k17: again\n");
    write(&dir.path().join("big.yaml"), &text);
    // Before the hash index this took hours (n² key comparisons); the guard only catches a hang.
    let (out, _) = check(dir.path(), "json", &["--select", "YAML004"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["diagnostics"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{out}");
    assert_eq!(findings[0]["location"]["start"]["line"], 1_000_006);
    assert_eq!(findings[0]["related"][0]["location"]["start"]["line"], 23);
}

fn v_of(json: &str) -> serde_json::Value {
    serde_json::from_str(json).unwrap()
}

/// A line that the GitHub Actions runner would take for a workflow command.
fn command_line(text: &str) -> Option<&str> {
    text.lines()
        .find(|l| l.trim_start().starts_with("::") || l.contains("##["))
}

#[test]
fn workflow_commands_cannot_be_forged() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  parentRefs:\n  - name: gw\n    namespace: \"x\\n::error file=a.yaml,line=1::forged\\n::stop-commands::tok\"\n  rules:\n  - backendRefs:\n    - name: \"svc ##[add-mask]shop\"\n      port: 80\n    - name: \"::warning::forged\"\n      port: 80\n",
    );
    for format in ["human", "json", "sarif", "junit"] {
        let (out, err) = check(dir.path(), format, &["-v"]);
        assert_eq!(command_line(&out), None, "{format} stdout:\n{out}");
        assert_eq!(command_line(&err), None, "{format} stderr:\n{err}");
        if format == "json" || format == "sarif" {
            // The escapes are JSON's own: the values read back unchanged.
            // (SARIF message text escapes brackets itself: `[text](id)` is a link there.)
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let name = if format == "json" {
                "svc ##[add-mask]shop"
            } else {
                r"svc ##\\[add-mask\\]shop"
            };
            assert!(v.to_string().contains(name), "{out}");
        }
    }
    // The github format is made of commands; its data cannot start another one.
    let (out, _) = check(dir.path(), "github", &[]);
    for line in out.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
}

#[test]
fn terminal_controls_are_escaped_in_human_output() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}[2J\u{1b}]0;title\u{7}\u{8}\r\u{202e}\u{9b}x";
    write(
        &dir.path().join("route\u{1b}[31m.yaml"),
        format!(
            "# \u{1b}[2J ALL CHECKS PASSED \u{1b}]8;;http://x\u{7}\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  rules:\n  - backendRefs:\n    - name: \"{}\"\n      port: 80\n",
            name.chars()
                .map(|c| if c.is_control() || c == '\u{202e}' {
                    format!("\\u{:04x}", c as u32)
                } else {
                    c.to_string()
                })
                .collect::<String>()
        ),
    );
    // The report's own colours, when asked for, are the only escape sequences.
    let sgr = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    for color in ["never", "always"] {
        let (out, err) = check(dir.path(), "human", &["--color", color, "-v"]);
        for (what, text) in [("stdout", &out), ("stderr", &err)] {
            let text = sgr.replace_all(text, "");
            assert!(
                !text
                    .chars()
                    .any(|c| gwlint::escape::is_active(c) && c != '\n'),
                "{what} with colour {color}:\n{text:?}"
            );
        }
        assert!(out.contains("\\u{1b}[2J"), "{out}");
        assert!(out.contains("\\u{202e}"), "{out}");
    }
    // The machine formats, printed to a log, are as inert.
    for format in ["json", "sarif", "github", "junit"] {
        let (out, _) = check(dir.path(), format, &[]);
        assert!(
            !out.chars()
                .any(|c| gwlint::escape::is_active(c) && c != '\n'),
            "{format}:\n{out:?}"
        );
    }
}

#[test]
fn dot_labels_cannot_break_out() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\\\n  namespace: shop\nspec:\n  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: svc\\\n      kind: \"X\\\"]; n99 [URL=\\\"http://evil\\\" label=\\\"\"\n      port: 80\n",
    );
    let out = gwlint()
        .current_dir(dir.path())
        .args(["graph", ".", "--no-config", "--format", "dot"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let quoted = regex::Regex::new(r#""(?:[^"\\\n]|\\.)*""#).unwrap();
    for line in text.lines().filter(|l| l.starts_with("  n")) {
        // With every well-formed quoted string removed, nothing from the input is left.
        let bare = quoted.replace_all(line, "\"\"");
        assert!(
            !bare.contains("URL") && !bare.contains("n99"),
            "{line}\n{text}"
        );
        assert!(bare.ends_with("];"), "{line}\n{text}");
    }
    assert!(text.contains("shop\\\\\\n"), "{text}");
    assert!(text.contains("svc\\\\\""), "{text}");
}

#[test]
fn junit_stays_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let mut route = ROUTE.replace("missing-svc", "\"missing\u{fffe}\u{ffff}\\u0001svc\"");
    route.push('\n');
    write(&dir.path().join("route.yaml"), route);
    let (out, _) = check(dir.path(), "junit", &[]);
    assert!(out.contains("GW108"), "{out}");
    for c in out.chars() {
        let legal = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
        assert!(legal, "XML-illegal {c:?} in:\n{out}");
    }
    assert!(out.contains("\\u{fffe}"), "{out}");
}

#[test]
fn a_suppression_after_a_lone_cr_silences_only_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = ROUTE.replace(
        "    - name: missing-svc\n",
        "    - name: missing-svc\r      # gwlint-ignore: GW108 reason\n",
    );
    write(&dir.path().join("route.yaml"), text);
    let (out, _) = check(dir.path(), "json", &[]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // The comment is on a line of its own and names the line after it (the port).
    assert!(rules.contains(&"GW108"), "{out}");
    assert!(rules.contains(&"GWL001"), "{out}");
}

#[test]
fn a_baseline_entry_does_not_hide_another_target_at_the_same_field() {
    let dir = tempfile::tempdir().unwrap();
    let route = dir.path().join("route.yaml");
    let baseline = tempfile::tempdir().unwrap();
    let base = baseline.path().join("baseline.json");
    write(&route, ROUTE);
    gwlint()
        .current_dir(dir.path())
        .args(["check", ".", "--no-config", "--write-baseline"])
        .arg(&base)
        .assert()
        .code(0);
    // Unchanged: baselined.
    let (out, _) = check(dir.path(), "json", &["--baseline", base.to_str().unwrap()]);
    assert!(!out.contains("GW108"), "{out}");
    // Another missing Service at the same field is a new finding.
    write(&route, ROUTE.replace("missing-svc", "other-missing-svc"));
    let (out, _) = check(dir.path(), "json", &["--baseline", base.to_str().unwrap()]);
    assert!(out.contains("GW108"), "{out}");
    // A baseline of the old scheme is refused, not matched wrongly.
    let old = std::fs::read_to_string(&base)
        .unwrap()
        .replace("\"version\": 2", "\"version\": 1");
    write(&base, old);
    let out = gwlint()
        .current_dir(dir.path())
        .args(["check", ".", "--no-config", "--baseline"])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 1 baseline"));
}
