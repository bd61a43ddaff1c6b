//! Checks stage: rules read the graph (never the files) and return findings.

pub mod api;
pub mod dns;
pub mod flx;
pub mod gw;
pub mod ist;
pub mod sec;
pub mod tls;
pub mod yaml;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::graph::{Graph, ObjId};
use crate::model::Object;

/// What a rule sees.
pub struct Ctx<'g, 'm> {
    pub graph: &'g Graph<'m>,
    pub config: &'g Config,
    /// Derived facts several rules read, computed once on first use.
    pub(crate) shared: tls::Shared<'m>,
    /// The run's files, for fixes that must keep a scalar's quoting or a line's indentation
    /// (empty: no fixes that need the text are offered).
    pub files: &'g [crate::source::SourceFile],
    /// Files in test and example directories that no Flux Kustomization deploys, sorted.
    pub samples: &'g [crate::source::FileId],
}

impl<'g, 'm> Ctx<'g, 'm> {
    pub fn new(graph: &'g Graph<'m>, config: &'g Config) -> Self {
        Ctx {
            graph,
            config,
            shared: tls::Shared::default(),
            files: &[],
            samples: &[],
        }
    }

    /// With the files of tests and examples (see `samples`).
    pub fn with_samples(mut self, samples: &'g [crate::source::FileId]) -> Self {
        self.samples = samples;
        self
    }

    /// Whether a file lies in a test or example directory that no Flux Kustomization deploys.
    pub fn in_sample(&self, file: crate::source::FileId) -> bool {
        self.samples.binary_search(&file).is_ok()
    }

    /// `d` as an info when its object lies in a test or example directory (see `samples`),
    /// where `usually` (e.g. "credentials are often dummies") says why it may not matter:
    /// whether it does cannot be told there.
    pub fn info_in_samples(
        &self,
        mut d: crate::diagnostic::Diagnostic,
        file: crate::source::FileId,
        usually: &str,
    ) -> crate::diagnostic::Diagnostic {
        if self.in_sample(file) {
            d.message.push_str(&format!(
                " (in a test or example directory, where {usually}: info)"
            ));
            d.severity = crate::config::Severity::Info;
        }
        d
    }

    /// With the files' texts, so rules can offer fixes.
    pub fn with_files(mut self, files: &'g [crate::source::SourceFile]) -> Self {
        self.files = files;
        self
    }

    /// The text of a file, or "" when the context has none.
    pub fn text(&self, file: crate::source::FileId) -> &'g str {
        self.files
            .get(file as usize)
            .map_or("", |f| f.text.as_str())
    }

    /// A fix that renames the reference whose name is at `span` from `old` to `new`, keeping
    /// its quoting; None when the span does not hold that name (the text disagrees).
    pub fn rename_fix(
        &self,
        span: crate::source::Span,
        old: &str,
        new: &str,
        title: String,
    ) -> Option<crate::fix::Fix> {
        let text = self.text(span.file);
        let raw = text.get(crate::fix::text::scalar_extent(text, span).range())?;
        if raw.trim_matches(['"', '\'']) != old {
            return None;
        }
        let edit = crate::fix::text::replace_scalar(text, span, new)?;
        Some(crate::fix::Fix::unsafe_(title, vec![edit]))
    }

    pub fn obj(&self, id: ObjId) -> &'m Object {
        self.graph.obj(id)
    }
}

pub trait Check: Sync {
    fn id(&self) -> &'static str;
    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>);
}

/// Every graph rule. Load-stage rules (YAML001–YAML005, API505 type errors) are raised by the
/// loader and model; their pages live with the others.
pub fn registry() -> Vec<&'static dyn Check> {
    vec![
        &gw::parent_ref_not_found::Rule,
        &gw::section_name_not_found::Rule,
        &gw::parent_port_not_found::Rule,
        &gw::backend_not_found::Rule,
        &gw::backend_port_not_on_service::Rule,
        &gw::unknown_gateway_class::Rule,
        &gw::virtualservice_gateway_not_found::Rule,
        &gw::route_namespace_not_allowed::Rule,
        &gw::route_kind_not_allowed::Rule,
        &gw::no_matching_listener_hostname::Rule,
        &gw::route_hostname_ignored::Rule,
        &gw::backend_ref_not_permitted::Rule,
        &gw::certificate_ref_not_permitted::Rule,
        &gw::unused_reference_grant::Rule,
        &gw::reference_grant_cannot_attach::Rule,
        &gw::reference_grant_core_group::Rule,
        &gw::reference_grant_same_namespace::Rule,
        &gw::conflicting_listeners::Rule,
        &gw::listenerset_not_allowed::Rule,
        &gw::selector_without_selector::Rule,
        &gw::route_without_parent::Rule,
        &gw::no_effective_backends::Rule,
        &gw::externalname_backend::Rule,
        &gw::backend_tls_policy_ref_not_found::Rule,
        &gw::istio_parameters_ref_invalid::Rule,
        &tls::certificate_secret_has_no_producer::Rule,
        &tls::https_listener_without_tls::Rule,
        &tls::terminate_without_certificates::Rule,
        &tls::tls_mode_invalid::Rule,
        &tls::certificate_ref_not_secret::Rule,
        &tls::secret_unusable_for_tls::Rule,
        &tls::tls_secret_type_not_tls::Rule,
        &tls::certificate_does_not_cover_hostname::Rule,
        &tls::wildcard_hostname_not_servable::Rule,
        &tls::issuer_not_found::Rule,
        &tls::issuer_kind_invalid::Rule,
        &tls::duplicate_secret_name::Rule,
        &tls::gateway_shim_cannot_use_listener::Rule,
        &tls::gateway_shim_conflicting_annotations::Rule,
        &tls::shim_certificate_shadowed::Rule,
        &tls::http01_for_wildcard::Rule,
        &tls::http01_ingress_class_not_served::Rule,
        &tls::gatewayhttproute_cannot_attach::Rule,
        &tls::public_acme_private_name::Rule,
        &tls::no_solver_matches::Rule,
        &tls::azuredns_config_invalid::Rule,
        &tls::azuredns_zone_mismatch::Rule,
        &tls::https_listener_without_hostname::Rule,
        &tls::istio_too_many_certificate_refs::Rule,
        &tls::http01_requires_port_80::Rule,
        &tls::certificate_expired::Rule,
        &tls::certificate_expiring::Rule,
        &dns::hostname_in_no_declared_zone::Rule,
        &dns::record_targets_wrong_ip::Rule,
        &dns::record_for_unserved_name::Rule,
        &dns::private_zone_name_on_public_lb::Rule,
        &dns::public_zone_name_on_internal_lb::Rule,
        &dns::non_private_ip_in_private_zone::Rule,
        &dns::private_zone_without_vnet_link::Rule,
        &dns::aso_owner_not_found::Rule,
        &dns::lb_annotation_ignored_by_istio::Rule,
        &dns::internal_subnet_without_internal_flag::Rule,
        &dns::external_dns_annotation_on_wrong_kind::Rule,
        &dns::external_dns_annotation_prefix_mismatch::Rule,
        &dns::domain_filter_excludes_hostname::Rule,
        &dns::istio_revision_unknown::Rule,
        &sec::secret_multiple_writers::Rule,
        &sec::secret_store_not_found::Rule,
        &sec::namespace_excluded_by_cluster_store::Rule,
        &sec::invalid_policy_combination::Rule,
        &sec::externalsecret_without_data::Rule,
        &sec::merge_into_nothing::Rule,
        &sec::cluster_store_ref_without_namespace::Rule,
        &sec::workload_identity_sa_missing::Rule,
        &sec::keyvault_cert_without_key::Rule,
        &sec::tls_externalsecret_shape::Rule,
        &sec::duplicate_secret_key::Rule,
        &sec::broad_reference_grant_to_secrets::Rule,
        &sec::plaintext_secret_in_repository::Rule,
        &api::api_version_not_served::Rule,
        &api::deprecated_api_version::Rule,
        &api::experimental_on_standard_channel::Rule,
        &api::istio_annotation_misplaced::Rule,
        &api::aks_gateway_api_prerequisites::Rule,
        &api::duplicate_object::Rule,
        &ist::gateway_selects_no_workload::Rule,
        &ist::credential_not_found::Rule,
        &ist::credential_invalid::Rule,
        &ist::gateway_port_not_on_service::Rule,
        &ist::conflicting_gateways::Rule,
        &ist::duplicate_certificate::Rule,
        &ist::virtualservice_host_not_in_gateway::Rule,
        &ist::internal_gateway_reference::Rule,
        &ist::destination_host_not_found::Rule,
        &ist::destination_port_required::Rule,
        &ist::destination_port_not_found::Rule,
        &ist::subset_not_found::Rule,
        &ist::conflicting_mesh_hosts::Rule,
        &ist::ingress_subset_not_applied::Rule,
        &ist::destinationrule_tls_without_ca::Rule,
        &ist::client_credential_not_found::Rule,
        &ist::gateway_api_crd_below_istio_minimum::Rule,
        &ist::conflicting_serviceentry_protocol::Rule,
        &ist::serviceentry_addresses_required::Rule,
        &flx::flux_variable_undefined::Rule,
    ]
}

/// Rule ids raised outside the graph rules.
pub const LOAD_STAGE_RULES: &[&str] = &[
    yaml::SYNTAX_ERROR,
    yaml::UNRENDERED_TEMPLATE,
    yaml::BINARY_OR_OVERSIZED,
    yaml::DUPLICATE_KEY,
    yaml::YAML11_AMBIGUOUS,
    api::SCHEMA_VIOLATION,
    crate::schema::CEL_RULE_VIOLATED,
    crate::schema::RULE_NOT_EVALUATED,
    crate::schema::UNKNOWN_FIELD,
    crate::suppress::UNUSED,
];

/// Runs the enabled rules in parallel; the caller sorts the result.
pub fn run(cx: &Ctx, enabled: &(dyn Fn(&str) -> bool + Sync)) -> Vec<Diagnostic> {
    // Developer aid for finding the rule that does not scale: each rule's time on stderr.
    let timed = std::env::var_os("GWLINT_DEBUG_RULES").is_some();
    registry()
        .par_iter()
        .filter(|c| enabled(c.id()))
        .flat_map_iter(|c| {
            let mut out = Vec::new();
            let start = std::time::Instant::now();
            c.run(cx, &mut out);
            if timed {
                // Never a panic over a closed standard error.
                let _ = std::io::Write::write_fmt(
                    &mut std::io::stderr(),
                    format_args!(
                        "gwlint: rule {} {:.1} ms, {} findings\n",
                        c.id(),
                        start.elapsed().as_secs_f64() * 1e3,
                        out.len()
                    ),
                );
            }
            out
        })
        .collect()
}

/// Why a reference to something missing is an info in tests and examples
/// ([`Ctx::info_in_samples`]): their instructions create Secrets, Services and ConfigMaps with
/// `kubectl create` or a test's setup code.
pub const CREATED_BY_COMMAND: &str =
    "what a tutorial step or test harness creates by command is often not in the repository";

/// For a "a Gateway named X exists in namespace Y" hint on a dangling reference: the first
/// object of that kind and name, in any namespace.
pub fn same_name_elsewhere<'m>(
    cx: &Ctx<'_, 'm>,
    group: &str,
    kind: &str,
    name: &str,
) -> Option<&'m Object> {
    cx.graph
        .same_name(group, kind, name)
        .first()
        .map(|&id| cx.obj(id))
}

/// The object a reference from `from` would find if it used the name the kustomize build of
/// `from` gives: the build renamed both (`namePrefix`/`nameSuffix`), and kustomize rewrites no
/// reference of the kinds gwlint checks, so the reference still names the written name.
pub fn renamed_by_build<'m>(
    cx: &Ctx<'_, 'm>,
    from: &Object,
    target: &crate::model::ObjKey,
) -> Option<&'m Object> {
    let r = from.built_by.as_ref()?.renamed.as_ref()?;
    let mut key = target.clone();
    key.name = format!("{}{}{}", r.prefix, target.name, r.suffix).into();
    let id = cx.graph.get(&key)?;
    let o = cx.obj(id);
    o.built_by
        .as_ref()
        .and_then(|b| b.renamed.as_ref())
        .is_some_and(|t| t.at == r.at)
        .then_some(o)
}

/// A comma-separated list for a message, cut after a few items: a finding repeated for each of
/// thousands of references must not list thousands of names each time.
pub fn name_list<S: AsRef<str>>(items: &[S]) -> String {
    name_list_first(items.iter().map(|s| s.as_ref().to_string()), items.len())
}

/// `name_list` of `total` items of which `items` yields the first: only the names shown are
/// read.
pub fn name_list_first(items: impl IntoIterator<Item = String>, total: usize) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<String> = items.into_iter().take(SHOWN).collect();
    let mut out = shown.join(", ");
    if total > shown.len() {
        out.push_str(&format!(", … ({} more)", total - shown.len()));
    }
    out
}
