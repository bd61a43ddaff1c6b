//! TLS207: a listener's Secret is not of type kubernetes.io/tls.

use std::collections::HashSet;

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{ProducerKind, RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "TLS207"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        let mut seen = HashSet::new();
        // The producers of a Secret are read for the first reference to it only: those of a
        // Secret many listeners use would otherwise be walked once per listener.
        let mut secrets = HashSet::new();
        for r in &g.refs {
            if r.kind != RefKind::CertificateRef
                || r.target.kind != "Secret"
                || !r.target.group.is_empty()
            {
                continue;
            }
            if !matches!(r.resolution, Resolution::Object(_) | Resolution::Produced) {
                continue;
            }
            if !secrets.insert((r.target.namespace.as_str(), r.target.name.as_str())) {
                continue;
            }
            for p in g.producers.get(&r.target.namespace, &r.target.name) {
                if !seen.insert(p.obj) {
                    continue;
                }
                let o = g.obj(p.obj);
                let mut fix = None;
                let finding = match (&p.kind, &o.spec) {
                    (ProducerKind::Manifest, Spec::Secret(s))
                        if s.type_name() != "kubernetes.io/tls"
                            && !super::implementation_type(s.type_name()) =>
                    {
                        let span = s.type_.as_ref().map(|t| t.span).unwrap_or(o.name_span());
                        fix = type_fix(cx, o, s);
                        Some((
                            span,
                            format!(
                                "{} has type {}, not kubernetes.io/tls",
                                o.key,
                                s.type_name()
                            ),
                        ))
                    }
                    (ProducerKind::ExternalSecret, Spec::ExternalSecret(es)) => {
                        match &es.template_type {
                            Some(t) if t.v == "kubernetes.io/tls" => None,
                            Some(t) => Some((
                                t.span,
                                format!(
                                    "{} creates the Secret with type {}, not kubernetes.io/tls",
                                    o.key, t.v
                                ),
                            )),
                            None => Some((
                                es.target_span.unwrap_or(o.name_span()),
                                format!(
                                    "{} creates the Secret without `target.template.type: kubernetes.io/tls`, so it is Opaque (and stays Opaque: the type is immutable)",
                                    o.key
                                ),
                            )),
                        }
                    }
                    _ => None,
                };
                if let Some((span, message)) = finding {
                    let mut d = Diagnostic::new(self.id(), span, message)
                        .label("not a kubernetes.io/tls Secret")
                        .related(r.span, format!("used as a certificate by {}", g.obj(r.from).key))
                        .help("Gateway API's core support is a Secret of type kubernetes.io/tls; Istio also accepts Opaque, other implementations may not")
                        .on(o);
                    if let Some(f) = fix {
                        d = d.fix(f);
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// `type: kubernetes.io/tls` for a Secret manifest that holds `tls.crt` and `tls.key` (the API
/// server refuses the type without them). Unsafe: a Secret's type is immutable, so a Secret
/// already in the cluster must be deleted and created again for the change to apply.
fn type_fix(
    cx: &Ctx,
    o: &crate::model::Object,
    s: &crate::model::core::Secret,
) -> Option<crate::fix::Fix> {
    let has = |k: &str| {
        s.data_keys
            .iter()
            .chain(&s.string_data_keys)
            .any(|d| d.name.v == k)
    };
    if !has("tls.crt") || !has("tls.key") {
        return None;
    }
    let text = cx.text(o.file);
    let edit = match &s.type_ {
        Some(t) => crate::fix::text::replace_scalar(text, t.span, "kubernetes.io/tls")?,
        None => {
            let key = crate::fix::text::key_before(text, o.kind_span, "kind")?;
            crate::fix::text::insert_line_after_key(text, key, "type: kubernetes.io/tls")?
        }
    };
    Some(crate::fix::Fix::unsafe_(
        "Set `type: kubernetes.io/tls` (the type is immutable: recreate the Secret in the cluster)",
        vec![edit],
    ))
}
