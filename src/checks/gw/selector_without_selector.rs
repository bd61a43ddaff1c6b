//! GW119: `namespaces.from: Selector` without a selector (Istio then admits every namespace).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW119"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Some(listeners) = super::listeners(o) else {
                continue;
            };
            for l in listeners {
                let ar = &l.allowed_routes;
                let Some(from) = &ar.from else { continue };
                if from.v != "Selector" || ar.selector.is_some() {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        self.id(),
                        ar.namespaces_span.unwrap_or(from.span),
                        format!(
                            "{}: listener `{}` uses `from: Selector` without a selector; Istio then admits routes from every namespace",
                            o.key,
                            l.name()
                        ),
                    )
                    .label("selector missing")
                    .help("add `selector: {matchLabels: {…}}`, or write `from: All` if every namespace is intended")
                    .on(o),
                );
            }
        }
    }
}
