//! The runtime cost of a CEL rule on one value, estimated from the parsed expression and the
//! sizes actually present in the value, before the rule runs.
//!
//! The `cel` crate's interpreter has no step or memory limit: a rule from a repository's CRD such
//! as `self.all(a, self.all(b, self.all(c, …)))` runs for minutes on a list of a few hundred
//! items, and a nested `map` allocates gigabytes. The API server rejects such a CRD for its
//! estimated cost and stops any evaluation past its per-call limit; gwlint instead estimates
//! the cost of each evaluation from the value it is about to check, and does not run a rule whose
//! estimate exceeds the budget (see `validate.rs`).
//!
//! The estimate is an upper bound on the interpreter's work and on the memory a rule allocates:
//! every comprehension (`all`, `exists`, `exists_one`, `map`, `filter`, `sortBy`'s bind)
//! multiplies the cost of its body by the number of items of the list or map it ranges over, and
//! the functions that scan or build strings and lists cost in proportion to their sizes. Sizes
//! come from a [`Shape`]: for each field path of the value, the largest list, map and string
//! found there, so nested comprehensions over short lists are priced by their actual lengths,
//! not by the size of the whole value. Values a rule builds (list literals, `+`, `map`, `split`)
//! get shapes derived from their operands. Computing a shape is linear in the value; estimating a
//! rule is linear in its expression, with the joins of shapes (conditionals, dynamic indexes)
//! bounded by [`MAX_WORK`], past which the estimate falls back to a coarser, still safe bound.

use std::sync::{Arc, OnceLock};

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

use crate::load::tree::{Node, Value};

use super::openapi::Schema;
use super::validate::escape;

/// Map values by key; foldhash, as the value cache: the keys come from the value, and the map
/// lives for one estimate.
type Fields = foldhash::HashMap<Box<str>, Arc<Shape>>;

/// What the estimator knows of the values an expression may produce: upper bounds on their
/// sizes, and the shapes of their parts.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    /// Items of a list, entries of a map, bytes of a string (the largest of them all).
    pub len: u64,
    /// Nodes plus string bytes of the whole value: what deep comparison, conversion or
    /// copying it costs at most.
    pub weight: u64,
    /// Bytes of the longest map key.
    key_len: u64,
    /// The items of a list (all items joined), or the values of a map built with keys not
    /// known statically.
    item: Option<Arc<Shape>>,
    /// The values of a map by key.
    fields: Fields,
    /// Nothing is known of the parts but that none outweighs the whole: a part of this value
    /// has this same shape.
    opaque: bool,
}

impl Shape {
    fn scalar(len: u64) -> Arc<Shape> {
        // The estimator asks for these on nearly every node: shared, not allocated each time.
        static COMMON: OnceLock<[Arc<Shape>; 2]> = OnceLock::new();
        let make = |len: u64| {
            Arc::new(Shape {
                len,
                weight: len.saturating_add(1),
                ..Shape::default()
            })
        };
        let common = COMMON.get_or_init(|| [make(0), make(SMALL)]);
        match len {
            0 => common[0].clone(),
            SMALL => common[1].clone(),
            _ => make(len),
        }
    }

    fn opaque(len: u64, weight: u64) -> Arc<Shape> {
        Arc::new(Shape {
            len,
            weight: weight.max(len),
            key_len: weight,
            opaque: true,
            ..Shape::default()
        })
    }

    /// The shape of `node` as `validate::build` turns it into a CEL value: property names
    /// escaped, schema defaults filled in.
    pub fn of(node: &Node, schema: Option<&Schema>) -> Arc<Shape> {
        let mut s = Shape::default();
        s.absorb(node, schema);
        Arc::new(s)
    }

    /// Widens the shape to cover `node` too; returns the node's weight. Every node is visited
    /// once: list items are absorbed into one item shape, not joined afterwards.
    fn absorb(&mut self, node: &Node, schema: Option<&Schema>) -> u64 {
        let weight = match &node.value {
            Value::Map(entries) => {
                self.len = self.len.max(entries.len() as u64);
                let mut w: u64 = 1;
                for (k, v) in entries {
                    let Some(key) = k.as_str() else { continue };
                    let (name, child) = match schema {
                        Some(s) => match s.property(key) {
                            Some(p) => (escape(key), Some(p)),
                            None => (key.to_string(), s.additional.as_deref()),
                        },
                        None => (key.to_string(), None),
                    };
                    self.key_len = self.key_len.max(name.len() as u64);
                    let field = self.fields.entry(name.into()).or_default();
                    w = w
                        .saturating_add(key.len() as u64)
                        .saturating_add(Arc::make_mut(field).absorb(v, child));
                }
                if let Some(s) = schema {
                    for (name, prop) in &s.properties {
                        if let Some(d) = &prop.default {
                            if entries.iter().all(|(k, _)| k.as_str() != Some(name)) {
                                let field = self.fields.entry(escape(name).into()).or_default();
                                w = w.saturating_add(Arc::make_mut(field).absorb_literal(d));
                            }
                        }
                    }
                }
                w
            }
            Value::Seq(items) => {
                self.len = self.len.max(items.len() as u64);
                let item = Arc::make_mut(self.item.get_or_insert_with(Default::default));
                let child = schema.and_then(|s| s.items.as_deref());
                items
                    .iter()
                    .fold(1u64, |w, i| w.saturating_add(item.absorb(i, child)))
            }
            Value::Str(s) => {
                self.len = self.len.max(s.len() as u64);
                s.len() as u64 + 1
            }
            _ => 1,
        };
        self.weight = self.weight.max(weight);
        weight
    }

    /// As `absorb`, for a schema default.
    fn absorb_literal(&mut self, v: &cel::Value) -> u64 {
        let weight = match v {
            cel::Value::List(items) => {
                self.len = self.len.max(items.len() as u64);
                let item = Arc::make_mut(self.item.get_or_insert_with(Default::default));
                items
                    .iter()
                    .fold(1u64, |w, i| w.saturating_add(item.absorb_literal(i)))
            }
            cel::Value::Map(m) => {
                self.len = self.len.max(m.map.len() as u64);
                let mut w: u64 = 1;
                for (k, v) in m.map.iter() {
                    let name = match k {
                        cel::objects::Key::String(s) => s.to_string(),
                        other => format!("{other:?}"),
                    };
                    self.key_len = self.key_len.max(name.len() as u64);
                    let field = self.fields.entry(name.into()).or_default();
                    w = w.saturating_add(Arc::make_mut(field).absorb_literal(v));
                }
                w
            }
            cel::Value::String(s) => {
                self.len = self.len.max(s.len() as u64);
                s.len() as u64 + 1
            }
            cel::Value::Bytes(b) => {
                self.len = self.len.max(b.len() as u64);
                b.len() as u64 + 1
            }
            _ => 1,
        };
        self.weight = self.weight.max(weight);
        weight
    }
}

/// Bytes of a number, boolean or other short scalar a function returns.
const SMALL: u64 = 20;

/// Past this much work on one estimate, joins of shapes give up precision for speed.
const MAX_WORK: u64 = 100_000;

/// `lists.range(n)` with `n` not a literal: the crate refuses larger sizes.
const MAX_RANGE: u64 = 1_000_000;

/// The estimated cost of running `expr` with `self` of shape `this`; saturates at `u64::MAX`.
pub fn estimate(expr: &IdedExpr, this: &Arc<Shape>) -> u64 {
    let mut e = Estimator {
        vars: vec![("self".to_string(), this.clone())],
        work: 0,
    };
    e.expr(expr).0
}

struct Estimator {
    /// Variables in scope, innermost last.
    vars: Vec<(String, Arc<Shape>)>,
    /// Shape joins and nodes visited, to bound the estimator's own time.
    work: u64,
}

/// Nanoseconds are not the unit: one unit is about one step of the interpreter (a node of the
/// expression evaluated once). Scanning a string or comparing values costs one unit per this
/// many bytes or nodes, as the API server prices its string functions at a tenth of a unit
/// per character.
const BYTES_PER_UNIT: u64 = 8;

fn scan(weight: u64) -> u64 {
    weight / BYTES_PER_UNIT
}

impl Estimator {
    fn lookup(&self, name: &str) -> Option<Arc<Shape>> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    }

    /// A shape covering both `a` and `b`.
    fn join(&mut self, a: &Arc<Shape>, b: &Arc<Shape>) -> Arc<Shape> {
        if Arc::ptr_eq(a, b) {
            return a.clone();
        }
        self.work = self
            .work
            .saturating_add(1 + a.fields.len() as u64 + b.fields.len() as u64);
        if a.opaque || b.opaque || self.work > MAX_WORK {
            return Shape::opaque(a.len.max(b.len), a.weight.max(b.weight));
        }
        let item = match (&a.item, &b.item) {
            (Some(x), Some(y)) => Some(self.join(x, y)),
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let mut fields = a.fields.clone();
        for (k, v) in &b.fields {
            let joined = match fields.get(k) {
                Some(f) => self.join(&f.clone(), v),
                None => v.clone(),
            };
            fields.insert(k.clone(), joined);
        }
        Arc::new(Shape {
            len: a.len.max(b.len),
            weight: a.weight.max(b.weight),
            key_len: a.key_len.max(b.key_len),
            item,
            fields,
            opaque: false,
        })
    }

    /// The shape of a field of a value of shape `s`.
    fn field(&mut self, s: &Arc<Shape>, name: &str) -> Arc<Shape> {
        if s.opaque {
            return s.clone();
        }
        match (s.fields.get(name), &s.item) {
            (Some(f), Some(i)) => self.join(&f.clone(), &i.clone()),
            (Some(f), None) => f.clone(),
            (None, Some(i)) => i.clone(),
            // Absent everywhere: reading it fails, and `has()` is false.
            (None, None) => Shape::scalar(0),
        }
    }

    /// The shape of any item of a list, or any value of a map, of shape `s`.
    fn element(&mut self, s: &Arc<Shape>) -> Arc<Shape> {
        if s.opaque {
            return s.clone();
        }
        let mut out = s.item.clone();
        let fields: Vec<Arc<Shape>> = s.fields.values().cloned().collect();
        for f in fields {
            out = Some(match out {
                Some(o) => self.join(&o, &f),
                None => f,
            });
        }
        out.unwrap_or_else(|| Shape::scalar(0))
    }

    /// What a comprehension over a value of shape `s` binds: the items of a list or the keys
    /// of a map (a shape is not typed: both, when it may be either).
    fn iterated(&mut self, s: &Arc<Shape>) -> Arc<Shape> {
        if s.opaque {
            return s.clone();
        }
        let key = (!s.fields.is_empty() || s.key_len > 0).then(|| Shape::scalar(s.key_len));
        match (&s.item, key) {
            (Some(i), Some(k)) => self.join(&i.clone(), &k),
            (Some(i), None) => i.clone(),
            (None, Some(k)) => k,
            (None, None) => Shape::scalar(0),
        }
    }

    /// (cost, shape of the result).
    fn expr(&mut self, e: &IdedExpr) -> (u64, Arc<Shape>) {
        self.work = self.work.saturating_add(1);
        match &e.expr {
            Expr::Unspecified => (1, Shape::scalar(0)),
            Expr::Literal(l) => {
                let len = match l {
                    LiteralValue::String(s) => s.inner().len() as u64,
                    LiteralValue::Bytes(b) => b.inner().len() as u64,
                    _ => 0,
                };
                (1, Shape::scalar(len))
            }
            Expr::Ident(name) => (
                1,
                self.lookup(name)
                    // A namespace (`lists`, `format`) or a type name.
                    .unwrap_or_else(|| Shape::scalar(name.len() as u64)),
            ),
            Expr::Select(sel) => {
                let (c, s) = self.expr(&sel.operand);
                let f = self.field(&s, &sel.field);
                let shape = if sel.test { Shape::scalar(0) } else { f };
                (c.saturating_add(1), shape)
            }
            Expr::List(list) => {
                let mut cost: u64 = 1;
                let mut item: Option<Arc<Shape>> = None;
                let mut weight: u64 = 1;
                for el in &list.elements {
                    let (c, s) = self.expr(el);
                    cost = cost.saturating_add(c).saturating_add(1);
                    weight = weight.saturating_add(s.weight);
                    item = Some(match item {
                        Some(i) => self.join(&i, &s),
                        None => s,
                    });
                }
                let shape = Arc::new(Shape {
                    len: list.elements.len() as u64,
                    weight,
                    item,
                    ..Shape::default()
                });
                (cost, shape)
            }
            Expr::Map(map) => self.map_literal(map.entries.iter().map(|e| &e.expr)),
            Expr::Struct(st) => self.map_literal(st.entries.iter().map(|e| &e.expr)),
            Expr::Comprehension(c) => {
                let (range_cost, range) = self.expr(&c.iter_range);
                let n = range.len;
                let (init_cost, init) = self.expr(&c.accu_init);
                let iterated = self.iterated(&range);
                let base = self.vars.len();
                self.vars.push((c.accu_var.clone(), init.clone()));
                match &c.iter_var2 {
                    // Two variables: the index or key, then the item or value.
                    Some(v2) => {
                        let key = Shape::scalar(range.key_len.max(SMALL));
                        let value = self.element(&range);
                        self.vars.push((c.iter_var.clone(), key));
                        self.vars.push((v2.clone(), value));
                    }
                    None => self.vars.push((c.iter_var.clone(), iterated)),
                }
                let (cond_cost, _) = self.expr(&c.loop_cond);
                let (step_cost, step) = self.expr(&c.loop_step);
                self.vars.truncate(base);
                // The accumulator grows by at most what one step added, on every step.
                let grown =
                    |a: u64, b: u64| a.saturating_add(n.saturating_mul(b.saturating_sub(a)));
                let item = match (&init.item, &step.item) {
                    (Some(x), Some(y)) => Some(self.join(&x.clone(), &y.clone())),
                    (x, y) => x.clone().or_else(|| y.clone()),
                };
                self.work = self.work.saturating_add(init.fields.len() as u64);
                let accu = Arc::new(Shape {
                    len: grown(init.len, step.len),
                    weight: grown(init.weight, step.weight),
                    key_len: init.key_len.max(step.key_len),
                    item,
                    fields: init.fields.clone(),
                    opaque: init.opaque || step.opaque,
                });
                self.vars.push((c.accu_var.clone(), accu));
                let (result_cost, result) = self.expr(&c.result);
                self.vars.truncate(base);
                let per_step = cond_cost.saturating_add(step_cost).saturating_add(1);
                let cost = range_cost
                    .saturating_add(init_cost)
                    .saturating_add(n.saturating_mul(per_step))
                    .saturating_add(result_cost);
                (cost, result)
            }
            Expr::Call(call) => self.call(call),
        }
    }

    fn map_literal<'e>(
        &mut self,
        entries: impl Iterator<Item = &'e EntryExpr>,
    ) -> (u64, Arc<Shape>) {
        let mut cost: u64 = 1;
        let mut shape = Shape::default();
        let mut weight: u64 = 1;
        for entry in entries {
            let (key, value) = match entry {
                EntryExpr::MapEntry(m) => (Some(&m.key), &m.value),
                EntryExpr::StructField(f) => (None, &f.value),
            };
            let (vc, v) = self.expr(value);
            cost = cost.saturating_add(vc).saturating_add(1);
            weight = weight.saturating_add(v.weight);
            shape.len += 1;
            let literal_key = match (key.map(|k| &k.expr), entry) {
                (Some(Expr::Literal(LiteralValue::String(s))), _) => Some(s.inner().to_string()),
                (None, EntryExpr::StructField(f)) => Some(f.field.clone()),
                _ => None,
            };
            if let Some(k) = key {
                let (kc, ks) = self.expr(k);
                cost = cost.saturating_add(kc);
                weight = weight.saturating_add(ks.weight);
                shape.key_len = shape.key_len.max(ks.len);
            }
            match literal_key {
                Some(k) => {
                    shape.key_len = shape.key_len.max(k.len() as u64);
                    let joined = match shape.fields.get(k.as_str()) {
                        Some(f) => self.join(&f.clone(), &v),
                        None => v,
                    };
                    shape.fields.insert(k.into(), joined);
                }
                None => {
                    let joined = match &shape.item {
                        Some(i) => self.join(&i.clone(), &v),
                        None => v,
                    };
                    shape.item = Some(joined);
                }
            }
        }
        shape.weight = weight;
        (cost, Arc::new(shape))
    }

    fn call(&mut self, call: &cel::common::ast::CallExpr) -> (u64, Arc<Shape>) {
        let mut cost: u64 = 1;
        let mut args: Vec<Arc<Shape>> = Vec::with_capacity(call.args.len() + 1);
        let mut literal_int = None;
        // `lists.range(n)` parses as `range` called on the identifier `lists`: a namespace,
        // unless a variable of that name is in scope.
        let qualified = match call.target.as_deref().map(|t| &t.expr) {
            Some(Expr::Ident(ns)) if self.lookup(ns).is_none() => {
                Some(format!("{ns}.{}", call.func_name))
            }
            _ => None,
        };
        if let (Some(t), None) = (&call.target, &qualified) {
            let (c, s) = self.expr(t);
            cost = cost.saturating_add(c);
            args.push(s);
        }
        let name = qualified.as_deref().unwrap_or(call.func_name.as_str());
        if name == "_?_:_" && call.args.len() == 3 {
            // Only one branch runs: the dearer one bounds it.
            let (cc, _) = self.expr(&call.args[0]);
            let (ac, a) = self.expr(&call.args[1]);
            let (bc, b) = self.expr(&call.args[2]);
            let shape = self.join(&a, &b);
            return (cost.saturating_add(cc).saturating_add(ac.max(bc)), shape);
        }
        for a in &call.args {
            if let Expr::Literal(LiteralValue::Int(i)) = &a.expr {
                literal_int = Some(*i.inner());
            }
            let (c, s) = self.expr(a);
            cost = cost.saturating_add(c);
            args.push(s);
        }
        let total_weight = args.iter().fold(0u64, |w, a| w.saturating_add(a.weight));
        let total_len = args.iter().fold(0u64, |w, a| w.saturating_add(a.len));
        let first = args.first().cloned().unwrap_or_else(|| Shape::scalar(0));
        let small = Shape::scalar(SMALL);
        let (extra, shape) = match name {
            // Constant time on any operands.
            "_&&_"
            | "_||_"
            | "!_"
            | "-_"
            | "_*_"
            | "_/_"
            | "_%_"
            | "_-_"
            | "size"
            | "has"
            | "@not_strictly_false"
            | "int"
            | "uint"
            | "double"
            | "bool"
            | "type"
            | "isIP"
            | "isCIDR"
            | "isURL" => (0, small),
            "_[_]" | "_[?_]" => {
                let shape = match &call.args.get(1).map(|a| &a.expr) {
                    Some(Expr::Literal(LiteralValue::String(k))) => {
                        let k = k.inner().to_string();
                        self.field(&first, &k)
                    }
                    _ => self.element(&first),
                };
                (0, shape)
            }
            "_?._" => (0, self.element(&first)),
            "_+_" => {
                // Concatenation copies both operands: strings by byte, lists by item.
                let item = match args.as_slice() {
                    [a, b] => match (&a.item, &b.item) {
                        (Some(x), Some(y)) => Some(self.join(&x.clone(), &y.clone())),
                        (x, y) => x.clone().or_else(|| y.clone()),
                    },
                    _ => None,
                };
                let opaque = args.iter().any(|a| a.opaque);
                let shape = Arc::new(Shape {
                    len: total_len,
                    weight: total_weight,
                    item,
                    opaque,
                    key_len: if opaque { total_weight } else { 0 },
                    ..Shape::default()
                });
                (total_len, shape)
            }
            // Comparisons and membership scan their operands.
            "_==_" | "_!=_" | "_<_" | "_<=_" | "_>_" | "_>=_" | "@in" | "contains"
            | "startsWith" | "endsWith" | "matches" | "gwlintMatches" | "indexOf"
            | "lastIndexOf" | "charAt" | "validate" => (scan(total_weight), small),
            // No larger than their input (a converted scalar is short); sorting and
            // `distinct` compare pairs of items.
            "find"
            | "substring"
            | "trim"
            | "lowerAscii"
            | "upperAscii"
            | "reverse"
            | "strings.quote"
            | "string"
            | "url"
            | "getScheme"
            | "getHost"
            | "getHostname"
            | "getPort"
            | "getEscapedPath"
            | "getQuery"
            | "dyn"
            | "distinct"
            | "sort"
            | "@sortByAssociatedKeys"
            | "slice" => {
                let pairs = match name {
                    "distinct" | "sort" | "@sortByAssociatedKeys" => first
                        .len
                        .saturating_mul(first.len)
                        .saturating_mul(first.item.as_ref().map_or(1, |i| 1 + scan(i.weight))),
                    _ => 0,
                };
                let shape = match name {
                    // Quoting escapes every byte at most once more.
                    "string" | "strings.quote" => {
                        let len = first.weight.saturating_mul(2).max(32);
                        Shape::scalar(len)
                    }
                    _ => first.clone(),
                };
                (scan(total_weight).saturating_add(pairs), shape)
            }
            "split" | "findAll" => {
                // At most one piece per byte, none longer than the string.
                let s = first.len;
                let shape = Arc::new(Shape {
                    len: s.saturating_add(1),
                    weight: s.saturating_mul(2).saturating_add(2),
                    item: Some(Shape::scalar(s)),
                    ..Shape::default()
                });
                (s.saturating_add(scan(total_weight)), shape)
            }
            "replace" => {
                // Every position may receive the replacement.
                let replacement = args.get(2).map_or(0, |a| a.len);
                let len = first
                    .len
                    .saturating_add(1)
                    .saturating_mul(replacement.saturating_add(1));
                (scan(len.saturating_add(total_weight)), Shape::scalar(len))
            }
            "join" | "format" => {
                // The whole list (or the arguments) written out once, with separators.
                let sep = args.get(1).map_or(0, |a| a.len);
                let len =
                    total_weight.saturating_add(first.len.saturating_add(1).saturating_mul(sep));
                (scan(len), Shape::scalar(len))
            }
            "flatten" => {
                let len = first.weight;
                let item = first.item.as_ref().map(|i| self.element(&i.clone()));
                let shape = Arc::new(Shape {
                    len,
                    weight: first.weight,
                    item,
                    ..Shape::default()
                });
                (len, shape)
            }
            "lists.range" => {
                let n = literal_int
                    .and_then(|i| u64::try_from(i).ok())
                    .unwrap_or(MAX_RANGE)
                    .min(MAX_RANGE);
                let shape = Arc::new(Shape {
                    len: n,
                    weight: n.saturating_add(1),
                    item: Some(Shape::scalar(0)),
                    ..Shape::default()
                });
                (n, shape)
            }
            // Anything else: a scan of its operands, and a result no larger than they are.
            _ => (
                scan(total_weight).saturating_add(args.len() as u64),
                Shape::opaque(total_weight, total_weight),
            ),
        };
        (cost.saturating_add(extra), shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tree::Node;

    fn list_of_ints(n: usize) -> Arc<Shape> {
        let yaml = format!(
            "[{}]",
            (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        shape_of_yaml(&yaml)
    }

    fn shape_of_yaml(yaml: &str) -> Arc<Shape> {
        let loaded = crate::load::load_bytes(
            0,
            std::path::Path::new("t.yaml"),
            yaml.as_bytes().to_vec(),
            &crate::load::LoadOptions::default(),
        );
        let root: &Node = &loaded.docs[0].root;
        Shape::of(root, None)
    }

    fn cost(src: &str, shape: &Arc<Shape>) -> u64 {
        let p = super::super::celenv::compile(src).unwrap();
        estimate(p.expression(), shape)
    }

    #[test]
    fn nesting_multiplies_by_the_actual_lengths() {
        let triple = "self.all(a, self.all(b, self.all(c, a + b + c >= 0)))";
        let small = cost(triple, &list_of_ints(10));
        let big = cost(triple, &list_of_ints(400));
        assert!(small < 20_000, "{small}");
        assert!(big > 400 * 400 * 400, "{big}");
        let mapped = "self.map(a, self.map(b, self.map(c, a+b+c))).size() > 0";
        assert!(cost(mapped, &list_of_ints(400)) > 400 * 400 * 400);
        // Pairwise checks over a short list stay cheap.
        let pairwise = "self.all(l1, self.exists_one(l2, l1 == l2))";
        assert!(cost(pairwise, &list_of_ints(64)) < 100_000);
    }

    #[test]
    fn inner_lists_are_priced_by_their_own_lengths() {
        // One long list of names beside a list of two short lists: nested iteration over the
        // short ones is not priced by the long one.
        let items: Vec<String> = (0..2000).map(|i| format!("n{i}")).collect();
        let yaml = format!(
            "{{names: [{}], groups: [{{xs: [1, 2]}}, {{xs: [3]}}]}}",
            items.join(",")
        );
        let shape = shape_of_yaml(&yaml);
        let c = cost(
            "self.groups.all(g, g.xs.all(x, self.groups.all(h, h.xs.all(y, x != y || g == h))))",
            &shape,
        );
        assert!(c < 1_000, "{c}");
        assert!(cost("self.names.all(a, self.names.all(b, a != b))", &shape) > 4_000_000);
    }

    #[test]
    fn built_values_are_sized() {
        let s = list_of_ints(100);
        // Doubling a list ten times is a thousand times the list.
        let doubled = "(self + self + self + self + self + self + self + self).all(x, x >= 0)";
        assert!(cost(doubled, &s) >= 800);
        assert!(cost("lists.range(1000000).all(x, x >= 0)", &s) >= 1_000_000);
        assert!(cost("lists.range(size(self) * 1000).all(x, x >= 0)", &s) >= 1_000_000);
        // A list of lists from a map, iterated twice.
        let c = cost("self.map(a, self).all(l, l.all(x, x >= 0))", &s);
        assert!(c >= 10_000, "{c}");
    }
}
