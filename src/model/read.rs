//! Typed reads from the span tree. A value of the wrong type becomes an API505 finding at that
//! value and reads as absent, so one bad field never drops the whole object.

use crate::load::LoadIssue;
use crate::load::tree::{Node, Value};
use crate::source::{Sp, Span};

pub struct Reader<'a> {
    pub root: &'a Node,
    pub kind: &'a str,
    pub issues: Vec<LoadIssue>,
}

static EMPTY: [Node; 0] = [];

impl<'a> Reader<'a> {
    pub fn new(root: &'a Node, kind: &'a str) -> Self {
        Reader {
            root,
            kind,
            issues: Vec::new(),
        }
    }

    pub fn type_error(&mut self, node: &Node, expected: &str) {
        let path = self.root.path_to(node.span.start);
        self.issues.push(LoadIssue {
            rule: "API505",
            span: node.span,
            message: format!(
                "{} `{}` must be {}, found {}",
                self.kind,
                path,
                expected,
                article(node.type_name())
            ),
            related: vec![],
        });
    }

    /// The value of `key` in `map` when present and not null.
    pub fn field<'n>(&self, map: &'n Node, key: &str) -> Option<&'n Node> {
        map.get(key).filter(|n| !n.is_null())
    }

    pub fn str(&mut self, map: &Node, key: &str) -> Option<Sp<String>> {
        let node = self.field(map, key)?;
        match &node.value {
            Value::Str(s) => Some(Sp::new(s.to_string(), node.span)),
            _ => {
                self.type_error(node, "a string");
                None
            }
        }
    }

    pub fn int(&mut self, map: &Node, key: &str) -> Option<Sp<i64>> {
        let node = self.field(map, key)?;
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i, node.span)),
            _ => {
                self.type_error(node, "an integer");
                None
            }
        }
    }

    pub fn bool(&mut self, map: &Node, key: &str) -> Option<Sp<bool>> {
        let node = self.field(map, key)?;
        match &node.value {
            Value::Bool(b) => Some(Sp::new(*b, node.span)),
            _ => {
                self.type_error(node, "a boolean");
                None
            }
        }
    }

    pub fn map<'n>(&mut self, map: &'n Node, key: &str) -> Option<&'n Node> {
        let node = self.field(map, key)?;
        match node.value {
            Value::Map(_) => Some(node),
            _ => {
                self.type_error(node, "a mapping");
                None
            }
        }
    }

    pub fn seq<'n>(&mut self, map: &'n Node, key: &str) -> &'n [Node] {
        let Some(node) = self.field(map, key) else {
            return &EMPTY;
        };
        match &node.value {
            Value::Seq(items) => items,
            _ => {
                self.type_error(node, "a list");
                &EMPTY
            }
        }
    }

    /// Items of a list that are mappings; other items are reported.
    pub fn maps<'n>(&mut self, map: &'n Node, key: &str) -> Vec<&'n Node> {
        let items = self.seq(map, key);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.value {
                Value::Map(_) => out.push(item),
                Value::Null => {}
                _ => self.type_error(item, "a mapping"),
            }
        }
        out
    }

    pub fn str_list(&mut self, map: &Node, key: &str) -> Vec<Sp<String>> {
        let items = self.seq(map, key);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Str(s) => out.push(Sp::new(s.to_string(), item.span)),
                _ => self.type_error(item, "a string"),
            }
        }
        out
    }

    /// A `map[string]string` such as labels or annotations.
    pub fn string_map(&mut self, map: &Node, key: &str) -> Vec<(Sp<String>, Sp<String>)> {
        let Some(node) = self.map(map, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in node.as_map().unwrap_or(&[]) {
            let Some(ks) = k.as_str() else {
                self.type_error(k, "a string key");
                continue;
            };
            match &v.value {
                Value::Str(s) => out.push((
                    Sp::new(ks.to_string(), k.span),
                    Sp::new(s.to_string(), v.span),
                )),
                Value::Null => out.push((
                    Sp::new(ks.to_string(), k.span),
                    Sp::new(String::new(), v.span),
                )),
                _ => self.type_error(v, "a string (quote it)"),
            }
        }
        out
    }
}

fn article(t: &str) -> String {
    match t {
        "integer" => "an integer".into(),
        "null" => "null".into(),
        _ => format!("a {t}"),
    }
}

/// A span that covers a whole node, for findings about an entry rather than one field.
pub fn node_span(n: &Node) -> Span {
    n.span
}
