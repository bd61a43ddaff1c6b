//! SEC4xx: secret producers and stores.

pub mod broad_reference_grant_to_secrets;
pub mod cluster_store_ref_without_namespace;
pub mod duplicate_secret_key;
pub mod externalsecret_without_data;
pub mod invalid_policy_combination;
pub mod keyvault_cert_without_key;
pub mod merge_into_nothing;
pub mod namespace_excluded_by_cluster_store;
pub mod plaintext_secret_in_repository;
pub mod secret_multiple_writers;
pub mod secret_store_not_found;
pub mod tls_externalsecret_shape;
pub mod workload_identity_sa_missing;

use crate::model::eso::ExternalSecretSpec;
use crate::model::{Object, Spec};

/// ExternalSecrets (namespaced ones) with their spec.
pub fn external_secrets(
    objects: &[Object],
) -> impl Iterator<Item = (&Object, &ExternalSecretSpec)> {
    objects.iter().filter_map(|o| match &o.spec {
        Spec::ExternalSecret(es) => Some((o, &**es)),
        _ => None,
    })
}

/// The Secret an ExternalSecret writes: `target.name`, else its own name.
pub fn target_name<'m>(o: &'m Object, es: &'m ExternalSecretSpec) -> &'m str {
    es.target_name
        .as_ref()
        .map(|t| t.v.as_str())
        .unwrap_or(&o.key.name)
}
