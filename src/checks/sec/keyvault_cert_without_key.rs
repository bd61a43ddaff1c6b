//! SEC409: a TLS Secret fed from Key Vault `cert/…`, which holds no private key.

use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::RefKind;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC409"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let listener_secrets: HashSet<(&str, &str)> = g
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::CertificateRef)
            .map(|r| (r.target.namespace.as_str(), r.target.name.as_str()))
            .collect();
        for (o, es) in super::external_secrets(g.objects) {
            let tls = es
                .template_type
                .as_ref()
                .is_some_and(|t| t.v == "kubernetes.io/tls")
                || listener_secrets
                    .contains(&(o.key.namespace.as_str(), super::target_name(o, es)));
            if !tls {
                continue;
            }
            for key in es.remote_keys.iter().filter(|k| k.v.starts_with("cert/")) {
                out.push(
                    Diagnostic::new(
                        self.id(),
                        key.span,
                        format!(
                            "{}: `{}` returns only the certificate from Azure Key Vault, without its private key, but the target is a TLS Secret",
                            o.key, key.v
                        ),
                    )
                    .label("no private key")
                    .help("fetch `secret/<name>` (the full PFX/PEM with the key) and split it with the pkcs12cert/pkcs12key template functions")
                    .on(o),
                );
            }
        }
    }
}
