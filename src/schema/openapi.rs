//! The structural OpenAPI v3 schema of a CustomResourceDefinition version, reduced to what the
//! API server enforces on create: types, enums, patterns, bounds, required fields, list types,
//! defaults and `x-kubernetes-validations` rules (compiled once).

use std::sync::Arc;

use crate::load::tree::{Node, Value};

use super::celenv;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Ty {
    fn parse(s: &str) -> Option<Ty> {
        Some(match s {
            "object" => Ty::Object,
            "array" => Ty::Array,
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "number" => Ty::Number,
            "boolean" => Ty::Boolean,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Ty::Object => "object",
            Ty::Array => "array",
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
        }
    }
}

/// `x-kubernetes-list-type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListType {
    Atomic,
    Set,
    Map(Vec<Box<str>>),
}

/// One `x-kubernetes-validations` entry.
pub struct Rule {
    pub source: Box<str>,
    pub message: Option<Box<str>>,
    pub message_expression: Option<cel::Program>,
    /// `fieldPath`: where the API server reports the failure, relative to the rule's node.
    pub field_path: Option<Box<str>>,
    /// Compiled on first use: a repository's CRDs carry hundreds of rules, and most never
    /// meet an object of their kind.
    program: std::sync::OnceLock<Result<cel::Program, String>>,
    /// Uses `oldSelf`: only evaluated on update, so never on a manifest being created.
    pub transition: bool,
    /// The other channel's form of this rule, when the channel is not known: a failure counts
    /// only when the alternative fails too.
    pub alternative: Option<Box<Rule>>,
    /// Compares values only with each other and with `''`/`0` (see `canonical`).
    pub equality_only: bool,
}

impl Rule {
    /// Whether a pass of this rule (and of its alternative) holds for every renaming of the
    /// value's strings and integers.
    pub fn renaming_invariant(&self) -> bool {
        self.equality_only && self.alternative.as_ref().is_none_or(|a| a.equality_only)
    }

    pub fn new(source: &str, message: Option<&str>) -> Rule {
        Rule {
            source: source.into(),
            message: message.map(Into::into),
            message_expression: None,
            field_path: None,
            transition: mentions_old_self(source),
            program: std::sync::OnceLock::new(),
            alternative: None,
            equality_only: super::canonical::equality_only(source),
        }
    }

    pub fn program(&self) -> &Result<cel::Program, String> {
        self.program.get_or_init(|| celenv::compile(&self.source))
    }

    /// The text the API server shows when the rule fails (without a message expression).
    pub fn static_message(&self) -> String {
        match &self.message {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => format!("failed rule: {}", self.source),
        }
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("source", &self.source)
            .field("message", &self.message)
            .field("compiled", &self.program().is_ok())
            .finish()
    }
}

fn mentions_old_self(source: &str) -> bool {
    source.match_indices("oldSelf").any(|(i, _)| {
        let before = source[..i].chars().next_back();
        let after = source[i + 7..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// A compiled pattern; one that the regex engine cannot compile is kept as text and never
/// enforced (the schema is still useful for everything else).
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: Box<str>,
    pub regex: Option<regex::Regex>,
}

#[derive(Debug, Default)]
pub struct Schema {
    pub ty: Option<Ty>,
    /// Properties in schema order.
    pub properties: Vec<(Box<str>, Schema)>,
    pub additional: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub required: Vec<Box<str>>,
    pub enum_values: Vec<cel::Value>,
    pub pattern: Option<Pattern>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub default: Option<cel::Value>,
    pub nullable: bool,
    pub int_or_string: bool,
    pub preserve_unknown: bool,
    /// `additionalProperties: true`: any field, of any value.
    pub additional_any: bool,
    /// `x-kubernetes-embedded-resource`: a whole object, so `apiVersion`, `kind` and
    /// `metadata` are allowed besides the properties.
    pub embedded_resource: bool,
    /// The properties name every field the API server keeps here: true throughout a CRD's
    /// structural schema, where any other field is pruned, or rejected by strict field
    /// validation; false where gwlint's own transcription lists only some of them.
    pub complete: bool,
    pub list_type: Option<ListType>,
    pub rules: Vec<Rule>,
}

/// Counts of the rules in a schema, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleCounts {
    pub total: usize,
    pub compiled: usize,
    pub transition: usize,
}

impl Schema {
    /// A CRD version's structural schema: it lists every field (see `complete`).
    pub fn parse(node: &Node) -> Schema {
        Schema::parse_in(node, true)
    }

    /// A schema that lists every field only in the subtrees marked `x-gwlint-complete: true`
    /// (gwlint's transcriptions, which carry the constraints but not always every field).
    pub fn parse_partial(node: &Node) -> Schema {
        Schema::parse_in(node, false)
    }

    /// `complete`: whether the enclosing schema lists every field; `x-gwlint-complete` on a
    /// node says so for its subtree.
    fn parse_in(node: &Node, complete: bool) -> Schema {
        let mut s = Schema::default();
        let Some(entries) = node.as_map() else {
            return s;
        };
        s.complete = match node.get("x-gwlint-complete").map(|v| &v.value) {
            Some(Value::Bool(b)) => *b,
            _ => complete,
        };
        let complete = s.complete;
        for (k, v) in entries {
            let Some(key) = k.as_str() else { continue };
            match key {
                "type" => s.ty = v.as_str().and_then(Ty::parse),
                "properties" => {
                    if let Some(props) = v.as_map() {
                        s.properties = props
                            .iter()
                            .filter_map(|(pk, pv)| {
                                Some((pk.as_str()?.into(), Schema::parse_in(pv, complete)))
                            })
                            .collect();
                    }
                }
                "additionalProperties" if v.as_map().is_some() => {
                    s.additional = Some(Box::new(Schema::parse_in(v, complete)));
                }
                "additionalProperties" => s.additional_any = v.value == Value::Bool(true),
                "x-kubernetes-embedded-resource" => {
                    s.embedded_resource = v.value == Value::Bool(true)
                }
                "items" if v.as_map().is_some() => {
                    s.items = Some(Box::new(Schema::parse_in(v, complete)));
                }
                "required" => {
                    s.required = v
                        .as_seq()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|r| r.as_str().map(Into::into))
                        .collect()
                }
                "enum" => {
                    s.enum_values = v.as_seq().unwrap_or_default().iter().map(literal).collect()
                }
                "pattern" => {
                    if let Some(p) = v.as_str() {
                        s.pattern = Some(Pattern {
                            source: p.into(),
                            regex: regex::Regex::new(p).ok(),
                        });
                    }
                }
                "minLength" => s.min_length = uint(v),
                "maxLength" => s.max_length = uint(v),
                "minItems" => s.min_items = uint(v),
                "maxItems" => s.max_items = uint(v),
                "minProperties" => s.min_properties = uint(v),
                "maxProperties" => s.max_properties = uint(v),
                "minimum" => s.minimum = number(v),
                "maximum" => s.maximum = number(v),
                "exclusiveMinimum" => s.exclusive_minimum = v.value == Value::Bool(true),
                "exclusiveMaximum" => s.exclusive_maximum = v.value == Value::Bool(true),
                "default" => s.default = Some(literal(v)),
                "nullable" => s.nullable = v.value == Value::Bool(true),
                "x-kubernetes-int-or-string" => s.int_or_string = v.value == Value::Bool(true),
                "x-kubernetes-preserve-unknown-fields" => {
                    s.preserve_unknown = v.value == Value::Bool(true)
                }
                "x-kubernetes-list-type" => {
                    s.list_type = match v.as_str() {
                        Some("set") => Some(ListType::Set),
                        Some("map") => Some(ListType::Map(Vec::new())),
                        Some("atomic") => Some(ListType::Atomic),
                        _ => None,
                    }
                }
                "x-kubernetes-validations" => {
                    // A nested list (gwlint's embedded schemas reuse rule lists) reads as
                    // its items.
                    let rules = v.as_seq().unwrap_or_default().iter().flat_map(|r| {
                        r.as_seq()
                            .map(|inner| inner.iter().collect::<Vec<_>>())
                            .unwrap_or_else(|| vec![r])
                    });
                    let mut pending: Vec<(Box<str>, Rule)> = Vec::new();
                    for r in rules {
                        let Some(source) = r.get("rule").and_then(Node::as_str) else {
                            continue;
                        };
                        let mut rule = Rule::new(source, r.get("message").and_then(Node::as_str));
                        rule.field_path = r.get("fieldPath").and_then(Node::as_str).map(Into::into);
                        rule.message_expression = r
                            .get("messageExpression")
                            .and_then(Node::as_str)
                            .and_then(|m| celenv::compile(m).ok());
                        // gwlint's embedded schemas pair the channels' forms of one rule.
                        match r.get("x-gwlint-pair").and_then(Node::as_str) {
                            Some(pair) => {
                                let experimental = r.get("x-gwlint-channel").and_then(Node::as_str)
                                    == Some("experimental");
                                match pending.iter().position(|(p, _)| &**p == pair) {
                                    Some(i) => {
                                        let (_, other) = pending.remove(i);
                                        let (mut main, alt) = if experimental {
                                            (other, rule)
                                        } else {
                                            (rule, other)
                                        };
                                        main.alternative = Some(Box::new(alt));
                                        s.rules.push(main);
                                    }
                                    None => pending.push((pair.into(), rule)),
                                }
                            }
                            None => s.rules.push(rule),
                        }
                    }
                    s.rules.extend(pending.into_iter().map(|(_, r)| r));
                }
                _ => {}
            }
        }
        // Map keys are read after the loop: `x-kubernetes-list-map-keys` may come first.
        if let (Some(ListType::Map(keys)), Some(k)) = (
            &mut s.list_type,
            node.get("x-kubernetes-list-map-keys")
                .and_then(Node::as_seq),
        ) {
            *keys = k
                .iter()
                .filter_map(|x| x.as_str().map(Into::into))
                .collect();
        }
        s
    }

    /// Whether a field this schema does not declare is unknown to the API server here: the
    /// schema lists every field of an object, and admits no others (no additional properties,
    /// no preserved unknown fields, not an int-or-string). An object schema that declares no
    /// field at all is not taken at its word: it is most often a stub (a CRD shipped for its
    /// name and versions only, `openAPIV3Schema: {type: object}`) or an ObjectMeta left bare.
    pub fn closed(&self) -> bool {
        self.complete
            && self.additional.is_none()
            && !self.additional_any
            && !self.preserve_unknown
            && !self.int_or_string
            && !self.properties.is_empty()
    }

    pub fn property(&self, name: &str) -> Option<&Schema> {
        self.properties
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, s)| s)
    }

    /// Every rule of the schema, depth first.
    pub fn each_rule<'s>(&'s self, f: &mut dyn FnMut(&'s Rule)) {
        for r in &self.rules {
            f(r);
            if let Some(a) = &r.alternative {
                f(a);
            }
        }
        for (_, p) in &self.properties {
            p.each_rule(f);
        }
        if let Some(a) = &self.additional {
            a.each_rule(f);
        }
        if let Some(i) = &self.items {
            i.each_rule(f);
        }
    }

    pub fn rule_counts(&self) -> RuleCounts {
        let mut c = RuleCounts::default();
        self.each_rule(&mut |r| {
            c.total += 1;
            c.compiled += r.program().is_ok() as usize;
            c.transition += r.transition as usize;
        });
        c
    }
}

fn uint(n: &Node) -> Option<u64> {
    match n.value {
        Value::Int(i) if i >= 0 => Some(i as u64),
        _ => None,
    }
}

fn number(n: &Node) -> Option<f64> {
    match n.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// A YAML literal (defaults, enum values) as a CEL value.
pub fn literal(n: &Node) -> cel::Value {
    match &n.value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Int(i) => cel::Value::Int(*i),
        Value::Float(f) => cel::Value::Float(*f),
        Value::Str(s) => cel::Value::String(Arc::new(s.to_string())),
        Value::Seq(items) => cel::Value::List(Arc::new(items.iter().map(literal).collect())),
        Value::Map(entries) => {
            let map = entries
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        cel::objects::Key::String(Arc::new(k.as_str()?.to_string())),
                        literal(v),
                    ))
                })
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
        }
    }
}
