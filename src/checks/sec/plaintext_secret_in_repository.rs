//! SEC413: a Secret manifest with values committed in plain text.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC413"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::Secret(s) = &o.spec else { continue };
            if s.sops {
                continue;
            }
            let keys: Vec<&str> = s
                .data_keys
                .iter()
                .chain(&s.string_data_keys)
                .filter(|k| !k.empty && !k.reference)
                .map(|k| k.name.v.as_str())
                .collect();
            if keys.is_empty() {
                continue;
            }
            let Some(span) = s.data_span.or(s.string_data_span) else {
                continue;
            };
            // Tests and examples ship dummy credentials on purpose; whether these are dummies
            // cannot be told, so they are reported, as info.
            let sample = cx.in_sample(o.file);
            let mut d = Diagnostic::new(
                self.id(),
                span,
                format!(
                    "{} holds values for {} in the repository in plain text{}",
                    o.key,
                    keys.join(", "),
                    if sample {
                        " (in a test or example directory, where they are often dummies: info)"
                    } else {
                        ""
                    }
                ),
            )
            .label("plaintext secret values")
            .help("keep secret values out of Git: use External Secrets, SOPS or sealed secrets, or leave the values empty as placeholders")
            .on(o);
            if sample {
                d = d.severity(crate::config::Severity::Info);
            }
            out.push(d);
        }
    }
}
