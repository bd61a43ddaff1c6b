//! DNS306: an A record in an Azure Private DNS zone points outside the private address ranges.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::dns::is_private_ipv4;
use crate::model::Spec;

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS306"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for rec in &g.dns.records {
            let o = g.obj(rec.obj);
            if !matches!(&o.spec, Spec::DnsRecord(r) if r.private) {
                continue;
            }
            for ip in &rec.ipv4 {
                let Ok(addr) = ip.v.trim().parse::<std::net::Ipv4Addr>() else {
                    continue;
                };
                if is_private_ipv4(&addr) {
                    continue;
                }
                let name = rec.fqdn.as_deref().unwrap_or(&o.key.name);
                out.push(
                    Diagnostic::new(
                        self.id(),
                        ip.span,
                        format!(
                            "{}: the private-zone record `{name}` points at {}, which is not a private address (10/8, 172.16/12, 192.168/16, 100.64/10): inside the virtual network the name leads to a public endpoint",
                            o.key, ip.v
                        ),
                    )
                    .label("public IP in a private zone")
                    .help("point the record at the private frontend (an internal load balancer or private endpoint IP)")
                    .on(o),
                );
            }
        }
    }
}
