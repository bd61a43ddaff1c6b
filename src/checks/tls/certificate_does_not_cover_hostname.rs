//! TLS208: the certificate a listener serves does not cover a hostname it serves.

use super::Gap;
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS208"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for gap in super::coverage_gaps(cx)
            .iter()
            .filter(|g| g.gap == Gap::NotCovered)
        {
            let mut d = Diagnostic::new(
                self.id(),
                gap.span,
                format!(
                    "`{}` is served by {} but its certificate does not cover it: clients get a name mismatch",
                    gap.host,
                    crate::checks::gw::listener_label(cx.graph, gap.listener)
                ),
            )
            .label("not covered by the certificate")
            .help("add the name to the Certificate's dnsNames (a wildcard `*.example.com` covers exactly one label)")
            .on(gap.at);
            d = d.related_each(gap.related.iter(), |(span, msg)| (*span, msg.clone()));
            if let Some(f) = gap
                .secret
                .and_then(|(ns, name)| dns_name_fix(cx, ns, name, &gap.host))
            {
                d = d.fix(f);
            }
            out.push(d);
        }
    }
}

/// The edit that adds `host` to the dnsNames of the one Certificate that writes Secret
/// `ns/name`, as a new item after the last one, written as that item is. Unsafe: the
/// certificate then asks for one more name, which its issuer must be able to prove.
fn dns_name_fix(cx: &Ctx, ns: &str, name: &str, host: &str) -> Option<crate::fix::Fix> {
    let producers = cx.graph.producers.get(ns, name);
    let [p] = producers else {
        return None;
    };
    let o = cx.obj(p.obj);
    let (crate::graph::ProducerKind::Certificate, crate::model::Spec::Certificate(c)) =
        (&p.kind, &o.spec)
    else {
        return None;
    };
    let last = c.dns_names.last()?;
    let text = cx.text(o.file);
    let item = crate::fix::text::scalar_extent(text, last.span);
    let at = item.start as usize;
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let lead = text.get(line_start..at)?;
    // A block sequence item alone on its line: `  - shop.example.com`.
    if !lead.trim_start().starts_with('-') || lead.trim_start().trim_start_matches('-').trim() != ""
    {
        return None;
    }
    let rest = text.get(item.end as usize..)?;
    let line_end = rest
        .find('\n')
        .map_or(text.len(), |i| item.end as usize + i + 1);
    let tail = text.get(item.end as usize..line_end)?.trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    let value = if crate::fix::text::plain_safe(host) {
        host.to_string()
    } else {
        crate::fix::text::double_quoted(host)
    };
    let brk = crate::fix::text::line_break(text, at);
    let new = if line_end == text.len() && !text.ends_with('\n') {
        format!("{brk}{lead}{value}")
    } else {
        format!("{lead}{value}{brk}")
    };
    Some(crate::fix::Fix::unsafe_(
        format!("Add `{host}` to the dnsNames of Certificate {}", o.key),
        vec![crate::fix::Edit::insert(o.file, line_end as u32, new)],
    ))
}
