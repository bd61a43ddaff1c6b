//! The span tree: a YAML document as values that each know their source range.

use crate::source::Span;

/// How a scalar was written; plain scalars are the ones YAML 1.1 readers may reinterpret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
    /// Not a scalar (mapping or sequence).
    Collection,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(crate::source::Text),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub style: Style,
}

impl Node {
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a JSON-pointer-like path (`/spec/listeners/0/hostname`).
    pub fn pointer(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            node = match &node.value {
                Value::Map(_) => node.get(part)?,
                Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Number of nodes in this subtree (used to bound alias expansion).
    pub fn count(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
            _ => 1,
        }
    }

    /// The field path (`spec.listeners[0].hostname`) of the deepest node whose span contains
    /// `offset`; used for messages and for fingerprints that survive edits elsewhere.
    pub fn path_to(&self, offset: u32) -> String {
        let contains =
            |n: &Node| n.span.start <= offset && offset < n.span.end.max(n.span.start + 1);
        let mut out = String::new();
        let mut node = self;
        loop {
            match &node.value {
                Value::Map(entries) => {
                    // Entries are in source order: the candidate is the last one starting at or
                    // before the offset (merge-key copies, which sit elsewhere, are checked too).
                    let i = entries.partition_point(|(k, _)| k.span.start <= offset);
                    let hit = i
                        .checked_sub(1)
                        .map(|j| &entries[j])
                        .filter(|(k, v)| contains(k) || contains(v))
                        .or_else(|| entries.iter().find(|(k, v)| contains(k) || contains(v)));
                    let Some((k, v)) = hit else { break };
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k.as_str().unwrap_or("?"));
                    if contains(k) {
                        break;
                    }
                    node = v;
                }
                Value::Seq(items) => {
                    let i = items.partition_point(|v| v.span.start <= offset);
                    let hit = i
                        .checked_sub(1)
                        .filter(|&j| contains(&items[j]))
                        .or_else(|| items.iter().position(contains));
                    let Some(j) = hit else { break };
                    out.push_str(&format!("[{j}]"));
                    node = &items[j];
                }
                _ => break,
            }
        }
        out
    }
}

impl Drop for Node {
    // Deep trees are already bounded by the loader's depth limit, but dropping iteratively keeps
    // even a large fan-out tree off the recursion path.
    fn drop(&mut self) {
        let mut stack: Vec<Node> = Vec::new();
        match &mut self.value {
            Value::Seq(items) => stack.append(items),
            Value::Map(entries) => {
                for (k, v) in entries.drain(..) {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => return,
        }
        while let Some(mut n) = stack.pop() {
            match &mut n.value {
                Value::Seq(items) => stack.append(items),
                Value::Map(entries) => {
                    for (k, v) in entries.drain(..) {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
    }
}
