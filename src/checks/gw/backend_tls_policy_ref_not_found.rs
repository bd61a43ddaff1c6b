//! GW123: a BackendTLSPolicy whose target Service or CA certificate ConfigMap is absent.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW123"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for r in &g.refs {
            if !matches!(r.kind, RefKind::PolicyTarget | RefKind::PolicyCaCertificate)
                || r.resolution != Resolution::Missing
            {
                continue;
            }
            let from = g.obj(r.from);
            let what = if r.kind == RefKind::PolicyTarget {
                "targetRef"
            } else {
                "caCertificateRef"
            };
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: {what} {} {}/{} does not exist (policies refer only to their own namespace)",
                    from.key, r.target.kind, r.target.namespace, r.target.name
                ),
            )
            .label(format!("no {} named `{}`", r.target.kind, r.target.name))
            .help(format!("add the {} in namespace `{}` or fix the name", r.target.kind, r.target.namespace))
            .on(from);
            if !super::helm_may_create(cx, &r.target, &mut d) {
                d = cx.info_in_samples(d, from.file, crate::checks::CREATED_BY_COMMAND);
            }
            out.push(d);
        }
    }
}
