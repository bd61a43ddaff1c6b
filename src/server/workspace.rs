//! The workspace as the server sees it: the settings, the configuration they select, and the
//! last complete lint of the folder (the snapshot every request is answered from).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// One complete lint of the workspace. Its findings are published as soon as the lint ends; its
/// navigation index is built after that (see [`build`]) and set once ready.
pub struct Snapshot {
    /// The folder linted.
    pub root: PathBuf,
    pub outcome: Outcome,
    nav: OnceLock<Nav>,
    by_path: Arc<HashMap<PathBuf, FileId>>,
    /// Indexes into `outcome.diagnostics`, by file.
    by_file: HashMap<FileId, Vec<usize>>,
    /// Wall time of the run, to the findings.
    pub took: std::time::Duration,
    pub stats: Stats,
}

/// What the run reused of the last one (for the log).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub parsed: usize,
    pub reused: usize,
    pub layout_reused: bool,
}

/// What navigation answers from before an index is set: nothing.
static NO_NAV: Nav = Nav {
    anchors: Vec::new(),
    symbols: Vec::new(),
};

impl Snapshot {
    pub fn empty() -> Snapshot {
        Snapshot {
            root: PathBuf::new(),
            outcome: Outcome::default(),
            nav: OnceLock::from(Nav::default()),
            by_path: Arc::default(),
            by_file: HashMap::new(),
            took: std::time::Duration::ZERO,
            stats: Stats::default(),
        }
    }

    /// The navigation index, or an empty one while it is being built.
    pub fn nav(&self) -> &Nav {
        self.nav.get().unwrap_or(&NO_NAV)
    }

    /// Sets the navigation index (the first one set stays).
    pub fn set_nav(&self, nav: Nav) {
        let _ = self.nav.set(nav);
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

/// The absolute paths of the last run's files, kept between runs: the files of a workspace are
/// the same from one edit to the next, and making 3,000 paths absolute and hashing them again
/// cost as much as a rule.
#[derive(Default)]
pub struct PathMemo {
    cwd: PathBuf,
    /// The paths as the run shows them, then made absolute.
    shown: Vec<PathBuf>,
    abs: Vec<PathBuf>,
    by_path: Arc<HashMap<PathBuf, FileId>>,
}

impl PathMemo {
    /// Makes the files' paths absolute; returns the files by path.
    fn absolute(
        &mut self,
        files: &mut [crate::source::SourceFile],
    ) -> Arc<HashMap<PathBuf, FileId>> {
        // Paths are shown relative to the working directory, as `gwlint check` shows them; the
        // protocol's URIs need them absolute.
        let cwd = std::env::current_dir().unwrap_or_default();
        // Compared as bytes: `Path`'s equality walks components.
        let same = cwd == self.cwd
            && files.len() == self.shown.len()
            && files
                .iter()
                .zip(&self.shown)
                .all(|(f, p)| f.path.as_os_str() == p.as_os_str());
        if same {
            for (f, abs) in files.iter_mut().zip(&self.abs) {
                f.path.clone_from(abs);
            }
            return Arc::clone(&self.by_path);
        }
        self.shown = files.iter().map(|f| f.path.clone()).collect();
        for f in files.iter_mut() {
            f.path = crate::discover::lexical_abs(&f.path, &cwd);
        }
        self.abs = files.iter().map(|f| f.path.clone()).collect();
        self.by_path = Arc::new(files.iter().map(|f| (f.path.clone(), f.id)).collect());
        self.cwd = cwd;
        Arc::clone(&self.by_path)
    }
}

/// The caches a lint reuses, handed from one lint to the next.
#[derive(Default)]
pub struct Caches {
    pub cache: Cache,
    pub paths: PathMemo,
}

/// Lints the workspace, reusing what `caches` hold. The snapshot and the caches go to `publish`
/// once the findings are known (the next lint may start then), before the navigation index (a
/// sizeable share of a run that no finding waits for) is built from the graph; the index is
/// returned.
pub fn build(opts: &Options, caches: Caches, publish: impl FnOnce(Snapshot, Caches)) -> Nav {
    let start = std::time::Instant::now();
    let Caches {
        mut cache,
        mut paths,
    } = caches;
    crate::lint_incremental_owned(opts, &mut cache, |mut outcome, g, cache| {
        let by_path = paths.absolute(&mut outcome.files);
        let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        for (i, d) in outcome.diagnostics.iter().enumerate() {
            by_file.entry(d.span.file).or_default().push(i);
        }
        let snap = Snapshot {
            root: opts.paths.first().cloned().unwrap_or_default(),
            outcome,
            nav: OnceLock::new(),
            by_path,
            by_file,
            took: start.elapsed(),
            stats: Stats {
                parsed: cache.parsed,
                reused: cache.reused,
                layout_reused: cache.layout_reused(),
            },
        };
        // The run is done with the cache: it goes with the findings.
        let caches = Caches {
            cache: std::mem::take(cache),
            paths: std::mem::take(&mut paths),
        };
        publish(snap, caches);
        nav::index(g)
    })
}

/// [`build`] for a caller that wants the snapshot whole, with its navigation index.
#[cfg(test)]
pub fn build_complete(opts: &Options, cache: &mut Cache) -> Snapshot {
    let mut snap = None;
    let caches = Caches {
        cache: std::mem::take(cache),
        paths: PathMemo::default(),
    };
    let nav = build(opts, caches, |s, c| {
        snap = Some(s);
        *cache = c.cache;
    });
    let snap = snap.unwrap_or_else(Snapshot::empty);
    snap.set_nav(nav);
    snap
}
