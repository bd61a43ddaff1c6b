//! Core kinds the graph reads: Service and Secret.

use super::read::Reader;
use crate::load::tree::{Node, Value};
use crate::source::Text;
use crate::source::{Sp, Span};

#[derive(Clone, Debug)]
pub struct Service {
    pub type_: Option<Sp<Text>>,
    pub ports: Vec<ServicePort>,
    pub ports_span: Option<Span>,
    /// `spec.selector`: the labels of the pods behind the Service.
    pub selector: Vec<(Sp<Text>, Sp<Text>)>,
}

#[derive(Clone, Debug)]
pub struct ServicePort {
    pub name: Option<Sp<Text>>,
    pub port: Option<Sp<i64>>,
    /// Numeric targetPort only (a named targetPort is a container port name).
    pub target_port: Option<i64>,
    /// `protocol`; absent is TCP.
    pub protocol: Option<Sp<Text>>,
    pub span: Span,
}

impl Service {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        Service {
            type_: r.str(spec, "type"),
            selector: r.string_map(spec, "selector"),
            ports_span: r.field(spec, "ports").map(|p| p.span),
            ports: r
                .maps(spec, "ports")
                .into_iter()
                .map(|p| ServicePort {
                    name: r.str(p, "name"),
                    port: r.int(p, "port"),
                    target_port: match p.get("targetPort").map(|t| &t.value) {
                        Some(Value::Int(i)) => Some(*i),
                        _ => None,
                    },
                    protocol: r.str(p, "protocol"),
                    span: p.span,
                })
                .collect(),
        }
    }

    pub fn is_external_name(&self) -> bool {
        self.type_.as_ref().is_some_and(|t| t.v == "ExternalName")
    }
}

/// One key of a Secret's `data` or `stringData`; the value itself is never kept.
#[derive(Clone, Debug)]
pub struct SecretKey {
    pub name: Sp<Text>,
    pub empty: bool,
    /// The value is a reference resolved elsewhere (`op://…`, `ref+…`, `<path:…>`, `${VAR}`),
    /// or a placeholder for the reader to fill in (`<YOUR_TOKEN>`, `OPENAI_API_KEY`), not the
    /// secret itself. Under `data`, judged on the decoded value.
    pub reference: bool,
    /// The value is a placeholder word (`example`, `dummy`), a redaction mark (`xxxx`) or
    /// repeats its own key: what samples write so that the manifest applies, not a credential.
    pub dummy: bool,
    /// The value is a well-known default credential (`password`, `changeme`, `admin`): written
    /// as a stand-in by samples, but a real, guessable credential wherever it is deployed.
    pub weak_default: bool,
    /// The value is a URI without a password (in its userinfo or its query): it says where to
    /// connect, not how to authenticate.
    pub locator: bool,
}

/// Words that authors write where a value goes when they have none, and that no one uses as a
/// credential: committing them gives nothing away.
const PLACEHOLDER_WORDS: &[&str] = &["username", "user", "example", "dummy", "placeholder"];

/// Default credentials that every password guesser tries first. Samples write them as
/// stand-ins, and the same words ship in manifests that are deployed as they are.
const WEAK_DEFAULT_WORDS: &[&str] = &[
    "password", "passwd", "changeme", "changeit", "admin", "secret", "test",
];

/// A placeholder word, a redaction mark (`xxxx`, `****`), or the key's own name when that is no
/// well-known default (`api-token: api-token`, but not `password: password`).
fn is_dummy(key: &str, v: &str) -> bool {
    let v = v.trim();
    PLACEHOLDER_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || (v.len() >= 3
            && (v.chars().all(|c| c == 'x' || c == 'X') || v.chars().all(|c| c == '*')))
        || (!v.is_empty() && v.eq_ignore_ascii_case(key.trim()) && !is_weak_default(v))
}

/// A well-known default credential.
fn is_weak_default(v: &str) -> bool {
    let v = v.trim();
    WEAK_DEFAULT_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
}

/// A URI (`scheme://…`) that carries no password: none after a colon in its userinfo, and no
/// query parameter named like a password, token or signature.
fn is_locator(v: &str) -> bool {
    let v = v.trim();
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | ':'));
    if !scheme_ok || v.contains(char::is_whitespace) {
        return false;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or(rest);
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if userinfo.contains(':') {
            return false;
        }
    }
    let query = v.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    !query.split('&').any(|param| {
        let name = param.split('=').next().unwrap_or("").to_ascii_lowercase();
        [
            "pass",
            "pwd",
            "secret",
            "token",
            "apikey",
            "api_key",
            "sig",
            "credential",
        ]
        .iter()
        .any(|w| name.contains(w))
    })
}

/// The value as the reader sees it: under `data` the decoded text when it decodes to text
/// (short values only: dummies are short), and the value as written in every case.
fn readings(v: &str, encoded: bool) -> Vec<String> {
    use base64::Engine;
    let mut out = vec![v.to_string()];
    if encoded {
        let b64: String = v.split_whitespace().collect();
        if b64.len() <= 4096 {
            if let Some(s) = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                out.push(s);
            }
        }
    }
    out
}

/// A value that stands for a secret rather than being one: what samples and test harnesses
/// write where the reader or the harness puts the real value. Only whole values count: an
/// all-capitals identifier with an underscore (`OPENAI_API_KEY`, the name of the variable to
/// export), one in angle brackets or braces (`<YOUR_API_TOKEN>`, `{API_KEY}`), or an empty
/// JSON object.
fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    let ident = |s: &str| {
        s.len() >= 3
            && s.contains('_')
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    let inner = |open: char, close: char| {
        v.strip_prefix(open)
            .and_then(|x| x.strip_suffix(close))
            .is_some_and(|x| !x.is_empty() && !x.contains(['<', '>', '{', '}', '\n']))
    };
    ident(v)
        || inner('<', '>')
        || v.strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .is_some_and(ident)
        || v == "{}"
}

/// `reference` for a value under `data`: the same test on the decoded text (a value that does
/// not decode is not a placeholder).
fn is_reference_b64(v: &str) -> bool {
    use base64::Engine;
    if is_reference(v) {
        return true;
    }
    let b64: String = v.split_whitespace().collect();
    // Placeholders are short; a long value is not decoded only to be dropped.
    if b64.len() > 256 {
        return false;
    }
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| is_reference(&s))
}

fn is_reference(v: &str) -> bool {
    let v = v.trim();
    v.starts_with("op://")
        || v.starts_with("ref+")
        || v.starts_with("<path:")
        || v.starts_with("vault:")
        || v.starts_with("ENC[")
        || v.contains("${")
        || is_placeholder(v)
}

/// What gwlint learns from a PEM certificate in a Secret manifest (never the bytes).
#[derive(Clone, Debug)]
pub struct CertInfo {
    /// DNS subject alternative names and the common name.
    pub names: Vec<String>,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// The `tls.crt` key.
    pub key_span: Span,
}

/// A Secret manifest. Only key names are kept; values are never copied out of the tree.
#[derive(Clone, Debug)]
pub struct Secret {
    pub type_: Option<Sp<Text>>,
    pub data_keys: Vec<SecretKey>,
    pub string_data_keys: Vec<SecretKey>,
    /// The `data:` and `stringData:` keys.
    pub data_span: Option<Span>,
    pub string_data_span: Option<Span>,
    /// The document carries SOPS metadata, so its values are encrypted.
    pub sops: bool,
    /// The certificate in `tls.crt`, when it parses.
    pub cert: Option<CertInfo>,
    /// `tls.crt` and `cert` (the generic key names Istio also reads), as found.
    pub tls_crt: Pem,
    pub generic_cert: Pem,
}

/// What a certificate key of a Secret manifest holds.
#[derive(Clone, Debug, Default)]
pub enum Pem {
    /// No such key, an empty value, or a reference resolved elsewhere (`${VAR}`, `op://…`).
    #[default]
    Absent,
    /// A value that is not a base64 PEM certificate (under `data`) or a PEM certificate
    /// (under `stringData`).
    Unreadable(Span),
    Cert(CertInfo),
}

impl Secret {
    /// `root` is the whole object: Secret has no `spec`.
    pub fn read(r: &mut Reader, root: &Node) -> Self {
        let keys = |r: &mut Reader, field: &str| -> (Vec<SecretKey>, Option<Span>) {
            let encoded = field == "data";
            let span = root.entry(field).map(|(k, _)| k.span);
            let Some(m) = r.map(root, field) else {
                return (Vec::new(), span);
            };
            let keys = m
                .as_map()
                .unwrap_or(&[])
                .iter()
                .filter_map(|(k, v)| {
                    let texts = v.as_str().map(|x| readings(x, encoded)).unwrap_or_default();
                    k.as_str().map(|s| SecretKey {
                        dummy: texts.iter().any(|t| is_dummy(s, t)),
                        // Under `data` the value is what the text decodes to: `password` there
                        // is six bytes of binary, not the word.
                        weak_default: texts
                            .get(usize::from(encoded))
                            .is_some_and(|t| is_weak_default(t)),
                        // Under `data` a URI is judged decoded: its raw form never has `://`.
                        locator: texts.last().is_some_and(|t| is_locator(t)),
                        name: Sp::new(s.into(), k.span),
                        empty: match &v.value {
                            Value::Null => true,
                            Value::Str(x) => x.trim().is_empty(),
                            _ => false,
                        },
                        reference: v.as_str().is_some_and(|s| {
                            if encoded {
                                is_reference_b64(s)
                            } else {
                                is_reference(s)
                            }
                        }),
                    })
                })
                .collect();
            (keys, span)
        };
        let (data_keys, data_span) = keys(r, "data");
        let (string_data_keys, string_data_span) = keys(r, "stringData");
        let sops = root.get("sops").is_some_and(|s| s.as_map().is_some());
        Secret {
            type_: r.str(root, "type"),
            data_keys,
            string_data_keys,
            data_span,
            string_data_span,
            sops,
            cert: match pem(root, "tls.crt") {
                Pem::Cert(c) => Some(c),
                _ => None,
            },
            tls_crt: if sops {
                Pem::Absent
            } else {
                pem(root, "tls.crt")
            },
            generic_cert: if sops { Pem::Absent } else { pem(root, "cert") },
        }
    }

    /// Whether a key is present with a non-empty value.
    pub fn has(&self, key: &str) -> bool {
        self.data_keys
            .iter()
            .chain(&self.string_data_keys)
            .any(|k| k.name.v == key && !k.empty)
    }

    pub fn type_name(&self) -> &str {
        self.type_
            .as_ref()
            .map(|t| t.v.as_str())
            .unwrap_or("Opaque")
    }
}

/// Reads the first certificate of `key` (base64 under `data`, PEM under `stringData`).
fn pem(root: &Node, key: &str) -> Pem {
    use base64::Engine;
    let entry = |field: &str| {
        root.get(field).and_then(|d| d.entry(key)).filter(|(_, v)| {
            v.as_str()
                .is_some_and(|s| !s.trim().is_empty() && !is_reference(s))
        })
    };
    let (key_span, bytes): (Span, Option<Vec<u8>>) = if let Some((k, v)) = entry("data") {
        let b64: String = v.as_str().unwrap_or("").split_whitespace().collect();
        (
            k.span,
            base64::engine::general_purpose::STANDARD.decode(b64).ok(),
        )
    } else if let Some((k, v)) = entry("stringData") {
        (k.span, Some(v.as_str().unwrap_or("").as_bytes().to_vec()))
    } else {
        return Pem::Absent;
    };
    match bytes.as_deref().and_then(|b| certificate(b, key_span)) {
        Some(c) => Pem::Cert(c),
        None => Pem::Unreadable(key_span),
    }
}

/// Parses the first PEM certificate of `pem`.
fn certificate(pem: &[u8], key_span: Span) -> Option<CertInfo> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    let mut names: Vec<String> = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(d) = n {
                names.push(d.to_string());
            }
        }
    }
    for cn in cert.subject().iter_common_name() {
        if let Ok(s) = cn.as_str() {
            names.push(s.to_string());
        }
    }
    Some(CertInfo {
        names,
        not_after: cert.validity().not_after.timestamp(),
        key_span,
    })
}

/// Byte ranges of every value under a Secret's `data`/`stringData`, and of the
/// last-applied-configuration annotation (which repeats them).
pub fn secret_value_ranges(root: &Node) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for field in ["data", "stringData"] {
        if let Some(n) = root.get(field) {
            match &n.value {
                Value::Map(entries) => out.extend(entries.iter().map(|(_, v)| v.span.range())),
                _ => out.push(n.span.range()),
            }
        }
    }
    if let Some(v) = root
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("kubectl.kubernetes.io/last-applied-configuration"))
    {
        out.push(v.span.range());
    }
    out
}
