//! IST618: ServiceEntries visible in the same namespace define one host and port with different
//! protocols.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::ObjId;
use crate::model::Spec;
use crate::model::istio::{ServiceEntry, ServiceEntryPort};
use crate::source::Span;

pub struct Rule;

/// Where a ServiceEntry is visible: every namespace (`"*"`, no exportTo or `*` in it), or the
/// namespaces it names (`.` is its own). `~` (visible nowhere) gives no scope.
fn scopes<'a>(se: &'a ServiceEntry, ns: &'a str) -> Vec<&'a str> {
    if se.export_to.is_empty() || se.export_to.iter().any(|e| e.v == "*") {
        return vec!["*"];
    }
    let mut out: Vec<&str> = se
        .export_to
        .iter()
        .filter(|e| e.v != "~")
        .map(|e| if e.v == "." { ns } else { e.v.as_str() })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A port's protocol as Istio compares them: upper case; unset is its own value.
fn protocol(p: &ServiceEntryPort) -> String {
    p.protocol
        .as_ref()
        .map_or_else(String::new, |x| x.v.to_ascii_uppercase().to_string())
}

fn shown(protocol: &str) -> &str {
    if protocol.is_empty() {
        "(unset)"
    } else {
        protocol
    }
}

/// One port of one ServiceEntry under one host.
#[derive(Clone, Copy)]
struct Entry<'m> {
    se: ObjId,
    port: &'m ServiceEntryPort,
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST618"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // (scope, host, port) → entries, in a stable order for deterministic reports.
        let mut index: BTreeMap<(&str, &str, i64), Vec<Entry>> = BTreeMap::new();
        for (id, o) in g.objects.iter().enumerate() {
            let Spec::ServiceEntry(se) = &o.spec else {
                continue;
            };
            for scope in scopes(se, &o.key.namespace) {
                for h in &se.hosts {
                    if crate::graph::istio::opaque(&h.v) {
                        continue;
                    }
                    for p in &se.port_specs {
                        index
                            .entry((scope, h.v.as_str(), p.number.v))
                            .or_default()
                            .push(Entry { se: id, port: p });
                    }
                }
            }
        }
        let mut reported: Vec<bool> = vec![false; g.objects.len()];
        for (&(scope, host, port), entries) in &index {
            // A namespace also sees what is exported everywhere.
            let mut all: Vec<Entry> = entries.clone();
            if scope != "*"
                && let Some(everywhere) = index.get(&("*", host, port))
            {
                all.extend(everywhere.iter().copied());
            }
            for all in g.cluster_groups(all, |e| e.se) {
                self.report(g, (scope, host, port), &all, &mut reported, out);
            }
        }
    }
}

impl Rule {
    /// Reports the ServiceEntries of one (scope, host, port) that may meet in one cluster.
    fn report(
        &self,
        g: &crate::graph::Graph,
        (scope, host, port): (&str, &str, i64),
        all: &[Entry],
        reported: &mut [bool],
        out: &mut Vec<Diagnostic>,
    ) {
        {
            // The same object defined twice (two copies of one manifest) is one ServiceEntry.
            let Some(first) = all.first().map(|e| g.obj(e.se)) else {
                return;
            };
            if all.iter().all(|e| g.obj(e.se).key == first.key) {
                return;
            }
            let mut protocols: Vec<String> = all.iter().map(|e| protocol(e.port)).collect();
            protocols.sort_unstable();
            protocols.dedup();
            if protocols.len() < 2 {
                return;
            }
            let listed = protocols
                .iter()
                .map(|p| shown(p))
                .collect::<Vec<_>>()
                .join(", ");
            for e in all {
                if std::mem::replace(&mut reported[e.se], true) {
                    continue;
                }
                let o = g.obj(e.se);
                let mine = protocol(e.port);
                let span: Span = e
                    .port
                    .protocol
                    .as_ref()
                    .map_or(e.port.number.span, |p| p.span);
                let mut d = Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{}: host `{host}` port {port} is {} here, while another ServiceEntry visible in {} gives it another (protocols in use: {listed}): a proxy handles a host and port with one protocol, so one definition silently overrides the other (istioctl: IST0177)",
                        o.key,
                        shown(&mine),
                        if scope == "*" {
                            "every namespace".to_string()
                        } else {
                            format!("namespace `{scope}`")
                        },
                    ),
                )
                .label(format!("{} on port {port}", shown(&mine)))
                .help("give every ServiceEntry of this host and port the same protocol, or keep them apart with exportTo")
                .on(o);
                let mut seen: Vec<ObjId> = Vec::new();
                for other in all.iter().filter(|x| protocol(x.port) != mine) {
                    if seen.contains(&other.se) || seen.len() >= 20 {
                        continue;
                    }
                    seen.push(other.se);
                    let oo = g.obj(other.se);
                    let at = other
                        .port
                        .protocol
                        .as_ref()
                        .map_or(other.port.number.span, |p| p.span);
                    d = d.related(
                        at,
                        format!(
                            "{}: {} on port {port}",
                            oo.key,
                            shown(&protocol(other.port))
                        ),
                    );
                }
                out.push(d);
            }
        }
    }
}
