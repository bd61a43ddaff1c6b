//! What a file is for, as its place in the repository says: test data that no cluster runs,
//! tests and examples whose credentials are dummies, inputs named invalid on purpose.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::Outcome;
use crate::source::{FileId, SourceFile};

/// Files in test-data directories (`testdata`, `fixtures`, …; see
/// [`crate::kustomize::is_test_data_name`]) hold what tests read and expect: deliberately broken
/// inputs, golden outputs, dummy credentials. No cluster runs them, so unless a kustomization
/// or Flux Kustomization outside test data deploys one, findings in them are not reported.
/// Their objects stay in the graph: an end-to-end manifest elsewhere may use a Service that a
/// test-data file defines. Only directories below a path given to gwlint count: naming a
/// test-data directory (or a file in one) lints it, and `lintTestData: true` lints them all.
/// Returns the files, sorted.
pub(crate) fn unlinted_test_data(
    outcome: &mut Outcome,
    roots: &[PathBuf],
    deployers: &HashMap<FileId, Vec<FileId>>,
) -> Vec<FileId> {
    if deployers.is_empty() {
        return Vec::new();
    }
    let roots = given_roots(roots);
    // A golden output counts when it is not itself the path given.
    let below_root = |f: &SourceFile| {
        let p = f.normalized_path();
        in_normalized_dir_below_root(&roots, &p, crate::kustomize::is_test_data_name)
            || (crate::kustomize::is_golden_output(&p) && !roots.iter().any(|r| *r == *p))
    };
    let mut held: Vec<FileId> = deployers
        .iter()
        .filter(|(f, by)| {
            below_root(&outcome.files[**f as usize])
                && by.iter().all(|k| below_root(&outcome.files[*k as usize]))
        })
        .map(|(f, _)| *f)
        .collect();
    if held.is_empty() {
        return held;
    }
    held.sort_unstable();
    outcome.test_data_withheld = held.len();
    outcome.notes.push(format!(
        "{} files of test data (testdata and fixtures directories, golden outputs, …) that no kustomization deploys, not linted",
        held.len()
    ));
    held
}

/// Files in archive directories (see [`crate::kustomize::is_archive_name`]) below the paths
/// given, except those that some kustomize build takes together with a file outside archive
/// directories: an overlay may still build an archived base. Sorted.
pub(crate) fn archived_unbuilt(
    files: &[SourceFile],
    roots: &[PathBuf],
    builds: &[crate::kustomize::Build],
) -> Vec<FileId> {
    let roots = given_roots(roots);
    // Every file's directories are read: on all threads, in file order.
    let archived: Vec<bool> = files
        .par_iter()
        .map(|f| {
            in_normalized_dir_below_root(
                &roots,
                &f.normalized_path(),
                crate::kustomize::is_archive_name,
            )
        })
        .collect();
    let is_archived = |f: FileId| archived.get(f as usize).copied().unwrap_or(false);
    if !archived.contains(&true) {
        return Vec::new();
    }
    let mut kept: HashSet<FileId> = HashSet::new();
    for b in builds {
        if b.files.iter().any(|&f| !is_archived(f)) {
            kept.extend(b.files.iter().copied().filter(|&f| is_archived(f)));
        }
    }
    // The kustomizations on the way to a kept file are part of its build.
    let kept_dirs: HashSet<PathBuf> = kept
        .iter()
        .filter_map(|&f| files.get(f as usize))
        .flat_map(|f| {
            f.normalized_path()
                .ancestors()
                .skip(1)
                .take(64)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    let builds_kept = |f: &SourceFile| {
        crate::model::is_kustomization_file(&f.path)
            && f.normalized_path()
                .parent()
                .is_some_and(|d| kept_dirs.contains(d))
    };
    files
        .iter()
        .filter(|f| is_archived(f.id) && !kept.contains(&f.id) && !builds_kept(f))
        .map(|f| f.id)
        .collect()
}

/// The paths given to gwlint, as files' paths are shown.
fn given_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    roots
        .iter()
        .map(|r| crate::kustomize::normalize(&crate::discover::display_path(r)))
        .collect()
}

/// Whether a directory named as `named` says holds `p` (lexically normalised), counting only
/// directories below the deepest given path that holds it: a repository checked out under
/// `~/examples/` is not an example, and naming a directory says it is meant. The callers ask it
/// of every file, whose normalised path is found once ([`SourceFile::normalized_path`]).
fn in_normalized_dir_below_root(roots: &[PathBuf], p: &Path, named: fn(&str) -> bool) -> bool {
    // The directories below a root are some of the file's directories: when none of these has
    // such a name, as for nearly every file, there is no root to look for.
    if !crate::kustomize::dir_names(p).any(named) {
        return false;
    }
    let rel = roots
        .iter()
        .filter_map(|r| p.strip_prefix(r).ok())
        .min_by_key(|rel| rel.components().count())
        .unwrap_or(p);
    crate::kustomize::dir_names(rel).any(named)
}

/// Files in test or example directories (`test`, `e2e`, `examples`, `samples`, …) that no Flux
/// Kustomization deploys, sorted: rules whose findings there are usually about dummy values
/// (sample credentials, test certificates) report them as info.
pub(crate) fn sample_files(
    files: &[SourceFile],
    roots: &[PathBuf],
    flux_reached: Option<&HashSet<FileId>>,
) -> Vec<FileId> {
    let bases = sample_bases(roots);
    // Every file's directories are read: on all threads, in file order.
    files
        .par_iter()
        .filter(|f| !flux_reached.is_some_and(|r| r.contains(&f.id)))
        .filter(|f| {
            in_normalized_dir_below_root(
                &bases,
                &f.normalized_path(),
                crate::kustomize::is_sample_name,
            )
        })
        .map(|f| f.id)
        .collect()
}

/// The paths given, as directories below which names of test and example directories count:
/// a path given inside a repository whose own name is one (`gwlint check samples/`) lints
/// samples, which are samples still; the directory a repository is checked out in never
/// counts (a clone under `~/examples/`).
fn sample_bases(roots: &[PathBuf]) -> Vec<PathBuf> {
    let shown = given_roots(roots);
    roots
        .iter()
        .zip(shown)
        .map(|(given, shown)| {
            let named = shown
                .file_name()
                .is_some_and(|n| crate::kustomize::is_sample_name(&n.to_string_lossy()));
            let inside_repository = || {
                std::fs::canonicalize(given).ok().is_some_and(|abs| {
                    crate::config::repository_above(&abs).is_some_and(|repo| repo != abs)
                })
            };
            match shown.parent() {
                Some(parent) if named && inside_repository() => parent.to_path_buf(),
                _ => shown,
            }
        })
        .collect()
}

/// Files applied on their own, never beside the rest of the repository, each with the number
/// of its unit: rules about objects that clash when deployed together (two writers of a Secret,
/// two Gateways on one host) pair only objects of the same unit, or of none
/// ([`crate::graph::Graph::apart`]).
/// - Test data that is not linted (`unlinted`): each file is a unit of its own; test data is
///   not deployed beside the rest (references into it still resolve: a manifest may use what a
///   test's setup file defines, and saying it is missing would be the worse error).
/// - Files in test and example directories that no Flux Kustomization deploys: each example is
///   applied on its own, so the unit is the directory just below the innermost such directory
///   (`samples/bookinfo` for `samples/bookinfo/networking/gateway.yaml`), or the file when it
///   lies directly in it (directories named as for [`sample_files`]). A kustomize build that holds
///   files of several units (or files of none) deploys them together: its files are no
///   example's alone.
pub(crate) fn deploy_units(
    files: &[SourceFile],
    roots: &[PathBuf],
    flux_reached: Option<&HashSet<FileId>>,
    unlinted: &[FileId],
    builds: &[crate::kustomize::Build],
) -> HashMap<FileId, u32> {
    let bases = sample_bases(roots);
    // Directories that hold a file of their own: an example has some; a directory that only
    // groups examples (`samples/security/{spire,…}`) has none.
    let with_files = std::cell::OnceCell::new();
    let dirs_with_files = || {
        with_files.get_or_init(|| {
            let mut dirs: HashSet<PathBuf> = HashSet::new();
            for f in files {
                if let Some(d) = f.normalized_path().parent() {
                    if !dirs.contains(d) {
                        dirs.insert(d.to_path_buf());
                    }
                }
            }
            dirs
        })
    };
    let unlinted_file = |f: &SourceFile| unlinted.binary_search(&f.id).is_ok();
    // Every file's directories are read on all threads (almost none is in an example); units
    // are found and numbered in file order below.
    let candidates: Vec<bool> = files
        .par_iter()
        .map(|f| {
            !unlinted_file(f)
                && !flux_reached.is_some_and(|r| r.contains(&f.id))
                && crate::kustomize::dir_names(&f.normalized_path())
                    .any(crate::kustomize::is_sample_name)
        })
        .collect();
    let mut units: HashMap<FileId, u32> = HashMap::new();
    let mut by_dir: HashMap<PathBuf, u32> = HashMap::new();
    let mut next = 0u32;
    for (f, candidate) in files.iter().zip(candidates) {
        if unlinted_file(f) {
            units.insert(f.id, next);
            next += 1;
            continue;
        }
        if !candidate {
            continue;
        }
        // The directories are listed for the first example that needs them.
        let Some(unit) = sample_unit(&bases, &f.normalized_path(), dirs_with_files) else {
            continue;
        };
        let id = *by_dir.entry(unit).or_insert_with(|| {
            next += 1;
            next - 1
        });
        units.insert(f.id, id);
    }
    if units.is_empty() {
        return units;
    }
    let mixed: Vec<FileId> = builds
        .iter()
        .filter(|b| {
            let first = b.files.first().and_then(|f| units.get(f));
            b.files.iter().any(|f| units.get(f) != first)
        })
        .flat_map(|b| b.files.iter().copied())
        .collect();
    for f in mixed {
        // Unlinted test data stays apart: nothing of it is reported, and a build that
        // deployed it would have made it linted.
        if unlinted.binary_search(&f).is_err() {
            units.remove(&f);
        }
    }
    units
}

/// The example a file in a test or example directory belongs to (see [`deploy_units`]), below
/// the deepest of `bases` that holds it.
fn sample_unit<'a>(
    bases: &[PathBuf],
    p: &Path,
    with_files: impl FnOnce() -> &'a HashSet<PathBuf>,
) -> Option<PathBuf> {
    // The directories below a base are some of the file's directories (see
    // `in_normalized_dir_below_root`).
    if !crate::kustomize::dir_names(p).any(crate::kustomize::is_sample_name) {
        return None;
    }
    let base = bases
        .iter()
        .filter(|r| p.starts_with(r) && r.as_path() != p)
        .max_by_key(|r| r.components().count())
        .map_or(Path::new(""), PathBuf::as_path);
    let rel = p.strip_prefix(base).unwrap_or(p);
    let parts: Vec<_> = rel.components().collect();
    let last_sample = parts[..parts.len().saturating_sub(1)]
        .iter()
        .rposition(|c| match c {
            std::path::Component::Normal(n) => {
                crate::kustomize::is_sample_name(&n.to_string_lossy())
            }
            _ => false,
        })?;
    // Below a directory that only groups examples, each of its directories is an example.
    let mut end = (last_sample + 2).min(parts.len());
    let with_files = (end + 1 < parts.len()).then(with_files);
    while let Some(with_files) = with_files.filter(|_| end + 1 < parts.len()) {
        let dir: PathBuf = base.join(parts[..end].iter().collect::<PathBuf>());
        if with_files.contains(&dir) {
            break;
        }
        end += 1;
    }
    let unit: PathBuf = parts[..end].iter().collect();
    Some(base.join(unit))
}

/// Findings of a repository CRD's schema (API504, API505, API509) on an object that no copy of
/// the CRD is deployed with (another example, another cluster): the CRD there may be a stale
/// reference copy, not what the cluster runs, so they are infos that say so.
pub(crate) fn soften_foreign_crd_findings(
    graph: &crate::graph::Graph,
    files: &[SourceFile],
    diags: &mut [crate::diagnostic::Diagnostic],
) {
    if graph.units.is_empty() && graph.clusters.is_empty() {
        return;
    }
    let mut crds: HashMap<(&str, &str), Vec<FileId>> = HashMap::new();
    for o in graph.objects {
        if let crate::model::Spec::Crd(c) = &o.spec {
            crds.entry((c.group.as_str(), c.kind.as_str()))
                .or_default()
                .push(o.file);
        }
    }
    for d in diags.iter_mut() {
        if !matches!(d.rule, "API504" | "API505" | "API509")
            || d.severity <= crate::config::Severity::Info
        {
            continue;
        }
        let Some(key) = &d.object else { continue };
        let Some(at) = crds.get(&(key.group.as_ref(), key.kind.as_ref())) else {
            continue;
        };
        if at.iter().all(|&crd| graph.files_apart(crd, d.span.file)) {
            let crd = at
                .first()
                .and_then(|&f| files.get(f as usize))
                .map(SourceFile::display_path)
                .unwrap_or_default();
            d.severity = crate::config::Severity::Info;
            d.message.push_str(&format!(
                " (judged by the CustomResourceDefinition in {crd}, which is not deployed with this file and may not be what the cluster runs: info)"
            ));
        }
    }
}

/// Whether a file's name says it is invalid on purpose: `invalid`, `bad`, `broken` or
/// `malformed` as a word of its stem (`invalid_http_rules.yaml`, `route-bad-port.yaml`), as
/// validation tests and docs name the inputs they expect to be rejected.
pub fn named_invalid(path: &Path) -> bool {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|stem| {
            stem.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| matches!(w, "invalid" | "bad" | "broken" | "malformed"))
        })
}

/// Schema findings (API504 CEL rules, API505 schema, API509 unknown fields) on a file named
/// invalid on purpose are what the file is for: reported as info, saying why.
pub(crate) fn soften_intended_invalid(
    files: &[SourceFile],
    diags: &mut [crate::diagnostic::Diagnostic],
) {
    let mut named: HashMap<FileId, bool> = HashMap::new();
    for d in diags.iter_mut() {
        if !matches!(d.rule, "API504" | "API505" | "API509")
            || d.severity <= crate::config::Severity::Info
        {
            continue;
        }
        let on_purpose = *named.entry(d.span.file).or_insert_with(|| {
            files
                .get(d.span.file as usize)
                .is_some_and(|f| named_invalid(&f.path))
        });
        if on_purpose {
            d.severity = crate::config::Severity::Info;
            d.message
                .push_str(" (the file's name says it is invalid on purpose: info)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_is_a_word_of_the_stem() {
        for yes in [
            "authz/invalid_http_rules.yaml",
            "tests/basic-invalid-auth.yaml",
            "bad.yaml",
            "x/route.Broken.yml",
        ] {
            assert!(named_invalid(Path::new(yes)), "{yes}");
        }
        for no in [
            "invalidation.yaml",
            "badge-service.yaml",
            "invalid/route.yaml",
            "brokenlink.yaml",
        ] {
            assert!(!named_invalid(Path::new(no)), "{no}");
        }
    }

    fn in_dir_below_root(roots: &[PathBuf], p: &Path, named: fn(&str) -> bool) -> bool {
        in_normalized_dir_below_root(roots, &crate::kustomize::normalize(p), named)
    }

    /// Every directory on the way to `p` holds a file of its own.
    fn grouping_free(p: &str) -> HashSet<PathBuf> {
        Path::new(p)
            .ancestors()
            .skip(1)
            .map(Path::to_path_buf)
            .collect()
    }

    #[test]
    fn a_directory_that_only_groups_examples_is_no_example() {
        let roots = vec![PathBuf::from("repo")];
        let with_files: HashSet<PathBuf> = [
            "repo/samples",
            "repo/samples/security/spire",
            "repo/samples/bookinfo",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let unit = |p: &str| {
            sample_unit(&roots, Path::new(p), || &with_files).map(|u| u.display().to_string())
        };
        assert_eq!(
            unit("repo/samples/security/spire/crd.yaml").as_deref(),
            Some("repo/samples/security/spire")
        );
        assert_eq!(
            unit("repo/samples/security/federation/a.yaml").as_deref(),
            Some("repo/samples/security/federation")
        );
        // An example with files of its own keeps its subdirectories.
        assert_eq!(
            unit("repo/samples/bookinfo/networking/gw.yaml").as_deref(),
            Some("repo/samples/bookinfo")
        );
    }

    #[test]
    fn each_example_is_a_unit_of_its_own() {
        // `samples` given inside a repository: its base is the repository.
        let roots = vec![PathBuf::from("repo")];
        let unit = |p: &str| {
            let dirs = grouping_free(p);
            sample_unit(&roots, Path::new(p), || &dirs).map(|u| u.display().to_string())
        };
        assert_eq!(
            unit("repo/samples/bookinfo/networking/gw.yaml").as_deref(),
            Some("repo/samples/bookinfo")
        );
        assert_eq!(
            unit("repo/samples/gw.yaml").as_deref(),
            Some("repo/samples/gw.yaml")
        );
        let unit = |p: &str| {
            let dirs = grouping_free(p);
            sample_unit(&roots, Path::new(p), || &dirs).map(|u| u.display().to_string())
        };
        assert_eq!(
            unit("repo/docs/examples/tls/a.yaml").as_deref(),
            Some("repo/docs/examples/tls")
        );
        assert_eq!(unit("repo/apps/gw.yaml"), None);
        // Above the given path, names do not count.
        let roots = vec![PathBuf::from("examples/repo")];
        let unit = |p: &str| {
            let dirs = grouping_free(p);
            sample_unit(&roots, Path::new(p), || &dirs).map(|u| u.display().to_string())
        };
        assert_eq!(unit("examples/repo/apps/gw.yaml"), None);
    }

    #[test]
    fn only_directories_below_the_given_path_count() {
        let roots = vec![PathBuf::from("work/examples/repo")];
        let sample = crate::kustomize::is_sample_name;
        assert!(!in_dir_below_root(
            &roots,
            Path::new("work/examples/repo/app/secret.yaml"),
            sample
        ));
        assert!(in_dir_below_root(
            &roots,
            Path::new("work/examples/repo/docs/secret.yaml"),
            sample
        ));
        // A file named directly is below nothing.
        let file = vec![PathBuf::from("docs/secret.yaml")];
        assert!(!in_dir_below_root(
            &file,
            Path::new("docs/secret.yaml"),
            sample
        ));
    }
}
