//! GW1xx: Gateway API references and attachment.

pub mod backend_not_found;
pub mod backend_port_not_on_service;
pub mod backend_ref_not_permitted;
pub mod backend_tls_policy_ref_not_found;
pub mod certificate_ref_not_permitted;
pub mod conflicting_listeners;
pub mod externalname_backend;
pub mod istio_parameters_ref_invalid;
pub mod listenerset_not_allowed;
pub mod no_effective_backends;
pub mod no_matching_listener_hostname;
pub mod parent_port_not_found;
pub mod parent_ref_not_found;
pub mod reference_grant_cannot_attach;
pub mod reference_grant_core_group;
pub mod reference_grant_same_namespace;
pub mod route_hostname_ignored;
pub mod route_kind_not_allowed;
pub mod route_namespace_not_allowed;
pub mod route_without_parent;
pub mod section_name_not_found;
pub mod selector_without_selector;
pub mod unknown_gateway_class;
pub mod unused_reference_grant;
pub mod virtualservice_gateway_not_found;

use crate::graph::attach::ListenerId;
use crate::graph::{Graph, Loc, Reference};
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

/// The listener a ListenerId names.
pub fn listener<'m>(g: &Graph<'m>, id: ListenerId) -> Option<&'m Listener> {
    listeners(g.obj(id.owner))?.get(id.index)
}

/// "listener `https` of Gateway gateway-system/edge".
pub fn listener_label(g: &Graph, id: ListenerId) -> String {
    let owner = g.obj(id.owner);
    let name = listener(g, id).map(|l| l.name()).unwrap_or("?");
    format!("listener `{name}` of {}", owner.key)
}

/// The ReferenceGrant's kinds a route can be.
pub const ROUTE_KINDS: &[&str] = &["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

/// A RefNotPermitted finding with the grants that almost matched as related locations and a
/// help line that spells out the grant to add.
pub(crate) fn grant_finding<'m>(
    cx: &crate::checks::Ctx<'_, 'm>,
    rule: &'static str,
    span: crate::source::Span,
    r: &Reference,
    message: String,
    files: &mut Option<GrantFiles<'m>>,
) -> crate::diagnostic::Diagnostic {
    let g = cx.graph;
    let from = g.obj(r.from);
    let mut d = crate::diagnostic::Diagnostic::new(rule, span, message)
        .label("cross-namespace reference without a ReferenceGrant")
        .on(from);
    d = d.related_each(g.grants.in_namespace(&r.target.namespace), |&grant| {
        let go = g.obj(grant);
        (
            go.name_span(),
            format!("{} does not match this reference", go.key),
        )
    });
    d = d.related_each(g.grants.in_namespace(&from.key.namespace), |&grant| {
        let go = g.obj(grant);
        (
            go.name_span(),
            format!(
                "{} lives in the referrer's namespace; a grant must live in the target's namespace `{}`",
                go.key, r.target.namespace
            ),
        )
    });
    let group = if r.target.group.is_empty() {
        "\"\"".to_string()
    } else {
        r.target.group.to_string()
    };
    d = d.help(format!(
        "add a ReferenceGrant in namespace `{}` with from {{group: {}, kind: {}, namespace: {}}} and to {{group: {group}, kind: {}, name: {}}}",
        r.target.namespace, from.key.group, from.key.kind, from.key.namespace, r.target.kind, r.target.name
    ));
    // The files a grant can be appended to are found once per rule run, on its first finding.
    let files = files.get_or_insert_with(|| GrantFiles::new(cx));
    if let Some(f) = grant_fix(cx, files, r) {
        d = d.fix(f);
    }
    d
}

/// A missing Service in a namespace a Flux HelmRelease deploys into may be one its chart (or an
/// operator it installs) creates under a name gwlint cannot predict: not a defect the
/// repository shows. The finding becomes an info naming the releases; true when it applied.
pub(crate) fn helm_may_create(
    cx: &crate::checks::Ctx,
    target: &crate::model::ObjKey,
    d: &mut crate::diagnostic::Diagnostic,
) -> bool {
    let releases = cx.graph.helm_releases_in(&target.namespace);
    if !target.group.is_empty() || target.kind != "Service" || releases.is_empty() {
        return false;
    }
    d.severity = crate::config::Severity::Info;
    d.message.push_str(&format!(
        "; the HelmRelease {} deploys into this namespace and may create it",
        releases
            .iter()
            .map(|r| r.release_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    d.help = Some(
        "if the chart or an operator creates this Service, declare it under `externals.services` in .gwlint.yaml".into(),
    );
    true
}

/// A backendRef to an HTTPRoute is route delegation, an implementation's extension (kgateway,
/// Gloo): the parent hands matching requests to the child routes. Who may delegate to whom is
/// the implementation's rule, not ReferenceGrant's, and `*` names every route of the namespace.
pub(crate) fn is_delegation(target: &crate::model::ObjKey) -> bool {
    target.group == crate::model::GATEWAY_GROUP && target.kind == "HTTPRoute"
}

/// The (namespace, name) pairs that routes delegate to, `*` for a whole namespace: those routes
/// attach through their parent, not by parentRefs. Built once per run of a rule.
pub(crate) fn delegation_targets<'g>(
    cx: &crate::checks::Ctx<'g, '_>,
) -> std::collections::HashSet<(&'g str, &'g str)> {
    cx.graph
        .refs
        .iter()
        .filter(|r| r.kind == crate::graph::RefKind::BackendRef && is_delegation(&r.target))
        .map(|r| (r.target.namespace.as_str(), r.target.name.as_str()))
        .collect()
}

/// A Service an operator in the repository creates under a name it documents: a Tekton
/// `EventListener` named X serves through the Service `el-X` beside it, and the Tekton operator
/// installs its dashboard's Service.
pub(crate) fn operator_creates(cx: &crate::checks::Ctx, target: &crate::model::ObjKey) -> bool {
    if !target.group.is_empty() || target.kind != "Service" {
        return false;
    }
    // The Tekton operator's dashboard: a TektonConfig (or TektonDashboard) installs the Service
    // `tekton-dashboard` in `tekton-pipelines`.
    if target.name == "tekton-dashboard" && target.namespace == "tekton-pipelines" {
        return cx.graph.objects.iter().any(|o| {
            o.key.group == "operator.tekton.dev"
                && matches!(o.key.kind.as_str(), "TektonConfig" | "TektonDashboard")
        });
    }
    target.name.strip_prefix("el-").is_some_and(|listener| {
        cx.graph
            .get(&crate::model::ObjKey::new(
                "triggers.tekton.dev",
                "EventListener",
                &target.namespace,
                listener,
            ))
            .is_some()
    })
}

/// A reference that follows its object's namespace, from an object whose namespace the
/// repository sets nowhere (no `metadata.namespace`, kustomization or Flux Kustomization: it goes
/// where `kubectl apply -n` puts it), to a name that exists in another namespace: applied
/// there, it resolves. The repository cannot tell, so the finding becomes an info that says so.
/// True when it applied.
pub(crate) fn namespace_unknown(
    cx: &crate::checks::Ctx,
    r: &crate::graph::Reference,
    d: &mut crate::diagnostic::Diagnostic,
) -> bool {
    let from = cx.obj(r.from);
    if let Some(unset) = namespace_set_nowhere(cx, r) {
        d.severity = crate::config::Severity::Info;
        d.message.push_str(&format!(
            "; but {} `{}` is defined with no namespace, and no kustomization or Flux Kustomization sets one: applied in namespace `{}`, it resolves",
            r.target.kind, r.target.name, r.target.namespace
        ));
        // First among the related locations: it is what the finding now rests on.
        d.related.insert(
            0,
            crate::diagnostic::Related {
                span: unset.name_span(),
                message: format!("{} (namespace not set)", unset.key),
            },
        );
        if d.related.len() > crate::diagnostic::MAX_RELATED {
            d.related.pop();
            d.omitted_related += 1;
        }
        return true;
    }
    if !from.namespace_defaulted || !r.namespace_defaulted {
        return false;
    }
    let Some(other) =
        crate::checks::same_name_elsewhere(cx, &r.target.group, &r.target.kind, &r.target.name)
    else {
        return false;
    };
    d.severity = crate::config::Severity::Info;
    d.message.push_str(&format!(
        "; but the repository sets no namespace for {}, and {} `{}` exists in namespace `{}`: applied there, it resolves",
        from.key, r.target.kind, r.target.name, other.key.namespace
    ));
    true
}

/// An object of the reference's kind and name whose namespace the repository sets nowhere (no
/// `metadata.namespace`, kustomization or Flux Kustomization): it goes where `kubectl apply -n`
/// puts it, perhaps the namespace the reference names. One in the referrer's directory is
/// preferred, as tests apply a directory at a time.
fn namespace_set_nowhere<'m>(
    cx: &crate::checks::Ctx<'_, 'm>,
    r: &crate::graph::Reference,
) -> Option<&'m Object> {
    let g = cx.graph;
    let flux = !g.flux.deploys.is_empty();
    let dir = |o: &Object| {
        cx.files
            .get(o.file as usize)
            .and_then(|f| f.path.parent().map(std::path::Path::to_path_buf))
    };
    let from_dir = dir(cx.obj(r.from));
    let mut unset = g
        .same_name(&r.target.group, &r.target.kind, &r.target.name)
        .iter()
        .map(|&id| g.obj(id))
        // Flux applies what it deploys in the default namespace when none is set.
        .filter(|o| o.namespace_defaulted && (!flux || g.by_hand.binary_search(&o.file).is_ok()));
    let first = unset.next()?;
    if from_dir.is_none() || dir(first) == from_dir {
        return Some(first);
    }
    Some(unset.find(|o| dir(o) == from_dir).unwrap_or(first))
}

/// Files a new ReferenceGrant can be appended to, by namespace: YAML files (not
/// kustomizations) that hold objects of that namespace and nothing that may be a Secret (a
/// SOPS-encrypted file would no longer decrypt with a document added). A file in which a
/// kustomization or Flux finds the namespace's objects is already deployed, so the grant is too.
/// Keyed by the namespace as the objects spell it: borrowed, not copied once per object.
pub(crate) struct GrantFiles<'m>(
    std::collections::HashMap<&'m str, (Vec<crate::source::FileId>, Option<crate::source::FileId>)>,
);

impl<'m> GrantFiles<'m> {
    pub(crate) fn new(cx: &crate::checks::Ctx<'_, 'm>) -> GrantFiles<'m> {
        let mut by_ns: std::collections::HashMap<&'m str, Vec<crate::source::FileId>> =
            std::collections::HashMap::new();
        let mut tainted = std::collections::HashSet::new();
        for o in cx.graph.objects {
            if crate::model::may_hold_secret(&o.key.kind) {
                tainted.insert(o.file);
            }
            if !o.key.namespace.is_empty() {
                by_ns
                    .entry(o.key.namespace.as_str())
                    .or_default()
                    .push(o.file);
            }
        }
        for files in by_ns.values_mut() {
            files.sort_unstable();
            files.dedup();
            files.retain(|&f| {
                let Some(src) = cx.files.get(f as usize) else {
                    return false;
                };
                let yaml = src
                    .path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml");
                yaml && !tainted.contains(&f)
                    && !crate::model::is_kustomization_file(&src.path)
                    && !src.rewritten_before_apply()
            });
        }
        // The first file by path, once per namespace: a crowded namespace has thousands of
        // findings, each of which would otherwise look through all its files.
        let first = |files: &[crate::source::FileId]| {
            files.iter().copied().min_by(|&a, &b| {
                let path = |f: crate::source::FileId| cx.files.get(f as usize).map(|s| &s.path);
                path(a).cmp(&path(b))
            })
        };
        GrantFiles(
            by_ns
                .into_iter()
                .map(|(ns, files)| {
                    let f = first(&files);
                    (ns, (files, f))
                })
                .collect(),
        )
    }

    /// The file to append a grant for a reference to `target` to: the target's own file when
    /// it qualifies, else the first (by path) that does.
    fn pick(&self, cx: &crate::checks::Ctx, r: &Reference) -> Option<crate::source::FileId> {
        let (files, first) = self.0.get(r.target.namespace.as_str())?;
        let own = match r.resolution {
            crate::graph::Resolution::Object(id) => Some(cx.obj(id).file),
            _ => None,
        };
        // `files` is sorted by id.
        own.filter(|f| files.binary_search(f).is_ok()).or(*first)
    }
}

/// The fix that appends a ReferenceGrant permitting `r` to a file of the target's namespace,
/// as a new document in the file's line breaks. Unsafe: it widens access, which a human must
/// approve. Only for a target that exists in the input, and a grant name not taken.
pub(crate) fn grant_fix(
    cx: &crate::checks::Ctx,
    files: &GrantFiles,
    r: &Reference,
) -> Option<crate::fix::Fix> {
    if !matches!(r.resolution, crate::graph::Resolution::Object(_)) {
        return None;
    }
    let from = &cx.obj(r.from).key;
    let t = &r.target;
    let name = format!(
        "{}-from-{}-{}",
        t.name,
        from.kind.to_ascii_lowercase(),
        from.namespace
    );
    if name.len() > 253 || !crate::fix::text::plain_safe(&name) {
        return None;
    }
    let taken = crate::model::ObjKey::new(
        crate::model::GATEWAY_GROUP,
        "ReferenceGrant",
        &t.namespace,
        &name,
    );
    if cx.graph.get(&taken).is_some() {
        return None;
    }
    let plain = |s: &str| {
        if crate::fix::text::plain_safe(s) {
            s.to_string()
        } else {
            crate::fix::text::double_quoted(s)
        }
    };
    let targets = &cx.config.targets;
    let version = crate::checks::api::served::lookup(
        "gateway.networking.k8s.io/v1beta1",
        "ReferenceGrant",
        targets,
    )
    .and_then(|v| v.recommended(targets))
    .unwrap_or("v1beta1");
    let file = files.pick(cx, r)?;
    let text = cx.text(file);
    let brk = crate::fix::text::line_break(text, 0);
    let lines = [
        "---".to_string(),
        format!("apiVersion: {}/{version}", crate::model::GATEWAY_GROUP),
        "kind: ReferenceGrant".to_string(),
        "metadata:".to_string(),
        format!("  name: {}", plain(&name)),
        format!("  namespace: {}", plain(&t.namespace)),
        "spec:".to_string(),
        "  from:".to_string(),
        format!(
            "  - group: {}",
            if from.group.is_empty() {
                "\"\"".to_string()
            } else {
                plain(&from.group)
            }
        ),
        format!("    kind: {}", plain(&from.kind)),
        format!("    namespace: {}", plain(&from.namespace)),
        "  to:".to_string(),
        format!(
            "  - group: {}",
            if t.group.is_empty() {
                "\"\"".to_string()
            } else {
                plain(&t.group)
            }
        ),
        format!("    kind: {}", plain(&t.kind)),
        format!("    name: {}", plain(&t.name)),
    ];
    let mut add = String::new();
    if !text.is_empty() && !text.ends_with('\n') && !text.ends_with('\r') {
        add.push_str(brk);
    }
    for l in &lines {
        add.push_str(l);
        add.push_str(brk);
    }
    let shown = cx
        .files
        .get(file as usize)
        .map(|f| f.display_path())
        .unwrap_or_default();
    Some(crate::fix::Fix::unsafe_(
        format!(
            "Add ReferenceGrant {}/{name} to {shown}, permitting {} from namespace `{}` to {} `{}` (widens access: review it)",
            t.namespace, from.kind, from.namespace, t.kind, t.name
        ),
        vec![crate::fix::Edit::insert(file, text.len() as u32, add)],
    ))
}
