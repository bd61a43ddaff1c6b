//! TLS205: a certificateRef that is not a core Secret.

use crate::checks::{Check, Ctx};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS205"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (id, o, l) in super::all_listeners(cx.graph) {
            let Some(tls) = &l.tls else { continue };
            for c in &tls.certificate_refs {
                let kind_ok = c.kind_or("Secret") == "Secret";
                let group_ok = matches!(c.group_or(""), "" | "core");
                if kind_ok && group_ok {
                    continue;
                }
                let span = match (&c.kind, &c.group) {
                    (Some(k), _) if !kind_ok => k.span,
                    (_, Some(g)) => g.span,
                    _ => c.span,
                };
                let mut d = Diagnostic::new(
                    self.id(),
                    span,
                    format!(
                        "{}: listener `{}` certificateRef is {}{}, not a core Secret",
                        o.key,
                        l.name(),
                        if c.group_or("").is_empty() { String::new() } else { format!("{}/", c.group_or("")) },
                        c.kind_or("Secret")
                    ),
                )
                .label("not a core Secret")
                .help("certificateRefs should name a core Secret (group \"\", kind Secret) of type kubernetes.io/tls")
                .on(o);
                if super::istio_owner(cx.graph, id.owner) {
                    d = d.severity(Severity::Error);
                    d.message.push_str("; Istio rejects other kinds");
                }
                out.push(d);
            }
        }
    }
}
