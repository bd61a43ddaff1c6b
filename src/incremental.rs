//! What a long-lived client (the language server) keeps between runs of the pipeline: the
//! contents of unsaved editor buffers, which stand for the files of the same path, and the
//! per-file stages (load, model, the repository schemas' findings) keyed by each file's content,
//! so a run after an edit re-parses only the files that changed. Discovery, the resolve stage
//! (kustomize, Flux), the graph and the checks always run on the whole set: they are what an edit
//! to one file can change anywhere.

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

pub(crate) struct Entry {
    pub key: ContentKey,
    pub id: FileId,
    pub result: crate::FileResult,
}

/// Findings of the repository's CRD schemas for one file, valid while the file and the set of
/// CRDs stay the same.
pub(crate) struct SchemaEntry {
    pub key: ContentKey,
    pub id: FileId,
    pub diags: Vec<Diagnostic>,
}

/// Caches of one workspace. Not shared between configurations: the caller makes a new one when
/// the configuration changes (the default namespace, the size limit and the targets shape the
/// model).
#[derive(Default)]
pub struct Cache {
    /// Open buffers by absolute path: read instead of the file on disk.
    buffers: HashMap<PathBuf, String>,
    pub(crate) files: HashMap<PathBuf, Entry>,
    pub(crate) schema: HashMap<PathBuf, SchemaEntry>,
    /// The CRD-bearing files (and their keys) the schema entries were computed under.
    pub(crate) crd_files: Vec<(PathBuf, ContentKey)>,
    /// The last discovery, reused until [`Cache::rediscover`] is called.
    discovered: Option<crate::discover::Discovered>,
    /// Discovery shows paths relative to the working directory; buffers are keyed absolute.
    cwd: PathBuf,
    /// Files whose load and model stages the last run reused, and those it ran.
    pub reused: usize,
    pub parsed: usize,
}

impl Cache {
    pub fn new() -> Cache {
        Cache {
            cwd: std::env::current_dir().unwrap_or_default(),
            ..Cache::default()
        }
    }

    /// Sets the text of an open buffer (`path` absolute).
    pub fn set_buffer(&mut self, path: PathBuf, text: String) {
        self.buffers.insert(path, text);
    }

    /// Makes the next run walk the folder again (a file may have been created, deleted or
    /// renamed). Without it, a run lints the files the last walk found: an edit to a buffer
    /// does not change which files there are.
    pub fn rediscover(&mut self) {
        self.discovered = None;
    }

    pub(crate) fn discovered(
        &mut self,
        walk: impl FnOnce() -> crate::discover::Discovered,
    ) -> crate::discover::Discovered {
        self.discovered.get_or_insert_with(walk).clone()
    }

    /// Sets every open buffer at once (the others are forgotten).
    pub fn set_buffers(&mut self, buffers: HashMap<PathBuf, String>) {
        self.buffers = buffers;
    }

    /// Forgets an open buffer: the file on disk counts again.
    pub fn close_buffer(&mut self, path: &Path) {
        self.buffers.remove(path);
    }

    pub fn buffer(&self, path: &Path) -> Option<&str> {
        self.buffers.get(path).map(String::as_str)
    }

    /// The key of a file's current content, and the buffer standing for it if any.
    pub(crate) fn key_of(&self, path: &Path) -> (ContentKey, Option<&str>) {
        if !self.buffers.is_empty() {
            let abs = crate::discover::lexical_abs(path, &self.cwd);
            if let Some(text) = self.buffers.get(&abs) {
                return (buffer_key(text), Some(text));
            }
        }
        let meta = std::fs::metadata(path).ok();
        let key = ContentKey::Disk {
            len: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        };
        (key, None)
    }
}

fn buffer_key(text: &str) -> ContentKey {
    // Fixed seeds: the key is compared within one process only, but must not change between runs.
    let state = foldhash::fast::FixedState::with_seed(0x6777_6c69_6e74);
    ContentKey::Buffer {
        hash: state.hash_one(text),
        len: text.len(),
    }
}
