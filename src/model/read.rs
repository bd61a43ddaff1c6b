//! Typed reads from the span tree. A value of the wrong type becomes an API505 finding at that
//! value and reads as absent, so one bad field never drops the whole object.

use crate::load::LoadIssue;
use crate::load::tree::{Node, Value};
use crate::source::Text;
use crate::source::{Sp, Span};

pub struct Reader<'a> {
    pub root: &'a Node,
    pub kind: &'a str,
    pub issues: Vec<LoadIssue>,
    /// Flux post-build variables for this file, substituted into string values.
    pub vars: Option<&'a std::collections::HashMap<String, String>>,
}

/// Flux/envsubst substitution of `${NAME}`, `${NAME:=default}` and `${NAME:-default}`; names
/// without a value stay as written (and count as unresolved).
pub fn substitute(s: &str, vars: &std::collections::HashMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = &after[..end];
        let (name, default) = match expr.find(":=").or_else(|| expr.find(":-")) {
            Some(i) => (&expr[..i], Some(&expr[i + 2..])),
            None => (expr, None),
        };
        match vars.get(name).map(String::as_str).or(default) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 3 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether a value still holds a placeholder that something substitutes before the API server
/// sees it: a `${…}` variable nobody defined (Flux, envsubst), or an upper-case `{NAME}` (the
/// test harnesses of Gateway implementations substitute those). Its real value is unknown, so
/// nothing is reported against it.
pub fn unresolved(s: &str) -> bool {
    // `{{ … }}`: a Helm template a chart renders (`tpl` of a value), such as a route hostname
    // in a HelmRelease's values.
    // Every placeholder has a brace and nearly no value does: one scan decides most values,
    // which hostname matching asks about in every comparison.
    s.contains('{') && (s.contains("${") || s.contains("{{") || braced_upper(s))
}

/// Whether `s` holds `{NAME}` with `NAME` of upper-case letters, digits and `_`, starting with a
/// letter.
pub fn braced_upper(s: &str) -> bool {
    s.match_indices('{').any(|(i, _)| {
        let rest = &s.as_bytes()[i + 1..];
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        len > 0 && rest[0].is_ascii_uppercase() && rest.get(len) == Some(&b'}')
    })
}

/// An unquoted `{NAME}` placeholder, which YAML reads as a flow mapping with one key and no
/// value: the placeholder text, for a field that takes a string.
pub fn placeholder_map(node: &Node) -> Option<String> {
    let [(k, v)] = node.as_map()? else {
        return None;
    };
    let name = k.as_str()?;
    let text = format!("{{{name}}}");
    (v.is_null() && braced_upper(&text) && text.len() == name.len() + 2).then_some(text)
}

static EMPTY: [Node; 0] = [];

impl<'a> Reader<'a> {
    pub fn new(root: &'a Node, kind: &'a str) -> Self {
        Reader {
            root,
            kind,
            issues: Vec::new(),
            vars: None,
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
            fixes: Vec::new(),
        });
    }

    /// The value of `key` in `map` when present and not null.
    pub fn field<'n>(&self, map: &'n Node, key: &str) -> Option<&'n Node> {
        map.get(key).filter(|n| !n.is_null())
    }

    pub fn str(&mut self, map: &Node, key: &str) -> Option<Sp<Text>> {
        let node = self.field(map, key)?;
        match &node.value {
            Value::Str(s) => Some(Sp::new(self.text(s), node.span)),
            Value::Map(_) if placeholder_map(node).is_some() => {
                placeholder_map(node).map(|t| Sp::new(Text::from(t), node.span))
            }
            _ => {
                self.type_error(node, "a string");
                None
            }
        }
    }

    /// A string value with variables substituted where they are known.
    fn text(&self, s: &str) -> Text {
        match self.vars {
            Some(vars) if s.contains("${") => substitute(s, vars).into(),
            _ => s.into(),
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

    pub fn str_list(&mut self, map: &Node, key: &str) -> Vec<Sp<Text>> {
        let items = self.seq(map, key);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Str(s) => out.push(Sp::new(self.text(s), item.span)),
                _ => self.type_error(item, "a string"),
            }
        }
        out
    }

    /// A `map[string]string` such as labels or annotations.
    pub fn string_map(&mut self, map: &Node, key: &str) -> Vec<(Sp<Text>, Sp<Text>)> {
        let Some(node) = self.map(map, key) else {
            return Vec::new();
        };
        let entries = node.as_map().unwrap_or(&[]);
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(ks) = k.as_str() else {
                self.type_error(k, "a string key");
                continue;
            };
            match &v.value {
                Value::Str(s) => out.push((
                    Sp::new(ks.into(), k.span),
                    Sp::new(Text::from(&**s), v.span),
                )),
                Value::Null => {
                    out.push((Sp::new(ks.into(), k.span), Sp::new(Text::new(""), v.span)))
                }
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
