//! SEC403: an ExternalSecret in a namespace a ClusterSecretStore's conditions exclude.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach::{Admit, namespace_admits};
use crate::graph::{RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC403"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for r in &g.refs {
            let (RefKind::SecretStoreRef, Resolution::Object(sid)) = (r.kind, &r.resolution) else {
                continue;
            };
            if r.target.kind != "ClusterSecretStore" {
                continue;
            }
            let from = g.obj(r.from);
            if !matches!(from.spec, Spec::ExternalSecret(_)) {
                continue;
            }
            let store = g.obj(*sid);
            let Spec::SecretStore(s) = &store.spec else {
                continue;
            };
            if s.conditions.is_empty() {
                continue;
            }
            let ns = &from.key.namespace;
            let admitted = s.conditions.iter().any(|c| {
                c.namespaces.iter().any(|n| n == ns)
                    || c.regexes.iter().any(|re| {
                        regex::Regex::new(re)
                            .map(|re| re.is_match(ns))
                            .unwrap_or(true)
                    })
                    || c.selector.as_ref().is_some_and(|sel| {
                        namespace_admits(g, "Selector", Some(sel), "", ns) != Admit::No
                    })
            });
            if admitted {
                continue;
            }
            let mut d = Diagnostic::new(
                self.id(),
                r.span,
                format!("{}: {} does not allow namespace `{ns}` (its spec.conditions match no condition)", from.key, store.key),
            )
            .label("namespace not allowed by the store")
            .help(format!("add `{ns}` to one of the store's conditions (namespaces, namespaceSelector or namespaceRegexes)"))
            .on(from);
            if let Some(span) = s.conditions_span {
                d = d.related(span, "the store's conditions");
            }
            out.push(d);
        }
    }
}
