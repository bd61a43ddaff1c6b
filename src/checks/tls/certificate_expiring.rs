//! TLS227: a certificate in a Secret manifest that expires soon.

use super::certificate_expired::{date, now};
use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS227"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let now = now();
        let window = cx.config.expiry_warning_days.saturating_mul(86_400);
        for o in cx.graph.objects {
            let Spec::Secret(s) = &o.spec else { continue };
            let Some(c) = &s.cert else { continue };
            if c.not_after < now || c.not_after > now.saturating_add(window) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.id(),
                    c.key_span,
                    format!(
                        "{}: the certificate in tls.crt expires on {} (within {} days)",
                        o.key,
                        date(c.not_after),
                        cx.config.expiry_warning_days
                    ),
                )
                .label("certificate expiring soon")
                .help("renew it before it expires (the window is `tls.expiryWarningDays` in .gwlint.yaml)")
                .on(o),
            );
        }
    }
}
