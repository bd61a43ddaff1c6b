//! DNS312: an external-dns annotation with a prefix the target external-dns does not read
//! (`external-dns.alpha.kubernetes.io/` until v0.21, `external-dns.kubernetes.io/` from v0.22).

use crate::checks::{Check, Ctx};
use crate::config::Version;
use crate::diagnostic::Diagnostic;

use super::{PREFIX_ALPHA, PREFIX_V022};

pub struct Rule;

fn prefix_of(v: (u32, u32)) -> &'static str {
    if Version::new(v.0, v.1) >= Version::new(0, 22) {
        PREFIX_V022
    } else {
        PREFIX_ALPHA
    }
}

/// The prefix external-dns reads, and why gwlint thinks so; `None` when nothing says.
fn expected(cx: &Ctx) -> Option<(String, String, Option<crate::source::Span>)> {
    if let Some(v) = cx.config.targets.external_dns {
        return Some((
            prefix_of((v.major, v.minor)).to_string(),
            format!("`targets.externalDNS` is {v}"),
            None,
        ));
    }
    let instances = &cx.graph.dns.external_dns;
    let mut found: Vec<(String, String, Option<crate::source::Span>)> = instances
        .iter()
        .filter_map(|(id, a)| {
            let o = cx.obj(*id);
            if let Some(p) = &a.annotation_prefix {
                return Some((
                    p.v.to_string(),
                    format!("{} sets --annotation-prefix={}", o.key, p.v),
                    Some(p.span),
                ));
            }
            a.version.map(|v| {
                (
                    prefix_of(v).to_string(),
                    format!("{} runs external-dns v{}.{}", o.key, v.0, v.1),
                    Some(a.span),
                )
            })
        })
        .collect();
    // Instances that disagree (or say nothing) leave the prefix open.
    if found.is_empty() || found.len() != instances.len() {
        return None;
    }
    let first = found.swap_remove(0);
    found.iter().all(|(p, _, _)| *p == first.0).then_some(first)
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS312"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some((prefix, why, at)) = expected(cx) else {
            return;
        };
        for o in cx.graph.objects {
            for (k, _) in &o.meta.annotations {
                let Some((written, name)) = super::external_dns_annotation(&k.v) else {
                    continue;
                };
                if written == prefix {
                    continue;
                }
                let mut d = Diagnostic::new(
                    self.id(),
                    k.span,
                    format!(
                        "{}: `{}` is not read: {why}, which reads annotations prefixed `{prefix}`",
                        o.key, k.v
                    ),
                )
                .label("prefix external-dns does not read")
                .help(format!("write `{prefix}{name}`, or set `targets.externalDNS` in .gwlint.yaml to the release you run"))
                .on(o);
                if let Some(span) = at {
                    d = d.related(span, "the external-dns that reads the annotations");
                }
                out.push(d);
            }
        }
    }
}
