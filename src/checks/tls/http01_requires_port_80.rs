//! TLS225: HTTP-01 for names served only by Gateways without an HTTP listener on port 80.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

/// (solver span, names it cannot validate, Gateways serving them) per (issuer, solver).
type Failing = BTreeMap<(usize, usize), (crate::source::Span, Vec<String>, Vec<usize>)>;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS225"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // Which Gateways serve a name, indexed by listener hostname, so each name is a few
        // lookups rather than a scan of every listener.
        let mut exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcard: HashMap<String, Vec<usize>> = HashMap::new();
        let mut everything: Vec<usize> = Vec::new();
        let mut has_80: HashSet<usize> = HashSet::new();
        for (id, o) in g.objects.iter().enumerate() {
            if !matches!(o.spec, Spec::Gateway(_)) {
                continue;
            }
            for l in crate::graph::attach::listeners_of(o) {
                if l.protocol() == "HTTP" && l.port.as_ref().is_some_and(|p| p.v == 80) {
                    has_80.insert(id);
                }
                if !matches!(l.protocol(), "HTTP" | "HTTPS" | "TLS") {
                    continue;
                }
                match l.hostname.as_ref().map(|h| h.v.to_ascii_lowercase()) {
                    None => everything.push(id),
                    Some(h) if crate::model::read::unresolved(&h) => everything.push(id),
                    Some(h) => match h.strip_prefix("*.") {
                        Some(suffix) => wildcard.entry(suffix.to_string()).or_default().push(id),
                        None => exact.entry(h.to_string()).or_default().push(id),
                    },
                }
            }
        }
        let serving_of = |name: &str| -> Vec<usize> {
            let name = name.to_ascii_lowercase();
            let mut v: Vec<usize> = everything.clone();
            v.extend(exact.get(&name).into_iter().flatten().copied());
            // A listener wildcard matches one or more labels: every proper suffix counts.
            let mut rest = name.as_str();
            while let Some((_, suffix)) = rest.split_once('.') {
                v.extend(wildcard.get(suffix).into_iter().flatten().copied());
                rest = suffix;
            }
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut failing: Failing = BTreeMap::new();
        for n in super::acme_names(cx) {
            let Some((si, solver)) = n.solver else {
                continue;
            };
            if !solver.is_http01() || n.name.v.starts_with("*.") {
                continue;
            }
            let serving = serving_of(&n.name.v);
            if serving.is_empty() || serving.iter().any(|gid| has_80.contains(gid)) {
                continue;
            }
            let entry = failing
                .entry((n.issuer_id, si))
                .or_insert_with(|| (solver.span, Vec::new(), Vec::new()));
            entry.1.push(n.name.v.to_string());
            entry.2.extend(serving);
        }
        for ((issuer, _), (span, names, mut gws)) in failing {
            gws.sort_unstable();
            gws.dedup();
            let o = g.obj(issuer);
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: HTTP-01 validates {} over plain HTTP on port 80, but the Gateways serving {} have no HTTP listener on port 80",
                    o.key,
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" }
                ),
            )
            .label("HTTP-01 solver without a port 80 listener")
            .help("add an HTTP listener on port 80 to the Gateway (a redirect route may keep other traffic on HTTPS), or use DNS-01")
            .on(o);
            d = d.related_each(gws, |gid| {
                let gw = g.obj(gid);
                (
                    gw.name_span(),
                    format!("{} serves the name without an HTTP:80 listener", gw.key),
                )
            });
            out.push(d);
        }
    }
}
