//! Validates one object's span tree against a structural schema: OpenAPI constraints first
//! (API505), then the CEL rules of every node, bottom up, on values with the schema's defaults
//! applied, as the API server does on create (API504).

use std::fmt::Write as _;
use std::sync::Arc;

use cel::objects::{Key, Map};

use super::openapi::{ListType, Rule, Schema, Ty, literal};
use super::{CEL_RULE_VIOLATED, RULE_NOT_EVALUATED, SCHEMA_VIOLATION, celenv};
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

pub struct Validator<'a> {
    /// Names the schema's owner in "could not evaluate" reports (`CRD httproutes.gateway…`).
    pub origin: &'a str,
    pub out: Vec<Violation>,
}

/// A built CEL value, and whether rules over it must be skipped: a string under it holds an
/// unresolved `${VAR}`, or a field under it has the wrong type (the API server rejects the
/// object for that before any rule runs).
struct Built {
    value: cel::Value,
    vars: bool,
}

impl<'a> Validator<'a> {
    pub fn new(origin: &'a str) -> Self {
        Validator {
            origin,
            out: Vec::new(),
        }
    }

    /// Validates `node` (an object's root, or its `spec`) against `schema`; `at` is the span
    /// rules on the node itself are reported at.
    pub fn validate(&mut self, node: &Node, schema: &Schema, path: &str, at: Span) {
        let mut path = path.to_string();
        self.walk(node, at, schema, &mut path, false);
    }

    fn push(&mut self, rule: &'static str, span: Span, message: String) {
        self.out.push(Violation {
            rule,
            span,
            message,
            label: None,
        });
    }

    fn walk(
        &mut self,
        node: &Node,
        at: Span,
        schema: &Schema,
        path: &mut String,
        want: bool,
    ) -> Option<Built> {
        if node.is_null() {
            // Nulls in non-nullable fields are pruned by the API server before validation.
            return want.then(|| Built {
                value: cel::Value::Null,
                vars: false,
            });
        }
        if !self.type_ok(node, schema, path) {
            return None;
        }
        let need = want || !schema.rules.is_empty();
        let built = match &node.value {
            Value::Map(entries) => self.object(node, entries, schema, path, need),
            Value::Seq(items) => self.array(at, items, schema, path, need),
            _ => {
                self.scalar(node, schema, path);
                need.then(|| scalar_value(node))
            }
        };
        if let Some(b) = &built {
            if !b.vars {
                for rule in &schema.rules {
                    self.rule(rule, node, at, &b.value, path);
                }
            }
        }
        built
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
            // An unresolved variable stands for a value of any type.
            (Value::Str(s), _) if has_placeholder(s) => true,
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
        need: bool,
    ) -> Option<Built> {
        let base = path.len();
        let mut map = std::collections::HashMap::new();
        let mut vars = false;
        for (k, v) in entries {
            let Some(key) = k.as_str() else { continue };
            // The API server fills metadata and status itself; CRD schemas say little of either.
            let child = if path.is_empty() && matches!(key, "metadata" | "status") {
                None
            } else {
                schema.property(key).or(schema.additional.as_deref())
            };
            push_field(path, key);
            let built = match child {
                Some(c) => self.walk(v, k.span, c, path, need),
                None => need.then(|| generic(v)),
            };
            path.truncate(base);
            if need && built.is_none() {
                vars = true;
            }
            if let Some(b) = built {
                vars |= b.vars;
                let name = if schema.property(key).is_some() {
                    escape(key)
                } else {
                    key.to_string()
                };
                map.insert(Key::String(Arc::new(name)), b.value);
            }
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
        if !need {
            return None;
        }
        // Defaults fill absent fields before any rule sees the object.
        for (name, prop) in &schema.properties {
            let key = Key::String(Arc::new(escape(name)));
            if let (Some(d), false) = (&prop.default, map.contains_key(&key)) {
                map.insert(key, d.clone());
            }
        }
        Some(Built {
            value: cel::Value::Map(Map { map: Arc::new(map) }),
            vars,
        })
    }

    fn array(
        &mut self,
        at: Span,
        items: &[Node],
        schema: &Schema,
        path: &mut String,
        need: bool,
    ) -> Option<Built> {
        let n = items.len() as u64;
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
        let item_schema = schema.items.as_deref();
        // List-map keys and set members are compared on built values (defaults included).
        let keyed = matches!(schema.list_type, Some(ListType::Set | ListType::Map(_)));
        let mut values = Vec::with_capacity(if need || keyed { items.len() } else { 0 });
        let mut vars = false;
        for (i, item) in items.iter().enumerate() {
            let _ = write!(path, "[{i}]");
            let built = match item_schema {
                Some(s) => self.walk(item, item.span, s, path, need || keyed),
                None => (need || keyed).then(|| generic(item)),
            };
            path.truncate(base);
            if (need || keyed) && built.is_none() {
                vars = true;
            }
            if let Some(b) = built {
                vars |= b.vars;
                values.push((item, b.value));
            }
        }
        if keyed && !vars {
            self.duplicates(&values, schema, path);
        }
        need.then(|| Built {
            value: cel::Value::List(Arc::new(values.into_iter().map(|(_, v)| v).collect())),
            vars,
        })
    }

    fn duplicates(&mut self, values: &[(&Node, cel::Value)], schema: &Schema, path: &str) {
        let key_of = |v: &cel::Value| -> Option<Vec<cel::Value>> {
            match &schema.list_type {
                Some(ListType::Map(keys)) => {
                    let cel::Value::Map(m) = v else { return None };
                    Some(
                        keys.iter()
                            .map(|k| {
                                m.map
                                    .get(&Key::String(Arc::new(escape(k))))
                                    .cloned()
                                    .unwrap_or(cel::Value::Null)
                            })
                            .collect(),
                    )
                }
                _ => Some(vec![v.clone()]),
            }
        };
        let keys: Vec<Option<Vec<cel::Value>>> = values.iter().map(|(_, v)| key_of(v)).collect();
        for (i, k) in keys.iter().enumerate() {
            let Some(k) = k else { continue };
            if keys[..i].iter().any(|p| p.as_ref() == Some(k)) {
                let shown: Vec<String> = k.iter().map(show).collect();
                self.push(
                    SCHEMA_VIOLATION,
                    values[i].0.span,
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
                            quote(s)
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
                                quote(s),
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
                let shown = scalar_text(node);
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
            let v = scalar_value(node).value;
            if !schema.enum_values.contains(&v) {
                let allowed: Vec<String> = schema.enum_values.iter().map(show).collect();
                self.push(
                    SCHEMA_VIOLATION,
                    node.span,
                    format!(
                        "{}: Unsupported value: {}: supported values: {}",
                        display(path),
                        show(&v),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn rule(&mut self, rule: &Rule, node: &Node, at: Span, value: &cel::Value, path: &str) {
        if rule.transition {
            return;
        }
        let program = match &rule.program {
            Ok(p) => p,
            Err(e) => {
                self.not_evaluated(rule, at, &format!("it does not compile: {e}"));
                return;
            }
        };
        let failed = match celenv::eval(program, value) {
            Ok(cel::Value::Bool(true)) => return,
            Ok(cel::Value::Bool(false)) => None,
            // The API server rejects the object when a rule reads an absent field: the
            // evaluation error carries the rule's message.
            Err(cel::ExecutionError::NoSuchKey(k)) => {
                Some(format!("the rule failed to evaluate: no such key `{k}`"))
            }
            Ok(other) => {
                let why = format!("it returned {other:?} instead of a boolean");
                self.not_evaluated(rule, at, &why);
                return;
            }
            Err(e) => {
                self.not_evaluated(rule, at, &format!("evaluation failed: {e}"));
                return;
            }
        };
        let alternative_holds = rule.alternative.as_ref().is_some_and(|alt| {
            alt.program
                .as_ref()
                .is_ok_and(|p| matches!(celenv::eval(p, value), Ok(cel::Value::Bool(true))))
        });
        if alternative_holds {
            return;
        }
        let message = rule
            .message_expression
            .as_ref()
            .and_then(|m| match celenv::eval(m, value) {
                Ok(cel::Value::String(s)) if !s.is_empty() => Some(s.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| rule.static_message());
        let (span, shown_path) = match &rule.field_path {
            Some(fp) => (
                field_span(node, fp).unwrap_or(at),
                format!("{}{}", display(path), fp),
            ),
            None => (at, display(path).to_string()),
        };
        let label = failed.unwrap_or_else(|| format!("rule: {}", one_line(&rule.source)));
        self.out.push(Violation {
            rule: CEL_RULE_VIOLATED,
            span,
            message: format!("{shown_path}: {message}"),
            label: Some(label),
        });
    }

    fn not_evaluated(&mut self, rule: &Rule, at: Span, why: &str) {
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

/// `${VAR}` (Flux, envsubst) or `$VAR` (shell here-documents in docs): substituted before apply.
fn has_placeholder(s: &str) -> bool {
    s.match_indices('$').any(|(i, _)| {
        s[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c == '{' || c.is_ascii_alphabetic() || c == '_')
    })
}

fn scalar_value(node: &Node) -> Built {
    let vars = node.as_str().is_some_and(has_placeholder);
    Built {
        value: literal(node),
        vars,
    }
}

/// A subtree without a schema (preserved unknown fields): its plain value.
fn generic(node: &Node) -> Built {
    Built {
        value: literal(node),
        vars: has_vars(node),
    }
}

fn has_vars(node: &Node) -> bool {
    match &node.value {
        Value::Str(s) => has_placeholder(s),
        Value::Seq(items) => items.iter().any(has_vars),
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
