//! IST609: a VirtualService route destination names a host no Service or ServiceEntry visible
//! from the VirtualService's namespace serves.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::istio::{HostTarget, fqdn, service_of, viewers};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "IST609"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for (_, o, vs) in super::virtual_services(g) {
            let ns = o.key.namespace.as_str();
            let viewers = viewers(vs, ns);
            for d in &vs.destinations {
                let what = if d.mirror {
                    "mirror"
                } else {
                    "route destination"
                };
                let Some(host) = &d.host else {
                    out.push(
                        Diagnostic::new(
                            self.id(),
                            d.span,
                            format!("{}: {what} without a `host`: requests it takes go nowhere (istioctl: IST0101)", o.key),
                        )
                        .label("no destination host")
                        .help("set `destination.host` to a Service or ServiceEntry host, or remove the entry")
                        .on(o),
                    );
                    continue;
                };
                // An upper-case name or an underscore is no DNS name: a placeholder that a
                // kustomize replacement or a script fills in (`DEX_SERVICE.DEX_NAMESPACE`).
                if host.v.bytes().any(|b| b.is_ascii_uppercase() || b == b'_') {
                    continue;
                }
                let full = fqdn(&host.v, ns);
                if service_of(&full).is_some_and(is_control_plane) {
                    continue;
                }
                let diag = match g.istio.resolve_host_for(g, &host.v, ns, &viewers) {
                    HostTarget::Missing => {
                        // A Service of that name whose namespace the repository sets nowhere
                        // goes where `kubectl apply -n` puts it: perhaps the host's namespace.
                        let unset = service_of(&full).and_then(|(_, name)| {
                            g.same_name("", "Service", name)
                                .iter()
                                .map(|&id| g.obj(id))
                                .find(|s| s.namespace_defaulted)
                        });
                        if let Some(svc) = unset {
                            out.push(
                                Diagnostic::new(
                                    self.id(),
                                    host.span,
                                    format!(
                                        "{}: {what} host `{}` names Service `{}`, which the repository defines with no namespace: applied in the host's namespace, it resolves",
                                        o.key, host.v, svc.key.name
                                    ),
                                )
                                .severity(crate::config::Severity::Info)
                                .label("the Service's namespace is set nowhere")
                                .related(svc.name_span(), format!("{} (namespace not set)", svc.key))
                                .on(o),
                            );
                            continue;
                        }
                        let why = match service_of(&full) {
                            Some((sns, name)) => format!(
                                "no Service `{name}` in namespace `{sns}`{}",
                                if host.v.contains('.') {
                                    String::new()
                                } else {
                                    format!(
                                        " (a short name resolves in the VirtualService's namespace `{ns}`)"
                                    )
                                }
                            ),
                            None => "no ServiceEntry declares it".to_string(),
                        };
                        Diagnostic::new(
                            self.id(),
                            host.span,
                            format!("{}: {what} host `{}` is not found: {why} (istioctl: IST0101)", o.key, host.v),
                        )
                        .label("no such host in the mesh")
                        .help("fix the host, add the Service or a ServiceEntry, or declare the Service under `externals.services`")
                    }
                    HostTarget::NotExported(sid) => {
                        let svc = g.obj(sid);
                        Diagnostic::new(
                            self.id(),
                            host.span,
                            format!(
                                "{}: {what} host `{}`: {} is not exported to {} (networking.istio.io/exportTo), so the mesh does not know it where this VirtualService applies (istioctl: IST0101)",
                                o.key,
                                host.v,
                                svc.key,
                                viewers.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .label("Service not visible from this namespace")
                        .related(
                            svc.meta.annotation("networking.istio.io/exportTo").map_or(svc.name_span(), |a| a.span),
                            "its exportTo",
                        )
                        .help("export the Service to the VirtualService's namespaces (networking.istio.io/exportTo), or narrow the VirtualService's exportTo")
                    }
                    _ => continue,
                };
                out.push(diag.on(o));
            }
        }
    }
}

/// istiod's own Service in the Istio root namespace (`istiod`, or `istiod-<revision>` for a
/// revisioned install; `aks-istio-system` on the AKS add-on): whatever installs Istio creates
/// it, so a mesh that has VirtualServices has it.
fn is_control_plane((namespace, name): (&str, &str)) -> bool {
    matches!(namespace, "istio-system" | "aks-istio-system")
        && (name == "istiod" || name.starts_with("istiod-"))
}
