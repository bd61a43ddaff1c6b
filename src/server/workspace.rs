//! The workspace as the server sees it: the settings, the configuration they select, and the
//! last complete lint of the folder (the snapshot every request is answered from).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{self, Config};
use crate::graph::nav::{self, Nav};
use crate::incremental::Cache;
use crate::source::FileId;
use crate::{Options, Outcome};

/// Settings from `initializationOptions` or `workspace/didChangeConfiguration` (either the
/// object itself or under a `gwlint` key).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// A configuration file to use instead of the `.gwlint.yaml` found from the folder.
    pub config_path: Option<PathBuf>,
    /// Only these rules (ids or names).
    pub select: Vec<String>,
    /// Never these rules (ids or names).
    pub ignore: Vec<String>,
}

impl Settings {
    pub fn from_json(v: &serde_json::Value) -> Result<Settings, String> {
        let v = v.get("gwlint").unwrap_or(v);
        if v.is_null() {
            return Ok(Settings::default());
        }
        Settings::deserialize(v).map_err(|e| format!("gwlint settings: {e}"))
    }
}

/// The options of a run over `root`, with its configuration; an error names what is wrong with
/// the settings or the configuration file (the run then uses the defaults).
pub fn options(root: &Path, settings: &Settings) -> (Options, Vec<String>) {
    let mut errors = Vec::new();
    let known = |n: &str| crate::rules::find(n).map(|r| r.id);
    let path = match &settings.config_path {
        Some(p) if p.is_absolute() => Some(p.clone()),
        Some(p) => Some(root.join(p)),
        None => match config::discover(root) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        },
    };
    let cfg = match &path {
        Some(p) => config::load(p, &known).unwrap_or_else(|e| {
            errors.push(e.to_string());
            Config::default()
        }),
        None => Config::default(),
    };
    let mut rules = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter_map(|n| match crate::rules::find(n) {
                Some(r) => Some(r.id.to_string()),
                None => {
                    errors.push(format!("gwlint settings: unknown rule `{n}`"));
                    None
                }
            })
            .collect()
    };
    let select = rules(&settings.select);
    let ignore = rules(&settings.ignore);
    let opts = Options {
        paths: vec![root.to_path_buf()],
        config: cfg,
        select,
        ignore,
        ..Options::default()
    };
    (opts, errors)
}

/// One complete lint of the workspace.
pub struct Snapshot {
    /// The folder linted.
    pub root: PathBuf,
    pub outcome: Outcome,
    pub nav: Nav,
    by_path: HashMap<PathBuf, FileId>,
    /// Indexes into `outcome.diagnostics`, by file.
    by_file: HashMap<FileId, Vec<usize>>,
    /// Wall time of the run.
    pub took: std::time::Duration,
}

impl Snapshot {
    pub fn empty() -> Snapshot {
        Snapshot {
            root: PathBuf::new(),
            outcome: Outcome::default(),
            nav: Nav::default(),
            by_path: HashMap::new(),
            by_file: HashMap::new(),
            took: std::time::Duration::ZERO,
        }
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn diagnostics_of(
        &self,
        file: FileId,
    ) -> impl Iterator<Item = &crate::diagnostic::Diagnostic> {
        self.by_file
            .get(&file)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.outcome.diagnostics.get(i))
    }

    /// Files with findings.
    pub fn files_with_findings(&self) -> impl Iterator<Item = FileId> + '_ {
        self.by_file.keys().copied()
    }
}

/// Lints the workspace, reusing what `cache` holds.
pub fn build(opts: &Options, cache: &mut Cache) -> Snapshot {
    let start = std::time::Instant::now();
    let (mut outcome, nav) = crate::lint_incremental(opts, cache, |_, g| nav::index(g));
    // Paths are shown relative to the working directory, as `gwlint check` shows them; the
    // protocol's URIs need them absolute.
    let cwd = std::env::current_dir().unwrap_or_default();
    for f in &mut outcome.files {
        f.path = crate::discover::lexical_abs(&f.path, &cwd);
    }
    let by_path = outcome
        .files
        .iter()
        .map(|f| (f.path.clone(), f.id))
        .collect();
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, d) in outcome.diagnostics.iter().enumerate() {
        by_file.entry(d.span.file).or_default().push(i);
    }
    Snapshot {
        root: opts.paths.first().cloned().unwrap_or_default(),
        outcome,
        nav,
        by_path,
        by_file,
        took: start.elapsed(),
    }
}
