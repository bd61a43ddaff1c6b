//! CEL containers shared by reference. The interpreter copies a value whenever it binds one:
//! every element a comprehension visits (`self.all(l, …)` over listeners), and `self` itself.
//! The crate's own list and map copy deeply, which made copying most of the cost of rules over
//! lists of objects; these wrappers make a copy one reference count.
//!
//! They present themselves as the built-in list and map (`as_builtin`), so every function,
//! operator and conversion that accepts those accepts them, with the built-ins' behaviour.

use std::sync::Arc;

use cel::common::traits::{Adder, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{CelList, CelMap, Type};
use cel::common::value::{Builtin, BuiltinRef, Val};

pub type BoxVal = Box<dyn Val + 'static>;

#[derive(Debug, Clone)]
pub struct SharedList(Arc<CelList<'static>>);

#[derive(Debug, Clone)]
pub struct SharedMap(Arc<CelMap<'static>>);

impl SharedList {
    pub fn boxed(items: Vec<BoxVal>) -> BoxVal {
        Box::new(SharedList(Arc::new(CelList::from(items))))
    }
}

impl SharedMap {
    pub fn boxed(
        entries: std::collections::HashMap<cel::common::types::CelMapKey<'static>, BoxVal>,
    ) -> BoxVal {
        Box::new(SharedMap(Arc::new(CelMap::from(entries))))
    }
}

/// Delegates every capability to the wrapped built-in container.
macro_rules! shared {
    ($ty:ident, $inner:ty, $builtin:ident, adder: $adder:expr) => {
        impl Val for $ty {
            fn get_type(&self) -> &Type {
                self.0.get_type()
            }

            fn cel_type() -> &'static Type {
                <$inner as Val>::cel_type()
            }

            fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
            where
                Self: 'v,
            {
                if $adder { self.0.as_adder() } else { None }
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.0.as_container()
            }

            fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
            where
                Self: 'v,
            {
                self.0.as_indexer()
            }

            fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
            where
                Self: 'v,
            {
                self.0.as_iterable()
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.0.as_sizer()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.0.as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.0.equals(other)
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.clone())
            }

            fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
            where
                Self: 'v,
            {
                BuiltinRef::$builtin(&self.0)
            }

            fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
            where
                Self: 'v,
            {
                Some(Builtin::$builtin(Arc::unwrap_or_clone(self.0)))
            }
        }
    };
}

shared!(SharedList, CelList<'static>, List, adder: true);
shared!(SharedMap, CelMap<'static>, Map, adder: false);

#[cfg(test)]
mod tests {
    use super::super::celenv;
    use super::*;
    use cel::common::types::{CelInt, CelMapKey, CelString};

    fn run(src: &str, v: BoxVal) -> Result<cel::Value, cel::ExecutionError> {
        let program = celenv::compile(src).unwrap();
        celenv::with_self(&v, |ctx| program.execute(ctx))
    }

    fn listeners() -> BoxVal {
        let listener = |name: &str, port: i64| {
            let mut m = std::collections::HashMap::new();
            m.insert(
                CelMapKey::from("name".to_string()),
                Box::new(CelString::from(name.to_string())) as BoxVal,
            );
            m.insert(
                CelMapKey::from("port".to_string()),
                Box::new(CelInt::from(port)) as BoxVal,
            );
            SharedMap::boxed(m)
        };
        SharedList::boxed(vec![
            listener("a", 80),
            listener("b", 443),
            listener("a", 8080),
        ])
    }

    #[test]
    fn behave_as_the_built_in_containers() {
        use cel::Value;
        let cases = [
            (
                "self.all(l1, self.exists_one(l2, l1.name == l2.name))",
                Value::Bool(false),
            ),
            ("self.exists(l, l.port == 443)", Value::Bool(true)),
            ("size(self) == 3 && self.size() == 3", Value::Bool(true)),
            ("self[1].name", Value::String(Arc::new("b".into()))),
            (
                "has(self[0].port) && !has(self[0].hostname)",
                Value::Bool(true),
            ),
            ("'port' in self[0]", Value::Bool(true)),
            (
                "self.map(l, l.port).filter(p, p > 100) == [443, 8080]",
                Value::Bool(true),
            ),
            ("(self + self).size()", Value::Int(6)),
            (
                "self[0] == self[0] && self[0] != self[1]",
                Value::Bool(true),
            ),
            (
                "self.map(l, l.name).join(',')",
                Value::String(Arc::new("a,b,a".into())),
            ),
            ("self[0] == {'name': 'a', 'port': 80}", Value::Bool(true)),
        ];
        for (src, want) in cases {
            assert_eq!(run(src, listeners()), Ok(want), "{src}");
        }
        // Conversion back to a plain value, as a rule's result.
        let Ok(Value::List(items)) = run("self", listeners()) else {
            panic!("a list")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(
            run("self[0].hostname", listeners()),
            Err(cel::ExecutionError::NoSuchKey(_))
        ));
    }
}
