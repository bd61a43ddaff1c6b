//! SEC404: creation and deletion policies the External Secrets webhook rejects together.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "SEC404"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (o, es) in super::external_secrets(cx.graph.objects) {
            let Some(del) = &es.deletion_policy else {
                continue;
            };
            let creation = es.creation_policy();
            let bad = match del.v.as_str() {
                "Delete" => matches!(creation, "Merge" | "CreateOrMerge" | "None"),
                "Merge" => creation == "None",
                _ => false,
            };
            if !bad {
                continue;
            }
            let mut d = Diagnostic::new(
                self.id(),
                del.span,
                format!("{}: deletionPolicy {} cannot be combined with creationPolicy {creation}; the webhook rejects it", o.key, del.v),
            )
            .label("invalid policy combination")
            .help("deletionPolicy Delete needs a creationPolicy that owns the Secret (Owner); Merge needs one that writes (not None)")
            .on(o);
            if let Some(c) = &es.creation_policy {
                d = d.related(c.span, "creationPolicy");
            }
            out.push(d);
        }
    }
}
