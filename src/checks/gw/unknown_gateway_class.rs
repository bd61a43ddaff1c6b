//! GW112: a Gateway's gatewayClassName is neither in the input nor a known class.

use crate::checks::{Check, Ctx};
use crate::config::BUILTIN_GATEWAY_CLASSES;
use crate::diagnostic::Diagnostic;
use crate::graph::{RefKind, Resolution};

pub struct Rule;

impl Check for Rule {
    fn id(&self) -> &'static str {
        "GW112"
    }

    fn run(&self, cx: &Ctx, out: &mut Vec<Diagnostic>) {
        for r in &cx.graph.refs {
            if r.kind != RefKind::GatewayClass || r.resolution != Resolution::Missing {
                continue;
            }
            let from = cx.obj(r.from);
            let d = Diagnostic::new(
                self.id(),
                r.span,
                format!(
                    "{}: GatewayClass `{}` is not in the repository and is not a known class",
                    super::describe(from),
                    r.target.name
                ),
            )
            .label("unknown GatewayClass")
            .help(format!(
                "known classes: {} and the default classes of other implementations (`gwlint explain GW112`); if `{}` is installed in the cluster, add it to `externals.gatewayClasses` in .gwlint.yaml",
                BUILTIN_GATEWAY_CLASSES.join(", "),
                r.target.name
            ))
            .on(from);
            out.push(d);
        }
    }
}
