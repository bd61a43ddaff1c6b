//! Istio networking (`networking.istio.io` v1, v1beta1 and v1alpha3 share one schema): Gateway,
//! VirtualService, DestinationRule, ServiceEntry; and the IstioOperator revision.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::{Sp, Span, Text};

/// `exportTo` entries as written (`*`, `.`, `~` or namespaces); empty: the mesh default, which
/// is every namespace.
pub type ExportTo = Vec<Sp<Text>>;

/// Whether an object of namespace `owner` with `export_to` is visible from namespace `from`.
pub fn exported_to(export_to: &[Sp<Text>], owner: &str, from: &str) -> bool {
    if export_to.is_empty() {
        return true;
    }
    export_to.iter().any(|e| match e.v.as_str() {
        "*" => true,
        "." => owner == from,
        "~" => false,
        ns => ns == from,
    })
}

/// The `networking.istio.io/exportTo` annotation of a Service: a comma-separated list.
pub fn service_export_to(meta: &super::Meta) -> ExportTo {
    meta.annotation("networking.istio.io/exportTo")
        .map(|a| {
            a.v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Sp::new(Text::from(s), a.span))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Debug)]
pub struct IstioGateway {
    /// `spec.selector`: labels of the gateway workload's pods.
    pub selector: Vec<(Sp<Text>, Sp<Text>)>,
    /// The `selector` key, or `spec` when there is none.
    pub selector_span: Option<Span>,
    pub servers: Vec<Server>,
}

#[derive(Clone, Debug)]
pub struct Server {
    /// `port.number`.
    pub port: Option<Sp<i64>>,
    pub protocol: Option<Sp<Text>>,
    /// `hosts`, each `host` or `namespace/host`.
    pub hosts: Vec<Sp<Text>>,
    pub tls: Option<ServerTls>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ServerTls {
    pub mode: Option<Sp<Text>>,
    /// `credentialName` and the entries of `credentialNames`.
    pub credential_names: Vec<Sp<Text>>,
    /// `serverCertificate`/`privateKey` file paths: the credential is mounted, not a Secret.
    pub files: bool,
}

impl IstioGateway {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut servers = Vec::new();
        for server in r.maps(spec, "servers") {
            let port_node = r.map(server, "port");
            let tls = r.map(server, "tls").map(|tls| {
                let mut credential_names: Vec<Sp<Text>> =
                    r.str(tls, "credentialName").into_iter().collect();
                credential_names.extend(r.str_list(tls, "credentialNames"));
                ServerTls {
                    mode: r.str(tls, "mode"),
                    credential_names,
                    files: tls.get("serverCertificate").is_some(),
                }
            });
            servers.push(Server {
                port: port_node.and_then(|p| r.int(p, "number")),
                protocol: port_node.and_then(|p| r.str(p, "protocol")),
                hosts: r.str_list(server, "hosts"),
                tls,
                span: server.span,
            });
        }
        IstioGateway {
            selector: r.string_map(spec, "selector"),
            selector_span: spec.entry("selector").map(|(k, _)| k.span),
            servers,
        }
    }

    /// Every credential name with its server.
    pub fn credentials(&self) -> impl Iterator<Item = (&Server, &Sp<Text>)> {
        self.servers.iter().flat_map(|s| {
            s.tls
                .iter()
                .flat_map(move |t| t.credential_names.iter().map(move |c| (s, c)))
        })
    }
}

/// Which route list a destination sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    Http,
    Tcp,
    Tls,
}

/// One `destination` of a VirtualService route (or an HTTP mirror).
#[derive(Clone, Debug)]
pub struct Destination {
    /// None: the route entry has no `destination` (or no `host`).
    pub host: Option<Sp<Text>>,
    pub subset: Option<Sp<Text>>,
    pub port: Option<Sp<i64>>,
    /// The route entry (or the mirror).
    pub span: Span,
    pub route: RouteKind,
    pub mirror: bool,
}

#[derive(Clone, Debug)]
pub struct VirtualService {
    pub gateways: Vec<Sp<Text>>,
    pub hosts: Vec<Sp<Text>>,
    pub export_to: ExportTo,
    pub destinations: Vec<Destination>,
}

impl VirtualService {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut destinations = Vec::new();
        for (list, kind) in [
            ("http", RouteKind::Http),
            ("tcp", RouteKind::Tcp),
            ("tls", RouteKind::Tls),
        ] {
            for rule in r.maps(spec, list) {
                for entry in r.maps(rule, "route") {
                    let d = r.map(entry, "destination");
                    destinations.push(read_destination(r, d, entry.span, kind, false));
                }
                if kind != RouteKind::Http {
                    continue;
                }
                if let Some(m) = r.map(rule, "mirror") {
                    destinations.push(read_destination(r, Some(m), m.span, kind, true));
                }
                for m in r.maps(rule, "mirrors") {
                    let d = r.map(m, "destination");
                    destinations.push(read_destination(r, d, m.span, kind, true));
                }
            }
        }
        VirtualService {
            gateways: r.str_list(spec, "gateways"),
            hosts: r.str_list(spec, "hosts"),
            export_to: r.str_list(spec, "exportTo"),
            destinations,
        }
    }

    /// The gateways the VirtualService applies to: none written means `mesh` only.
    pub fn binds_mesh(&self) -> bool {
        self.gateways.is_empty() || self.gateways.iter().any(|g| g.v == "mesh")
    }
}

fn read_destination(
    r: &mut Reader,
    d: Option<&Node>,
    span: Span,
    route: RouteKind,
    mirror: bool,
) -> Destination {
    let (host, subset, port) = match d {
        Some(d) => (
            r.str(d, "host"),
            r.str(d, "subset"),
            r.map(d, "port").and_then(|p| r.int(p, "number")),
        ),
        None => (None, None, None),
    };
    Destination {
        host,
        subset,
        port,
        span,
        route,
        mirror,
    }
}

/// Client TLS settings of a DestinationRule (`trafficPolicy.tls` or a port level's).
#[derive(Clone, Debug)]
pub struct ClientTls {
    pub mode: Option<Sp<Text>>,
    pub ca_certificates: bool,
    pub credential_name: Option<Sp<Text>>,
    pub insecure_skip_verify: bool,
    /// The port of a `portLevelSettings` entry.
    pub port: Option<i64>,
}

impl ClientTls {
    fn read(r: &mut Reader, policy: &Node, port: Option<i64>) -> Option<ClientTls> {
        let tls = r.map(policy, "tls")?;
        Some(ClientTls {
            mode: r.str(tls, "mode"),
            ca_certificates: r
                .str(tls, "caCertificates")
                .is_some_and(|c| !c.v.is_empty()),
            credential_name: r.str(tls, "credentialName").filter(|c| !c.v.is_empty()),
            insecure_skip_verify: r.bool(tls, "insecureSkipVerify").is_some_and(|b| b.v),
            port,
        })
    }

    /// `SIMPLE` or `MUTUAL`: the sidecar or gateway originates TLS and must verify the server.
    pub fn originates(&self) -> bool {
        self.mode
            .as_ref()
            .is_some_and(|m| matches!(m.v.as_str(), "SIMPLE" | "MUTUAL"))
    }
}

#[derive(Clone, Debug)]
pub struct DestinationRule {
    pub host: Option<Sp<Text>>,
    pub subsets: Vec<Sp<Text>>,
    pub export_to: ExportTo,
    pub workload_selector: bool,
    /// Destination-level TLS, then each port level's.
    pub tls: Vec<ClientTls>,
}

impl DestinationRule {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut tls = Vec::new();
        if let Some(policy) = r.map(spec, "trafficPolicy") {
            tls.extend(ClientTls::read(r, policy, None));
            for p in r.maps(policy, "portLevelSettings") {
                let port = r
                    .map(p, "port")
                    .and_then(|pn| r.int(pn, "number"))
                    .map(|n| n.v);
                tls.extend(ClientTls::read(r, p, port));
            }
        }
        let subsets = r
            .maps(spec, "subsets")
            .into_iter()
            .filter_map(|s| r.str(s, "name"))
            .collect();
        DestinationRule {
            host: r.str(spec, "host"),
            subsets,
            export_to: r.str_list(spec, "exportTo"),
            workload_selector: spec.get("workloadSelector").is_some(),
            tls,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServiceEntry {
    pub hosts: Vec<Sp<Text>>,
    pub export_to: ExportTo,
    /// The port numbers, for destination lookups.
    pub ports: Vec<i64>,
    /// The ports as written, with their protocols.
    pub port_specs: Vec<ServiceEntryPort>,
    /// `spec.addresses` is a non-empty list.
    pub addresses: bool,
    /// `status.addresses` is a non-empty list (addresses Istio allocated, in an exported object).
    pub status_addresses: bool,
}

/// One `spec.ports[]` entry of a ServiceEntry.
#[derive(Clone, Debug)]
pub struct ServiceEntryPort {
    pub number: Sp<i64>,
    /// `protocol` as written; `None` when unset.
    pub protocol: Option<Sp<Text>>,
}

impl ServiceEntry {
    pub fn read(r: &mut Reader, spec: &Node, root: &Node) -> Self {
        let port_specs: Vec<ServiceEntryPort> = r
            .maps(spec, "ports")
            .into_iter()
            .filter_map(|p| {
                Some(ServiceEntryPort {
                    number: r.int(p, "number")?,
                    protocol: r.str(p, "protocol"),
                })
            })
            .collect();
        let listed = |n: Option<&Node>| n.and_then(Node::as_seq).is_some_and(|s| !s.is_empty());
        ServiceEntry {
            hosts: r.str_list(spec, "hosts"),
            export_to: r.str_list(spec, "exportTo"),
            ports: port_specs.iter().map(|p| p.number.v).collect(),
            port_specs,
            addresses: listed(spec.get("addresses")),
            status_addresses: listed(root.get("status").and_then(|s| s.get("addresses"))),
        }
    }
}

/// `install.istio.io` IstioOperator: the control-plane revision it installs.
#[derive(Clone, Debug)]
pub struct IstioOperator {
    /// `spec.revision`; absent is the default revision.
    pub revision: Option<Sp<Text>>,
    /// `spec.tag`: the image tag of the release it installs (`1.26.2`, `1.26.2-distroless`).
    pub tag: Option<Sp<Text>>,
}

impl IstioOperator {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        IstioOperator {
            revision: r.str(spec, "revision"),
            tag: r.str(spec, "tag"),
        }
    }
}
