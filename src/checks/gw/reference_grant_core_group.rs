//! GW115: a ReferenceGrant spells the core group `core` or `v1`; only `""` matches.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

const CORE_KINDS: &[&str] = &[
    "Secret",
    "Service",
    "ConfigMap",
    "Namespace",
    "ServiceAccount",
    "Pod",
    "Endpoints",
];

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW115"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for o in cx.graph.objects {
            let Spec::ReferenceGrant(grant) = &o.spec else {
                continue;
            };
            for (side, entries) in [("from", &grant.from), ("to", &grant.to)] {
                for e in entries {
                    let (Some(group), Some(kind)) = (&e.group, &e.kind) else {
                        continue;
                    };
                    if !matches!(group.v.as_str(), "core" | "v1")
                        || !CORE_KINDS.contains(&kind.v.as_str())
                    {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            self.id(),
                            group.span,
                            format!(
                                "{}: `{side}` group `{}` for kind {} matches nothing; the core group is written as the empty string",
                                o.key, group.v, kind.v
                            ),
                        )
                        .label("not the core group")
                        .help("write `group: \"\"`")
                        .on(o),
                    );
                }
            }
        }
    }
}
