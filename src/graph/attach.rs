//! Listener admission and route attachment (domain R2.2, R2.3, R2.4, R2.8), computed once for
//! every parentRef. TLS, DNS and certificate rules read the accepted listeners and intersected
//! hostnames from here; they never recompute them.

use foldhash::{HashMap, HashMapExt};

use super::hostname;
use super::selector::{self, Match};
use super::{Graph, Loc, ObjId, RefKind, Resolution};
use crate::load::tree::Node;
use crate::model::gateway::Listener;
use crate::model::{GATEWAY_GROUP, ObjKey, Object, Spec};

/// Outcome of a namespace test where labels may be unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    Yes,
    No,
    /// Depends on labels of a Namespace that is not in the input: never reported.
    Unknown,
}

impl Admit {
    pub fn possible(self) -> bool {
        self != Admit::No
    }
}

/// A listener of a Gateway or ListenerSet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerId {
    pub owner: ObjId,
    pub index: usize,
}

#[derive(Clone, Debug)]
pub struct Verdict {
    pub listener: ListenerId,
    pub namespace: Admit,
    pub kind: bool,
    /// The intersected hostnames (empty: no intersection).
    pub hostnames: Vec<String>,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        self.namespace.possible() && self.kind && !self.hostnames.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The parent is not a Gateway or ListenerSet of the input (dangling, external, a Service).
    NotEvaluated,
    /// sectionName/port leave no candidate listener (GW102/GW103).
    NoCandidates,
    /// The parent is a ListenerSet its Gateway does not accept (GW118).
    ParentNotAccepted,
    /// `NotAllowedByListeners`: a listener matches the hostnames but not the namespace.
    NotAllowedByListeners,
    /// `NotAllowedByListeners` because of the route kind.
    KindNotAllowed,
    /// `NoMatchingListenerHostname`: no candidate listener matches a route hostname.
    NoMatchingListenerHostname,
    Accepted,
}

/// The status reason a controller reports, as Istio ranks it: accepted by any listener wins;
/// otherwise a listener whose hostnames matched explains the rejection (namespace, then kind);
/// otherwise no hostname matched.
fn status_reason(verdicts: &[Verdict]) -> Outcome {
    if verdicts.is_empty() {
        Outcome::NoCandidates
    } else if verdicts.iter().any(Verdict::accepted) {
        Outcome::Accepted
    } else if verdicts
        .iter()
        .any(|v| !v.hostnames.is_empty() && !v.namespace.possible())
    {
        Outcome::NotAllowedByListeners
    } else if verdicts.iter().any(|v| !v.hostnames.is_empty()) {
        Outcome::KindNotAllowed
    } else {
        Outcome::NoMatchingListenerHostname
    }
}

#[derive(Clone, Debug)]
pub struct Attachment {
    pub route: ObjId,
    /// Index into the route's `spec.parentRefs`.
    pub parent_ref: usize,
    pub parent: Option<ObjId>,
    pub verdicts: Vec<Verdict>,
    pub outcome: Outcome,
}

impl Attachment {
    pub fn accepted(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| v.accepted())
    }

    fn evaluated(&self) -> bool {
        !self.verdicts.is_empty() && self.outcome != Outcome::Accepted
    }

    /// GW104: no candidate listener admits the route's namespace.
    pub fn namespace_rejected(&self) -> bool {
        self.evaluated() && !self.verdicts.iter().any(|v| v.namespace.possible())
    }

    /// GW105: some candidate admits the namespace, none of those admits the kind.
    pub fn kind_rejected(&self) -> bool {
        self.evaluated()
            && self.verdicts.iter().any(|v| v.namespace.possible())
            && !self
                .verdicts
                .iter()
                .any(|v| v.namespace.possible() && v.kind)
    }

    /// GW106: no candidate matches a route hostname, or every candidate that admits the
    /// namespace and kind has an empty hostname intersection.
    pub fn hostname_rejected(&self) -> bool {
        if !self.evaluated() {
            return false;
        }
        let none_match = self.verdicts.iter().all(|v| v.hostnames.is_empty());
        let admitted: Vec<&Verdict> = self
            .verdicts
            .iter()
            .filter(|v| v.namespace.possible() && v.kind)
            .collect();
        none_match || (!admitted.is_empty() && admitted.iter().all(|v| v.hostnames.is_empty()))
    }
}

/// How a ListenerSet stands with its parent Gateway.
#[derive(Clone, Copy, Debug)]
pub struct ListenerSetParent {
    pub gateway: ObjId,
    pub admitted: Admit,
}

/// Evaluates `namespaces.from` (+ `selector`) for a candidate namespace.
pub fn namespace_admits(
    g: &Graph,
    from: &str,
    selector: Option<&Node>,
    owner_ns: &str,
    ns: &str,
) -> Admit {
    match from {
        "Same" => {
            if owner_ns == ns {
                Admit::Yes
            } else {
                Admit::No
            }
        }
        "All" => Admit::Yes,
        "None" => Admit::No,
        "Selector" => {
            // Istio admits every namespace when the selector is missing (GW119 warns).
            let Some(sel) = selector else {
                return Admit::Yes;
            };
            let mut labels: Vec<(&str, &str)> = g.namespace_labels(ns).unwrap_or_default();
            let complete = g.namespace_labels(ns).is_some();
            labels.push(("kubernetes.io/metadata.name", ns));
            match selector::matches(sel, &labels, complete) {
                Match::Yes => Admit::Yes,
                Match::No => Admit::No,
                Match::Unknown => Admit::Unknown,
            }
        }
        _ => Admit::Unknown,
    }
}

/// R2.3.1 for one listener of `owner` (a Gateway or ListenerSet) and a route namespace.
pub fn listener_admits_namespace(g: &Graph, owner: &Object, l: &Listener, route_ns: &str) -> Admit {
    let from = l
        .allowed_routes
        .from
        .as_ref()
        .map(|f| f.v.as_str())
        .unwrap_or("Same");
    namespace_admits(
        g,
        from,
        l.allowed_routes.selector.as_ref(),
        &owner.key.namespace,
        route_ns,
    )
}

/// Whether a Gateway is served by Istio (class `istio*`/`approuting-istio`, or a GatewayClass
/// in the input whose controller is Istio's).
pub fn is_istio(g: &Graph, gateway: &Object) -> bool {
    let Spec::Gateway(gw) = &gateway.spec else {
        return false;
    };
    let Some(class) = &gw.gateway_class_name else {
        return false;
    };
    if class.v == "istio" || class.v.starts_with("istio-") || class.v == "approuting-istio" {
        return true;
    }
    g.get(&ObjKey::new(GATEWAY_GROUP, "GatewayClass", "", &class.v))
        .is_some_and(|id| match &g.obj(id).spec {
            Spec::GatewayClass(c) => c
                .controller_name
                .as_ref()
                .is_some_and(|n| n.v.starts_with("istio.io/")),
            _ => false,
        })
}

/// Route kinds a listener admits (R2.3.3/4); `None` for a protocol gwlint does not know.
pub fn effective_kinds(listener: &Listener, istio: bool) -> Option<Vec<String>> {
    let protocol = listener.protocol();
    let terminate = listener.tls.as_ref().is_none_or(|t| !t.is_passthrough());
    let supported: Vec<&str> = match protocol {
        "HTTP" | "HTTPS" => vec!["HTTPRoute", "GRPCRoute"],
        // Terminated TLS carries TCP as well: Istio and Envoy Gateway admit TCPRoute there, and
        // what another implementation does is not known offline, so it is not reported.
        "TLS" if terminate => vec!["TLSRoute", "TCPRoute"],
        "TLS" => vec!["TLSRoute"],
        "TCP" => vec!["TCPRoute"],
        "UDP" if istio => vec![],
        "UDP" => vec!["UDPRoute"],
        _ => return None,
    };
    let kinds = &listener.allowed_routes.kinds;
    if kinds.is_empty() {
        return Some(supported.into_iter().map(str::to_string).collect());
    }
    Some(
        kinds
            .iter()
            .filter(|k| k.group_or(GATEWAY_GROUP) == GATEWAY_GROUP)
            .filter_map(|k| k.kind.as_ref().map(|k| k.v.to_string()))
            .filter(|k| supported.contains(&k.as_str()))
            .collect(),
    )
}

pub fn listeners_of(o: &Object) -> &[Listener] {
    match &o.spec {
        Spec::Gateway(g) => &g.listeners,
        Spec::ListenerSet(l) => &l.listeners,
        _ => &[],
    }
}

/// Each ListenerSet whose parentRef resolves to a Gateway, and whether that Gateway's
/// `allowedListeners` admits it (R2.8.1).
pub fn listener_sets(g: &Graph) -> HashMap<ObjId, ListenerSetParent> {
    let mut out = HashMap::new();
    for r in &g.refs {
        let (RefKind::ListenerSetParent, Resolution::Object(gw)) = (r.kind, &r.resolution) else {
            continue;
        };
        let ls = g.obj(r.from);
        let admits = |id: ObjId| {
            let gateway = g.obj(id);
            let Spec::Gateway(spec) = &gateway.spec else {
                return None;
            };
            let al = &spec.allowed_listeners;
            let from = al.from.as_ref().map(|f| f.v.as_str()).unwrap_or("None");
            Some(namespace_admits(
                g,
                from,
                al.selector.as_ref(),
                &gateway.key.namespace,
                &ls.key.namespace,
            ))
        };
        let Some(admitted) = admits(*gw) else {
            continue;
        };
        // A Gateway defined several times (tests, overlays): the ListenerSet is admitted when
        // one definition admits it, as the one deployed with it may be that one.
        let other = (admitted != Admit::Yes)
            .then(|| {
                g.all(&g.obj(*gw).key)
                    .iter()
                    .copied()
                    .find(|&id| id != *gw && admits(id) == Some(Admit::Yes))
            })
            .flatten();
        out.insert(
            r.from,
            match other {
                Some(id) => ListenerSetParent {
                    gateway: id,
                    admitted: Admit::Yes,
                },
                None => ListenerSetParent {
                    gateway: *gw,
                    admitted,
                },
            },
        );
    }
    out
}

/// The Gateway a listener owner belongs to (itself, or a ListenerSet's parent).
pub fn gateway_of(g: &Graph, owner: ObjId) -> Option<ObjId> {
    match &g.obj(owner).spec {
        Spec::Gateway(_) => Some(owner),
        Spec::ListenerSet(_) => g.listener_sets.get(&owner).map(|p| p.gateway),
        _ => None,
    }
}

/// One attachment per route parentRef, in reference order. Each is independent of the others,
/// so they are evaluated on all threads.
pub fn compute(g: &Graph) -> Vec<Attachment> {
    use rayon::prelude::*;
    g.refs.par_iter().filter_map(|r| attachment(g, r)).collect()
}

fn attachment(g: &Graph, r: &crate::graph::Reference) -> Option<Attachment> {
    let (RefKind::ParentRef, Loc::ParentRef(i)) = (r.kind, r.loc) else {
        return None;
    };
    let route_obj = g.obj(r.from);
    let Spec::Route(route) = &route_obj.spec else {
        return None;
    };
    let pr = route.parent_refs.get(i)?;
    let not_evaluated = |parent| Attachment {
        route: r.from,
        parent_ref: i,
        parent,
        verdicts: vec![],
        outcome: Outcome::NotEvaluated,
    };
    if !matches!(r.resolution, Resolution::Object(_)) {
        return Some(not_evaluated(None));
    }
    // A repository may define the parent more than once (overlays, environments): the route
    // attaches if any definition accepts it.
    let mut best: Option<Attachment> = None;
    for &parent in g.all(&r.target) {
        let a = evaluate(g, r.from, route_obj, i, pr, parent)
            .unwrap_or_else(|| not_evaluated(Some(parent)));
        let accepted = a.outcome == Outcome::Accepted;
        if best.is_none() || accepted {
            best = Some(a);
        }
        if accepted {
            break;
        }
    }
    best
}

/// Attachment of one parentRef to one parent object; `None` when the parent is not a Gateway
/// or ListenerSet (a mesh Service, say).
fn evaluate(
    g: &Graph,
    route_id: ObjId,
    route_obj: &Object,
    i: usize,
    pr: &crate::model::refs::ParentRef,
    parent: ObjId,
) -> Option<Attachment> {
    let Spec::Route(route) = &route_obj.spec else {
        return None;
    };
    let parent_obj = g.obj(parent);
    let gateway = match &parent_obj.spec {
        Spec::Gateway(_) => Some(parent),
        Spec::ListenerSet(_) => g.listener_sets.get(&parent).map(|p| p.gateway),
        _ => return None,
    };
    if g.listener_sets
        .get(&parent)
        .is_some_and(|p| p.admitted == Admit::No)
    {
        return Some(Attachment {
            route: route_id,
            parent_ref: i,
            parent: Some(parent),
            verdicts: vec![],
            outcome: Outcome::ParentNotAccepted,
        });
    }
    let istio = gateway.is_some_and(|gw| is_istio(g, g.obj(gw)));
    let route_hosts: Vec<&str> = route.hostnames.iter().map(|h| h.v.as_str()).collect();
    let mut verdicts = Vec::new();
    for (li, l) in listeners_of(parent_obj).iter().enumerate() {
        if pr.section_name.as_ref().is_some_and(|s| s.v != l.name()) {
            continue;
        }
        if let Some(port) = &pr.port {
            if l.port.as_ref().is_none_or(|p| p.v != port.v) {
                continue;
            }
        }
        let namespace = listener_admits_namespace(g, parent_obj, l, &route_obj.key.namespace);
        let kind =
            effective_kinds(l, istio).is_none_or(|ks| ks.iter().any(|k| *k == route_obj.key.kind));
        let hostnames =
            hostname::intersections(l.hostname.as_ref().map(|h| h.v.as_str()), &route_hosts);
        verdicts.push(Verdict {
            listener: ListenerId {
                owner: parent,
                index: li,
            },
            namespace,
            kind,
            hostnames,
        });
    }
    let outcome = status_reason(&verdicts);
    // Attachments are kept for the run: no slack.
    verdicts.shrink_to_fit();
    Some(Attachment {
        route: route_id,
        parent_ref: i,
        parent: Some(parent),
        verdicts,
        outcome,
    })
}
