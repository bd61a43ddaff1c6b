//! cert-manager ACME semantics (domain §4.6): which solver serves a name. Zones live in
//! `graph::dns`.

use crate::config::Config;
use crate::model::certmanager::{Issuer, Solver};

/// The solver cert-manager picks for `name` (§4.6 precedence): a `selector.dnsNames` match beats
/// the most specific `selector.dnsZones` match, which beats a solver without name selectors;
/// ties go to more matching labels, then list order. `None` when no solver matches.
pub fn select_solver<'i>(
    issuer: &'i Issuer,
    cert_labels: &[(&str, &str)],
    name: &str,
) -> Option<(usize, &'i Solver)> {
    let acme = issuer.acme.as_ref()?;
    let name = name.to_ascii_lowercase();
    let mut best: Option<((u8, usize, usize), usize)> = None;
    for (i, s) in acme.solvers.iter().enumerate() {
        let score = match &s.selector {
            None => (0, 0, 0),
            Some(sel) => {
                let labels_ok = sel
                    .match_labels
                    .iter()
                    .all(|(k, v)| cert_labels.iter().any(|(ck, cv)| ck == k && cv == v));
                if !labels_ok {
                    continue;
                }
                let labels = sel.match_labels.len();
                if sel
                    .dns_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&name) || crate::model::read::unresolved(n))
                {
                    (2, 0, labels)
                } else if let Some(zone) = sel
                    .dns_zones
                    .iter()
                    .filter(|z| in_zone(&name, z))
                    .max_by_key(|z| z.len())
                {
                    (1, zone.len(), labels)
                } else if sel.dns_names.is_empty() && sel.dns_zones.is_empty() {
                    (0, 0, labels)
                } else {
                    continue;
                }
            }
        };
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    best.map(|(_, i)| (i, &acme.solvers[i]))
}

/// `name` equals `zone` or lies below it (wildcards count as their suffix).
pub fn in_zone(name: &str, zone: &str) -> bool {
    // An undefined Flux variable could be anything: never call it outside a zone.
    if crate::model::read::unresolved(name) || crate::model::read::unresolved(zone) {
        return true;
    }
    let name = name
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    name == zone || name.ends_with(&format!(".{zone}"))
}

/// Whether an ACME directory belongs to a public CA.
pub fn is_public_acme(cfg: &Config, server: &str) -> bool {
    let s = server.trim_end_matches('/');
    crate::config::PUBLIC_ACME_SERVERS
        .iter()
        .map(|p| p.trim_end_matches('/'))
        .chain(
            cfg.public_acme_servers
                .iter()
                .map(|p| p.trim_end_matches('/')),
        )
        .any(|p| p.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_hold_names_and_subnames() {
        assert!(in_zone("app.internal.example.com", "internal.example.com"));
        assert!(in_zone("internal.example.com", "internal.example.com"));
        assert!(in_zone("*.internal.example.com", "internal.example.com"));
        assert!(!in_zone("xinternal.example.com", "internal.example.com"));
    }
}
