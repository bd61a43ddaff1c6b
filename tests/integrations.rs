//! How gwlint fits where users work: suppressions, baselines, pre-commit, CI formats, graphs,
//! starter config and completions.

mod common;
use common::rules_of;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn gwlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// A small repository with two findings: a missing backend Service (GW108) and a wrong port
/// (GW109).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("apps/shop")).unwrap();
    std::fs::write(
        dir.path().join("gateway.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: edge\n  namespace: shop\nspec:\n  gatewayClassName: istio\n  listeners:\n  - name: http\n    port: 80\n    protocol: HTTP\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("apps/shop/route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  parentRefs:\n  - name: edge\n  rules:\n  - backendRefs:\n    - name: cart\n      port: 80\n    - name: checkout\n      port: 8080\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("apps/shop/service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n",
    )
    .unwrap();
    dir
}

#[test]
fn comment_annotation_and_config_suppressions() {
    let dir = repo();
    let out = gwlint(dir.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(rules_of(&out.stdout), vec!["GW108", "GW109"]);

    // A comment on the line above.
    let route = dir.path().join("apps/shop/route.yaml");
    let text = std::fs::read_to_string(&route).unwrap();
    std::fs::write(
        &route,
        text.replace(
            "    - name: cart\n",
            "    # gwlint-ignore: GW108 created by the cart chart\n    - name: cart\n",
        ),
    )
    .unwrap();
    let out = gwlint(dir.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(rules_of(&out.stdout), vec!["GW109"]);

    // A config entry by rule and object glob.
    std::fs::write(dir.path().join(".gwlint.yaml"), "ignore:\n  - rule: backend-port-not-on-service\n    kind: HTTPRoute\n    namespace: \"sh*\"\n").unwrap();
    gwlint(dir.path()).args(["check", "."]).assert().code(0);

    // An annotation that suppresses nothing is reported (GWL001, info).
    let text = std::fs::read_to_string(&route).unwrap();
    std::fs::write(
        &route,
        text.replace(
            "  namespace: shop\nspec:",
            "  namespace: shop\n  annotations:\n    gwlint.io/ignore: \"GW120\"\nspec:",
        ),
    )
    .unwrap();
    let out = gwlint(dir.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(rules_of(&out.stdout), vec!["GWL001"]);

    // An invalid glob is a configuration error, not an entry that silently matches nothing.
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "ignore:\n  - rule: GW109\n    name: \"[cart\"\n",
    )
    .unwrap();
    let out = gwlint(dir.path()).args(["check", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`ignore.name` is not a valid glob"),
        "{stderr}"
    );
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = repo();
    gwlint(dir.path())
        .args(["check", ".", "--write-baseline", "base.json"])
        .assert()
        .code(0);
    gwlint(dir.path())
        .args(["check", ".", "--baseline", "base.json"])
        .assert()
        .code(0);
    // Edits elsewhere in the file move lines but keep the baseline valid.
    let route = dir.path().join("apps/shop/route.yaml");
    let text = std::fs::read_to_string(&route).unwrap();
    std::fs::write(
        &route,
        format!("# a comment that shifts every line\n\n{text}"),
    )
    .unwrap();
    gwlint(dir.path())
        .args(["check", ".", "--baseline", "base.json"])
        .assert()
        .code(0);
    // A new defect is reported.
    std::fs::write(&route, text.replace("name: edge", "name: edge-v2")).unwrap();
    let out = gwlint(dir.path())
        .args(["check", ".", "--baseline", "base.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(rules_of(&out.stdout), vec!["GW101"]);
    // SARIF with a baseline applied still validates.
    let sarif = gwlint(dir.path())
        .args(["check", ".", "--baseline", "base.json", "--format", "sarif"])
        .output()
        .unwrap();
    validate_sarif(&sarif.stdout);
}

fn validate_sarif(bytes: &[u8]) {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let Some(schema) = common::sarif_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn pre_commit_mode_loads_everything_and_reports_named_files() {
    let dir = repo();
    // The route references the Gateway in another file: loading only the route would report
    // GW101; --root loads the repository for the graph.
    let out = gwlint(dir.path())
        .args([
            "check",
            "--root",
            ".",
            "apps/shop/route.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(rules_of(&out.stdout), vec!["GW108", "GW109"]);
    let out = gwlint(dir.path())
        .args(["check", "--root", ".", "gateway.yaml", "--format", "json"])
        .output()
        .unwrap();
    assert!(rules_of(&out.stdout).is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn github_junit_and_several_reports_in_one_run() {
    let dir = repo();
    let out = gwlint(dir.path())
        .args([
            "check",
            ".",
            "--format",
            "github",
            "--format",
            "junit=report.xml",
            "--format",
            "sarif=report.sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let gh = String::from_utf8(out.stdout).unwrap();
    assert!(gh.contains("::error file=apps/shop/route.yaml,line=11,col=13,endLine=11,endColumn=17,title=GW108 backend-not-found::"), "{gh}");
    let junit = std::fs::read_to_string(dir.path().join("report.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"gwlint\" tests=\"2\" failures=\"2\""));
    assert!(junit.contains("<failure type=\"error\""));
    validate_sarif(&std::fs::read(dir.path().join("report.sarif")).unwrap());
    // Two reports on standard output are refused before any work.
    gwlint(dir.path())
        .args(["check", ".", "--format", "json", "--format", "sarif"])
        .assert()
        .code(2);
}

#[test]
fn graph_in_three_formats_with_findings_marked() {
    let dir = repo();
    let dot = gwlint(dir.path())
        .args(["graph", ".", "--format", "dot"])
        .output()
        .unwrap();
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(dot.starts_with("digraph gwlint {"));
    assert!(dot.contains("GW108"), "{dot}");
    assert!(dot.contains("Service\\nshop/cart"));
    let mermaid = gwlint(dir.path())
        .args(["graph", ".", "--format", "mermaid", "--namespace", "shop"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(mermaid.stdout)
            .unwrap()
            .starts_with("flowchart LR")
    );
    let json = gwlint(dir.path())
        .args(["graph", ".", "--format", "json", "--gateway", "shop/edge"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "HTTPRoute")
    );
    assert!(
        v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["findings"].as_array().is_some_and(|f| !f.is_empty()))
    );
}

#[test]
fn init_writes_a_valid_starter_config_and_completions_print() {
    let dir = repo();
    gwlint(dir.path()).args(["init"]).assert().code(0);
    gwlint(dir.path()).args(["init"]).assert().code(2);
    // The starter configuration loads without errors.
    gwlint(dir.path()).args(["check", "."]).assert().code(1);
    for shell in ["bash", "zsh", "fish"] {
        gwlint(dir.path())
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("gwlint"));
    }
    gwlint(dir.path())
        .args(["--version"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gwlint"));
}

/// Runs the hook the way pre-commit does when the `pre-commit` tool is installed (CI installs it).
#[test]
fn real_pre_commit_run() {
    let Ok(status) = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
    else {
        eprintln!("pre-commit is not installed; skipped");
        return;
    };
    if !status.status.success() {
        return;
    }
    let dir = repo();
    let bin = assert_cmd::cargo::cargo_bin("gwlint");
    let hooks = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("entry: gwlint check --new-from-rev HEAD"));
    assert!(hooks.contains("pass_filenames: false"));
    assert!(hooks.contains("always_run: true"));
    // The published hook runs `gwlint check --new-from-rev HEAD` on the repository (no file
    // names: a deletion must run it too); a local hook with the same entry, pointing at the
    // binary under test, checks that contract. The repository has no commit yet: everything is
    // new.
    std::fs::write(
        dir.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: gwlint\n        name: gwlint\n        entry: {} check --new-from-rev HEAD\n        pass_filenames: false\n        always_run: true\n        language: system\n        files: \\.(yaml|yml)$\n        require_serial: true\n",
            bin.display()
        ),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    let run = std::process::Command::new("pre-commit")
        .args(["run", "--all-files"])
        .current_dir(dir.path())
        .env("PRE_COMMIT_HOME", dir.path().join(".pre-commit-home"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        !run.status.success(),
        "the hook must fail on the findings:\n{stdout}"
    );
    assert!(stdout.contains("GW108"), "{stdout}");
}

/// `helm template … | gwlint check -`: findings point at the chart file named by `# Source:`,
/// with the position in the stream as a related location.
#[test]
fn rendered_stream_maps_to_its_sources() {
    let stream = std::fs::read_to_string(
        common::root().join("testdata/rendered/helm-template-output.stream"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = gwlint(dir.path())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "rendered.yaml",
            "--format",
            "json",
        ])
        .write_stdin(stream)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "GW108");
    assert_eq!(d["location"]["path"], "shop/templates/route.yaml");
    assert_eq!(d["location"]["start"]["line"], 11);
    let related = d["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["path"] == "rendered.yaml"
                && r["location"]["start"]["line"] == 26)
    );
    assert_eq!(v["summary"]["files"], 1);
}
