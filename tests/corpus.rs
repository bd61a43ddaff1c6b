//! Smoke test over ../shared/corpus: every file is accounted for (loaded, skipped with a reason,
//! or reported), nothing panics, and the per-folder figures are printed for the issue notes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use gwlint::load::FileStatus;

fn yaml_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn corpus_lints_without_panic_and_accounts_for_every_file() {
    let corpus = common::corpus();
    if !corpus.is_dir() {
        eprintln!("../shared/corpus not present; skipped");
        return;
    }
    let mut folders: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(folders.len() >= 6);
    for folder in folders {
        let outcome = common::lint_dir(&folder);
        assert_eq!(
            outcome.files.len(),
            yaml_files(&folder),
            "{}: files discovered",
            folder.display()
        );
        assert_eq!(outcome.statuses.len(), outcome.files.len());
        let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &outcome.diagnostics {
            *by_rule.entry(d.rule).or_default() += 1;
        }
        let mut loaded = 0;
        let mut skipped = 0;
        for (file, status) in outcome.files.iter().zip(&outcome.statuses) {
            match status {
                FileStatus::Loaded { .. } => loaded += 1,
                FileStatus::Skipped { rule, .. } => {
                    skipped += 1;
                    assert!(
                        outcome
                            .diagnostics
                            .iter()
                            .any(|d| d.rule == *rule && d.span.file == file.id),
                        "{} skipped without a {rule} finding",
                        file.display_path()
                    );
                }
                FileStatus::Unreadable { error } => panic!("unreadable corpus file: {error}"),
            }
        }
        assert!(outcome.io_errors.is_empty(), "{:?}", outcome.io_errors);
        eprintln!(
            "{}: {} files ({} loaded, {} skipped), {} objects, findings {:?}",
            folder.file_name().unwrap().to_string_lossy(),
            outcome.statuses.len(),
            loaded,
            skipped,
            outcome.objects,
            by_rule
        );
    }
}
