//! TLS2xx: listeners, certificates, issuers.

pub mod certificate_secret_has_no_producer;
pub mod issuer_not_found;
