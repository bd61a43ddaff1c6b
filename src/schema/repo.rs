//! Validation against the CustomResourceDefinitions found in the linted repository.
//!
//! Object trees are not kept after modelling, so the documents of the kinds these CRDs define
//! are parsed again, once per file. Where a repository defines the same CRD more than once
//! (copies, overlays, both Gateway API channels), a finding stands only when every definition
//! agrees on it: any one of them may be the one installed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::validate::{OBJECT_BUDGET, RuleSettings};
use super::{KindSchema, Violation, validate_object_with};
use crate::diagnostic::Diagnostic;
use crate::load::parse::{self, Limits, Parsed};
use crate::load::tree::Node;
use crate::model::{Object, Spec};
use crate::source::SourceFile;

pub type GroupKind = (String, String);

/// The kinds the repository's CRDs define schemas for: only groups such a CRD can serve (see
/// `serves_group`), so that a repository cannot re-validate, say, every core Secret with a
/// schema of its own choosing.
pub fn repo_schemas(objects: &[Object]) -> HashMap<GroupKind, Vec<Arc<KindSchema>>> {
    let mut out: HashMap<GroupKind, Vec<Arc<KindSchema>>> = HashMap::new();
    for o in objects {
        if let Spec::Crd(c) = &o.spec {
            if let Some(s) = c.schema.as_ref().filter(|s| serves_group(&s.group)) {
                out.entry((s.group.clone(), s.kind.clone()))
                    .or_default()
                    .push(s.clone());
            }
        }
    }
    out
}

/// The API groups Kubernetes serves itself (besides the core group and the groups without a dot,
/// which no CRD can have): a CRD for one of them cannot be installed next to the built-in API,
/// and its rules must not stand for the built-in validation.
const BUILT_IN_GROUPS: &[&str] = &[
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Whether a CRD of `group` can be installed, as the API server validates `spec.group`: a DNS
/// subdomain with at least one dot (`example.com`; never the core group `""`, nor `apps`), and
/// not one of the groups Kubernetes serves itself. Other `*.k8s.io` groups, such as
/// `gateway.networking.k8s.io` or `externaldns.k8s.io`, are served by CRDs.
pub fn serves_group(group: &str) -> bool {
    group.contains('.')
        && super::celenv::is_dns1123_subdomain(group)
        && !BUILT_IN_GROUPS.contains(&group)
}

/// What the rules of the repository's CRDs may cost in one run, in estimated cost units (about
/// 100 s of evaluation on one core if every estimate were reached). Each object is already
/// bounded by `validate::OBJECT_BUDGET`; this bounds many objects together. It is shared out in
/// file order before any rule runs, so the objects checked never depend on the thread count.
pub const RUN_BUDGET: u64 = 1_000_000_000;

/// Files parsed and priced together before their rules run: bounds how many parsed files are
/// held at once. The outcome does not depend on it (the budget is shared out in file order).
const BATCH: usize = 256;

/// One object of a batch: its node in the parsed file, what its rules cost, and what its
/// validation found without running them.
struct Planned<'o> {
    object: &'o Object,
    doc: usize,
    demand: u64,
    unevaluated: Vec<Violation>,
}

/// Validates every object of a kind in `schemas`.
pub fn validate(
    schemas: &HashMap<GroupKind, Vec<Arc<KindSchema>>>,
    objects: &[Object],
    files: &[SourceFile],
    limits: Limits,
) -> Vec<Diagnostic> {
    validate_with_budget(schemas, objects, files, limits, RUN_BUDGET)
}

/// As `validate`, with the run's budget given (tests use a small one).
pub fn validate_with_budget(
    schemas: &HashMap<GroupKind, Vec<Arc<KindSchema>>>,
    objects: &[Object],
    files: &[SourceFile],
    limits: Limits,
    run_budget: u64,
) -> Vec<Diagnostic> {
    if schemas.is_empty() {
        return Vec::new();
    }
    let mut by_file: BTreeMap<u32, Vec<&Object>> = BTreeMap::new();
    for o in objects {
        if schemas.contains_key(&(o.key.group.to_string(), o.key.kind.to_string())) {
            by_file.entry(o.file).or_default().push(o);
        }
    }
    let work: Vec<(u32, Vec<&Object>)> = by_file.into_iter().collect();
    let mut left = run_budget;
    // The first object whose rules did not fit (with their cost, and what was left), and how
    // many objects were not checked.
    let mut skipped: Option<(&Object, u64, u64, usize)> = None;
    let mut out = Vec::new();
    // What one object's rules may cost at most: the per-object budget under each definition.
    let worst = schemas.values().map(Vec::len).max().unwrap_or(0) as u64 * OBJECT_BUDGET;
    let mut next = 0;
    while next < work.len() {
        // While the budget left covers the worst case of a run of files, their objects are all
        // admitted whatever they cost: evaluate them in one pass, pricing them as they run.
        // The outcome is the one the pricing pass below would give; this saves its walk.
        let mut end = next;
        let mut count = 0u64;
        while end < work.len() && end - next < BATCH && skipped.is_none() {
            let with = count + work[end].1.len() as u64;
            if with.saturating_mul(worst) > left {
                break;
            }
            count = with;
            end += 1;
        }
        if end > next {
            let done: Vec<(Vec<Diagnostic>, u64)> = work[next..end]
                .par_iter()
                .map(|(file, objs)| {
                    let mut found = Vec::new();
                    let mut demand = 0u64;
                    let Some(src) = files.get(*file as usize) else {
                        return (found, demand);
                    };
                    let parsed = parse::parse(&src.text, src.lines(), *file, limits);
                    for o in objs {
                        let Some(doc) = parsed.docs.iter().find(|d| d.start as u32 == o.doc.start)
                        else {
                            continue;
                        };
                        let Some(node) = object_node(&doc.root, o) else {
                            continue;
                        };
                        let (violations, cost) = agreed(node, schemas, o, true);
                        demand = demand.saturating_add(cost);
                        found.extend(violations.into_iter().map(|v| diagnostic(v, o)));
                    }
                    (found, demand)
                })
                .collect();
            for (found, demand) in done {
                left = left.saturating_sub(demand);
                out.extend(found);
            }
            next = end;
            continue;
        }
        let batch = &work[next..(next + BATCH).min(work.len())];
        next += batch.len();
        // Parse each file once, and price every object's rules without running them.
        let planned: Vec<(u32, Parsed, Vec<Planned>)> = batch
            .par_iter()
            .filter_map(|(file, objs)| {
                let src = files.get(*file as usize)?;
                let parsed = parse::parse(&src.text, src.lines(), *file, limits);
                let plans = objs
                    .iter()
                    .filter_map(|o| {
                        let doc = parsed
                            .docs
                            .iter()
                            .position(|d| d.start as u32 == o.doc.start)?;
                        let node = object_node(&parsed.docs[doc].root, o)?;
                        let (unevaluated, demand) = agreed(node, schemas, o, false);
                        Some(Planned {
                            object: o,
                            doc,
                            demand,
                            unevaluated,
                        })
                    })
                    .collect();
                Some((*file, parsed, plans))
            })
            .collect();
        // Share the budget out in file order: whatever the thread count, the same objects run.
        let mut admitted: Vec<Vec<bool>> = Vec::with_capacity(planned.len());
        for (_, _, plans) in &planned {
            admitted.push(
                plans
                    .iter()
                    .map(|p| {
                        if skipped.is_none() && p.demand <= left {
                            left -= p.demand;
                            return true;
                        }
                        match &mut skipped {
                            Some((.., n)) => *n += 1,
                            None => skipped = Some((p.object, p.demand, left, 1)),
                        }
                        false
                    })
                    .collect(),
            );
        }
        let found: Vec<Diagnostic> = planned
            .into_par_iter()
            .zip(admitted)
            .flat_map_iter(|((_, parsed, plans), admitted)| {
                let mut out = Vec::new();
                for (p, run) in plans.into_iter().zip(admitted) {
                    let o = p.object;
                    let violations = if run {
                        match object_node(&parsed.docs[p.doc].root, o) {
                            Some(node) => agreed(node, schemas, o, true).0,
                            None => Vec::new(),
                        }
                    } else {
                        // The run's budget is spent: what the schema says besides its rules,
                        // and one finding for the whole run below.
                        p.unevaluated
                            .into_iter()
                            .filter(|v| v.rule != super::RULE_NOT_EVALUATED)
                            .collect()
                    };
                    out.extend(violations.into_iter().map(|v| diagnostic(v, o)));
                }
                out
            })
            .collect();
        out.extend(found);
    }
    if let Some((o, demand, left, n)) = skipped {
        let more = match n {
            1 => String::new(),
            n => format!(" nor on {} more objects after it", n - 1),
        };
        let message = format!(
            "{} {}: the validation rules of the repository's CRDs were not evaluated on this \
             object{more}: their estimated cost ({demand} on this object) exceeds what is left of \
             the budget of {run_budget} per run ({left})",
            o.key.kind,
            who(o),
        );
        out.push(Diagnostic::new(super::RULE_NOT_EVALUATED, o.kind_span, message).on(o));
    }
    out
}

fn who(o: &Object) -> String {
    if o.key.namespace.is_empty() {
        o.key.name.to_string()
    } else {
        format!("{}/{}", o.key.namespace, o.key.name)
    }
}

fn diagnostic(v: Violation, o: &Object) -> Diagnostic {
    let mut d = Diagnostic::new(
        v.rule,
        v.span,
        format!("{} {}: {}", o.key.kind, who(o), v.message),
    );
    if let Some(l) = v.label {
        d = d.label(l);
    }
    d.on(o)
}

/// The object's node in its document: the root, or the item of a `List`.
fn object_node<'n>(root: &'n Node, o: &Object) -> Option<&'n Node> {
    let is_it = |n: &Node| n.get("kind").is_some_and(|k| k.span == o.kind_span);
    if is_it(root) {
        return Some(root);
    }
    root.get("items")?.as_seq()?.iter().find(|i| is_it(i))
}

/// The findings every definition of the object's kind agrees on, and the estimated cost of the
/// rules admitted under all of them; `evaluate` false prices the rules without running them.
fn agreed(
    node: &Node,
    schemas: &HashMap<GroupKind, Vec<Arc<KindSchema>>>,
    o: &Object,
    evaluate: bool,
) -> (Vec<Violation>, u64) {
    let key = (o.key.group.to_string(), o.key.kind.to_string());
    let defs = schemas.get(&key).map(Vec::as_slice).unwrap_or_default();
    let version = o
        .api_version
        .v
        .rsplit_once('/')
        .map_or(o.api_version.v.as_str(), |(_, v)| v);
    let settings = RuleSettings {
        evaluate,
        // A Secret's values must not reach a message: a schema's message expression could
        // copy them there.
        redact: o.key.kind == "Secret",
        ..RuleSettings::default()
    };
    let mut spent = 0u64;
    let mut results: Vec<Vec<Violation>> = defs
        .iter()
        .filter_map(|d| validate_object_with(node, d, version, o.kind_span, settings))
        .map(|(v, cost)| {
            spent = spent.saturating_add(cost);
            v
        })
        .collect();
    let Some(mut first) = results.pop() else {
        return (Vec::new(), spent);
    };
    if results.is_empty() {
        return (first, spent);
    }
    // An unknown field is the same finding whichever definition's names the suggestion and
    // the message's origin come from.
    let keyed = |v: &Violation| {
        let message = if v.rule == super::UNKNOWN_FIELD {
            String::new()
        } else {
            v.message.clone()
        };
        (v.rule, v.span, message)
    };
    let others: Vec<HashSet<_>> = results
        .iter()
        .map(|r| r.iter().map(keyed).collect())
        .collect();
    first.retain(|v| others.iter().all(|s| s.contains(&keyed(v))));
    (first, spent)
}
