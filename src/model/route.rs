//! Gateway API routes: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute.

use super::read::Reader;
use super::refs::{BackendRef, ParentRef};
use crate::load::tree::Node;
use crate::source::Text;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct Route {
    pub parent_refs: Vec<ParentRef>,
    /// Span of `spec.parentRefs` when present.
    pub parent_refs_span: Option<Span>,
    /// `spec.parentRefs` is present but not a list (an API505 finding).
    pub parent_refs_malformed: bool,
    pub hostnames: Vec<Sp<Text>>,
    pub rules: Vec<RouteRule>,
    /// Experimental `spec.useDefaultGateways`: the route attaches without parentRefs.
    pub use_default_gateways: bool,
}

#[derive(Clone, Debug)]
pub struct RouteRule {
    pub backend_refs: Vec<BackendRef>,
    /// `requestMirror.backendRef` of the rule's filters and of its backendRefs' filters.
    pub mirrors: Vec<BackendRef>,
    /// `type` of each entry of the rule's own `filters`.
    pub filter_types: Vec<String>,
    /// `backendRefs: []` is written: no backend on purpose (a deny rule), not one left out.
    pub no_backends_written: bool,
    pub span: Span,
}

impl RouteRule {
    pub fn all_backends(&self) -> impl Iterator<Item = &BackendRef> {
        self.backend_refs.iter().chain(self.mirrors.iter())
    }
}

fn read_mirrors(r: &mut Reader, holder: &Node, out: &mut Vec<BackendRef>) {
    for filter in r.maps(holder, "filters") {
        if let Some(mirror) = r.map(filter, "requestMirror") {
            if let Some(b) = r.map(mirror, "backendRef") {
                out.push(BackendRef::read(r, b, true));
            }
        }
    }
}

impl Route {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let parent_refs_span = r.field(spec, "parentRefs").map(|n| n.span);
        let parent_refs_malformed = r
            .field(spec, "parentRefs")
            .is_some_and(|n| n.as_seq().is_none());
        let parent_refs = r
            .maps(spec, "parentRefs")
            .into_iter()
            .map(|p| ParentRef::read(r, p))
            .collect();
        let hostnames = r.str_list(spec, "hostnames");
        // Lists are sized exactly: the model lives until the run ends, and a vector grown by
        // pushes keeps room for four.
        let rule_nodes = r.maps(spec, "rules");
        let mut rules = Vec::with_capacity(rule_nodes.len());
        for rule in rule_nodes {
            let mut mirrors = Vec::new();
            read_mirrors(r, rule, &mut mirrors);
            mirrors.shrink_to_fit();
            let backend_nodes = r.maps(rule, "backendRefs");
            let mut backend_refs = Vec::with_capacity(backend_nodes.len());
            for b in backend_nodes {
                backend_refs.push(BackendRef::read(r, b, false));
                read_mirrors(r, b, &mut mirrors);
            }
            let mut filter_types: Vec<String> = rule
                .get("filters")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|f| f.get("type").and_then(Node::as_str).map(str::to_string))
                .collect();
            filter_types.shrink_to_fit();
            rules.push(RouteRule {
                no_backends_written: rule
                    .get("backendRefs")
                    .and_then(Node::as_seq)
                    .is_some_and(<[Node]>::is_empty),
                backend_refs,
                mirrors,
                filter_types,
                span: rule.span,
            });
        }
        Route {
            parent_refs,
            parent_refs_span,
            parent_refs_malformed,
            hostnames,
            rules,
            use_default_gateways: spec.get("useDefaultGateways").is_some(),
        }
    }
}
