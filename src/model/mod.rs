//! Model stage: span trees to typed Kubernetes objects.

pub mod apptemplate;
pub mod certmanager;
pub mod channel_fields;
pub mod core;
pub mod dns;
pub mod eso;
pub mod gateway;
pub mod istio;
pub mod kustomize;
pub mod read;
pub mod refs;
pub mod route;
pub mod yaml11;

use crate::source::Text;
use std::fmt;

use crate::load::tree::{Node, Value};
use crate::load::{LoadIssue, RawDoc};
use crate::source::{FileId, Sp, Span};
use read::Reader;

pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
pub const GATEWAY_X_GROUP: &str = "gateway.networking.x-k8s.io";
pub const CERT_MANAGER_GROUP: &str = "cert-manager.io";
pub const ESO_GROUP: &str = "external-secrets.io";
pub const ISTIO_NETWORKING_GROUP: &str = "networking.istio.io";
pub const ASO_NETWORK_GROUP: &str = "network.azure.com";
pub const EXTERNAL_DNS_GROUP: &str = "externaldns.k8s.io";
pub const ISTIO_INSTALL_GROUP: &str = "install.istio.io";
pub const KUSTOMIZE_GROUP: &str = "kustomize.config.k8s.io";
pub const FLUX_KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const FLUX_HELM_GROUP: &str = "helm.toolkit.fluxcd.io";
pub const FLUX_SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";

/// `(group, kind, namespace, name)`; namespace is empty for cluster-scoped kinds, group is empty
/// for the core group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjKey {
    pub group: Text,
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
}

impl ObjKey {
    pub fn new(group: &str, kind: &str, namespace: &str, name: &str) -> Self {
        ObjKey {
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for ObjKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Kinds whose objects have no namespace.
pub fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("", "Namespace" | "Node" | "PersistentVolume")
            | (GATEWAY_GROUP, "GatewayClass")
            | (CERT_MANAGER_GROUP, "ClusterIssuer")
            | (
                ESO_GROUP,
                "ClusterSecretStore" | "ClusterExternalSecret" | "ClusterPushSecret"
            )
            | ("generators.external-secrets.io", "ClusterGenerator")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | (
                "rbac.authorization.k8s.io",
                "ClusterRole" | "ClusterRoleBinding"
            )
            | ("networking.k8s.io", "IngressClass")
            | ("storage.k8s.io", "StorageClass")
            | ("scheduling.k8s.io", "PriorityClass")
            | ("apiregistration.k8s.io", "APIService")
            | (
                "admissionregistration.k8s.io",
                "ValidatingWebhookConfiguration"
                    | "MutatingWebhookConfiguration"
                    | "ValidatingAdmissionPolicy"
                    | "ValidatingAdmissionPolicyBinding"
            )
            | ("trust.cert-manager.io", "Bundle")
    )
}

#[derive(Clone, Debug)]
pub struct Meta {
    pub name: Option<Sp<Text>>,
    pub namespace: Option<Sp<Text>>,
    pub labels: Vec<(Sp<Text>, Sp<Text>)>,
    pub annotations: Vec<(Sp<Text>, Sp<Text>)>,
    pub span: Span,
}

impl Meta {
    pub fn annotation(&self, key: &str) -> Option<&Sp<Text>> {
        self.annotations
            .iter()
            .find(|(k, _)| k.v == key)
            .map(|(_, v)| v)
    }

    pub fn label(&self, key: &str) -> Option<&Sp<Text>> {
        self.labels.iter().find(|(k, _)| k.v == key).map(|(_, v)| v)
    }
}

#[derive(Clone, Debug)]
/// Kinds whose model is much larger than the rest are boxed, so that every object does not pay
/// for the largest.
pub enum Spec {
    GatewayClass(gateway::GatewayClass),
    Gateway(Box<gateway::Gateway>),
    ListenerSet(Box<gateway::ListenerSet>),
    Route(route::Route),
    ReferenceGrant(gateway::ReferenceGrant),
    BackendTlsPolicy(gateway::BackendTlsPolicy),
    Service(core::Service),
    Secret(Box<core::Secret>),
    Certificate(Box<certmanager::Certificate>),
    Issuer(certmanager::Issuer),
    ExternalSecret(Box<eso::ExternalSecretSpec>),
    ClusterExternalSecret(Box<eso::ClusterExternalSecret>),
    PushSecret(eso::PushSecret),
    SecretStore(Box<eso::SecretStore>),
    DnsZone(Box<dns::DnsZone>),
    /// ASO record sets (`PrivateDnsZonesARecord`, `DnsZonesCNAMERecord`, …).
    DnsRecord(Box<dns::DnsRecord>),
    VnetLink(dns::VnetLink),
    DnsEndpoint(dns::DnsEndpoint),
    /// Deployments: the external-dns command lines they run.
    Workload(dns::Workload),
    IstioOperator(istio::IstioOperator),
    Kustomization(Box<kustomize::Kustomization>),
    FluxKustomization(Box<kustomize::FluxKustomization>),
    ConfigMap(kustomize::ConfigMap),
    Crd(kustomize::Crd),
    IstioGateway(istio::IstioGateway),
    VirtualService(Box<istio::VirtualService>),
    DestinationRule(Box<istio::DestinationRule>),
    ServiceEntry(istio::ServiceEntry),
    HelmRelease(Box<kustomize::HelmRelease>),
    /// Flux `OCIRepository` and `HelmRepository`.
    ChartRepository(Box<kustomize::ChartRepository>),
    /// Any other kind: kept for the index and generic queries.
    Other,
}

/// One Kubernetes object from the input.
#[derive(Clone, Debug)]
pub struct Object {
    pub key: ObjKey,
    pub api_version: Sp<Text>,
    pub kind_span: Span,
    pub meta: Meta,
    pub spec: Spec,
    /// The byte range of the YAML document the object came from; field paths for fingerprints
    /// are recomputed from it on demand, so the tree itself is not kept.
    pub doc: std::ops::Range<u32>,
    /// Span of `spec`, or of `kind` when there is none.
    pub spec_span: Span,
    pub file: FileId,
    /// True when `metadata.namespace` was absent and the namespace is a default.
    pub namespace_defaulted: bool,
    /// Gateway API fields only some bundles' experimental CRDs define (API503).
    pub channel_fields: Vec<channel_fields::Use>,
    /// Rendered by a Helm chart from a HelmRelease's values (`crate::helm`): the object has no
    /// document of its own; `doc` and the spans are the HelmRelease's, pointing into its values.
    pub from_chart: bool,
    /// A kustomization renamed or patched the object (`crate::kustomize::apply`): where, for
    /// findings on it, so the user sees which build and which name.
    pub built_by: Option<Box<BuiltBy>>,
}

/// How a kustomize build renamed an object (`namePrefix`/`nameSuffix`).
#[derive(Clone, Debug, PartialEq)]
pub struct Renamed {
    /// The field of a kustomization that gave the object the name it is deployed under, and
    /// what to say there.
    pub at: Span,
    pub label: String,
    /// What the build puts before and after every name it renames.
    pub prefix: Text,
    pub suffix: Text,
}

/// What a kustomize build changed in an object.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BuiltBy {
    pub renamed: Option<Renamed>,
    /// Patches were applied: some of its spans point into patch files.
    pub patched: bool,
}

impl Object {
    pub fn name_span(&self) -> Span {
        self.meta
            .name
            .as_ref()
            .map(|n| n.span)
            .unwrap_or(self.meta.span)
    }

    /// A HelmRelease whose chart's Services are all modelled as objects (`crate::helm`).
    pub fn spec_is_rendered_release(&self) -> bool {
        matches!(&self.spec, Spec::HelmRelease(h) if h.rendered)
    }

    pub fn is_route(&self) -> bool {
        matches!(self.spec, Spec::Route(_))
    }
}

/// What modelling one file produced.
#[derive(Debug, Default)]
pub struct Modelled {
    pub objects: Vec<Object>,
    pub issues: Vec<LoadIssue>,
    /// Findings of the embedded schemas, with the `(group, kind)` they were checked for: a CRD
    /// in the repository for that kind replaces them.
    pub schema_issues: Vec<((String, String), LoadIssue)>,
    pub redactions: Vec<std::ops::Range<usize>>,
}

/// Builds objects from a file's documents. Documents without `apiVersion` and `kind` are not
/// Kubernetes objects (values files, kustomizations) and are ignored quietly.
/// What modelling a file needs to know besides its documents.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildContext<'a> {
    pub default_namespace: &'a str,
    /// The file is named kustomization.yaml (or .yml, or Kustomization): its documents may be
    /// kustomizations without apiVersion/kind.
    pub kustomization_file: bool,
    pub vars: Option<&'a std::collections::HashMap<String, String>>,
    /// Embedded schemas to validate objects against (None: no schema validation).
    pub schemas: Option<&'a crate::schema::embedded::Catalog>,
    /// The file's text, for checks that need a scalar as written (YAML005); may be empty.
    pub text: &'a str,
}

pub fn is_kustomization_file(path: &std::path::Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(
            n,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
    })
}

pub fn build(file: FileId, docs: Vec<RawDoc>, ctx: BuildContext) -> Modelled {
    let mut out = Modelled::default();
    // One object per document as a rule; objects are held until the run ends, so no slack.
    out.objects.reserve_exact(docs.len());
    for doc in docs {
        let RawDoc {
            root,
            dropped,
            dropped_kinds,
            anchored,
            start,
            end,
        } = doc;
        let doc_range = start as u32..end as u32;
        secret_redactions(
            &root,
            &dropped,
            &dropped_kinds,
            &anchored,
            &mut out.redactions,
        );
        if !is_object(&root) {
            if ctx.kustomization_file && root.as_map().is_some() {
                kindless_kustomization(file, &root, doc_range, &mut out);
            }
            continue;
        }
        // kubectl applies a list kind item by item: `List`, and any `<Kind>List` with `items`.
        let is_list = root
            .get("kind")
            .and_then(Node::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && root.get("items").is_some_and(|i| i.as_seq().is_some());
        if is_list {
            let Some(Value::Seq(items)) = root.get("items").map(|i| &i.value) else {
                continue;
            };
            for item in items.iter().filter(|i| is_object(i)) {
                model_object(file, item, doc_range.clone(), ctx, &mut out);
            }
        } else {
            model_object(file, &root, doc_range, ctx, &mut out);
        }
    }
    out.objects.shrink_to_fit();
    out
}

/// kustomize accepts a kustomization.yaml without apiVersion and kind.
fn kindless_kustomization(
    file: FileId,
    root: &Node,
    doc: std::ops::Range<u32>,
    out: &mut Modelled,
) {
    if !["resources", "namespace", "components"]
        .iter()
        .any(|k| root.get(k).is_some())
    {
        return;
    }
    let mut r = Reader::new(root, "Kustomization");
    let spec = Spec::Kustomization(Box::new(kustomize::Kustomization::read(&mut r, root)));
    out.issues.append(&mut r.issues);
    out.objects.push(Object {
        key: ObjKey::new(KUSTOMIZE_GROUP, "Kustomization", "", "kustomization"),
        api_version: Sp::new(Text::default(), root.span),
        kind_span: root.span,
        meta: Meta {
            name: None,
            namespace: None,
            labels: vec![],
            annotations: vec![],
            span: root.span,
        },
        spec,
        doc,
        spec_span: root.span,
        file,
        namespace_defaulted: false,
        channel_fields: Vec::new(),
        from_chart: false,
        built_by: None,
    });
}

/// A kind whose objects may hold Secret values: decided by token and case-insensitively, so
/// that `Secret`, `SecretList`, a CRD's `MySecret` and an unusual spelling all count. Redacting
/// too much costs a snippet; redacting too little prints a password.
pub fn may_hold_secret(kind: &str) -> bool {
    kind.as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"secret"))
}

/// The byte ranges of one document that may hold Secret values, decided conservatively:
/// - a document (or any `items` entry of it) whose kind, or any duplicate `kind` key's value
///   (kubectl keeps the last one, the tree the first), may be a Secret: its `data` and
///   `stringData` values, the last-applied annotation, the values of its duplicate keys and
///   every anchored node of the document (an alias under `data` copies its anchor, which may
///   stand anywhere);
/// - a kustomization's `secretGenerator` literals.
fn secret_redactions(
    root: &Node,
    dropped: &[std::ops::Range<usize>],
    dropped_kinds: &[(usize, Text)],
    anchored: &[std::ops::Range<usize>],
    out: &mut Vec<std::ops::Range<usize>>,
) {
    let kind_of = |n: &Node| {
        n.get("kind")
            .and_then(Node::as_str)
            .is_some_and(may_hold_secret)
    };
    let dup_kind_in = |n: &Node| {
        let r = n.span.range();
        dropped_kinds
            .iter()
            .any(|(at, k)| r.contains(at) && may_hold_secret(k))
    };
    let mut secret = false;
    if kind_of(root) || dup_kind_in(root) {
        secret = true;
        out.extend(core::secret_value_ranges(root));
    }
    // Any document with `items` is applied item by item, whatever its kind says.
    for item in root.get("items").and_then(Node::as_seq).unwrap_or(&[]) {
        if kind_of(item) || dup_kind_in(item) {
            secret = true;
            out.extend(core::secret_value_ranges(item));
        }
    }
    if let Some(generators) = root.get("secretGenerator").and_then(Node::as_seq) {
        for g in generators {
            for literal in g.get("literals").and_then(Node::as_seq).unwrap_or(&[]) {
                out.push(literal.span.range());
            }
        }
    }
    if secret {
        let whole = root.span.range();
        out.extend(
            dropped
                .iter()
                .chain(anchored)
                .filter(|r| whole.start <= r.start && r.end <= whole.end)
                .cloned(),
        );
    }
}

fn is_object(n: &Node) -> bool {
    n.get("apiVersion").and_then(Node::as_str).is_some()
        && n.get("kind").and_then(Node::as_str).is_some()
}

fn model_object(
    file: FileId,
    node: &Node,
    doc: std::ops::Range<u32>,
    ctx: BuildContext,
    out: &mut Modelled,
) {
    let default_namespace = ctx.default_namespace;
    let (Some(av), Some(kind_node)) = (node.get("apiVersion"), node.get("kind")) else {
        return;
    };
    let api_version = Sp::new(Text::from(av.as_str().unwrap_or("")), av.span);
    let kind = Text::from(kind_node.as_str().unwrap_or(""));
    let kind_span = kind_node.span;
    let group = match api_version.v.rsplit_once('/') {
        Some((g, _)) => Text::from(g),
        None => Text::default(),
    };
    let mut r = Reader::new(node, &kind);
    r.vars = ctx.vars;
    let meta_node = r.map(node, "metadata");
    let meta = match meta_node {
        Some(m) => Meta {
            name: r.str(m, "name"),
            namespace: r.str(m, "namespace"),
            labels: r.string_map(m, "labels"),
            annotations: r.string_map(m, "annotations"),
            span: m.span,
        },
        None => Meta {
            name: None,
            namespace: None,
            labels: vec![],
            annotations: vec![],
            span: kind_span,
        },
    };
    let cluster = is_cluster_scoped(&group, &kind);
    let namespace_defaulted = !cluster && meta.namespace.is_none();
    let namespace = if cluster {
        Text::default()
    } else {
        meta.namespace
            .as_ref()
            .map(|n| n.v.clone())
            .unwrap_or_else(|| default_namespace.into())
    };
    let name = meta
        .name
        .as_ref()
        .map(|n| n.v.clone())
        .or_else(|| {
            meta_node
                .and_then(|m| m.get("generateName"))
                .and_then(Node::as_str)
                .map(Text::from)
        })
        .unwrap_or_default();
    // Only kinds gwlint models have a known `spec` shape; another kind's spec may be anything.
    let spec_node = if is_modelled(&group, &kind) {
        r.map(node, "spec")
    } else {
        node.get("spec").filter(|s| s.as_map().is_some())
    };
    let spec_span = spec_node.map(|n| n.span).unwrap_or(kind_span);
    let spec = read_spec(&mut r, &group, &kind, spec_node, node);
    let channel_fields = channel_fields::scan(&group, &kind, spec_node);
    let who = if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    };
    for mut issue in r.issues.drain(..) {
        // The reader only knows the kind; name the object too.
        issue.message = format!(
            "{kind} {who}: {}",
            issue
                .message
                .strip_prefix(kind.as_str())
                .unwrap_or(&issue.message)
                .trim_start()
        );
        out.issues.push(issue);
    }
    drop(r);
    if let Some(catalog) = ctx.schemas {
        validate_embedded(
            catalog,
            node,
            &group,
            &kind,
            &api_version.v,
            kind_span,
            &who,
            out,
        );
    }
    yaml11::check(&group, &kind, &who, node, ctx.text, &mut out.issues);
    out.objects.push(Object {
        key: ObjKey {
            group,
            kind,
            namespace,
            name,
        },
        api_version,
        kind_span,
        meta,
        spec,
        doc,
        spec_span,
        file,
        namespace_defaulted,
        channel_fields,
        from_chart: false,
        built_by: None,
    });
}

/// Checks an object against the embedded schema of its kind, while its tree is at hand.
#[allow(clippy::too_many_arguments)]
fn validate_embedded(
    catalog: &crate::schema::embedded::Catalog,
    node: &Node,
    group: &str,
    kind: &str,
    api_version: &str,
    kind_span: Span,
    who: &str,
    out: &mut Modelled,
) {
    let Some(schema) = catalog.get(group, kind) else {
        return;
    };
    let version = api_version.rsplit_once('/').map_or(api_version, |(_, v)| v);
    let Some(found) = crate::schema::validate_object(node, schema, version, kind_span) else {
        return;
    };
    for v in found {
        out.schema_issues.push((
            (group.to_string(), kind.to_string()),
            crate::schema::issue(v, kind, who),
        ));
    }
}

fn is_modelled(group: &str, kind: &str) -> bool {
    !matches!(read_kind(group, kind), ModelKind::Other)
}

enum ModelKind {
    Known,
    Other,
}

fn read_kind(group: &str, kind: &str) -> ModelKind {
    match (group, kind) {
        ("", "Service" | "Secret")
        | (
            GATEWAY_GROUP,
            "GatewayClass" | "Gateway" | "ListenerSet" | "ReferenceGrant" | "BackendTLSPolicy",
        )
        | (GATEWAY_GROUP, "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute")
        | (GATEWAY_X_GROUP, "XListenerSet")
        | (CERT_MANAGER_GROUP, "Certificate" | "Issuer" | "ClusterIssuer")
        | (ESO_GROUP, "ExternalSecret" | "ClusterExternalSecret" | "PushSecret")
        | (ESO_GROUP, "SecretStore" | "ClusterSecretStore")
        | (ASO_NETWORK_GROUP, "PrivateDnsZone" | "DnsZone" | "PrivateDnsZonesVirtualNetworkLink")
        | (EXTERNAL_DNS_GROUP, "DNSEndpoint")
        | ("apps", "Deployment")
        | (ISTIO_INSTALL_GROUP, "IstioOperator")
        | (
            ISTIO_NETWORKING_GROUP,
            "Gateway" | "VirtualService" | "DestinationRule" | "ServiceEntry",
        ) => ModelKind::Known,
        (ASO_NETWORK_GROUP, k) if dns::record_kind(k).is_some() => ModelKind::Known,
        _ => ModelKind::Other,
    }
}

fn read_spec(r: &mut Reader, group: &str, kind: &str, spec: Option<&Node>, root: &Node) -> Spec {
    static EMPTY: Node = Node {
        value: Value::Null,
        span: Span {
            file: 0,
            start: 0,
            end: 0,
        },
        style: crate::load::tree::Style::Plain,
    };
    let s = spec.unwrap_or(&EMPTY);
    match (group, kind) {
        ("", "Service") => Spec::Service(core::Service::read(r, s)),
        ("", "Secret") => Spec::Secret(Box::new(core::Secret::read(r, root))),
        (GATEWAY_GROUP, "GatewayClass") => Spec::GatewayClass(gateway::GatewayClass::read(r, s)),
        (GATEWAY_GROUP, "Gateway") => Spec::Gateway(Box::new(gateway::Gateway::read(r, s))),
        (GATEWAY_GROUP, "ListenerSet") | (GATEWAY_X_GROUP, "XListenerSet") => {
            Spec::ListenerSet(Box::new(gateway::ListenerSet::read(r, s)))
        }
        (GATEWAY_GROUP, "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute") => {
            Spec::Route(route::Route::read(r, s))
        }
        (GATEWAY_GROUP, "ReferenceGrant") => {
            Spec::ReferenceGrant(gateway::ReferenceGrant::read(r, s))
        }
        (GATEWAY_GROUP, "BackendTLSPolicy") => {
            Spec::BackendTlsPolicy(gateway::BackendTlsPolicy::read(r, s))
        }
        (CERT_MANAGER_GROUP, "Certificate") => {
            Spec::Certificate(Box::new(certmanager::Certificate::read(r, s)))
        }
        (CERT_MANAGER_GROUP, "Issuer" | "ClusterIssuer") => {
            Spec::Issuer(certmanager::Issuer::read(r, s))
        }
        (ESO_GROUP, "ExternalSecret") => {
            Spec::ExternalSecret(Box::new(eso::ExternalSecretSpec::read(r, s)))
        }
        (ESO_GROUP, "ClusterExternalSecret") => {
            Spec::ClusterExternalSecret(Box::new(eso::ClusterExternalSecret::read(r, s)))
        }
        (ESO_GROUP, "PushSecret") => Spec::PushSecret(eso::PushSecret::read(r, s)),
        (ESO_GROUP, "SecretStore" | "ClusterSecretStore") => {
            Spec::SecretStore(Box::new(eso::SecretStore::read(r, s)))
        }
        (ASO_NETWORK_GROUP, "PrivateDnsZone") => {
            Spec::DnsZone(Box::new(dns::DnsZone::read(r, s, true)))
        }
        (ASO_NETWORK_GROUP, "DnsZone") => Spec::DnsZone(Box::new(dns::DnsZone::read(r, s, false))),
        (ASO_NETWORK_GROUP, "PrivateDnsZonesVirtualNetworkLink") => {
            Spec::VnetLink(dns::VnetLink::read(r, s))
        }
        (ASO_NETWORK_GROUP, k) if dns::record_kind(k).is_some() => match dns::record_kind(k) {
            Some((private, t)) => Spec::DnsRecord(Box::new(dns::DnsRecord::read(r, s, private, t))),
            None => Spec::Other,
        },
        (EXTERNAL_DNS_GROUP, "DNSEndpoint") => Spec::DnsEndpoint(dns::DnsEndpoint::read(r, s)),
        ("apps", "Deployment") => Spec::Workload(dns::Workload::read(s)),
        (ISTIO_INSTALL_GROUP, "IstioOperator") => {
            Spec::IstioOperator(istio::IstioOperator::read(r, s))
        }
        // A kustomize Component lists resources like a Kustomization; it takes the namespace of
        // the kustomization that includes it.
        (KUSTOMIZE_GROUP, "Kustomization" | "Component") => {
            Spec::Kustomization(Box::new(kustomize::Kustomization::read(r, root)))
        }
        (FLUX_KUSTOMIZE_GROUP, "Kustomization") => {
            Spec::FluxKustomization(Box::new(kustomize::FluxKustomization::read(r, s)))
        }
        ("", "ConfigMap") => Spec::ConfigMap(kustomize::ConfigMap::read(root)),
        (FLUX_HELM_GROUP, "HelmRelease") => {
            Spec::HelmRelease(Box::new(kustomize::HelmRelease::read(root, r.vars)))
        }
        (FLUX_SOURCE_GROUP, "OCIRepository" | "HelmRepository") => {
            Spec::ChartRepository(Box::new(kustomize::ChartRepository::read(spec, r.vars)))
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => kustomize::Crd::read(s, root)
            .map(Spec::Crd)
            .unwrap_or(Spec::Other),
        (ISTIO_NETWORKING_GROUP, "Gateway") => Spec::IstioGateway(istio::IstioGateway::read(r, s)),
        (ISTIO_NETWORKING_GROUP, "VirtualService") => {
            Spec::VirtualService(Box::new(istio::VirtualService::read(r, s)))
        }
        (ISTIO_NETWORKING_GROUP, "DestinationRule") => {
            Spec::DestinationRule(Box::new(istio::DestinationRule::read(r, s)))
        }
        (ISTIO_NETWORKING_GROUP, "ServiceEntry") => {
            Spec::ServiceEntry(istio::ServiceEntry::read(r, s, root))
        }
        _ => Spec::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind `read_kind` calls modelled must be read into its typed spec, not `Other`.
    #[test]
    fn modelled_kinds_have_typed_specs() {
        let kinds = [
            ("v1", "Service"),
            ("v1", "Secret"),
            ("gateway.networking.k8s.io/v1", "GatewayClass"),
            ("gateway.networking.k8s.io/v1", "Gateway"),
            ("gateway.networking.k8s.io/v1", "ListenerSet"),
            ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
            ("gateway.networking.k8s.io/v1", "BackendTLSPolicy"),
            ("gateway.networking.k8s.io/v1", "HTTPRoute"),
            ("gateway.networking.k8s.io/v1", "GRPCRoute"),
            ("gateway.networking.k8s.io/v1", "TLSRoute"),
            ("gateway.networking.k8s.io/v1alpha2", "TCPRoute"),
            ("gateway.networking.k8s.io/v1alpha2", "UDPRoute"),
            ("gateway.networking.x-k8s.io/v1alpha1", "XListenerSet"),
            ("cert-manager.io/v1", "Certificate"),
            ("cert-manager.io/v1", "Issuer"),
            ("cert-manager.io/v1", "ClusterIssuer"),
            ("external-secrets.io/v1", "ExternalSecret"),
            ("external-secrets.io/v1", "ClusterExternalSecret"),
            ("external-secrets.io/v1alpha1", "PushSecret"),
            ("external-secrets.io/v1", "SecretStore"),
            ("external-secrets.io/v1", "ClusterSecretStore"),
            ("network.azure.com/v1api20240601", "PrivateDnsZone"),
            ("network.azure.com/v1api20180501", "DnsZone"),
            ("network.azure.com/v1api20240601", "PrivateDnsZonesARecord"),
            (
                "network.azure.com/v1api20240601",
                "PrivateDnsZonesCNAMERecord",
            ),
            ("network.azure.com/v1api20180501", "DnsZonesARecord"),
            (
                "network.azure.com/v1api20240601",
                "PrivateDnsZonesVirtualNetworkLink",
            ),
            ("externaldns.k8s.io/v1alpha1", "DNSEndpoint"),
            ("apps/v1", "Deployment"),
            ("install.istio.io/v1alpha1", "IstioOperator"),
            ("networking.istio.io/v1", "Gateway"),
            ("networking.istio.io/v1", "VirtualService"),
            ("networking.istio.io/v1beta1", "DestinationRule"),
            ("networking.istio.io/v1alpha3", "ServiceEntry"),
        ];
        for (av, kind) in kinds {
            let text = format!(
                "apiVersion: {av}\nkind: {kind}\nmetadata: {{name: x, namespace: y}}\nspec: {{}}\n"
            );
            let lines = crate::source::LineIndex::new(&text);
            let parsed = crate::load::parse::parse(&text, &lines, 0, Default::default());
            let m = build(
                0,
                parsed.docs,
                BuildContext {
                    default_namespace: "default",
                    ..Default::default()
                },
            );
            let group = av.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            assert!(is_modelled(group, kind), "{kind} not modelled");
            assert!(
                !matches!(m.objects[0].spec, Spec::Other),
                "{av} {kind} read as Other"
            );
        }
    }
}
