//! TLS213: a listener cert-manager's Gateway integration must skip.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS213"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let annotated = o.meta.annotation("cert-manager.io/issuer").is_some()
                || o.meta
                    .annotation("cert-manager.io/cluster-issuer")
                    .is_some();
            if !annotated {
                continue;
            }
            let ignored: Vec<&str> = o
                .meta
                .annotation("cert-manager.io/ignore-tls-listeners")
                .map(|a| a.v.split(',').map(str::trim).collect())
                .unwrap_or_default();
            for l in crate::graph::attach::listeners_of(o) {
                if !matches!(l.protocol(), "HTTPS" | "TLS") || ignored.contains(&l.name()) {
                    continue;
                }
                let name_span = l.name.as_ref().map(|n| n.span).unwrap_or(l.span);
                let problem = match &l.tls {
                    None => Some((name_span, "it has no `tls` block".to_string())),
                    Some(t) if t.is_passthrough() => t.mode.as_ref().map(|m| (m.span, "its tls mode is Passthrough".to_string())),
                    Some(_) if l.hostname.as_ref().is_none_or(|h| h.v.is_empty()) => {
                        Some((name_span, "it has no hostname, so there is no name to put in the certificate".to_string()))
                    }
                    Some(t) if t.certificate_refs.is_empty() => Some((name_span, "it has no certificateRefs".to_string())),
                    Some(t) => t.certificate_refs.iter().find_map(|c| {
                        if let Some(ns) = c.namespace.as_ref().filter(|n| n.v != o.key.namespace) {
                            Some((ns.span, format!("its certificateRef points to namespace `{}`; cert-manager only writes Secrets in the Gateway's namespace", ns.v)))
                        } else if c.kind_or("Secret") != "Secret" || !matches!(c.group_or(""), "" | "core") {
                            let span = c.kind.as_ref().map(|k| k.span).unwrap_or(c.span);
                            Some((span, format!("its certificateRef is a {}, not a Secret", c.kind_or("Secret"))))
                        } else {
                            None
                        }
                    }),
                };
                let Some((span, why)) = problem else { continue };
                out.push(
                    Diagnostic::new(
                        self.id(),
                        span,
                        format!(
                            "{} asks cert-manager for certificates, but cert-manager skips listener `{}`: {why}",
                            o.key,
                            l.name()
                        ),
                    )
                    .label("cert-manager skips this listener")
                    .help("fix the listener, or list it in the annotation `cert-manager.io/ignore-tls-listeners`")
                    .on(o),
                );
            }
        }
    }
}
