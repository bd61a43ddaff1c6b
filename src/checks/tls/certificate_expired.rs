//! TLS226: a certificate in a Secret manifest that has expired.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::Spec;

pub struct Rule;

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD` of a Unix time (UTC), for messages.
pub fn date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    // Civil-from-days (proleptic Gregorian), after H. Hinnant's public-domain algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS226"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let now = now();
        for o in cx.graph.objects {
            let Spec::Secret(s) = &o.spec else { continue };
            let Some(c) = &s.cert else { continue };
            if c.not_after >= now {
                continue;
            }
            // Tests and examples embed throwaway certificates that nobody renews.
            let d = Diagnostic::new(
                self.id(),
                c.key_span,
                format!(
                    "{}: the certificate in tls.crt expired on {}",
                    o.key,
                    date(c.not_after)
                ),
            )
            .label("expired certificate")
            .help(
                "renew the certificate, or let cert-manager or External Secrets manage this Secret",
            )
            .on(o);
            out.push(cx.info_in_samples(d, o.file, "certificates are often throwaway"));
        }
    }
}
