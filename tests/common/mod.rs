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

pub fn lint_dir(dir: &Path) -> Outcome {
    let cfg = match config::discover(dir) {
        Some(p) => {
            config::load(&p, &|n| gwlint::rules::find(n).map(|r| r.id)).expect("fixture config")
        }
        None => Config::default(),
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
