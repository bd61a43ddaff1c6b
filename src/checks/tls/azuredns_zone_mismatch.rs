//! TLS222: an azureDNS solver's hostedZoneName does not hold a name routed to it.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::acme::in_zone;
use crate::model::certmanager::SolverKind;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS222"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let mut outside: BTreeMap<(usize, usize), (crate::source::Span, String, Vec<String>)> =
            BTreeMap::new();
        for n in super::acme_names(cx) {
            let Some((si, solver)) = n.solver else {
                continue;
            };
            let SolverKind::Dns01Azure(a) = &solver.kind else {
                continue;
            };
            let Some(zone) = &a.hosted_zone_name else {
                continue;
            };
            if in_zone(&n.name.v, &zone.v) {
                continue;
            }
            outside
                .entry((n.issuer_id, si))
                .or_insert_with(|| (zone.span, zone.v.to_string(), Vec::new()))
                .2
                .push(format!("{} ({})", n.name.v, n.cert.key));
        }
        for ((issuer, _), (span, zone, names)) in outside {
            let o = cx.obj(issuer);
            out.push(
                Diagnostic::new(
                    self.id(),
                    span,
                    format!("{}: hostedZoneName `{zone}` does not hold {}, which this solver is chosen for", o.key, names.join(", ")),
                )
                .label("names outside this zone")
                .help("add a solver (with selector.dnsZones) for the other zone, or drop hostedZoneName to let cert-manager find the zone")
                .on(o),
            );
        }
    }
}
