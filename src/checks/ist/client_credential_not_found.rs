//! IST616: a DestinationRule's client `credentialName` names no Secret in the namespace of the
//! proxies that originate TLS with it.

use crate::checks::{Check, Ctx};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST616"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for r in &g.refs {
            if r.kind != RefKind::IstioClientCredential || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: client credentialName `{}`: no Secret `{}` in namespace `{}`, where the proxies this rule applies to run and read it (istioctl: IST0101 credentialName)",
                    from.key, t.name, t.name, t.namespace
                ),
            )
            .label(format!("no Secret `{}` in `{}`", t.name, t.namespace))
            .on(from);
            if cx.config.allow_external_secrets {
                d = d.severity(Severity::Warning);
            }
            d = match g.same_name("", "Secret", &t.name).first() {
                Some(&other) => {
                    let o = g.obj(other);
                    d.related(
                        o.name_span(),
                        format!("{}: that namespace is not the proxies'", o.key),
                    )
                    .help(format!(
                        "create the Secret in `{}`, the namespace of the workloads that use this DestinationRule",
                        t.namespace
                    ))
                }
                None => d.help(format!(
                    "create Secret `{}` in namespace `{}`, or declare it under `externals.secrets` if it is managed outside the repository",
                    t.name, t.namespace
                )),
            };
            out.push(d);
        }
    }
}
