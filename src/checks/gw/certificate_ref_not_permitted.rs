//! GW111: a cross-namespace certificateRef without a ReferenceGrant (RefNotPermitted).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::grants::Permission;
use crate::graph::{Loc, RefKind};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW111"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Files a ReferenceGrant can be appended to: found on the first finding.
        let mut grant_files: Option<super::GrantFiles> = None;
        for r in g
            .grant_governed()
            .filter(|r| r.kind == RefKind::CertificateRef)
        {
            if g.permission(r) != Permission::Denied {
                continue;
            }
            let from = g.obj(r.from);
            let Loc::CertificateRef { listener, index } = r.loc else {
                continue;
            };
            let listeners = match &from.spec {
                Spec::Gateway(gw) => &gw.listeners,
                Spec::ListenerSet(ls) => &ls.listeners,
                _ => continue,
            };
            let Some(l) = listeners.get(listener) else {
                continue;
            };
            let Some(c) = l.tls.as_ref().and_then(|t| t.certificate_refs.get(index)) else {
                continue;
            };
            let span = c.namespace.as_ref().map(|n| n.span).unwrap_or(r.span);
            out.push(super::grant_finding(
                cx,
                self.id(),
                span,
                r,
                format!(
                    "{}: listener `{}` certificateRef to {} {}/{} is not permitted (RefNotPermitted): no ReferenceGrant in namespace `{}` allows {} from namespace `{}`",
                    from.key,
                    l.name(),
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
