//! GW108: a backendRef or requestMirror backendRef names no Service (or other object) in the input.

use crate::checks::{Check, Ctx, same_name_elsewhere};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW108"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // Service names by namespace, for the nearest-name fix: built on the first finding.
        let mut services: Option<crate::fix::nearest::Names> = None;
        for r in &cx.graph.refs {
            if r.kind != RefKind::BackendRef || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let t = &r.target;
            if (super::is_delegation(t) && t.name == "*") || super::operator_creates(cx, t) {
                continue;
            }
            let what = match super::backend_ref(from, r) {
                Some(b) if b.mirror => "requestMirror backendRef",
                _ => "backendRef",
            };
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: {what} {} {}/{} does not exist (BackendNotFound){}",
                    super::describe(from),
                    t.kind,
                    t.namespace,
                    t.name,
                    super::defaulted_ns_note(r, "backendRef", from)
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
            if let Some(other) = crate::checks::renamed_by_build(cx, from, t) {
                d = d
                    .related(
                        other.name_span(),
                        format!("this build deploys {} `{}` as `{}`", t.kind, t.name, other.key.name),
                    )
                    .help(format!(
                        "kustomize renames the {} to `{}` in this build but rewrites no Gateway API reference: patch the backendRef's name in the overlay that renames it, or teach kustomize the reference with a `configurations:` nameReference entry",
                        t.kind, other.key.name
                    ));
            } else if let Some(other) = same_name_elsewhere(cx, &t.group, &t.kind, &t.name) {
                d = d
                    .related(other.name_span(), format!("{} `{}` exists in namespace `{}`", t.kind, t.name, other.key.namespace))
                    .help(format!(
                        "set `namespace: {}` on the backendRef (a cross-namespace backend also needs a ReferenceGrant in that namespace)",
                        other.key.namespace
                    ));
            } else {
                d = d.help(format!(
                    "fix the name, add the {} to the repository, or declare it under `externals.services` in .gwlint.yaml",
                    t.kind
                ));
                d = cx.info_in_samples(d, from.file, crate::checks::CREATED_BY_COMMAND);
            }
            if t.kind == "Service" && t.group.is_empty() {
                let names = services.get_or_insert_with(|| {
                    crate::fix::nearest::Names::new(cx.graph.objects, "", "Service")
                });
                if let Some(near) = names.nearest(&t.namespace, &t.name) {
                    let title = format!(
                        "Change the backendRef to Service `{near}`, the nearest name in namespace `{}`",
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
