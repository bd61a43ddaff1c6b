//! TLS218: an HTTP-01 gatewayHTTPRoute solver whose challenge route cannot attach.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach::{self, Admit};
use crate::graph::hostname;
use crate::model::certmanager::SolverKind;
use crate::model::{GATEWAY_GROUP, ObjKey};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS218"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // (issuer, solver index) → names that cannot be served, with the Certificate.
        let mut failing: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
        let mut spans = BTreeMap::new();
        for n in super::acme_names(cx) {
            let Some((si, solver)) = n.solver else {
                continue;
            };
            let SolverKind::Http01GatewayRoute {
                parent_refs,
                parent_refs_span,
            } = &solver.kind
            else {
                continue;
            };
            if parent_refs.is_empty() || n.name.v.starts_with("*.") {
                continue;
            }
            let cert_ns = &n.cert.key.namespace;
            let served = parent_refs.iter().any(|pr| {
                if pr.target.group_or(GATEWAY_GROUP) != GATEWAY_GROUP
                    || pr.target.kind_or("Gateway") != "Gateway"
                {
                    return true;
                }
                let Some(name) = &pr.target.name else {
                    return true;
                };
                let key = ObjKey::new(
                    GATEWAY_GROUP,
                    "Gateway",
                    pr.target.namespace_or(cert_ns),
                    &name.v,
                );
                g.all(&key).iter().any(|&gid| {
                    let gw = g.obj(gid);
                    attach::listeners_of(gw).iter().any(|l| {
                        l.protocol() == "HTTP"
                            && l.port.as_ref().is_some_and(|p| p.v == 80)
                            && attach::listener_admits_namespace(g, gw, l, cert_ns) != Admit::No
                            && hostname::intersect(
                                l.hostname.as_ref().map(|h| h.v.as_str()),
                                Some(&n.name.v),
                            )
                            .is_some()
                    })
                })
            });
            if !served {
                failing
                    .entry((n.issuer_id, si))
                    .or_default()
                    .push(format!("{} ({})", n.name.v, n.cert.key));
                spans.insert((n.issuer_id, si), parent_refs_span.unwrap_or(solver.span));
            }
        }
        for (key, names) in &failing {
            let Some(span) = spans.get(key) else { continue };
            let issuer = g.obj(key.0);
            out.push(
                Diagnostic::new(
                    self.id(),
                    *span,
                    format!(
                        "{}: the HTTP-01 challenge route for {} cannot attach: no parent Gateway has an HTTP listener on port 80 that admits the Certificate's namespace and matches the name",
                        issuer.key,
                        names.join(", ")
                    ),
                )
                .label("challenge route cannot attach")
                .help("add an HTTP listener on port 80 (hostname matching, allowedRoutes admitting the Certificate namespace) to a parent Gateway")
                .on(issuer),
            );
        }
    }
}
