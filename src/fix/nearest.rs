//! The nearest existing name to a dangling reference's, for "did you mean" fixes.

use std::collections::HashMap;

use crate::model::Object;

/// Candidates past which no nearest name is looked for.
pub const MAX_CANDIDATES: usize = 256;

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

    /// The one name in `namespace` that `name` is a typo of (see [`nearest`]).
    pub fn nearest(&self, namespace: &str, name: &str) -> Option<&'m str> {
        nearest(self.by_ns.get(namespace)?.iter().copied(), name)
    }
}

/// The one candidate `name` is a typo of: one edit away (a character added, dropped, changed,
/// or two swapped), for names of four characters or more, and no other candidate as close.
/// Names that differ only in their digits (`svc1`, `svc2`; `foo-v1`, `foo-v2`) are different
/// things, not typos; two edits already turn `ls-listener` into `gw-listener` on the corpus.
pub fn nearest<'a>(candidates: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    let len = name.chars().count();
    if len < 4 {
        return None;
    }
    // A crowded list (thousands of listeners or Services) gets no suggestion: each of its
    // thousands of findings would otherwise compare its name with all of them.
    let candidates: Vec<&str> = candidates.into_iter().take(MAX_CANDIDATES + 1).collect();
    if candidates.len() > MAX_CANDIDATES {
        return None;
    }
    let limit = 1;
    let letters = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    let own_letters = letters(name);
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for c in candidates {
        // Cheap bound first: lengths further apart than the limit cannot be within it.
        if c == name || c.chars().count().abs_diff(len) > limit {
            continue;
        }
        let d = strsim::damerau_levenshtein(c, name);
        if d > limit || letters(c) == own_letters {
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
        assert_eq!(nearest(["svc1", "svc3"], "svc2"), None);
        assert_eq!(nearest(["foo-v1"], "foo-v2"), None);
        let crowd: Vec<String> = (0..=MAX_CANDIDATES).map(|i| format!("svc-{i}")).collect();
        let mut crowd: Vec<&str> = crowd.iter().map(String::as_str).collect();
        crowd.push("storefront");
        assert_eq!(nearest(crowd, "storefornt"), None);
        assert_eq!(
            nearest(["gw-dual-listener"], "ls-dual-listener"),
            None,
            "two edits are a different name"
        );
    }
}
