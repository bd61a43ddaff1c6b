//! IST606: the same credentialName on Istio Gateways that share a workload.

use foldhash::{HashMap, HashMapExt};

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST606"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let gws: Vec<_> = super::gateways(g).collect();
        let mut by_cred: HashMap<&str, Vec<(usize, crate::source::Span)>> = HashMap::new();
        for (gi, (_, _, gw)) in gws.iter().enumerate() {
            for (_, c) in gw
                .credentials()
                .filter(|(_, c)| !crate::graph::istio::opaque(&c.v))
            {
                let list = by_cred.entry(c.v.as_str()).or_default();
                if !list.iter().any(|(i, _)| *i == gi) {
                    list.push((gi, c.span));
                }
            }
        }
        let mut creds: Vec<_> = by_cred.into_iter().filter(|(_, l)| l.len() > 1).collect();
        creds.sort_unstable_by_key(|(c, _)| *c);
        // Gateway index → (credential, its span, the others).
        let mut found: Vec<Option<(&str, crate::source::Span, Vec<usize>)>> = vec![None; gws.len()];
        for (cred, list) in &creds {
            if list.len() > 2000 {
                continue;
            }
            for &(gi, span) in list {
                // Every pod the other Gateway selects is also selected by this one: they are
                // served by the same proxies.
                let others: Vec<usize> = list
                    .iter()
                    .map(|(o, _)| *o)
                    .filter(|&o| {
                        o != gi
                            && gws[o].1.key != gws[gi].1.key
                            && !g.apart(gws[o].0, gws[gi].0)
                            && super::selector_subset(&gws[gi].2.selector, &gws[o].2.selector)
                    })
                    .collect();
                if !others.is_empty() && found[gi].is_none() {
                    found[gi] = Some((cred, span, others));
                }
            }
        }
        for (gi, f) in found.into_iter().enumerate() {
            let Some((cred, span, others)) = f else {
                continue;
            };
            let o = gws[gi].1;
            let names: Vec<String> = others.iter().map(|&x| gws[x].1.key.to_string()).collect();
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{}: credentialName `{cred}` is also used by {} on the same gateway workload; browsers reuse one HTTP/2 connection for every host the certificate covers, and requests for the other Gateway's hosts then get 404 (istioctl: IST0138)",
                    o.key,
                    names.join(", ")
                ),
            )
            .label("certificate shared with another Gateway")
            .on(o);
            for &x in &others {
                if let Some((_, c)) = gws[x].2.credentials().find(|(_, c)| c.v == cred) {
                    d = d.related(c.span, format!("{} uses `{cred}` too", gws[x].1.key));
                }
            }
            out.push(d.help(
                "give each Gateway its own certificate, or merge the servers into one Gateway",
            ));
        }
    }
}
