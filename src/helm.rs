//! Resolve stage, after kustomize and Flux: the HTTPRoutes (and other routes) and Services the
//! bjw-s `app-template` chart renders from a Flux HelmRelease's values, as objects of the model
//! whose spans point into those values. Only what the chart's templates were read for is
//! rendered (chart majors 4 and 5, `common` library `classes/_route.tpl`, `_service.tpl` and
//! `lib/common/_determineResourceNameFromValues.tpl`); a version or shape gwlint does not
//! follow renders nothing, so nothing is reported about it.

use std::collections::HashMap;

use crate::model::apptemplate::{
    AppValues, BackendValues, Enabled, Naming, PortValue, RouteValues, ServiceValues,
};
use crate::model::core::{Service, ServicePort};
use crate::model::kustomize::{ChartRepository, HelmRelease};
use crate::model::refs::{BackendRef, ObjRef, ParentRef};
use crate::model::route::{Route, RouteRule};
use crate::model::{FLUX_SOURCE_GROUP, GATEWAY_GROUP, Meta, ObjKey, Object, Spec};
use crate::source::{Sp, Span, Text};

/// The chart's name.
const CHART: &str = "app-template";

/// Route kinds the chart accepts (`lib/routes/_validate.tpl`).
const ROUTE_KINDS: &[&str] = &["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"];

/// `major.minor` of an exact chart version (`4.4.0`, `v5.1.0`); ranges are not versions.
fn version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().strip_prefix('v').unwrap_or(v.trim());
    let mut parts = v.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next()?;
    let digits = patch.split(['-', '+']).next()?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((major, minor))
}

/// The bjw-s chart repositories, as Helm repository or OCI URLs.
fn is_bjws(url: &str) -> bool {
    let u = url.trim_end_matches('/');
    u.starts_with("oci://ghcr.io/bjw-s/helm")
        || u.starts_with("oci://ghcr.io/bjw-s-labs/helm")
        || u.starts_with("https://bjw-s.github.io/helm-charts")
        || u.starts_with("https://bjw-s-labs.github.io/helm-charts")
}

/// The chart version a HelmRelease installs, when it is app-template from bjw-s at an exact
/// version.
fn app_template_version(
    h: &HelmRelease,
    namespace: &str,
    sources: &HashMap<(&str, &str, &str), &ChartRepository>,
) -> Option<(u32, u32)> {
    let src = h.source.as_ref()?;
    let ns = src.namespace.as_deref().unwrap_or(namespace);
    let repo = sources.get(&(src.kind.as_str(), ns, src.name.as_str()))?;
    let url = repo.url.as_deref()?;
    if h.chart_ref {
        // An OCIRepository of the chart itself: `oci://ghcr.io/bjw-s-labs/helm/app-template`.
        if src.kind != "OCIRepository" || !is_bjws(url) {
            return None;
        }
        if url.trim_end_matches('/').rsplit('/').next() != Some(CHART) {
            return None;
        }
        version(repo.version.as_deref()?)
    } else {
        if h.chart.as_deref() != Some(CHART) || !is_bjws(url) {
            return None;
        }
        version(h.chart_version.as_deref()?)
    }
}

/// Trims as `trunc 63 | trimSuffix "-"` does.
fn trunc63(s: &str) -> String {
    let t: String = s.chars().take(63).collect();
    t.strip_suffix('-').map(str::to_string).unwrap_or(t)
}

/// `{{ .Release.Name }}` and `{{ .Release.Namespace }}` as Helm renders them; any other
/// template stays as written (a placeholder: nothing is reported against it).
fn tpl(s: &str, release: &str, namespace: &str) -> String {
    if !s.contains("{{") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner =
            rest[start + 2..start + len].trim_matches(|c: char| c == '-' || c.is_whitespace());
        match inner {
            ".Release.Name" => out.push_str(release),
            ".Release.Namespace" => out.push_str(namespace),
            _ => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// One release as the chart sees it.
struct Release<'a> {
    name: &'a str,
    namespace: &'a str,
    values: &'a AppValues,
    h: &'a HelmRelease,
    major: u32,
    minor: u32,
}

impl Release<'_> {
    fn tpl(&self, s: &str) -> String {
        tpl(s, self.name, self.namespace)
    }

    /// `bjw-s.common.lib.chart.names.fullname`.
    fn fullname(&self) -> String {
        let v = self.values;
        // app-template's own template sets `global.nameOverride` to the release name when the
        // values leave it unset, and the global override wins over `nameOverride`.
        let name = v
            .global_name_override
            .as_deref()
            .filter(|n| !n.is_empty())
            .map_or_else(|| self.name.to_string(), |n| self.tpl(n));
        let name = trunc63(&name);
        let over = v
            .global_fullname_override
            .as_deref()
            .or(self.h.fullname_override.as_deref())
            .filter(|n| !n.is_empty());
        let full = match over {
            Some(o) => o.to_string(),
            None if self.name.contains(name.as_str()) => self.name.to_string(),
            None => format!("{}-{name}", self.name),
        };
        trunc63(&full)
    }

    /// `bjw-s.common.lib.determineResourceNameFromValues`.
    fn object_name(&self, id: &str, naming: &Naming, count: usize) -> String {
        let mut name = self.fullname();
        let nonempty = |t: &Option<Text>| t.as_ref().filter(|t| !t.is_empty()).cloned();
        if let Some(f) = nonempty(&naming.force_rename) {
            return self.tpl(&f).to_lowercase();
        }
        if let Some(p) = nonempty(&naming.prefix) {
            let p = self.tpl(&p);
            if name != p {
                name = format!("{p}-{name}");
            }
        }
        if (count > 1 || self.values.always_append_identifier)
            && !name.ends_with(&format!("-{id}"))
            && name != id
        {
            name = format!("{name}-{id}");
        }
        if let Some(s) = nonempty(&naming.suffix) {
            let s = self.tpl(&s);
            if !name.ends_with(&format!("-{s}")) {
                name = format!("{name}-{s}");
            }
        }
        name.to_lowercase()
    }
}

/// A rendered Service: its name and its enabled ports (name, number), in the chart's order.
struct Svc<'a> {
    name: String,
    values: &'a ServiceValues,
    ports: Vec<(&'a str, i64, bool)>,
}

impl Svc<'_> {
    /// `bjw-s.common.lib.service.primaryPort`: the port marked primary, else the first by name.
    fn primary_port(&self) -> Option<i64> {
        self.ports
            .iter()
            .rev()
            .find(|p| p.2)
            .or(self.ports.first())
            .map(|p| p.1)
    }
}

fn sp(v: &str, span: Span) -> Sp<Text> {
    Sp::new(Text::from(v), span)
}

fn object(
    from: &Object,
    key: ObjKey,
    name_span: Span,
    span: Span,
    spec: Spec,
    ns_defaulted: bool,
) -> Object {
    Object {
        api_version: Sp::new(Text::default(), name_span),
        kind_span: name_span,
        meta: Meta {
            name: Some(sp(&key.name, name_span)),
            namespace: None,
            labels: vec![],
            annotations: vec![],
            span,
        },
        key,
        spec,
        doc: from.doc.clone(),
        spec_span: span,
        file: from.file,
        namespace_defaulted: ns_defaulted,
        channel_fields: Vec::new(),
        from_chart: true,
        built_by: None,
    }
}

/// The Services of a release, by key; `None` when they cannot all be known.
fn services<'a>(r: &Release<'a>) -> Option<Vec<Svc<'a>>> {
    let v = r.values;
    if v.services.iter().any(|s| s.enabled == Enabled::Unknown) {
        return None;
    }
    let mut enabled: Vec<&ServiceValues> = v
        .services
        .iter()
        .filter(|s| s.enabled == Enabled::Yes)
        .collect();
    // Helm ranges over a map's keys in sorted order; YAML keeps the first of duplicate keys.
    enabled.sort_by(|a, b| a.key.v.cmp(&b.key.v));
    enabled.dedup_by(|a, b| a.key.v == b.key.v);
    let count = enabled.len();
    let mut out = Vec::with_capacity(count);
    for s in enabled {
        let external = s.type_.as_ref().is_some_and(|t| t.v == "ExternalName");
        let mut ports: Vec<(&str, i64, bool)> = Vec::new();
        let mut sorted: Vec<_> = s.ports.iter().collect();
        sorted.sort_by(|a, b| a.name.v.cmp(&b.name.v));
        for p in sorted {
            match (p.enabled, &p.port) {
                (Enabled::No, _) => {}
                (Enabled::Yes, Some(n)) => ports.push((p.name.v.as_str(), n.v, p.primary)),
                // A port without a number fails the chart's validation; an unknown one is
                // not followed.
                _ if !external => return None,
                _ => {}
            }
        }
        let name = r.object_name(&s.key.v, &s.naming, count);
        // A template other than the release's name or namespace: the name is not known.
        if name.contains("{{") {
            return None;
        }
        out.push(Svc {
            name,
            values: s,
            ports,
        });
    }
    Some(out)
}

fn service_object(from: &Object, r: &Release, s: &Svc, ns_defaulted: bool) -> Object {
    let ports = s
        .values
        .ports
        .iter()
        .filter(|p| p.enabled == Enabled::Yes)
        .filter_map(|p| {
            let port = p.port.clone()?;
            // The chart renders HTTP and HTTPS as TCP.
            let protocol = p
                .protocol
                .as_ref()
                .filter(|x| !matches!(x.v.as_str(), "HTTP" | "HTTPS" | "TCP"))
                .cloned();
            Some(ServicePort {
                name: Some(p.name.clone()),
                target_port: Some(p.target_port.unwrap_or(port.v)),
                port: Some(port),
                protocol,
                span: p.span,
            })
        })
        .collect();
    let spec = Spec::Service(Service {
        type_: s.values.type_.clone(),
        ports,
        ports_span: s.values.ports_span,
        selector: Vec::new(),
    });
    let key = ObjKey::new("", "Service", r.namespace, &s.name);
    object(
        from,
        key,
        s.values.key.span,
        s.values.span,
        spec,
        ns_defaulted,
    )
}

/// A backendRef as the route template renders it; `None` when the chart would fail, or
/// render something gwlint does not follow.
fn backend(r: &Release, b: &BackendValues, svcs: &[Svc], only: Option<&Svc>) -> Option<BackendRef> {
    let (name, svc) = match (&b.name, &b.identifier) {
        (Some(n), _) if !n.v.is_empty() => (sp(&r.tpl(&n.v), n.span), None),
        (_, Some(id)) if !id.v.is_empty() => {
            let s = svcs.iter().find(|s| s.values.key.v == id.v)?;
            (sp(&s.name, id.span), Some(s))
        }
        // Neither: the release's only Service (chart 4.1 and later), else the chart fails.
        _ if (r.major, r.minor) >= (4, 1) => {
            let s = only?;
            (sp(&s.name, b.span), Some(s))
        }
        _ => return None,
    };
    let port = match &b.port {
        PortValue::Number(n) => Some(n.clone()),
        PortValue::Absent => svc
            .and_then(Svc::primary_port)
            .map(|p| Sp::new(p, name.span)),
        // Looked up by name in the identified Service from chart 4.6 on; earlier versions
        // render the name as written, which the API server rejects.
        PortValue::Name(n) if (r.major, r.minor) >= (4, 6) => {
            let s = svc?;
            let p = s.ports.iter().find(|p| p.0 == n.v)?;
            Some(Sp::new(p.1, n.span))
        }
        _ => return None,
    };
    let namespace = match &b.namespace {
        Some(n) => n.clone(),
        None => sp(r.namespace, b.span),
    };
    Some(BackendRef {
        target: ObjRef {
            group: Some(b.group.clone().unwrap_or_else(|| sp("", b.span))),
            kind: Some(b.kind.clone().unwrap_or_else(|| sp("Service", b.span))),
            name: Some(name),
            namespace: Some(namespace),
            span: b.span,
        },
        port,
        weight: Some(b.weight.clone().unwrap_or_else(|| Sp::new(1, b.span))),
        mirror: false,
    })
}

/// A route as the chart renders it; `None` when the chart would fail, or render something
/// gwlint does not follow.
fn route_spec(r: &Release, v: &RouteValues, svcs: &[Svc]) -> Option<(Text, Route)> {
    if v.opaque {
        return None;
    }
    let kind = v.kind.as_ref().map_or("HTTPRoute", |k| k.v.as_str());
    if !ROUTE_KINDS.contains(&kind) {
        return None;
    }
    let mut parent_refs = Vec::with_capacity(v.parent_refs.len());
    for p in &v.parent_refs {
        let name = p.name.as_ref().filter(|n| !n.v.is_empty())?;
        if p.identifier {
            return None;
        }
        // Chart 4 requires the namespace; chart 5 leaves it out, so it is the route's.
        let namespace = match &p.namespace {
            Some(n) if !n.v.is_empty() => Some(n.clone()),
            _ if r.major >= 5 => None,
            _ => return None,
        };
        parent_refs.push(ParentRef {
            target: ObjRef {
                group: Some(p.group.clone().unwrap_or_else(|| sp(GATEWAY_GROUP, p.span))),
                kind: Some(p.kind.clone().unwrap_or_else(|| sp("Gateway", p.span))),
                name: Some(name.clone()),
                namespace,
                span: p.span,
            },
            section_name: p.section_name.clone(),
            port: p.port.clone(),
        });
    }
    let hostnames = if matches!(kind, "TCPRoute" | "UDPRoute") {
        Vec::new()
    } else {
        v.hostnames
            .iter()
            .map(|h| sp(&r.tpl(&h.v), h.span))
            .collect()
    };
    let only = (svcs.len() == 1).then(|| &svcs[0]);
    let mut rules = Vec::with_capacity(v.rules.len().max(1));
    if v.rules.is_empty() {
        // Chart 4.1 and later give a route without rules one rule to the only Service.
        let s = only.filter(|_| (r.major, r.minor) >= (4, 1))?;
        let port = s.primary_port().map(|p| Sp::new(p, v.key.span));
        rules.push(RouteRule {
            backend_refs: vec![BackendRef {
                target: ObjRef {
                    group: Some(sp("", v.key.span)),
                    kind: Some(sp("Service", v.key.span)),
                    name: Some(sp(&s.name, v.key.span)),
                    namespace: Some(sp(r.namespace, v.key.span)),
                    span: v.key.span,
                },
                port,
                weight: Some(Sp::new(1, v.key.span)),
                mirror: false,
            }],
            mirrors: Vec::new(),
            filter_types: Vec::new(),
            no_backends_written: false,
            span: v.key.span,
        });
    }
    for rule in &v.rules {
        let mut backend_refs = Vec::with_capacity(rule.backend_refs.len());
        for b in &rule.backend_refs {
            backend_refs.push(backend(r, b, svcs, only)?);
        }
        rules.push(RouteRule {
            backend_refs,
            mirrors: Vec::new(),
            filter_types: rule.filter_types.clone(),
            no_backends_written: false,
            span: rule.span,
        });
    }
    Some((
        Text::from(kind),
        Route {
            parent_refs,
            parent_refs_span: None,
            parent_refs_malformed: false,
            hostnames,
            rules,
            use_default_gateways: false,
        },
    ))
}

/// Renders the routes and Services of every app-template HelmRelease in `objects`. Returns
/// notes for --verbose.
pub fn render(objects: &mut Vec<Object>) -> Vec<String> {
    let mut sources: HashMap<(&str, &str, &str), &ChartRepository> = HashMap::new();
    for o in objects.iter() {
        if let (Spec::ChartRepository(c), true) = (&o.spec, o.key.group == FLUX_SOURCE_GROUP) {
            sources
                .entry((
                    o.key.kind.as_str(),
                    o.key.namespace.as_str(),
                    o.key.name.as_str(),
                ))
                .or_insert(c);
        }
    }
    let mut made: Vec<Object> = Vec::new();
    let mut rendered: Vec<usize> = Vec::new();
    let (mut releases, mut routes, mut skipped_routes, mut unknown) = (0, 0, 0, 0);
    for (i, o) in objects.iter().enumerate() {
        let Spec::HelmRelease(h) = &o.spec else {
            continue;
        };
        let Some(values) = h.app.as_deref() else {
            continue;
        };
        let namespace = h.target_namespace.as_deref().unwrap_or(&o.key.namespace);
        let Some((major, minor)) = app_template_version(h, &o.key.namespace, &sources) else {
            continue;
        };
        if !(4..=5).contains(&major) || values.opaque_services {
            unknown += 1;
            continue;
        }
        let r = Release {
            name: &h.release_name,
            namespace,
            values,
            h,
            major,
            minor,
        };
        let Some(svcs) = services(&r) else {
            unknown += 1;
            continue;
        };
        releases += 1;
        rendered.push(i);
        let ns_defaulted = o.namespace_defaulted && h.target_namespace.is_none();
        for s in &svcs {
            made.push(service_object(o, &r, s, ns_defaulted));
        }
        if values.routes.iter().any(|v| v.enabled == Enabled::Unknown) {
            skipped_routes += values.routes.len();
            continue;
        }
        let mut enabled: Vec<&RouteValues> = values
            .routes
            .iter()
            .filter(|v| v.enabled == Enabled::Yes)
            .collect();
        enabled.sort_by(|a, b| a.key.v.cmp(&b.key.v));
        enabled.dedup_by(|a, b| a.key.v == b.key.v);
        let count = enabled.len();
        for v in enabled {
            let Some((kind, spec)) = route_spec(&r, v, &svcs) else {
                skipped_routes += 1;
                continue;
            };
            let name = r.object_name(&v.key.v, &v.naming, count);
            if name.contains("{{") {
                skipped_routes += 1;
                continue;
            }
            let key = ObjKey::new(GATEWAY_GROUP, &kind, namespace, &name);
            made.push(object(
                o,
                key,
                v.key.span,
                v.span,
                Spec::Route(spec),
                ns_defaulted,
            ));
            routes += 1;
        }
    }
    for i in rendered {
        if let Spec::HelmRelease(h) = &mut objects[i].spec {
            h.rendered = true;
        }
    }
    let mut notes = Vec::new();
    if releases > 0 || unknown > 0 {
        notes.push(format!(
            "app-template: {releases} HelmReleases rendered ({routes} routes; {skipped_routes} routes not followed), {unknown} at a chart version or with values gwlint does not follow"
        ));
    }
    if !made.is_empty() {
        objects.append(&mut made);
        objects.sort_by_key(|o| (o.file, o.doc.start));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(version("4.4.0"), Some((4, 4)));
        assert_eq!(version("v5.1.0"), Some((5, 1)));
        assert_eq!(version("5.0.0-rc.1"), Some((5, 0)));
        assert_eq!(version(">=4.0.0"), None);
        assert_eq!(version("4.x"), None);
        assert_eq!(version("4.1"), None);
    }

    #[test]
    fn templates() {
        assert_eq!(
            tpl("{{ .Release.Name }}.example.com", "a", "ns"),
            "a.example.com"
        );
        assert_eq!(tpl("{{.Release.Namespace}}-x", "a", "ns"), "ns-x");
        assert_eq!(tpl("{{ .Values.x }}.y", "a", "ns"), "{{ .Values.x }}.y");
        assert_eq!(tpl("{{ open", "a", "ns"), "{{ open");
    }

    #[test]
    fn trims_like_helm() {
        let long = "a".repeat(62) + "-b";
        assert_eq!(trunc63(&long), "a".repeat(62));
    }
}
