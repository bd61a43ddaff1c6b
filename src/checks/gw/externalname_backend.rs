//! GW122: a backendRef to an ExternalName Service.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW122"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for r in &g.refs {
            let (RefKind::BackendRef, Resolution::Object(sid)) = (r.kind, &r.resolution) else {
                continue;
            };
            let svc = g.obj(*sid);
            let Spec::Service(s) = &svc.spec else {
                continue;
            };
            if !s.is_external_name() {
                continue;
            }
            let from = g.obj(r.from);
            let Some(b) = super::backend_ref(from, r) else {
                continue;
            };
            let mut d = Diagnostic::new(
                self.id(),
                b.target.span,
                format!("{}: backend {} is an ExternalName Service; support is implementation-specific and discouraged (CVE-2021-25740)", from.key, svc.key),
            )
            .label("ExternalName backend")
            .help("route to a Service with endpoints in the cluster, or use an implementation-specific backend kind (for Istio, a ServiceEntry via kind Hostname)")
            .on(from);
            if let Some(t) = &s.type_ {
                d = d.related(t.span, "type: ExternalName");
            }
            out.push(d);
        }
    }
}
