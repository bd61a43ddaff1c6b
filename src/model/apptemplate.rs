//! The `route:` and `service:` values of a HelmRelease of the bjw-s `app-template` chart, read
//! with their spans. Which objects they become depends on the release (its name, namespace
//! and chart version), so they are rendered in the resolve stage (`crate::helm`), after
//! kustomize and Flux have decided the release's namespace.

use crate::load::tree::{Node, Value};
use crate::source::{Sp, Span, Text};

/// `enabled:` as the chart reads it: absent is enabled; a value gwlint cannot evaluate (a
/// template string) makes the entry unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enabled {
    Yes,
    No,
    Unknown,
}

fn enabled(map: &Node) -> Enabled {
    match map.get("enabled").map(|n| &n.value) {
        None | Some(Value::Bool(true)) => Enabled::Yes,
        Some(Value::Bool(false)) | Some(Value::Null) => Enabled::No,
        _ => Enabled::Unknown,
    }
}

/// The per-object naming fields of the chart's `determineResourceNameFromValues`.
#[derive(Clone, Debug, Default)]
pub struct Naming {
    pub force_rename: Option<Text>,
    pub prefix: Option<Text>,
    pub suffix: Option<Text>,
}

#[derive(Clone, Debug)]
pub struct PortValues {
    /// The key under `ports:`, which is the Service port's name.
    pub name: Sp<Text>,
    pub enabled: Enabled,
    pub port: Option<Sp<i64>>,
    pub target_port: Option<i64>,
    pub primary: bool,
    pub protocol: Option<Sp<Text>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ServiceValues {
    /// The key under `service:` (the chart's identifier).
    pub key: Sp<Text>,
    pub span: Span,
    pub enabled: Enabled,
    pub naming: Naming,
    pub type_: Option<Sp<Text>>,
    pub ports: Vec<PortValues>,
    pub ports_span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct ParentRefValues {
    pub span: Span,
    pub group: Option<Sp<Text>>,
    pub kind: Option<Sp<Text>>,
    pub name: Option<Sp<Text>>,
    pub namespace: Option<Sp<Text>>,
    pub section_name: Option<Sp<Text>>,
    pub port: Option<Sp<i64>>,
    /// `identifier:` (a ListenerSet of the same release, chart 5.x): not followed.
    pub identifier: bool,
}

/// A backendRef's `port:` as written.
#[derive(Clone, Debug)]
pub enum PortValue {
    Absent,
    Number(Sp<i64>),
    /// A port name, which newer chart versions look up in the identified Service.
    Name(Sp<Text>),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct BackendValues {
    pub span: Span,
    pub name: Option<Sp<Text>>,
    pub identifier: Option<Sp<Text>>,
    pub port: PortValue,
    pub namespace: Option<Sp<Text>>,
    pub group: Option<Sp<Text>>,
    pub kind: Option<Sp<Text>>,
    pub weight: Option<Sp<i64>>,
}

#[derive(Clone, Debug)]
pub struct RuleValues {
    pub span: Span,
    pub backend_refs: Vec<BackendValues>,
    pub filter_types: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct RouteValues {
    pub key: Sp<Text>,
    pub span: Span,
    pub enabled: Enabled,
    pub naming: Naming,
    pub kind: Option<Sp<Text>>,
    pub parent_refs: Vec<ParentRefValues>,
    pub hostnames: Vec<Sp<Text>>,
    /// `rules:` absent or empty: the chart may make one rule to the release's only Service.
    pub rules: Vec<RuleValues>,
    /// A field whose rendering gwlint does not follow for every chart version
    /// (`namespaceOverride`), or a value of an unexpected type: the route is not rendered.
    pub opaque: bool,
}

/// What the chart renders Services and routes from.
#[derive(Clone, Debug, Default)]
pub struct AppValues {
    pub global_name_override: Option<Text>,
    pub global_fullname_override: Option<Text>,
    pub always_append_identifier: bool,
    pub services: Vec<ServiceValues>,
    pub routes: Vec<RouteValues>,
    /// The values may create Services gwlint does not see (`rawResources`), or enable them in
    /// a way it does not evaluate: the release's Services are not known exactly.
    pub opaque_services: bool,
}

/// Substitutes Flux variables where they are known.
fn text(s: &str, vars: Option<&std::collections::HashMap<String, String>>) -> Text {
    match vars {
        Some(v) if s.contains("${") => super::read::substitute(s, v).into(),
        _ => s.into(),
    }
}

struct Values<'a> {
    vars: Option<&'a std::collections::HashMap<String, String>>,
    /// A value of an unexpected type was met.
    odd: bool,
}

impl Values<'_> {
    fn str(&mut self, map: &Node, key: &str) -> Option<Sp<Text>> {
        let n = map.get(key)?;
        match &n.value {
            Value::Str(s) => Some(Sp::new(text(s, self.vars), n.span)),
            Value::Null => None,
            // Helm renders a number or boolean with its text; such names do not occur.
            _ => {
                self.odd = true;
                None
            }
        }
    }

    fn int(&mut self, map: &Node, key: &str) -> Option<Sp<i64>> {
        let n = map.get(key)?;
        match &n.value {
            Value::Int(i) => Some(Sp::new(*i, n.span)),
            Value::Null => None,
            _ => {
                self.odd = true;
                None
            }
        }
    }

    fn naming(&mut self, map: &Node) -> Naming {
        Naming {
            force_rename: self.str(map, "forceRename").map(|s| s.v),
            prefix: self.str(map, "prefix").map(|s| s.v),
            suffix: self.str(map, "suffix").map(|s| s.v),
        }
    }
}

/// The entries of a mapping whose values are mappings (the chart skips the others).
fn map_entries(n: Option<&Node>) -> impl Iterator<Item = (&Node, &Node)> {
    n.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter(|(k, v)| k.as_str().is_some() && v.as_map().is_some())
        .map(|(k, v)| (k, v))
}

fn key_of(k: &Node) -> Sp<Text> {
    Sp::new(Text::from(k.as_str().unwrap_or("")), k.span)
}

/// A Service port's number: the chart writes it into the manifest unquoted, so a quoted
/// number (`port: "8080"`) is that number.
fn port_number(v: &mut Values, p: &Node) -> Option<Sp<i64>> {
    match p.get("port").map(|n| (&n.value, n.span)) {
        Some((Value::Str(s), span)) => match s.trim().parse::<i64>() {
            Ok(n) => Some(Sp::new(n, span)),
            Err(_) => {
                v.odd = true;
                None
            }
        },
        _ => v.int(p, "port"),
    }
}

fn service(v: &mut Values, key: &Node, node: &Node) -> ServiceValues {
    let ports_node = node.get("ports");
    let ports = map_entries(ports_node)
        .map(|(k, p)| PortValues {
            name: key_of(k),
            enabled: enabled(p),
            port: port_number(v, p),
            target_port: match p.get("targetPort").map(|t| &t.value) {
                Some(Value::Int(i)) => Some(*i),
                _ => None,
            },
            primary: matches!(p.get("primary").map(|x| &x.value), Some(Value::Bool(true))),
            protocol: v.str(p, "protocol"),
            span: p.span,
        })
        .collect();
    ServiceValues {
        key: key_of(key),
        span: node.span,
        enabled: enabled(node),
        naming: v.naming(node),
        type_: v.str(node, "type"),
        ports,
        ports_span: ports_node.map(|p| p.span),
    }
}

fn backend(v: &mut Values, b: &Node) -> BackendValues {
    let port = match b.get("port") {
        None => PortValue::Absent,
        Some(n) => match &n.value {
            Value::Null => PortValue::Absent,
            Value::Int(i) => PortValue::Number(Sp::new(*i, n.span)),
            Value::Str(s) => PortValue::Name(Sp::new(text(s, v.vars), n.span)),
            _ => PortValue::Unknown,
        },
    };
    BackendValues {
        span: b.span,
        name: v.str(b, "name"),
        identifier: v.str(b, "identifier"),
        port,
        namespace: v.str(b, "namespace"),
        group: v.str(b, "group"),
        kind: v.str(b, "kind"),
        weight: v.int(b, "weight"),
    }
}

fn seq(n: Option<&Node>) -> Option<&[Node]> {
    match n.map(|n| &n.value) {
        None | Some(Value::Null) => Some(&[]),
        Some(Value::Seq(items)) => Some(items),
        _ => None,
    }
}

fn route(v: &mut Values, key: &Node, node: &Node) -> RouteValues {
    let before = v.odd;
    v.odd = false;
    let mut opaque = node.get("namespaceOverride").is_some();
    let parent_refs = match seq(node.get("parentRefs")) {
        Some(items) => items
            .iter()
            .filter(|p| p.as_map().is_some())
            .map(|p| ParentRefValues {
                span: p.span,
                group: v.str(p, "group"),
                kind: v.str(p, "kind"),
                name: v.str(p, "name"),
                namespace: v.str(p, "namespace"),
                section_name: v.str(p, "sectionName"),
                port: v.int(p, "port"),
                identifier: p.get("identifier").is_some(),
            })
            .collect(),
        None => {
            opaque = true;
            Vec::new()
        }
    };
    let hostnames = match seq(node.get("hostnames")) {
        Some(items) => items
            .iter()
            .filter_map(|h| match &h.value {
                Value::Str(s) => Some(Sp::new(text(s, v.vars), h.span)),
                _ => {
                    opaque = true;
                    None
                }
            })
            .collect(),
        None => {
            opaque = true;
            Vec::new()
        }
    };
    let mut rules = Vec::new();
    match seq(node.get("rules")) {
        Some(items) => {
            for r in items {
                if r.as_map().is_none() {
                    opaque = true;
                    continue;
                }
                let backend_refs = match seq(r.get("backendRefs")) {
                    Some(bs) => bs
                        .iter()
                        .filter(|b| b.as_map().is_some())
                        .map(|b| backend(v, b))
                        .collect(),
                    None => {
                        opaque = true;
                        Vec::new()
                    }
                };
                let filter_types = seq(r.get("filters"))
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|f| f.get("type").and_then(Node::as_str).map(str::to_string))
                    .collect();
                rules.push(RuleValues {
                    span: r.span,
                    backend_refs,
                    filter_types,
                });
            }
        }
        None => opaque = true,
    }
    let kind = v.str(node, "kind");
    let naming = v.naming(node);
    let out = RouteValues {
        key: key_of(key),
        span: node.span,
        enabled: enabled(node),
        naming,
        kind,
        parent_refs,
        hostnames,
        rules,
        opaque: opaque || v.odd,
    };
    v.odd = before;
    out
}

impl AppValues {
    /// Reads `values`; `None` when it declares neither routes nor Services.
    pub fn read(
        values: &Node,
        vars: Option<&std::collections::HashMap<String, String>>,
    ) -> Option<AppValues> {
        let routes_node = values.get("route");
        let services_node = values.get("service");
        if routes_node.and_then(Node::as_map).is_none()
            && services_node.and_then(Node::as_map).is_none()
        {
            return None;
        }
        let mut v = Values { vars, odd: false };
        let global = values.get("global").filter(|g| g.as_map().is_some());
        let (global_name_override, global_fullname_override) = match global {
            Some(g) => (v.str(g, "nameOverride"), v.str(g, "fullnameOverride")),
            None => (None, None),
        };
        let always_append_identifier = global
            .and_then(|g| g.get("alwaysAppendIdentifierToResourceName"))
            .is_some_and(|a| matches!(a.value, Value::Bool(true)));
        let services: Vec<ServiceValues> = map_entries(services_node)
            .map(|(k, n)| service(&mut v, k, n))
            .collect();
        let routes = map_entries(routes_node)
            .map(|(k, n)| route(&mut v, k, n))
            .collect();
        // `rawResources` may hold any object, a Service too; names built from templates are
        // rendered by Helm with the whole values at hand.
        let raw = values
            .get("rawResources")
            .and_then(Node::as_map)
            .is_some_and(|m| !m.is_empty());
        let global_name_override = global_name_override.map(|s| s.v);
        let global_fullname_override = global_fullname_override.map(|s| s.v);
        let unknown = services.iter().any(|s| s.enabled == Enabled::Unknown);
        Some(AppValues {
            global_name_override,
            global_fullname_override,
            always_append_identifier,
            services,
            routes,
            opaque_services: raw || unknown || v.odd,
        })
    }
}
