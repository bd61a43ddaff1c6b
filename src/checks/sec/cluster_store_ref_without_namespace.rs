//! SEC407: a ClusterSecretStore credential reference without a namespace.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC407"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::SecretStore(s) = &o.spec else {
                continue;
            };
            if o.key.kind != "ClusterSecretStore" {
                continue;
            }
            for name in &s.refs_without_namespace {
                out.push(
                    Diagnostic::new(
                        self.id(),
                        name.span,
                        format!(
                            "{}: the reference to `{}` sets no namespace, so each ExternalSecret looks for it in its own namespace",
                            o.key, name.v
                        ),
                    )
                    .label("no namespace on a cluster-wide reference")
                    .help("set `namespace` on the reference so every namespace uses the same credentials")
                    .on(o),
                );
            }
        }
    }
}
