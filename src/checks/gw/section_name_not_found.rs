//! GW102: a parentRef's sectionName names no listener of its (existing) parent.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

fn listeners_span(o: &crate::model::Object) -> crate::source::Span {
    match &o.spec {
        crate::model::Spec::Gateway(g) => g.listeners_span.unwrap_or(o.spec_span),
        _ => o.spec_span,
    }
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW102"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            let (RefKind::ParentRef, Resolution::Object(pid)) = (r.kind, &r.resolution) else {
                continue;
            };
            let from = cx.obj(r.from);
            let parent = cx.obj(*pid);
            let (Some(pr), Some(listeners)) =
                (super::parent_ref(from, r), super::listeners(parent))
            else {
                continue;
            };
            let Some(section) = &pr.section_name else {
                continue;
            };
            let defined_anywhere = cx.graph.all(&r.target).iter().any(|&id| {
                super::listeners(cx.obj(id))
                    .is_some_and(|ls| ls.iter().any(|l| l.name() == section.v))
            });
            if defined_anywhere {
                continue;
            }
            let names: Vec<&str> = listeners
                .iter()
                .map(|l| l.name())
                .filter(|n| !n.is_empty())
                .collect();
            let mut d = Diagnostic::new(
                self.id(),
                section.span,
                format!(
                    "{}: sectionName `{}` matches no listener of {}",
                    super::describe(from),
                    section.v,
                    super::describe(parent)
                ),
            )
            .label("no listener with this name")
            .on(from);
            d = d.related(
                listeners_span(parent),
                format!(
                    "listeners of {}: {}",
                    parent.key.name,
                    if names.is_empty() {
                        "none".into()
                    } else {
                        crate::checks::name_list(&names)
                    }
                ),
            );
            if !names.is_empty() {
                d = d.help(format!(
                    "use one of the listener names: {}",
                    crate::checks::name_list(&names)
                ));
            }
            if let Some(near) = crate::fix::nearest::nearest(names.iter().copied(), &section.v) {
                let title =
                    format!("Change the sectionName to `{near}`, the nearest listener name");
                if let Some(f) = cx.rename_fix(section.span, &section.v, near, title) {
                    d = d.fix(f);
                }
            }
            out.push(d);
        }
    }
}
