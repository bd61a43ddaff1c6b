//! Hostname matching (domain R2.4) and certificate coverage (R2.10), in one place.
//!
//! Gateway API wildcards (`*.example.com`) match one or more labels and never the bare suffix; an
//! absent hostname is the universal pattern. Certificate wildcards match exactly one label.

/// A hostname pattern: `None` is the universal pattern (no hostname set).
pub type Pattern<'a> = Option<&'a str>;

fn lower(h: &str) -> String {
    h.trim_end_matches('.').to_ascii_lowercase()
}

/// A hostname holding a placeholder (a Flux variable nobody defined, a Helm template a chart
/// renders): its value is unknown, so it is never reported as mismatching anything.
fn unknown(h: &str) -> bool {
    crate::model::read::unresolved(h)
}

/// Whether pattern `p` covers host (or wildcard) `h`, with Gateway API semantics.
pub fn covers(p: &str, h: &str) -> bool {
    if unknown(p) || unknown(h) {
        return true;
    }
    let (p, h) = (lower(p), lower(h));
    if p == "*" {
        return true;
    }
    match p.strip_prefix("*.") {
        Some(suffix) => match h.strip_prefix("*.") {
            Some(hs) => hs == suffix || hs.ends_with(&format!(".{suffix}")),
            None => h.len() > suffix.len() + 1 && h.ends_with(&format!(".{suffix}")),
        },
        None => p == h,
    }
}

/// The intersection of a listener hostname and one route hostname (R2.4.1), lower-cased.
pub fn intersect(listener: Pattern, route: Pattern) -> Option<String> {
    match (listener, route) {
        (None, None) => Some("*".into()),
        (None, Some(r)) => Some(lower(r)),
        (Some(l), None) => Some(lower(l)),
        (Some(l), Some(r)) if unknown(l) => Some(lower(r)),
        (Some(l), Some(r)) if unknown(r) => Some(lower(l)),
        (Some(l), Some(r)) => {
            let (l, r) = (lower(l), lower(r));
            let lw = l.starts_with("*.");
            let rw = r.starts_with("*.");
            match (lw, rw) {
                (false, false) => (l == r).then_some(l),
                (true, false) => covers(&l, &r).then_some(r),
                (false, true) => covers(&r, &l).then_some(l),
                (true, true) => {
                    if covers(&l, &r) {
                        Some(r)
                    } else if covers(&r, &l) {
                        Some(l)
                    } else {
                        None
                    }
                }
            }
        }
    }
}

/// The hostnames a listener serves for a route: ∪ I(L, r) over the route's hostnames, or the
/// listener's own pattern when the route has none (R2.4.3). Empty means no intersection.
pub fn intersections(listener: Pattern, route_hostnames: &[&str]) -> Vec<String> {
    if route_hostnames.is_empty() {
        return vec![listener.map(lower).unwrap_or_else(|| "*".into())];
    }
    let mut out: Vec<String> = route_hostnames
        .iter()
        .filter_map(|r| intersect(listener, Some(r)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether certificate name `name` (dnsName or CN) covers host `host` (R2.10.1): equal, or a
/// wildcard whose `*` stands for exactly one label.
pub fn cert_covers(name: &str, host: &str) -> bool {
    if unknown(name) || unknown(host) {
        return true;
    }
    let (n, h) = (lower(name), lower(host));
    if n == h {
        return true;
    }
    match n.strip_prefix("*.") {
        Some(suffix) => match h.split_once('.') {
            Some((first, rest)) => !first.is_empty() && first != "*" && rest == suffix,
            None => false,
        },
        None => false,
    }
}

/// Listener selection precedence on a shared port (R2.4.4): higher is more specific.
pub fn specificity(p: Pattern) -> (u8, usize) {
    match p {
        None => (0, 0),
        Some(h) if h.starts_with("*.") => (1, h.matches('.').count()),
        Some(h) => (2, h.len()),
    }
}

/// Whether a value is an IP address, which hostnames must not be (R2.4.5).
pub fn is_ip(h: &str) -> bool {
    h.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wildcards_match_one_or_more_labels_but_not_the_suffix() {
        assert!(covers("*.example.com", "a.example.com"));
        assert!(covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(covers("*.com", "*.example.com"));
        assert!(!covers("*.example.com", "*.com"));
        assert!(covers("*", "anything.test"));
        assert!(covers("Example.COM", "example.com"));
    }

    #[test]
    fn intersection_table() {
        assert_eq!(intersect(None, Some("a.com")).as_deref(), Some("a.com"));
        assert_eq!(intersect(Some("*.a.com"), None).as_deref(), Some("*.a.com"));
        assert_eq!(
            intersect(Some("x.a.com"), Some("x.a.com")).as_deref(),
            Some("x.a.com")
        );
        assert_eq!(intersect(Some("x.a.com"), Some("y.a.com")), None);
        assert_eq!(
            intersect(Some("*.a.com"), Some("x.y.a.com")).as_deref(),
            Some("x.y.a.com")
        );
        assert_eq!(
            intersect(Some("x.a.com"), Some("*.a.com")).as_deref(),
            Some("x.a.com")
        );
        assert_eq!(
            intersect(Some("*.com"), Some("*.a.com")).as_deref(),
            Some("*.a.com")
        );
        assert_eq!(intersect(Some("*.a.com"), Some("*.b.com")), None);
        assert_eq!(intersect(Some("*.a.com"), Some("a.com")), None);
    }

    #[test]
    fn certificate_wildcards_cover_one_label() {
        assert!(cert_covers("*.a.com", "x.a.com"));
        assert!(!cert_covers("*.a.com", "x.y.a.com"));
        assert!(!cert_covers("*.a.com", "a.com"));
        assert!(cert_covers("x.a.com", "X.A.COM"));
    }

    fn label() -> impl Strategy<Value = String> {
        "[a-c]{1,2}"
    }

    fn host() -> impl Strategy<Value = String> {
        (prop::collection::vec(label(), 1..4), any::<bool>()).prop_map(|(labels, wild)| {
            let h = labels.join(".");
            if wild { format!("*.{h}") } else { h }
        })
    }

    proptest! {
        #[test]
        fn intersection_is_symmetric(a in host(), b in host()) {
            prop_assert_eq!(intersect(Some(&a), Some(&b)), intersect(Some(&b), Some(&a)));
        }

        #[test]
        fn intersection_is_covered_by_both(a in host(), b in host()) {
            if let Some(i) = intersect(Some(&a), Some(&b)) {
                prop_assert!(covers(&a, &i) || a == i);
                prop_assert!(covers(&b, &i) || b == i);
            }
        }

        #[test]
        fn precise_host_intersects_iff_covered(a in host(), b in "[a-c]{1,2}(\\.[a-c]{1,2}){0,3}") {
            prop_assert_eq!(intersect(Some(&a), Some(&b)).is_some(), covers(&a, &b));
        }

        #[test]
        fn universal_pattern_is_identity(a in host()) {
            prop_assert_eq!(intersect(None, Some(&a)), Some(a.clone()));
            prop_assert_eq!(intersect(Some(&a), None), Some(a));
        }

        #[test]
        fn cert_coverage_is_narrower_than_attachment(n in host(), h in "[a-c]{1,2}(\\.[a-c]{1,2}){0,3}") {
            if cert_covers(&n, &h) {
                prop_assert!(covers(&n, &h));
            }
        }
    }
}
