//! IST615: a DestinationRule originates TLS (`SIMPLE` or `MUTUAL`) without a CA to verify the
//! server's certificate.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST615"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for (_, o, dr) in super::destination_rules(cx.graph) {
            let host = dr.host.as_ref().map_or("", |h| h.v.as_str());
            for tls in &dr.tls {
                let Some(mode) = tls.mode.as_ref().filter(|_| tls.originates()) else {
                    continue;
                };
                // A credentialName gives the CA (`ca.crt`) only to the gateways a
                // workloadSelector names; sidecars ignore it.
                let verified = tls.ca_certificates
                    || tls.insecure_skip_verify
                    || (tls.credential_name.is_some() && dr.workload_selector);
                if verified {
                    continue;
                }
                let at = match tls.port {
                    Some(p) => format!(" at port {p}"),
                    None => String::new(),
                };
                let code = if tls.port.is_some() {
                    "IST0129"
                } else {
                    "IST0128"
                };
                out.push(
                    Diagnostic::new(
                        self.id(),
                        mode.span,
                        format!(
                            "{}: TLS mode {} for host `{host}`{at} sets no caCertificates: the server's certificate is checked against the proxy's system CA bundle at best (Istio 1.20 and later) and not at all before, never against a private CA (istioctl: {code})",
                            o.key, mode.v
                        ),
                    )
                    .label("server identity not verified")
                    .help(if tls.credential_name.is_some() {
                        "credentialName supplies the CA only with a workloadSelector (gateways); set caCertificates, or add the workloadSelector"
                    } else {
                        "set caCertificates to the CA bundle path, or credentialName with a workloadSelector on a gateway"
                    })
                    .on(o),
                );
            }
        }
    }
}
