//! TLS2xx: listeners, certificates, issuers, ACME.

pub mod azuredns_config_invalid;
pub mod azuredns_zone_mismatch;
pub mod certificate_does_not_cover_hostname;
pub mod certificate_expired;
pub mod certificate_expiring;
pub mod certificate_ref_not_secret;
pub mod certificate_secret_has_no_producer;
pub mod duplicate_secret_name;
pub mod gateway_shim_cannot_use_listener;
pub mod gateway_shim_conflicting_annotations;
pub mod gatewayhttproute_cannot_attach;
pub mod http01_for_wildcard;
pub mod http01_ingress_class_not_served;
pub mod http01_requires_port_80;
pub mod https_listener_without_hostname;
pub mod https_listener_without_tls;
pub mod issuer_kind_invalid;
pub mod issuer_not_found;
pub mod istio_too_many_certificate_refs;
pub mod no_solver_matches;
pub mod public_acme_private_name;
pub mod secret_unusable_for_tls;
pub mod shim_certificate_shadowed;
pub mod terminate_without_certificates;
pub mod tls_mode_invalid;
pub mod tls_secret_type_not_tls;
pub mod wildcard_hostname_not_servable;

use crate::source::Text;
use std::collections::HashMap;
use std::sync::Arc;

use crate::checks::Ctx;
use crate::graph::attach::{self, ListenerId};
use crate::graph::{Graph, ObjId, ProducerKind, RefKind, Resolution};
use crate::model::certmanager::Issuer;
use crate::model::gateway::Listener;
use crate::model::{Object, Spec};
use crate::source::Span;

/// Every listener of every Gateway and ListenerSet.
pub fn all_listeners<'m>(g: &Graph<'m>) -> Vec<(ListenerId, &'m Object, &'m Listener)> {
    let mut out = Vec::new();
    for (id, o) in g.objects.iter().enumerate() {
        for (index, l) in attach::listeners_of(o).iter().enumerate() {
            out.push((ListenerId { owner: id, index }, o, l));
        }
    }
    out
}

/// For each producer of `list`, how many others it has (those not at its own span): counted
/// once per list, so a finding per producer need not walk the others.
pub fn others_counts(list: &[&crate::graph::Producer]) -> Vec<usize> {
    let mut at_span: HashMap<Span, usize> = HashMap::new();
    for p in list {
        *at_span.entry(p.span).or_default() += 1;
    }
    list.iter()
        .map(|p| list.len() - at_span.get(&p.span).copied().unwrap_or(1))
        .collect()
}

/// Producers with repeated definitions of one object (copies, overlays) counted once.
pub fn distinct<'p>(
    g: &Graph,
    list: impl IntoIterator<Item = &'p crate::graph::Producer>,
) -> Vec<&'p crate::graph::Producer> {
    let mut seen = std::collections::HashSet::new();
    list.into_iter()
        .filter(|p| seen.insert((p.kind, &g.obj(p.obj).key)))
        .collect()
}

/// Whether the listener owner is served by Istio.
pub fn istio_owner(g: &Graph, owner: ObjId) -> bool {
    attach::gateway_of(g, owner).is_some_and(|gw| attach::is_istio(g, g.obj(gw)))
}

/// Certificate object → its resolved Issuer/ClusterIssuer.
pub fn issuers<'m>(g: &Graph<'m>) -> HashMap<ObjId, (ObjId, &'m Issuer)> {
    let mut out = HashMap::new();
    for r in &g.refs {
        let (RefKind::IssuerRef, Resolution::Object(i)) = (r.kind, &r.resolution) else {
            continue;
        };
        if let Spec::Issuer(issuer) = &g.obj(*i).spec {
            out.insert(r.from, (*i, issuer));
        }
    }
    out
}

/// Labels of an object as string pairs.
pub fn labels(o: &Object) -> Vec<(&str, &str)> {
    o.meta
        .labels
        .iter()
        .map(|(k, v)| (k.v.as_str(), v.v.as_str()))
        .collect()
}

/// Certificate names, and where each producer writes them (for related locations).
pub type CertNames = (Vec<String>, Vec<(Span, String)>);

/// The names the certificate in Secret `ns/name` will carry, and where they are written, when a
/// producer tells: cert-manager Certificates (explicit or generated from Gateway annotations)
/// and PEM certificates in Secret manifests. `None` when nothing in the input tells.
pub fn certificate_names(cx: &Ctx, ns: &str, name: &str) -> Option<CertNames> {
    let g = cx.graph;
    let mut names = Vec::new();
    let mut related = Vec::new();
    let mut known = false;
    for p in g.producers.get(ns, name) {
        let o = g.obj(p.obj);
        match (&p.kind, &o.spec) {
            (ProducerKind::Certificate, Spec::Certificate(c)) => {
                known = true;
                names.extend(c.names().map(str::to_string));
                let span = c.dns_names.first().map(|d| d.span).unwrap_or(o.name_span());
                related.push((
                    span,
                    format!(
                        "{} names: {}",
                        o.key,
                        c.names().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            (ProducerKind::GatewayShim, _) => {
                known = true;
                for l in attach::listeners_of(o) {
                    let refs_secret = l.tls.as_ref().is_some_and(|t| {
                        t.certificate_refs
                            .iter()
                            .any(|c| c.name.as_ref().is_some_and(|n| n.v == name))
                    });
                    if refs_secret {
                        names.extend(l.hostname.as_ref().map(|h| h.v.to_string()));
                    }
                }
                related.push((
                    p.span,
                    format!(
                        "cert-manager generates this certificate from {}'s listener hostnames",
                        o.key
                    ),
                ));
            }
            (ProducerKind::Manifest, Spec::Secret(s)) => {
                if let Some(c) = &s.cert {
                    known = true;
                    names.extend(c.names.iter().cloned());
                    related.push((
                        c.key_span,
                        format!("the certificate in {} names: {}", o.key, c.names.join(", ")),
                    ));
                }
            }
            _ => {}
        }
    }
    known.then_some((names, related))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// No certificate name covers the host (TLS208).
    NotCovered,
    /// Only a wildcard name that covers one label could serve it, or the host is itself a
    /// wildcard (TLS209).
    Wildcard,
}

/// Results of the TLS helpers that several rules share.
#[derive(Default)]
pub struct Shared<'m> {
    coverage_gaps: std::sync::OnceLock<Vec<CoverageGap<'m>>>,
    acme_names: std::sync::OnceLock<Vec<AcmeName<'m>>>,
}

pub struct CoverageGap<'m> {
    pub gap: Gap,
    pub host: String,
    pub span: Span,
    /// The object holding the hostname (the listener's owner or the route).
    pub at: &'m Object,
    pub listener: ListenerId,
    /// Shared by every gap of the listener's certificate.
    pub related: Arc<[(Span, String)]>,
    /// The listener's one certificate Secret (namespace, name), when it has exactly one.
    pub secret: Option<(&'m str, &'m str)>,
}

/// Hostnames a listener serves that its certificate does not cover (R2.10), from the listener's
/// own hostname or the intersected hostnames of the routes the attachment stage accepted.
pub fn coverage_gaps<'c, 'm>(cx: &'c Ctx<'_, 'm>) -> &'c [CoverageGap<'m>] {
    cx.shared
        .coverage_gaps
        .get_or_init(|| compute_coverage_gaps(cx))
}

fn compute_coverage_gaps<'m>(cx: &Ctx<'_, 'm>) -> Vec<CoverageGap<'m>> {
    use crate::graph::hostname::{cert_covers, covers};
    use crate::model::read::unresolved as unknown;
    let g = cx.graph;
    let mut accepted: HashMap<ListenerId, Vec<ObjId>> = HashMap::new();
    for a in &g.attachments {
        for v in a.accepted() {
            accepted.entry(v.listener).or_default().push(a.route);
        }
    }
    let mut out = Vec::new();
    // Per Secret, once: many listeners may share one Secret that many Certificates write.
    type Names = Option<(Arc<[String]>, Arc<[(Span, String)]>)>;
    let mut by_secret: HashMap<(&'m str, &'m str), Names> = HashMap::new();
    for (id, o, l) in all_listeners(g) {
        let Some(tls) = &l.tls else { continue };
        if tls.is_passthrough() || tls.certificate_refs.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        let mut secrets = Vec::new();
        for c in &tls.certificate_refs {
            let Some(n) = &c.name else { continue };
            if c.kind_or("Secret") != "Secret" {
                continue;
            }
            let key = (c.namespace_or(&o.key.namespace), n.v.as_str());
            let entry = by_secret.entry(key).or_insert_with(|| {
                certificate_names(cx, key.0, key.1).map(|(mut names, related)| {
                    names.sort_unstable();
                    names.dedup();
                    (names.into(), related.into())
                })
            });
            if let Some(found) = entry {
                parts.push(found.clone());
                secrets.push(key);
            }
        }
        let secret = match secrets.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let (names, related) = match parts.len() {
            0 => continue,
            1 => parts.swap_remove(0),
            _ => (
                parts.iter().flat_map(|p| p.0.iter().cloned()).collect(),
                parts.iter().flat_map(|p| p.1.iter().cloned()).collect(),
            ),
        };
        let mut hosts: Vec<(String, Span, &'m Object)> = Vec::new();
        match &l.hostname {
            Some(h) if !h.v.starts_with("*.") => hosts.push((h.v.to_string(), h.span, o)),
            listener_host => {
                let mut routes = accepted.get(&id).cloned().unwrap_or_default();
                routes.sort_unstable();
                routes.dedup();
                // The listener's Gateway of the same name in another cluster of the
                // repository is not the route's: its certificates say nothing of this route.
                let cluster = g.clusters.get(&o.file);
                for rid in routes {
                    let ro = g.obj(rid);
                    let Spec::Route(route) = &ro.spec else {
                        continue;
                    };
                    if let (Some(a), Some(b)) = (cluster, g.clusters.get(&ro.file)) {
                        if a != b {
                            continue;
                        }
                    }
                    for h in &route.hostnames {
                        let lh = listener_host.as_ref().map(|x| x.v.as_str());
                        if crate::graph::hostname::intersect(lh, Some(&h.v)).is_some() {
                            hosts.push((h.v.to_string(), h.span, ro));
                        }
                    }
                }
            }
        }
        let listener_wildcard = l
            .hostname
            .as_ref()
            .map(|h| h.v.as_str())
            .filter(|h| h.starts_with("*."));
        for (host, span, at) in hosts {
            let gap = if host.starts_with("*.") {
                // A name with a placeholder (`*.${DOMAIN}`, `{HOST}`) may be this very wildcard
                // once substituted: unknown, as in `cert_covers`.
                if unknown(&host) || names.iter().any(|n| unknown(n)) {
                    continue;
                }
                if !names.iter().any(|n| n.eq_ignore_ascii_case(&host)) {
                    Gap::NotCovered
                } else if listener_wildcard.is_some_and(|lh| lh.eq_ignore_ascii_case(&host)) {
                    // The route repeats the listener's own wildcard, which the certificate
                    // names: the deeper names are the listener's choice, not the route's.
                    continue;
                } else {
                    Gap::Wildcard
                }
            } else if names.iter().any(|n| cert_covers(n, &host)) {
                continue;
            } else if names
                .iter()
                .any(|n| n.starts_with("*.") && covers(n, &host))
            {
                Gap::Wildcard
            } else {
                Gap::NotCovered
            };
            out.push(CoverageGap {
                gap,
                host,
                span,
                at,
                listener: id,
                related: related.clone(),
                secret,
            });
        }
    }
    out
}

/// Each (Certificate, its ACME issuer, dnsName, chosen solver) for Certificates whose issuer is
/// an ACME issuer in the input.
pub struct AcmeName<'m> {
    pub cert: &'m Object,
    pub issuer: &'m Object,
    pub issuer_id: ObjId,
    pub name: &'m crate::source::Sp<Text>,
    pub solver: Option<(usize, &'m crate::model::certmanager::Solver)>,
}

/// Certificate names an ACME issuer validates, with the solver it selects for each.
pub fn acme_names<'c, 'm>(cx: &'c Ctx<'_, 'm>) -> &'c [AcmeName<'m>] {
    cx.shared.acme_names.get_or_init(|| compute_acme_names(cx))
}

fn compute_acme_names<'m>(cx: &Ctx<'_, 'm>) -> Vec<AcmeName<'m>> {
    let g = cx.graph;
    let issuers = issuers(g);
    let mut out = Vec::new();
    for (id, o) in g.objects.iter().enumerate() {
        let Spec::Certificate(c) = &o.spec else {
            continue;
        };
        let Some(&(iid, issuer)) = issuers.get(&id) else {
            continue;
        };
        if issuer.acme.is_none() {
            continue;
        }
        let labels = labels(o);
        for name in c
            .dns_names
            .iter()
            .filter(|n| !crate::model::read::unresolved(&n.v))
        {
            out.push(AcmeName {
                cert: o,
                issuer: g.obj(iid),
                issuer_id: iid,
                name,
                solver: crate::graph::acme::select_solver(issuer, &labels, &name.v),
            });
        }
    }
    out
}

/// A Secret type an implementation defines for its own certificate delivery, such as Envoy
/// Gateway's `gateway.envoyproxy.io/sds` (the certificate comes from an SDS server): not a
/// `kubernetes.io/tls` Secret, and not meant to be one.
pub(crate) fn implementation_type(t: &str) -> bool {
    t.starts_with("gateway.envoyproxy.io/")
}
