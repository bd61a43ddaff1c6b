//! The example files and deploy units of the last run ([`crate::purpose`]), kept between runs
//! of a long-lived client. Both are functions of the files' paths, the paths given, the
//! working directory (paths are shown relative to it) and what the layout and the test-data
//! stage decided (the files Flux reaches, unlinted test data, the kustomize builds): when none
//! of these changed (an edit to a file's content that keeps the layout), they are the last
//! run's. Walking every path's components for them was a tenth of an edit on the corpus.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::kustomize::Build;
use crate::source::{FileId, SourceFile};

/// What the last results were computed from, and the results.
#[derive(Default)]
pub(crate) struct PurposeMemo {
    key: Option<Key>,
    samples: Vec<FileId>,
    units: HashMap<FileId, u32>,
}

#[derive(PartialEq)]
struct Key {
    cwd: PathBuf,
    paths: Vec<PathBuf>,
    roots: Vec<PathBuf>,
    flux_reached: Option<HashSet<FileId>>,
    unlinted: Vec<FileId>,
    builds: Vec<Build>,
}

impl PurposeMemo {
    /// [`crate::purpose::sample_files`] and [`crate::purpose::deploy_units`] of these inputs.
    pub(crate) fn get(
        &mut self,
        files: &[SourceFile],
        roots: &[PathBuf],
        flux_reached: Option<&HashSet<FileId>>,
        unlinted: &[FileId],
        builds: &[Build],
    ) -> (Vec<FileId>, HashMap<FileId, u32>) {
        let cwd = std::env::current_dir().unwrap_or_default();
        // Compared as bytes: `Path`'s equality walks components.
        let same = self.key.as_ref().is_some_and(|k| {
            k.cwd == cwd
                && k.paths.len() == files.len()
                && k.paths
                    .iter()
                    .zip(files)
                    .all(|(p, f)| p.as_os_str() == f.path.as_os_str())
                && k.roots == roots
                && k.flux_reached.as_ref() == flux_reached
                && k.unlinted == unlinted
                && k.builds == builds
        });
        if !same {
            self.samples = crate::purpose::sample_files(files, roots, flux_reached);
            self.units = crate::purpose::deploy_units(files, roots, flux_reached, unlinted, builds);
            self.key = Some(Key {
                cwd,
                paths: files.iter().map(|f| f.path.clone()).collect(),
                roots: roots.to_vec(),
                flux_reached: flux_reached.cloned(),
                unlinted: unlinted.to_vec(),
                builds: builds.to_vec(),
            });
        }
        (self.samples.clone(), self.units.clone())
    }
}
