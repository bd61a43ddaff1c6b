//! Gateway API: GatewayClass, Gateway, ListenerSet, ReferenceGrant.

use super::read::Reader;
use super::refs::{ObjRef, ParentRef};
use crate::load::tree::Node;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct GatewayClass {
    pub controller_name: Option<Sp<String>>,
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
    pub name: Option<Sp<String>>,
    pub hostname: Option<Sp<String>>,
    pub port: Option<Sp<i64>>,
    pub protocol: Option<Sp<String>>,
    pub tls: Option<ListenerTls>,
    pub allowed_routes: AllowedRoutes,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ListenerTls {
    /// `Terminate` when absent (CRD default).
    pub mode: Option<Sp<String>>,
    pub certificate_refs: Vec<ObjRef>,
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
    pub from: Option<Sp<String>>,
    pub selector: Option<Node>,
    pub kinds: Vec<ObjRef>,
    pub span: Option<Span>,
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

#[derive(Clone, Debug)]
pub struct Gateway {
    pub gateway_class_name: Option<Sp<String>>,
    pub listeners: Vec<Listener>,
}

impl Gateway {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        Gateway {
            gateway_class_name: r.str(spec, "gatewayClassName"),
            listeners: r
                .maps(spec, "listeners")
                .into_iter()
                .map(|l| Listener::read(r, l))
                .collect(),
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
