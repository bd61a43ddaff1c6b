//! GW117: listeners of one Gateway (with its attached ListenerSets) that are not distinct.

use std::collections::HashMap;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::attach::ListenerId;
use crate::model::Spec;

pub struct Rule;

fn tcp_mix(a: &str, b: &str) -> bool {
    let web = |p: &str| matches!(p, "HTTP" | "HTTPS" | "TLS");
    (a == "TCP" && web(b)) || (b == "TCP" && web(a))
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW117"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        // ListenerSets merged after the Gateway's own listeners, ordered by namespace/name.
        let mut sets: HashMap<usize, Vec<usize>> = HashMap::new();
        for (&ls, p) in &g.listener_sets {
            if p.admitted.possible() {
                sets.entry(p.gateway).or_default().push(ls);
            }
        }
        for (gid, o) in g.objects.iter().enumerate() {
            let Spec::Gateway(gw) = &o.spec else { continue };
            let mut merged: Vec<ListenerId> = (0..gw.listeners.len())
                .map(|index| ListenerId { owner: gid, index })
                .collect();
            let mut attached = sets.remove(&gid).unwrap_or_default();
            attached.sort_by(|a, b| (&g.obj(*a).key, a).cmp(&(&g.obj(*b).key, b)));
            // A ListenerSet defined more than once (overlays, copies) counts once.
            attached.dedup_by(|a, b| g.obj(*a).key == g.obj(*b).key);
            for ls in attached {
                let n = super::listeners(g.obj(ls)).map(<[_]>::len).unwrap_or(0);
                merged.extend((0..n).map(|index| ListenerId { owner: ls, index }));
            }
            let mut by_port: HashMap<i64, Vec<ListenerId>> = HashMap::new();
            for id in merged {
                let Some(l) = super::listener(g, id) else {
                    continue;
                };
                let Some(port) = &l.port else { continue };
                let earlier = by_port.entry(port.v).or_default();
                let hostname = |x: &crate::model::gateway::Listener| {
                    x.hostname.as_ref().map(|h| h.v.to_ascii_lowercase())
                };
                let clash = earlier.iter().copied().find(|&e| {
                    super::listener(g, e).is_some_and(|el| {
                        (el.protocol() == l.protocol() && hostname(el) == hostname(l))
                            || tcp_mix(el.protocol(), l.protocol())
                    })
                });
                if let Some(e) = clash {
                    let el = super::listener(g, e);
                    let why = if el.is_some_and(|el| el.protocol() == l.protocol()) {
                        format!(
                            "same port {}, protocol {} and hostname {}",
                            port.v,
                            l.protocol(),
                            l.hostname
                                .as_ref()
                                .map(|h| format!("`{}`", h.v))
                                .unwrap_or_else(|| "(none)".into())
                        )
                    } else {
                        format!(
                            "port {} is shared by TCP and {} listeners",
                            port.v,
                            if l.protocol() == "TCP" {
                                el.map(|x| x.protocol()).unwrap_or("?")
                            } else {
                                l.protocol()
                            }
                        )
                    };
                    let mut d = Diagnostic::new(
                        self.id(),
                        port.span,
                        format!(
                            "{} conflicts with {} (Conflicted): {why}",
                            super::listener_label(g, id),
                            super::listener_label(g, e)
                        ),
                    )
                    .label("conflicting listener")
                    .help("give each listener on a port a distinct hostname, or move one to another port")
                    .on(g.obj(id.owner));
                    if let Some(ep) = el.and_then(|x| x.port.as_ref()) {
                        d = d.related(
                            ep.span,
                            format!("{} is defined here", super::listener_label(g, e)),
                        );
                    }
                    out.push(d);
                }
                earlier.push(id);
            }
        }
    }
}
