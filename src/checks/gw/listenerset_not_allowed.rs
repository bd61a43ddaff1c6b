//! GW118: a ListenerSet whose parent Gateway does not accept ListenerSets from its namespace.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach::Admit;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW118"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut sets: Vec<_> = g
            .listener_sets
            .iter()
            .filter(|(_, p)| p.admitted == Admit::No)
            .collect();
        sets.sort_by_key(|(id, _)| **id);
        for (&ls_id, p) in sets {
            let ls = g.obj(ls_id);
            let Spec::ListenerSet(spec) = &ls.spec else {
                continue;
            };
            let Some(pr) = &spec.parent_ref else { continue };
            let gw = g.obj(p.gateway);
            let Spec::Gateway(gspec) = &gw.spec else {
                continue;
            };
            let al = &gspec.allowed_listeners;
            let why = match al.from.as_ref().map(|f| f.v.as_str()) {
                None => "it sets no `spec.allowedListeners`, so no ListenerSet may attach (from: None is the default)".to_string(),
                Some("None") => "`allowedListeners.namespaces.from` is None".to_string(),
                Some("Same") => format!("`allowedListeners.namespaces.from` is Same, so only namespace `{}` may attach", gw.key.namespace),
                Some("Selector") => format!("its namespace selector does not match namespace `{}`", ls.key.namespace),
                Some(other) => format!("`allowedListeners.namespaces.from` is {other}"),
            };
            let related = al
                .from
                .as_ref()
                .map(|f| f.span)
                .unwrap_or_else(|| gw.name_span());
            out.push(
                Diagnostic::new(
                    self.id(),
                    pr.target.span,
                    format!("{} is not allowed by its parent {} (NotAllowed): {why}", ls.key, gw.key),
                )
                .label("parent does not accept this ListenerSet")
                .related(related, format!("{} allowedListeners", gw.key))
                .help(format!(
                    "on the Gateway, set `spec.allowedListeners.namespaces.from` to Same, All or Selector (matching `kubernetes.io/metadata.name: {}`)",
                    ls.key.namespace
                ))
                .on(ls),
            );
        }
    }
}
