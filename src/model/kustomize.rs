//! Kustomize and Flux kinds that decide namespaces and variables of other files, and the
//! CustomResourceDefinitions and ConfigMaps they read.

use super::read::Reader;
use crate::load::tree::{Node, Value};
use crate::source::Text;
use crate::source::{Sp, Span};

/// A kustomize `Kustomization` (kustomization.yaml), with or without apiVersion/kind.
#[derive(Clone, Debug)]
pub struct Kustomization {
    pub namespace: Option<Sp<Text>>,
    /// `resources` and `components` entries, as written.
    pub resources: Vec<String>,
    /// Files whose content a `secretGenerator` turns into Secret values (`envs`, `env`, and
    /// `files` without their `key=` prefix), as written.
    pub secret_sources: Vec<String>,
    /// `replacements` entries, inline or as the file a `path:` names.
    pub replacements: Vec<ReplacementEntry>,
    /// Files of `patches`, `patchesStrategicMerge` and `patchesJson6902`, as written: partial
    /// objects kustomize merges into others, not objects of their own.
    pub patches: Vec<String>,
    /// Every entry of `patches`, `patchesStrategicMerge` and `patchesJson6902`, in order.
    pub patch_refs: Vec<PatchRef>,
    /// Replacements or custom transformers (or a `namePrefix`/`nameSuffix` that
    /// `renames_unknown` makes unmodelled): the objects it builds may be changed or renamed in
    /// ways gwlint does not follow. Patches are followed where `patch_refs` can be.
    pub transforms: bool,
    /// `namePrefix` and `nameSuffix`: kustomize renames the objects it builds.
    pub name_prefix: Option<Sp<Text>>,
    pub name_suffix: Option<Sp<Text>>,
    /// The kustomization changes which references kustomize rewrites (`configurations:`), or
    /// runs transformers of its own (`transformers:`), or its prefix/suffix is a Flux variable:
    /// what the renamed objects are called, and who still finds them, cannot be told.
    pub renames_unknown: bool,
}

/// One entry of a kustomization's patch lists.
#[derive(Clone, Debug)]
pub struct PatchRef {
    /// The patch file, relative to the kustomization (None: an inline patch).
    pub path: Option<String>,
    /// `target:`; None: the patch's own kind and name.
    pub target: Option<Selector>,
    /// What it patches, or how, cannot be followed exactly: an inline patch (its text is a
    /// string, whose positions are not the file's), or a target chosen by labels,
    /// annotations or a name pattern.
    pub vague: bool,
    /// The entry, for findings.
    pub span: crate::source::Span,
}

impl PatchRef {
    fn read(entry: &Node, path: Option<&str>) -> PatchRef {
        let target = entry.get("target");
        let vague = path.is_none()
            || target.is_some_and(|t| {
                t.as_map().is_none()
                    || t.get("labelSelector").is_some()
                    || t.get("annotationSelector").is_some()
                    // kustomize reads the name and namespace as regular expressions matching
                    // whole names; a dot (any character) is taken as itself, which names that
                    // differ only there would tell apart.
                    || ["name", "namespace"].iter().any(|k| {
                        t.get(k).is_some_and(|n| {
                            n.as_str().is_none_or(|s| {
                                s.is_empty() || s.contains(|c: char| "\\*+?()[]{}|^$".contains(c))
                            })
                        })
                    })
            });
        PatchRef {
            path: path.map(str::to_string),
            target: target.map(Selector::read),
            vague,
            span: entry.span,
        }
    }
}

/// One entry of a kustomization's `replacements`.
#[derive(Clone, Debug)]
pub enum ReplacementEntry {
    Inline(Replacement),
    /// A file holding a list of replacements, relative to the kustomization.
    Path(String),
}

/// Which objects a replacement's source or target names (empty fields match anything).
#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

impl Selector {
    fn read(node: &Node) -> Self {
        let field = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
        Selector {
            group: field("group"),
            kind: field("kind"),
            name: field("name"),
            namespace: field("namespace"),
        }
    }

    pub fn matches(&self, group: &str, kind: &str, name: &str, namespace: &str) -> bool {
        let ok = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        ok(&self.group, group)
            && ok(&self.kind, kind)
            && ok(&self.name, name)
            && ok(&self.namespace, namespace)
    }
}

/// A kustomize replacement: copy the value at `source`'s field path into each target's fields.
#[derive(Clone, Debug, Default)]
pub struct Replacement {
    pub source: Selector,
    /// `metadata.name` when not written.
    pub source_field: String,
    pub targets: Vec<ReplacementTarget>,
}

#[derive(Clone, Debug, Default)]
pub struct ReplacementTarget {
    pub select: Selector,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    /// `options.create`: the field is written even where the target lacks it.
    pub create: bool,
}

impl Replacement {
    /// Reads one replacement; `None` when it has no source (a malformed entry kustomize rejects).
    pub fn read(node: &Node) -> Option<Replacement> {
        let source = node.get("source")?;
        let strings = |n: &Node, k: &str| -> Vec<String> {
            n.get(k)
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let targets = node
            .get("targets")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .map(|t| ReplacementTarget {
                select: t.get("select").map(Selector::read).unwrap_or_default(),
                reject: t
                    .get("reject")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .map(Selector::read)
                    .collect(),
                field_paths: strings(t, "fieldPaths"),
                create: matches!(
                    t.get("options")
                        .and_then(|o| o.get("create"))
                        .map(|c| &c.value),
                    Some(Value::Bool(true))
                ),
            })
            .collect();
        Some(Replacement {
            source: Selector::read(source),
            source_field: source
                .get("fieldPath")
                .and_then(Node::as_str)
                .unwrap_or("metadata.name")
                .to_string(),
            targets,
        })
    }
}

impl Kustomization {
    pub fn read(r: &mut Reader, root: &Node) -> Self {
        let mut resources: Vec<String> = r
            .str_list(root, "resources")
            .into_iter()
            .map(|s| s.v.into())
            .collect();
        resources.extend(
            r.str_list(root, "components")
                .into_iter()
                .map(|s| s.v.into()),
        );
        let mut secret_sources = Vec::new();
        for g in root
            .get("secretGenerator")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let lists = ["envs", "files"].map(|k| g.get(k).and_then(Node::as_seq).unwrap_or(&[]));
            for v in lists.iter().flat_map(|l| l.iter()).chain(g.get("env")) {
                if let Some(s) = v.as_str() {
                    let path = s.split_once('=').map_or(s, |(_, p)| p);
                    secret_sources.push(path.to_string());
                }
            }
        }
        let replacements = root
            .get("replacements")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| match e.get("path").and_then(Node::as_str) {
                Some(path) => Some(ReplacementEntry::Path(path.to_string())),
                None => Replacement::read(e).map(ReplacementEntry::Inline),
            })
            .collect();
        let mut patches: Vec<String> = Vec::new();
        let mut patch_refs: Vec<PatchRef> = Vec::new();
        for key in ["patches", "patchesJson6902"] {
            for p in root.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
                let path = p.get("path").and_then(Node::as_str);
                if let Some(path) = path {
                    patches.push(path.to_string());
                }
                patch_refs.push(PatchRef::read(p, path));
            }
        }
        for p in root
            .get("patchesStrategicMerge")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            // An entry is a file name or an inline patch; only a one-line entry can be a file.
            let path = p.as_str().filter(|s| !s.contains('\n'));
            if let Some(path) = path {
                patches.push(path.to_string());
            }
            patch_refs.push(PatchRef {
                path: path.map(str::to_string),
                target: None,
                vague: path.is_none(),
                span: p.span,
            });
        }
        // Read without type findings: a kustomization is kustomize's to validate. A value that
        // is not a string (`nameSuffix: -1` is an integer) makes the renaming unknown.
        let affix = |k: &str| {
            root.get(k)
                .and_then(|n| Some(Sp::new(Text::from(n.as_str()?), n.span)))
        };
        let name_prefix = affix("namePrefix");
        let name_suffix = affix("nameSuffix");
        let renames_unknown = ["configurations", "transformers"]
            .iter()
            .any(|k| root.get(k).is_some())
            || ["namePrefix", "nameSuffix"]
                .iter()
                .any(|k| root.get(k).is_some_and(|n| n.as_str().is_none()))
            || [&name_prefix, &name_suffix]
                .iter()
                .any(|s| s.as_ref().is_some_and(|s| s.v.contains("${")));
        let renames = root.get("namePrefix").is_some() || root.get("nameSuffix").is_some();
        let transforms = renames_unknown && renames
            || ["replacements", "transformers"]
                .iter()
                .any(|k| root.get(k).is_some());
        Kustomization {
            namespace: r.str(root, "namespace"),
            resources,
            secret_sources,
            replacements,
            patches,
            patch_refs,
            transforms,
            name_prefix,
            name_suffix,
            renames_unknown,
        }
    }
}

/// A Flux `Kustomization` (kustomize.toolkit.fluxcd.io).
#[derive(Clone, Debug)]
pub struct FluxKustomization {
    pub path: Option<Sp<Text>>,
    pub target_namespace: Option<Sp<Text>>,
    pub substitute: Vec<(String, String)>,
    /// `(kind, name)` of `postBuild.substituteFrom` entries.
    pub substitute_from: Vec<(String, String)>,
    /// What `postBuild` tells about the variables, for FLX701 (None: no `postBuild`).
    pub post_build: Option<PostBuild>,
    /// Some inline `spec.patches` mentions `postBuild` or `substitute`: the Flux
    /// Kustomizations this one deploys may get their variables, or lose them, from it.
    pub patches_post_build: bool,
    /// `spec.commonMetadata` or a `spec.patches` entry marks objects
    /// `kustomize.toolkit.fluxcd.io/substitute: disabled`: which of this Kustomization's
    /// objects Flux substitutes cannot be told.
    pub may_disable_substitution: bool,
    /// `spec.components`: kustomize components added to the build, relative to `path`.
    pub components: Vec<String>,
}

/// The variables a Flux Kustomization's `postBuild` defines, as far as the manifest shows.
#[derive(Clone, Debug)]
pub struct PostBuild {
    /// The `postBuild` mapping.
    pub span: Span,
    /// Keys of `substitute`, whatever their values' types.
    pub names: Vec<String>,
    /// `substituteFrom` entries: (kind, name, optional); None where the entry has no string
    /// kind or name.
    pub from: Vec<(Option<String>, Option<String>, bool)>,
    /// `substituteStrategy: Always`: substitution runs even when no variable is defined.
    pub always: bool,
}

/// The annotation or label that turns Flux's post-build substitution off for an object.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// Whether any string under `node` (keys and values) contains one of `words`.
fn mentions(node: &Node, words: &[&str]) -> bool {
    match &node.value {
        Value::Str(s) => words.iter().any(|w| s.contains(w)),
        Value::Seq(items) => items.iter().any(|n| mentions(n, words)),
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| mentions(k, words) || mentions(v, words)),
        _ => false,
    }
}

impl FluxKustomization {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let post = r.map(spec, "postBuild");
        FluxKustomization {
            path: r.str(spec, "path"),
            target_namespace: r.str(spec, "targetNamespace"),
            substitute: post
                .map(|p| {
                    r.string_map(p, "substitute")
                        .into_iter()
                        .map(|(k, v)| (k.v.into(), v.v.into()))
                        .collect()
                })
                .unwrap_or_default(),
            substitute_from: post
                .map(|p| {
                    r.maps(p, "substituteFrom")
                        .into_iter()
                        .filter_map(|e| {
                            let kind = e.get("kind").and_then(Node::as_str)?.to_string();
                            let name = e.get("name").and_then(Node::as_str)?.to_string();
                            Some((kind, name))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            post_build: post.map(PostBuild::read),
            patches_post_build: spec
                .get("patches")
                .is_some_and(|p| mentions(p, &["postBuild", "substitute"])),
            may_disable_substitution: ["commonMetadata", "patches"]
                .iter()
                .filter_map(|k| spec.get(k))
                .any(|n| mentions(n, &[SUBSTITUTE_KEY])),
            components: spec
                .get("components")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect(),
        }
    }
}

impl PostBuild {
    fn read(post: &Node) -> Self {
        let names = post
            .get("substitute")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, _)| k.as_str().map(str::to_string))
            .collect();
        let from = post
            .get("substituteFrom")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .map(|e| {
                let s = |k: &str| e.get(k).and_then(Node::as_str).map(str::to_string);
                let optional =
                    matches!(e.get("optional").map(|o| &o.value), Some(Value::Bool(true)));
                (s("kind"), s("name"), optional)
            })
            .collect();
        PostBuild {
            span: post.span,
            names,
            from,
            always: post.get("substituteStrategy").and_then(Node::as_str) == Some("Always"),
        }
    }
}

/// A ConfigMap's string data (Flux reads variables from it).
#[derive(Clone, Debug)]
pub struct ConfigMap {
    pub data: Vec<(String, String)>,
}

impl ConfigMap {
    pub fn read(root: &Node) -> Self {
        let data = root
            .get("data")
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        let value = match &v.value {
                            Value::Str(s) => s.to_string(),
                            Value::Int(i) => i.to_string(),
                            Value::Bool(b) => b.to_string(),
                            _ => return None,
                        };
                        Some((k.as_str()?.to_string(), value))
                    })
                    .collect()
            })
            .unwrap_or_default();
        ConfigMap { data }
    }
}

/// A CustomResourceDefinition: the kind it registers and its scope.
#[derive(Clone, Debug)]
pub struct Crd {
    pub group: String,
    pub kind: String,
    pub cluster_scoped: bool,
    pub served_versions: Vec<String>,
    /// The CRD's validation schemas, when it has any.
    pub schema: Option<std::sync::Arc<crate::schema::KindSchema>>,
}

impl Crd {
    pub fn read(spec: &Node, root: &Node) -> Option<Self> {
        let name = root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("");
        let v1 = root.get("apiVersion").and_then(Node::as_str) == Some("apiextensions.k8s.io/v1");
        Some(Crd {
            schema: crate::schema::KindSchema::from_crd_version(name, spec, v1)
                .map(std::sync::Arc::new),
            group: spec.get("group")?.as_str()?.to_string(),
            kind: spec.get("names")?.get("kind")?.as_str()?.to_string(),
            cluster_scoped: spec.get("scope").and_then(Node::as_str) == Some("Cluster"),
            served_versions: spec
                .get("versions")
                .and_then(Node::as_seq)
                .map(|vs| {
                    vs.iter()
                        .filter(|v| {
                            !matches!(v.get("served").map(|s| &s.value), Some(Value::Bool(false)))
                        })
                        .filter_map(|v| v.get("name").and_then(Node::as_str).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// Services that well-known charts render under fixed names, whatever the release is called.
const KNOWN_CHART_SERVICES: &[(&str, &[&str])] = &[
    (
        "cilium",
        &[
            "hubble-ui",
            "hubble-relay",
            "hubble-peer",
            "hubble-metrics",
            "cilium-envoy",
        ],
    ),
    (
        "flux-instance",
        &[
            "webhook-receiver",
            "notification-controller",
            "source-controller",
        ],
    ),
    (
        "flux2",
        &[
            "webhook-receiver",
            "notification-controller",
            "source-controller",
        ],
    ),
];

/// A Flux `HelmRelease`: what its chart names the objects it renders, which are not in the
/// repository.
#[derive(Clone, Debug, Default)]
pub struct HelmRelease {
    /// `spec.targetNamespace`: where the chart's objects go (the HelmRelease's own namespace
    /// when unset).
    pub target_namespace: Option<String>,
    /// The Helm release name: `spec.releaseName`, else `[targetNamespace-]name` as Flux makes it.
    pub release_name: String,
    /// `spec.chart.spec.chart` (a chart name, or a path whose last part is the name), or the
    /// name of the source `spec.chartRef` names.
    pub chart: Option<String>,
    /// `spec.chart.spec.version` as written (a version or a range).
    pub chart_version: Option<String>,
    /// `values.fullnameOverride` and `values.nameOverride`, which the common `fullname`
    /// helper uses.
    pub fullname_override: Option<String>,
    pub name_override: Option<String>,
    /// The `name` fields of `values`, sorted (at most `MAX_VALUE_NAMES`): charts that create
    /// issuers or stores from their values name them there (`issuers: [{name: …}]`).
    pub value_names: Vec<String>,
    /// external-dns `--annotation-filter`s set in the values (when the chart is external-dns).
    pub annotation_filters: Vec<String>,
    /// Where the chart comes from: `spec.chart.spec.sourceRef`, or `spec.chartRef` (then
    /// `chart` above is the source's name, not the chart's).
    pub source: Option<ChartSource>,
    pub chart_ref: bool,
    /// The routes and Services the values declare, when the chart may be app-template.
    pub app: Option<Box<super::apptemplate::AppValues>>,
    /// Set by the resolve stage when the release's Services are all modelled as objects
    /// (`crate::helm`): then no other Service is the chart's.
    pub rendered: bool,
}

/// A Flux source named by a HelmRelease.
#[derive(Clone, Debug, Default)]
pub struct ChartSource {
    pub kind: String,
    pub name: String,
    /// The namespace written, if any (else the HelmRelease's).
    pub namespace: Option<String>,
}

/// A Flux `OCIRepository` or `HelmRepository`: where charts come from, and (for an OCI
/// artifact) which version.
#[derive(Clone, Debug, Default)]
pub struct ChartRepository {
    pub url: Option<String>,
    /// `spec.ref.tag`, else `spec.ref.semver` (OCIRepository).
    pub version: Option<String>,
}

impl ChartRepository {
    pub fn read(
        spec: Option<&Node>,
        vars: Option<&std::collections::HashMap<String, String>>,
    ) -> Self {
        let s = |n: Option<&Node>| {
            n.and_then(Node::as_str).map(|v| match vars {
                Some(vars) if v.contains("${") => super::read::substitute(v, vars),
                _ => v.to_string(),
            })
        };
        let r = spec.and_then(|s| s.get("ref"));
        ChartRepository {
            url: s(spec.and_then(|s| s.get("url"))),
            version: s(r.and_then(|r| r.get("tag"))).or_else(|| s(r.and_then(|r| r.get("semver")))),
        }
    }
}

/// Names kept per HelmRelease: bounds the memory a huge values block can take.
const MAX_VALUE_NAMES: usize = 1000;

/// The string `name:` fields anywhere under `node`, up to the bound.
/// One walk over a release's values: the `name` fields (at most `MAX_VALUE_NAMES`), and
/// external-dns annotation filters (`--annotation-filter=…` in an argument list, or an
/// `annotationFilter` value).
fn scan_values(node: &Node, names: &mut Vec<String>, filters: &mut Vec<String>) {
    if names.len() >= MAX_VALUE_NAMES && filters.len() >= MAX_VALUE_NAMES {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                match (k.as_str(), v.as_str()) {
                    (Some("name"), Some(name)) if names.len() < MAX_VALUE_NAMES => {
                        names.push(name.to_string())
                    }
                    (Some("annotationFilter"), Some(f)) if filters.len() < MAX_VALUE_NAMES => {
                        filters.push(f.to_string())
                    }
                    _ => scan_values(v, names, filters),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| scan_values(i, names, filters)),
        Value::Str(s) => {
            if let Some(f) = s.strip_prefix("--annotation-filter=") {
                if filters.len() < MAX_VALUE_NAMES {
                    filters.push(f.to_string());
                }
            }
        }
        _ => {}
    }
}

impl HelmRelease {
    /// Whether the chart's values name an object `name` (which the chart may then create).
    pub fn values_name(&self, name: &str) -> bool {
        self.value_names
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    pub fn read(root: &Node, vars: Option<&std::collections::HashMap<String, String>>) -> Self {
        let spec = root.get("spec");
        let s = |n: Option<&Node>| {
            n.and_then(Node::as_str).map(|v| match vars {
                Some(vars) if v.contains("${") => super::read::substitute(v, vars),
                _ => v.to_string(),
            })
        };
        let name = root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("");
        let target_namespace = s(spec.and_then(|sp| sp.get("targetNamespace")));
        let release_name =
            s(spec.and_then(|sp| sp.get("releaseName"))).unwrap_or_else(
                || match &target_namespace {
                    Some(t) => format!("{t}-{name}"),
                    None => name.to_string(),
                },
            );
        // `chart.spec.chart`, or the source a `chartRef` names (an OCIRepository is usually
        // named after its chart).
        let chart = s(spec
            .and_then(|sp| sp.get("chart"))
            .and_then(|c| c.get("spec"))
            .and_then(|c| c.get("chart")))
        .or_else(|| {
            s(spec
                .and_then(|sp| sp.get("chartRef"))
                .and_then(|c| c.get("name")))
        })
        .map(|c| c.rsplit('/').next().unwrap_or(&c).to_string());
        let values = spec.and_then(|sp| sp.get("values"));
        let chart_version = s(spec
            .and_then(|sp| sp.get("chart"))
            .and_then(|c| c.get("spec"))
            .and_then(|c| c.get("version")));
        let (mut value_names, mut annotation_filters) = (Vec::new(), Vec::new());
        if let Some(v) = values {
            scan_values(v, &mut value_names, &mut annotation_filters);
        }
        value_names.sort_unstable();
        value_names.dedup();
        let source_of = |n: Option<&Node>| {
            n.map(|r| ChartSource {
                kind: s(r.get("kind")).unwrap_or_default(),
                name: s(r.get("name")).unwrap_or_default(),
                namespace: s(r.get("namespace")),
            })
        };
        let chart_ref = spec.and_then(|sp| sp.get("chartRef"));
        let source = source_of(chart_ref).or_else(|| {
            source_of(
                spec.and_then(|sp| sp.get("chart"))
                    .and_then(|c| c.get("spec"))
                    .and_then(|c| c.get("sourceRef")),
            )
        });
        HelmRelease {
            app: values
                .and_then(|v| super::apptemplate::AppValues::read(v, vars))
                .map(Box::new),
            source,
            chart_ref: chart_ref.is_some(),
            rendered: false,
            chart_version,
            target_namespace,
            release_name,
            chart,
            fullname_override: s(values.and_then(|v| v.get("fullnameOverride"))),
            name_override: s(values.and_then(|v| v.get("nameOverride"))),
            value_names,
            annotation_filters,
        }
    }

    /// The `fullname` most charts give their objects (the `<chart>.fullname` helper of
    /// `helm create`): the override, else the release name when it contains the chart's name,
    /// else `<release>-<chart>`.
    pub fn fullname(&self) -> String {
        if let Some(f) = &self.fullname_override {
            return f.clone();
        }
        match self.name_override.as_ref().or(self.chart.as_ref()) {
            Some(chart) if !self.release_name.contains(chart.as_str()) => {
                format!("{}-{chart}", self.release_name)
            }
            _ => self.release_name.clone(),
        }
    }

    /// Whether the chart may render a Service of this name: one that holds the release name,
    /// the fullname or the chart's name (`<fullname>-metrics`, app-template's
    /// `<release>-<identifier>`, victoria-metrics' `vmsingle-<fullname>`), or one a well-known
    /// chart documents under a fixed name (Cilium's `hubble-ui`).
    pub fn may_render(&self, name: &str) -> bool {
        let holds = |s: &str| !s.is_empty() && name.contains(s);
        holds(&self.fullname())
            || holds(&self.release_name)
            || self.chart.as_deref().is_some_and(holds)
            || self.chart.as_deref().is_some_and(|chart| {
                KNOWN_CHART_SERVICES
                    .iter()
                    .any(|(c, services)| *c == chart && services.contains(&name))
            })
    }
}
