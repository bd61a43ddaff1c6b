//! Kubernetes label selectors (`matchLabels` + `matchExpressions`) evaluated against labels.

use crate::load::tree::Node;

/// Result of evaluating a selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    /// The selector reads labels we do not know (object not in the input).
    Unknown,
}

/// Evaluates `selector` against `labels`. `complete` says whether `labels` are all the object's
/// labels (a Namespace manifest) or only the ones always present (`kubernetes.io/metadata.name`).
pub fn matches(selector: &Node, labels: &[(&str, &str)], complete: bool) -> Match {
    let get = |k: &str| labels.iter().find(|(lk, _)| *lk == k).map(|(_, v)| *v);
    let mut unknown = false;
    if let Some(ml) = selector.get("matchLabels").and_then(Node::as_map) {
        for (k, v) in ml {
            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                return Match::No;
            };
            match get(k) {
                Some(have) if have == v => {}
                Some(_) => return Match::No,
                None if complete => return Match::No,
                None => unknown = true,
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Node::as_seq) {
        for e in exprs {
            let key = e.get("key").and_then(Node::as_str).unwrap_or("");
            let op = e.get("operator").and_then(Node::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Node::as_seq)
                .map(|vs| vs.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            let have = get(key);
            if have.is_none() && !complete {
                unknown = true;
                continue;
            }
            let ok = match op {
                "In" => have.is_some_and(|h| values.contains(&h)),
                "NotIn" => have.is_none_or(|h| !values.contains(&h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            };
            if !ok {
                return Match::No;
            }
        }
    }
    if unknown { Match::Unknown } else { Match::Yes }
}
