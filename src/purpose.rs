//! What a file is for, as its place in the repository says: test data that no cluster runs,
//! tests and examples whose credentials are dummies, inputs named invalid on purpose.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

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
    let below_root = |f: &SourceFile| {
        in_normalized_dir_below_root(
            &roots,
            &f.normalized_path(),
            crate::kustomize::is_test_data_name,
        )
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
        "{} files in test-data directories (testdata, fixtures, …) that no kustomization deploys, not linted",
        held.len()
    ));
    held
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
    let rel = roots
        .iter()
        .filter_map(|r| p.strip_prefix(r).ok())
        .min_by_key(|rel| rel.components().count())
        .unwrap_or(p);
    rel.parent().is_some_and(|dir| {
        dir.components().any(|c| match c {
            std::path::Component::Normal(n) => named(&n.to_string_lossy()),
            _ => false,
        })
    })
}

/// Files in test or example directories (`test`, `e2e`, `examples`, `samples`, …) that no Flux
/// Kustomization deploys, sorted: rules whose findings there are usually about dummy values
/// (sample credentials, test certificates) report them as info.
pub(crate) fn sample_files(
    files: &[SourceFile],
    roots: &[PathBuf],
    flux_reached: Option<&HashSet<FileId>>,
) -> Vec<FileId> {
    let roots = given_roots(roots);
    files
        .iter()
        .filter(|f| !flux_reached.is_some_and(|r| r.contains(&f.id)))
        .filter(|f| {
            in_normalized_dir_below_root(
                &roots,
                &f.normalized_path(),
                crate::kustomize::is_sample_name,
            )
        })
        .map(|f| f.id)
        .collect()
}

/// Rules whose finding is a clash between objects deployed together: the others are the
/// finding's related locations.
const CLASH_RULES: &[&str] = &[
    "SEC401", "TLS212", "IST605", "IST606", "IST613", "IST618", "API510",
];

/// A clash whose other parties all lie in test data that is not linted: test data is not
/// deployed beside the rest, so there is no clash. (References into test data still resolve:
/// a manifest may use what a test's setup file defines, and saying it is missing would be
/// the worse error.)
pub(crate) fn conflict_only_with(
    d: &crate::diagnostic::Diagnostic,
    unlinted: &impl Fn(FileId) -> bool,
) -> bool {
    CLASH_RULES.contains(&d.rule)
        && !d.related.is_empty()
        && d.related.iter().all(|r| unlinted(r.span.file))
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
