//! Runs every fixture repository under testdata/ and compares findings with the inline
//! `# expect: RULE` / `# expect-next-line: RULE` annotations.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gwlint::config::Severity;

fn expectations(dir: &Path) -> BTreeMap<(String, usize), Vec<String>> {
    let mut out: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let path = gwlint::discover::display_path(&entry)
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.split('\n').enumerate() {
            for (marker, offset) in [("# expect-next-line:", 2usize), ("# expect:", 1)] {
                if let Some(pos) = line.find(marker) {
                    let ids = &line[pos + marker.len()..];
                    for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let id = id.split_whitespace().next().unwrap().to_string();
                        out.entry((path.clone(), i + offset)).or_default().push(id);
                    }
                    break;
                }
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every fixture repository: `testdata/<group>/<repo>/`.
fn repositories() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for group in std::fs::read_dir("testdata").unwrap() {
        let group = group.unwrap().path();
        if !group.is_dir() {
            continue;
        }
        for repo in std::fs::read_dir(&group).unwrap() {
            let repo = repo.unwrap().path();
            // `testdata/<RULE>/fix/{before,after}` are fix pairs (tests/fixes.rs), not
            // repositories with expectations.
            if repo.is_dir() && !repo.ends_with("fix") {
                out.push(repo);
            }
        }
    }
    out.sort();
    out
}

fn check_repo(repo: &Path) -> Vec<String> {
    let outcome = common::lint_dir(repo);
    let mut expected = expectations(repo);
    let mut problems = Vec::new();
    for d in &outcome.diagnostics {
        let f = outcome.file(d.span.file);
        let line = f.position(d.span.start as usize).line;
        let key = (f.display_path(), line);
        let matched = expected
            .get_mut(&key)
            .and_then(|ids| ids.iter().position(|i| i == d.rule).map(|p| ids.remove(p)))
            .is_some();
        if !matched && d.severity >= Severity::Warning {
            problems.push(format!(
                "unexpected {} at {}:{}: {}",
                d.rule, key.0, key.1, d.message
            ));
        }
    }
    for ((path, line), ids) in expected {
        for id in ids {
            problems.push(format!("expected {id} at {path}:{line}, not reported"));
        }
    }
    problems
}

#[test]
fn fixtures_match_expectations() {
    std::env::set_current_dir(common::root()).unwrap();
    let mut problems = Vec::new();
    let repos = repositories();
    assert!(repos.len() >= 30, "fixture repositories missing");
    for repo in &repos {
        problems.extend(check_repo(repo));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_trigger_and_clean_fixtures_and_an_implementation() {
    std::env::set_current_dir(common::root()).unwrap();
    assert!(
        gwlint::rules::malformed_pages().is_empty(),
        "malformed pages: {:?}",
        gwlint::rules::malformed_pages()
    );
    let implemented: Vec<&str> = gwlint::checks::registry()
        .iter()
        .map(|c| c.id())
        .chain(gwlint::checks::LOAD_STAGE_RULES.iter().copied())
        .collect();
    let mut problems = Vec::new();
    for r in gwlint::rules::all() {
        if !implemented.contains(&r.id) {
            problems.push(format!("{}: page without implementation", r.id));
        }
        let trigger = Path::new("testdata").join(r.id).join("trigger");
        let clean = Path::new("testdata").join(r.id).join("clean");
        if !trigger.is_dir() || !clean.is_dir() {
            problems.push(format!(
                "{}: testdata/{}/trigger and clean are required",
                r.id, r.id
            ));
            continue;
        }
        let exp = expectations(&trigger);
        if !exp.values().flatten().any(|id| id == r.id) {
            problems.push(format!("{}: trigger fixture expects no {}", r.id, r.id));
        }
        if !expectations(&clean).is_empty() {
            problems.push(format!("{}: clean fixture must have no expectations", r.id));
        }
    }
    for id in implemented {
        if gwlint::rules::meta(id).is_none() {
            problems.push(format!("{id}: implemented but has no page in rules/"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
