//! GW103: a parentRef's port matches no listener (with the sectionName, when one is set).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::source::Text;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW103"
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
            let Some(port) = &pr.port else { continue };
            fn candidates_of<'l>(
                ls: &'l [crate::model::gateway::Listener],
                section: Option<&crate::source::Sp<Text>>,
            ) -> Vec<&'l crate::model::gateway::Listener> {
                match section {
                    Some(s) => ls.iter().filter(|l| l.name() == s.v).collect(),
                    None => ls.iter().collect(),
                }
            }
            let candidates = candidates_of(listeners, pr.section_name.as_ref());
            if candidates.is_empty() {
                // An unknown sectionName is GW102's finding.
                continue;
            }
            let matched_anywhere = cx.graph.all(&r.target).iter().any(|&id| {
                super::listeners(cx.obj(id)).is_some_and(|ls| {
                    candidates_of(ls, pr.section_name.as_ref())
                        .iter()
                        .any(|l| l.port.as_ref().is_some_and(|p| p.v == port.v))
                })
            });
            if matched_anywhere {
                continue;
            }
            let ports: Vec<String> = candidates
                .iter()
                .filter_map(|l| l.port.as_ref().map(|p| p.v.to_string()))
                .collect();
            let scope = match &pr.section_name {
                Some(s) => format!("listener `{}` of {}", s.v, super::describe(parent)),
                None => format!("no listener of {}", super::describe(parent)),
            };
            let message = match &pr.section_name {
                Some(_) => format!(
                    "{}: port {} does not match {scope}",
                    super::describe(from),
                    port.v
                ),
                None => format!("{}: port {} matches {scope}", super::describe(from), port.v),
            };
            let mut d = Diagnostic::new(self.id(), port.span, message)
                .label("no listener on this port")
                .on(from);
            let ported = candidates
                .iter()
                .filter_map(|l| l.port.as_ref().map(|p| (l, p)));
            d = d.related_each(ported, |(l, p)| {
                (
                    p.span,
                    format!("listener `{}` listens on port {}", l.name(), p.v),
                )
            });
            d = d.help(format!(
                "use a listener port ({}) or drop `port` to attach to every listener",
                crate::checks::name_list(&ports)
            ));
            out.push(d);
        }
    }
}
