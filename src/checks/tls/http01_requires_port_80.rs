//! TLS225: HTTP-01 for names served only by Gateways without an HTTP listener on port 80.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::hostname;
use crate::model::Spec;

pub struct Rule;

/// (solver span, names it cannot validate, Gateways serving them) per (issuer, solver).
type Failing = BTreeMap<(usize, usize), (crate::source::Span, Vec<String>, Vec<usize>)>;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS225"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let gateways: Vec<_> = g
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o.spec, Spec::Gateway(_)))
            .collect();
        let mut failing: Failing = BTreeMap::new();
        for n in super::acme_names(cx) {
            let Some((si, solver)) = n.solver else {
                continue;
            };
            if !solver.is_http01() || n.name.v.starts_with("*.") {
                continue;
            }
            let serving: Vec<usize> = gateways
                .iter()
                .filter(|(_, gw)| {
                    crate::graph::attach::listeners_of(gw).iter().any(|l| {
                        matches!(l.protocol(), "HTTP" | "HTTPS" | "TLS")
                            && hostname::intersect(
                                l.hostname.as_ref().map(|h| h.v.as_str()),
                                Some(&n.name.v),
                            )
                            .is_some()
                    })
                })
                .map(|(id, _)| *id)
                .collect();
            if serving.is_empty() {
                continue;
            }
            let has_80 = serving.iter().any(|&gid| {
                crate::graph::attach::listeners_of(g.obj(gid))
                    .iter()
                    .any(|l| l.protocol() == "HTTP" && l.port.as_ref().is_some_and(|p| p.v == 80))
            });
            if has_80 {
                continue;
            }
            let entry = failing
                .entry((n.issuer_id, si))
                .or_insert_with(|| (solver.span, Vec::new(), Vec::new()));
            entry.1.push(n.name.v.clone());
            entry.2.extend(serving);
        }
        for ((issuer, _), (span, names, mut gws)) in failing {
            gws.sort_unstable();
            gws.dedup();
            let o = g.obj(issuer);
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: HTTP-01 validates {} over plain HTTP on port 80, but the Gateways serving {} have no HTTP listener on port 80",
                    o.key,
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" }
                ),
            )
            .label("HTTP-01 solver without a port 80 listener")
            .help("add an HTTP listener on port 80 to the Gateway (a redirect route may keep other traffic on HTTPS), or use DNS-01")
            .on(o);
            for gid in gws {
                let gw = g.obj(gid);
                d = d.related(
                    gw.name_span(),
                    format!("{} serves the name without an HTTP:80 listener", gw.key),
                );
            }
            out.push(d);
        }
    }
}
