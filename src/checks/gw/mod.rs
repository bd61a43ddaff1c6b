//! GW1xx: Gateway API references and attachment.

pub mod backend_not_found;
pub mod backend_port_not_on_service;
pub mod parent_port_not_found;
pub mod parent_ref_not_found;
pub mod section_name_not_found;
pub mod unknown_gateway_class;
pub mod virtualservice_gateway_not_found;

use crate::graph::{Loc, Reference};
use crate::model::gateway::Listener;
use crate::model::refs::{BackendRef, ParentRef};
use crate::model::{Object, Spec};

/// The typed parentRef a ParentRef reference came from.
pub fn parent_ref<'m>(from: &'m Object, r: &Reference) -> Option<&'m ParentRef> {
    match (&from.spec, r.loc) {
        (Spec::Route(route), Loc::ParentRef(i)) => route.parent_refs.get(i),
        (Spec::ListenerSet(ls), Loc::ListenerSetParent) => ls.parent_ref.as_ref(),
        _ => None,
    }
}

/// The typed backendRef a BackendRef reference came from.
pub fn backend_ref<'m>(from: &'m Object, r: &Reference) -> Option<&'m BackendRef> {
    match (&from.spec, r.loc) {
        (Spec::Route(route), Loc::Backend { rule, index }) => {
            route.rules.get(rule)?.all_backends().nth(index)
        }
        _ => None,
    }
}

/// Listeners of a Gateway or ListenerSet.
pub fn listeners(o: &Object) -> Option<&[Listener]> {
    match &o.spec {
        Spec::Gateway(g) => Some(&g.listeners),
        Spec::ListenerSet(l) => Some(&l.listeners),
        _ => None,
    }
}

/// `route kind ns/name` for messages.
pub fn describe(o: &Object) -> String {
    o.key.to_string()
}

/// "; the parentRef has no namespace, so it resolves in the route's namespace X".
pub fn defaulted_ns_note(r: &Reference, what: &str, from: &Object) -> String {
    if r.namespace_defaulted && !from.key.namespace.is_empty() {
        format!(
            " (the {what} sets no namespace, so it resolves in the {}'s namespace `{}`)",
            from.key.kind, from.key.namespace
        )
    } else {
        String::new()
    }
}
