//! gwlint: an offline linter for Gateway API, Istio, cert-manager and External Secrets
//! manifests. Data flows one way:
//!
//! paths → discover → load → model → graph → checks → report

pub mod baseline;
pub mod checks;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod escape;
pub mod fix;
pub mod graph;
pub mod helm;
pub mod incremental;
pub mod init;
pub mod installed;
pub mod kustomize;
pub mod load;
pub mod model;
pub mod newrev;
pub mod origin;
pub mod overlay;
pub mod process;
pub mod purpose;
pub mod report;
pub mod rules;
pub mod schema;
pub mod server;
pub mod source;
pub mod suppress;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use config::{Config, RuleLevel};
use diagnostic::Diagnostic;
use load::{FileStatus, LoadOptions};
use model::Object;
use source::{FileId, SourceFile};

/// What to lint and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Files and directories; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// Name to show for standard input.
    pub stdin_filename: Option<PathBuf>,
    pub config: Config,
    /// Only these rules (ids), when non-empty.
    pub select: Vec<String>,
    /// Never these rules (ids).
    pub ignore: Vec<String>,
    /// Fingerprints of findings to leave out (a baseline).
    pub baseline: Option<std::collections::HashMap<String, usize>>,
    /// Report only findings in these files, or in files below these directories (`--root`: the
    /// whole repository is loaded for the graph, the named files are reported). Compared with the
    /// files' paths made absolute lexically ([`discover::lexical_abs`]).
    pub report_only: Option<Vec<PathBuf>>,
    /// Note every file passed over, with the reason (`--verbose`), not only the notable ones.
    pub explain_skips: bool,
    /// Standard input is the content of `stdin_filename`, a file of the linted tree (an editor's
    /// unsaved buffer): that file is not read from disk, and standard input is not rendered
    /// output (`# Source:` comments are not followed).
    pub stdin_in_repo: bool,
    /// Files found below the first directory of a pair are read from there but shown (and
    /// matched by suppressions, fingerprinted) as below the second (`--new-from-rev`: the tree
    /// of a revision, written to a temporary directory). The first pair that applies is used.
    pub relabel: Vec<(PathBuf, PathBuf)>,
    /// Texts that stand for files of the tree instead of what is on disk: `--fix` and `--diff`
    /// re-lint their edits before writing any; the language server's unsaved buffers.
    pub overlay: Option<std::sync::Arc<overlay::Overlay>>,
}

/// The result of a run: every file, every finding, in a stable order.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    pub statuses: Vec<FileStatus>,
    pub diagnostics: Vec<Diagnostic>,
    /// Paths that could not be read; the run exits 2.
    pub io_errors: Vec<String>,
    pub notes: Vec<String>,
    pub documents: usize,
    pub objects: usize,
    /// Wall time of each stage, for `--verbose`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Findings silenced by suppressions, by the baseline, or outside `report_only`.
    pub suppressed: usize,
    pub baselined: usize,
    /// `ignore:` entries of the configuration that matched nothing (indexes).
    pub unused_config_ignores: Vec<usize>,
    /// The lowest severity that fails the run (`--fail-on`; None: never), set by the caller:
    /// JUnit reports a failure only for findings that fail the run.
    pub fail_on: Option<config::Severity>,
    /// Every `.gwlint.yaml` met while walking directories (only the one in use applies).
    pub config_files: Vec<PathBuf>,
    /// Files left out as test data that nothing deploys (`lintTestData` lints them).
    pub test_data_withheld: usize,
}

impl Outcome {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }
}

enum Input {
    /// A file read from `read`, shown as `shown`.
    Path {
        read: PathBuf,
        shown: PathBuf,
    },
    Stdin(PathBuf),
}

pub(crate) struct FileResult {
    source: SourceFile,
    status: FileStatus,
    objects: Vec<Object>,
    issues: Vec<load::LoadIssue>,
    schema_issues: Vec<((String, String), load::LoadIssue)>,
    documents: usize,
}

impl FileResult {
    /// A copy for a run that reuses this file's stages (the incremental cache).
    fn duplicate(&self) -> FileResult {
        FileResult {
            // The text and what is derived from it are shared, not copied.
            source: self.source.clone(),
            status: self.status.clone(),
            objects: self.objects.clone(),
            issues: self.issues.clone(),
            schema_issues: self.schema_issues.clone(),
            documents: self.documents,
        }
    }
}

/// A stand-in for an oversized file's contents: one byte past the limit, all zero.
fn oversized(limit: u64) -> Vec<u8> {
    // calloc'd pages stay untouched until read, and the loader rejects the size before reading.
    vec![0; limit as usize + 1]
}

fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limit {
        // Oversized: the loader only needs to see one byte past the limit to skip it.
        return Ok(oversized(limit));
    }
    // One allocation of the right size; never more than one byte past the limit, which is how the
    // loader tells an oversized file without holding all of it.
    let mut buf = Vec::with_capacity(len.min(limit + 1) as usize + 1);
    f.take(limit + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads at most `limit` bytes; `None` when there are more (the reader is left there, so an
/// endless source such as `/dev/zero` or a pipe costs `limit + 1` bytes, never more).
pub fn read_at_most(r: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= limit).then_some(buf))
}

/// [`read_at_most`] of a file: configuration and baseline files, which may name a device.
pub fn read_file_at_most(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    read_at_most(std::fs::File::open(path)?, limit)
}

fn process(
    id: FileId,
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
    default_ns: &str,
    schemas: Option<&schema::embedded::Catalog>,
) -> FileResult {
    let loaded = load::load_bytes(id, path, bytes, opts);
    let documents = loaded.docs.len();
    let mut source = loaded.source;
    let mut issues = loaded.issues;
    let ctx = model::BuildContext {
        default_namespace: default_ns,
        kustomization_file: model::is_kustomization_file(path),
        vars: None,
        schemas,
        text: &source.text,
    };
    let modelled = model::build(id, loaded.docs, ctx);
    issues.extend(modelled.issues);
    source.redactions = modelled.redactions;
    FileResult {
        source,
        status: loaded.status,
        objects: modelled.objects,
        issues,
        schema_issues: modelled.schema_issues,
        documents,
    }
}

/// Load-stage findings (embedded schemas, YAML004, YAML005) name the object whose document they
/// are in, as the checks' findings do: the object's `gwlint.io/ignore` annotation and `ignore:`
/// entries with `kind`/`name` then reach them, and the fingerprint and field path are the
/// object's. Within a `List`, the item whose first key comes last before the finding.
fn attach_objects(diags: &mut [Diagnostic], objects: &[Object]) {
    if diags.is_empty() {
        return;
    }
    // (file, where the object starts, its document's end, index); a document's first object
    // starts with the document, so a finding anywhere in a plain document finds its object.
    let mut starts: Vec<(FileId, usize, usize, usize)> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let first_key = [
                o.api_version.span.start,
                o.kind_span.start,
                o.meta.span.start,
            ]
            .into_iter()
            .min()
            .unwrap_or(o.doc.start);
            (o.file, first_key as usize, o.doc.end as usize, i)
        })
        .collect();
    starts.sort_unstable();
    // Moving a document's first object back to the document's start keeps the order: the
    // entry before it ends its own document no later than this one starts.
    let mut last_doc: Option<(FileId, u32)> = None;
    for s in &mut starts {
        let o = &objects[s.3];
        if last_doc != Some((o.file, o.doc.start)) {
            s.1 = o.doc.start as usize;
            last_doc = Some((o.file, o.doc.start));
        }
    }
    for d in diags.iter_mut().filter(|d| d.object.is_none()) {
        let at = (d.span.file, d.span.start as usize);
        let k = starts.partition_point(|s| (s.0, s.1) <= at);
        let Some(&(file, _, doc_end, i)) = k.checked_sub(1).map(|k| &starts[k]) else {
            continue;
        };
        if file == d.span.file && at.1 < doc_end {
            d.doc = Some(objects[i].doc.clone());
            d.object = Some(objects[i].key.clone());
        }
    }
}

/// Files a `secretGenerator` reads hold Secret values, not objects: what was made of them is
/// dropped (a finding could quote a value) and no snippet of them is ever shown.
fn withhold_secret_sources(
    outcome: &mut Outcome,
    objects: &mut Vec<Object>,
    issues: &mut Vec<load::LoadIssue>,
    schema_issues: &mut Vec<((String, String), load::LoadIssue)>,
) {
    let ids = kustomize::secret_sources(objects, &outcome.files);
    if ids.is_empty() {
        return;
    }
    withhold(&ids, objects, Some(issues), schema_issues);
    for &id in &ids {
        let f = &mut outcome.files[id as usize];
        f.no_snippet = std::iter::once(0..f.text.len().max(1)).collect();
        outcome.notes.push(format!(
            "{}: read by a kustomize secretGenerator; its content is Secret values, not linted",
            f.display_path()
        ));
    }
}

/// A finding on an object that a kustomization renamed points at the field that renamed it
/// (`namePrefix`/`nameSuffix` of the build's kustomization): the name in the message is not the
/// one in the file, and a base built by several overlays is reported once per build.
fn note_builds(diags: &mut [Diagnostic], objects: &[Object]) {
    let built: std::collections::HashMap<&model::ObjKey, (&model::BuiltBy, FileId)> = objects
        .iter()
        .filter_map(|o| Some((&o.key, (o.built_by.as_deref()?, o.file))))
        .collect();
    if built.is_empty() {
        return;
    }
    for d in diags {
        let Some((b, file)) = d.object.as_ref().and_then(|k| built.get(k)) else {
            continue;
        };
        // A field a patch set lies in the patch file: the object's document is not where its
        // field path can be found.
        if b.patched && d.span.file != *file {
            d.doc = None;
        }
        let Some(r) = &b.renamed else {
            continue;
        };
        if d.related.iter().any(|x| x.span == r.at) {
            continue;
        }
        // First, so that it is never the one left out when a finding has many.
        d.related.insert(
            0,
            diagnostic::Related {
                span: r.at,
                message: r.label.clone(),
            },
        );
        if d.related.len() > diagnostic::MAX_RELATED {
            d.related.pop();
            d.omitted_related += 1;
        }
    }
}

/// One finding for the copies of one object that kustomizations build into several namespaces
/// (`kustomize::apply`): the same field, rule and object name in several namespaces is one
/// defect of one file, reported once with the other namespaces named. `diags` is sorted, so the
/// copies' findings are neighbours.
fn merge_namespace_copies(diags: &mut Vec<Diagnostic>) {
    let same = |a: &Diagnostic, b: &Diagnostic| match (&a.object, &b.object) {
        (Some(x), Some(y)) => {
            a.rule == b.rule
                && a.span == b.span
                && x.namespace != y.namespace
                && (&x.group, &x.kind, &x.name) == (&y.group, &y.kind, &y.name)
        }
        _ => false,
    };
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut others: Vec<String> = Vec::new();
    for d in diags.drain(..) {
        match out.last() {
            Some(last) if same(last, &d) => {
                if let Some(o) = &d.object {
                    others.push(o.namespace.to_string());
                }
            }
            _ => {
                close_merge(out.last_mut(), &mut others);
                out.push(d);
            }
        }
    }
    close_merge(out.last_mut(), &mut others);
    *diags = out;
}

fn close_merge(last: Option<&mut Diagnostic>, others: &mut Vec<String>) {
    if others.is_empty() {
        return;
    }
    others.sort();
    others.dedup();
    if let Some(d) = last {
        d.message.push_str(&format!(
            " (the same in namespace{} {}, where kustomize builds this file too)",
            if others.len() == 1 { "" } else { "s" },
            checks::name_list(others)
        ));
    }
    others.clear();
}

/// Drops the objects of the files `ids` (sorted), their schema findings and, when given, their
/// other load-stage findings.
fn withhold(
    ids: &[FileId],
    objects: &mut Vec<Object>,
    issues: Option<&mut Vec<load::LoadIssue>>,
    schema_issues: &mut Vec<((String, String), load::LoadIssue)>,
) {
    let hit = |f: FileId| ids.binary_search(&f).is_ok();
    objects.retain(|o| !hit(o.file));
    if let Some(issues) = issues {
        issues.retain(|i| !hit(i.span.file));
    }
    schema_issues.retain(|(_, i)| !hit(i.span.file));
}

/// Patch files are partial objects: not indexed (a patch of a Certificate's dnsNames is not a
/// second Certificate) and not validated as whole objects (it lacks the required fields the
/// object it patches has). Their YAML is still checked.
fn withhold_patches(
    outcome: &mut Outcome,
    objects: &mut Vec<Object>,
    schema_issues: &mut Vec<((String, String), load::LoadIssue)>,
) {
    let ids = kustomize::patch_files(objects, &outcome.files);
    if ids.is_empty() {
        return;
    }
    withhold(&ids, objects, None, schema_issues);
    outcome.notes.push(format!(
        "{} kustomize patch files, not linted as objects of their own",
        ids.len()
    ));
}

/// A file in an archive directory (`archive`, `_archive`, `deprecated`, `old`, …) is deployed
/// by nothing: its objects are not part of any cluster, so they are neither linted nor indexed.
/// In a repository that deploys with Flux (`by_hand` is what no Flux Kustomization reaches), that
/// is one no Flux Kustomization reaches; in one without, one below the given path that no kustomize build takes beside files outside
/// archive directories (an archive's own kustomization builds only the archive).
fn withhold_archived(
    outcome: &mut Outcome,
    by_hand: Option<&[FileId]>,
    roots: &[PathBuf],
    builds: &[kustomize::Build],
    objects: &mut Vec<Object>,
    issues: &mut Vec<load::LoadIssue>,
    schema_issues: &mut Vec<((String, String), load::LoadIssue)>,
) {
    let flux = by_hand.is_some();
    let archived: Vec<FileId> = match by_hand {
        Some(by_hand) => by_hand
            .iter()
            .copied()
            .filter(|&f| kustomize::in_archive_dir(&outcome.files[f as usize].path))
            .collect(),
        None => purpose::archived_unbuilt(&outcome.files, roots, builds),
    };
    if archived.is_empty() {
        return;
    }
    withhold(&archived, objects, Some(issues), schema_issues);
    outcome.notes.push(format!(
        "{} files in archive directories that {} deploys, not linted",
        archived.len(),
        if flux {
            "no Flux Kustomization"
        } else {
            "no kustomization outside them"
        }
    ));
}

fn unreadable(id: FileId, path: &Path, e: std::io::Error) -> FileResult {
    FileResult {
        source: SourceFile::empty(id, path),
        status: FileStatus::Unreadable {
            error: format!("{}: {e}", path.display()),
        },
        objects: Vec::new(),
        issues: Vec::new(),
        schema_issues: Vec::new(),
        documents: 0,
    }
}

/// Runs the whole pipeline. `stdin` supplies the bytes for a `-` path.
pub fn lint(opts: &Options, stdin: Option<Vec<u8>>) -> Outcome {
    lint_then(opts, stdin, |_, _| ()).0
}

/// Runs the pipeline and hands the final findings and the graph to `then` before the objects are
/// freed (`gwlint graph` draws the graph with the findings on it).
pub fn lint_then<T>(
    opts: &Options,
    stdin: Option<Vec<u8>>,
    then: impl FnOnce(&Outcome, &graph::Graph) -> T,
) -> (Outcome, T) {
    run(opts, stdin, None, |outcome, g, _| {
        let extra = then(&outcome, g);
        (outcome, extra)
    })
}

/// [`lint_then`] for a long-lived client: open buffers in `cache` stand for their files, and the
/// per-file stages of files whose content did not change since the last run are reused. The
/// findings are those [`lint_then`] gives for the same contents.
pub fn lint_incremental<T>(
    opts: &Options,
    cache: &mut incremental::Cache,
    then: impl FnOnce(&Outcome, &graph::Graph) -> T,
) -> (Outcome, T) {
    run(opts, None, Some(cache), |outcome, g, _| {
        let extra = then(&outcome, g);
        (outcome, extra)
    })
}

/// [`lint_incremental`] handing the outcome itself to `then`, with the graph and the cache as
/// this run left it (the run is done with it: `then` may take it): the language server
/// publishes the findings, and lets the next run start, before it indexes the graph for
/// navigation.
pub fn lint_incremental_owned<R>(
    opts: &Options,
    cache: &mut incremental::Cache,
    then: impl FnOnce(Outcome, &graph::Graph, &mut incremental::Cache) -> R,
) -> R {
    run(opts, None, Some(cache), |outcome, g, cache| match cache {
        Some(c) => then(outcome, g, c),
        // `run` hands back the cache it was given.
        None => then(outcome, g, &mut incremental::Cache::new()),
    })
}

fn run<R>(
    opts: &Options,
    stdin: Option<Vec<u8>>,
    mut cache: Option<&mut incremental::Cache>,
    then: impl FnOnce(Outcome, &graph::Graph, Option<&mut incremental::Cache>) -> R,
) -> R {
    let cfg = &opts.config;
    let load_opts = LoadOptions {
        max_file_size: cfg.max_file_size,
        ..LoadOptions::default()
    };
    let mut outcome = Outcome {
        fail_on: Some(config::Severity::Error),
        ..Outcome::default()
    };
    let mut clock = std::time::Instant::now();
    let mem = std::env::var_os("GWLINT_DEBUG_MEMORY").is_some();
    let mut lap = |outcome: &mut Outcome, stage: &'static str| {
        if mem {
            // Developer aid for the memory budget: resident memory after each stage.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let rss = status
                .lines()
                .find(|l| l.starts_with("VmRSS"))
                .unwrap_or("");
            let cpu = process::cpu_time().as_millis();
            // A closed standard error must not panic a run (nor must this aid).
            let _ = writeln!(
                std::io::stderr(),
                "gwlint: after {stage}: {rss}, CPU {cpu} ms"
            );
        }
        let now = std::time::Instant::now();
        outcome.timings.push((stage, now - clock));
        clock = now;
    };

    // discover
    let mut inputs = Vec::new();
    let fs_paths: Vec<PathBuf> = opts
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if opts.paths.iter().any(|p| p.as_os_str() == "-") {
        inputs.push(Input::Stdin(
            opts.stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("<stdin>")),
        ));
    }
    let disk_unchanged = cache
        .as_deref()
        .is_some_and(incremental::Cache::disk_unchanged);
    if !fs_paths.is_empty() {
        let found = match cache.as_deref_mut() {
            Some(c) => c.discovered(|| discover::discover_explained(&fs_paths, cfg, false)),
            None => discover::discover_explained(&fs_paths, cfg, opts.explain_skips),
        };
        outcome.io_errors.extend(found.errors);
        outcome.notes.extend(found.notes);
        outcome.config_files = found.config_files;
        let cwd = std::env::current_dir().unwrap_or_default();
        // The file standard input stands for is not read from disk.
        let replaced = opts
            .stdin_in_repo
            .then_some(opts.stdin_filename.as_ref())
            .flatten()
            .map(|p| discover::lexical_abs(p, &cwd));
        for read in found.files {
            if replaced.is_some() || !opts.relabel.is_empty() {
                let abs = discover::lexical_abs(&read, &cwd);
                if replaced.as_ref() == Some(&abs) {
                    continue;
                }
                let shown = opts.relabel.iter().find_map(|(from, to)| {
                    abs.strip_prefix(from)
                        .ok()
                        .map(|rest| discover::display_path_in(&to.join(rest), Some(cwd.as_path())))
                });
                if let Some(shown) = shown {
                    inputs.push(Input::Path { read, shown });
                    continue;
                }
            }
            inputs.push(Input::Path {
                shown: read.clone(),
                read,
            });
        }
    }

    lap(&mut outcome, "discover");

    // load + model, one file per task
    let catalog = match cache.as_deref_mut() {
        Some(c) => std::sync::Arc::clone(
            c.catalog
                .get_or_insert_with(|| std::sync::Arc::new(schemas_for(opts))),
        ),
        None => std::sync::Arc::new(schemas_for(opts)),
    };
    let catalog = catalog.as_ref().as_ref();
    let overlay = opts.overlay.as_deref().map(overlay::Overlay::lookup);
    let overlay = overlay.as_ref();
    // Taken by the one task that handles standard input, rather than copied: it may be as large
    // as the size limit.
    let stdin_bytes = std::sync::Mutex::new(stdin);
    let results: Vec<(FileResult, bool, Option<incremental::ContentKey>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            let id = i as FileId;
            match input {
                Input::Stdin(name) => (
                    process(
                        id,
                        name,
                        stdin_bytes
                            .lock()
                            .ok()
                            .and_then(|mut b| b.take())
                            .unwrap_or_default(),
                        &load_opts,
                        &cfg.default_namespace,
                        catalog,
                    ),
                    false,
                    None,
                ),
                Input::Path { read, shown } => {
                    // The key is taken before the file is read: a change while it is read
                    // makes the next run read it again rather than keep the older content.
                    let (key, text) = match cache.as_deref() {
                        Some(c) => {
                            let cached = c
                                .files
                                .get(i)
                                .and_then(Option::as_ref)
                                .filter(|e| e.path == *read);
                            // Reported changes on disk come with a new walk: without one, a
                            // file last read from disk and not open in a buffer is as it was.
                            if disk_unchanged {
                                if let Some(e) = cached.filter(|e| {
                                    matches!(e.key, incremental::ContentKey::Disk { .. })
                                        && overlay.and_then(|o| o.get(read)).is_none()
                                }) {
                                    return (e.result.duplicate(), true, Some(e.key.clone()));
                                }
                            }
                            let (key, text) = incremental::Cache::key_of(read, overlay);
                            if let Some(e) = cached.filter(|e| e.key == key) {
                                return (e.result.duplicate(), true, Some(key));
                            }
                            (Some(key), text)
                        }
                        None => (None, overlay.and_then(|o| o.get(read))),
                    };
                    let bytes = match text {
                        Some(t) => Ok(t.as_bytes().to_vec()),
                        None => read_limited(read, cfg.max_file_size),
                    };
                    let r = match bytes {
                        Ok(bytes) => process(
                            id,
                            shown,
                            bytes,
                            &load_opts,
                            &cfg.default_namespace,
                            catalog,
                        ),
                        Err(e) => unreadable(id, shown, e),
                    };
                    (r, false, key)
                }
            }
        })
        .collect();
    let results: Vec<FileResult> = match cache.as_deref_mut() {
        Some(c) => remember(c, &inputs, results),
        None => results.into_iter().map(|(r, _, _)| r).collect(),
    };

    // Sized up front: growing by doubling would hold the old and the new buffer at once, the
    // largest allocation of a run.
    let mut objects = Vec::with_capacity(results.iter().map(|r| r.objects.len()).sum());
    let mut issues = Vec::with_capacity(results.iter().map(|r| r.issues.len()).sum());
    let mut schema_issues = Vec::new();
    outcome.statuses.reserve_exact(results.len());
    outcome.files.reserve_exact(results.len());
    for mut fr in results {
        if let FileStatus::Unreadable { error } = &fr.status {
            outcome.io_errors.push(error.clone());
        }
        outcome.documents += fr.documents;
        objects.append(&mut fr.objects);
        issues.append(&mut fr.issues);
        schema_issues.append(&mut fr.schema_issues);
        outcome.statuses.push(fr.status);
        outcome.files.push(fr.source);
    }
    withhold_secret_sources(&mut outcome, &mut objects, &mut issues, &mut schema_issues);
    withhold_patches(&mut outcome, &mut objects, &mut schema_issues);
    let Resolved {
        flux_reached,
        by_hand,
        clusters,
        builds,
        test_data,
        flux,
    } = resolve(
        &mut objects,
        &outcome.files,
        &load_opts,
        cfg,
        &mut outcome.notes,
        cache.as_deref_mut().map(incremental::Cache::resolve_memos),
    );
    withhold_archived(
        &mut outcome,
        flux_reached.is_some().then_some(by_hand.as_slice()),
        &opts.paths,
        &builds,
        &mut objects,
        &mut issues,
        &mut schema_issues,
    );
    let test_data = if cfg.lint_test_data {
        Vec::new()
    } else {
        purpose::unlinted_test_data(&mut outcome, &opts.paths, &test_data)
    };
    let (samples, units) = match cache.as_deref_mut() {
        Some(c) => c.purpose.get(
            &outcome.files,
            &opts.paths,
            flux_reached.as_ref(),
            &test_data,
            &builds,
        ),
        None => (
            purpose::sample_files(&outcome.files, &opts.paths, flux_reached.as_ref()),
            purpose::deploy_units(
                &outcome.files,
                &opts.paths,
                flux_reached.as_ref(),
                &test_data,
                &builds,
            ),
        ),
    };
    outcome.objects = objects.len();
    lap(&mut outcome, "load+model");

    // schemas of the repository's own CRDs replace the embedded ones for their kinds
    let repo_schemas = schema::repo::repo_schemas(&objects);
    issues.extend(
        schema_issues
            .into_iter()
            .filter(|(gk, _)| !repo_schemas.contains_key(gk))
            .map(|(_, i)| i),
    );
    let schema_diags = match cache.as_deref_mut() {
        Some(c) => {
            incremental_schemas(c, &repo_schemas, &objects, &outcome.files, load_opts.limits)
        }
        None => schema::repo::validate(&repo_schemas, &objects, &outcome.files, load_opts.limits),
    };
    // Validation runs only on the pool's threads (the caller blocks in `par_iter`).
    rayon::broadcast(|_| schema::validate::clear_caches());
    lap(&mut outcome, "schemas");

    // graph + checks
    // The controller releases the repository installs, where the configuration is silent.
    let repo_cfg = installed::targets(cfg, &objects, &mut outcome.notes);
    let cfg = repo_cfg.as_ref().unwrap_or(cfg);
    let graph = graph::Graph::build_placed(
        &objects,
        cfg,
        graph::Placement {
            by_hand,
            clusters,
            units,
            builds,
            flux,
        },
    );
    lap(&mut outcome, "graph");
    let cx = checks::Ctx::new(&graph, cfg)
        .with_files(&outcome.files)
        .with_samples(&samples);
    let enabled = |id: &str| rule_enabled(opts, id);
    let mut diags = checks::run(&cx, &enabled);
    let first_schema = diags.len();
    diags.extend(schema_diags.into_iter().filter(|d| enabled(d.rule)));
    purpose::soften_foreign_crd_findings(&graph, &outcome.files, &mut diags[first_schema..]);
    lap(&mut outcome, "checks");
    let first_load = diags.len();
    diags.extend(issues.into_iter().filter(|i| enabled(i.rule)).map(|i| {
        let mut d = Diagnostic::new(i.rule, i.span, i.message);
        for (span, msg) in i.related {
            d = d.related(span, msg);
        }
        d.fixes = i.fixes;
        d
    }));
    attach_objects(&mut diags[first_load..], &objects);
    note_builds(&mut diags, &objects);
    let unlinted = |f: FileId| test_data.binary_search(&f).is_ok();
    if !test_data.is_empty() {
        diags.retain(|d| !unlinted(d.span.file));
    }
    for d in &mut diags {
        d.close_related();
    }
    diags.retain(|d| !schema::covered_by(d).is_some_and(&enabled));
    schema::drop_covered_unknown_fields(&mut diags);
    purpose::soften_intended_invalid(&outcome.files, &mut diags);
    for d in &mut diags {
        if let Some(RuleLevel::Level(s)) = cfg.rules.get(d.rule) {
            d.severity = *s;
        }
    }
    // The files with findings need their line index from here on (suppressions, field paths,
    // positions): built side by side, rather than one by one on first use.
    let mut located: Vec<FileId> = diags
        .iter()
        .flat_map(|d| std::iter::once(d.span.file).chain(d.related.iter().map(|r| r.span.file)))
        .collect();
    located.sort_unstable();
    located.dedup();
    located.par_iter().for_each(|&f| {
        if let Some(file) = outcome.files.get(f as usize) {
            file.lines();
        }
    });
    let applied = suppress::apply(
        &outcome.files,
        &objects,
        &cfg.ignore,
        &mut diags,
        rule_enabled(opts, suppress::UNUSED),
    );
    outcome.suppressed = applied.suppressed;
    outcome.unused_config_ignores = applied.unused_config;
    if !test_data.is_empty() {
        // Suppressions in test data silenced nothing that was reported: not called unused.
        diags.retain(|d| !unlinted(d.span.file));
    }
    fill_field_paths(&outcome.files, &mut diags);
    // Pre-commit mode reports the files named, by the file a finding is physically in: decided
    // before `# Source:` mapping could name another path.
    if let Some(only) = &opts.report_only {
        let cwd = std::env::current_dir().unwrap_or_default();
        let wanted: Vec<PathBuf> = only
            .iter()
            .map(|p| discover::lexical_abs(p, &cwd))
            .collect();
        let mut keep: std::collections::HashMap<FileId, bool> = std::collections::HashMap::new();
        let before = diags.len();
        diags.retain(|d| {
            *keep.entry(d.span.file).or_insert_with(|| {
                let abs = discover::lexical_abs(&outcome.files[d.span.file as usize].path, &cwd);
                wanted.iter().any(|w| abs.starts_with(w))
            })
        });
        outcome.suppressed += before - diags.len();
    }
    // Only rendered output piped in is mapped back to its sources: a `# Source:` comment in a
    // committed file would otherwise move its findings to any path it names (out of a
    // pre-commit run's files, or onto a file a baseline or an `ignore:` entry covers).
    let stdin_file = (!opts.stdin_in_repo && opts.paths.iter().any(|p| p.as_os_str() == "-"))
        .then_some(0 as FileId);
    let rendered_sources = origin::map(&outcome.files, &mut diags, stdin_file);
    outcome.files.extend(rendered_sources);
    // By path, then place: the paths are ranked once (files with one path share a rank), not
    // compared component by component in every comparison of the sort.
    let rank = path_ranks(&outcome.files, &diags);
    let rank_of = |d: &Diagnostic| rank.get(d.span.file as usize).copied().unwrap_or(u32::MAX);
    diags.sort_by(|a, b| {
        (rank_of(a), a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            rank_of(b),
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    diags.dedup();
    merge_namespace_copies(&mut diags);
    schema::dedup(&mut diags);
    if let Some(base) = &opts.baseline {
        let (kept, dropped) = baseline::filter(&outcome, diags, base);
        diags = kept;
        outcome.baselined = dropped;
    }
    outcome.diagnostics = diags;
    // The stage ends here: what `then` does is the caller's (the server times it apart).
    lap(&mut outcome, "finish");
    let extra = then(outcome, &graph, cache);
    // Freeing the model is a measurable share of a run, and nothing waits for it: the objects
    // and the graph's owned parts are freed on a thread of their own (at process exit, the CLI
    // does not wait for it either).
    let mut graph = graph;
    let refs = std::mem::take(&mut graph.refs);
    let attachments = std::mem::take(&mut graph.attachments);
    drop(graph);
    let garbage = (objects, refs, attachments);
    // Dropping the handle detaches the thread. Should the spawn fail, the closure and the values
    // in it are freed right here instead.
    let _ = std::thread::Builder::new()
        .name("gwlint-free".into())
        .spawn(move || drop(garbage));
    extra
}

/// By file id, the rank of the file's path among the paths of the files with findings (equal
/// paths, equal ranks): ordering by rank orders by path.
fn path_ranks(files: &[SourceFile], diags: &[Diagnostic]) -> Vec<u32> {
    let mut ids: Vec<FileId> = diags.iter().map(|d| d.span.file).collect();
    ids.sort_unstable();
    ids.dedup();
    let path = |id: FileId| files.get(id as usize).map(|f| f.path.as_path());
    ids.sort_by(|&a, &b| path(a).cmp(&path(b)));
    let mut rank = vec![u32::MAX; files.len()];
    let mut r = 0u32;
    for (i, &id) in ids.iter().enumerate() {
        if i > 0 && path(ids[i - 1]) != path(id) {
            r += 1;
        }
        if let Some(slot) = rank.get_mut(id as usize) {
            *slot = r;
        }
    }
    rank
}

/// Keeps the load and model stages of the files just read, and drops the entries of files no
/// longer in the workspace.
fn remember(
    cache: &mut incremental::Cache,
    inputs: &[Input],
    results: Vec<(FileResult, bool, Option<incremental::ContentKey>)>,
) -> Vec<FileResult> {
    let mut old = std::mem::take(&mut cache.files);
    let (mut reused, mut parsed) = (0, 0);
    cache.files = inputs
        .iter()
        .zip(&results)
        .enumerate()
        .map(|(i, (input, (r, hit, key)))| {
            let Input::Path { read, .. } = input else {
                return None;
            };
            if *hit {
                reused += 1;
                return old.get_mut(i).and_then(Option::take);
            }
            parsed += 1;
            Some(incremental::Entry {
                path: read.clone(),
                key: key.clone()?,
                result: r.duplicate(),
                schema: None,
            })
        })
        .collect();
    cache.reused = reused;
    cache.parsed = parsed;
    results.into_iter().map(|(r, _, _)| r).collect()
}

/// The repository schemas' findings, validating only the files whose content changed since the
/// last run, unless the set of CRDs changed (then every file again). The run's evaluation budget
/// is shared among the files validated in this run.
fn incremental_schemas(
    cache: &mut incremental::Cache,
    schemas: &std::collections::HashMap<
        schema::repo::GroupKind,
        Vec<std::sync::Arc<schema::KindSchema>>,
    >,
    objects: &[Object],
    files: &[SourceFile],
    limits: load::Limits,
) -> Vec<Diagnostic> {
    // `remember` left one entry per file read from the tree, at the file's id.
    let entry = |id: FileId| cache.files.get(id as usize).and_then(Option::as_ref);
    let mut crd_files: Vec<(PathBuf, Option<incremental::ContentKey>)> = objects
        .iter()
        .filter(|o| matches!(o.spec, model::Spec::Crd(_)))
        .map(|o| match entry(o.file) {
            Some(e) => (e.path.clone(), Some(e.key.clone())),
            None => (files[o.file as usize].path.clone(), None),
        })
        .collect();
    crd_files.dedup();
    if crd_files != cache.crd_files {
        cache.crd_generation += 1;
        cache.crd_files = crd_files;
    }
    let generation = cache.crd_generation;
    // Files whose findings are cached and still valid; the others are validated now.
    let mut fresh = vec![true; files.len()];
    let mut out = Vec::new();
    for (id, e) in cache.files.iter().enumerate() {
        if let Some((g, diags)) = e.as_ref().and_then(|e| e.schema.as_ref()) {
            if let (true, Some(f)) = (*g == generation, fresh.get_mut(id)) {
                out.extend(diags.iter().cloned());
                *f = false;
            }
        }
    }
    let todo: Vec<Object> = objects
        .iter()
        .filter(|o| fresh.get(o.file as usize).copied().unwrap_or(false))
        .cloned()
        .collect();
    let found = schema::repo::validate(schemas, &todo, files, limits);
    let mut by_file: std::collections::HashMap<FileId, Vec<Diagnostic>> =
        std::collections::HashMap::new();
    for d in &found {
        by_file.entry(d.span.file).or_default().push(d.clone());
    }
    for (id, e) in cache.files.iter_mut().enumerate() {
        if let (Some(e), Some(true)) = (e, fresh.get(id)) {
            let diags = by_file.remove(&(id as FileId)).unwrap_or_default();
            e.schema = Some((generation, diags));
        }
    }
    out.extend(found);
    out
}

/// The resolve stage: kustomize/Flux namespaces, Flux variables (files that use them are modelled
/// again from their text, with the variables), CRD scopes.
/// Applies kustomize and Flux to the objects; returns the files no Flux Kustomization deploys,
/// in a repository that deploys with Flux (applied once by hand, such as bootstrap Secrets).
/// `memo` keeps the files modelled again, for the next run of a long-lived client.
fn resolve(
    objects: &mut Vec<Object>,
    files: &[SourceFile],
    opts: &LoadOptions,
    cfg: &Config,
    notes: &mut Vec<String>,
    memos: Option<incremental::ResolveMemos<'_>>,
) -> Resolved {
    let (mut memo, layout) = match memos {
        Some(m) => (Some(m.remodelled), m.layout.layout(objects, files)),
        None => (None, std::sync::Arc::new(kustomize::layout(objects, files))),
    };
    let by_hand: Vec<FileId> = match &layout.flux_reached {
        Some(reached) => files
            .iter()
            .map(|f| f.id)
            .filter(|id| !reached.contains(id))
            .collect(),
        None => Vec::new(),
    };
    let mut remodel: Vec<FileId> = layout
        .vars
        .keys()
        .copied()
        .filter(|&f| files[f as usize].text.contains("${"))
        .collect();
    remodel.sort_unstable();
    if let Some(m) = memo.as_deref_mut() {
        m.retain(|f, _| remodel.binary_search(f).is_ok());
    }
    if !remodel.is_empty() {
        objects.retain(|o| remodel.binary_search(&o.file).is_err());
        // Files modelled with the same variables in an earlier run, from the same text.
        let mut todo = Vec::new();
        for &f in &remodel {
            let src = &files[f as usize];
            let known = memo.as_deref().and_then(|m| m.get(&f)).filter(|r| {
                std::sync::Arc::ptr_eq(&r.text, &src.text)
                    && r.path == src.path
                    && layout.vars.get(&f) == Some(&r.vars)
            });
            match known {
                Some(r) => objects.extend(r.objects.iter().cloned()),
                None => todo.push(f),
            }
        }
        let fresh: Vec<(FileId, Vec<Object>)> = todo
            .par_iter()
            .map(|&f| {
                let src = &files[f as usize];
                let parsed = load::parse::parse(&src.text, src.lines(), f, opts.limits);
                let ctx = model::BuildContext {
                    default_namespace: &cfg.default_namespace,
                    kustomization_file: model::is_kustomization_file(&src.path),
                    vars: layout.vars.get(&f),
                    // Schema findings were made in the first pass; variables are not values.
                    schemas: None,
                    text: &src.text,
                };
                (f, model::build(f, parsed.docs, ctx).objects)
            })
            .collect();
        for (f, fresh) in fresh {
            if let (Some(m), Some(vars)) = (memo.as_deref_mut(), layout.vars.get(&f)) {
                let src = &files[f as usize];
                let entry = incremental::Remodelled {
                    text: std::sync::Arc::clone(&src.text),
                    path: src.path.clone(),
                    vars: vars.clone(),
                    objects: fresh.clone(),
                };
                m.insert(f, entry);
            }
            objects.extend(fresh);
        }
        // Stable: the objects of one document keep the order the model made them in.
        objects.sort_by_key(|o| (o.file, o.doc.start));
        notes.push(format!(
            "{} files modelled again with Flux post-build variables",
            remodel.len()
        ));
    }
    notes.extend(kustomize::apply(
        &layout,
        objects,
        files,
        &cfg.default_namespace,
    ));
    // Charts render into the release's namespace, known only once kustomize and Flux applied.
    notes.extend(helm::render(objects));
    // A layout the cache keeps is copied; one made for this run alone is taken apart.
    match std::sync::Arc::try_unwrap(layout) {
        Ok(mut layout) => Resolved {
            flux_reached: layout.flux_reached.take(),
            by_hand,
            clusters: std::mem::take(&mut layout.clusters),
            builds: std::mem::take(&mut layout.builds),
            test_data: std::mem::take(&mut layout.test_data_deployers),
            flux: std::mem::take(&mut layout.flux),
        },
        Err(layout) => Resolved {
            flux_reached: layout.flux_reached.clone(),
            by_hand,
            clusters: layout.clusters.clone(),
            builds: layout.builds.clone(),
            test_data: layout.test_data_deployers.clone(),
            flux: layout.flux.clone(),
        },
    }
}

/// What the repository's kustomizations and Flux Kustomizations say about its files.
struct Resolved {
    /// Files a Flux Kustomization deploys; `None` when no Flux Kustomization's path is in the
    /// repository.
    flux_reached: Option<std::collections::HashSet<FileId>>,
    /// In a Flux repository, the files no Flux Kustomization reaches.
    by_hand: Vec<FileId>,
    clusters: std::collections::HashMap<FileId, u32>,
    builds: Vec<kustomize::Build>,
    /// Files in test-data directories, each with the kustomizations that deploy it.
    test_data: std::collections::HashMap<FileId, Vec<FileId>>,
    /// What Flux's post-build substitution reaches (FLX701).
    flux: kustomize::FluxReach,
}

/// Field paths (`spec.parentRefs[0].name`) of findings, from a re-parse of each document that
/// has one. Paths found are remembered with the file's text (a long-lived client's next run over
/// the same text parses only the documents with findings at new places).
fn fill_field_paths(files: &[SourceFile], diags: &mut [Diagnostic]) {
    // One parse per document with findings, however many findings it has.
    let mut by_doc: std::collections::BTreeMap<(FileId, u32, u32), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, d) in diags.iter().enumerate() {
        if let (Some(doc), None) = (&d.doc, &d.field) {
            by_doc
                .entry((d.span.file, doc.start, doc.end))
                .or_default()
                .push(i);
        }
    }
    // Documents are independent: parse them on all threads, then fill in document order.
    let jobs: Vec<((FileId, u32, u32), Vec<usize>)> = by_doc.into_iter().collect();
    let found: Vec<Vec<(usize, String)>> = jobs
        .par_iter()
        .map(|((file, start, end), idxs)| {
            let Some(f) = files.get(*file as usize) else {
                return Vec::new();
            };
            let offsets: Vec<u32> = idxs.iter().map(|&i| diags[i].span.start).collect();
            let known = f.known_field_paths((*start, *end), &offsets);
            if known.iter().all(Option::is_some) {
                return idxs
                    .iter()
                    .copied()
                    .zip(known.into_iter().flatten())
                    .collect();
            }
            let paths = load::parse::field_paths(
                &f.text,
                f.lines(),
                f.id,
                *start as usize..*end as usize,
                &offsets,
            );
            f.remember_field_paths(
                (*start, *end),
                offsets.iter().copied().zip(paths.iter().cloned()),
            );
            idxs.iter().copied().zip(paths).collect()
        })
        .collect();
    for (i, p) in found.into_iter().flatten() {
        diags[i].field = Some(p);
    }
}

/// The embedded Gateway API schemas for the configured target, unless every schema rule is off.
fn schemas_for(opts: &Options) -> Option<schema::embedded::Catalog> {
    let wanted = [
        schema::CEL_RULE_VIOLATED,
        schema::SCHEMA_VIOLATION,
        schema::RULE_NOT_EVALUATED,
        schema::UNKNOWN_FIELD,
    ];
    if !wanted.iter().any(|r| rule_enabled(opts, r)) {
        return None;
    }
    let t = &opts.config.targets;
    Some(schema::embedded::Catalog::gateway_api(
        t.gateway_api,
        t.gateway_api_channel,
    ))
}

fn rule_enabled(opts: &Options, id: &str) -> bool {
    if !opts.select.is_empty() && !opts.select.iter().any(|s| s == id) {
        return false;
    }
    if opts.ignore.iter().any(|s| s == id) {
        return false;
    }
    !matches!(opts.config.rules.get(id), Some(RuleLevel::Off))
}

/// Discovers, loads and models the input without running rules: the objects a graph is built
/// from (for tools and tests that inspect the graph itself).
pub fn load_objects(opts: &Options) -> Vec<Object> {
    let found = discover::discover(&opts.paths, &opts.config);
    let load_opts = LoadOptions {
        max_file_size: opts.config.max_file_size,
        ..LoadOptions::default()
    };
    let results: Vec<FileResult> = found
        .files
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let bytes = read_limited(p, opts.config.max_file_size).unwrap_or_default();
            process(
                i as FileId,
                p,
                bytes,
                &load_opts,
                &opts.config.default_namespace,
                None,
            )
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    let mut objects = Vec::new();
    for mut r in results {
        objects.append(&mut r.objects);
        files.push(r.source);
    }
    resolve(
        &mut objects,
        &files,
        &load_opts,
        &opts.config,
        &mut Vec::new(),
        None,
    );
    objects
}

/// Parses every file and nothing else: the baseline the benchmark compares the pipeline with.
pub fn parse_only(paths: &[PathBuf]) -> (usize, usize) {
    let cfg = Config::default();
    let found = discover::discover(paths, &cfg);
    let opts = LoadOptions::default();
    found
        .files
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let bytes = std::fs::read(p).unwrap_or_default();
            let n = bytes.len();
            let loaded = load::load_bytes(i as FileId, p, bytes, &opts);
            (loaded.docs.len(), n)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks order findings as their paths do, component by component (`a/b` before `a-b`,
    /// which bytes would not), and files with one path share a rank.
    #[test]
    fn path_ranks_order_as_paths() {
        let files: Vec<SourceFile> = [
            "a-b/x.yaml",
            "a/b/x.yaml",
            "a/x.yaml",
            "a/b/x.yaml",
            "z.yaml",
        ]
        .iter()
        .enumerate()
        .map(|(i, p)| SourceFile::empty(i as FileId, Path::new(p)))
        .collect();
        let diag = |f: FileId| Diagnostic::new("GW101", source::Span::new(f, 0, 1), "m");
        let diags: Vec<Diagnostic> = [0, 1, 2, 3].into_iter().map(diag).collect();
        let rank = path_ranks(&files, &diags);
        assert_eq!(rank[1], rank[3], "one path, one rank");
        let mut by_rank: Vec<FileId> = vec![0, 1, 2];
        by_rank.sort_by_key(|&f| rank[f as usize]);
        let mut by_path = by_rank.clone();
        by_path.sort_by(|&a, &b| files[a as usize].path.cmp(&files[b as usize].path));
        assert_eq!(by_rank, by_path);
        assert_eq!(rank[4], u32::MAX, "a file without findings has no rank");
    }
}
