//! The README's examples work: every ```yaml block loads with gwlint's loader (configuration
//! examples with `gwlint::config::load` and the schema too, pre-commit and workflow examples
//! against the hooks and the action), and every gwlint command line in a ```sh block runs
//! against a copy of testdata/ without a usage error. Lines that install things or need the
//! network are skipped, each with its reason.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{read, root, write_script, yaml_doc, yaml_docs};

struct Block {
    lang: String,
    line: usize,
    body: String,
}

fn blocks() -> Vec<Block> {
    let readme = read("README.md");
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                current = Some(Block {
                    lang: lang.trim().to_string(),
                    line: i + 1,
                    body: String::new(),
                })
            }
            (Some(_), Some("")) => out.push(current.take().unwrap()),
            (Some(b), _) => {
                b.body.push_str(line);
                b.body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "unterminated code block in README.md");
    out
}

fn yaml_blocks() -> Vec<Block> {
    blocks().into_iter().filter(|b| b.lang == "yaml").collect()
}

fn config_keys() -> Vec<String> {
    let schema: Value = serde_json::from_str(&read("schemas/gwlint.schema.json")).unwrap();
    schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn yaml_blocks_load_and_mean_what_they_say() {
    let keys = config_keys();
    let schema: Value = serde_json::from_str(&read("schemas/gwlint.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let hooks = yaml_doc(&read(".pre-commit-hooks.yaml"), ".pre-commit-hooks.yaml");
    let action = yaml_doc(&read("action.yml"), "action.yml");
    let (mut configs, mut pre_commit, mut workflows) = (0, 0, 0);
    for b in yaml_blocks() {
        let what = format!("README.md:{} yaml block", b.line);
        let docs = yaml_docs(&b.body, &what);
        assert_eq!(docs.len(), 1, "{what}");
        let doc = &docs[0];
        let top: Vec<&String> = doc
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        if b.body.starts_with("# .pre-commit-config.yaml") {
            pre_commit += 1;
            let repo = &doc["repos"][0];
            assert_eq!(repo["repo"], env!("CARGO_PKG_REPOSITORY"), "{what}");
            assert_eq!(
                repo["rev"],
                format!("v{}", env!("CARGO_PKG_VERSION")),
                "{what}: the rev is the tag of this version (the release workflow publishes it)"
            );
            for h in repo["hooks"].as_array().unwrap() {
                assert!(
                    hooks.as_array().unwrap().iter().any(|d| d["id"] == h["id"]),
                    "{what}: hook {} is not in .pre-commit-hooks.yaml",
                    h["id"]
                );
            }
            let changelog = read("CHANGELOG.md");
            assert!(changelog.contains(&format!("## [{}]", env!("CARGO_PKG_VERSION"))));
        } else if doc.get("jobs").is_some() {
            workflows += 1;
            for job in doc["jobs"].as_object().unwrap().values() {
                assert!(job["runs-on"].is_string(), "{what}");
                for step in job["steps"].as_array().unwrap() {
                    let Some(uses) = step["uses"].as_str() else {
                        continue;
                    };
                    if let Some(rev) = uses.strip_prefix("gwlint/gwlint@") {
                        assert_eq!(rev, format!("v{}", env!("CARGO_PKG_VERSION")), "{what}");
                        for input in step["with"].as_object().into_iter().flatten() {
                            assert!(
                                action["inputs"].get(input.0).is_some(),
                                "{what}: the action has no input {}",
                                input.0
                            );
                        }
                    }
                }
            }
        } else if !top.is_empty() && top.iter().all(|k| keys.contains(k)) {
            configs += 1;
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(".gwlint.yaml");
            std::fs::write(&path, &b.body).unwrap();
            gwlint::config::load(&path, &|n| gwlint::rules::find(n).map(|r| r.id))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{what}: {errors:?}");
        } else {
            panic!(
                "{what}: not a configuration, pre-commit or workflow example; teach this test what it is"
            );
        }
    }
    assert!(configs >= 2 && pre_commit == 1 && workflows == 1);
}

/// Why a README shell line is not run, or None to run it.
fn skip_reason(line: &str) -> Option<&'static str> {
    let first = line.split_whitespace().next().unwrap_or("");
    let reason = match first {
        "curl" => "downloads a release (network)",
        "sha256sum" | "shasum" => "checks a downloaded archive (follows curl)",
        "sudo" => "installs into the system",
        "docker" => "needs Docker and the registry",
        _ if first.contains('=') => "sets a variable for the download lines",
        "cargo" => match line.split_whitespace().nth(1).unwrap_or("") {
            "install" | "binstall" => "installs gwlint (network)",
            "test" | "fmt" | "clippy" => "runs the project's own checks (this test is one of them)",
            "bench" => "runs the benchmark (minutes of CPU)",
            "run" => return None,
            _ => "unknown cargo command",
        },
        _ => return None,
    };
    Some(reason)
}

/// The gwlint arguments of a line that runs gwlint (`gwlint …` or `cargo run --release -- …`),
/// without its trailing comment.
fn gwlint_command(line: &str) -> Option<String> {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
    .trim();
    if let Some(rest) = code.strip_prefix("cargo run --release --") {
        return Some(format!("gwlint{rest}"));
    }
    code.starts_with("gwlint ").then(|| code.to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn shell_blocks_run_without_usage_errors() {
    // A repository with the README's paths: a copy of testdata/ (the examples live there).
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&root().join("testdata"), &repo.join("testdata"));
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    write_script(
        &bin.join("gwlint"),
        &format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_gwlint")
        ),
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());

    let (mut ran, mut skipped) = (Vec::new(), Vec::new());
    for b in blocks() {
        if !matches!(b.lang.as_str(), "sh" | "bash" | "shell") {
            continue;
        }
        let mut joined = String::new();
        for (i, raw) in b.body.lines().enumerate() {
            let line_no = b.line + 1 + i;
            if let Some(head) = raw.strip_suffix('\\') {
                joined.push_str(head);
                continue;
            }
            joined.push_str(raw);
            let line = std::mem::take(&mut joined);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(reason) = skip_reason(line) {
                assert_ne!(
                    reason, "unknown cargo command",
                    "README.md:{line_no}: {line}"
                );
                skipped.push(format!("README.md:{line_no}: {line}  ({reason})"));
                continue;
            }
            let cmd = gwlint_command(line).unwrap_or_else(|| {
                panic!("README.md:{line_no}: `{line}` neither runs gwlint nor is a known skip")
            });
            let out = Command::new("bash")
                .arg("-c")
                .arg(&cmd)
                .current_dir(&repo)
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "README.md:{line_no}: `{cmd}` exited {code:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran.push(format!("README.md:{line_no}: {cmd} -> {code:?}"));
        }
    }
    eprintln!("ran:\n  {}", ran.join("\n  "));
    eprintln!("skipped:\n  {}", skipped.join("\n  "));
    assert!(ran.len() >= 4, "{ran:?}");
    // The baseline example really round-trips: the second command reads what the first wrote.
    assert!(repo.join(".gwlint-baseline.json").is_file());
}
