//! The `crowded` shape: a repository whose references all meet in a few places, the worst case
//! for any rule that scans instead of looking up. As the corpus grows, so do the crowds:
//!
//! * one Gateway with 16 HTTPS listeners, and every HTTPRoute of the repository in one
//!   namespace attached to it, each crossing into one backend namespace;
//! * one ReferenceGrant per backend Service, all in that namespace and all from the routes'
//!   namespace;
//! * Gateways in one namespace that all serve one name with one Secret, and as many A records
//!   for that name, each pointing at one of those Gateways;
//! * ExternalSecrets in one namespace using one ClusterSecretStore.
//!
//! Broken on purpose, about 1% each: parentRefs without the Gateway's namespace (GW101, with a
//! Gateway of that name elsewhere), backendRefs to missing Services (GW108), and ExternalSecrets
//! naming a SecretStore that exists only in other namespaces (SEC402).

use std::fmt::Write as _;
use std::path::Path;

use super::{CorpusInfo, D_BACKEND, D_PARENT, D_STORE, Rng};

const LISTENERS: usize = 16;
/// Documents per file.
const PER_FILE: usize = 10;

struct Writer<'a> {
    root: &'a Path,
    info: CorpusInfo,
}

impl Writer<'_> {
    /// Writes `docs` into numbered files of `PER_FILE` documents under `dir`.
    fn write_all(&mut self, dir: &str, docs: &[String]) -> std::io::Result<()> {
        let dir = self.root.join(dir);
        std::fs::create_dir_all(&dir)?;
        for (k, chunk) in docs.chunks(PER_FILE).enumerate() {
            let text = chunk.join("---\n");
            self.info.files += 1;
            self.info.docs += chunk.len();
            self.info.bytes += text.len();
            std::fs::write(dir.join(format!("{k:05}.yaml")), text)?;
        }
        Ok(())
    }
}

pub fn generate(root: &Path, docs: usize, seed: u64) -> std::io::Result<CorpusInfo> {
    let mut rng = Rng::new(seed);
    let mut w = Writer {
        root,
        info: CorpusInfo::default(),
    };
    let unit = (docs / 10).max(LISTENERS);
    let services = unit;
    let edge = unit / 2;
    let secrets = unit;

    let mut platform = Vec::new();
    let mut gw = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: shared\n  namespace: infra\nspec:\n  gatewayClassName: istio\n  infrastructure:\n    annotations:\n      service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"\n  listeners:\n",
    );
    for l in 0..LISTENERS {
        let _ = write!(
            gw,
            "  - name: l{l}\n    protocol: HTTPS\n    port: 443\n    hostname: h{l}.apps.internal.example.com\n    tls:\n      certificateRefs:\n      - name: tls-{l}\n    allowedRoutes:\n      namespaces:\n        from: All\n"
        );
    }
    platform.push(gw);
    for l in 0..LISTENERS {
        platform.push(format!(
            "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: tls-{l}\n  namespace: infra\nspec:\n  secretName: tls-{l}\n  dnsNames:\n  - h{l}.apps.internal.example.com\n  issuerRef:\n    name: internal-ca\n    kind: ClusterIssuer\n"
        ));
    }
    platform.push(
        "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: internal-ca\nspec:\n  ca:\n    secretName: internal-root-ca\n".into(),
    );
    platform.push(
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: edge-tls\n  namespace: edge\nspec:\n  secretName: edge-tls\n  dnsNames:\n  - www.internal.example.com\n  issuerRef:\n    name: internal-ca\n    kind: ClusterIssuer\n".into(),
    );
    platform.push(
        "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: platform\nspec:\n  provider:\n    azurekv:\n      authType: WorkloadIdentity\n      vaultUrl: \"https://kv-platform.vault.azure.net\"\n      serviceAccountRef:\n        name: external-secrets\n        namespace: external-secrets\n".into(),
    );
    platform.push(
        "apiVersion: network.azure.com/v1api20200601\nkind: PrivateDnsZone\nmetadata:\n  name: internal.example.com\n  namespace: infra\nspec:\n  location: global\n  owner:\n    name: rg-dns\n".into(),
    );
    platform.push(
        "apiVersion: network.azure.com/v1api20200601\nkind: PrivateDnsZonesVirtualNetworkLink\nmetadata:\n  name: internal-link\n  namespace: infra\nspec:\n  location: global\n  owner:\n    name: internal.example.com\n  registrationEnabled: false\n  virtualNetwork:\n    armId: /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet\n".into(),
    );
    platform.push(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: external-secrets\n  namespace: external-secrets\n  annotations:\n    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000\n".into(),
    );
    for ns in [
        "infra",
        "apps",
        "backends",
        "edge",
        "secrets",
        "external-secrets",
    ] {
        platform.push(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        ));
    }
    for k in 0..4 {
        platform.push(format!(
            "apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: vault\n  namespace: vault-{k}\nspec:\n  provider:\n    azurekv:\n      vaultUrl: \"https://kv-{k}.vault.azure.net\"\n"
        ));
    }
    w.write_all("platform", &platform)?;

    // Backends: a Service and a ReferenceGrant for each, all in one namespace.
    let mut backends = Vec::with_capacity(services * 2);
    for s in 0..services {
        backends.push(format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{s}\n  namespace: backends\nspec:\n  ports:\n  - name: http\n    port: 8080\n"
        ));
        backends.push(format!(
            "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: from-apps-{s}\n  namespace: backends\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    namespace: apps\n  to:\n  - group: \"\"\n    kind: Service\n    name: svc-{s}\n"
        ));
    }
    w.write_all("backends", &backends)?;

    // Edge: Gateways that all serve one name with one Secret, and an A record for each.
    let mut edges = Vec::with_capacity(edge * 2);
    for e in 0..edge {
        let ip = format!("10.{}.{}.{}", 1 + e / 62_500, (e / 250) % 250, e % 250);
        edges.push(format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: edge-{e}\n  namespace: edge\n  annotations:\n    service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"\nspec:\n  gatewayClassName: istio\n  addresses:\n  - value: {ip}\n  listeners:\n  - name: https\n    protocol: HTTPS\n    port: 443\n    hostname: www.internal.example.com\n    tls:\n      certificateRefs:\n      - name: edge-tls\n"
        ));
        edges.push(format!(
            "apiVersion: network.azure.com/v1api20200601\nkind: PrivateDnsZonesARecord\nmetadata:\n  name: www-{e}\n  namespace: infra\nspec:\n  azureName: www\n  owner:\n    name: internal.example.com\n  ttl: 300\n  aRecords:\n  - ipv4Address: {ip}\n"
        ));
    }
    w.write_all("edge", &edges)?;

    // ExternalSecrets, all in one namespace.
    let mut ess = Vec::with_capacity(secrets);
    for s in 0..secrets {
        let broken = rng.chance(0.01) || s == 0;
        if broken {
            w.info.defects[D_STORE] += 1;
        }
        let store = if broken {
            "    name: vault\n    kind: SecretStore\n"
        } else {
            "    name: platform\n    kind: ClusterSecretStore\n"
        };
        ess.push(format!(
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: es-{s}\n  namespace: secrets\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n{store}  target:\n    name: app-{s}\n  data:\n  - secretKey: password\n    remoteRef:\n      key: app-{s}-password\n"
        ));
    }
    w.write_all("secrets", &ess)?;

    // Routes fill the rest: all in one namespace, all on the shared Gateway.
    let routes = docs.saturating_sub(w.info.docs).max(1);
    let mut rs = Vec::with_capacity(routes);
    for r in 0..routes {
        let l = r % LISTENERS;
        let parent = if rng.chance(0.005) || r == 0 {
            w.info.defects[D_PARENT] += 1;
            format!("  - name: shared\n    sectionName: l{l}\n")
        } else {
            format!("  - name: shared\n    namespace: infra\n    sectionName: l{l}\n")
        };
        let backend = if rng.chance(0.01) || r == 1 {
            w.info.defects[D_BACKEND] += 1;
            format!("missing-{r}")
        } else {
            format!("svc-{}", rng.below(services))
        };
        rs.push(format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: route-{r}\n  namespace: apps\nspec:\n  parentRefs:\n{parent}  hostnames:\n  - h{l}.apps.internal.example.com\n  rules:\n  - matches:\n    - path:\n        type: PathPrefix\n        value: /r{r}\n    backendRefs:\n    - name: {backend}\n      namespace: backends\n      port: 8080\n"
        ));
    }
    w.write_all("apps", &rs)?;
    Ok(w.info)
}
