//! IST603: the Secret an Istio Gateway's credentialName resolves to cannot serve TLS: neither
//! `tls.crt`/`tls.key` nor `cert`/`key` set, a certificate that does not parse, or one that
//! has expired.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::Spec;
use crate::model::core::{Pem, Secret};

pub struct Rule;

/// Why Istio rejects the credential, and where in the Secret.
fn problem(s: &Secret, now: i64) -> Option<(String, Option<crate::source::Span>)> {
    let pair = |cert: &str, key: &str| s.has(cert) && s.has(key);
    let opaque = |k: &str| {
        s.data_keys
            .iter()
            .chain(&s.string_data_keys)
            .any(|x| x.name.v == k && x.reference)
    };
    // Values gwlint cannot read (references, encrypted) are not judged.
    if ["tls.crt", "tls.key", "cert", "key"]
        .iter()
        .any(|k| opaque(k))
    {
        return None;
    }
    let pem = if pair("tls.crt", "tls.key") {
        &s.tls_crt
    } else if pair("cert", "key") {
        &s.generic_cert
    } else {
        let have: Vec<&str> = s
            .data_keys
            .iter()
            .chain(&s.string_data_keys)
            .map(|k| k.name.v.as_str())
            .collect();
        return Some((
            format!(
                "it has neither `tls.crt` and `tls.key` nor `cert` and `key` with values (keys: {})",
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ),
            s.data_span.or(s.string_data_span),
        ));
    };
    match pem {
        Pem::Unreadable(span) => Some((
            "its certificate is not a PEM certificate".into(),
            Some(*span),
        )),
        Pem::Cert(c) if c.not_after < now => Some((
            format!(
                "its certificate expired on {}",
                crate::checks::tls::certificate_expired::date(c.not_after)
            ),
            Some(c.key_span),
        )),
        _ => None,
    }
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST603"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let now = crate::checks::tls::certificate_expired::now();
        for r in &g.refs {
            let (RefKind::IstioCredential, Resolution::Object(sid)) = (r.kind, &r.resolution)
            else {
                continue;
            };
            // Every definition of the Secret must be unusable (overlays may define it twice).
            let all = g.all(&g.obj(*sid).key);
            let mut found = None;
            let mut every = true;
            for &id in all {
                let o = g.obj(id);
                let Spec::Secret(s) = &o.spec else {
                    every = false;
                    break;
                };
                if s.sops {
                    every = false;
                    break;
                }
                match problem(s, now) {
                    Some(p) => {
                        found.get_or_insert((o, p));
                    }
                    None => {
                        every = false;
                        break;
                    }
                }
            }
            let (true, Some((secret, (why, span)))) = (every, found) else {
                continue;
            };
            let from = cx.obj(r.from);
            out.push(
                Diagnostic::new(
                    self.id(),
                    r.span,
                    format!(
                        "{}: credentialName `{}` names {}, which Istio cannot use: {why} (istioctl: IST0161)",
                        from.key, r.target.name, secret.key
                    ),
                )
                .label("unusable TLS credential")
                .related(span.unwrap_or(secret.name_span()), format!("{}: {why}", secret.key))
                .help("store the certificate chain under `tls.crt` and the private key under `tls.key` (type kubernetes.io/tls), PEM-encoded and current")
                .on(from),
            );
        }
    }
}
