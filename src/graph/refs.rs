//! Reference collection: one `Reference` per reference field of an object, resolved against
//! the graph's index.

use std::ops::Deref;

use super::{
    Graph, Loc, ObjId, RefKind, Reference, Resolution, istio_gateway_name, parent_kind_checkable,
};
use crate::model::refs::ObjRef;
use crate::model::{
    CERT_MANAGER_GROUP, ESO_GROUP, GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, ObjKey, Object, Spec,
};
use crate::source::Span;

/// Collects the references of one object; reads the graph built so far.
pub(super) struct Collector<'g, 'm> {
    pub g: &'g Graph<'m>,
    pub out: Vec<Reference>,
}

impl<'m> Deref for Collector<'_, 'm> {
    type Target = Graph<'m>;

    fn deref(&self) -> &Graph<'m> {
        self.g
    }
}

impl<'m> Collector<'_, 'm> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: RefKind,
        from: ObjId,
        target: ObjKey,
        span: Span,
        loc: Loc,
        checkable: bool,
        ns_defaulted: bool,
    ) {
        let resolution = self.resolve(&target, checkable);
        self.out.push(Reference {
            kind,
            from,
            target,
            span,
            resolution,
            loc,
            namespace_defaulted: ns_defaulted,
        });
    }

    fn push_obj_ref(
        &mut self,
        kind: RefKind,
        from: ObjId,
        r: &ObjRef,
        defaults: (&str, &str),
        loc: Loc,
        checkable: &dyn Fn(&str, &str) -> bool,
    ) {
        let o = &self.objects[from];
        let Some(name) = &r.name else { return };
        let group = r.group_or(defaults.0);
        let group = if group == "core" && kind != RefKind::ParentRef {
            ""
        } else {
            group
        };
        let k = r.kind_or(defaults.1);
        let cluster = crate::model::is_cluster_scoped(group, k)
            || (!self.cluster_crds.is_empty()
                && self
                    .cluster_crds
                    .contains(&(group.to_string(), k.to_string())));
        let ns = if cluster {
            ""
        } else {
            r.namespace_or(&o.key.namespace)
        };
        let target = ObjKey::new(group, k, ns, &name.v);
        let check = checkable(group, k);
        self.push(
            kind,
            from,
            target,
            name.span,
            loc,
            check,
            r.namespace.is_none(),
        );
    }

    /// The references of one object, in field order.
    pub(super) fn object(&mut self, id: ObjId, o: &'m Object) {
        let ns = o.key.namespace.as_str();
        {
            match &o.spec {
                Spec::Route(route) => {
                    for (i, p) in route.parent_refs.iter().enumerate() {
                        self.push_obj_ref(
                            RefKind::ParentRef,
                            id,
                            &p.target,
                            (GATEWAY_GROUP, "Gateway"),
                            Loc::ParentRef(i),
                            &parent_kind_checkable,
                        );
                    }
                    for (ri, rule) in route.rules.iter().enumerate() {
                        for (bi, b) in rule.all_backends().enumerate() {
                            self.push_obj_ref(
                                RefKind::BackendRef,
                                id,
                                &b.target,
                                ("", "Service"),
                                Loc::Backend {
                                    rule: ri,
                                    index: bi,
                                },
                                &|g, k| g.is_empty() && k == "Service",
                            );
                        }
                    }
                }
                Spec::Gateway(gw) => {
                    if let Some(class) = &gw.gateway_class_name {
                        let target = ObjKey::new(GATEWAY_GROUP, "GatewayClass", "", &class.v);
                        self.push(
                            RefKind::GatewayClass,
                            id,
                            target,
                            class.span,
                            Loc::Field,
                            true,
                            false,
                        );
                    }
                    self.listener_refs(id, &gw.listeners);
                    self.shim_issuer_refs(id);
                }
                Spec::ListenerSet(ls) => {
                    if let Some(p) = &ls.parent_ref {
                        self.push_obj_ref(
                            RefKind::ListenerSetParent,
                            id,
                            &p.target,
                            (GATEWAY_GROUP, "Gateway"),
                            Loc::ListenerSetParent,
                            &parent_kind_checkable,
                        );
                    }
                    self.listener_refs(id, &ls.listeners);
                    self.shim_issuer_refs(id);
                }
                Spec::Certificate(cert) => {
                    let Some(ir) = &cert.issuer_ref else { return };
                    let Some(name) = &ir.name else { return };
                    if !ir.is_builtin_group() {
                        return;
                    }
                    let target = match ir.kind() {
                        "Issuer" => ObjKey::new(CERT_MANAGER_GROUP, "Issuer", ns, &name.v),
                        "ClusterIssuer" => {
                            ObjKey::new(CERT_MANAGER_GROUP, "ClusterIssuer", "", &name.v)
                        }
                        _ => return,
                    };
                    self.push(
                        RefKind::IssuerRef,
                        id,
                        target,
                        name.span,
                        Loc::Field,
                        true,
                        false,
                    );
                }
                Spec::ExternalSecret(es) => {
                    for (i, sr) in es.store_refs().enumerate() {
                        self.store_ref(id, sr, ns, i);
                    }
                }
                Spec::ClusterExternalSecret(ces) => {
                    let Some(es) = &ces.spec else { return };
                    for (i, sr) in es.store_refs().enumerate() {
                        if sr.kind() == "ClusterSecretStore" {
                            self.store_ref(id, sr, "", i);
                        } else {
                            for target_ns in &ces.namespaces {
                                self.store_ref(id, sr, &target_ns.v, i);
                            }
                        }
                    }
                }
                Spec::PushSecret(ps) => {
                    for (i, sr) in ps.store_refs.iter().enumerate() {
                        self.store_ref(id, sr, ns, i);
                    }
                }
                Spec::BackendTlsPolicy(p) => {
                    // Policy references are local: any namespace written is not honoured.
                    let lists = [
                        (RefKind::PolicyTarget, &p.target_refs, "Service"),
                        (
                            RefKind::PolicyCaCertificate,
                            &p.ca_certificate_refs,
                            "ConfigMap",
                        ),
                    ];
                    for (kind, refs, default_kind) in lists {
                        for (i, r) in refs.iter().enumerate() {
                            let local = ObjRef {
                                namespace: None,
                                ..r.clone()
                            };
                            self.push_obj_ref(
                                kind,
                                id,
                                &local,
                                ("", default_kind),
                                Loc::Entry(i),
                                &|g, k| g.is_empty() && k == default_kind,
                            );
                        }
                    }
                }
                Spec::VirtualService(vs) => {
                    for (i, gw) in vs.gateways.iter().enumerate() {
                        if gw.v == "mesh" || gw.v.is_empty() {
                            continue;
                        }
                        let (gns, gname) = istio_gateway_name(&gw.v, ns);
                        // Names Istio generates for Gateway API Gateways (`gateway~istio-autogenerated-…`)
                        // are internal, not objects anyone writes: nothing to resolve.
                        if gname.contains('~') {
                            continue;
                        }
                        let mut target = ObjKey::new(ISTIO_NETWORKING_GROUP, "Gateway", gns, gname);
                        // Istio also binds a VirtualService to a Gateway API Gateway of that name.
                        let k8s = ObjKey::new(GATEWAY_GROUP, "Gateway", gns, gname);
                        if self.get(&target).is_none() && self.get(&k8s).is_some() {
                            target = k8s;
                        }
                        self.push(
                            RefKind::IstioGateway,
                            id,
                            target,
                            gw.span,
                            Loc::Entry(i),
                            true,
                            !gw.v.contains('/'),
                        );
                    }
                    self.istio_destinations(id, vs);
                }
                Spec::DestinationRule(dr) => {
                    if let Some(h) = &dr.host {
                        self.istio_host(id, RefKind::IstioHost, h, 0, &[ns]);
                    }
                    // A client credential is read in the namespace of the proxy that uses it.
                    // Only when those proxies are the rule's own namespace's (a workloadSelector,
                    // or `exportTo: ["."]`) is that namespace known.
                    let own = dr.workload_selector
                        || (!dr.export_to.is_empty()
                            && dr.export_to.iter().all(|e| e.v == "." || e.v == ns));
                    if own {
                        for (i, tls) in dr.tls.iter().enumerate() {
                            if let Some(cred) = &tls.credential_name {
                                let target = ObjKey::new("", "Secret", ns, &cred.v);
                                self.push(
                                    RefKind::IstioClientCredential,
                                    id,
                                    target,
                                    cred.span,
                                    Loc::Entry(i),
                                    true,
                                    false,
                                );
                            }
                        }
                    }
                }
                Spec::IstioGateway(gw) => {
                    let g = self.g;
                    if let Some(super::istio::Selected::Workloads(ws)) = g.istio.selected.get(&id) {
                        let span = gw.selector_span.unwrap_or(o.spec_span);
                        for (i, &w) in ws.iter().enumerate() {
                            let wl = &g.istio.workloads[w];
                            let (target, resolution) = match wl.source {
                                super::istio::WorkloadSource::Object(t) => {
                                    (g.obj(t).key.clone(), Resolution::Object(t))
                                }
                                _ => (
                                    ObjKey::new("", "Pod", &wl.namespace, &wl.spelled_labels()),
                                    Resolution::External,
                                ),
                            };
                            self.out.push(Reference {
                                kind: RefKind::IstioSelector,
                                from: id,
                                target,
                                span,
                                resolution,
                                loc: Loc::Entry(i),
                                namespace_defaulted: false,
                            });
                        }
                    }
                    let namespaces = g.istio.workload_namespaces(id);
                    for (i, (_, cred)) in gw.credentials().enumerate() {
                        // `$CREDENTIAL_NAME`, `${VAR}`: filled in before it is applied.
                        if super::istio::opaque(&cred.v) {
                            continue;
                        }
                        for wns in &namespaces {
                            let target = ObjKey::new("", "Secret", wns, &cred.v);
                            self.push(
                                RefKind::IstioCredential,
                                id,
                                target,
                                cred.span,
                                Loc::Entry(i),
                                true,
                                false,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Route destinations that name a Service or ServiceEntry (or should): one edge per
    /// distinct host, for the picture; the IST rules read the model.
    fn istio_destinations(&mut self, id: ObjId, vs: &crate::model::istio::VirtualService) {
        let ns = self.objects[id].key.namespace.clone();
        let viewers = super::istio::viewers(vs, &ns);
        let mut seen = std::collections::HashSet::new();
        for (i, d) in vs.destinations.iter().enumerate() {
            let Some(host) = &d.host else { continue };
            if seen.insert(super::istio::fqdn(&host.v, &ns)) {
                self.istio_host(id, RefKind::IstioDestination, host, i, &viewers);
            }
        }
    }

    /// An edge from a host field to the Service or ServiceEntry it names.
    fn istio_host(
        &mut self,
        id: ObjId,
        kind: RefKind,
        host: &crate::source::Sp<crate::source::Text>,
        i: usize,
        viewers: &[&str],
    ) {
        use super::istio::{HostTarget, fqdn, service_of};
        let g = self.g;
        let ns = g.obj(id).key.namespace.as_str();
        let h = fqdn(&host.v, ns);
        let (target, resolution) = match g.istio.resolve_host_for(g, &host.v, ns, viewers) {
            HostTarget::Service(t) | HostTarget::NotExported(t) | HostTarget::ServiceEntry(t) => {
                (g.obj(t).key.clone(), Resolution::Object(t))
            }
            other => {
                let key = match service_of(&h) {
                    Some((sns, name)) => ObjKey::new("", "Service", sns, name),
                    None => ObjKey::new(ISTIO_NETWORKING_GROUP, "ServiceEntry", ns, &h),
                };
                let res = if other == HostTarget::Missing {
                    Resolution::Missing
                } else {
                    Resolution::Unchecked
                };
                (key, res)
            }
        };
        self.out.push(Reference {
            kind,
            from: id,
            target,
            span: host.span,
            resolution,
            loc: Loc::Entry(i),
            namespace_defaulted: !host.v.contains('.'),
        });
    }

    fn listener_refs(&mut self, id: ObjId, listeners: &[crate::model::gateway::Listener]) {
        for (li, l) in listeners.iter().enumerate() {
            let Some(tls) = &l.tls else { continue };
            for (ci, c) in tls.certificate_refs.iter().enumerate() {
                self.push_obj_ref(
                    RefKind::CertificateRef,
                    id,
                    c,
                    ("", "Secret"),
                    Loc::CertificateRef {
                        listener: li,
                        index: ci,
                    },
                    &|g, k| g.is_empty() && k == "Secret",
                );
            }
        }
    }

    fn shim_issuer_refs(&mut self, id: ObjId) {
        let o = &self.objects[id];
        let group_ok = o
            .meta
            .annotation("cert-manager.io/issuer-group")
            .is_none_or(|g| g.v.is_empty() || g.v == CERT_MANAGER_GROUP);
        if !group_ok {
            return;
        }
        let kind_override = o
            .meta
            .annotation("cert-manager.io/issuer-kind")
            .map(|k| k.v.as_str());
        if let Some(issuer) = o.meta.annotation("cert-manager.io/issuer") {
            let kind = kind_override.unwrap_or("Issuer");
            let target = match kind {
                "Issuer" => ObjKey::new(CERT_MANAGER_GROUP, "Issuer", &o.key.namespace, &issuer.v),
                "ClusterIssuer" => ObjKey::new(CERT_MANAGER_GROUP, "ClusterIssuer", "", &issuer.v),
                _ => return,
            };
            self.shim_issuer(id, target, issuer.span);
        }
        if let Some(issuer) = o.meta.annotation("cert-manager.io/cluster-issuer") {
            let target = ObjKey::new(CERT_MANAGER_GROUP, "ClusterIssuer", "", &issuer.v);
            self.shim_issuer(id, target, issuer.span);
        }
    }

    fn shim_issuer(&mut self, id: ObjId, target: ObjKey, span: Span) {
        self.push(
            RefKind::ShimIssuer,
            id,
            target,
            span,
            Loc::Field,
            true,
            false,
        );
    }

    fn store_ref(&mut self, id: ObjId, sr: &crate::model::eso::StoreRef, ns: &str, i: usize) {
        let Some(name) = &sr.name else { return };
        let target = match sr.kind() {
            "SecretStore" => ObjKey::new(ESO_GROUP, "SecretStore", ns, &name.v),
            "ClusterSecretStore" => ObjKey::new(ESO_GROUP, "ClusterSecretStore", "", &name.v),
            _ => return,
        };
        self.push(
            RefKind::SecretStoreRef,
            id,
            target,
            name.span,
            Loc::Entry(i),
            true,
            false,
        );
    }
}
