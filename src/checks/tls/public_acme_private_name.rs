//! TLS219: a public ACME CA asked to validate a name that exists only in a private DNS zone.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::acme;
use crate::model::Spec;
use crate::model::certmanager::SolverKind;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS219"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let zones = &cx.graph.dns;
        if !zones.has_private() {
            return;
        }
        for n in super::acme_names(cx) {
            let Spec::Issuer(issuer) = &n.issuer.spec else {
                continue;
            };
            let Some(server) = issuer.acme_server() else {
                continue;
            };
            if !acme::is_public_acme(cx.config, &server.v) {
                continue;
            }
            let Some((_, solver)) = n.solver else {
                continue;
            };
            let how = match &solver.kind {
                _ if solver.is_http01() => {
                    "HTTP-01 needs the name to resolve publicly to a reachable endpoint"
                }
                SolverKind::Dns01Azure(a)
                    if a.zone_type
                        .as_ref()
                        .is_some_and(|z| z.v == "AzurePrivateZone") =>
                {
                    "DNS-01 writes the TXT record into the private zone, which the CA cannot see"
                }
                _ => continue,
            };
            let Some(zone) = zones.private_only(&n.name.v) else {
                continue;
            };
            let mut d = Diagnostic::new(
                self.id(),
                n.name.span,
                format!(
                    "{}: `{}` exists only in the private zone `{}` ({}), but {} uses the public ACME CA {}: {how}, so validation can never succeed",
                    n.cert.key,
                    n.name.v,
                    zone.name,
                    zone.origin(cx.graph),
                    n.issuer.key,
                    server.v
                ),
            )
            .label("private-only name with a public CA")
            .related(solver.span, "the solver chosen for this name")
            .related(server.span, "public ACME server");
            if let Some(span) = zone.span(cx.graph) {
                d = d.related(span, format!("private zone `{}`", zone.name));
            }
            out.push(
                d
                .help("use DNS-01 against a public zone of the same name (or a CNAME-delegated _acme-challenge), a private CA issuer, or import the certificate (e.g. from Key Vault with External Secrets)")
                .on(n.cert),
            );
        }
    }
}
