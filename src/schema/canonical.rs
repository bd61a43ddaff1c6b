//! Outcomes shared between values that differ only in their names.
//!
//! The costliest rules are the pairwise uniqueness checks (`self.all(a, self.exists_one(b,
//! a.name == b.name))` over parentRefs and listeners), and no two routes name the same parents,
//! so the subtree cache never hits for them. Such a rule only compares values with each other
//! and with `''` or `0`: renaming every other string and integer one-to-one cannot change its
//! result. A rule written only with those operations is "equality-only"; its pass is cached
//! under the value's canonical form, in which each string and integer is replaced by the order
//! of its first occurrence.

use std::hash::{BuildHasher, Hash, Hasher};

use super::openapi::{Schema, literal};
use super::validate::escape;
use crate::load::tree::{Node, Value};

/// Whether `source` uses only field selection, `has`, the `all`/`exists`/`exists_one`
/// macros, `==`, `!=`, the logical operators and the conditional, with `''` and `0` as its
/// only literals (besides `true`, `false` and `null`). Conservative: anything else is no.
pub fn equality_only(source: &str) -> bool {
    let b = source.as_bytes();
    let mut i = 0;
    // Whether the previous token was `.` (the identifier that follows is a field or method).
    let mut after_dot = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &source[start..i];
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let called = b.get(j) == Some(&b'(');
                let ok = match (after_dot, called) {
                    (true, true) => matches!(word, "all" | "exists" | "exists_one"),
                    (false, true) => word == "has",
                    // `in` is membership, and names of other libraries are calls.
                    (false, false) => word != "in",
                    (true, false) => true,
                };
                if !ok {
                    return false;
                }
                after_dot = false;
                continue;
            }
            b'\'' | b'"' => {
                // Only the empty string literal.
                if b.get(i + 1) != Some(&c) || b.get(i + 2) == Some(&c) {
                    return false;
                }
                i += 2;
            }
            b'0' => {
                if b.get(i + 1)
                    .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'.')
                {
                    return false;
                }
                i += 1;
            }
            b'=' | b'!' if b.get(i + 1) == Some(&b'=') => i += 2,
            b'&' | b'|' if b.get(i + 1) == Some(&c) => i += 2,
            b'!' | b'?' | b':' | b'(' | b')' | b',' => i += 1,
            b'.' => {
                i += 1;
                after_dot = true;
                continue;
            }
            _ => return false,
        }
        after_dot = false;
    }
    true
}

/// The canonical form's hash of `node` as `validate::build` presents it to rules (defaults
/// applied, names escaped), or `None` when it holds a float, which CEL may compare equal to an
/// integer.
pub fn canonical_hash(node: &Node, schema: &Schema) -> Option<u64> {
    let mut c = Canon {
        hasher: foldhash::quality::FixedState::with_seed(0x0063_616e_6f6e).build_hasher(),
        strings: foldhash::HashMap::default(),
        ints: foldhash::HashMap::default(),
    };
    c.node(node, Some(schema))?;
    Some(c.hasher.finish())
}

struct Canon<'n> {
    hasher: foldhash::quality::FoldHasher<'static>,
    strings: foldhash::HashMap<std::borrow::Cow<'n, str>, usize>,
    ints: foldhash::HashMap<i64, usize>,
}

impl<'n> Canon<'n> {
    fn node(&mut self, node: &'n Node, schema: Option<&Schema>) -> Option<()> {
        match &node.value {
            Value::Map(entries) => {
                (0u8, entries.len()).hash(&mut self.hasher);
                for (k, v) in entries {
                    let Some(key) = k.as_str() else { continue };
                    let child = schema.and_then(|s| s.property(key));
                    let name = match child {
                        Some(_) => escape(key),
                        None => key.to_string(),
                    };
                    name.hash(&mut self.hasher);
                    let below = child.or_else(|| schema.and_then(|s| s.additional.as_deref()));
                    self.node(v, below)?;
                }
                if let Some(s) = schema {
                    for (name, prop) in &s.properties {
                        let Some(d) = &prop.default else { continue };
                        // Defaults apply only where the key is absent, as in `build`.
                        if entries.iter().any(|(k, _)| k.as_str() == Some(&**name)) {
                            continue;
                        }
                        (1u8, escape(name)).hash(&mut self.hasher);
                        self.value(d)?;
                    }
                }
            }
            Value::Seq(items) => {
                (2u8, items.len()).hash(&mut self.hasher);
                let below = schema.and_then(|s| s.items.as_deref());
                for item in items {
                    self.node(item, below)?;
                }
            }
            Value::Str(s) => self.string(std::borrow::Cow::Borrowed(s)),
            _ => self.value(&literal(node))?,
        }
        Some(())
    }

    fn string(&mut self, s: std::borrow::Cow<'n, str>) {
        if s.is_empty() {
            3u8.hash(&mut self.hasher);
            return;
        }
        let next = self.strings.len();
        let id = *self.strings.entry(s).or_insert(next);
        (4u8, id).hash(&mut self.hasher);
    }

    fn value(&mut self, v: &cel::Value) -> Option<()> {
        match v {
            cel::Value::String(s) => self.string(std::borrow::Cow::Owned(s.to_string())),
            cel::Value::Int(0) => 5u8.hash(&mut self.hasher),
            cel::Value::Int(i) => {
                let next = self.ints.len();
                let id = *self.ints.entry(*i).or_insert(next);
                (6u8, id).hash(&mut self.hasher);
            }
            cel::Value::Bool(b) => (7u8, b).hash(&mut self.hasher),
            cel::Value::Null => 8u8.hash(&mut self.hasher),
            cel::Value::List(items) => {
                (9u8, items.len()).hash(&mut self.hasher);
                for i in items.iter() {
                    self.value(i)?;
                }
            }
            // Defaults that are maps are rare; hashing their entries in a stable order would
            // need sorting, so they are left to the exact cache.
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_equality_rules_qualify() {
        for yes in [
            "self.all(a, self.exists_one(b, a.name == b.name))",
            "self.all(a, self.exists_one(b, a.port == b.port && a.protocol == b.protocol && (has(a.hostname) ? a.hostname : '') == (has(b.hostname) ? b.hostname : '')))",
            "self.all(a, self.all(b, !(a.group == b.group) || ((has(a.port) && a.port != 0) == (has(b.port) && b.port != 0))))",
            "has(self.x) ? self.x != \"\" : true",
        ] {
            assert!(equality_only(yes), "{yes}");
        }
        for no in [
            "self.all(l, l.protocol in ['HTTP', 'TCP'] ? !has(l.tls) : true)",
            "self.name == 'Exact'",
            "size(self) <= 16",
            "self.size() > 0",
            "self.port > 0",
            "self.port == 10",
            "self.map(r, r.x).exists(x, x == x)",
            "self.matches('^a$')",
            "self[0] == self[1]",
            "self.x == 0.0",
            "self.x == 0x1",
            "self.x == '''a'''",
            "isIP(self)",
        ] {
            assert!(!equality_only(no), "{no}");
        }
    }

    fn node(src: &str) -> Node {
        let lines = crate::source::LineIndex::new(src);
        let mut parsed =
            crate::load::parse::parse(src, &lines, 0, crate::load::parse::Limits::default());
        parsed.docs.remove(0).root
    }

    #[test]
    fn renamed_values_share_a_form() {
        let schema = Schema::default();
        let h = |s: &str| canonical_hash(&node(s), &schema);
        let a = h("[{name: web, port: 80}, {name: api, port: 443}]");
        assert_eq!(a, h("[{name: x, port: 1}, {name: y, port: 2}]"));
        // A repeated name is a different form from two distinct ones.
        assert_ne!(a, h("[{name: x, port: 1}, {name: x, port: 2}]"));
        // '' and 0 keep their identity: rules compare with them.
        assert_ne!(h("{name: '', port: 0}"), h("{name: a, port: 1}"));
        // Presence is part of the form.
        assert_ne!(h("{name: a}"), h("{name: a, port: 1}"));
        assert_eq!(h("{weight: 1.5}"), None);
    }
}
