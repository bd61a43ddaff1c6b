//! GW125: an Istio VirtualService lists a gateway that is not an Istio Gateway in the input.

use crate::checks::{Check, Ctx, same_name_elsewhere};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW125"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            if r.kind != RefKind::IstioGateway || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: gateway `{}/{}` matches no networking.istio.io Gateway{}",
                    super::describe(from),
                    t.namespace,
                    t.name,
                    if r.namespace_defaulted {
                        format!(" (a name without `namespace/` resolves in the VirtualService's namespace `{}`)", from.key.namespace)
                    } else {
                        String::new()
                    }
                ),
            )
            .label("no such Istio Gateway")
            .on(from);
            if super::namespace_unknown(cx, r, &mut d) {
                out.push(d);
                continue;
            }
            if let Some(other) = same_name_elsewhere(cx, &t.group, &t.kind, &t.name) {
                d = d
                    .related(
                        other.name_span(),
                        format!(
                            "Istio Gateway `{}` exists in namespace `{}`",
                            t.name, other.key.namespace
                        ),
                    )
                    .help(format!("write it as `{}/{}`", other.key.namespace, t.name));
            } else {
                d = d.help(
                    "fix the reference (`namespace/name`), or use `mesh` for sidecar traffic",
                );
            }
            out.push(d);
        }
    }
}
