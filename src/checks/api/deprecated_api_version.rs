//! API502: an `apiVersion` that is served but deprecated by the target.

use super::served::{self, Status};
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "API502"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let t = &cx.config.targets;
        for (obj, v, version) in super::verdicts(cx) {
            if v.status != Status::Deprecated {
                continue;
            }
            // With the channel unknown, a version only the experimental channel serves is
            // deprecated there and not served at all by the standard channel: say both.
            let where_ = if v.product == served::Product::GatewayApi
                && t.gateway_api_channel.is_none()
                && !v.in_standard_channel(version, t)
            {
                format!(
                    "the experimental channel of Gateway API {} (its standard channel does not serve it at all)",
                    t.gateway_api
                )
            } else {
                served::target_label(v.product, t)
            };
            let mut d = Diagnostic::new(
                self.id(),
                obj.api_version.span,
                format!(
                    "{}: {} is deprecated in {where_}; served versions of {}: {}. A later release stops serving it",
                    obj.key,
                    obj.api_version.v,
                    obj.key.kind,
                    v.served_list(t)
                ),
            )
            .label("deprecated version")
            .on(obj);
            if let Some(help) = super::use_instead(&v, cx, version) {
                d = d.help(help);
            }
            if let Some(f) = super::version_fix(&v, cx, obj, version) {
                d = d.fix(f);
            }
            out.push(d);
        }
    }
}
