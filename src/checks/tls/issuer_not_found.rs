//! TLS210: a Certificate's issuerRef (or a Gateway's issuer annotation) names no issuer.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::fix::nearest::Names;
use crate::graph::{RefKind, Resolution};
use crate::model::{CERT_MANAGER_GROUP, Spec};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS210"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // Issuer and ClusterIssuer names, for the nearest-name fix: built on first use.
        let mut names: std::collections::HashMap<String, Names> = std::collections::HashMap::new();
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
                if r.kind == RefKind::IssuerRef && issuers.is_empty() {
                    if let Some(f) = cluster_kind_fix(cx, from) {
                        d = d.fix(f);
                    }
                }
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
                if r.kind == RefKind::IssuerRef {
                    let names = names.entry(t.kind.to_string()).or_insert_with(|| {
                        Names::new(cx.graph.objects, CERT_MANAGER_GROUP, &t.kind)
                    });
                    if let Some(near) = names.nearest(&t.namespace, &t.name) {
                        let title = format!(
                            "Change the issuerRef to {} `{near}`, the nearest name",
                            t.kind
                        );
                        if let Some(f) = cx.rename_fix(r.span, &t.name, near, title) {
                            d = d.fix(f);
                        }
                    }
                }
            }
            out.push(d);
        }
    }
}

/// `kind: ClusterIssuer` on a Certificate's issuerRef, when a ClusterIssuer of the name exists
/// and no Issuer of it does anywhere: what the reference can only have meant. Safe.
fn cluster_kind_fix(cx: &Ctx, from: &crate::model::Object) -> Option<crate::fix::Fix> {
    let Spec::Certificate(c) = &from.spec else {
        return None;
    };
    let ir = c.issuer_ref.as_ref()?;
    let text = cx.text(from.file);
    let edit = match &ir.kind {
        Some(k) => crate::fix::text::replace_scalar(text, k.span, "ClusterIssuer")?,
        None => {
            let name = ir.name.as_ref()?;
            let key = crate::fix::text::key_before(text, name.span, "name")?;
            crate::fix::text::insert_line_after_key(text, key, "kind: ClusterIssuer")?
        }
    };
    Some(crate::fix::Fix::safe(
        "Set `kind: ClusterIssuer` on the issuerRef",
        vec![edit],
    ))
}
