//! TLS206: a Secret manifest referenced by a listener that lacks a usable key pair.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS206"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut seen = std::collections::HashSet::new();
        for r in &g.refs {
            let (RefKind::CertificateRef, Resolution::Object(sid)) = (r.kind, &r.resolution) else {
                continue;
            };
            let secret_obj = g.obj(*sid);
            let Spec::Secret(s) = &secret_obj.spec else {
                continue;
            };
            if s.sops || super::implementation_type(s.type_name()) || !seen.insert(*sid) {
                continue;
            }
            let istio = super::istio_owner(g, r.from);
            let pair = s.has("tls.crt") && s.has("tls.key");
            let istio_pair = istio && s.has("cert") && s.has("key");
            if pair || istio_pair {
                continue;
            }
            let missing: Vec<&str> = ["tls.crt", "tls.key"]
                .into_iter()
                .filter(|k| !s.has(k))
                .collect();
            let span = s
                .data_span
                .or(s.string_data_span)
                .unwrap_or(secret_obj.name_span());
            out.push(
                Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{} is used as a listener certificate but has no non-empty {}",
                        secret_obj.key,
                        missing.join(" or ")
                    ),
                )
                .label("no usable key pair")
                .related(r.span, format!("referenced by {}", g.obj(r.from).key))
                .help("a TLS Secret needs `tls.crt` (PEM chain, leaf first) and `tls.key` (PEM private key)")
                .on(secret_obj),
            );
        }
    }
}
