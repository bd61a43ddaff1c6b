//! GW109: a backendRef's port is not one of the Service's ports.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW109"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            let (RefKind::BackendRef, Resolution::Object(sid)) = (r.kind, &r.resolution) else {
                continue;
            };
            let service_obj = cx.obj(*sid);
            let Spec::Service(svc) = &service_obj.spec else {
                continue;
            };
            let from = cx.obj(r.from);
            let Some(b) = super::backend_ref(from, r) else {
                continue;
            };
            let Some(port) = &b.port else { continue };
            if svc.is_external_name() && svc.ports.is_empty() {
                continue;
            }
            let on_some_definition =
                cx.graph
                    .all(&r.target)
                    .iter()
                    .any(|&id| match &cx.obj(id).spec {
                        Spec::Service(s) => s
                            .ports
                            .iter()
                            .any(|p| p.port.as_ref().is_some_and(|sp| sp.v == port.v)),
                        _ => false,
                    });
            if on_some_definition {
                continue;
            }
            let ports: Vec<String> = svc
                .ports
                .iter()
                .filter_map(|p| p.port.as_ref().map(|sp| sp.v.to_string()))
                .collect();
            let mut d = Diagnostic::new(
                self.id(),
                port.span,
                format!(
                    "{}: port {} is not a port of {} (its ports: {})",
                    super::describe(from),
                    port.v,
                    super::describe(service_obj),
                    if ports.is_empty() {
                        "none".to_string()
                    } else {
                        crate::checks::name_list(&ports)
                    }
                ),
            )
            .label("not a Service port")
            .on(from)
            .related(
                svc.ports_span.unwrap_or(service_obj.spec_span),
                format!("ports of Service {}", service_obj.key.name),
            );
            let via_target = svc
                .ports
                .iter()
                .find(|p| p.target_port == Some(port.v))
                .and_then(|p| p.port.as_ref());
            let by_target = svc
                .ports
                .iter()
                .filter(|p| p.target_port == Some(port.v))
                .count();
            let only = match svc.ports.as_slice() {
                [p] => p.port.as_ref(),
                _ => None,
            };
            // The Service port whose targetPort the backendRef names sends to the very pod
            // port that was written: certain when only one does (safe). The one port of a
            // single-port Service is only likely (unsafe).
            let fix = match (via_target, only) {
                (Some(sp), _) if by_target == 1 => port_fix(cx, port.span, sp.v).map(|e| {
                    crate::fix::Fix::safe(
                        format!(
                            "Change the port to {}, the Service port that targets {}",
                            sp.v, port.v
                        ),
                        vec![e],
                    )
                }),
                (_, Some(sp)) => port_fix(cx, port.span, sp.v).map(|e| {
                    crate::fix::Fix::unsafe_(
                        format!("Change the port to {}, the Service's only port", sp.v),
                        vec![e],
                    )
                }),
                _ => None,
            };
            d = match via_target {
                Some(sp) => d.help(format!(
                    "{} is the Service's targetPort; a backendRef names the Service port: use port {}",
                    port.v, sp.v
                )),
                None => d.help("use one of the Service's `spec.ports[].port` values"),
            };
            if let Some(f) = fix {
                d = d.fix(f);
            }
            out.push(d);
        }
    }
}

/// The edit that writes port `to` over the plain integer at `span`.
fn port_fix(
    cx: &Ctx,
    span: crate::source::Span,
    to: impl std::fmt::Display,
) -> Option<crate::fix::Edit> {
    let text = cx.text(span.file);
    let extent = crate::fix::text::scalar_extent(text, span);
    let raw = text.get(extent.range())?;
    raw.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| crate::fix::Edit::replace(extent, to.to_string()))
}
