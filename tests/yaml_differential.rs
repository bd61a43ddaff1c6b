//! YAML as kubectl reads it: a file that PyYAML parses must load without YAML001 in gwlint, or the
//! difference is listed below with its reason. PyYAML stands in for kubectl's go-yaml (both YAML
//! 1.1 readers that accept what the 1.2 grammar rejects, such as flow collections closed at their
//! parent's indentation). Runs over ../shared/corpus and testdata/; skips with a note when python3
//! with PyYAML is not installed (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Files PyYAML parses that gwlint reports YAML001 on, with the reason (none today).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The files of `paths` that PyYAML loads (any tag accepted), or None without python3 + PyYAML.
fn pyyaml_parses(paths: &[PathBuf]) -> Option<Vec<bool>> {
    let script = r#"
import sys
try:
    import yaml
except ImportError:
    print("NO-PYYAML"); sys.exit(0)
class L(yaml.SafeLoader): pass
L.add_multi_constructor("", lambda loader, suffix, node: None)
for p in sys.stdin.read().splitlines():
    try:
        with open(p, encoding="utf-8") as f:
            list(yaml.load_all(f, Loader=L))
        print("1")
    except Exception:
        print("0")
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    {
        use std::io::Write;
        child.stdin.take()?.write_all(list.as_bytes()).ok()?;
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    if text.starts_with("NO-PYYAML") {
        return None;
    }
    let answers: Vec<bool> = text.lines().map(|l| l == "1").collect();
    (answers.len() == paths.len()).then_some(answers)
}

#[test]
fn files_pyyaml_reads_load_without_yaml001() {
    let mut files = Vec::new();
    let corpus = common::corpus();
    if corpus.is_dir() {
        yaml_files(&corpus, &mut files);
    } else {
        eprintln!("../shared/corpus not present; only testdata/ is compared");
    }
    yaml_files(&common::root().join("testdata"), &mut files);
    // Files gwlint reports YAML001 on (loaded one by one, as the pipeline loads them).
    let opts = gwlint::load::LoadOptions::default();
    let broken: Vec<PathBuf> = files
        .iter()
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            let loaded = gwlint::load::load_bytes(0, p, bytes, &opts);
            loaded.issues.iter().any(|i| i.rule == "YAML001")
        })
        .cloned()
        .collect();
    let Some(parsed) = pyyaml_parses(&broken) else {
        eprintln!("python3 with PyYAML not available; differential YAML test skipped");
        return;
    };
    let mut differences: Vec<String> = broken
        .iter()
        .zip(parsed)
        .filter(|(_, ok)| *ok)
        .map(|(p, _)| {
            p.strip_prefix(common::root())
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .filter(|p| !KNOWN_DIFFERENCES.iter().any(|(k, _)| p.ends_with(k)))
        .collect();
    differences.sort();
    assert!(
        differences.is_empty(),
        "PyYAML reads these files, gwlint reports YAML001 (fix the loader, or list the file with the reason):\n{}",
        differences.join("\n")
    );
    eprintln!(
        "{} YAML files compared; {} with YAML001, all rejected by PyYAML too",
        files.len(),
        broken.len()
    );
}
