//! Graph stage: an index of every object and one typed edge per reference field, each resolved
//! once against the input set, producers and declared externals.

pub mod acme;
pub mod attach;
pub mod dns;
pub mod grants;
pub mod hostname;
pub mod istio;
pub mod nav;
pub mod producers;
mod refs;
pub mod selector;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::config::{BUILTIN_GATEWAY_CLASSES, Config};
use crate::model::{
    CERT_MANAGER_GROUP, ESO_GROUP, GATEWAY_GROUP, GATEWAY_X_GROUP, ObjKey, Object, Spec,
};
use crate::source::Span;
pub use producers::{Producer, ProducerKind};

/// Index of an object in the run's object list.
pub type ObjId = usize;

/// The objects of one key or name: nearly always one, which needs no allocation.
type Ids = smallvec::SmallVec<[ObjId; 1]>;

/// Which field a reference comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// Route `spec.parentRefs[]`.
    ParentRef,
    /// ListenerSet `spec.parentRef`.
    ListenerSetParent,
    /// Route `rules[].backendRefs[]` and `requestMirror.backendRef`.
    BackendRef,
    /// Gateway `spec.gatewayClassName`.
    GatewayClass,
    /// Listener `tls.certificateRefs[]`.
    CertificateRef,
    /// Certificate `spec.issuerRef`.
    IssuerRef,
    /// Gateway annotation `cert-manager.io/issuer` or `cert-manager.io/cluster-issuer`.
    ShimIssuer,
    /// ExternalSecret/ClusterExternalSecret/PushSecret store references.
    SecretStoreRef,
    /// Istio VirtualService `spec.gateways[]`.
    IstioGateway,
    /// BackendTLSPolicy `spec.targetRefs[]`.
    PolicyTarget,
    /// BackendTLSPolicy `spec.validation.caCertificateRefs[]`.
    PolicyCaCertificate,
    /// Istio Gateway `servers[].tls.credentialName`: a Secret in the gateway workload's
    /// namespace (one reference per namespace the selected workloads run in).
    IstioCredential,
    /// A DestinationRule's client `credentialName` → Secret in the namespace of its proxies.
    IstioClientCredential,
    /// Istio VirtualService route `destination.host`: a Service or ServiceEntry.
    IstioDestination,
    /// Istio DestinationRule `spec.host`: a Service or ServiceEntry.
    IstioHost,
    /// Istio Gateway `spec.selector`: the gateway workloads it selects (for the picture).
    IstioSelector,
}

impl RefKind {
    pub fn label(self) -> &'static str {
        match self {
            RefKind::ParentRef => "parentRef",
            RefKind::ListenerSetParent => "parentRef",
            RefKind::BackendRef => "backendRef",
            RefKind::GatewayClass => "gatewayClassName",
            RefKind::CertificateRef => "certificateRef",
            RefKind::IssuerRef => "issuerRef",
            RefKind::ShimIssuer => "issuer annotation",
            RefKind::SecretStoreRef => "secretStoreRef",
            RefKind::IstioGateway => "gateways",
            RefKind::PolicyTarget => "targetRef",
            RefKind::PolicyCaCertificate => "caCertificateRef",
            RefKind::IstioCredential => "credentialName",
            RefKind::IstioClientCredential => "credentialName",
            RefKind::IstioDestination => "destination",
            RefKind::IstioHost => "host",
            RefKind::IstioSelector => "selector",
        }
    }
}

/// Where in the referrer a reference sits, so a rule can reach the typed field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// `spec.parentRefs[i]`.
    ParentRef(usize),
    /// ListenerSet `spec.parentRef`.
    ListenerSetParent,
    /// `spec.rules[rule]`: backendRefs (then mirrors) numbered in `RouteRule::all_backends` order.
    Backend { rule: usize, index: usize },
    /// `spec.listeners[listener].tls.certificateRefs[index]`.
    CertificateRef { listener: usize, index: usize },
    /// Any other single field.
    Field,
    /// Entry `index` of a list field.
    Entry(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The target is in the input set.
    Object(ObjId),
    /// Declared to exist outside the repository (config or a built-in name).
    External,
    /// A Secret that is not in the input but that producers will write.
    Produced,
    /// Nothing in the input, no producer, not declared: a dangling reference.
    Missing,
    /// The target's kind is outside what gwlint can see (an implementation-specific kind that
    /// does not occur in the input): never reported as dangling.
    Unchecked,
}

#[derive(Clone, Debug)]
pub struct Reference {
    pub kind: RefKind,
    pub from: ObjId,
    /// The target with every default applied.
    pub target: ObjKey,
    /// The field a finding about this reference points at (normally the name).
    pub span: Span,
    pub resolution: Resolution,
    pub loc: Loc,
    /// True when the namespace was not written and came from the referrer.
    pub namespace_defaulted: bool,
}

/// A node of the reference graph.
#[derive(Clone, Debug)]
pub enum GNode {
    Object(ObjId),
    /// A target that is not an object of the input (external, produced or missing).
    Virtual(ObjKey),
}

#[derive(Clone, Copy, Debug)]
pub enum GEdge {
    Ref(usize),
    Produces,
}

pub struct Graph<'m> {
    pub objects: &'m [Object],
    index: HashMap<&'m ObjKey, Ids>,
    /// kind → groups present in the input.
    kinds: HashMap<&'m str, Vec<&'m str>>,
    /// name → (group, kind, objects in any namespace): a "did you mean" hint for a dangling
    /// reference reads the objects of its own kind, not every object that shares the name.
    by_name: HashMap<&'m str, Vec<(&'m str, &'m str, Ids)>>,
    externals: HashSet<ObjKey>,
    /// Kinds a CustomResourceDefinition in the input declares cluster-scoped.
    cluster_crds: HashSet<(String, String)>,
    /// Flux HelmReleases by the namespace their charts render into: their Services are not in
    /// the repository.
    helm_releases: HashMap<String, Vec<&'m crate::model::kustomize::HelmRelease>>,
    pub refs: Vec<Reference>,
    pub producers: producers::Producers,
    /// The references as a petgraph, for `gwlint graph`; lint runs never need it.
    drawn: std::sync::OnceLock<DiGraph<GNode, GEdge>>,
    pub grants: grants::Grants,
    /// ListenerSets whose parentRef resolves to a Gateway, with their admission.
    pub listener_sets: HashMap<ObjId, attach::ListenerSetParent>,
    /// One entry per route parentRef, in reference order.
    pub attachments: Vec<attach::Attachment>,
    /// Zones, records and Gateway load balancers.
    pub dns: dns::Dns<'m>,
    /// Files no Flux Kustomization deploys in a repository that deploys with Flux, sorted:
    /// applied once by hand (bootstrap), not on every reconcile.
    pub by_hand: Vec<crate::source::FileId>,
    /// The cluster of each file, when the repository deploys several clusters with Flux and
    /// the file goes to one of them (`kustomize::clusters`).
    pub clusters: std::collections::HashMap<crate::source::FileId, u32>,
    /// Files applied on their own, by unit: unlinted test data, each example of a test or
    /// example directory (`purpose::deploy_units`). They meet only files of their own unit.
    pub units: std::collections::HashMap<crate::source::FileId, u32>,
    /// The files of each kustomize build (`kustomize::Layout::builds`).
    pub builds: Vec<crate::kustomize::Build>,
    /// What Flux's post-build substitution reaches (`kustomize::FluxReach`).
    pub flux: crate::kustomize::FluxReach,
    /// Istio gateway workloads, destination hosts and DestinationRule hosts.
    pub istio: istio::Istio,
}

fn split_ns_name(s: &str) -> (&str, &str) {
    s.split_once('/').unwrap_or(("", s))
}

fn externals(cfg: &Config) -> HashSet<ObjKey> {
    let e = &cfg.externals;
    let mut out = HashSet::new();
    let mut add = |group: &str, kind: &str, items: &[String], namespaced: bool| {
        for item in items {
            let (ns, name) = if namespaced {
                split_ns_name(item)
            } else {
                ("", item.as_str())
            };
            let ns = if namespaced && ns.is_empty() {
                cfg.default_namespace.as_str()
            } else {
                ns
            };
            out.insert(ObjKey::new(group, kind, ns, name));
        }
    };
    add(GATEWAY_GROUP, "GatewayClass", &e.gateway_classes, false);
    add(GATEWAY_GROUP, "Gateway", &e.gateways, true);
    add("", "Service", &e.services, true);
    add("", "Secret", &e.secrets, true);
    add(CERT_MANAGER_GROUP, "Issuer", &e.issuers, true);
    add(
        CERT_MANAGER_GROUP,
        "ClusterIssuer",
        &e.cluster_issuers,
        false,
    );
    add(ESO_GROUP, "SecretStore", &e.secret_stores, true);
    add(
        ESO_GROUP,
        "ClusterSecretStore",
        &e.cluster_secret_stores,
        false,
    );
    add("", "Namespace", &e.namespaces, false);
    add("", "ServiceAccount", &e.service_accounts, true);
    add("", "ConfigMap", &e.config_maps, true);
    // What the common operators' charts install: references to them resolve without a manifest.
    for (ns, name) in KNOWN_SERVICE_ACCOUNTS {
        out.insert(ObjKey::new("", "ServiceAccount", ns, name));
    }
    let others = crate::config::IMPLEMENTATION_GATEWAY_CLASSES
        .iter()
        .map(|(c, _)| c);
    for class in BUILTIN_GATEWAY_CLASSES.iter().chain(others) {
        out.insert(ObjKey::new(GATEWAY_GROUP, "GatewayClass", "", class));
    }
    out
}

/// ServiceAccounts the External Secrets and cert-manager charts install under their default
/// release names (a store's workload identity often runs as the operator's own account).
const KNOWN_SERVICE_ACCOUNTS: &[(&str, &str)] = &[
    ("external-secrets", "external-secrets"),
    ("cert-manager", "cert-manager"),
];

/// Where the objects are deployed, as the layout says: set before the graph is built, since the
/// Istio gateway workloads a Gateway selects are those deployed with it.
#[derive(Default)]
pub struct Placement {
    pub by_hand: Vec<crate::source::FileId>,
    pub clusters: std::collections::HashMap<crate::source::FileId, u32>,
    pub units: std::collections::HashMap<crate::source::FileId, u32>,
    pub builds: Vec<crate::kustomize::Build>,
    pub flux: crate::kustomize::FluxReach,
}

impl<'m> Graph<'m> {
    /// The graph of objects deployed together (no units, clusters or builds known).
    pub fn build(objects: &'m [Object], cfg: &Config) -> Graph<'m> {
        Graph::build_placed(objects, cfg, Placement::default())
    }

    pub fn build_placed(objects: &'m [Object], cfg: &Config, placed: Placement) -> Graph<'m> {
        // Keys borrow from the objects: building the index allocates no strings. The indexes
        // are independent of each other and built side by side.
        let by_key = || {
            let mut index: HashMap<&ObjKey, Ids> = HashMap::with_capacity(objects.len());
            let mut kinds: HashMap<&str, Vec<&str>> = HashMap::new();
            for (id, o) in objects.iter().enumerate() {
                index.entry(&o.key).or_default().push(id);
                let groups = kinds.entry(o.key.kind.as_str()).or_default();
                if !groups.contains(&o.key.group.as_str()) {
                    groups.push(o.key.group.as_str());
                }
            }
            (index, kinds)
        };
        let by_name = || {
            let mut by_name: HashMap<&str, Vec<(&str, &str, Ids)>> =
                HashMap::with_capacity(objects.len());
            for (id, o) in objects.iter().enumerate() {
                let k = &o.key;
                let kinds = by_name.entry(k.name.as_str()).or_default();
                match kinds
                    .iter_mut()
                    .find(|(g, kd, _)| *g == k.group && *kd == k.kind)
                {
                    Some((_, _, ids)) => ids.push(id),
                    None => kinds.push((k.group.as_str(), k.kind.as_str(), Ids::from_elem(id, 1))),
                }
            }
            by_name
        };
        let others = || {
            let cluster_crds: HashSet<(String, String)> = objects
                .iter()
                .filter_map(|o| match &o.spec {
                    Spec::Crd(c) if c.cluster_scoped => Some((c.group.clone(), c.kind.clone())),
                    _ => None,
                })
                .collect();
            let mut helm_releases: HashMap<String, Vec<&crate::model::kustomize::HelmRelease>> =
                HashMap::default();
            for o in objects {
                // A release whose Services are all modelled (`crate::helm`) creates no other.
                if let (Spec::HelmRelease(h), false) = (&o.spec, o.spec_is_rendered_release()) {
                    let ns = h.target_namespace.as_deref().unwrap_or(&o.key.namespace);
                    helm_releases.entry(ns.to_string()).or_default().push(h);
                }
            }
            (cluster_crds, helm_releases, grants::Grants::index(objects))
        };
        let ((index, kinds), (by_name, (cluster_crds, helm_releases, grants))) =
            rayon::join(by_key, || rayon::join(by_name, others));
        let mut g = Graph {
            helm_releases,
            cluster_crds,
            objects,
            index,
            kinds,
            by_name,
            externals: externals(cfg),
            refs: Vec::new(),
            producers: producers::Producers::default(),
            drawn: std::sync::OnceLock::new(),
            grants,
            listener_sets: HashMap::new(),
            attachments: Vec::new(),
            dns: dns::Dns::default(),
            by_hand: placed.by_hand,
            clusters: placed.clusters,
            units: placed.units,
            builds: placed.builds,
            flux: placed.flux,
            istio: istio::Istio::default(),
        };
        g.producers = producers::collect(&g);
        g.istio = istio::Istio::build(&g, cfg);
        let (refs, mut dns) = rayon::join(|| g.collect_refs(), || dns::Dns::base(&g, cfg));
        g.refs = refs;
        g.listener_sets = attach::listener_sets(&g);
        g.attachments = attach::compute(&g);
        dns.collect_served(&g);
        g.dns = dns;
        g
    }

    /// The first object with this key.
    /// The Flux HelmReleases whose charts render into `namespace`.
    pub fn helm_releases_in(&self, namespace: &str) -> &[&'m crate::model::kustomize::HelmRelease] {
        self.helm_releases.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// Whether a ConfigMap exists in the cluster: in the repository, declared external, or
    /// distributed by a trust-manager `Bundle` of that name (it writes its target ConfigMap
    /// into the namespaces it selects; which ones is not checked here).
    pub fn config_map_exists(&self, namespace: &str, name: &str) -> bool {
        let key = ObjKey::new("", "ConfigMap", namespace, name);
        self.get(&key).is_some()
            || self.is_external(&key)
            || !self
                .same_name("trust.cert-manager.io", "Bundle", name)
                .is_empty()
    }

    /// Whether two objects are never deployed together: they go to different clusters, or one
    /// is applied on its own (an example, test data; see `units`) and the other is not of its
    /// unit. Rules about clashes pair only objects that are not apart.
    pub fn apart(&self, a: ObjId, b: ObjId) -> bool {
        self.files_apart(self.obj(a).file, self.obj(b).file)
    }

    /// `apart`, for the objects of two files.
    pub fn files_apart(&self, fa: crate::source::FileId, fb: crate::source::FileId) -> bool {
        if fa == fb {
            return false;
        }
        let (ua, ub) = (self.units.get(&fa), self.units.get(&fb));
        if ua.is_some() || ub.is_some() {
            return ua != ub;
        }
        matches!(
            (self.clusters.get(&fa), self.clusters.get(&fb)),
            (Some(x), Some(y)) if x != y
        )
    }

    /// Splits objects that could meet in one cluster into groups: one group per cluster the
    /// items are deployed to, each also holding the items of no known cluster (a shared base,
    /// or a repository of one cluster: then all items are one group). Two writers of one
    /// Secret in different clusters never meet. Items applied on their own (`units`) form a
    /// group per unit, after the others.
    pub fn cluster_groups<T: Clone>(
        &self,
        items: Vec<T>,
        obj: impl Fn(&T) -> ObjId,
    ) -> Vec<Vec<T>> {
        if self.units.is_empty() {
            return self.split_by_cluster(items, &obj);
        }
        let unit = |t: &T| self.units.get(&self.obj(obj(t)).file).copied();
        let (mut alone, rest): (Vec<T>, Vec<T>) =
            items.into_iter().partition(|t| unit(t).is_some());
        let mut groups = if rest.is_empty() {
            Vec::new()
        } else {
            self.split_by_cluster(rest, &obj)
        };
        // Stable: items keep their order within a unit.
        alone.sort_by_key(|t| unit(t));
        for chunk in alone.chunk_by(|a, b| unit(a) == unit(b)) {
            groups.push(chunk.to_vec());
        }
        groups
    }

    fn split_by_cluster<T: Clone>(&self, items: Vec<T>, obj: &impl Fn(&T) -> ObjId) -> Vec<Vec<T>> {
        if self.clusters.is_empty() {
            return vec![items];
        }
        let of = |t: &T| self.clusters.get(&self.obj(obj(t)).file).copied();
        let mut known: Vec<u32> = items.iter().filter_map(of).collect();
        known.sort_unstable();
        known.dedup();
        if known.len() < 2 {
            return vec![items];
        }
        known
            .iter()
            .map(|c| {
                items
                    .iter()
                    .filter(|t| of(t).is_none_or(|k| k == *c))
                    .cloned()
                    .collect()
            })
            .collect()
    }

    pub fn get(&self, key: &ObjKey) -> Option<ObjId> {
        self.index.get(key).and_then(|v| v.first().copied())
    }

    /// For each object, whether another object has its key (a key defined more than once,
    /// read from the index without hashing a key).
    pub fn key_repeated(&self) -> Vec<bool> {
        let mut out = vec![false; self.objects.len()];
        for ids in self.index.values().filter(|ids| ids.len() > 1) {
            for &id in ids {
                if let Some(slot) = out.get_mut(id) {
                    *slot = true;
                }
            }
        }
        out
    }

    /// Every object with this key: a repository may define one several times (overlays,
    /// environments), and a rule must not call a field missing while one definition has it.
    pub fn all(&self, key: &ObjKey) -> &[ObjId] {
        self.index.get(key).map(|ids| ids.as_slice()).unwrap_or(&[])
    }

    pub fn obj(&self, id: ObjId) -> &'m Object {
        &self.objects[id]
    }

    /// Whether any object of this group/kind is in the input.
    pub fn has_kind(&self, group: &str, kind: &str) -> bool {
        self.kinds
            .get(kind)
            .is_some_and(|groups| groups.contains(&group))
    }

    /// Whether an object exists outside the repository, as declared in `externals` or installed
    /// by a known chart.
    pub fn is_external(&self, key: &ObjKey) -> bool {
        self.externals.contains(key)
    }

    /// Objects of a group/kind with this name in any namespace (for "did you mean" hints).
    pub fn same_name(&self, group: &str, kind: &str, name: &str) -> &[ObjId] {
        self.by_name
            .get(name)
            .and_then(|kinds| kinds.iter().find(|(g, k, _)| *g == group && *k == kind))
            .map_or(&[][..], |(_, _, ids)| ids.as_slice())
    }

    /// Namespace manifest labels, when the Namespace is in the input.
    pub fn namespace_labels(&self, ns: &str) -> Option<Vec<(&'m str, &'m str)>> {
        let id = self.get(&ObjKey::new("", "Namespace", "", ns))?;
        Some(
            self.objects[id]
                .meta
                .labels
                .iter()
                .map(|(k, v)| (k.v.as_str(), v.v.as_str()))
                .collect(),
        )
    }

    /// Whether a cross-namespace reference is allowed by a ReferenceGrant (R2.5).
    pub fn permission(&self, r: &Reference) -> grants::Permission {
        let from = &self.objects[r.from].key;
        self.grants.permits(
            self.objects,
            &grants::Reference {
                from_group: &from.group,
                from_kind: &from.kind,
                from_namespace: &from.namespace,
                to_group: &r.target.group,
                to_kind: &r.target.kind,
                to_namespace: &r.target.namespace,
                to_name: &r.target.name,
            },
        )
    }

    /// References that need a ReferenceGrant when they cross namespaces (R2.5.3).
    pub fn grant_governed(&self) -> impl Iterator<Item = &Reference> {
        self.refs
            .iter()
            .filter(|r| matches!(r.kind, RefKind::BackendRef | RefKind::CertificateRef))
            .filter(move |r| self.objects[r.from].key.namespace != r.target.namespace)
    }

    /// Every reference field of every object, resolved; objects are independent, so they are
    /// read in parallel, and kept in object order.
    fn collect_refs(&self) -> Vec<Reference> {
        use rayon::prelude::*;
        let g = self;
        let per_object: Vec<Vec<Reference>> = g
            .objects
            .par_iter()
            .enumerate()
            .map(|(id, o)| {
                let mut c = refs::Collector { g, out: Vec::new() };
                c.object(id, o);
                c.out
            })
            .collect();
        let mut refs = Vec::with_capacity(per_object.iter().map(Vec::len).sum());
        for r in per_object {
            refs.extend(r);
        }
        refs
    }

    fn resolve(&self, key: &ObjKey, checkable: bool) -> Resolution {
        // A Flux variable nobody defined: the real name is not known before deploy.
        if crate::model::read::unresolved(&key.name)
            || crate::model::read::unresolved(&key.namespace)
        {
            return Resolution::Unchecked;
        }
        if let Some(id) = self.get(key) {
            return Resolution::Object(id);
        }
        if self.externals.contains(key) {
            return Resolution::External;
        }
        if key.group.is_empty()
            && key.kind == "Secret"
            && self.producers.produces(self, &key.namespace, &key.name)
        {
            return Resolution::Produced;
        }
        if key.group.is_empty()
            && key.kind == "ConfigMap"
            && self.config_map_exists(&key.namespace, &key.name)
        {
            return Resolution::Produced;
        }
        // A chart that creates cert-manager issuers from its values names them there
        // (`issuers: [{name: letsencrypt-production, kind: ClusterIssuer}]`): such an issuer
        // is the chart's, not missing.
        if key.group == CERT_MANAGER_GROUP
            && matches!(key.kind.as_str(), "Issuer" | "ClusterIssuer")
            && self.helm_releases.iter().any(|(ns, rs)| {
                (key.kind == "ClusterIssuer" || *ns == key.namespace.as_str())
                    && rs.iter().any(|r| r.values_name(&key.name))
            })
        {
            return Resolution::Unchecked;
        }
        // A Helm chart deployed by a Flux HelmRelease renders its Services at deploy time: a
        // missing Service named as a release's chart names them may well be the chart's.
        if key.group.is_empty()
            && key.kind == "Service"
            && self
                .helm_releases
                .get(key.namespace.as_str())
                .is_some_and(|rs| rs.iter().any(|r| r.may_render(&key.name)))
        {
            return Resolution::Unchecked;
        }
        if checkable || self.has_kind(&key.group, &key.kind) {
            Resolution::Missing
        } else {
            Resolution::Unchecked
        }
    }

    /// Objects as nodes, references and producers as edges; built on first use.
    pub fn graph(&self) -> &DiGraph<GNode, GEdge> {
        self.drawn.get_or_init(|| self.build_petgraph())
    }

    fn build_petgraph(&self) -> DiGraph<GNode, GEdge> {
        let mut graph: DiGraph<GNode, GEdge> =
            DiGraph::with_capacity(self.objects.len(), self.refs.len());
        for id in 0..self.objects.len() {
            graph.add_node(GNode::Object(id));
        }
        let mut virtual_nodes: HashMap<ObjKey, NodeIndex> = HashMap::new();
        let mut target_node =
            |graph: &mut DiGraph<GNode, GEdge>, res: &Resolution, key: &ObjKey| match res {
                Resolution::Object(t) => NodeIndex::new(*t),
                _ => *virtual_nodes
                    .entry(key.clone())
                    .or_insert_with(|| graph.add_node(GNode::Virtual(key.clone()))),
            };
        for (i, r) in self.refs.iter().enumerate() {
            let to = target_node(&mut graph, &r.resolution, &r.target);
            graph.add_edge(NodeIndex::new(r.from), to, GEdge::Ref(i));
        }
        for ((ns, name), list) in self.producers.iter_sorted() {
            let key = ObjKey::new("", "Secret", ns, name);
            let res = match self.get(&key) {
                Some(id) => Resolution::Object(id),
                None => Resolution::Produced,
            };
            let to = target_node(&mut graph, &res, &key);
            for p in list {
                if p.kind != ProducerKind::Manifest {
                    graph.add_edge(NodeIndex::new(p.obj), to, GEdge::Produces);
                }
            }
        }
        graph
    }
}

fn parent_kind_checkable(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        (GATEWAY_GROUP, "Gateway" | "ListenerSet")
            | (GATEWAY_X_GROUP, "XListenerSet")
            | ("", "Service")
    )
}

/// `ns/name`, `name` (VirtualService namespace) or the legacy `name.ns.svc.cluster.local`.
fn istio_gateway_name<'a>(value: &'a str, vs_ns: &'a str) -> (&'a str, &'a str) {
    if let Some((ns, name)) = value.split_once('/') {
        let ns = if ns == "." { vs_ns } else { ns };
        return (ns, name);
    }
    if let Some(short) = value.strip_suffix(".svc.cluster.local") {
        if let Some((name, ns)) = short.split_once('.') {
            return (ns, name);
        }
    }
    (vs_ns, value)
}
