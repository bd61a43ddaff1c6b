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
            // Tests and examples ship dummy credentials on purpose.
            let d = Diagnostic::new(
                self.id(),
                span,
                format!("{} holds values for {} in the repository in plain text", o.key, keys.join(", ")),
            )
            .label("plaintext secret values")
            .help("keep secret values out of Git: use External Secrets, SOPS or sealed secrets, or leave the values empty as placeholders")
            .on(o);
            out.push(cx.info_in_samples(d, o.file, "credentials are often dummies"));
        }
    }
}
