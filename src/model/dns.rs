//! DNS zones declared in manifests (Azure Service Operator).

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::Sp;

#[derive(Clone, Debug)]
pub struct DnsZone {
    /// `spec.azureName`, else `metadata.name` (filled by the model).
    pub azure_name: Option<Sp<String>>,
    pub private: bool,
}

impl DnsZone {
    pub fn read(r: &mut Reader, spec: &Node, private: bool) -> Self {
        DnsZone {
            azure_name: r.str(spec, "azureName"),
            private,
        }
    }
}
