//! Who writes each Secret: manifests, cert-manager Certificates (explicit or generated from
//! Gateway annotations) and External Secrets.

use std::collections::BTreeMap;

use foldhash::HashSet;

use super::selector::{self, Match};
use super::{Graph, ObjId};
use crate::model::{Object, Spec};
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProducerKind {
    /// A literal Secret manifest.
    Manifest,
    /// A cert-manager Certificate's `spec.secretName`.
    Certificate,
    /// A Certificate cert-manager generates from a Gateway's or ListenerSet's annotations.
    GatewayShim,
    /// An ExternalSecret target that creates the Secret.
    ExternalSecret,
    /// An ExternalSecret target with creationPolicy Merge (or None): it needs another producer.
    ExternalSecretMerge,
    /// A ClusterExternalSecret target in a selected namespace.
    ClusterExternalSecret,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub kind: ProducerKind,
    pub obj: ObjId,
    /// The field that names the Secret.
    pub span: Span,
}

#[derive(Default)]
pub struct Producers {
    by_secret: BTreeMap<(String, String), Vec<Producer>>,
    /// Secret names that ClusterExternalSecrets with label selectors create in namespaces whose
    /// labels are unknown (no Namespace manifest in the input).
    selector_names: HashSet<String>,
}

impl Producers {
    pub fn get(&self, namespace: &str, name: &str) -> &[Producer] {
        self.by_secret
            .get(&(namespace.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether something creates this Secret (a Merge-only target does not).
    pub fn produces(&self, g: &Graph, namespace: &str, name: &str) -> bool {
        self.get(namespace, name)
            .iter()
            .any(|p| p.kind != ProducerKind::ExternalSecretMerge)
            || (self.selector_names.contains(name) && g.namespace_labels(namespace).is_none())
    }

    pub fn iter_sorted(&self) -> impl Iterator<Item = (&(String, String), &Vec<Producer>)> {
        self.by_secret.iter()
    }

    fn add(&mut self, ns: &str, name: &str, p: Producer) {
        self.by_secret
            .entry((ns.to_string(), name.to_string()))
            .or_default()
            .push(p);
    }
}

pub fn collect(g: &Graph) -> Producers {
    let mut out = Producers::default();
    for (id, o) in g.objects.iter().enumerate() {
        let ns = o.key.namespace.as_str();
        match &o.spec {
            Spec::Secret(_) => out.add(
                ns,
                &o.key.name,
                Producer {
                    kind: ProducerKind::Manifest,
                    obj: id,
                    span: o.name_span(),
                },
            ),
            Spec::Certificate(c) => {
                if let Some(s) = &c.secret_name {
                    out.add(
                        ns,
                        &s.v,
                        Producer {
                            kind: ProducerKind::Certificate,
                            obj: id,
                            span: s.span,
                        },
                    );
                }
            }
            Spec::ExternalSecret(es) => {
                let (name, span) = match &es.target_name {
                    Some(t) => (t.v.as_str(), t.span),
                    None => (o.key.name.as_str(), o.name_span()),
                };
                let kind = if es.creates_secret() {
                    ProducerKind::ExternalSecret
                } else {
                    ProducerKind::ExternalSecretMerge
                };
                out.add(
                    ns,
                    name,
                    Producer {
                        kind,
                        obj: id,
                        span,
                    },
                );
            }
            Spec::ClusterExternalSecret(ces) => {
                let es_name = ces
                    .external_secret_name
                    .as_ref()
                    .map(|n| n.v.as_str())
                    .unwrap_or(o.key.name.as_str());
                let (name, span) = match ces.spec.as_ref().and_then(|s| s.target_name.as_ref()) {
                    Some(t) => (t.v.as_str(), t.span),
                    None => (es_name, o.name_span()),
                };
                if ces.spec.as_ref().is_some_and(|s| !s.creates_secret()) {
                    continue;
                }
                let p = || Producer {
                    kind: ProducerKind::ClusterExternalSecret,
                    obj: id,
                    span,
                };
                for target_ns in &ces.namespaces {
                    out.add(&target_ns.v, name, p());
                }
                if !ces.selectors.is_empty() {
                    out.selector_names.insert(name.to_string());
                    for ns_id in g
                        .objects
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.key.group.is_empty() && n.key.kind == "Namespace")
                    {
                        let labels = namespace_labels(ns_id.1);
                        let hit = ces
                            .selectors
                            .iter()
                            .any(|s| selector::matches(s, &labels, true) == Match::Yes);
                        if hit {
                            out.add(&ns_id.1.key.name, name, p());
                        }
                    }
                }
            }
            Spec::Gateway(_) | Spec::ListenerSet(_) => shim_secrets(id, o, &mut out),
            _ => {}
        }
    }
    out
}

fn namespace_labels(ns: &Object) -> Vec<(&str, &str)> {
    let mut labels: Vec<(&str, &str)> = ns
        .meta
        .labels
        .iter()
        .map(|(k, v)| (k.v.as_str(), v.v.as_str()))
        .collect();
    labels.push(("kubernetes.io/metadata.name", ns.key.name.as_str()));
    labels
}

/// cert-manager's gateway-shim (§4.5): with an issuer annotation, every HTTPS/TLS listener in
/// Terminate mode that has a hostname and only same-namespace core Secret refs yields a
/// Certificate named after each ref, writing the Secret of that name. Returns (name, ref span)
/// once per name.
pub fn shim_certificates(o: &Object) -> Vec<(String, Span)> {
    let annotated = o.meta.annotation("cert-manager.io/issuer").is_some()
        || o.meta
            .annotation("cert-manager.io/cluster-issuer")
            .is_some();
    if !annotated {
        return Vec::new();
    }
    let ignored: Vec<&str> = o
        .meta
        .annotation("cert-manager.io/ignore-tls-listeners")
        .map(|a| a.v.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let listeners = match &o.spec {
        Spec::Gateway(gw) => &gw.listeners,
        Spec::ListenerSet(ls) => &ls.listeners,
        _ => return Vec::new(),
    };
    let mut out: Vec<(String, Span)> = Vec::new();
    for l in listeners {
        if !matches!(l.protocol(), "HTTPS" | "TLS") || ignored.contains(&l.name()) {
            continue;
        }
        let Some(tls) = &l.tls else { continue };
        if tls.is_passthrough() || l.hostname.as_ref().is_none_or(|h| h.v.is_empty()) {
            continue;
        }
        let usable = !tls.certificate_refs.is_empty()
            && tls.certificate_refs.iter().all(|c| {
                matches!(c.group_or(""), "" | "core")
                    && c.kind_or("Secret") == "Secret"
                    && c.namespace.as_ref().is_none_or(|n| n.v == o.key.namespace)
            });
        if !usable {
            continue;
        }
        for c in &tls.certificate_refs {
            if let Some(name) = &c.name {
                if !out.iter().any(|(n, _)| *n == name.v) {
                    out.push((name.v.to_string(), name.span));
                }
            }
        }
    }
    out
}

fn shim_secrets(id: ObjId, o: &Object, out: &mut Producers) {
    for (name, span) in shim_certificates(o) {
        out.add(
            &o.key.namespace,
            &name,
            Producer {
                kind: ProducerKind::GatewayShim,
                obj: id,
                span,
            },
        );
    }
}
