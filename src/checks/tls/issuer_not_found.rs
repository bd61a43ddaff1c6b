//! TLS210: a Certificate's issuerRef (or a Gateway's issuer annotation) names no issuer.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::CERT_MANAGER_GROUP;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS210"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            if !matches!(r.kind, RefKind::IssuerRef | RefKind::ShimIssuer)
                || r.resolution != Resolution::Missing
            {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let target = if t.kind == "Issuer" {
                format!("Issuer {}/{}", t.namespace, t.name)
            } else {
                format!("ClusterIssuer {}", t.name)
            };
            let via = if r.kind == RefKind::ShimIssuer {
                "issuer annotation"
            } else {
                "issuerRef"
            };
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!("{}: {via} {target} does not exist", from.key),
            )
            .label(format!("no {} named `{}`", t.kind, t.name))
            .on(from);
            let issuers = cx.graph.same_name(CERT_MANAGER_GROUP, "Issuer", &t.name);
            let cluster = cx
                .graph
                .same_name(CERT_MANAGER_GROUP, "ClusterIssuer", &t.name);
            if t.kind == "Issuer" && !cluster.is_empty() {
                let ci = cx.obj(cluster[0]);
                d = d
                    .related(
                        ci.name_span(),
                        format!("ClusterIssuer `{}` is defined here", t.name),
                    )
                    .help(if r.kind == RefKind::ShimIssuer {
                        "use the annotation `cert-manager.io/cluster-issuer` for a ClusterIssuer"
                            .to_string()
                    } else {
                        "set `kind: ClusterIssuer` on the issuerRef".to_string()
                    });
            } else if t.kind == "Issuer" && !issuers.is_empty() {
                let other = cx.obj(issuers[0]);
                d = d
                    .related(other.name_span(), format!("Issuer `{}` exists in namespace `{}`", t.name, other.key.namespace))
                    .help(format!(
                        "an Issuer only serves Certificates in its own namespace: create it in `{}` or use a ClusterIssuer",
                        t.namespace
                    ));
            } else if t.kind == "ClusterIssuer" && !issuers.is_empty() {
                let other = cx.obj(issuers[0]);
                d = d
                    .related(other.name_span(), format!("an Issuer (namespaced) named `{}` exists here", t.name))
                    .help("reference it with `kind: Issuer` from its namespace, or make it a ClusterIssuer");
            } else {
                d = d.help(format!(
                    "add the {} to the repository or declare it under `externals.{}` in .gwlint.yaml",
                    t.kind,
                    if t.kind == "Issuer" { "issuers" } else { "clusterIssuers" }
                ));
            }
            out.push(d);
        }
    }
}
