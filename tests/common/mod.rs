#![allow(dead_code)]

use std::path::{Path, PathBuf};

use gwlint::config::{self, Config};
use gwlint::{Options, Outcome};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus` beside the project, when present.
pub fn corpus() -> PathBuf {
    root().join("../shared/corpus")
}

/// The SARIF 2.1.0 schema in `../shared/schemas`, or None (with a note) on a fresh clone that has
/// no `../shared` beside it: CI has it and validates there.
pub fn sarif_schema() -> Option<serde_json::Value> {
    let path = root().join("../shared/schemas/sarif-schema-2.1.0.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("SARIF schema is JSON")),
        Err(_) => {
            eprintln!(
                "{} not present; SARIF schema validation skipped",
                path.display()
            );
            None
        }
    }
}

pub fn lint_dir(dir: &Path) -> Outcome {
    // Each fixture directory stands for a repository of its own: its .gwlint.yaml governs it
    // (discovery would look for the configuration at the root of the project's checkout).
    let own = dir.join(config::FILE_NAME);
    let cfg = if own.is_file() {
        config::load(&own, &|n| gwlint::rules::find(n).map(|r| r.id)).expect("fixture config")
    } else {
        Config::default()
    };
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        config: cfg,
        ..Options::default()
    };
    gwlint::lint(&opts, None)
}

/// (path, line, rule) of every finding.
pub fn findings(o: &Outcome) -> Vec<(String, usize, String, String)> {
    o.diagnostics
        .iter()
        .map(|d| {
            let f = o.file(d.span.file);
            let pos = f.position(d.span.start as usize);
            (
                f.display_path(),
                pos.line,
                d.rule.to_string(),
                d.severity.to_string(),
            )
        })
        .collect()
}

/// The rule ids of `gwlint check --format json` output, in order.
pub fn rules_of(json: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}
