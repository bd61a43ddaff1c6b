//! Gateway API: GatewayClass, Gateway, ListenerSet, ReferenceGrant.

use super::read::Reader;
use super::refs::{ObjRef, ParentRef};
use crate::load::tree::Node;
use crate::source::Text;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct GatewayClass {
    pub controller_name: Option<Sp<Text>>,
}

impl GatewayClass {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        GatewayClass {
            controller_name: r.str(spec, "controllerName"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Listener {
    pub name: Option<Sp<Text>>,
    pub hostname: Option<Sp<Text>>,
    pub port: Option<Sp<i64>>,
    pub protocol: Option<Sp<Text>>,
    pub tls: Option<ListenerTls>,
    pub allowed_routes: AllowedRoutes,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ListenerTls {
    /// `Terminate` when absent (CRD default).
    pub mode: Option<Sp<Text>>,
    pub certificate_refs: Vec<ObjRef>,
    /// `tls.options` has at least one entry.
    pub has_options: bool,
    pub certificate_refs_span: Option<Span>,
    pub span: Span,
}

impl ListenerTls {
    pub fn is_passthrough(&self) -> bool {
        self.mode.as_ref().is_some_and(|m| m.v == "Passthrough")
    }
}

#[derive(Clone, Debug, Default)]
pub struct AllowedRoutes {
    /// `Same` when absent (CRD default).
    pub from: Option<Sp<Text>>,
    pub selector: Option<Node>,
    pub kinds: Vec<ObjRef>,
    pub span: Option<Span>,
    /// Span of `allowedRoutes.namespaces`.
    pub namespaces_span: Option<Span>,
    /// Span of `allowedRoutes.kinds`.
    pub kinds_span: Option<Span>,
}

impl Listener {
    pub fn read(r: &mut Reader, node: &Node) -> Listener {
        let tls = r.map(node, "tls").map(|t| ListenerTls {
            mode: r.str(t, "mode"),
            certificate_refs: r
                .maps(t, "certificateRefs")
                .into_iter()
                .map(|c| ObjRef::read(r, c))
                .collect(),
            has_options: t
                .get("options")
                .and_then(Node::as_map)
                .is_some_and(|m| !m.is_empty()),
            certificate_refs_span: r.field(t, "certificateRefs").map(|c| c.span),
            span: t.span,
        });
        let allowed_routes = match r.map(node, "allowedRoutes") {
            None => AllowedRoutes::default(),
            Some(ar) => {
                let ns = r.map(ar, "namespaces");
                AllowedRoutes {
                    from: ns.and_then(|n| r.str(n, "from")),
                    selector: ns.and_then(|n| r.map(n, "selector")).cloned(),
                    kinds: r
                        .maps(ar, "kinds")
                        .into_iter()
                        .map(|k| ObjRef::read(r, k))
                        .collect(),
                    span: Some(ar.span),
                    namespaces_span: ns.map(|n| n.span),
                    kinds_span: r.field(ar, "kinds").map(|k| k.span),
                }
            }
        };
        Listener {
            name: r.str(node, "name"),
            hostname: r.str(node, "hostname"),
            port: r.int(node, "port"),
            protocol: r.str(node, "protocol"),
            tls,
            allowed_routes,
            span: node.span,
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_ref().map(|n| n.v.as_str()).unwrap_or("")
    }

    pub fn protocol(&self) -> &str {
        self.protocol.as_ref().map(|n| n.v.as_str()).unwrap_or("")
    }
}

/// `spec.allowedListeners.namespaces` (ListenerSet attachment; `None` when absent).
#[derive(Clone, Debug, Default)]
pub struct NamespaceSelection {
    pub from: Option<Sp<Text>>,
    pub selector: Option<Node>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, Default)]
pub struct Infrastructure {
    pub parameters_ref: Option<ObjRef>,
    pub annotations: Vec<(Sp<Text>, Sp<Text>)>,
    pub labels: Vec<(Sp<Text>, Sp<Text>)>,
    pub span: Option<Span>,
    /// Span of `infrastructure.annotations` when the key is set (even to an empty map, which
    /// still stops Istio copying metadata annotations).
    pub annotations_span: Option<Span>,
}

/// An entry of `spec.addresses`.
#[derive(Clone, Debug)]
pub struct GatewayAddress {
    /// `IPAddress` when absent (CRD default).
    pub kind: Option<Sp<Text>>,
    pub value: Option<Sp<Text>>,
}

impl GatewayAddress {
    pub fn is_ip(&self) -> bool {
        self.kind.as_ref().is_none_or(|t| t.v == "IPAddress")
    }
}

#[derive(Clone, Debug)]
pub struct Gateway {
    pub gateway_class_name: Option<Sp<Text>>,
    pub listeners: Vec<Listener>,
    pub allowed_listeners: NamespaceSelection,
    pub infrastructure: Infrastructure,
    pub listeners_span: Option<Span>,
    pub addresses: Vec<GatewayAddress>,
    pub addresses_span: Option<Span>,
}

impl Gateway {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let allowed_listeners = match r
            .map(spec, "allowedListeners")
            .and_then(|a| r.map(a, "namespaces"))
        {
            Some(ns) => NamespaceSelection {
                from: r.str(ns, "from"),
                selector: r.map(ns, "selector").cloned(),
                span: Some(ns.span),
            },
            None => NamespaceSelection::default(),
        };
        let infrastructure = match r.map(spec, "infrastructure") {
            Some(i) => Infrastructure {
                parameters_ref: r.map(i, "parametersRef").map(|p| ObjRef::read(r, p)),
                annotations: r.string_map(i, "annotations"),
                labels: r.string_map(i, "labels"),
                span: Some(i.span),
                annotations_span: r.field(i, "annotations").map(|a| a.span),
            },
            None => Infrastructure::default(),
        };
        Gateway {
            gateway_class_name: r.str(spec, "gatewayClassName"),
            listeners_span: r.field(spec, "listeners").map(|n| n.span),
            listeners: r
                .maps(spec, "listeners")
                .into_iter()
                .map(|l| Listener::read(r, l))
                .collect(),
            allowed_listeners,
            infrastructure,
            addresses: r
                .maps(spec, "addresses")
                .into_iter()
                .map(|a| GatewayAddress {
                    kind: r.str(a, "type"),
                    value: r.str(a, "value"),
                })
                .collect(),
            addresses_span: r.field(spec, "addresses").map(|a| a.span),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ListenerSet {
    pub parent_ref: Option<ParentRef>,
    pub listeners: Vec<Listener>,
}

impl ListenerSet {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        ListenerSet {
            parent_ref: r.map(spec, "parentRef").map(|p| ParentRef::read(r, p)),
            listeners: r
                .maps(spec, "listeners")
                .into_iter()
                .map(|l| Listener::read(r, l))
                .collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct BackendTlsPolicy {
    pub target_refs: Vec<ObjRef>,
    pub ca_certificate_refs: Vec<ObjRef>,
}

impl BackendTlsPolicy {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let ca_certificate_refs = match r.map(spec, "validation") {
            Some(v) => r
                .maps(v, "caCertificateRefs")
                .into_iter()
                .map(|c| ObjRef::read(r, c))
                .collect(),
            None => Vec::new(),
        };
        BackendTlsPolicy {
            target_refs: r
                .maps(spec, "targetRefs")
                .into_iter()
                .map(|t| ObjRef::read(r, t))
                .collect(),
            ca_certificate_refs,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ReferenceGrant {
    pub from: Vec<ObjRef>,
    pub to: Vec<ObjRef>,
}

impl ReferenceGrant {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        ReferenceGrant {
            from: r
                .maps(spec, "from")
                .into_iter()
                .map(|n| ObjRef::read(r, n))
                .collect(),
            to: r
                .maps(spec, "to")
                .into_iter()
                .map(|n| ObjRef::read(r, n))
                .collect(),
        }
    }
}
