//! TLS201: a listener's certificateRef names a Secret that nothing in the input produces.

use crate::checks::{Check, Ctx};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::graph::{Loc, ProducerKind, RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS201"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // Certificates by the Secret they write, for "written in another namespace" hints.
        let mut by_secret_name: std::collections::HashMap<&str, Vec<&crate::model::Object>> =
            std::collections::HashMap::new();
        for o in cx.graph.objects {
            if let Spec::Certificate(c) = &o.spec {
                if let Some(s) = &c.secret_name {
                    by_secret_name.entry(s.v.as_str()).or_default().push(o);
                }
            }
        }
        for r in &cx.graph.refs {
            if r.kind != RefKind::CertificateRef
                || r.resolution != Resolution::Missing
                || r.target.kind != "Secret"
            {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let listener = match (&from.spec, r.loc) {
                (Spec::Gateway(g), Loc::CertificateRef { listener, .. }) => {
                    g.listeners.get(listener)
                }
                (Spec::ListenerSet(l), Loc::CertificateRef { listener, .. }) => {
                    l.listeners.get(listener)
                }
                _ => None,
            };
            let listener_name = listener.map(|l| l.name()).unwrap_or("?");
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "Secret {}/{} referenced by listener `{}` of {} has no producer: no Secret manifest, cert-manager Certificate, ExternalSecret or gateway annotation creates it",
                    t.namespace,
                    t.name,
                    listener_name,
                    from.key
                ),
            )
            .label("nothing produces this Secret")
            .on(from);
            if cx.config.allow_external_secrets {
                d = d.severity(Severity::Warning);
            }
            let merges: Vec<_> = cx
                .graph
                .producers
                .get(&t.namespace, &t.name)
                .iter()
                .filter(|p| p.kind == ProducerKind::ExternalSecretMerge)
                .collect();
            for p in &merges {
                d = d.related(p.span, "this ExternalSecret only merges into an existing Secret (creationPolicy Merge/None)");
            }
            let elsewhere: Vec<&crate::model::Object> = by_secret_name
                .get(t.name.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|o| o.key.namespace != t.namespace)
                .collect();
            if let Some(cert) = elsewhere.first() {
                if let Spec::Certificate(c) = &cert.spec {
                    if let Some(s) = &c.secret_name {
                        d = d.related(
                            s.span,
                            format!(
                                "{} writes a Secret of this name in namespace `{}`",
                                cert.key, cert.key.namespace
                            ),
                        );
                    }
                }
                d = d.help(format!(
                    "a Certificate writes its Secret in its own namespace: move it to `{}` or reference namespace `{}` (with a ReferenceGrant)",
                    t.namespace, cert.key.namespace
                ));
            } else {
                d = d.help(format!(
                    "add a Certificate with `secretName: {}` (or an ExternalSecret targeting it) in namespace `{}`, or list `{}/{}` under `externals.secrets` in .gwlint.yaml",
                    t.name, t.namespace, t.namespace, t.name
                ));
                d = cx.info_in_samples(d, from.file, crate::checks::CREATED_BY_COMMAND);
            }
            out.push(d);
        }
    }
}
