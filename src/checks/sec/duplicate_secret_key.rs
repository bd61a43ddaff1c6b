//! SEC411: a repeated `data[].secretKey`.

use crate::checks::{Check, Ctx};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC411"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (o, es) in super::external_secrets(cx.graph.objects) {
            let retain = es.deletion_policy.as_ref().is_none_or(|d| d.v == "Retain");
            for (i, k) in es.secret_keys.iter().enumerate() {
                let Some(first) = es.secret_keys[..i].iter().find(|p| p.v == k.v) else {
                    continue;
                };
                let mut d = Diagnostic::new(
                    self.id(),
                    k.span,
                    format!(
                        "{}: secretKey `{}` appears more than once; {}",
                        o.key,
                        k.v,
                        if retain {
                            "the webhook rejects it"
                        } else {
                            "the last entry silently wins"
                        }
                    ),
                )
                .label("duplicate secretKey")
                .related(first.span, "first used here")
                .help("give each data entry its own secretKey")
                .on(o);
                if !retain {
                    d = d.severity(Severity::Warning);
                }
                out.push(d);
            }
        }
    }
}
