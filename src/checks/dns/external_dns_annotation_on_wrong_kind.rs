//! DNS311: an external-dns annotation on a kind its Gateway API sources do not read it from:
//! `target` is read from Gateways, `hostname` and `ttl` from routes (domain §6.2).

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ObjId;
use crate::model::{GATEWAY_GROUP, Object, Spec};
use crate::source::{Sp, Text};
use std::collections::HashMap;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS311"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        // With `--annotation-filter=<prefix>target`, external-dns reads only the routes that
        // carry the annotation: there it selects the route, and is not without effect.
        let mut filters: Vec<&str> = Vec::new();
        for o in cx.graph.objects {
            match &o.spec {
                Spec::HelmRelease(h) => {
                    filters.extend(h.annotation_filters.iter().map(String::as_str));
                }
                Spec::Workload(w) => filters.extend(
                    w.external_dns
                        .iter()
                        .flat_map(|a| a.annotation_filters.iter().map(String::as_str)),
                ),
                _ => {}
            }
        }
        // Each route's parents (Gateways and ListenerSets of the input), one entry per
        // parentRef; `None` where a parentRef resolves to nothing in the input. Made only for
        // a route with a `target`, which few repositories have.
        let parents = std::cell::OnceCell::new();
        let parents = || {
            parents.get_or_init(|| {
                let mut m: HashMap<ObjId, Vec<Option<ObjId>>> = HashMap::new();
                for a in &cx.graph.attachments {
                    m.entry(a.route).or_default().push(a.parent);
                }
                m
            })
        };
        for (id, o) in cx.graph.objects.iter().enumerate() {
            let route = o.is_route();
            let gateway = o.key.group == GATEWAY_GROUP && matches!(o.spec, Spec::Gateway(_));
            if !route && !gateway {
                continue;
            }
            for (k, v) in &o.meta.annotations {
                let Some((prefix, name)) = super::external_dns_annotation(&k.v) else {
                    continue;
                };
                let (why, help) = match name {
                    "target" if route && filters.iter().any(|f| f.contains(k.v.as_str())) => {
                        continue;
                    }
                    // Ignored, but every parent already publishes this very target: the
                    // records are what the author wrote, so nothing is lost.
                    "target"
                        if route
                            && parents_agree(cx, o, parents().get(&id).map(Vec::as_slice), v) =>
                    {
                        continue;
                    }
                    "target" if route => (
                        "external-dns reads `target` from the Gateway (or ListenerSet) the route attaches to, not from routes",
                        format!("move `{prefix}target` to the parent Gateway"),
                    ),
                    "hostname" | "ttl" if gateway => (
                        "external-dns reads `hostname` and `ttl` from routes; on a Gateway it is ignored",
                        format!(
                            "put `{prefix}{name}` on the routes (or set the hostnames in their spec.hostnames)"
                        ),
                    ),
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(
                        self.id(),
                        k.span,
                        format!("{}: `{}` has no effect here: {why}", o.key, k.v),
                    )
                    .label("ignored by external-dns")
                    .help(help)
                    .on(o),
                );
            }
        }
    }
}

/// Whether every parentRef of `route` resolves to a Gateway or ListenerSet whose own `target`
/// annotation (either prefix) is `value`. A value with a variable is not compared: the route
/// and the Gateway may be substituted by different Flux Kustomizations.
fn parents_agree(
    cx: &Ctx,
    route: &Object,
    parents: Option<&[Option<ObjId>]>,
    value: &Sp<Text>,
) -> bool {
    let Spec::Route(r) = &route.spec else {
        return false;
    };
    let Some(parents) = parents else {
        return false;
    };
    let value = value.v.trim();
    if value.is_empty() || crate::model::read::unresolved(value) {
        return false;
    }
    parents.len() == r.parent_refs.len()
        && !parents.is_empty()
        && parents.iter().all(|p| {
            p.is_some_and(|p| {
                cx.graph.obj(p).meta.annotations.iter().any(|(k, v)| {
                    super::external_dns_annotation(&k.v).is_some_and(|(_, n)| n == "target")
                        && v.v.trim().eq_ignore_ascii_case(value)
                })
            })
        })
}
