//! The nearest existing name to a dangling reference's, for "did you mean" fixes.

use std::collections::HashMap;

use crate::model::Object;

/// Names of the objects of one group/kind, by namespace, built once per check.
pub struct Names<'m> {
    by_ns: HashMap<&'m str, Vec<&'m str>>,
}

impl<'m> Names<'m> {
    pub fn new(objects: &'m [Object], group: &str, kind: &str) -> Names<'m> {
        let mut by_ns: HashMap<&str, Vec<&str>> = HashMap::new();
        for o in objects {
            if o.key.kind == kind && o.key.group == group {
                by_ns
                    .entry(o.key.namespace.as_str())
                    .or_default()
                    .push(o.key.name.as_str());
            }
        }
        for v in by_ns.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Names { by_ns }
    }

    /// The one name in `namespace` nearest to `name`, when it is close (a typo: at most two
    /// edits, and fewer than a third of the name) and no other name is as close.
    pub fn nearest(&self, namespace: &str, name: &str) -> Option<&'m str> {
        nearest(self.by_ns.get(namespace)?.iter().copied(), name)
    }
}

/// The candidate nearest to `name` by edit distance (with transpositions), when it is unique
/// and close enough to be a typo.
pub fn nearest<'a>(candidates: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = 2.min(len / 3);
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for c in candidates {
        // Cheap bound first: lengths further apart than the limit cannot be within it.
        if c == name || c.chars().count().abs_diff(len) > limit {
            continue;
        }
        let d = strsim::damerau_levenshtein(c, name);
        if d > limit {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, c));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(_, c)| c) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_name_and_a_tie_finds_none() {
        let names = ["storefront", "checkout", "cart"];
        assert_eq!(nearest(names, "storefornt"), Some("storefront"));
        assert_eq!(nearest(names, "checkut"), Some("checkout"));
        assert_eq!(nearest(names, "payments"), None);
        assert_eq!(nearest(["web-a", "web-b"], "web-c"), None);
        assert_eq!(nearest(["ab"], "ac"), None);
    }
}
