//! Istio networking: Gateway and VirtualService.

use super::read::Reader;
use crate::load::tree::Node;
use crate::source::Sp;
use crate::source::Text;

#[derive(Clone, Debug)]
pub struct VirtualService {
    pub gateways: Vec<Sp<Text>>,
    pub hosts: Vec<Sp<Text>>,
}

impl VirtualService {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        VirtualService {
            gateways: r.str_list(spec, "gateways"),
            hosts: r.str_list(spec, "hosts"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct IstioGateway {
    pub credential_names: Vec<Sp<Text>>,
}

impl IstioGateway {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        let mut credential_names = Vec::new();
        for server in r.maps(spec, "servers") {
            if let Some(tls) = r.map(server, "tls") {
                credential_names.extend(r.str(tls, "credentialName"));
                credential_names.extend(r.str_list(tls, "credentialNames"));
            }
        }
        IstioGateway { credential_names }
    }
}

/// `install.istio.io` IstioOperator: the control-plane revision it installs.
#[derive(Clone, Debug)]
pub struct IstioOperator {
    /// `spec.revision`; absent is the default revision.
    pub revision: Option<Sp<Text>>,
}

impl IstioOperator {
    pub fn read(r: &mut Reader, spec: &Node) -> Self {
        IstioOperator {
            revision: r.str(spec, "revision"),
        }
    }
}
