//! Fixes: each fix pair `testdata/<RULE>/fix/{before,after}` (`gwlint check --fix`, with the
//! flags in `fix/flags`, turns before into after byte for byte, and the rule is gone after);
//! `--diff` writes nothing; SARIF with fixes validates; safe fixes on the corpus never break a
//! file nor add a finding.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Every file below `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for rel in files(from) {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), dest).unwrap();
    }
}

fn fix_pairs() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(common::root().join("testdata")).unwrap() {
        let dir = e.unwrap().path();
        let fix = dir.join("fix");
        if fix.join("before").is_dir() {
            let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push((rule, fix));
        }
    }
    out.sort();
    out
}

fn gwlint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn fix_pairs_turn_before_into_after() {
    let pairs = fix_pairs();
    assert!(pairs.len() >= 8, "fix pairs missing: {pairs:?}");
    let mut problems = Vec::new();
    for (rule, dir) in &pairs {
        let flags = std::fs::read_to_string(dir.join("flags")).unwrap_or_default();
        let flags: Vec<&str> = flags.split_whitespace().collect();
        let before = dir.join("before");
        let after = dir.join("after");
        let work = tempfile::tempdir().unwrap();
        copy_tree(&before, work.path());

        // --diff shows the change and writes nothing.
        let out = gwlint(work.path(), &[&["--diff"], &flags[..], &["."]].concat());
        let diff = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.code() != Some(1) || !diff.starts_with("--- a/") {
            problems.push(format!(
                "{rule}: --diff exited {:?} with {diff:?}; stderr {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for rel in files(&before) {
            if std::fs::read(before.join(&rel)).unwrap()
                != std::fs::read(work.path().join(&rel)).unwrap()
            {
                problems.push(format!("{rule}: --diff wrote {}", rel.display()));
            }
        }

        let out = gwlint(work.path(), &[&["--fix"], &flags[..], &["."]].concat());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !stderr.contains("fixed ") || !stderr.contains(rule.as_str()) {
            problems.push(format!("{rule}: --fix said {stderr:?}"));
        }
        if !after.is_dir() {
            problems.push(format!("{rule}: {} missing", after.display()));
            continue;
        }
        if files(&after) != files(work.path()) {
            problems.push(format!(
                "{rule}: files after --fix {:?}, expected {:?}",
                files(work.path()),
                files(&after)
            ));
            continue;
        }
        for rel in files(&after) {
            let got = std::fs::read(work.path().join(&rel)).unwrap();
            let want = std::fs::read(after.join(&rel)).unwrap();
            if got != want {
                problems.push(format!(
                    "{rule}: {} after --fix differs from after/:\n{}",
                    rel.display(),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
        // Linting the fixed tree finds nothing of the rule any more.
        let outcome = common::lint_dir(work.path());
        for d in outcome.diagnostics.iter().filter(|d| d.rule == rule) {
            problems.push(format!("{rule}: still reported after --fix: {}", d.message));
        }
        // And there is nothing left to fix: a second --diff shows nothing.
        let out = gwlint(work.path(), &[&["--diff"], &flags[..], &["."]].concat());
        if out.status.code() != Some(0) || !out.stdout.is_empty() {
            problems.push(format!(
                "{rule}: --diff after --fix: {:?} {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sarif_and_json_carry_fixes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    copy_tree(
        &common::root().join("testdata/GW108/fix/before"),
        dir.path(),
    );
    copy_tree(
        &common::root().join("testdata/YAML005/fix/before"),
        dir.path(),
    );
    let out = gwlint(dir.path(), &["--no-config", "--format", "sarif", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let with_fixes: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    assert!(with_fixes.len() >= 3, "{results:?}");
    for r in &with_fixes {
        for f in r["fixes"].as_array().unwrap() {
            let changes = f["artifactChanges"].as_array().unwrap();
            assert!(!changes.is_empty());
            for c in changes {
                let reps = c["replacements"].as_array().unwrap();
                assert!(!reps.is_empty());
                for rep in reps {
                    for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                        assert!(rep["deletedRegion"][k].as_u64().unwrap() >= 1, "{rep}");
                    }
                }
            }
        }
    }
    let gw108 = with_fixes.iter().find(|r| r["ruleId"] == "GW108").unwrap();
    let rep = &gw108["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], "\"storefront\"");
    assert_eq!(rep["deletedRegion"]["startLine"], 23);
    assert_eq!(rep["deletedRegion"]["startColumn"], 13);
    assert_eq!(rep["deletedRegion"]["endColumn"], 25);
    if let Some(schema) = common::sarif_schema() {
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    let out = gwlint(dir.path(), &["--no-config", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    let yaml005 = diags.iter().find(|d| d["rule"] == "YAML005").unwrap();
    assert_eq!(yaml005["fixes"][0]["applicability"], "safe");
    assert_eq!(yaml005["fixes"][0]["edits"].as_array().unwrap().len(), 2);
    let gw108 = diags.iter().find(|d| d["rule"] == "GW108").unwrap();
    assert_eq!(gw108["fixes"][0]["applicability"], "unsafe");
    assert_eq!(gw108["fixes"][0]["edits"][0]["text"], "\"storefront\"");

    // Human output marks what --fix fixes and counts the unsafe ones apart.
    let out = gwlint(dir.path(), &["--no-config", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[YAML005] yaml11-ambiguous-scalar [*]"),
        "{text}"
    );
    assert!(
        text.contains("fixable with --fix") && text.contains("hidden fix"),
        "{text}"
    );
}

#[test]
fn a_file_changed_on_disk_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &common::root().join("testdata/YAML005/fix/before"),
        dir.path(),
    );
    let path = dir.path().join("app.yaml");
    let opts = gwlint::Options {
        paths: vec![dir.path().to_path_buf()],
        ..gwlint::Options::default()
    };
    let fixed = gwlint::fix::run::run(&opts, false, &mut |o| gwlint::lint(o, None));
    assert_eq!(fixed.changes.len(), 1);
    // Someone saves the file between the lint and the write.
    std::fs::write(&path, "kind: ConfigMap\n").unwrap();
    let (written, errors) = gwlint::fix::run::write(&fixed.changes);
    assert!(written.is_empty());
    assert!(errors[0].contains("changed on disk"), "{errors:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "kind: ConfigMap\n");
}

/// Applying every safe fix to each corpus folder (a copy) never makes a file fail to load and
/// never adds a finding; applying the unsafe ones too never makes a file fail to load either.
/// Prints the fixes offered and applied per rule.
#[test]
fn safe_fixes_on_the_corpus_break_nothing() {
    let corpus = common::corpus();
    if !corpus.is_dir() {
        eprintln!("../shared/corpus not present; skipped");
        return;
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut offered: BTreeMap<(&'static str, &'static str), usize> = BTreeMap::new();
    let mut applied: [BTreeMap<&'static str, usize>; 2] = Default::default();
    let mut problems = Vec::new();
    for folder in &folders {
        for unsafe_fixes in [false, true] {
            let work = tempfile::tempdir().unwrap();
            copy_tree(folder, work.path());
            let opts = gwlint::Options {
                paths: vec![work.path().to_path_buf()],
                ..gwlint::Options::default()
            };
            let before = gwlint::lint(&opts, None);
            if !unsafe_fixes {
                for d in &before.diagnostics {
                    for f in &d.fixes {
                        *offered
                            .entry((d.rule, f.applicability.as_str()))
                            .or_default() += 1;
                    }
                }
            }
            let fixed = gwlint::fix::run::run(&opts, unsafe_fixes, &mut |o| gwlint::lint(o, None));
            if !fixed.converged {
                problems.push(format!(
                    "{}: the fix loop did not converge",
                    folder.display()
                ));
            }
            for (rule, n) in &fixed.applied {
                *applied[unsafe_fixes as usize].entry(rule).or_default() += n;
            }
            let (_, errors) = gwlint::fix::run::write(&fixed.changes);
            assert!(errors.is_empty(), "{errors:?}");
            let after = gwlint::lint(&opts, None);
            let health = |o: &gwlint::Outcome| -> BTreeMap<String, (Option<usize>, usize)> {
                let mut m: BTreeMap<String, (Option<usize>, usize)> = o
                    .files
                    .iter()
                    .zip(&o.statuses)
                    .map(|(f, s)| {
                        let docs = match s {
                            gwlint::load::FileStatus::Loaded { documents } => Some(*documents),
                            _ => None,
                        };
                        (f.display_path(), (docs, 0))
                    })
                    .collect();
                for d in o.diagnostics.iter().filter(|d| d.rule == "YAML001") {
                    if let Some(e) = m.get_mut(&o.file(d.span.file).display_path()) {
                        e.1 += 1;
                    }
                }
                m
            };
            let (hb, ha) = (health(&before), health(&after));
            for (path, h) in &hb {
                let now = ha.get(path);
                // A grant appended is a document more; a document less, or a syntax error more, is
                // a file broken.
                if now.is_none_or(|n| n.0 < h.0 || n.1 > h.1) {
                    problems.push(format!(
                        "{path}: (documents, syntax errors) {h:?} before the fixes, {now:?} after (unsafe: {unsafe_fixes})"
                    ));
                }
            }
            if unsafe_fixes {
                continue;
            }
            let count = |o: &gwlint::Outcome| {
                let mut m: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
                for d in &o.diagnostics {
                    *m.entry((o.file(d.span.file).display_path(), d.rule))
                        .or_default() += 1;
                }
                m
            };
            let (cb, ca) = (count(&before), count(&after));
            for (k, n) in &ca {
                let was = cb.get(k).copied().unwrap_or(0);
                if *n > was {
                    problems.push(format!("{} {}: {was} findings before, {n} after", k.0, k.1));
                }
            }
        }
    }
    eprintln!("fixes offered on the corpus (rule, applicability): {offered:?}");
    eprintln!("fixes applied by --fix: {:?}", applied[0]);
    eprintln!("fixes applied by --fix --unsafe-fixes: {:?}", applied[1]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_byte_order_mark_and_the_file_mode_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cm.yaml");
    std::fs::write(
        &path,
        "\u{feff}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n  labels:\r\n    enabled: on\r\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = gwlint(dir.path(), &["--no-config", "--fix", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n  labels:\r\n    enabled: \"on\"\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn root_with_named_files_edits_only_those() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &common::root().join("testdata/GW110/fix/before"),
        dir.path(),
    );
    let before = std::fs::read(dir.path().join("backend.yaml")).unwrap();
    // The grant goes to backend.yaml, which is not among the files named.
    let out = gwlint(
        dir.path(),
        &[
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--root",
            ".",
            "routes.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        std::fs::read(dir.path().join("backend.yaml")).unwrap(),
        before
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no fixes applied"), "{stderr}");
}
