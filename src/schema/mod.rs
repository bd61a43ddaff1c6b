//! Schema validation as the API server does it on create: the OpenAPI constraints and CEL
//! `x-kubernetes-validations` rules of CustomResourceDefinitions, with schema defaults applied
//! before the rules run. Two sources of schemas:
//!
//! - the Gateway API standard CRDs of the configured bundle, embedded in the binary
//!   (`gateway-api.yaml`, validated in the model stage while each object's tree is at hand);
//! - every CustomResourceDefinition in the linted repository (validated after loading, on the
//!   documents of the kinds they define; such a CRD replaces the embedded one for its kind).

pub mod canonical;
pub mod celcost;
pub mod celenv;
pub mod celval;
pub mod crd;
pub mod embedded;
pub mod fields;
pub mod openapi;
pub mod repo;
pub mod validate;

pub const CEL_RULE_VIOLATED: &str = "API504";
pub const SCHEMA_VIOLATION: &str = crate::checks::api::SCHEMA_VIOLATION;
pub const RULE_NOT_EVALUATED: &str = "API508";
pub const UNKNOWN_FIELD: &str = "API509";

pub use crd::KindSchema;
pub use validate::Violation;

use crate::load::tree::Node;
use crate::source::Span;

/// Validates an object's tree against the schema for its version; `None` when the schema
/// has no such version. `kind_span` is where rules on the whole object are reported.
pub fn validate_object(
    root: &Node,
    schema: &KindSchema,
    version: &str,
    kind_span: Span,
) -> Option<Vec<Violation>> {
    validate_object_with(root, schema, version, kind_span, Default::default()).map(|(v, _)| v)
}

/// As `validate_object`, with the rules treated as `settings` say; also returns the estimated
/// cost of the rules admitted.
pub fn validate_object_with(
    root: &Node,
    schema: &KindSchema,
    version: &str,
    kind_span: Span,
    settings: validate::RuleSettings,
) -> Option<(Vec<Violation>, u64)> {
    let s = schema.version(version)?;
    let mut v = validate::Validator::with_settings(&schema.origin, schema.id, settings);
    v.version = version;
    v.validate(root, s, "", kind_span);
    Some((v.out, v.spent))
}

/// A violation as a load-stage issue, naming the object.
pub fn issue(v: Violation, kind: &str, who: &str) -> crate::load::LoadIssue {
    crate::load::LoadIssue {
        rule: v.rule,
        span: v.span,
        message: format!("{kind} {who}: {}", v.message),
        related: Vec::new(),
        fixes: Vec::new(),
    }
}

/// After sorting: one type error per field (the model's reader and the schema both check
/// types), and each rule that could not be evaluated reported once.
pub fn dedup(diags: &mut Vec<crate::diagnostic::Diagnostic>) {
    diags.dedup_by(|b, a| {
        a.rule == SCHEMA_VIOLATION && b.rule == SCHEMA_VIOLATION && a.span == b.span
    });
    let mut seen = std::collections::HashSet::new();
    diags
        .retain(|d| d.rule != RULE_NOT_EVALUATED || seen.insert(rule_text(&d.message).to_string()));
}

/// The part of an API508 message that names the schema and rule (not the object, nor why it
/// was not evaluated there: the reasons, such as an estimated cost, vary from object to object).
fn rule_text(message: &str) -> &str {
    message.find(": the validation rule").map_or(message, |i| {
        let before = &message[..i];
        // `Kind ns/name: CRD x: the validation rule … could not be checked offline: why`.
        let end = message
            .find(" could not be checked offline")
            .unwrap_or(message.len());
        before.find(": ").map_or(message, |j| &message[j + 2..end])
    })
}

/// CRD rules that a dedicated gwlint rule reports with more context; the CEL finding is
/// dropped while that rule is enabled, so one mistake is reported once.
pub const COVERED: &[(&str, &str)] = &[
    (
        "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
        "TLS204",
    ),
    ("tls mode must be Terminate for protocol HTTPS", "TLS204"),
    ("tls mode must be set for protocol TLS", "TLS204"),
    (
        "certificateRefs or options must be specified when mode is Terminate",
        "TLS203",
    ),
    (
        "Combination of port, protocol and hostname must be unique for each listener",
        "GW117",
    ),
];

/// Drops an unknown field (API509) that API503 already reports as an experimental-channel field
/// on a standard-only cluster: one mistake, one finding, the one that says why.
pub fn drop_covered_unknown_fields(diags: &mut Vec<crate::diagnostic::Diagnostic>) {
    let experimental: std::collections::HashSet<Span> = diags
        .iter()
        .filter(|d| d.rule == EXPERIMENTAL_FIELD)
        .map(|d| d.span)
        .collect();
    if !experimental.is_empty() {
        diags.retain(|d| d.rule != UNKNOWN_FIELD || !experimental.contains(&d.span));
    }
}

const EXPERIMENTAL_FIELD: &str = "API503";

/// The rule that covers a CEL finding's message, if any.
pub fn covered_by(d: &crate::diagnostic::Diagnostic) -> Option<&'static str> {
    if d.rule != CEL_RULE_VIOLATED {
        return None;
    }
    COVERED
        .iter()
        .find(|(m, _)| d.message.ends_with(m))
        .map(|(_, r)| *r)
}
