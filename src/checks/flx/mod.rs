//! FLX7xx: Flux as it applies the repository (kustomize-controller's post-build variable
//! substitution).

pub mod envsubst;
pub mod flux_variable_undefined;
