//! SEC410: an ExternalSecret that makes a kubernetes.io/tls Secret without tls.crt and tls.key.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC410"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (o, es) in super::external_secrets(cx.graph.objects) {
            let Some(t) = es
                .template_type
                .as_ref()
                .filter(|t| t.v == "kubernetes.io/tls")
            else {
                continue;
            };
            if es.has_data_from {
                continue;
            }
            let produced: Vec<&str> = es
                .secret_keys
                .iter()
                .map(|k| k.v.as_str())
                .chain(es.template_data_keys.iter().map(String::as_str))
                .collect();
            let missing: Vec<&str> = ["tls.crt", "tls.key"]
                .into_iter()
                .filter(|k| !produced.contains(k))
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    t.span,
                    format!("{} creates a kubernetes.io/tls Secret without {}; the API server rejects it", o.key, missing.join(" and ")),
                )
                .label("TLS Secret without its keys")
                .help("produce `tls.crt` and `tls.key` (data[].secretKey or target.template.data)")
                .on(o),
            );
        }
    }
}
