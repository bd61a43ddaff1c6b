//! GW101: a route's parentRef (or a ListenerSet's parentRef) names nothing in the input.

use crate::checks::{Check, Ctx, same_name_elsewhere};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::ObjKey;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW101"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // Gateway names by namespace, for the nearest-name fix: built on the first finding.
        let mut gateways: Option<crate::fix::nearest::Names> = None;
        for r in &cx.graph.refs {
            if !matches!(r.kind, RefKind::ParentRef | RefKind::ListenerSetParent)
                || r.resolution != Resolution::Missing
            {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: parentRef {} does not exist{}",
                    super::describe(from),
                    t,
                    if t.namespace.is_empty() {
                        String::new()
                    } else {
                        super::defaulted_ns_note(r, "parentRef", from)
                    }
                ),
            )
            .label(format!(
                "no {} named `{}` in namespace `{}`",
                t.kind, t.name, t.namespace
            ))
            .on(from);
            if super::helm_may_create(cx, t, &mut d) || super::namespace_unknown(cx, r, &mut d) {
                out.push(d);
                continue;
            }
            let elsewhere = same_name_elsewhere(cx, &t.group, &t.kind, &t.name);
            let service = ObjKey::new("", "Service", &t.namespace, &t.name);
            if let (Some(svc), "Gateway") = (cx.graph.get(&service), t.kind.as_str()) {
                d = d
                    .related(cx.obj(svc).name_span(), format!("Service `{}` exists in namespace `{}`", t.name, t.namespace))
                    .help("to attach to a Service (mesh), set `group: \"\"` and `kind: Service` on the parentRef");
            } else if let Some(other) = elsewhere {
                d = d
                    .related(
                        other.name_span(),
                        format!(
                            "{} `{}` exists in namespace `{}`",
                            t.kind, t.name, other.key.namespace
                        ),
                    )
                    .help(format!(
                        "set `namespace: {}` on the parentRef",
                        other.key.namespace
                    ));
            } else {
                d = d.help(format!(
                    "fix the name, add the {} to the repository, or declare it under `externals` in .gwlint.yaml if it is managed elsewhere",
                    t.kind
                ));
            }
            if t.kind == "Gateway" && t.group == crate::model::GATEWAY_GROUP {
                let names = gateways.get_or_insert_with(|| {
                    crate::fix::nearest::Names::new(
                        cx.graph.objects,
                        crate::model::GATEWAY_GROUP,
                        "Gateway",
                    )
                });
                if let Some(near) = names.nearest(&t.namespace, &t.name) {
                    let title = format!(
                        "Change the parentRef to Gateway `{near}`, the nearest name in namespace `{}`",
                        t.namespace
                    );
                    if let Some(fix) = cx.rename_fix(r.span, &t.name, near, title) {
                        d = d.fix(fix);
                    }
                }
            }
            out.push(d);
        }
    }
}
