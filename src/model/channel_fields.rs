//! Gateway API fields that only the experimental-channel CRDs of some bundles define.
//!
//! The table was derived by comparing the `standard` and `experimental` CRD schemas of every
//! bundle from v1.0.0 to v1.6.1 (the newest patch of each minor). Only the outermost field that
//! differs is listed: a field inside one of these is covered by its parent. The tree is gone after
//! modelling, so the scan runs here and the objects carry what it found; API503 decides with the
//! configured bundle and channel.

use crate::load::tree::Node;
use crate::source::Span;

use super::GATEWAY_GROUP;

/// Bundles as bits: bit `n` is Gateway API v1.n.
pub const fn b(from: u8, to: u8) -> u8 {
    let mut m = 0u8;
    let mut i = from;
    while i <= to {
        m |= 1 << i;
        i += 1;
    }
    m
}

/// One experimental-only field.
#[derive(Debug)]
pub struct ExpField {
    /// As users write it: `spec.rules[].name`.
    pub path: &'static str,
    /// Bundles whose experimental CRDs have the field and whose standard CRDs do not.
    pub exp_only: u8,
    /// The first bundle whose standard CRDs have it (`None`: not standard as of v1.6).
    pub standard_from: Option<u8>,
}

impl ExpField {
    pub fn experimental_only_in(&self, bundle_minor: u8) -> bool {
        bundle_minor <= 7 && self.exp_only & (1 << bundle_minor) != 0
    }
}

const fn f(path: &'static str, exp_only: u8, standard_from: Option<u8>) -> ExpField {
    ExpField {
        path,
        exp_only,
        standard_from,
    }
}

// Gateway.
static INFRASTRUCTURE: ExpField = f("spec.infrastructure", b(0, 1), Some(2));
static FRONTEND_VALIDATION: ExpField = f("spec.listeners[].tls.frontendValidation", b(1, 3), None);
static BACKEND_TLS: ExpField = f("spec.backendTLS", b(2, 3), None);
static ALLOWED_LISTENERS: ExpField = f("spec.allowedListeners", b(3, 4), Some(5));
static GATEWAY_TLS: ExpField = f("spec.tls", b(4, 4), Some(5));
static DEFAULT_SCOPE: ExpField = f("spec.defaultScope", b(4, 6), None);
// Routes.
static USE_DEFAULT_GATEWAYS: ExpField = f("spec.useDefaultGateways", b(4, 6), None);
static PARENT_PORT: ExpField = f("spec.parentRefs[].port", b(0, 0), Some(1));
static TIMEOUTS: ExpField = f("spec.rules[].timeouts", b(0, 1), Some(2));
static SESSION_PERSISTENCE: ExpField = f("spec.rules[].sessionPersistence", b(1, 6), None);
static RULE_NAME: ExpField = f("spec.rules[].name", b(2, 4), Some(5));
static RETRY: ExpField = f("spec.rules[].retry", b(2, 6), None);
static MIRROR_FRACTION: ExpField = f("filters[].requestMirror.fraction", b(2, 2), Some(3));
static MIRROR_PERCENT: ExpField = f("filters[].requestMirror.percent", b(2, 2), Some(3));
static CORS: ExpField = f("filters[].cors", b(3, 4), Some(5));
static EXTERNAL_AUTH: ExpField = f("filters[].externalAuth", b(4, 6), None);

/// An experimental-only field found in an object, at its key.
#[derive(Clone, Copy, Debug)]
pub struct Use {
    pub field: &'static ExpField,
    pub span: Span,
}

/// The experimental-only fields of a Gateway API object's `spec`.
pub fn scan(group: &str, kind: &str, spec: Option<&Node>) -> Vec<Use> {
    let mut out = Vec::new();
    let Some(spec) = spec.filter(|_| group == GATEWAY_GROUP) else {
        return out;
    };
    match kind {
        "Gateway" => gateway(spec, &mut out),
        "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => {
            route(kind, spec, &mut out)
        }
        _ => {}
    }
    out
}

fn entries(n: &Node) -> &[(Node, Node)] {
    n.as_map().unwrap_or(&[])
}

fn items(n: &Node) -> &[Node] {
    n.as_seq().unwrap_or(&[])
}

fn push(out: &mut Vec<Use>, field: &'static ExpField, key: &Node) {
    out.push(Use {
        field,
        span: key.span,
    });
}

fn gateway(spec: &Node, out: &mut Vec<Use>) {
    for (k, v) in entries(spec) {
        let field = match k.as_str() {
            Some("infrastructure") => &INFRASTRUCTURE,
            Some("backendTLS") => &BACKEND_TLS,
            Some("allowedListeners") => &ALLOWED_LISTENERS,
            Some("tls") => &GATEWAY_TLS,
            Some("defaultScope") => &DEFAULT_SCOPE,
            Some("listeners") => {
                for l in items(v) {
                    if let Some((key, _)) = l.get("tls").and_then(|t| t.entry("frontendValidation"))
                    {
                        push(out, &FRONTEND_VALIDATION, key);
                    }
                }
                continue;
            }
            _ => continue,
        };
        push(out, field, k);
    }
}

fn route(kind: &str, spec: &Node, out: &mut Vec<Use>) {
    let http = kind == "HTTPRoute";
    let http_or_grpc = http || kind == "GRPCRoute";
    for (k, v) in entries(spec) {
        match k.as_str() {
            Some("useDefaultGateways") => push(out, &USE_DEFAULT_GATEWAYS, k),
            Some("parentRefs") if http => {
                for p in items(v) {
                    if let Some((key, _)) = p.entry("port") {
                        push(out, &PARENT_PORT, key);
                    }
                }
            }
            Some("rules") if http_or_grpc => {
                for rule in items(v) {
                    self::rule(http, rule, out);
                }
            }
            _ => {}
        }
    }
}

fn rule(http: bool, rule: &Node, out: &mut Vec<Use>) {
    for (k, v) in entries(rule) {
        match k.as_str() {
            Some("name") => push(out, &RULE_NAME, k),
            Some("sessionPersistence") => push(out, &SESSION_PERSISTENCE, k),
            Some("timeouts") if http => push(out, &TIMEOUTS, k),
            Some("retry") if http => push(out, &RETRY, k),
            Some("filters") => filters(http, v, out),
            Some("backendRefs") => {
                for b in items(v) {
                    if let Some(fs) = b.get("filters") {
                        filters(http, fs, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn filters(http: bool, list: &Node, out: &mut Vec<Use>) {
    for filter in items(list) {
        for (k, v) in entries(filter) {
            match k.as_str() {
                Some("cors") if http => push(out, &CORS, k),
                Some("externalAuth") if http => push(out, &EXTERNAL_AUTH, k),
                Some("requestMirror") => {
                    for (mk, _) in entries(v) {
                        match mk.as_str() {
                            Some("fraction") => push(out, &MIRROR_FRACTION, mk),
                            Some("percent") => push(out, &MIRROR_PERCENT, mk),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
