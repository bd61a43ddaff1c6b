//! Istio networking as Istio resolves it: which gateway workloads an Istio Gateway selects (and
//! so where its credentialName Secrets are read), route destination hosts against Services and
//! ServiceEntries (short names in the referrer's namespace, `exportTo`), and DestinationRule
//! subsets per host.

use foldhash::{HashMap, HashMapExt};

use super::{Graph, ObjId, Resolution};
use crate::config::Config;
use crate::model::istio::{exported_to, service_export_to};
use crate::model::{ISTIO_NETWORKING_GROUP, ObjKey, Spec};
use crate::source::Text;

/// The labels the AKS Istio add-on's ingress gateway pods carry, in `aks-istio-ingress`.
pub const AKS_ADDON_GATEWAYS: &[&str] = &[
    "aks-istio-ingressgateway-external",
    "aks-istio-ingressgateway-internal",
];
pub const AKS_ADDON_GATEWAY_NAMESPACE: &str = "aks-istio-ingress";

/// Where a gateway workload is known from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkloadSource {
    /// A Pod or Deployment in the input.
    Object(ObjId),
    /// `externals.istioGatewayWorkloads`.
    External,
    /// The AKS add-on's ingress gateways (`profile: aks-istio`).
    AksAddon,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub namespace: Text,
    pub labels: Vec<(Text, Text)>,
    pub source: WorkloadSource,
}

impl Workload {
    fn label(&self, k: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn describe(&self, g: &Graph) -> String {
        match self.source {
            WorkloadSource::Object(id) => g.obj(id).key.to_string(),
            WorkloadSource::External => format!(
                "the gateway workload `{}` declared in externals.istioGatewayWorkloads",
                self.spelled()
            ),
            WorkloadSource::AksAddon => format!(
                "the AKS add-on gateway `{}`",
                self.label("istio").unwrap_or_default()
            ),
        }
    }

    /// `label=value,…`: how the picture names a workload outside the repository.
    pub fn spelled_labels(&self) -> String {
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        labels.join(",")
    }

    fn spelled(&self) -> String {
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{}/{}", self.namespace, labels.join(","))
    }
}

/// What an Istio Gateway's selector selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selected {
    /// Indices into `Istio::workloads`, in order.
    Workloads(Vec<usize>),
    /// Nothing, and every gateway workload is known.
    Nothing,
    /// Nothing known: the workload may be installed outside the repository.
    Unknown,
}

#[derive(Default)]
pub struct Istio {
    pub workloads: Vec<Workload>,
    /// Every gateway workload is known (profile or declared externals).
    pub complete: bool,
    /// Per Istio Gateway object.
    pub selected: HashMap<ObjId, Selected>,
    /// ServiceEntry hosts (lower case) → ServiceEntries.
    se_hosts: HashMap<String, Vec<ObjId>>,
    /// DestinationRule hosts, fully qualified → DestinationRules.
    dr_hosts: HashMap<String, Vec<ObjId>>,
}

/// A `host` of a route destination or DestinationRule, as Istio reads it: a name without a dot
/// is a Service in the referrer's namespace.
pub fn fqdn(host: &str, namespace: &str) -> String {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h.contains('.') || h.contains('*') {
        h
    } else {
        format!("{h}.{namespace}.svc.cluster.local")
    }
}

/// `name.namespace.svc.cluster.local` → (namespace, name).
pub fn service_of(fqdn: &str) -> Option<(&str, &str)> {
    let short = fqdn.strip_suffix(".svc.cluster.local")?;
    let (name, ns) = short.split_once('.')?;
    (!ns.contains('.') && !name.is_empty() && !ns.is_empty()).then_some((ns, name))
}

/// `name.namespace` and `name.namespace.svc`: Kubernetes DNS names Istio does not expand; gwlint
/// cannot say what they reach.
fn partial_service_name(fqdn: &str) -> bool {
    let dots = fqdn.matches('.').count();
    dots == 1 || (dots == 2 && fqdn.ends_with(".svc"))
}

/// What a destination host reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostTarget {
    Service(ObjId),
    /// A Service that exists but is not exported to the referrer's namespace.
    NotExported(ObjId),
    ServiceEntry(ObjId),
    /// Declared external, produced by a chart, or a form gwlint does not resolve.
    Other,
    /// Nothing in the input serves the host.
    Missing,
}

impl Istio {
    pub fn build(g: &Graph, cfg: &Config) -> Istio {
        let mut out = Istio {
            complete: cfg.aks_istio() || !cfg.externals.istio_gateway_workloads.is_empty(),
            ..Istio::default()
        };
        let mut any_istio = false;
        for (id, o) in g.objects.iter().enumerate() {
            match &o.spec {
                Spec::Workload(w) if !w.pod_labels.is_empty() => out.workloads.push(Workload {
                    namespace: o.key.namespace.clone(),
                    labels: w.pod_labels.clone(),
                    source: WorkloadSource::Object(id),
                }),
                Spec::Other if o.key.group.is_empty() && o.key.kind == "Pod" => {
                    out.workloads.push(Workload {
                        namespace: o.key.namespace.clone(),
                        labels: o
                            .meta
                            .labels
                            .iter()
                            .map(|(k, v)| (k.v.clone(), v.v.clone()))
                            .collect(),
                        source: WorkloadSource::Object(id),
                    })
                }
                Spec::ServiceEntry(se) => {
                    any_istio = true;
                    for h in &se.hosts {
                        let key = h.v.trim_end_matches('.').to_ascii_lowercase();
                        out.se_hosts.entry(key).or_default().push(id);
                    }
                }
                Spec::DestinationRule(dr) => {
                    any_istio = true;
                    if let Some(h) = &dr.host {
                        out.dr_hosts
                            .entry(fqdn(&h.v, &o.key.namespace))
                            .or_default()
                            .push(id);
                    }
                }
                Spec::IstioGateway(_) | Spec::VirtualService(_) => any_istio = true,
                _ => {}
            }
        }
        if !any_istio {
            out.workloads.clear();
            return out;
        }
        for spelled in &cfg.externals.istio_gateway_workloads {
            let (ns, labels) = spelled.split_once('/').unwrap_or(("", spelled));
            let ns = if ns.is_empty() {
                cfg.default_namespace.as_str()
            } else {
                ns
            };
            let labels = labels
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (Text::from(k.trim()), Text::from(v.trim())))
                .collect();
            out.workloads.push(Workload {
                namespace: ns.into(),
                labels,
                source: WorkloadSource::External,
            });
        }
        if cfg.aks_istio() {
            for name in AKS_ADDON_GATEWAYS {
                out.workloads.push(Workload {
                    namespace: AKS_ADDON_GATEWAY_NAMESPACE.into(),
                    labels: vec![("istio".into(), (*name).into())],
                    source: WorkloadSource::AksAddon,
                });
            }
        }
        // Workloads by each of their labels, so a selector is matched against the workloads
        // that carry its first label only.
        let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, w) in out.workloads.iter().enumerate() {
            for (k, v) in &w.labels {
                by_label
                    .entry((k.as_str(), v.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        // A chart rendered at deploy time (the istio `gateway` chart) may run a gateway whose
        // labels the repository does not show.
        let chart_gateway = g.helm_releases.values().flatten().any(|h| {
            h.chart
                .as_deref()
                .is_some_and(|c| c.contains("gateway") || c.contains("istio"))
        });
        let mut selected = HashMap::new();
        for (id, o) in g.objects.iter().enumerate() {
            let Spec::IstioGateway(gw) = &o.spec else {
                continue;
            };
            if gw.selector.is_empty()
                || gw
                    .selector
                    .iter()
                    .any(|(k, v)| opaque(&k.v) || opaque(&v.v))
            {
                selected.insert(id, Selected::Unknown);
                continue;
            }
            let (k0, v0) = &gw.selector[0];
            let matched: Vec<usize> = by_label
                .get(&(k0.v.as_str(), v0.v.as_str()))
                .map(|c| {
                    c.iter()
                        .copied()
                        .filter(|&i| {
                            gw.selector
                                .iter()
                                .all(|(k, v)| out.workloads[i].label(&k.v) == Some(v.v.as_str()))
                        })
                        // A workload of another example, test fixture or cluster is not this
                        // Gateway's: they are never applied together.
                        .filter(|&i| match out.workloads[i].source {
                            WorkloadSource::Object(w) => !g.apart(id, w),
                            _ => true,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let s = if !matched.is_empty() {
                Selected::Workloads(matched)
            } else if out.complete && !chart_gateway {
                Selected::Nothing
            } else {
                Selected::Unknown
            };
            selected.insert(id, s);
        }
        out.selected = selected;
        out
    }

    /// The namespaces of the workloads an Istio Gateway selects, sorted and distinct: where
    /// its credentialName Secrets must be.
    pub fn workload_namespaces(&self, gateway: ObjId) -> Vec<&str> {
        let Some(Selected::Workloads(ws)) = self.selected.get(&gateway) else {
            return Vec::new();
        };
        let mut out: Vec<&str> = ws
            .iter()
            .map(|&i| self.workloads[i].namespace.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// ServiceEntries declaring `host` (or a wildcard covering it) visible from `from_ns`.
    fn service_entry(&self, g: &Graph, host: &str, from_ns: &str) -> Option<ObjId> {
        let visible = |ids: &Vec<ObjId>| {
            ids.iter().copied().find(|&id| {
                let o = g.obj(id);
                matches!(&o.spec, Spec::ServiceEntry(se) if exported_to(&se.export_to, &o.key.namespace, from_ns))
            })
        };
        if let Some(id) = self.se_hosts.get(host).and_then(visible) {
            return Some(id);
        }
        // `*.b.c`, `*.c`, `*` in turn: each label of the host dropped once.
        let mut rest = host.strip_prefix("*.").unwrap_or(host);
        while let Some((_, tail)) = rest.split_once('.') {
            if let Some(id) = self.se_hosts.get(&format!("*.{tail}")).and_then(visible) {
                return Some(id);
            }
            rest = tail;
        }
        self.se_hosts.get("*").and_then(visible)
    }

    /// What route destination `host`, written in namespace `from_ns`, reaches.
    pub fn resolve_host(&self, g: &Graph, host: &str, from_ns: &str) -> HostTarget {
        self.resolve_host_for(g, host, from_ns, &[from_ns])
    }

    /// What `host`, written in namespace `from_ns`, reaches for a VirtualService exported to
    /// `viewers` (`*`: every namespace): Istio finds the host when it is visible from any of
    /// them.
    pub fn resolve_host_for(
        &self,
        g: &Graph,
        host: &str,
        from_ns: &str,
        viewers: &[&str],
    ) -> HostTarget {
        if viewers.is_empty() {
            return HostTarget::Other;
        }
        if host.is_empty() {
            return HostTarget::Missing;
        }
        if opaque(host) {
            return HostTarget::Other;
        }
        let h = fqdn(host, from_ns);
        if let Some((ns, name)) = service_of(&h) {
            let key = ObjKey::new("", "Service", ns, name);
            if let Some(&id) = g.all(&key).first() {
                let visible = g.all(&key).iter().any(|&id| {
                    let o = g.obj(id);
                    let export = service_export_to(&o.meta);
                    viewers.iter().any(|v| exported_to(&export, ns, v))
                });
                return if visible {
                    HostTarget::Service(id)
                } else {
                    HostTarget::NotExported(id)
                };
            }
            if let Some(id) = viewers.iter().find_map(|v| self.service_entry(g, &h, v)) {
                return HostTarget::ServiceEntry(id);
            }
            return match g.resolve(&key, true) {
                Resolution::Missing => HostTarget::Missing,
                _ => HostTarget::Other,
            };
        }
        if let Some(id) = viewers.iter().find_map(|v| self.service_entry(g, &h, v)) {
            return HostTarget::ServiceEntry(id);
        }
        if partial_service_name(&h) || h.ends_with(".cluster.local") || h.contains('*') {
            return HostTarget::Other;
        }
        HostTarget::Missing
    }

    /// The DestinationRules for a fully qualified host visible from `from_ns`.
    pub fn destination_rules(&self, g: &Graph, host: &str, from_ns: &str) -> Vec<ObjId> {
        let mut out = Vec::new();
        let mut add = |ids: Option<&Vec<ObjId>>| {
            for &id in ids.into_iter().flatten() {
                let o = g.obj(id);
                if let Spec::DestinationRule(dr) = &o.spec {
                    if exported_to(&dr.export_to, &o.key.namespace, from_ns) {
                        out.push(id);
                    }
                }
            }
        };
        add(self.dr_hosts.get(host));
        let mut rest = host;
        while let Some((_, tail)) = rest.split_once('.') {
            add(self.dr_hosts.get(&format!("*.{tail}")));
            rest = tail;
        }
        add(self.dr_hosts.get("*"));
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The namespaces from which Istio looks up a VirtualService's destination hosts: its own
/// namespace, or each namespace it is exported to (`.` is its own, `*` every namespace).
pub fn viewers<'a>(vs: &'a crate::model::istio::VirtualService, ns: &'a str) -> Vec<&'a str> {
    if vs.export_to.is_empty() {
        return vec![ns];
    }
    vs.export_to
        .iter()
        .filter(|e| e.v != "~")
        .map(|e| if e.v == "." { ns } else { e.v.as_str() })
        .collect()
}

/// A value whose text is not final: a Flux `${var}`, or a shell `$VAR` of a documentation
/// snippet meant for `envsubst`.
pub fn opaque(s: &str) -> bool {
    crate::model::read::unresolved(s) || s.contains('$')
}

/// The host itself, then each wildcard covering it (`*.b.c`, `*.c`), then `*`.
pub fn covering(host: &str) -> Vec<String> {
    let mut out = vec![host.to_string()];
    let mut rest = host.strip_prefix("*.").unwrap_or(host);
    while let Some((_, tail)) = rest.split_once('.') {
        out.push(format!("*.{tail}"));
        rest = tail;
    }
    if host != "*" {
        out.push("*".into());
    }
    out
}

/// Whether two Istio host patterns (`*`, `*.example.com`, `example.com`) share a name.
pub fn hosts_overlap(a: &str, b: &str) -> bool {
    a == "*" || b == "*" || super::hostname::intersect(Some(a), Some(b)).is_some()
}

/// A Gateway server host `namespace/host` (or `host`, meaning `*/host`) as (namespace, host).
pub fn server_host(h: &str) -> (&str, &str) {
    h.split_once('/').unwrap_or(("*", h))
}

/// Whether `group` is Istio's networking group (v1, v1beta1 and v1alpha3 alike).
pub fn is_istio(group: &str) -> bool {
    group == ISTIO_NETWORKING_GROUP
}
