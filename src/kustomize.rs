//! Resolve stage, between model and graph: what kustomize and Flux do to objects before they
//! reach the cluster, computed without running either. A kustomization's `namespace:` sets the
//! namespace of the objects in the files and directories it lists (recursively; the outermost
//! kustomization with a namespace wins, as an overlay's namespace replaces its bases'); a Flux
//! Kustomization's `spec.targetNamespace` does the same for its `spec.path`, and its
//! `postBuild` variables are substituted into those files. Each kustomization root and Flux
//! path is a build of its own: a file some build renames (`namePrefix`/`nameSuffix`) or
//! patches is one set of objects per build. CustomResourceDefinitions in the input decide
//! which of their kinds are cluster-scoped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub mod patch;

use crate::model::{Object, Spec, is_cluster_scoped};
use crate::source::{FileId, SourceFile, Span};

/// Variables a Flux Kustomization substitutes.
pub type Vars = HashMap<String, String>;

#[derive(Clone, Debug)]
struct Claim {
    /// The namespace and who set it (for --verbose); shared by the claims of one walk.
    namespace: Option<(Arc<str>, Arc<str>)>,
    /// The Flux Kustomization whose variables apply.
    flux: Option<usize>,
    depth: usize,
    /// What the kustomizations on the way rename the file's objects to.
    rename: Arc<Rename>,
}

/// The `namePrefix`/`nameSuffix` of the kustomizations between a build's root and a file:
/// kustomize applies the innermost first, so the outer prefix comes first and the outer
/// suffix last.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rename {
    pub prefix: String,
    pub suffix: String,
    /// The outermost `namePrefix` (or `nameSuffix`) on the way, for findings on the renamed
    /// objects.
    pub at: Option<Span>,
    /// Some kustomization on the way has `configurations:` or `transformers:`, or a Flux
    /// variable in its prefix: the names it gives cannot be told.
    pub unknown: bool,
    /// The patches of the kustomizations on the way, outermost first.
    pub patches: Vec<PatchUse>,
}

/// One patch entry of a kustomization on a build's way to a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PatchUse {
    /// The kustomization's file and the entry's place in its patch lists (`Layout::patches`).
    kustomization: FileId,
    entry: usize,
    /// Lengths of the prefix and suffix from the root down to this kustomization: what the
    /// kustomizations below it add is the name the patch sees (kustomize patches before it
    /// renames).
    prefix_len: usize,
    suffix_len: usize,
}

impl Rename {
    fn renames(&self) -> bool {
        !self.unknown && (!self.prefix.is_empty() || !self.suffix.is_empty())
    }

    /// What `k` adds on the way down to the files it lists.
    fn through(
        &self,
        file: FileId,
        k: &crate::model::kustomize::Kustomization,
        component: bool,
    ) -> Rename {
        let mut out = self.clone();
        out.unknown |= k.renames_unknown;
        if let Some(p) = &k.name_prefix {
            out.prefix.push_str(&p.v);
        }
        if let Some(s) = &k.name_suffix {
            out.suffix.insert_str(0, &s.v);
        }
        if out.at.is_none() {
            out.at = k
                .name_prefix
                .as_ref()
                .or(k.name_suffix.as_ref())
                .map(|s| s.span);
        }
        // A component's patches are its includer's (see `with_patches`).
        if !component {
            out.with_patches(file, k);
        }
        out
    }

    /// Adds the patches of the kustomization `k` (in `file`): they apply to everything built
    /// below this point. A component's patches apply to all that the kustomization including
    /// it builds, its other resources too, after them and before the includer's own.
    fn with_patches(&mut self, file: FileId, k: &crate::model::kustomize::Kustomization) {
        for (entry, r) in k.patch_refs.iter().enumerate() {
            if !r.vague {
                self.patches.push(PatchUse {
                    kustomization: file,
                    entry,
                    prefix_len: self.prefix.len(),
                    suffix_len: self.suffix.len(),
                });
            }
        }
    }

    /// The names an object written as `name` has where the patch `u` sees it: as written (the
    /// id kustomize keeps from the start), and as the kustomizations below `u`'s renamed it.
    fn names_at<'a>(&self, u: &PatchUse, name: &'a str) -> [std::borrow::Cow<'a, str>; 2] {
        let inner_prefix = self.prefix.get(u.prefix_len.min(self.prefix.len())..);
        let inner_suffix = self
            .suffix
            .get(..self.suffix.len().saturating_sub(u.suffix_len));
        let renamed = format!(
            "{}{name}{}",
            inner_prefix.unwrap_or(""),
            inner_suffix.unwrap_or("")
        );
        [name.into(), renamed.into()]
    }
}

/// One way a file is built: by one kustomization root or one Flux Kustomization.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Variant {
    /// The namespace it gives the file's namespaced objects (None: as written). Shared with
    /// the other files of the build, as are the rename and origin.
    pub namespace: Option<Arc<str>>,
    pub rename: Arc<Rename>,
    /// Who sets the namespace (for --verbose).
    pub origin: Option<Arc<str>>,
}

impl Variant {
    fn of(c: &Claim) -> Variant {
        let rename = if c.rename.unknown {
            // Not renamed, as before renames were modelled: the names stay as written (its
            // patches still apply).
            let mut r = Rename::clone(&c.rename);
            r.prefix.clear();
            r.suffix.clear();
            r.at = None;
            Arc::new(r)
        } else {
            Arc::clone(&c.rename)
        };
        Variant {
            namespace: c.namespace.as_ref().map(|(n, _)| Arc::clone(n)),
            rename,
            origin: c.namespace.as_ref().map(|(_, o)| Arc::clone(o)),
        }
    }
}

impl Claim {
    fn priority(&self) -> (bool, usize) {
        (self.namespace.is_some(), self.depth)
    }
}

/// Namespaces and variables per file.
#[derive(Debug, Default)]
pub struct Layout {
    /// Each file's namespace and who sets it, shared by the files of a build. (foldhash: keyed
    /// by every file some kustomization lists.)
    namespaces: foldhash::HashMap<FileId, (Arc<str>, Arc<str>)>,
    /// Further namespaces a file is built into: a component or base that several
    /// kustomizations with different `namespace:` include is one set of objects per namespace.
    also: HashMap<FileId, Vec<(String, String)>>,
    pub vars: HashMap<FileId, Vars>,
    /// The builds of each file that some build renames (`namePrefix`/`nameSuffix`): one set of
    /// its objects per entry, the first the objects as modelled, the others copies. Such files
    /// are not in `also`.
    renamed: HashMap<FileId, Vec<Variant>>,
    /// Files given a namespace (`namespaces`) by some builds and left without one by others
    /// (an overlay that sets `namespace:` beside one that does not): the objects as written are
    /// a further copy, applied wherever `kubectl apply -n` puts them.
    unset_too: foldhash::HashSet<FileId>,
    /// The patches of each kustomization patch entry that gwlint follows, by (kustomization
    /// file, entry).
    patches: HashMap<(FileId, usize), Vec<patch::Patch>>,
    /// Files that some Flux Kustomization's path reaches; `None` when the repository has no
    /// Flux Kustomization whose path is in it (then what is deployed how cannot be told).
    pub flux_reached: Option<HashSet<FileId>>,
    /// The cluster each file is deployed to, when the repository deploys several clusters with
    /// Flux and the file reaches exactly one (see `clusters`); empty otherwise.
    pub clusters: HashMap<FileId, u32>,
    /// The files of each kustomize build the repository shows: every kustomization that no
    /// other lists, and every Flux Kustomization's path (a build of its own, generated when
    /// the path has no kustomization). Sorted, each sorted.
    pub builds: Vec<Build>,
    /// For each file in a test-data directory (see `in_test_data_dir`): the files of the
    /// kustomizations and Flux Kustomizations that deploy it. Other files are not listed.
    pub test_data_deployers: HashMap<FileId, Vec<FileId>>,
    /// What Flux's post-build substitution reaches (FLX701).
    pub flux: FluxReach,
}

/// Which files each Flux Kustomization deploys, and where its variables cannot be told.
#[derive(Debug, Default, Clone)]
pub struct FluxReach {
    /// Each Flux Kustomization with a path in the input, by (its file, its document's start),
    /// with the files it deploys, sorted.
    pub deploys: Vec<((FileId, u32), Vec<FileId>)>,
    /// Files whose Flux Kustomizations may be given or stripped of post-build variables by a
    /// patch of what deploys them (a Flux Kustomization's `spec.patches`, or a kustomization
    /// whose patches mention `postBuild`).
    pub patched: HashSet<FileId>,
    /// Files that a kustomization naming `kustomize.toolkit.fluxcd.io/substitute` builds (in
    /// `commonAnnotations`, `labels` or a patch): Flux may not substitute their objects.
    pub disabled: HashSet<FileId>,
    /// Files under the path of some Flux Kustomization that no Flux Kustomization deploys
    /// (a `ks.yaml` left out of its kustomization's resources): not applied.
    pub passed_over: HashSet<FileId>,
}

/// One kustomize build: what builds it, and its files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Build {
    /// `kustomization.yaml` of the root, or the Flux Kustomization, for messages.
    pub by: String,
    pub files: Vec<FileId>,
}

/// Lexically normalised path (`a/./b/../c` → `a/c`).
pub fn normalize(p: &Path) -> PathBuf {
    if is_normal(p) {
        return p.to_path_buf();
    }
    // The result is never longer than the input: sized once rather than grown per component.
    let mut out = PathBuf::with_capacity(p.as_os_str().len());
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// [`normalize`] of a path just built (`dir.join(resource)`): kept as it is when it is
/// normal already, the common case, rather than copied.
pub fn normalize_owned(p: PathBuf) -> PathBuf {
    if is_normal(&p) { p } else { normalize(&p) }
}

/// Whether `normalize` would spell `p` as it is: single slashes between names, none of them
/// `.` or `..`, no trailing slash (Unix only; elsewhere prefixes and two separators make
/// `Components` the judge). Normalising walks `Components`, which costs far more than this scan,
/// and nearly every path met (files found by the walk, a kustomization's plain resources joined
/// to its directory) is normal already.
fn is_normal(p: &Path) -> bool {
    if !cfg!(unix) {
        return false;
    }
    let bytes = p.as_os_str().as_encoded_bytes();
    let rest = bytes.strip_prefix(b"/").unwrap_or(bytes);
    rest.is_empty()
        || rest
            .split(|&b| b == b'/')
            .all(|s| !s.is_empty() && s != b"." && s != b"..")
}

/// The names of the directories that hold `path`: its normal components but the last, as
/// `Path::parent` and `Path::components` give them (`.`, `..` and empty names included, which
/// no caller looks for), read from the path's bytes. Several stages ask this of every file, and
/// `Components` costs far more than a scan for separators. Names that are not UTF-8 are left
/// out: every caller looks for ASCII names, which such a name cannot be.
pub fn dir_names(path: &Path) -> impl Iterator<Item = &str> {
    let mut parts = path
        .as_os_str()
        .as_encoded_bytes()
        .split(|&b| b == b'/' || (cfg!(windows) && b == b'\\'))
        .filter(|s| !s.is_empty() && *s != b".")
        .peekable();
    std::iter::from_fn(move || {
        loop {
            let part = parts.next()?;
            // The last name is the file's own.
            parts.peek()?;
            if let Ok(name) = std::str::from_utf8(part) {
                return Some(name);
            }
        }
    })
}

struct Index<'a> {
    files: &'a [SourceFile],
    /// Normalised paths have one spelling, so they are keyed by their bytes: hashing a `Path`
    /// walks its components.
    by_path: foldhash::HashMap<&'a std::ffi::OsStr, FileId>,
    /// Normalised paths in sorted order: the files under a directory are one contiguous run.
    sorted: Vec<(&'a Path, FileId)>,
    /// Every directory that holds a file, at any depth.
    dirs: foldhash::HashSet<&'a std::ffi::OsStr>,
    /// Looked up for every resource of every kustomization: foldhash rather than SipHash.
    kustomizations: foldhash::HashMap<PathBuf, usize>,
    /// Each kustomization's `resources`, by its object's index, resolved once.
    resources: foldhash::HashMap<usize, Box<[Resource]>>,
}

/// One entry of a kustomization's `resources`, resolved against its directory.
#[derive(Clone, Copy, Debug)]
enum Resource {
    /// A file of the input.
    File(FileId),
    /// A directory with a kustomization, by the kustomization's object index.
    Kustomization(usize),
    /// A remote base, or a path that is not in the input.
    Elsewhere,
}

/// What a kustomization's own text and patch files mention of Flux's post-build substitution.
#[derive(Clone, Copy, Debug, Default)]
struct Says {
    /// `kustomize.toolkit.fluxcd.io/substitute` (it may turn substitution off).
    substitute_key: bool,
    /// `postBuild` or `substitute` (a patch may give or strip a Flux Kustomization's
    /// variables).
    post_build: bool,
}

impl Says {
    fn of(
        idx: &Index,
        objects: &[Object],
        kid: usize,
        k: &crate::model::kustomize::Kustomization,
        dir: &Path,
    ) -> Says {
        let own = idx.files[objects[kid].file as usize].text.as_str();
        let patches = k.patches.iter().filter_map(|p| {
            let f = idx.by_path.get(normalize_owned(dir.join(p)).as_os_str())?;
            Some(idx.files[*f as usize].text.as_str())
        });
        std::iter::once(own)
            .chain(patches)
            .fold(Says::default(), |says, t| {
                says.or(Says {
                    substitute_key: t.contains(crate::model::kustomize::SUBSTITUTE_KEY),
                    post_build: t.contains("postBuild") || t.contains("substitute"),
                })
            })
    }

    fn or(self, other: Says) -> Says {
        Says {
            substitute_key: self.substitute_key || other.substitute_key,
            post_build: self.post_build || other.post_build,
        }
    }
}

impl Index<'_> {
    /// A kustomization's `resources`, in order: a file of the input, another kustomization's
    /// directory, or neither (a remote base, a path not here).
    fn resolve_resources(
        &self,
        dir: &Path,
        k: &crate::model::kustomize::Kustomization,
    ) -> Box<[Resource]> {
        k.resources
            .iter()
            .map(|res| {
                if res.contains("://") || res.starts_with("github.com/") {
                    return Resource::Elsewhere;
                }
                let p = normalize_owned(dir.join(res));
                if let Some(&f) = self.by_path.get(p.as_os_str()) {
                    Resource::File(f)
                } else if let Some(&kid) = self.kustomizations.get(&p) {
                    Resource::Kustomization(kid)
                } else {
                    Resource::Elsewhere
                }
            })
            .collect()
    }

    fn is_dir(&self, dir: &Path) -> bool {
        self.dirs.contains(dir.as_os_str())
    }

    /// The files under a directory, in path order.
    fn run_under(&self, dir: &Path) -> &[(&Path, FileId)] {
        let start = self.sorted.partition_point(|(p, _)| *p < dir);
        let len = self.sorted[start..]
            .iter()
            .take_while(|(p, _)| p.starts_with(dir))
            .count();
        &self.sorted[start..start + len]
    }
}

/// Copies of one file's objects kept at most: kustomize would build one set per including
/// kustomization, but a component included by hundreds of namespaces must not multiply a run.
const MAX_NAMESPACES_PER_FILE: usize = 32;

/// Every namespace each file is built into, with who sets it. (foldhash: keyed by every file
/// some kustomization lists.)
type Every = foldhash::HashMap<FileId, BTreeMap<Arc<str>, Arc<str>>>;

/// Records a namespace a file is built into.
fn note_ns(every: &mut Every, file: FileId, c: &Claim) {
    if let Some((ns, origin)) = &c.namespace {
        every
            .entry(file)
            .or_default()
            .entry(Arc::clone(ns))
            .or_insert_with(|| Arc::clone(origin));
    }
}

fn claim(claims: &mut foldhash::HashMap<FileId, Claim>, file: FileId, c: Claim) {
    match claims.get(&file) {
        // Every namespace a file is built into is kept (see `Layout::also`).
        Some(old) if old.priority() >= c.priority() => {}
        _ => {
            claims.insert(file, c);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(
    idx: &Index,
    objects: &[Object],
    kid: usize,
    inherited: Option<(Arc<str>, Arc<str>)>,
    rename: &Rename,
    flux: Option<usize>,
    depth: usize,
    visited: &mut foldhash::HashSet<usize>,
    claims: &mut Vec<(FileId, Claim)>,
) {
    if depth > 64 || !visited.insert(kid) {
        return;
    }
    let Spec::Kustomization(k) = &objects[kid].spec else {
        return;
    };
    let resources = idx.resources.get(&kid).map_or(&[][..], |r| &r[..]);
    let here = k.namespace.as_ref().map(|n| {
        let origin = idx.files[objects[kid].file as usize].display_path();
        (Arc::from(n.v.as_str()), Arc::from(origin))
    });
    // kustomize runs an overlay's namespace transformer after its bases are built: the
    // outermost kustomization with a namespace wins.
    let ns = inherited.or(here);
    let component = objects[kid].key.kind == "Component";
    let mut rename = rename.through(objects[kid].file, k, component);
    for r in resources {
        let Resource::Kustomization(cid) = *r else {
            continue;
        };
        if let (Spec::Kustomization(c), "Component") =
            (&objects[cid].spec, objects[cid].key.kind.as_str())
        {
            rename.with_patches(objects[cid].file, c);
        }
    }
    // Shared by the claims of every file listed here.
    let rename = Arc::new(rename);
    for r in resources {
        match *r {
            Resource::File(f) => claims.push((
                f,
                Claim {
                    namespace: ns.clone(),
                    flux,
                    depth,
                    rename: Arc::clone(&rename),
                },
            )),
            Resource::Kustomization(cid) => walk(
                idx,
                objects,
                cid,
                ns.clone(),
                &rename,
                flux,
                depth + 1,
                visited,
                claims,
            ),
            Resource::Elsewhere => {}
        }
    }
    visited.remove(&kid);
}

/// Computes each file's namespace and variables from the kustomizations in the input.
pub fn layout(objects: &[Object], files: &[SourceFile]) -> Layout {
    use rayon::prelude::*;
    // Each file's normalised path is found once per file, not once per run (see
    // `SourceFile::normalized_path`); the index borrows them.
    let normalized: Vec<std::borrow::Cow<'_, Path>> =
        files.iter().map(|f| f.normalized_path()).collect();
    let mut sorted: Vec<(&Path, FileId)> = normalized
        .iter()
        .zip(files)
        .map(|(p, f)| (p.as_ref(), f.id))
        .collect();
    sorted.par_sort_unstable();
    let mut dirs = foldhash::HashSet::default();
    for (p, _) in &sorted {
        for a in p.ancestors().skip(1) {
            if !dirs.insert(a.as_os_str()) {
                break;
            }
        }
    }
    let by_path = sorted.iter().map(|(p, id)| (p.as_os_str(), *id)).collect();
    let mut idx = Index {
        files,
        by_path,
        sorted,
        dirs,
        kustomizations: foldhash::HashMap::default(),
        resources: foldhash::HashMap::default(),
    };
    let mut flux = Vec::new();
    for (id, o) in objects.iter().enumerate() {
        match &o.spec {
            Spec::Kustomization(_) => {
                let dir = normalize(
                    files[o.file as usize]
                        .path
                        .parent()
                        .unwrap_or(Path::new("")),
                );
                idx.kustomizations.entry(dir).or_insert(id);
            }
            Spec::FluxKustomization(f) if f.path.is_some() => flux.push(id),
            _ => {}
        }
    }
    let mut dirs: Vec<(&PathBuf, usize)> =
        idx.kustomizations.iter().map(|(d, k)| (d, *k)).collect();
    dirs.sort();
    // Each kustomization's resources are resolved once, on all threads: every walk below,
    // and there is one from each kustomization, reads them.
    let resolved: Vec<(usize, Box<[Resource]>, Says)> = dirs
        .par_iter()
        .filter_map(|&(dir, kid)| match &objects[kid].spec {
            Spec::Kustomization(k) => {
                let says = Says::of(&idx, objects, kid, k, dir);
                Some((kid, idx.resolve_resources(dir, k), says))
            }
            _ => None,
        })
        .collect();
    let mut says: foldhash::HashMap<usize, Says> = foldhash::HashMap::default();
    for (kid, resources, s) in resolved {
        idx.resources.insert(kid, resources);
        says.insert(kid, s);
    }
    // Each kustomization is walked on its own (on all threads); the claims are then settled in
    // directory order, as one walk after the other would.
    let walked: Vec<Vec<(FileId, Claim)>> = dirs
        .par_iter()
        .map(|&(_, kid)| {
            let mut found = Vec::new();
            walk(
                &idx,
                objects,
                kid,
                None,
                &Rename::default(),
                None,
                0,
                &mut foldhash::HashSet::default(),
                &mut found,
            );
            found
        })
        .collect();
    let replaced = replaced_target_namespaces(&idx, objects, &dirs, &walked);
    // Kustomizations no other kustomization lists are roots: each is one build.
    let listed: foldhash::HashSet<usize> = idx
        .resources
        .values()
        .flat_map(|r| r.iter())
        .filter_map(|r| match r {
            Resource::Kustomization(kid) => Some(*kid),
            _ => None,
        })
        .collect();
    let is_root = |kid: usize| !listed.contains(&kid);
    let mut builds: Vec<Build> = dirs
        .iter()
        .zip(&walked)
        .filter(|((_, kid), _)| is_root(*kid))
        .map(|((_, kid), found)| Build {
            by: idx.files[objects[*kid].file as usize].display_path(),
            files: found.iter().map(|(f, _)| *f).collect(),
        })
        .collect();
    let mut test_data_deployers =
        kustomizations_deploying_test_data(objects, files, &dirs, &walked);
    let mut flux_reach = FluxReach::default();
    for ((_, kid), found) in dirs.iter().zip(&walked) {
        // What the kustomization adds to everything it builds: its own text and patch files,
        // and those of the components it lists (a component patches its includer's build).
        let mut says_here = says.get(kid).copied().unwrap_or_default();
        for r in idx.resources.get(kid).map_or(&[][..], |r| &r[..]) {
            if let Resource::Kustomization(cid) = *r {
                if objects[cid].key.kind == "Component" {
                    says_here = says_here.or(says.get(&cid).copied().unwrap_or_default());
                }
            }
        }
        if says_here.substitute_key {
            flux_reach.disabled.extend(found.iter().map(|(f, _)| *f));
        }
        if says_here.post_build {
            flux_reach.patched.extend(found.iter().map(|(f, _)| *f));
        }
    }
    // How each kustomization root builds its files; a root that some Flux Kustomization
    // builds is that Kustomization's build, recorded below with its target namespace.
    let mut root_variants: Vec<(usize, FileId, Variant)> = Vec::new();
    for ((_, kid), found) in dirs.iter().zip(&walked) {
        if is_root(*kid) {
            root_variants.extend(found.iter().map(|(f, c)| (*kid, *f, Variant::of(c))));
        }
    }
    let mut variants: foldhash::HashMap<FileId, Vec<Variant>> = foldhash::HashMap::default();
    let mut flux_dirs: foldhash::HashSet<usize> = foldhash::HashSet::default();
    let mut claims: foldhash::HashMap<FileId, Claim> = foldhash::HashMap::default();
    let mut every = Every::default();
    for ((_, kid), found) in dirs.iter().zip(walked) {
        // Only a root's build is deployed: a base walked on its own has its own namespace,
        // which its overlays replace.
        let root = is_root(*kid);
        for (file, c) in found {
            if root {
                note_ns(&mut every, file, &c);
            }
            claim(&mut claims, file, c);
        }
    }
    let mut flux_reached: Option<HashSet<FileId>> = None;
    // The files each Flux Kustomization reaches.
    let mut per_flux: Vec<(usize, Vec<FileId>)> = Vec::new();
    let mut under_paths: HashSet<FileId> = HashSet::new();
    // Per entry of `per_flux`: its files and those of its `spec.components`.
    let mut flux_components: Vec<Vec<FileId>> = Vec::new();
    for &fid in &flux {
        let o = &objects[fid];
        let Spec::FluxKustomization(f) = &o.spec else {
            continue;
        };
        let Some(path) = &f.path else { continue };
        // spec.path is relative to the source's root: find the ancestor it resolves under.
        let own_dir = files[o.file as usize]
            .path
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let rel = path.v.trim_start_matches("./");
        let target = own_dir
            .ancestors()
            .map(|a| normalize_owned(a.join(rel)))
            .chain(std::iter::once(normalize(Path::new(rel))))
            .find(|cand| idx.is_dir(cand));
        let Some(target) = target else { continue };
        under_paths.extend(idx.run_under(&target).iter().map(|(_, f)| *f));
        let mut mine: Vec<FileId> = Vec::new();
        let origin = format!("Flux {} ({})", o.key, files[o.file as usize].display_path());
        let ns: Option<(Arc<str>, Arc<str>)> = match replaced.get(&fid) {
            Some((n, by)) => Some((n.as_str().into(), format!("{origin}, set by {by}").into())),
            None => f
                .target_namespace
                .as_ref()
                .map(|t| (t.v.as_str().into(), origin.as_str().into())),
        };
        // Walks one kustomization of the build and records what it claims.
        let mut build_dir = |kid: usize, depth: usize, mine: &mut Vec<FileId>| {
            let mut found = Vec::new();
            walk(
                &idx,
                objects,
                kid,
                ns.clone(),
                &Rename::default(),
                Some(fid),
                depth,
                &mut foldhash::HashSet::default(),
                &mut found,
            );
            flux_dirs.insert(kid);
            for (file, c) in found {
                mine.push(file);
                variants.entry(file).or_default().push(Variant::of(&c));
                note_ns(&mut every, file, &c);
                claim(&mut claims, file, c);
            }
        };
        if let Some(&kid) = idx.kustomizations.get(&target) {
            build_dir(kid, 1, &mut mine);
        } else {
            // Flux generates a kustomization of the manifests under the path, except that a
            // directory with a kustomization of its own is listed as that directory (whose
            // kustomization decides which of its files are built) and not walked into.
            let mut nested: Vec<(&Path, usize)> = Vec::new();
            let mut direct: Vec<FileId> = Vec::new();
            for (p, file) in idx.run_under(&target) {
                let owner = p
                    .ancestors()
                    .skip(1)
                    .take_while(|a| *a != target.as_path() && a.starts_with(&target))
                    .filter_map(|a| Some((a, *idx.kustomizations.get(a)?)))
                    .last();
                match owner {
                    Some(d) => nested.push(d),
                    None => direct.push(*file),
                }
            }
            nested.sort();
            nested.dedup();
            for &(_, kid) in &nested {
                build_dir(kid, 2, &mut mine);
            }
            direct.sort_unstable();
            let rename = Arc::new(Rename::default());
            for file in direct {
                mine.push(file);
                let c = Claim {
                    namespace: ns.clone(),
                    flux: Some(fid),
                    depth: 1,
                    rename: Arc::clone(&rename),
                };
                variants.entry(file).or_default().push(Variant::of(&c));
                note_ns(&mut every, file, &c);
                claim(&mut claims, file, c);
            }
        }
        flux_reached
            .get_or_insert_with(HashSet::new)
            .extend(mine.iter().copied());
        // `spec.components` add the files of kustomize components (relative to the path) to
        // what is substituted; only FLX701 follows them for now.
        let mut with_components = mine.clone();
        for c in &f.components {
            let dir = normalize_owned(target.join(c));
            let Some(&kid) = idx.kustomizations.get(&dir) else {
                continue;
            };
            let mut found = Vec::new();
            walk(
                &idx,
                objects,
                kid,
                None,
                &Rename::default(),
                Some(fid),
                1,
                &mut foldhash::HashSet::default(),
                &mut found,
            );
            with_components.extend(found.into_iter().map(|(file, _)| file));
        }
        flux_components.push(with_components);
        per_flux.push((fid, mine));
    }
    for ((fid, _), reached) in per_flux.iter().zip(&flux_components) {
        let o = &objects[*fid];
        let mut deployed = reached.clone();
        deployed.sort_unstable();
        deployed.dedup();
        if matches!(&o.spec, Spec::FluxKustomization(f) if f.patches_post_build) {
            flux_reach.patched.extend(deployed.iter().copied());
        }
        flux_reach.deploys.push(((o.file, o.doc.start), deployed));
    }
    flux_reach.deploys.sort();
    for (kid, file, v) in root_variants {
        if !flux_dirs.contains(&kid) {
            variants.entry(file).or_default().push(v);
        }
    }
    // Files some build leaves without a namespace (a root or Flux Kustomization that sets
    // none): where another build gives them one, that build is a copy of its own.
    let unset_builds: HashSet<FileId> = variants
        .iter()
        .filter(|(_, vs)| vs.iter().any(|v| v.namespace.is_none()))
        .map(|(f, _)| *f)
        .collect();
    let patches = read_patches(&idx, objects);
    let renamed = renamed_files(variants, objects, &patches);
    flux_reach.passed_over = match &flux_reached {
        Some(reached) => under_paths.difference(reached).copied().collect(),
        None => under_paths,
    };
    builds.extend(per_flux.iter().map(|(fid, reached)| Build {
        by: format!(
            "Flux Kustomization {} ({})",
            objects[*fid].key,
            files[objects[*fid].file as usize].display_path()
        ),
        files: reached.clone(),
    }));
    for b in &mut builds {
        b.files.sort_unstable();
        b.files.dedup();
    }
    // A build in which some kustomization renames or patches objects is not judged: what it
    // deploys is not the files as written.
    // Normalised directories have one spelling: keyed by their bytes, which hash faster than
    // a `Path`'s components.
    let transforming: foldhash::HashSet<&std::ffi::OsStr> = idx
        .kustomizations
        .iter()
        .filter(|(_, k)| match &objects[**k].spec {
            Spec::Kustomization(kz) => {
                kz.transforms || !patches_followed(kz, objects[**k].file, &patches)
            }
            _ => false,
        })
        .map(|(d, _)| d.as_os_str())
        .collect();
    if !transforming.is_empty() {
        // A file is in many builds (every overlay of a base): each is looked at once.
        let mut under: Vec<Option<bool>> = vec![None; files.len()];
        builds.retain(|b| {
            !b.files.iter().any(|&f| {
                let Some(known) = under.get_mut(f as usize) else {
                    return false;
                };
                *known.get_or_insert_with(|| {
                    files[f as usize]
                        .normalized_path()
                        .ancestors()
                        .skip(1)
                        .take(64)
                        .any(|d| transforming.contains(d.as_os_str()))
                })
            })
        });
    }
    builds.retain(|b| !b.files.is_empty());
    builds.sort();
    for (fid, reached) in &per_flux {
        for f in reached {
            if let Some(v) = test_data_deployers.get_mut(f) {
                v.push(objects[*fid].file);
            }
        }
    }
    for v in test_data_deployers.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let mut out = Layout {
        renamed,
        patches,
        builds,
        clusters: clusters(objects, files, &per_flux),
        flux_reached,
        test_data_deployers,
        flux: flux_reach,
        ..Layout::default()
    };
    let config_maps: BTreeMap<(&str, &str), usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.spec, Spec::ConfigMap(_)))
        .map(|(i, o)| ((o.key.namespace.as_str(), o.key.name.as_str()), i))
        .collect();
    for (file, c) in claims {
        if let (Some((ns, origin)), false) = (&c.namespace, out.renamed.contains_key(&file)) {
            let others: Vec<(String, String)> = every
                .remove(&file)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, _)| n != ns)
                .take(MAX_NAMESPACES_PER_FILE)
                .map(|(n, o)| (n.to_string(), o.to_string()))
                .collect();
            if !others.is_empty() {
                out.also.insert(file, others);
            }
            if unset_builds.contains(&file) {
                out.unset_too.insert(file);
            }
            out.namespaces
                .insert(file, (Arc::clone(ns), Arc::clone(origin)));
        }
        let Some(fid) = c.flux else { continue };
        let Spec::FluxKustomization(f) = &objects[fid].spec else {
            continue;
        };
        let mut vars: Vars = HashMap::new();
        for (kind, name) in &f.substitute_from {
            // Secret values never feed the linter; only ConfigMaps in the repository do.
            if kind != "ConfigMap" {
                continue;
            }
            let ns = objects[fid].key.namespace.as_str();
            let cm = config_maps.get(&(ns, name.as_str())).or_else(|| {
                config_maps
                    .iter()
                    .find(|((_, n), _)| n == name)
                    .map(|(_, i)| i)
            });
            if let Some(Spec::ConfigMap(cm)) = cm.map(|&i| &objects[i].spec) {
                vars.extend(cm.data.iter().cloned());
            }
        }
        vars.extend(f.substitute.iter().cloned());
        if !vars.is_empty() {
            out.vars.insert(file, vars);
        }
    }
    out
}

/// The files that some build renames or patches, each with all its builds: sorted, one per
/// distinct namespace, renaming and patches, at most `MAX_NAMESPACES_PER_FILE` copies.
fn renamed_files(
    variants: foldhash::HashMap<FileId, Vec<Variant>>,
    objects: &[Object],
    patches: &HashMap<(FileId, usize), Vec<patch::Patch>>,
) -> HashMap<FileId, Vec<Variant>> {
    let mut by_file: HashMap<FileId, Vec<&Object>> = HashMap::new();
    if !patches.is_empty() {
        for o in objects {
            if variants.contains_key(&o.file) {
                by_file.entry(o.file).or_default().push(o);
            }
        }
    }
    variants
        .into_iter()
        .filter(|(f, vs)| {
            vs.iter().any(|v| {
                v.rename.renames()
                    || by_file
                        .get(f)
                        .is_some_and(|os| os.iter().any(|o| !patches_for(o, v, patches).is_empty()))
            })
        })
        .map(|(f, mut vs)| {
            vs.sort();
            vs.dedup_by(|a, b| {
                (
                    &a.namespace,
                    &a.rename.prefix,
                    &a.rename.suffix,
                    &a.rename.patches,
                ) == (
                    &b.namespace,
                    &b.rename.prefix,
                    &b.rename.suffix,
                    &b.rename.patches,
                )
            });
            vs.truncate(MAX_NAMESPACES_PER_FILE + 1);
            (f, vs)
        })
        .collect()
}

/// The patches that build `v` applies to the object `o` (as written), innermost first, each
/// with its kustomization's file.
fn patches_for<'a>(
    o: &Object,
    v: &Variant,
    table: &'a HashMap<(FileId, usize), Vec<patch::Patch>>,
) -> Vec<(FileId, &'a patch::Patch)> {
    if matches!(o.spec, Spec::Kustomization(_)) || o.key.name.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for u in v.rename.patches.iter().rev() {
        let Some(ps) = table.get(&(u.kustomization, u.entry)) else {
            continue;
        };
        let names = v.rename.names_at(u, &o.key.name);
        let names = [names[0].as_ref(), names[1].as_ref()];
        let mut namespaces = vec![o.key.namespace.as_str()];
        namespaces.extend(v.namespace.as_deref());
        out.extend(
            ps.iter()
                .filter(|p| patch::selects(p, &o.key.group, &o.key.kind, &names, &namespaces))
                .map(|p| (u.kustomization, p)),
        );
    }
    out
}

/// The document of `o` in its file, parsed again (once per file), when it is the object itself
/// (an item of a List is not patched here).
fn tree_of<'p>(
    o: &Object,
    files: &[SourceFile],
    parsed: &'p mut HashMap<FileId, Vec<crate::load::parse::RawDoc>>,
) -> Option<&'p crate::load::parse::RawDoc> {
    let src = files.get(o.file as usize)?;
    let docs = parsed.entry(o.file).or_insert_with(|| {
        crate::load::parse::parse(
            &src.text,
            src.lines(),
            o.file,
            crate::load::parse::Limits::default(),
        )
        .docs
    });
    docs.iter()
        .find(|d| d.start as u32 == o.doc.start)
        .filter(|d| d.root.get("kind").and_then(|k| k.as_str()) == Some(o.key.kind.as_str()))
}

/// Objects built from a patched tree, counted over all builds, at most: each is a copy of its
/// document's tree, and a patch that selects a whole kind in a base many overlays build would
/// otherwise multiply the run. Past it, the kustomizations still to patch are not followed.
const MAX_PATCHED: usize = 20_000;

/// The kustomizations some of whose patches gwlint cannot apply to an object they select
/// (a list of a built-in kind, a directive, a path that is not there, a Secret): none of their
/// patches is applied, so that no build mixes patches applied with patches left out.
fn unfollowed_patches(
    layout: &Layout,
    objects: &[Object],
    files: &[SourceFile],
    parsed: &mut HashMap<FileId, Vec<crate::load::parse::RawDoc>>,
) -> HashSet<FileId> {
    let mut out = HashSet::new();
    let mut budget = MAX_PATCHED;
    for o in objects {
        let Some(vs) = layout.renamed.get(&o.file) else {
            continue;
        };
        for v in vs {
            let ps = patches_for(o, v, &layout.patches);
            if ps.is_empty() {
                continue;
            }
            // A patch of a Secret may carry its values in a file that does not say it is a
            // Secret (a JSON 6902 list), where they would not be redacted: not applied.
            let secret = crate::model::may_hold_secret(&o.key.kind);
            budget = budget.saturating_sub(1);
            let applied = budget > 0
                && !secret
                && tree_of(o, files, parsed).is_some_and(|doc| {
                    let mut root = doc.root.clone();
                    let builtin = patch::merges_lists_by_key(&o.key.group);
                    ps.iter().all(|(_, p)| {
                        matches!(p.how, patch::How::Delete)
                            || patch::apply(&mut root, &p.how, builtin).is_ok()
                    })
                });
            if !applied {
                out.extend(ps.iter().map(|(k, _)| *k));
            }
        }
    }
    out
}

/// The object `o` (as written) with `ps` applied, modelled again from its patched tree; None
/// where a patch cannot be applied exactly (then kustomize's build is not known).
fn patched(
    o: &Object,
    ps: &[&patch::Patch],
    files: &[SourceFile],
    parsed: &mut HashMap<FileId, Vec<crate::load::parse::RawDoc>>,
    default_namespace: &str,
    vars: Option<&Vars>,
) -> Option<Object> {
    let doc = tree_of(o, files, parsed)?;
    let mut root = doc.root.clone();
    let builtin = patch::merges_lists_by_key(&o.key.group);
    for p in ps {
        patch::apply(&mut root, &p.how, builtin).ok()?;
    }
    let raw = crate::load::parse::RawDoc {
        root,
        start: doc.start,
        end: doc.end,
        dropped: Vec::new(),
        dropped_kinds: Vec::new(),
        anchored: Vec::new(),
    };
    let ctx = crate::model::BuildContext {
        default_namespace,
        kustomization_file: false,
        vars,
        schemas: None,
        text: "",
    };
    let mut out = crate::model::build(o.file, vec![raw], ctx).objects;
    if out.len() != 1 {
        return None;
    }
    let mut p = out.pop()?;
    p.built_by = Some(Box::new(crate::model::BuiltBy {
        renamed: None,
        patched: true,
    }));
    Some(p)
}

/// Whether gwlint applies every patch of `k` as kustomize does (up to patches that fail to
/// apply, which fail kustomize's build too) and none deletes an object: then the duplicates of
/// its build can be judged from the objects.
fn patches_followed(
    k: &crate::model::kustomize::Kustomization,
    file: FileId,
    table: &HashMap<(FileId, usize), Vec<patch::Patch>>,
) -> bool {
    k.patch_refs.iter().enumerate().all(|(i, r)| {
        !r.vague
            && table
                .get(&(file, i))
                .is_some_and(|ps| !ps.iter().any(|p| matches!(p.how, patch::How::Delete)))
    })
}

/// Reads the patch files of every kustomization that lists some, once each.
fn read_patches(idx: &Index, objects: &[Object]) -> HashMap<(FileId, usize), Vec<patch::Patch>> {
    let mut out = HashMap::new();
    let mut roots: HashMap<FileId, Vec<crate::load::tree::Node>> = HashMap::new();
    for (dir, &kid) in &idx.kustomizations {
        let Spec::Kustomization(k) = &objects[kid].spec else {
            continue;
        };
        for (entry, r) in k.patch_refs.iter().enumerate() {
            let (Some(path), false) = (&r.path, r.vague) else {
                continue;
            };
            let p = normalize_owned(dir.join(path));
            let Some(&f) = idx.by_path.get(p.as_os_str()) else {
                continue;
            };
            let docs = roots.entry(f).or_insert_with(|| {
                let src = &idx.files[f as usize];
                crate::load::parse::parse(
                    &src.text,
                    src.lines(),
                    f,
                    crate::load::parse::Limits::default(),
                )
                .docs
                .into_iter()
                .map(|d| d.root)
                .collect()
            });
            if let Some(ps) = patch::read(docs, r.target.as_ref()) {
                out.insert((objects[kid].file, entry), ps);
            }
        }
    }
    out
}

/// Builds one object as `v` builds it: its namespace, and its name with the prefix and suffix
/// (kustomize leaves the names of Namespaces, CustomResourceDefinitions and APIServices alone).
fn build_as(o: &mut Object, v: &Variant, cluster: bool) {
    let namespace_kind = o.key.group.is_empty() && o.key.kind == "Namespace";
    if cluster {
        o.key.namespace.clear();
        if let (true, Some(ns)) = (namespace_kind, &v.namespace) {
            o.key.name = (**ns).into();
        }
    } else if let Some(ns) = &v.namespace {
        if o.key.namespace != **ns {
            o.key.namespace = (**ns).into();
            o.namespace_defaulted = false;
        }
    }
    let kept = namespace_kind
        || o.key.kind == "CustomResourceDefinition"
        || (o.key.group == "apiregistration.k8s.io" && o.key.kind == "APIService");
    if kept || !v.rename.renames() || o.key.name.is_empty() {
        return;
    }
    let (prefix, suffix) = (&v.rename.prefix, &v.rename.suffix);
    let written = std::mem::take(&mut o.key.name);
    o.key.name = format!("{prefix}{written}{suffix}").into();
    if let Some(span) = v.rename.at {
        let label = format!(
            "this kustomize build deploys {} `{written}` as `{}`",
            o.key.kind, o.key.name
        );
        o.built_by.get_or_insert_with(Box::default).renamed = Some(crate::model::Renamed {
            at: span,
            label,
            prefix: prefix.as_str().into(),
            suffix: suffix.as_str().into(),
        });
    }
}

/// Flux Kustomizations whose `spec.targetNamespace` a kustomize replacement sets (the common
/// layout copies a Namespace's name into every Flux Kustomization beside it): object index →
/// (namespace, the kustomization that sets it). Only this target field is followed: it is the
/// one that moves other files' objects between namespaces.
fn replaced_target_namespaces(
    idx: &Index,
    objects: &[Object],
    dirs: &[(&PathBuf, usize)],
    walked: &[Vec<(FileId, Claim)>],
) -> HashMap<usize, (String, String)> {
    use crate::model::kustomize::{Replacement, ReplacementEntry};
    let mut out = HashMap::new();
    let mut by_file: Option<HashMap<FileId, Vec<usize>>> = None;
    for (&(dir, kid), built) in dirs.iter().zip(walked) {
        let Spec::Kustomization(k) = &objects[kid].spec else {
            continue;
        };
        if k.replacements.is_empty() {
            continue;
        }
        let mut list: Vec<Replacement> = Vec::new();
        for entry in &k.replacements {
            match entry {
                ReplacementEntry::Inline(r) => list.push(r.clone()),
                ReplacementEntry::Path(p) => {
                    let path = normalize_owned(dir.join(p));
                    let Some(&f) = idx.by_path.get(path.as_os_str()) else {
                        continue;
                    };
                    let src = &idx.files[f as usize];
                    let parsed = crate::load::parse::parse(
                        &src.text,
                        src.lines(),
                        f,
                        crate::load::parse::Limits::default(),
                    );
                    for doc in &parsed.docs {
                        list.extend(
                            doc.root
                                .as_seq()
                                .unwrap_or(&[])
                                .iter()
                                .filter_map(Replacement::read),
                        );
                    }
                }
            }
        }
        let by_file = by_file.get_or_insert_with(|| {
            let mut m: HashMap<FileId, Vec<usize>> = HashMap::new();
            for (i, o) in objects.iter().enumerate() {
                m.entry(o.file).or_default().push(i);
            }
            m
        });
        // The objects of this kustomization's build, with the namespace it gives them; its
        // namespace transformer also renames Namespace objects.
        let mut members: Vec<(usize, String, String)> = Vec::new();
        for (file, claim) in built {
            for &i in by_file.get(file).map(Vec::as_slice).unwrap_or(&[]) {
                let o = &objects[i];
                let ns = claim
                    .namespace
                    .as_ref()
                    .map_or_else(|| o.key.namespace.to_string(), |(n, _)| n.to_string());
                let name = match (&claim.namespace, o.key.kind.as_str()) {
                    (Some((n, _)), "Namespace") if o.key.group.is_empty() => n.to_string(),
                    _ => o.key.name.to_string(),
                };
                members.push((i, ns, name));
            }
        }
        members.sort();
        members.dedup_by_key(|m| m.0);
        let origin = idx.files[objects[kid].file as usize].display_path();
        for r in &list {
            let values: Vec<&str> = members
                .iter()
                .filter(|(i, ns, name)| {
                    let o = &objects[*i];
                    r.source.matches(&o.key.group, &o.key.kind, name, ns)
                })
                .filter_map(|(_, ns, name)| match r.source_field.as_str() {
                    "metadata.name" => Some(name.as_str()),
                    "metadata.namespace" => Some(ns.as_str()),
                    _ => None,
                })
                .collect();
            // kustomize wants exactly one source; anything else fails its build.
            let [value] = values.as_slice() else {
                continue;
            };
            for t in &r.targets {
                if !t.field_paths.iter().any(|p| p == "spec.targetNamespace") {
                    continue;
                }
                for (i, ns, name) in &members {
                    let o = &objects[*i];
                    let Spec::FluxKustomization(f) = &o.spec else {
                        continue;
                    };
                    let selected = t.select.matches(&o.key.group, &o.key.kind, name, ns)
                        && !t
                            .reject
                            .iter()
                            .any(|r| r.matches(&o.key.group, &o.key.kind, name, ns));
                    if selected && (t.create || f.target_namespace.is_some()) {
                        out.insert(*i, (value.to_string(), origin.clone()));
                    }
                }
            }
        }
    }
    out
}

const MAX_CLUSTERS: usize = 64;

/// Which cluster each Flux-deployed file goes to, for repositories that deploy several. A Flux
/// Kustomization that no other one reaches is a root, applied by the cluster's bootstrap; roots
/// defined in one directory (`flux/cluster/ks.yaml` holding `cluster-meta` and `cluster-apps`)
/// are one cluster's. A file reached from one cluster's roots only is that cluster's; a file
/// several clusters share (a common base) gets none, and so conflicts with every cluster.
fn clusters(
    objects: &[Object],
    files: &[SourceFile],
    per_flux: &[(usize, Vec<FileId>)],
) -> HashMap<FileId, u32> {
    // Which Flux Kustomizations each file holds.
    let mut held: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (pos, (fid, _)) in per_flux.iter().enumerate() {
        held.entry(objects[*fid].file).or_default().push(pos);
    }
    let dir_of = |pos: usize| {
        normalize(
            files[objects[per_flux[pos].0].file as usize]
                .path
                .parent()
                .unwrap_or(Path::new("")),
        )
    };
    let dirs_of: Vec<PathBuf> = (0..per_flux.len()).map(dir_of).collect();
    // parents[child] = the Flux Kustomizations whose path reaches the child's file, but for
    // those defined beside it: a bootstrap directory's Kustomizations (`flux` and `cluster`)
    // often reach each other.
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); per_flux.len()];
    for (pos, (_, reached)) in per_flux.iter().enumerate() {
        for f in reached {
            for &child in held.get(f).map(Vec::as_slice).unwrap_or(&[]) {
                if dirs_of[child] != dirs_of[pos] {
                    parents[child].push(pos);
                }
            }
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); per_flux.len()];
    for (child, ps) in parents.iter().enumerate() {
        for &p in ps {
            children[p].push(child);
        }
    }
    // Roots: reached by no other directory's Kustomization, and reaching Kustomizations of
    // their own (an entry point; a lone unreached app Kustomization is a switched-off app, not
    // a cluster). Grouped into clusters by the directory that defines them.
    let mut dirs: BTreeMap<PathBuf, u32> = BTreeMap::new();
    let mut root_cluster: Vec<Option<u32>> = vec![None; per_flux.len()];
    for pos in 0..per_flux.len() {
        if parents[pos].is_empty() && !children[pos].is_empty() {
            let next = dirs.len() as u32;
            root_cluster[pos] = Some(*dirs.entry(dirs_of[pos].clone()).or_insert(next));
        }
    }
    // One cluster, or more root directories than any fleet layout has (then the roots are not
    // clusters gwlint can tell apart, and everything may meet everything).
    if dirs.len() < 2 || dirs.len() > MAX_CLUSTERS {
        return HashMap::new();
    }
    // Each Flux Kustomization's clusters: its own as a root, else its parents' (walked from the
    // roots down, each node once: linear in the edges).
    let mut of: Vec<Vec<u32>> = vec![Vec::new(); per_flux.len()];
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    for (pos, c) in root_cluster.iter().enumerate() {
        if let Some(c) = c {
            of[pos].push(*c);
            queue.push_back(pos);
        }
    }
    while let Some(pos) = queue.pop_front() {
        let mine = of[pos].clone();
        for &child in &children[pos] {
            let before = of[child].len();
            for c in &mine {
                if !of[child].contains(c) && of[child].len() < dirs.len() {
                    of[child].push(*c);
                }
            }
            if of[child].len() != before {
                queue.push_back(child);
            }
        }
    }
    let mut out: HashMap<FileId, Option<u32>> = HashMap::new();
    for (pos, (_, reached)) in per_flux.iter().enumerate() {
        for f in reached {
            for c in &of[pos] {
                match out.get(f) {
                    None => {
                        out.insert(*f, Some(*c));
                    }
                    Some(Some(old)) if old != c => {
                        out.insert(*f, None);
                    }
                    _ => {}
                }
            }
        }
    }
    out.into_iter()
        .filter_map(|(f, c)| c.map(|c| (f, c)))
        .collect()
}

/// The kustomizations that deploy the files lying in test-data directories: every
/// kustomization that reaches one, directly or through the kustomizations it lists (`layout`
/// adds the Flux Kustomizations). Only those files are looked up, so a repository without test
/// data pays one scan of its paths.
fn kustomizations_deploying_test_data(
    objects: &[Object],
    files: &[SourceFile],
    dirs: &[(&PathBuf, usize)],
    walked: &[Vec<(FileId, Claim)>],
) -> HashMap<FileId, Vec<FileId>> {
    use rayon::prelude::*;
    // Every file's directories are read: on all threads.
    let mut out: HashMap<FileId, Vec<FileId>> = files
        .par_iter()
        .filter(|f| in_test_data_dir(&f.path))
        .map(|f| (f.id, Vec::new()))
        .collect();
    if out.is_empty() {
        return out;
    }
    for ((_, kid), found) in dirs.iter().zip(walked) {
        for (f, _) in found {
            if let Some(v) = out.get_mut(f) {
                v.push(objects[*kid].file);
            }
        }
    }
    out
}

/// Whether a path lies in a directory whose name says it holds test inputs or expected
/// outputs (`testdata`, `fixtures`, …), or is named as a test's expected output (see
/// [`is_golden_output`]): files that tests read, not manifests a cluster runs.
pub fn in_test_data_dir(path: &Path) -> bool {
    is_golden_output(path) || in_test_data_named_dir(path)
}

/// Whether a file's name says it is the output a test expects: `<case>.out.yaml` (beside its
/// `<case>.in.yaml`), `<case>.golden.yaml`, `<case>_golden.yaml`, `<case>-golden.yaml`. Golden
/// outputs hold what a renderer printed, duplicates and all; nobody applies them.
pub fn is_golden_output(path: &Path) -> bool {
    let Some(stem) = path.file_stem() else {
        return false;
    };
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    // Compared in place, ASCII case ignored: asked of every file.
    let stem = stem.as_encoded_bytes();
    yaml && [".out", ".golden", "_golden", "-golden"].iter().any(|end| {
        stem.len() > end.len()
            && stem[stem.len() - end.len()..].eq_ignore_ascii_case(end.as_bytes())
    })
}

fn in_test_data_named_dir(path: &Path) -> bool {
    dir_names(path).any(is_test_data_name)
}

/// Directory names that hold test inputs and expected outputs by a wide convention: Go's
/// `testdata` (which the go tool itself never builds), `fixtures` and `__fixtures__` (most test
/// frameworks), `__snapshots__` and `golden` files, and Go's `testutils` helper packages.
/// `test`, `tests` and `e2e` are not among them: end-to-end manifests are applied to a cluster,
/// and GitOps repositories name environments `test`.
pub fn is_test_data_name(name: &str) -> bool {
    named_any_case(
        name,
        &[
            "testdata",
            "test-data",
            "test_data",
            "fixtures",
            "__fixtures__",
            "test-fixtures",
            "test_fixtures",
            "__snapshots__",
            "golden",
            "goldens",
            "testutils",
        ],
    )
}

/// Whether `name` is one of `names` (lower case), ASCII case ignored. Asked of every directory
/// of every file: compared in place rather than lower-cased into a new string.
fn named_any_case(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Directory names of tests and examples: manifests applied to a throwaway cluster, or shown
/// for readers to copy, whose credentials and certificates are usually dummies.
pub fn is_sample_name(name: &str) -> bool {
    named_any_case(
        name,
        &[
            "test",
            "tests",
            "e2e",
            "example",
            "examples",
            "sample",
            "samples",
            "demo",
            "demos",
            "doc",
            "docs",
            "tutorial",
            "tutorials",
            "quickstart",
            "quickstarts",
        ],
    )
}

/// Whether a path lies in a directory whose name says its manifests are kept, not deployed.
pub fn in_archive_dir(path: &Path) -> bool {
    dir_names(path).any(is_archive_name)
}

/// Whether a directory name says its manifests are kept, not deployed (`archive`, `_archive`,
/// `.archived`, `deprecated`, `old`, `attic`, in any case).
pub fn is_archive_name(name: &str) -> bool {
    named_any_case(
        name.trim_start_matches(['.', '_']),
        &["archive", "archived", "deprecated", "old", "attic"],
    )
}

/// Applies the namespaces of the layout and the scopes of CRDs in the input. Returns notes for
/// --verbose.
pub fn apply(
    layout: &Layout,
    objects: &mut Vec<Object>,
    files: &[SourceFile],
    default_namespace: &str,
) -> Vec<String> {
    let crd_scope: HashMap<(String, String), bool> = objects
        .iter()
        .filter_map(|o| match &o.spec {
            Spec::Crd(c) => Some(((c.group.clone(), c.kind.clone()), c.cluster_scoped)),
            _ => None,
        })
        .collect();
    let mut notes = BTreeMap::new();
    let mut copies: Vec<Object> = Vec::new();
    // Target files parsed again for patching, once each.
    let mut parsed: HashMap<FileId, Vec<crate::load::parse::RawDoc>> = HashMap::new();
    // Objects every build of their file deletes (`$patch: delete`).
    let mut deleted: Vec<(FileId, u32, crate::model::ObjKey)> = Vec::new();
    let unfollowed = match layout.patches.is_empty() {
        true => HashSet::new(),
        false => unfollowed_patches(layout, objects, files, &mut parsed),
    };
    for o in objects.iter_mut() {
        let key = (o.key.group.to_string(), o.key.kind.to_string());
        let cluster = match crd_scope.get(&key) {
            Some(&c) => c,
            None => is_cluster_scoped(&o.key.group, &o.key.kind),
        };
        // A file some build renames or patches is one set of objects per build
        // (`Layout::renamed`).
        if let (Some(vs), false) = (
            layout.renamed.get(&o.file),
            matches!(o.spec, Spec::Kustomization(_)),
        ) {
            let per_root_vars =
                layout.vars.contains_key(&o.file) && files[o.file as usize].text.contains("${");
            let written = o.clone();
            let mut made: Vec<crate::model::ObjKey> = Vec::new();
            let mut first: Option<Object> = None;
            for v in vs {
                // See below: a file with Flux variables is modelled with one build's only.
                if per_root_vars && !made.is_empty() {
                    break;
                }
                let ps: Vec<&patch::Patch> = patches_for(&written, v, &layout.patches)
                    .into_iter()
                    .filter(|(k, _)| !unfollowed.contains(k))
                    .map(|(_, p)| p)
                    .collect();
                // `$patch: delete`: not in this build.
                if ps.iter().any(|p| matches!(p.how, patch::How::Delete)) {
                    continue;
                }
                let mut b = match ps.is_empty() {
                    true => None,
                    false => patched(
                        &written,
                        &ps,
                        files,
                        &mut parsed,
                        default_namespace,
                        layout.vars.get(&o.file),
                    ),
                }
                .unwrap_or_else(|| written.clone());
                build_as(&mut b, v, cluster);
                if made.contains(&b.key) {
                    continue;
                }
                made.push(b.key.clone());
                match first {
                    None => first = Some(b),
                    Some(_) => copies.push(b),
                }
            }
            match first {
                Some(b) => *o = b,
                None => deleted.push((o.file, o.doc.start, o.key.clone())),
            }
            if written.key != o.key || o.built_by.is_some() {
                notes.entry(o.file).or_insert_with(|| {
                    format!(
                        "{}: built by {} kustomize build{} that rename or patch it",
                        files[o.file as usize].display_path(),
                        vs.len(),
                        if vs.len() == 1 { "" } else { "s" }
                    )
                });
            }
            continue;
        }
        if cluster {
            o.key.namespace.clear();
            // kustomize's namespace transformer renames the Namespace objects it builds to its
            // namespace (the `name: _` layout relies on it).
            if o.key.group.is_empty() && o.key.kind == "Namespace" {
                if let Some((ns, _)) = layout.namespaces.get(&o.file) {
                    for (other, _) in layout.also.get(&o.file).map(Vec::as_slice).unwrap_or(&[]) {
                        let mut copy = o.clone();
                        copy.key.name = other.as_str().into();
                        copies.push(copy);
                    }
                    o.key.name = (**ns).into();
                }
            }
            continue;
        }
        // A file with Flux variables is substituted differently by each Flux Kustomization
        // that builds it, and is modelled with one's variables only: no copies of it.
        let per_root_vars =
            layout.vars.contains_key(&o.file) && files[o.file as usize].text.contains("${");
        if let (Some(also), false) = (
            layout.also.get(&o.file),
            matches!(o.spec, Spec::Kustomization(_)) || per_root_vars,
        ) {
            for (ns, _) in also {
                let mut copy = o.clone();
                copy.key.namespace = ns.as_str().into();
                copy.namespace_defaulted = false;
                copies.push(copy);
            }
        }
        if let Some((ns, origin)) = layout.namespaces.get(&o.file) {
            if o.key.namespace != **ns
                && !matches!(o.spec, Spec::Kustomization(_))
                && !per_root_vars
                && layout.unset_too.contains(&o.file)
            {
                copies.push(o.clone());
            }
            if o.key.namespace != **ns && !matches!(o.spec, Spec::Kustomization(_)) {
                notes.entry(o.file).or_insert_with(|| {
                    format!(
                        "{}: namespace `{ns}` from {origin}",
                        files[o.file as usize].display_path()
                    )
                });
                o.key.namespace = (**ns).into();
                o.namespace_defaulted = false;
            }
        }
    }
    if !deleted.is_empty() {
        deleted.sort();
        objects.retain(|o| {
            deleted
                .binary_search(&(o.file, o.doc.start, o.key.clone()))
                .is_err()
        });
    }
    if !copies.is_empty() {
        notes.insert(
            u32::MAX,
            format!(
                "{} objects also built into further namespaces by the kustomizations that include them",
                copies.len()
            ),
        );
        objects.append(&mut copies);
        objects.sort_by_key(|o| (o.file, o.doc.start));
    }
    notes.into_values().collect()
}

/// Files that kustomizations apply as patches and list nowhere as resources: partial objects
/// merged into others, so not objects to index or validate on their own.
pub fn patch_files(objects: &[Object], files: &[SourceFile]) -> Vec<FileId> {
    use rayon::prelude::*;
    let dir_of = |o: &Object| {
        files[o.file as usize]
            .path
            .parent()
            .unwrap_or(Path::new(""))
    };
    let kustomizations = || {
        objects.iter().filter_map(|o| match &o.spec {
            Spec::Kustomization(k) => Some((dir_of(o), k)),
            _ => None,
        })
    };
    let mut patches: Vec<PathBuf> = kustomizations()
        .flat_map(|(dir, k)| k.patches.iter().map(|p| normalize_owned(dir.join(p))))
        .collect();
    if patches.is_empty() {
        return Vec::new();
    }
    // Only a resource with a patch's file name can be that patch: the others, nearly all, are
    // not resolved.
    let names: foldhash::HashSet<&std::ffi::OsStr> =
        patches.iter().filter_map(|p| p.file_name()).collect();
    let mut resources: Vec<PathBuf> = kustomizations()
        .flat_map(|(dir, k)| {
            k.resources
                .iter()
                .filter(|r| {
                    Path::new(r.as_str())
                        .file_name()
                        .is_some_and(|n| names.contains(n))
                })
                .map(move |r| normalize_owned(dir.join(r)))
        })
        .collect();
    // Normalised paths have one spelling: compared by their bytes, not their components.
    patches.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    resources.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    let has = |v: &[PathBuf], p: &Path| {
        v.binary_search_by(|x| x.as_os_str().cmp(p.as_os_str()))
            .is_ok()
    };
    files
        .par_iter()
        .filter(|f| {
            let p = f.normalized_path();
            has(&patches, &p) && !has(&resources, &p)
        })
        .map(|f| f.id)
        .collect()
}

/// Files that a kustomization's `secretGenerator` reads (`envs`, `files`): their content becomes
/// Secret values, so they are not manifests to lint and no part of them may be shown.
pub fn secret_sources(objects: &[Object], files: &[SourceFile]) -> Vec<FileId> {
    let mut wanted: Vec<PathBuf> = Vec::new();
    for o in objects {
        if let Spec::Kustomization(k) = &o.spec {
            let dir = files[o.file as usize]
                .path
                .parent()
                .unwrap_or(Path::new(""));
            wanted.extend(
                k.secret_sources
                    .iter()
                    .map(|s| normalize_owned(dir.join(s))),
            );
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    wanted.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    files
        .iter()
        .filter(|f| {
            let p = f.normalized_path();
            wanted
                .binary_search_by(|x| x.as_os_str().cmp(p.as_os_str()))
                .is_ok()
        })
        .map(|f| f.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings the fast paths must read as `Components` does.
    const PATHS: &[&str] = &[
        "",
        "/",
        ".",
        "..",
        "a",
        "a/b/c.yaml",
        "/a/b/c.yaml",
        "./a/b.yaml",
        "a/./b.yaml",
        "a//b.yaml",
        "a/b/",
        "a/b/.",
        "a/../b.yaml",
        "../a/testdata/x.yaml",
        "//a/b",
        "a/testdata",
        "testdata/x.yaml",
        "x/TestData/y/z.yaml",
        "x/.archive/y.yaml",
        "a/b/..",
    ];

    /// `normalize` as it was before its fast path: every component walked.
    fn normalize_by_components(p: &Path) -> PathBuf {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        out.push("..");
                    }
                }
                other => out.push(other.as_os_str()),
            }
        }
        out
    }

    #[test]
    fn normalize_keeps_normal_paths_and_spells_them_as_components_do() {
        for p in PATHS {
            let p = Path::new(p);
            let want = normalize_by_components(p);
            assert_eq!(normalize(p).as_os_str(), want.as_os_str(), "{p:?}");
            assert_eq!(
                normalize_owned(p.to_path_buf()).as_os_str(),
                want.as_os_str(),
                "{p:?}"
            );
            // Kept as it is only when normalising would leave its bytes as they are (`..`
            // first is left to the walk, which also keeps it).
            if is_normal(p) {
                assert_eq!(want.as_os_str(), p.as_os_str(), "{p:?}");
            }
        }
        if cfg!(unix) {
            for p in ["a", "a/b/c.yaml", "/a/b/c.yaml", "", "/"] {
                assert!(is_normal(Path::new(p)), "{p:?}");
            }
        }
    }

    #[test]
    fn dir_names_are_the_parents_normal_components() {
        for p in PATHS {
            let p = Path::new(p);
            let want: Vec<String> = p
                .parent()
                .map(|d| {
                    d.components()
                        .filter_map(|c| match c {
                            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            // `..` is a name here, never one the callers look for; the others must agree.
            let got: Vec<String> = dir_names(p)
                .filter(|n| *n != "..")
                .map(str::to_string)
                .collect();
            assert_eq!(got, want, "{p:?}");
        }
        assert!(in_test_data_dir(Path::new("x/TestData/y/z.yaml")));
        assert!(!in_test_data_dir(Path::new("a/testdata")));
        assert!(in_archive_dir(Path::new("x/.archive/y.yaml")));
        assert!(!in_archive_dir(Path::new("x/archive")));
    }

    #[test]
    fn golden_outputs_are_named_in_any_case() {
        for yes in [
            "a/case.out.yaml",
            "case.GOLDEN.yml",
            "x/case-golden.YAML",
            "c_golden.yaml",
        ] {
            assert!(is_golden_output(Path::new(yes)), "{yes}");
        }
        for no in [".out.yaml", "case.out.json", "golden.yaml", "a/out.yaml"] {
            assert!(!is_golden_output(Path::new(no)), "{no}");
        }
    }
}
