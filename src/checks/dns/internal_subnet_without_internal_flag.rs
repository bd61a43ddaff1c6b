//! DNS310: `azure-load-balancer-internal-subnet` without `azure-load-balancer-internal: "true"`.

use crate::checks::{Check, Ctx};
use crate::diagnostic::Diagnostic;
use crate::graph::dns::{LB_INTERNAL, LB_INTERNAL_SUBNET};
use crate::model::{Object, Spec};
use crate::source::Sp;
use crate::source::Text;

pub struct Rule;

type Annotations<'a> = Vec<(&'a Sp<Text>, &'a Sp<Text>)>;

fn check(rule: &'static str, o: &Object, annotations: &Annotations, out: &mut Vec<Diagnostic>) {
    let Some((subnet, _)) = annotations.iter().find(|(k, _)| k.v == LB_INTERNAL_SUBNET) else {
        return;
    };
    let internal = annotations.iter().find(|(k, _)| k.v == LB_INTERNAL);
    if internal.is_some_and(|(_, v)| v.v.eq_ignore_ascii_case("true")) {
        return;
    }
    let mut d = Diagnostic::new(
        rule,
        subnet.span,
        format!(
            "{}: `{LB_INTERNAL_SUBNET}` is set but `{LB_INTERNAL}` is not \"true\": Azure ignores the subnet and creates a public load balancer",
            o.key
        ),
    )
    .label("subnet of a load balancer that is not internal")
    .help(format!("add `{LB_INTERNAL}: \"true\"` next to it"))
    .on(o);
    if let Some((k, v)) = internal {
        d = d.related(k.span, format!("set to `{}`", v.v));
    }
    out.push(d);
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        "DNS310"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        let g = cx.graph;
        for o in g.objects {
            if matches!(o.spec, Spec::Service(_)) {
                let a: Annotations = o.meta.annotations.iter().map(|(k, v)| (k, v)).collect();
                check(self.id(), o, &a, out);
            }
        }
        for (gw, lb) in &g.dns.lbs {
            if lb.managed {
                check(self.id(), g.obj(*gw), &lb.effective, out);
            }
        }
    }
}
