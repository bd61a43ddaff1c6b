//! The command line as users and CI see it: exit codes, formats, stdin, determinism, SARIF
//! schema, and that no Secret value is ever printed.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn gwlint() -> Command {
    let mut c = Command::cargo_bin("gwlint").unwrap();
    c.current_dir(common::root()).env("NO_COLOR", "1");
    c
}

#[test]
fn exit_codes_do_not_depend_on_format() {
    for format in ["human", "json", "sarif"] {
        gwlint()
            .args(["check", "testdata/GW101/clean", "--format", format])
            .assert()
            .code(0);
        gwlint()
            .args(["check", "testdata/GW101/trigger", "--format", format])
            .assert()
            .code(1);
        gwlint()
            .args([
                "check",
                "testdata/GW101/trigger",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .assert()
            .code(0);
        // Warnings alone pass unless --fail-on warning.
        gwlint()
            .args(["check", "testdata/GW112/trigger", "--format", format])
            .assert()
            .code(0);
        gwlint()
            .args([
                "check",
                "testdata/GW112/trigger",
                "--fail-on",
                "warning",
                "--format",
                format,
            ])
            .assert()
            .code(1);
        gwlint()
            .args(["check", "no/such/dir", "--format", format])
            .assert()
            .code(2);
    }
}

#[test]
fn default_command_is_check() {
    gwlint()
        .arg("testdata/GW101/trigger")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("GW101"));
}

#[test]
fn usage_errors_exit_2() {
    gwlint()
        .args(["check", "--select", "NOPE1", "testdata"])
        .assert()
        .code(2);
    gwlint()
        .args(["check", "--format", "xml", "testdata"])
        .assert()
        .code(2);
    gwlint().args(["explain", "nope"]).assert().code(2);
}

#[test]
fn bad_config_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "rules:\n  GW101: error\nexternalz: []\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n",
    )
    .unwrap();
    gwlint()
        .args(["check", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            ".gwlint.yaml:3:1: unknown key `externalz`",
        ));
    std::fs::write(dir.path().join(".gwlint.yaml"), "rules:\n  GW999: off\n").unwrap();
    gwlint()
        .args(["check", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":2:3: unknown rule `GW999`"));
}

#[test]
fn config_levels_and_externals_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gw.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\nspec:\n  gatewayClassName: corp-lb\n  listeners: [{name: h, port: 80, protocol: HTTP}]\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap().to_string();
    gwlint()
        .args(["check", &path, "--fail-on", "warning"])
        .assert()
        .code(1);
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "externals:\n  gatewayClasses: [corp-lb]\n",
    )
    .unwrap();
    gwlint()
        .args(["check", &path, "--fail-on", "warning"])
        .assert()
        .code(0);
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "rules:\n  unknown-gateway-class: error\n",
    )
    .unwrap();
    gwlint().args(["check", &path]).assert().code(1);
    std::fs::write(dir.path().join(".gwlint.yaml"), "rules:\n  GW112: off\n").unwrap();
    gwlint()
        .args(["check", &path, "--fail-on", "info"])
        .assert()
        .code(0);
}

#[test]
fn stdin_uses_the_given_file_name() {
    let input =
        std::fs::read_to_string(common::root().join("testdata/GW108/trigger/routes.yaml")).unwrap();
    let services =
        std::fs::read_to_string(common::root().join("testdata/GW108/trigger/services.yaml"))
            .unwrap();
    let stream = format!("{services}\n---\n{input}");
    let out = gwlint()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "rendered/app.yaml",
            "--format",
            "json",
        ])
        .write_stdin(stream)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d["location"]["path"] == "rendered/app.yaml")
    );
    assert!(diags.iter().any(|d| d["rule"] == "GW108"));
}

#[test]
fn output_is_identical_across_thread_counts() {
    let mut targets = vec!["testdata".to_string()];
    let corpus = common::corpus().join("gateway-api");
    if corpus.is_dir() {
        targets.push(corpus.to_string_lossy().into_owned());
    }
    for format in ["json", "sarif", "human"] {
        let run = |threads: &str| {
            let mut args = vec!["check".to_string(), "--format".into(), format.into()];
            args.extend(targets.iter().cloned());
            gwlint()
                .env("RAYON_NUM_THREADS", threads)
                .args(&args)
                .output()
                .unwrap()
                .stdout
        };
        let one = run("1");
        let two = run("2");
        assert!(!one.is_empty());
        assert_eq!(one, two, "{format} output differs between 1 and 2 threads");
        assert_eq!(two, run("2"), "{format} output differs between runs");
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let out = gwlint()
        .args(["check", "--format", "sarif", "testdata"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    if let Some(schema) = common::sarif_schema() {
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 20);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), gwlint::rules::all().len());
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            !r["partialFingerprints"]["gwlint/v2"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    // Related locations carry the other end of a reference.
    assert!(
        results
            .iter()
            .any(|r| !r["relatedLocations"].as_array().unwrap().is_empty())
    );
}

#[test]
fn rules_and_explain() {
    let out = gwlint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), gwlint::rules::all().len());
    for r in list {
        for key in ["id", "name", "severity", "family"] {
            assert!(r[key].is_string(), "{key} missing in {r}");
        }
    }
    gwlint()
        .args(["explain", "parent-ref-not-found"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("GW101").and(predicate::str::contains("## Fix")));
    gwlint().args(["explain", "gw101"]).assert().code(0);
}

/// Values that must never appear in any output, and their base64 decodings.
const SECRETS: &[&str] = &[
    "c3VwZXJzZWNyZXQtY2VydA==",
    "supersecret-cert",
    "c3VwZXJzZWNyZXQta2V5",
    "supersecret-key",
    "hunter2-plaintext",
    "line-two-secret",
    "MIIBpinnedCERTIFICATEbody",
    "LASTAPPLIEDSECRET",
    "broken-doc-secret",
    "ZHVwbGljYXRlZC12YWx1ZQ==",
];

#[test]
fn secret_values_never_appear_in_any_format() {
    for format in ["human", "json", "sarif"] {
        for color in ["never", "always"] {
            let out = gwlint()
                .args([
                    "check",
                    "testdata/redaction/secret-next-to-findings",
                    "--format",
                    format,
                    "--color",
                    color,
                ])
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stdout.contains("YAML004")
                    && stdout.contains("GW108")
                    && stdout.contains("YAML001"),
                "redaction fixture must produce findings next to the Secret values:\n{stdout}"
            );
            for s in SECRETS {
                assert!(
                    !stdout.contains(s),
                    "{format} output shows secret value {s}:\n{stdout}"
                );
                assert!(
                    !stderr.contains(s),
                    "{format} stderr shows secret value {s}"
                );
            }
        }
    }
}

/// Reports are written as they are made: one going to a file is the same bytes as on standard
/// output, and a destination that fails part-way is an error (exit 2) naming it, not a cut-off
/// report and a success.
#[test]
fn reports_to_files_match_stdout_and_write_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let sarif = dir.path().join("out.sarif");
    let input = "testdata/GW101/trigger";
    let human = gwlint()
        .args(["check", input, "--format", "human"])
        .args(["--format", &format!("json={}", json.display())])
        .args(["--format", &format!("sarif={}", sarif.display())])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    for (format, got) in [
        ("human", human),
        ("json", std::fs::read(&json).unwrap()),
        ("sarif", std::fs::read(&sarif).unwrap()),
    ] {
        let alone = gwlint()
            .args(["check", input, "--format", format])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        assert!(!alone.is_empty());
        assert_eq!(
            got, alone,
            "{format} report differs between a file and stdout"
        );
    }
    gwlint()
        .args(["check", input, "--format", "json=no/such/dir/out.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir/out.json"));

    #[cfg(target_os = "linux")]
    {
        // /dev/full accepts the open and fails every write (ENOSPC), as a full disk does.
        gwlint()
            .args(["check", input, "--format", "sarif=/dev/full"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("/dev/full"));
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
            .current_dir(common::root())
            .args(["check", input, "--format", "json"])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("standard output"));
    }
}
