//! What a long-lived client (the language server) keeps between runs of the pipeline: the
//! per-file stages (load, model, the repository schemas' findings, the model again with Flux
//! variables) keyed by each file's content, so a run after an edit re-parses only the files that
//! changed. A file's text, line index and field paths are shared between runs
//! ([`crate::source::SourceFile`]), not copied. Unsaved editor buffers are not kept here: they
//! are the options' [`crate::overlay::Overlay`], as for any run. The resolve stage's layout
//! (which namespaces, variables and builds kustomizations and Flux give each file) is kept while
//! no file it reads changed ([`layout`]). Discovery, the rest of the resolve stage, the graph and
//! the checks run on the whole set: they are what an edit to one file can change anywhere.

mod layout;
mod purpose;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// What a cached stage's output was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ContentKey {
    /// A file on disk, by size and modification time (reading every file to hash it would cost
    /// what the cache saves).
    Disk {
        len: u64,
        modified: Option<SystemTime>,
    },
    /// An editor buffer, by a hash of its text and its length.
    Buffer { hash: u64, len: usize },
}

/// The stages of the file a run had at one index of its file table.
pub(crate) struct Entry {
    pub path: PathBuf,
    pub key: ContentKey,
    pub result: crate::FileResult,
    /// The repository CRD schemas' findings in the file, under the CRDs of one generation
    /// ([`Cache::crd_generation`]).
    pub schema: Option<(u64, Vec<Diagnostic>)>,
}

/// A file modelled again with the Flux post-build variables that apply to it.
pub(crate) struct Remodelled {
    /// The text it was modelled from: the same allocation means the same text (the entry keeps
    /// it alive, so it cannot be reused for another).
    pub text: std::sync::Arc<String>,
    pub path: PathBuf,
    pub vars: HashMap<String, String>,
    pub objects: Vec<crate::model::Object>,
}

/// Caches of one workspace. Not shared between configurations: the caller makes a new one when
/// the configuration changes (the default namespace, the size limit and the targets shape the
/// model).
#[derive(Default)]
pub struct Cache {
    /// By file id: a file keeps its id while the files found stay the same (ids are in every
    /// span of its results), so an entry is reused only at the same index.
    pub(crate) files: Vec<Option<Entry>>,
    /// The CRD-bearing files (and their keys) of the current generation of schema findings.
    pub(crate) crd_files: Vec<(PathBuf, Option<ContentKey>)>,
    /// Bumped when the CRDs change: every file's schema findings are then out of date.
    pub(crate) crd_generation: u64,
    /// Files modelled again with Flux variables, by file id.
    pub(crate) remodelled: HashMap<FileId, Remodelled>,
    /// The resolve stage's layout of the last run (see [`layout`]).
    pub(crate) layout: layout::LayoutMemo,
    /// The example files and deploy units of the last run (see [`purpose`]).
    pub(crate) purpose: purpose::PurposeMemo,
    /// The embedded schemas the options select (None: every schema rule is off).
    pub(crate) catalog: Option<std::sync::Arc<Option<crate::schema::embedded::Catalog>>>,
    /// The last discovery, reused until [`Cache::rediscover`] is called.
    discovered: Option<crate::discover::Discovered>,
    /// The client reports every change on disk to the files discovery may find (the server's
    /// file watcher): a run that does not walk the folder again then takes a file read from disk
    /// as unchanged without asking the file system for its size and time.
    pub disk_watched: bool,
    /// Files whose load and model stages the last run reused, and those it ran.
    pub reused: usize,
    pub parsed: usize,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Makes the next run walk the folder again (a file may have been created, deleted or
    /// renamed). Without it, a run lints the files the last walk found: an edit to a buffer
    /// does not change which files there are.
    pub fn rediscover(&mut self) {
        self.discovered = None;
    }

    /// Whether the next run may reuse the files read from disk without looking at them: the
    /// client reports changes on disk, and the run does not walk the folder again (every report
    /// of a change on disk makes the server ask for a new walk).
    pub(crate) fn disk_unchanged(&self) -> bool {
        self.disk_watched && self.discovered.is_some()
    }

    /// What the resolve stage keeps between runs.
    pub(crate) fn resolve_memos(&mut self) -> ResolveMemos<'_> {
        ResolveMemos {
            remodelled: &mut self.remodelled,
            layout: &mut self.layout,
        }
    }

    /// Whether the last run reused the resolve stage's layout.
    pub fn layout_reused(&self) -> bool {
        self.layout.reused
    }

    pub(crate) fn discovered(
        &mut self,
        walk: impl FnOnce() -> crate::discover::Discovered,
    ) -> crate::discover::Discovered {
        self.discovered.get_or_insert_with(walk).clone()
    }

    /// The key of a file's current content, and the overlay's text standing for it if any.
    pub(crate) fn key_of<'o>(
        path: &Path,
        overlay: Option<&'o crate::overlay::Lookup<'_>>,
    ) -> (ContentKey, Option<&'o std::sync::Arc<String>>) {
        if let Some(text) = overlay.and_then(|o| o.get(path)) {
            return (buffer_key(text), Some(text));
        }
        let meta = std::fs::metadata(path).ok();
        let key = ContentKey::Disk {
            len: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        };
        (key, None)
    }
}

/// The caches of the resolve stage, borrowed together.
pub(crate) struct ResolveMemos<'c> {
    pub remodelled: &'c mut HashMap<FileId, Remodelled>,
    pub layout: &'c mut layout::LayoutMemo,
}

fn buffer_key(text: &str) -> ContentKey {
    // Fixed seeds: the key is compared within one process only, but must not change between runs.
    let state = foldhash::fast::FixedState::with_seed(0x6777_6c69_6e74);
    ContentKey::Buffer {
        hash: state.hash_one(text),
        len: text.len(),
    }
}
