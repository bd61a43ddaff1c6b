//! GW113: a ReferenceGrant that authorises no reference in the input.

use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::grants::Permission;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW113"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut used = HashSet::new();
        for r in g.grant_governed() {
            if let Permission::Granted(ids) = g.permission(r) {
                used.extend(ids);
            }
        }
        for (id, o) in g.objects.iter().enumerate() {
            let Spec::ReferenceGrant(grant) = &o.spec else {
                continue;
            };
            if used.contains(&id) {
                continue;
            }
            let mut d = Diagnostic::new(
                self.id(),
                o.name_span(),
                format!("{} authorises no reference in the linted files", o.key),
            )
            .label("unused ReferenceGrant")
            .on(o);
            if let Some(f) = grant.from.first() {
                d = d.related(f.span, "referrers it allows");
            }
            if let Some(t) = grant.to.first() {
                d = d.related(t.span, "targets it allows");
            }
            d = d.help("remove it if nothing needs it, or check that from/to match the referrer's group, kind and namespace exactly");
            out.push(d);
        }
    }
}
