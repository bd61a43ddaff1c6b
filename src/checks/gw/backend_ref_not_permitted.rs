//! GW110: a cross-namespace backendRef without a ReferenceGrant (RefNotPermitted).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::RefKind;
use crate::graph::grants::Permission;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW110"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Files a ReferenceGrant can be appended to: found on the first finding.
        let mut grant_files: Option<super::GrantFiles> = None;
        for r in g.grant_governed().filter(|r| r.kind == RefKind::BackendRef) {
            if g.permission(r) != Permission::Denied || super::is_delegation(&r.target) {
                continue;
            }
            let from = g.obj(r.from);
            let Some(b) = super::backend_ref(from, r) else {
                continue;
            };
            let span = b
                .target
                .namespace
                .as_ref()
                .map(|n| n.span)
                .unwrap_or(r.span);
            out.push(super::grant_finding(
                cx,
                self.id(),
                span,
                r,
                format!(
                    "{}: backendRef to {} {}/{} is not permitted (RefNotPermitted): no ReferenceGrant in namespace `{}` allows {} from namespace `{}`",
                    from.key,
                    r.target.kind,
                    r.target.namespace,
                    r.target.name,
                    r.target.namespace,
                    from.key.kind,
                    from.key.namespace
                ),
                &mut grant_files,
            ));
        }
    }
}
