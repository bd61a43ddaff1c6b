//! Validates one object's span tree against a structural schema: OpenAPI constraints first
//! (API505), then the CEL rules of every node, bottom up, on values with the schema's defaults
//! applied, as the API server does on create (API504).

use std::fmt::Write as _;
use std::sync::Arc;

use cel::common::types::CelMapKey;

use super::canonical;
use super::celval::{BoxVal, SharedList, SharedMap};

use super::openapi::{ListType, Rule, Schema, Ty, literal};
use super::{
    CEL_RULE_VIOLATED, RULE_NOT_EVALUATED, SCHEMA_VIOLATION, UNKNOWN_FIELD, celcost, celenv,
};
use crate::load::tree::{Node, Value};
use crate::source::Span;

/// A schema finding at a span; the caller turns it into a diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
}

/// The API server's limit on the runtime cost of one evaluation of one expression
/// (`PerCallLimit`), in `celcost` units (about one interpreter step each). A rule whose estimate
/// on a value exceeds it is not run on that value. The Gateway API's costliest rules, pairwise
/// uniqueness over 64 listeners, estimate well below it.
pub const RULE_BUDGET: u64 = 1_000_000;

/// The API server's limit on the total cost of the rules run while validating one object
/// (`RuntimeCELCostBudget`). Past it, the object's remaining rules are not run.
pub const OBJECT_BUDGET: u64 = 10_000_000;

/// How a validator treats the CEL rules it meets.
#[derive(Clone, Copy, Debug)]
pub struct RuleSettings {
    /// False: rules are priced and charged to the budget but not run (a run's budget is
    /// shared out before anything is evaluated, see `repo.rs`).
    pub evaluate: bool,
    /// The object may hold secrets (a `Secret`): messages never show its values, and message
    /// expressions, which may copy them, are not evaluated.
    pub redact: bool,
    /// What this object's rules may cost in total.
    pub budget: u64,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            evaluate: true,
            redact: false,
            budget: OBJECT_BUDGET,
        }
    }
}

pub struct Validator<'a> {
    /// Names the schema's owner in "could not evaluate" reports (`CRD httproutes.gateway…`).
    pub origin: &'a str,
    /// The schema's process-unique id, part of the outcome cache key.
    schema_id: u64,
    pub out: Vec<Violation>,
    settings: RuleSettings,
    /// Estimated cost of the rules admitted so far; never more than `settings.budget`. It
    /// depends only on the object and the schema (not on what the caches held), so that the
    /// same rules run whatever the thread count.
    pub spent: u64,
    /// The version of the schema, named in unknown-field findings (empty: not named).
    pub version: &'a str,
    /// Unknown fields are reported (false below a nested `metadata`).
    strict: bool,
    /// What is left of `SUGGESTION_BUDGET` for this object.
    suggestion_budget: usize,
}

impl<'a> Validator<'a> {
    pub fn new(origin: &'a str, schema_id: u64) -> Self {
        Self::with_settings(origin, schema_id, RuleSettings::default())
    }

    pub fn with_settings(origin: &'a str, schema_id: u64, settings: RuleSettings) -> Self {
        Validator {
            origin,
            schema_id,
            out: Vec::new(),
            settings,
            spent: 0,
            version: "",
            strict: true,
            suggestion_budget: SUGGESTION_BUDGET,
        }
    }

    /// A value as messages show it: quoted, or withheld in a Secret.
    fn shown(&self, s: &str) -> String {
        if self.settings.redact {
            REDACTED.to_string()
        } else {
            quote(s)
        }
    }

    /// Validates `node` (an object's root, or its `spec`) against `schema`; `at` is the span
    /// rules on the node itself are reported at.
    pub fn validate(&mut self, node: &Node, schema: &Schema, path: &str, at: Span) {
        let mut path = path.to_string();
        self.walk(node, at, schema, &mut path);
    }

    fn push(&mut self, rule: &'static str, span: Span, message: String) {
        self.out.push(Violation {
            rule,
            span,
            message,
            label: None,
        });
    }

    /// Checks the constraints of `node` and everything below it, then its CEL rules. Returns
    /// true when rules over this node must be skipped: a string under it holds an unresolved
    /// variable, or a field under it has the wrong type (the API server rejects the object for
    /// that before any rule runs).
    fn walk(&mut self, node: &Node, at: Span, schema: &Schema, path: &mut String) -> bool {
        if node.is_null() {
            // Nulls in non-nullable fields are pruned by the API server before validation.
            return false;
        }
        if !self.type_ok(node, schema, path) {
            return true;
        }
        let skip = match &node.value {
            Value::Map(entries) => self.object(node, entries, schema, path),
            Value::Seq(items) => self.array(at, items, schema, path),
            _ => {
                self.scalar(node, schema, path);
                node.as_str().is_some_and(has_placeholder)
            }
        };
        if !skip && !schema.rules.is_empty() {
            self.rules(node, at, schema, path);
        }
        skip
    }

    /// Runs the node's rules, or replays what they gave on an identical node before: the same
    /// parentRefs, matches and filters recur across a repository, and evaluation is the costly
    /// part of validation.
    fn rules(&mut self, node: &Node, at: Span, schema: &Schema, path: &str) {
        let (hash, size) = tree_hash(node);
        if size > MAX_RULE_INPUT {
            for rule in &schema.rules {
                let why = format!("the value has {size} nodes, more than {MAX_RULE_INPUT}");
                self.push(
                    RULE_NOT_EVALUATED,
                    at,
                    format!(
                        "{}: the validation rule `{}` could not be checked offline: {why}",
                        self.origin,
                        one_line(&rule.source)
                    ),
                );
            }
            return;
        }
        let key = (self.schema_id, schema as *const Schema as usize, hash);
        let cached = OUTCOMES.with(|cache| cache.borrow().get(&key).cloned());
        // The cost is known before anything runs: from the cache (it is a function of the
        // value, like the outcomes), or estimated from the value's shape.
        let (cost, costs, outcomes) = match cached {
            Some((cost, outcomes)) => (cost, Vec::new(), Some(outcomes)),
            None => {
                let costs = rule_costs(node, schema);
                let admitted = costs
                    .iter()
                    .filter(|&&c| c <= RULE_BUDGET)
                    .fold(0u64, |a, &c| a.saturating_add(c));
                (admitted, costs, None)
            }
        };
        let left = self.settings.budget.saturating_sub(self.spent);
        if cost > left {
            for rule in schema.rules.iter().filter(|r| !r.transition) {
                let message = format!(
                    "{}: the validation rule `{}` could not be checked offline: it was not \
                     evaluated: the object's rules would cost more than the budget of {} per \
                     object (the rules here are estimated at {cost}, {left} is left)",
                    self.origin,
                    one_line(&rule.source),
                    self.settings.budget,
                );
                self.push(RULE_NOT_EVALUATED, at, message);
            }
            return;
        }
        self.spent += cost;
        if !self.settings.evaluate {
            return;
        }
        let outcomes = match outcomes {
            Some(o) => o,
            None => {
                let o = self.evaluate_all(node, schema, &costs);
                OUTCOMES.with(|cache| {
                    let mut cache = cache.borrow_mut();
                    if cache.len() > 200_000 {
                        cache.clear();
                    }
                    cache.insert(key, (cost, o.clone()));
                });
                o
            }
        };
        let Some(outcomes) = outcomes else {
            return;
        };
        for (rule, outcome) in schema.rules.iter().zip(outcomes.iter()) {
            match outcome {
                Outcome::Pass => {}
                Outcome::Fail { message, label } => {
                    let (span, shown_path) = match &rule.field_path {
                        Some(fp) => (
                            field_span(node, fp).unwrap_or(at),
                            format!("{}{}", display(path), fp),
                        ),
                        None => (at, display(path).to_string()),
                    };
                    self.out.push(Violation {
                        rule: CEL_RULE_VIOLATED,
                        span,
                        message: format!("{shown_path}: {message}"),
                        label: Some(label.clone()),
                    });
                }
                Outcome::NotEvaluated(why) => {
                    let message = format!(
                        "{}: the validation rule `{}` could not be checked offline: {why}",
                        self.origin,
                        one_line(&rule.source)
                    );
                    self.push(RULE_NOT_EVALUATED, at, message);
                }
            }
        }
    }

    /// Every rule of the node, or `None` when all of them pass; a rule whose passes survive
    /// renaming is looked up by the value's canonical form first, and the value is built only
    /// for the rules that must run.
    fn evaluate_all(&self, node: &Node, schema: &Schema, costs: &[u64]) -> Option<Arc<[Outcome]>> {
        let canonical = schema
            .rules
            .iter()
            .any(Rule::renaming_invariant)
            .then(|| canonical::canonical_hash(node, schema))
            .flatten();
        let mut value = None;
        let redact = self.settings.redact;
        let outcomes = schema
            .rules
            .iter()
            .zip(costs)
            .map(|(r, &cost)| {
                if cost > RULE_BUDGET {
                    return Outcome::NotEvaluated(format!(
                        "it was not evaluated because its estimated cost on this value ({cost}) \
                         exceeds the budget of {RULE_BUDGET} per evaluation"
                    ));
                }
                let key = canonical
                    .filter(|_| r.renaming_invariant())
                    .map(|c| (self.schema_id, r as *const Rule as usize, c));
                if let Some(k) = key {
                    if PASSES.with(|p| p.borrow().contains(&k)) {
                        return Outcome::Pass;
                    }
                }
                let v = value.get_or_insert_with(|| build(node, schema));
                let o = celenv::with_self(v, |ctx| evaluate(r, ctx, redact));
                if let (Some(k), Outcome::Pass) = (key, &o) {
                    PASSES.with(|p| {
                        let mut p = p.borrow_mut();
                        if p.len() > 200_000 {
                            p.clear();
                        }
                        p.insert(k);
                    });
                }
                o
            })
            .collect::<Vec<_>>();
        // Nearly every node passes all its rules: the cache then holds no list at all.
        let all_pass = outcomes.iter().all(|o| matches!(o, Outcome::Pass));
        (!all_pass).then(|| outcomes.into())
    }

    fn type_ok(&mut self, node: &Node, schema: &Schema, path: &str) -> bool {
        let Some(ty) = schema.ty else {
            return true;
        };
        let ok = match (&node.value, ty) {
            (Value::Map(_), Ty::Object) | (Value::Seq(_), Ty::Array) => true,
            (Value::Str(_), Ty::String) | (Value::Bool(_), Ty::Boolean) => true,
            (Value::Int(_), Ty::Integer | Ty::Number) | (Value::Float(_), Ty::Number) => true,
            (Value::Int(_), Ty::String) | (Value::Str(_), Ty::Integer) if schema.int_or_string => {
                true
            }
            // An unresolved variable stands for a value of any type; so does an unquoted
            // `{NAME}`, which YAML reads as a mapping.
            (Value::Str(s), _) if has_placeholder(s) => true,
            (Value::Map(_), _) if crate::model::read::placeholder_map(node).is_some() => true,
            _ => false,
        };
        if !ok {
            self.push(
                SCHEMA_VIOLATION,
                node.span,
                format!(
                    "{}: must be of type {}, found {}",
                    display(path),
                    ty.name(),
                    node.type_name()
                ),
            );
        }
        ok
    }

    fn object(
        &mut self,
        node: &Node,
        entries: &[(Node, Node)],
        schema: &Schema,
        path: &mut String,
    ) -> bool {
        let base = path.len();
        let mut skip = false;
        let root = path.is_empty();
        // An unquoted `{NAME}` placeholder reads as a mapping: its key is no field.
        let closed =
            self.strict && schema.closed() && crate::model::read::placeholder_map(node).is_none();
        for (k, v) in entries {
            let Some(key) = k.as_str() else { continue };
            // The API server fills metadata and status itself; CRD schemas say little of either.
            let child = if root && matches!(key, "metadata" | "status") {
                None
            } else {
                schema.property(key).or(schema.additional.as_deref())
            };
            if child.is_none() && closed && !v.is_null() && !always_allowed(key, root, schema) {
                self.unknown_field(k.span, path, key, schema);
            }
            push_field(path, key);
            // Object metadata below the root (a pod template's) is an ObjectMeta the API server
            // reads with its own schema, which CRDs often transcribe as a bare `type: object`.
            let strict = self.strict;
            self.strict &= key != "metadata";
            skip |= match child {
                Some(c) => self.walk(v, k.span, c, path),
                None => has_vars(v),
            };
            self.strict = strict;
            path.truncate(base);
        }
        for req in &schema.required {
            let present = entries
                .iter()
                .any(|(k, v)| k.as_str() == Some(req) && !v.is_null());
            if !present {
                push_field(path, req);
                let message = format!("{}: Required value", display(path));
                path.truncate(base);
                self.push(SCHEMA_VIOLATION, node.span, message);
            }
        }
        let n = entries.len() as u64;
        if let Some(max) = schema.max_properties.filter(|&m| n > m) {
            self.push(
                SCHEMA_VIOLATION,
                node.span,
                format!(
                    "{}: Too many: {n}: must have at most {max} properties",
                    display(path)
                ),
            );
        }
        if let Some(min) = schema.min_properties.filter(|&m| n < m) {
            self.push(
                SCHEMA_VIOLATION,
                node.span,
                format!("{}: should have at least {min} properties", display(path)),
            );
        }
        skip
    }

    /// API509: `key` is not a field of the object at `path`; the nearest declared name is
    /// suggested when one is close.
    fn unknown_field(&mut self, span: Span, path: &str, key: &str, schema: &Schema) {
        let mut field = path.to_string();
        push_field(&mut field, key);
        let mut message = format!("unknown field {}: not declared by ", quote(&field));
        if !self.version.is_empty() {
            let _ = write!(message, "version {} of ", self.version);
        }
        message.push_str(self.origin);
        let names = schema.properties.iter().map(|(n, _)| &**n);
        if let Some(near) = nearest(key, names, &mut self.suggestion_budget) {
            let _ = write!(message, " (did you mean `{near}`?)");
        }
        self.push(UNKNOWN_FIELD, span, message);
    }

    fn array(&mut self, at: Span, items: &[Node], schema: &Schema, path: &mut String) -> bool {
        let n = items.len() as u64;
        // The API server bounds a rule's cost by the lists' maxItems; over it, the object is
        // rejected anyway, and rules over the list could take quadratic time here.
        let too_many = schema.max_items.is_some_and(|m| n > m);
        if let Some(max) = schema.max_items.filter(|&m| n > m) {
            self.push(
                SCHEMA_VIOLATION,
                at,
                format!(
                    "{}: Too many: {n}: must have at most {max} items",
                    display(path)
                ),
            );
        }
        if let Some(min) = schema.min_items.filter(|&m| n < m) {
            self.push(
                SCHEMA_VIOLATION,
                at,
                format!("{}: should have at least {min} items", display(path)),
            );
        }
        let base = path.len();
        let mut skip = false;
        for (i, item) in items.iter().enumerate() {
            let _ = write!(path, "[{i}]");
            skip |= match schema.items.as_deref() {
                Some(s) => self.walk(item, item.span, s, path),
                None => has_vars(item),
            };
            path.truncate(base);
        }
        if !skip && !too_many && matches!(schema.list_type, Some(ListType::Set | ListType::Map(_)))
        {
            self.duplicates(items, schema, path);
        }
        skip || too_many
    }

    fn duplicates(&mut self, items: &[Node], schema: &Schema, path: &str) {
        let item_schema = schema.items.as_deref();
        let key_of = |item: &Node| -> Vec<cel::Value> {
            match &schema.list_type {
                Some(ListType::Map(keys)) => keys
                    .iter()
                    .map(|k| match item.get(k) {
                        Some(v) => literal(v),
                        None => item_schema
                            .and_then(|s| s.property(k))
                            .and_then(|p| p.default.clone())
                            .unwrap_or(cel::Value::Null),
                    })
                    .collect(),
                _ => vec![literal(item)],
            }
        };
        let keys: Vec<Vec<cel::Value>> = items.iter().map(key_of).collect();
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                let shown: Vec<String> = if self.settings.redact {
                    vec![REDACTED.to_string()]
                } else {
                    k.iter().map(show).collect()
                };
                self.push(
                    SCHEMA_VIOLATION,
                    items[i].span,
                    format!("{path}[{i}]: Duplicate value: {}", shown.join(", ")),
                );
            }
        }
    }

    fn scalar(&mut self, node: &Node, schema: &Schema, path: &str) {
        match &node.value {
            Value::Str(s) => {
                if has_placeholder(s) {
                    return;
                }
                let chars = s.chars().count() as u64;
                if let Some(max) = schema.max_length.filter(|&m| chars > m) {
                    self.push(
                        SCHEMA_VIOLATION,
                        node.span,
                        format!(
                            "{}: Too long: may not be more than {max} characters",
                            display(path)
                        ),
                    );
                }
                if let Some(min) = schema.min_length.filter(|&m| chars < m) {
                    self.push(
                        SCHEMA_VIOLATION,
                        node.span,
                        format!(
                            "{}: Invalid value: {}: should be at least {min} chars long",
                            display(path),
                            self.shown(s)
                        ),
                    );
                }
                if let Some(p) = &schema.pattern {
                    if p.regex.as_ref().is_some_and(|r| !r.is_match(s)) {
                        self.push(
                            SCHEMA_VIOLATION,
                            node.span,
                            format!(
                                "{}: Invalid value: {}: should match '{}'",
                                display(path),
                                self.shown(s),
                                p.source
                            ),
                        );
                    }
                }
            }
            Value::Int(_) | Value::Float(_) => {
                let v = match node.value {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => 0.0,
                };
                let shown = if self.settings.redact {
                    REDACTED.to_string()
                } else {
                    scalar_text(node)
                };
                if let Some(min) = schema.minimum {
                    if v < min || (schema.exclusive_minimum && v == min) {
                        let op = if schema.exclusive_minimum {
                            "greater than"
                        } else {
                            "greater than or equal to"
                        };
                        self.push(
                            SCHEMA_VIOLATION,
                            node.span,
                            format!(
                                "{}: Invalid value: {shown}: should be {op} {min}",
                                display(path)
                            ),
                        );
                    }
                }
                if let Some(max) = schema.maximum {
                    if v > max || (schema.exclusive_maximum && v == max) {
                        let op = if schema.exclusive_maximum {
                            "less than"
                        } else {
                            "less than or equal to"
                        };
                        self.push(
                            SCHEMA_VIOLATION,
                            node.span,
                            format!(
                                "{}: Invalid value: {shown}: should be {op} {max}",
                                display(path)
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
        if !schema.enum_values.is_empty() {
            let v = literal(node);
            if !schema.enum_values.contains(&v) {
                let allowed: Vec<String> = schema.enum_values.iter().map(show).collect();
                self.push(
                    SCHEMA_VIOLATION,
                    node.span,
                    format!(
                        "{}: Unsupported value: {}: supported values: {}",
                        display(path),
                        if self.settings.redact {
                            REDACTED.to_string()
                        } else {
                            show(&v)
                        },
                        allowed.join(", ")
                    ),
                );
            }
        }
    }
}

/// What one rule gave on one value.
#[derive(Debug)]
enum Outcome {
    Pass,
    Fail { message: String, label: String },
    NotEvaluated(String),
}

/// Rule outcomes by (schema, schema node, subtree hash): identical subtrees give identical
/// results. `None` is a node that passed every rule, the common case, which then costs the key.
/// Each entry also holds the rules' admitted estimated cost, which the budget is charged on a hit.
type OutcomeCache = foldhash::HashMap<(u64, usize, u64), (u64, Option<Arc<[Outcome]>>)>;

/// (schema, rule, canonical form) of renaming-invariant rules that passed.
type PassCache = foldhash::HashSet<(u64, usize, u64)>;

/// Frees this thread's outcome caches. They only pay within a run, and a run's peak memory comes
/// after validation, so each run empties them when its validation is done.
pub fn clear_caches() {
    PASSES.with(|p| std::mem::take(&mut *p.borrow_mut()));
    OUTCOMES.with(|o| std::mem::take(&mut *o.borrow_mut()));
}

thread_local! {
    static PASSES: std::cell::RefCell<PassCache> = std::cell::RefCell::new(PassCache::default());
    static OUTCOMES: std::cell::RefCell<OutcomeCache> = std::cell::RefCell::new(OutcomeCache::default());
}

fn evaluate(rule: &Rule, ctx: &cel::Context, redact: bool) -> Outcome {
    if rule.transition {
        return Outcome::Pass;
    }
    let program = match rule.program() {
        Ok(p) => p,
        Err(e) => return Outcome::NotEvaluated(format!("it does not compile: {e}")),
    };
    let failed = match program.execute(ctx) {
        Ok(cel::Value::Bool(true)) => return Outcome::Pass,
        Ok(cel::Value::Bool(false)) => None,
        // The API server rejects the object when a rule reads an absent field: the evaluation
        // error carries the rule's message.
        Err(cel::ExecutionError::NoSuchKey(k)) => {
            Some(format!("the rule failed to evaluate: no such key `{k}`"))
        }
        Ok(other) => {
            return Outcome::NotEvaluated(format!("it returned {other:?} instead of a boolean"));
        }
        Err(e) => return Outcome::NotEvaluated(format!("evaluation failed: {e}")),
    };
    let alternative_holds = rule.alternative.as_ref().is_some_and(|alt| {
        alt.program()
            .as_ref()
            .is_ok_and(|p| matches!(p.execute(ctx), Ok(cel::Value::Bool(true))))
    });
    if alternative_holds {
        return Outcome::Pass;
    }
    let message = rule
        .message_expression
        .as_ref()
        .filter(|_| !redact)
        .and_then(|m| match m.execute(ctx) {
            Ok(cel::Value::String(s)) if !s.is_empty() => Some(s.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| rule.static_message());
    Outcome::Fail {
        message,
        label: failed.unwrap_or_else(|| format!("rule: {}", one_line(&rule.source))),
    }
}

/// What a Secret's values are shown as.
const REDACTED: &str = "<redacted>";

/// The estimated cost of each rule of `schema` on `node` (its alternative and message
/// expression included), computed from the value's shape without running anything.
fn rule_costs(node: &Node, schema: &Schema) -> Vec<u64> {
    let shape = celcost::Shape::of(node, Some(schema));
    let of = |r: &Rule| match r.program() {
        Ok(p) => celcost::estimate(p.expression(), &shape),
        // It does not run.
        Err(_) => 0,
    };
    schema
        .rules
        .iter()
        .map(|r| {
            if r.transition {
                return 0;
            }
            let alternative = r.alternative.as_deref().map_or(0, of);
            let message = r
                .message_expression
                .as_ref()
                .map_or(0, |m| celcost::estimate(m.expression(), &shape));
            of(r).saturating_add(alternative).saturating_add(message)
        })
        .collect()
}

/// The node as the rules see it: schema defaults filled in, property names escaped.
fn build(node: &Node, schema: &Schema) -> BoxVal {
    match &node.value {
        Value::Map(entries) => {
            let mut map = std::collections::HashMap::with_capacity(entries.len());
            for (k, v) in entries {
                let Some(key) = k.as_str() else { continue };
                let (name, value) = match schema.property(key) {
                    Some(p) => (escape(key), build(v, p)),
                    None => match schema.additional.as_deref() {
                        Some(a) => (key.to_string(), build(v, a)),
                        None => (key.to_string(), untyped(v)),
                    },
                };
                map.insert(CelMapKey::from(name), value);
            }
            for (name, prop) in &schema.properties {
                if let Some(d) = &prop.default {
                    map.entry(CelMapKey::from(escape(name)))
                        .or_insert_with(|| plain(d.clone()));
                }
            }
            SharedMap::boxed(map)
        }
        Value::Seq(items) => SharedList::boxed(match schema.items.as_deref() {
            Some(s) => items.iter().map(|i| build(i, s)).collect(),
            None => items.iter().map(untyped).collect(),
        }),
        _ => plain(literal(node)),
    }
}

/// A node without schema below it: its values as written.
fn untyped(node: &Node) -> BoxVal {
    match &node.value {
        Value::Map(entries) => SharedMap::boxed(
            entries
                .iter()
                .filter_map(|(k, v)| Some((CelMapKey::from(k.as_str()?.to_string()), untyped(v))))
                .collect(),
        ),
        Value::Seq(items) => SharedList::boxed(items.iter().map(untyped).collect()),
        _ => plain(literal(node)),
    }
}

/// A scalar or a schema default, in the crate's own representation.
fn plain(v: cel::Value) -> BoxVal {
    // Only opaque and struct values fail to convert, and these are neither.
    v.try_into()
        .unwrap_or_else(|_| Box::new(cel::common::types::CelNull) as BoxVal)
}

/// Rules run on values of at most this many nodes: without the API server's cost budget, a
/// nested comprehension over a huge value would not finish.
const MAX_RULE_INPUT: usize = 100_000;

/// A hash of the subtree's values (not its positions), and its number of nodes.
fn tree_hash(node: &Node) -> (u64, usize) {
    use std::hash::{BuildHasher, Hash, Hasher};
    fn feed(n: &Node, h: &mut foldhash::quality::FoldHasher) -> usize {
        match &n.value {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Int(i) => (2u8, i).hash(h),
            Value::Float(f) => (3u8, f.to_bits()).hash(h),
            Value::Str(s) => (4u8, s).hash(h),
            Value::Seq(items) => {
                (5u8, items.len()).hash(h);
                return 1 + items.iter().map(|i| feed(i, h)).sum::<usize>();
            }
            Value::Map(entries) => {
                (6u8, entries.len()).hash(h);
                return 1 + entries
                    .iter()
                    .map(|(k, v)| feed(k, h) + feed(v, h))
                    .sum::<usize>();
            }
        }
        1
    }
    // A fixed seed: the cache lives for one run, and a keyed hash buys nothing there.
    let mut h = foldhash::quality::FixedState::with_seed(0x6777_6c69_6e74).build_hasher();
    let size = feed(node, &mut h);
    (h.finish(), size)
}

/// A property name as CEL rules see it: Kubernetes escapes CEL keywords and the characters an
/// identifier cannot hold (`namespace` is `__namespace__`).
pub fn escape(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    if !name.contains(['_', '.', '-', '/']) {
        return name.to_string();
    }
    name.replace("__", "__underscores__")
        .replace('.', "__dot__")
        .replace('-', "__dash__")
        .replace('/', "__slash__")
}

/// Fields a closed schema admits without declaring them: the object's own `apiVersion`, `kind`,
/// `metadata` and `status` at the root or in an embedded resource; kustomize's strategic-merge
/// directives (`$patch`, `$setElementOrder/…`), which kustomize removes; a key that is a Helm
/// template or an unresolved variable; a YAML merge key.
fn always_allowed(key: &str, root: bool, schema: &Schema) -> bool {
    let object_field = matches!(key, "apiVersion" | "kind" | "metadata");
    (object_field && (root || schema.embedded_resource))
        || (root && key == "status")
        || key.starts_with('$')
        || key == "<<"
        || key.contains("{{")
        || has_placeholder(key)
}

/// Names at most this long are compared for a suggestion: the distance costs the product of
/// the lengths, and a longer key is no misspelt field name.
const MAX_SUGGESTED_KEY: usize = 64;

/// What the suggestions for one object may cost in all, in compared character pairs: an object
/// with thousands of unknown fields under a schema with thousands of properties stays linear.
const SUGGESTION_BUDGET: usize = 1 << 20;

/// The declared name nearest to `key`: within a few edits (about one in four characters, at
/// most three; swapping two neighbours is one), or the key with a short suffix added or dropped
/// (`apiKey` for `apiKeyRef`, as fields are renamed). The nearest wins, the first in schema order
/// on a tie. Runs only on an unknown field, compares only names of about the same length, and
/// charges `budget` (no suggestion once it is spent).
fn nearest<'n>(
    key: &str,
    names: impl Iterator<Item = &'n str>,
    budget: &mut usize,
) -> Option<&'n str> {
    const SUFFIX: usize = 4;
    let len = key.chars().count();
    if len > MAX_SUGGESTED_KEY {
        return None;
    }
    let lower = key.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for name in names {
        let n = name.chars().count();
        let bound = (n.min(len) / 4).clamp(1, 3);
        let extends = n.min(len) >= 4
            && n.abs_diff(len) <= SUFFIX
            && (name.starts_with(key) || key.starts_with(name));
        if (n.abs_diff(len) > bound && !extends) || n > MAX_SUGGESTED_KEY {
            continue;
        }
        let cost = (n + 1) * (len + 1);
        if cost > *budget {
            return None;
        }
        *budget -= cost;
        // A difference of case alone is the nearest there is.
        let d = if name.to_lowercase() == lower {
            0
        } else {
            strsim::osa_distance(key, name)
        };
        if (d <= bound || extends) && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, name));
        }
    }
    best.map(|(_, n)| n)
}

#[cfg(test)]
mod suggestion_tests {
    use super::nearest;

    fn suggest<'n>(key: &str, names: &[&'n str]) -> Option<&'n str> {
        nearest(
            key,
            names.iter().copied(),
            &mut super::SUGGESTION_BUDGET.clone(),
        )
    }

    #[test]
    fn near_names_are_suggested() {
        let names = ["dnsDomains", "ipRanges", "emailAddresses", "uriDomains"];
        assert_eq!(suggest("emailAddress", &names), Some("emailAddresses"));
        assert_eq!(suggest("ipranges", &names), Some("ipRanges"));
        assert_eq!(suggest("dnsDomain", &names), Some("dnsDomains"));
        assert_eq!(suggest("prot", &["name", "port"]), Some("port"));
        assert_eq!(
            suggest("apiKey", &["apiKeyRef", "passcodeRef"]),
            Some("apiKeyRef")
        );
        assert_eq!(
            suggest("secretname", &["secretName", "name"]),
            Some("secretName")
        );
    }

    #[test]
    fn far_names_are_not() {
        let names = ["dnsDomains", "ipRanges", "emailAddresses"];
        assert_eq!(
            suggest("clientCert", &["certSecretRef", "keySecretRef"]),
            None
        );
        assert_eq!(suggest("foo", &names), None);
        assert_eq!(suggest("ip", &["ipRanges"]), None);
        assert_eq!(suggest(&"x".repeat(65), &[&"x".repeat(64)]), None);
    }

    #[test]
    fn the_budget_bounds_the_work() {
        let names: Vec<String> = (0..100).map(|i| format!("field{i:03}")).collect();
        let mut budget = 10 * 9 * 9;
        let found = nearest("fieldxyz", names.iter().map(String::as_str), &mut budget);
        assert_eq!(found, None);
        assert!(budget < 81);
    }
}

fn push_field(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn display(path: &str) -> &str {
    if path.is_empty() { "<root>" } else { path }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => quote(s),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn show(v: &cel::Value) -> String {
    match v {
        cel::Value::String(s) => quote(s),
        cel::Value::Int(i) => i.to_string(),
        cel::Value::UInt(u) => u.to_string(),
        cel::Value::Float(f) => f.to_string(),
        cel::Value::Bool(b) => b.to_string(),
        cel::Value::Null => "null".into(),
        _ => "<value>".into(),
    }
}

/// `${VAR}` (Flux, envsubst), `$VAR` (shell here-documents in docs) or `{VAR}` (upper-case, as
/// test suites substitute them): replaced before the object reaches the API server.
fn has_placeholder(s: &str) -> bool {
    let dollar = s.match_indices('$').any(|(i, _)| {
        s[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c == '{' || c.is_ascii_alphabetic() || c == '_')
    });
    dollar
        || s.match_indices('{').any(|(i, _)| {
            let rest = &s[i + 1..];
            let name_len = rest
                .bytes()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
                .count();
            name_len > 0
                && rest.as_bytes().get(name_len) == Some(&b'}')
                && rest.as_bytes()[0].is_ascii_uppercase()
        })
}

fn has_vars(node: &Node) -> bool {
    match &node.value {
        Value::Str(s) => has_placeholder(s),
        Value::Seq(items) => items.iter().any(has_vars),
        // An unquoted `{NAME}` reads as a mapping of one key: a placeholder too.
        Value::Map(_) if crate::model::read::placeholder_map(node).is_some() => true,
        Value::Map(entries) => entries.iter().any(|(_, v)| has_vars(v)),
        _ => false,
    }
}

/// The span of a rule's `fieldPath` (`.spec.foo`, `.items[0]`, `['key']`) below `node`.
fn field_span(node: &Node, field_path: &str) -> Option<Span> {
    let mut cur = node;
    let mut span = None;
    let mut rest = field_path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let (k, v) = cur.entry(&r[..end])?;
            span = Some(k.span);
            cur = v;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim_matches(|c| c == '\'' || c == '"');
            match inner.parse::<usize>() {
                Ok(i) => {
                    cur = cur.as_seq()?.get(i)?;
                    span = Some(cur.span);
                }
                Err(_) => {
                    let (k, v) = cur.entry(inner)?;
                    span = Some(k.span);
                    cur = v;
                }
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_values() {
        for p in [
            "${DOMAIN}",
            "*.${SECRET_DOMAIN}",
            "$fqdn",
            "{GATEWAY_CONTROLLER_NAME}",
            "a/{X1}",
        ] {
            assert!(has_placeholder(p), "{p}");
        }
        for v in [
            "example.com",
            "price$",
            "{lower}",
            "{}",
            "json {\"a\": 1}",
            "a{B",
        ] {
            assert!(!has_placeholder(v), "{v}");
        }
    }

    #[test]
    fn escaping_follows_kubernetes() {
        assert_eq!(escape("namespace"), "__namespace__");
        assert_eq!(escape("x-y"), "x__dash__y");
        assert_eq!(escape("a.b/c"), "a__dot__b__slash__c");
        assert_eq!(escape("a__b"), "a__underscores__b");
        assert_eq!(escape("name"), "name");
    }
}
