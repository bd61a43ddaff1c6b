//! Pipeline benchmark: how much the full linter costs on top of parsing the YAML.
//!
//! Generates (or reuses) a seeded synthetic repository of Gateway API, cert-manager, External
//! Secrets and Azure Service Operator manifests, then measures on the same files, with a warm page
//! cache:
//!
//! * parse-only: `gwlint::parse_only` (discover + read + YAML parse, same parallelism);
//! * end-to-end: `gwlint::lint` (discover, load, model, graph, checks);
//! * peak RSS of each mode, each in a fresh child process (this binary re-executed with
//!   `--child parse|lint <dir>`).
//!
//! Run with `cargo bench --bench pipeline [-- OPTIONS]`; `--help` lists the options.

use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

#[path = "pipeline/crowded.rs"]
mod crowded;

/// Bumped whenever the generator's output changes, so stale corpora are rebuilt.
const GENERATOR_VERSION: u32 = 8;
const MARKER: &str = ".gwlint-bench-corpus";
const DEFAULT_DOCS: usize = 20_000;
/// "gwlint" in ASCII (113762617618036).
const DEFAULT_SEED: u64 = 0x6777_6c69_6e74;
const DEFAULT_RUNS: usize = 5;
/// Ratio end-to-end / parse-only the pipeline is meant to stay under.
const TARGET_RATIO: f64 = 1.30;

const USAGE: &str = "\
usage: cargo bench --bench pipeline [-- OPTIONS]

  --docs N          documents in the generated corpus (default 20000; k/m suffixes allowed)
  --sizes N,N,...   run several corpus sizes and print how time per document grows
  --seed S          generator seed (default 113762617618036)
  --runs N          timed runs per mode, best reported (default 5, after one warm-up)
  --shape S         realistic (default) or crowded: every reference meets in a few places
  --dir PATH        corpus directory (default target/bench-corpus/[crowded-]<docs>; one size only)
  --regen           regenerate the corpus even if a matching one exists
  --no-mem          skip the peak-memory child processes
  -h, --help        this text";

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough to make a corpus look varied.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// YAML emitter
// ---------------------------------------------------------------------------------------------

/// Block-style YAML writer. `seq` is the extra indentation of sequence items under their key
/// (0: `key:\n- a`, 2: `key:\n  - a`); real repositories use both.
struct Y {
    s: String,
    ind: usize,
    seq: usize,
    dash: bool,
    docs: usize,
    leading_marker: bool,
}

impl Y {
    fn new(rng: &mut Rng) -> Y {
        Y {
            s: String::with_capacity(4096),
            ind: 0,
            seq: if rng.chance(0.6) { 2 } else { 0 },
            dash: false,
            docs: 0,
            leading_marker: rng.chance(0.2),
        }
    }

    fn pad(&mut self, n: usize) {
        self.s.extend(std::iter::repeat_n(' ', n));
    }

    /// Starts a document (writes the `---` separator when needed).
    fn doc(&mut self) {
        if self.docs > 0 || self.leading_marker {
            self.s.push_str("---\n");
        }
        self.docs += 1;
    }

    fn line(&mut self, text: &str) {
        if self.dash {
            self.pad(self.ind - 2);
            self.s.push_str("- ");
            self.dash = false;
        } else {
            self.pad(self.ind);
        }
        self.s.push_str(text);
        self.s.push('\n');
    }

    fn kv(&mut self, k: &str, v: impl Display) {
        let t = format!("{k}: {v}");
        self.line(&t);
    }

    /// A key with a trailing comment.
    fn kvc(&mut self, k: &str, v: impl Display, comment: &str) {
        let t = format!("{k}: {v}  # {comment}");
        self.line(&t);
    }

    /// A comment line; before a sequence item's first key it sits at the dash's column.
    fn comment(&mut self, c: &str) {
        let n = if self.dash { self.ind - 2 } else { self.ind };
        self.pad(n);
        self.s.push_str("# ");
        self.s.push_str(c);
        self.s.push('\n');
    }

    fn map(&mut self, k: &str, f: impl FnOnce(&mut Y)) {
        self.line(&format!("{k}:"));
        self.ind += 2;
        f(self);
        self.ind -= 2;
    }

    fn list<T>(&mut self, k: &str, items: &[T], mut f: impl FnMut(&mut Y, &T)) {
        self.line(&format!("{k}:"));
        self.ind += self.seq + 2;
        for it in items {
            self.dash = true;
            f(self, it);
        }
        self.ind -= self.seq + 2;
    }

    fn strs(&mut self, k: &str, items: &[String]) {
        self.line(&format!("{k}:"));
        for it in items {
            self.pad(self.ind + self.seq);
            self.s.push_str("- ");
            self.s.push_str(it);
            self.s.push('\n');
        }
    }

    fn header(&mut self, api_version: &str, kind: &str) {
        self.kv("apiVersion", api_version);
        self.kv("kind", kind);
    }

    fn meta(&mut self, name: &str, ns: Option<&str>, labels: &[(&str, &str)]) {
        self.map("metadata", |y| {
            y.kv("name", name);
            if let Some(ns) = ns {
                y.kv("namespace", ns);
            }
            if !labels.is_empty() {
                y.map("labels", |y| {
                    for (k, v) in labels {
                        y.kv(k, v);
                    }
                });
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus generator
// ---------------------------------------------------------------------------------------------

const TEAMS: &[&str] = &[
    "payments",
    "identity",
    "search",
    "checkout",
    "catalog",
    "media",
    "billing",
    "devtools",
    "analytics",
    "messaging",
];
const APPS: &[&str] = &[
    "ledger",
    "profile",
    "orders",
    "inventory",
    "pricing",
    "notify",
    "reports",
    "auth",
    "cart",
    "portal",
    "assets",
    "stream",
    "ingest",
    "export",
    "rates",
    "tracker",
    "vault",
    "feeds",
];
const SERVICES: &[&str] = &[
    "api",
    "web",
    "admin",
    "frontend",
    "events",
    "webhooks",
    "docs",
    "status",
    "backoffice",
    "uploads",
    "graphql",
    "callbacks",
];
const CLUSTER_ISSUERS: &[&str] = &["letsencrypt-prod", "internal-ca"];
const HEADER_COMMENTS: &[&str] = &[
    "Managed by Flux; changes made outside Git are reverted.",
    "Do not edit by hand in the cluster: open a pull request instead.",
    "Reviewed by the platform team on every change.",
    "Generated once from the service template, then edited by the team.",
];

/// Injected defects, by the rule expected to report them.
const DEFECT_RULES: [&str; 6] = ["GW101", "GW102", "GW108", "GW109", "TLS210", "SEC402"];
const D_PARENT: usize = 0;
const D_SECTION: usize = 1;
const D_BACKEND: usize = 2;
const D_PORT: usize = 3;
const D_ISSUER: usize = 4;
const D_STORE: usize = 5;

#[derive(Clone, Debug, Default)]
struct CorpusInfo {
    docs: usize,
    files: usize,
    bytes: usize,
    defects: [usize; 6],
}

struct Gen {
    rng: Rng,
    root: PathBuf,
    info: CorpusInfo,
    /// One defect of each kind is forced early so that even small corpora have all of them.
    pending: [bool; 6],
}

struct Listener {
    name: String,
    port: u16,
    https: bool,
    host: String,
    secret: Option<String>,
}

struct Svc {
    name: String,
    port: u16,
    grpc: bool,
}

/// A route's parentRef.
struct Parent {
    name: String,
    namespace: Option<String>,
    section: Option<String>,
    port: Option<u16>,
}

/// What the next namespace may reference in the previous one.
struct Shared {
    ns: String,
    gateway: String,
    domain: String,
    service: String,
    port: u16,
}

fn ns_parts(i: usize) -> (&'static str, &'static str, String) {
    let team = TEAMS[i % TEAMS.len()];
    let app = APPS[(i * 7 + i / 13) % APPS.len()];
    (team, app, format!("{team}-{app}-{i}"))
}

fn quote(rng: &mut Rng, s: &str) -> String {
    if rng.chance(0.3) {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

impl Gen {
    fn defect(&mut self, kind: usize, p: f64) -> bool {
        let hit = std::mem::take(&mut self.pending[kind]) || self.rng.chance(p);
        if hit {
            self.info.defects[kind] += 1;
        }
        hit
    }

    fn write(&mut self, rel: &str, y: Y) -> std::io::Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        debug_assert!((1..=10).contains(&y.docs), "{rel}: {} documents", y.docs);
        self.info.files += 1;
        self.info.docs += y.docs;
        self.info.bytes += y.s.len();
        std::fs::write(path, y.s)
    }

    fn file(&mut self, comment: bool) -> Y {
        let mut y = Y::new(&mut self.rng);
        if comment && self.rng.chance(0.5) {
            let c = *self.rng.pick(HEADER_COMMENTS);
            y.comment(c);
        }
        y
    }

    fn platform(&mut self) -> std::io::Result<()> {
        let mut y = self.file(true);
        for (name, acme) in [
            ("letsencrypt-prod", true),
            ("letsencrypt-staging", true),
            ("internal-ca", false),
        ] {
            y.doc();
            y.header("cert-manager.io/v1", "ClusterIssuer");
            y.meta(name, None, &[]);
            y.map("spec", |y| {
                if acme {
                    y.map("acme", |y| {
                        let server = if name.ends_with("staging") {
                            "https://acme-staging-v02.api.letsencrypt.org/directory"
                        } else {
                            "https://acme-v02.api.letsencrypt.org/directory"
                        };
                        y.kv("server", server);
                        y.kv("email", "platform@example.com");
                        y.map("privateKeySecretRef", |y| {
                            y.kv("name", format!("{name}-account-key"))
                        });
                        y.list("solvers", &[()], |y, _| {
                            y.map("http01", |y| {
                                y.map("gatewayHTTPRoute", |y| {
                                    y.list("parentRefs", &[()], |y, _| {
                                        y.kv("name", "shared-ingress");
                                        y.kv("namespace", "istio-ingress");
                                        y.kv("kind", "Gateway");
                                    });
                                });
                            });
                        });
                    });
                } else {
                    y.map("ca", |y| y.kv("secretName", "internal-root-ca"));
                }
            });
        }
        self.write("platform/cert-manager/cluster-issuers.yaml", y)?;

        let mut y = self.file(true);
        y.doc();
        y.header("external-secrets.io/v1", "ClusterSecretStore");
        y.meta("azure-keyvault", None, &[]);
        y.map("spec", |y| {
            y.map("provider", |y| {
                y.map("azurekv", |y| {
                    y.kv("authType", "WorkloadIdentity");
                    y.kv("vaultUrl", "\"https://kv-platform-shared.vault.azure.net\"");
                    y.map("serviceAccountRef", |y| {
                        y.kv("name", "external-secrets");
                        y.kv("namespace", "external-secrets");
                    });
                });
            });
        });
        self.write("platform/external-secrets/cluster-secret-store.yaml", y)?;

        let mut y = self.file(true);
        for name in [
            "istio-system",
            "istio-ingress",
            "cert-manager",
            "external-secrets",
        ] {
            y.doc();
            y.header("v1", "Namespace");
            y.meta(name, None, &[("app.kubernetes.io/managed-by", "flux")]);
        }
        self.write("platform/namespaces.yaml", y)
    }

    fn namespace(&mut self, i: usize, prev: Option<&Shared>) -> std::io::Result<Option<Shared>> {
        let (team, app, ns) = ns_parts(i);
        let dir = format!("apps/{team}/{ns}");
        let domain = format!("{app}{i}.{team}.example.com");
        let gw = format!("{app}-{i}-gw");
        let shares = self.rng.chance(0.3);
        let (_, _, next_ns) = ns_parts(i + 1);
        let mut resources: Vec<String> = Vec::new();

        // Namespace
        let mut y = self.file(false);
        y.doc();
        y.header("v1", "Namespace");
        y.meta(&ns, None, &[("istio-injection", "enabled"), ("team", team)]);
        self.write(&format!("{dir}/namespace.yaml"), y)?;
        resources.push("namespace.yaml".into());

        // Listeners: HTTP plus 1-3 HTTPS.
        let mut listeners = vec![Listener {
            name: "http".into(),
            port: 80,
            https: false,
            host: format!("*.{domain}"),
            secret: None,
        }];
        let https = self.rng.range(1, 3);
        for (k, sub) in ["", "api", "admin"].iter().take(https).enumerate() {
            let (name, host, slug) = if k == 0 {
                (
                    "https".to_string(),
                    format!("*.{domain}"),
                    format!("{app}{i}-wildcard"),
                )
            } else {
                (
                    format!("https-{sub}"),
                    format!("{sub}.{domain}"),
                    format!("{app}{i}-{sub}"),
                )
            };
            listeners.push(Listener {
                name,
                port: 443,
                https: true,
                host,
                secret: Some(format!("{slug}-tls")),
            });
        }

        // Issuer and secret store, or the cluster-wide ones.
        let own_issuer = self.rng.chance(0.5).then(|| format!("{app}-acme"));
        let own_store = self.rng.chance(0.6).then(|| format!("{ns}-vault"));
        let mut tls_by_eso: Vec<String> = Vec::new();

        // Gateway + Certificates
        let mut y = self.file(true);
        y.doc();
        y.header("gateway.networking.k8s.io/v1", "Gateway");
        y.meta(&gw, Some(&ns), &[("app.kubernetes.io/part-of", app)]);
        let seq_style = self.rng.chance(0.5);
        y.map("spec", |y| {
            y.kv("gatewayClassName", "istio");
            y.list("listeners", &listeners, |y, l| {
                y.kv("name", &l.name);
                y.kv("hostname", format!("\"{}\"", l.host));
                if seq_style {
                    y.kvc(
                        "port",
                        l.port,
                        if l.https {
                            "TLS terminated at the gateway"
                        } else {
                            "redirected to HTTPS"
                        },
                    );
                } else {
                    y.kv("port", l.port);
                }
                y.kv("protocol", if l.https { "HTTPS" } else { "HTTP" });
                if let Some(secret) = &l.secret {
                    y.map("tls", |y| {
                        y.kv("mode", "Terminate");
                        y.list("certificateRefs", &[()], |y, _| {
                            y.kv("kind", "Secret");
                            if seq_style {
                                y.kv("group", "\"\"");
                            }
                            y.kv("name", secret);
                        });
                    });
                }
                y.map("allowedRoutes", |y| {
                    y.map("namespaces", |y| {
                        y.kv("from", if shares { "All" } else { "Same" })
                    });
                });
            });
        });
        for l in listeners.iter().filter(|l| l.https) {
            let secret = l.secret.clone().unwrap_or_default();
            if self.rng.chance(0.15) {
                // This Secret comes from Key Vault instead (written with the ExternalSecrets).
                tls_by_eso.push(secret);
                continue;
            }
            let (issuer, kind) = if self.defect(D_ISSUER, 0.012) {
                (format!("{app}-acme-staging"), "Issuer")
            } else if let Some(own) = &own_issuer {
                (own.clone(), "Issuer")
            } else {
                (self.rng.pick(CLUSTER_ISSUERS).to_string(), "ClusterIssuer")
            };
            // A leading `*` would start an alias: wildcard names are always quoted.
            let host = if l.host.starts_with('*') {
                format!("\"{}\"", l.host)
            } else {
                quote(&mut self.rng, &l.host)
            };
            let explicit_group = self.rng.chance(0.5);
            y.doc();
            y.header("cert-manager.io/v1", "Certificate");
            y.meta(secret.trim_end_matches("-tls"), Some(&ns), &[]);
            y.map("spec", |y| {
                y.kv("secretName", &secret);
                y.kv("duration", "2160h");
                y.kvc("renewBefore", "360h", "15 days");
                y.map("privateKey", |y| {
                    y.kv("algorithm", "ECDSA");
                    y.kv("size", 256);
                });
                y.strs("dnsNames", &[host]);
                y.map("issuerRef", |y| {
                    y.kv("name", &issuer);
                    y.kv("kind", kind);
                    if explicit_group {
                        y.kv("group", "cert-manager.io");
                    }
                });
            });
        }
        let inline_issuer = self.rng.chance(0.5);
        if let (Some(issuer), true) = (&own_issuer, inline_issuer) {
            issuer_doc(&mut y, issuer, &ns, team, &gw);
        }
        self.write(&format!("{dir}/gateway/gateway.yaml"), y)?;
        resources.push("gateway/gateway.yaml".into());

        if let (Some(issuer), false) = (&own_issuer, inline_issuer) {
            let mut y = self.file(true);
            issuer_doc(&mut y, issuer, &ns, team, &gw);
            self.write(&format!("{dir}/gateway/issuer.yaml"), y)?;
            resources.push("gateway/issuer.yaml".into());
        }

        // Services and their routes.
        let mut names: Vec<&str> = SERVICES.to_vec();
        self.rng.shuffle(&mut names);
        let count = self.rng.range(4, 7);
        let services: Vec<Svc> = names[..count]
            .iter()
            .map(|n| Svc {
                name: n.to_string(),
                port: if self.rng.chance(0.6) { 80 } else { 8080 },
                grpc: self.rng.chance(0.25),
            })
            .collect();
        match self.rng.below(5) {
            // services/<name>.yaml: 1-4 Service + Route pairs per file.
            0 | 1 => {
                let mut k = 0;
                while k < services.len() {
                    let n = self.rng.range(1, 4).min(services.len() - k);
                    let mut y = self.file(true);
                    for s in &services[k..k + n] {
                        self.service(&mut y, &ns, app, s);
                        self.route(&mut y, &ns, &domain, &gw, &listeners, s, prev);
                    }
                    let rel = format!("services/{}.yaml", services[k].name);
                    self.write(&format!("{dir}/{rel}"), y)?;
                    resources.push(rel);
                    k += n;
                }
            }
            // services.yaml + routes.yaml.
            2 | 3 => {
                let mut sy = self.file(true);
                let mut ry = self.file(true);
                for s in &services {
                    self.service(&mut sy, &ns, app, s);
                    self.route(&mut ry, &ns, &domain, &gw, &listeners, s, prev);
                }
                self.write(&format!("{dir}/services.yaml"), sy)?;
                self.write(&format!("{dir}/routes.yaml"), ry)?;
                resources.extend(["services.yaml".to_string(), "routes.yaml".to_string()]);
            }
            // workloads/<name>/{service,route}.yaml: one object per file.
            _ => {
                for s in &services {
                    let mut y = self.file(false);
                    self.service(&mut y, &ns, app, s);
                    self.write(&format!("{dir}/workloads/{}/service.yaml", s.name), y)?;
                    let mut y = self.file(true);
                    self.route(&mut y, &ns, &domain, &gw, &listeners, s, prev);
                    self.write(&format!("{dir}/workloads/{}/route.yaml", s.name), y)?;
                    resources.push(format!("workloads/{}", s.name));
                }
            }
        }

        // Secret store and ExternalSecrets.
        let mut y = self.file(true);
        if let Some(store) = &own_store {
            y.doc();
            y.header("external-secrets.io/v1", "SecretStore");
            y.meta(store, Some(&ns), &[]);
            y.map("spec", |y| {
                y.map("provider", |y| {
                    y.map("azurekv", |y| {
                        y.kv("authType", "WorkloadIdentity");
                        y.kv(
                            "vaultUrl",
                            format!("\"https://kv-{app}{i}.vault.azure.net\""),
                        );
                        y.map("serviceAccountRef", |y| y.kv("name", "external-secrets"));
                    });
                });
            });
        }
        let env_count = self.rng.range(1, 2);
        let mut targets: Vec<(String, bool)> = tls_by_eso.into_iter().map(|s| (s, true)).collect();
        targets.extend(
            services
                .iter()
                .take(env_count)
                .map(|s| (format!("{}-env", s.name), false)),
        );
        for (target, tls) in &targets {
            let (store, kind) = if self.defect(D_STORE, 0.015) {
                (format!("{ns}-vault-legacy"), "SecretStore")
            } else {
                match &own_store {
                    Some(s) if self.rng.chance(0.8) => (s.clone(), "SecretStore"),
                    _ => ("azure-keyvault".to_string(), "ClusterSecretStore"),
                }
            };
            // Generator v5 chose v1beta1 half of the time; the draw stays so the rest of the
            // corpus is unchanged, but only v1 is served by current External Secrets (API501).
            let _ = self.rng.chance(0.5);
            y.doc();
            y.header("external-secrets.io/v1", "ExternalSecret");
            y.meta(target, Some(&ns), &[]);
            y.map("spec", |y| {
                y.kv("refreshInterval", "1h");
                y.map("secretStoreRef", |y| {
                    y.kv("name", &store);
                    y.kv("kind", kind);
                });
                y.map("target", |y| {
                    y.kv("name", target);
                    y.kv("creationPolicy", "Owner");
                    if *tls {
                        y.map("template", |y| y.kv("type", "kubernetes.io/tls"));
                    }
                });
                let keys: &[(&str, &str)] = if *tls {
                    &[("tls.crt", "cert"), ("tls.key", "key")]
                } else {
                    &[("DATABASE_URL", "database-url"), ("API_TOKEN", "api-token")]
                };
                y.list("data", keys, |y, (k, remote)| {
                    y.kv("secretKey", k);
                    y.map("remoteRef", |y| {
                        y.kv("key", format!("{app}{i}-{target}-{remote}"))
                    });
                });
            });
        }
        if y.docs > 0 {
            self.write(&format!("{dir}/secrets/external-secrets.yaml"), y)?;
            resources.push("secrets/external-secrets.yaml".into());
        }

        // An occasional literal Secret (a placeholder someone committed).
        if self.rng.chance(0.15) {
            let mut y = self.file(false);
            y.comment("Placeholder values; the real ones are injected by the pipeline.");
            y.doc();
            y.header("v1", "Secret");
            y.meta("basic-auth", Some(&ns), &[]);
            y.kv("type", "Opaque");
            y.map("stringData", |y| {
                y.kv("username", "admin");
                y.kv("password", "\"change-me\"");
            });
            self.write(&format!("{dir}/secrets/basic-auth.yaml"), y)?;
            resources.push("secrets/basic-auth.yaml".into());
        }

        // ReferenceGrant letting the next namespace's routes reach this namespace's Services.
        if shares {
            let mut y = self.file(true);
            y.doc();
            y.header("gateway.networking.k8s.io/v1beta1", "ReferenceGrant");
            y.meta(&format!("allow-routes-from-{next_ns}"), Some(&ns), &[]);
            y.map("spec", |y| {
                y.list("from", &["HTTPRoute", "GRPCRoute"], |y, kind| {
                    y.kv("group", "gateway.networking.k8s.io");
                    y.kv("kind", kind);
                    y.kv("namespace", &next_ns);
                });
                y.list("to", &[()], |y, _| {
                    y.kv("group", "\"\"");
                    y.kv("kind", "Service");
                });
            });
            self.write(&format!("{dir}/referencegrant.yaml"), y)?;
            resources.push("referencegrant.yaml".into());
        }

        // Istio's own APIs beside Gateway API: an Istio Gateway on the AKS add-on's gateway, a
        // VirtualService bound to it with a subset, its DestinationRule, and a mesh
        // VirtualService.
        if self.rng.chance(0.4) {
            let mut y = self.file(true);
            let istio_gw = format!("{app}-{i}-istio");
            let host = format!("istio.{domain}");
            let credential = listeners
                .iter()
                .find_map(|l| l.secret.clone())
                .unwrap_or_default();
            y.doc();
            y.header("networking.istio.io/v1", "Gateway");
            y.meta(&istio_gw, Some(&ns), &[]);
            y.map("spec", |y| {
                y.map("selector", |y| {
                    y.kv("istio", "aks-istio-ingressgateway-external")
                });
                y.list("servers", &[()], |y, _| {
                    y.map("port", |y| {
                        y.kv("number", 443);
                        y.kv("name", "https");
                        y.kv("protocol", "HTTPS");
                    });
                    y.map("tls", |y| {
                        y.kv("mode", "SIMPLE");
                        y.kv("credentialName", &credential);
                    });
                    y.strs("hosts", &[format!("./{host}")]);
                });
            });
            let svc = &services[0];
            y.doc();
            y.header("networking.istio.io/v1", "VirtualService");
            y.meta(&format!("{}-ingress", svc.name), Some(&ns), &[]);
            y.map("spec", |y| {
                y.strs("hosts", std::slice::from_ref(&host));
                y.strs("gateways", std::slice::from_ref(&istio_gw));
                y.list("http", &[()], |y, _| {
                    y.list("route", &[()], |y, _| {
                        y.map("destination", |y| {
                            y.kv("host", &svc.name);
                            y.kv("subset", "v1");
                            y.map("port", |y| y.kv("number", svc.port));
                        });
                    });
                });
            });
            y.doc();
            y.header("networking.istio.io/v1", "DestinationRule");
            y.meta(&svc.name, Some(&ns), &[]);
            y.map("spec", |y| {
                y.kv("host", &svc.name);
                y.map("trafficPolicy", |y| {
                    y.map("tls", |y| y.kv("mode", "ISTIO_MUTUAL"));
                });
                y.list("subsets", &[()], |y, _| {
                    y.kv("name", "v1");
                    y.map("labels", |y| y.kv("version", "v1"));
                });
            });
            let mesh = &services[1];
            y.doc();
            y.header("networking.istio.io/v1", "VirtualService");
            y.meta(&mesh.name, Some(&ns), &[]);
            y.map("spec", |y| {
                y.strs("hosts", std::slice::from_ref(&mesh.name));
                y.list("http", &[()], |y, _| {
                    y.list("route", &[()], |y, _| {
                        y.map("destination", |y| {
                            y.kv("host", &mesh.name);
                            y.map("port", |y| y.kv("number", mesh.port));
                        });
                    });
                });
            });
            self.write(&format!("{dir}/istio.yaml"), y)?;
            resources.push("istio.yaml".into());
        }

        // Azure private DNS (Azure Service Operator).
        let zone = format!("{app}{i}-privatelink");
        let mut y = self.file(true);
        y.doc();
        y.header("network.azure.com/v1api20240601", "PrivateDnsZone");
        y.meta(&zone, Some(&ns), &[]);
        y.map("spec", |y| {
            y.kv("azureName", format!("{app}{i}.privatelink.{team}.internal"));
            y.kv("location", "global");
            y.map("owner", |y| y.kv("name", format!("rg-{team}")));
        });
        for (k, rec) in ["api", "db", "cache"]
            .iter()
            .take(self.rng.range(1, 3))
            .enumerate()
        {
            y.doc();
            y.header("network.azure.com/v1api20240601", "PrivateDnsZonesARecord");
            y.meta(&format!("{zone}-{rec}"), Some(&ns), &[]);
            y.map("spec", |y| {
                y.kv("azureName", rec);
                y.map("owner", |y| y.kv("name", &zone));
                y.kv("ttl", 300);
                y.list("aRecords", &[()], |y, _| {
                    y.kv(
                        "ipv4Address",
                        format!("10.{}.{}.{}", i % 250, i / 250 % 250, 4 + k),
                    );
                });
            });
        }
        // Linked to the cluster's virtual network, as a working private zone is (DNS307).
        y.doc();
        y.header(
            "network.azure.com/v1api20240601",
            "PrivateDnsZonesVirtualNetworkLink",
        );
        y.meta(&format!("{zone}-link"), Some(&ns), &[]);
        y.map("spec", |y| {
            y.map("owner", |y| y.kv("name", &zone));
            y.kv("location", "global");
            y.kv("registrationEnabled", false);
            y.map("virtualNetwork", |y| {
                y.map("reference", |y| {
                    y.kv(
                        "armId",
                        format!("/subscriptions/0/resourceGroups/rg-{team}/providers/Microsoft.Network/virtualNetworks/vnet-{team}"),
                    )
                })
            });
        });
        self.write(&format!("{dir}/dns/private-dns-zone.yaml"), y)?;
        resources.push("dns/private-dns-zone.yaml".into());

        // kustomization.yaml: not a Kubernetes object, but every real repository has them.
        let mut y = self.file(false);
        y.doc();
        y.header("kustomize.config.k8s.io/v1beta1", "Kustomization");
        y.kv("namespace", &ns);
        resources.sort();
        resources.dedup();
        y.strs("resources", &resources);
        self.write(&format!("{dir}/kustomization.yaml"), y)?;

        Ok(shares.then(|| Shared {
            ns: ns.clone(),
            gateway: gw.clone(),
            domain: domain.clone(),
            service: services[0].name.clone(),
            port: services[0].port,
        }))
    }

    fn service(&mut self, y: &mut Y, ns: &str, app: &str, s: &Svc) {
        let target = if s.port == 80 { 8080 } else { 8081 };
        let type_ = self.rng.chance(0.3);
        y.doc();
        y.header("v1", "Service");
        y.meta(
            &s.name,
            Some(ns),
            &[
                ("app.kubernetes.io/name", s.name.as_str()),
                ("app.kubernetes.io/part-of", app),
            ],
        );
        y.map("spec", |y| {
            if type_ {
                y.kv("type", "ClusterIP");
            }
            y.map("selector", |y| y.kv("app.kubernetes.io/name", &s.name));
            let mut ports = vec![("http", s.port, target.to_string())];
            if s.grpc {
                ports.push(("grpc", 9090, "grpc".to_string()));
            }
            y.list("ports", &ports, |y, (name, port, target)| {
                y.kv("name", name);
                y.kv("port", port);
                y.kv("targetPort", target);
                y.kv("protocol", "TCP");
            });
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn route(
        &mut self,
        y: &mut Y,
        ns: &str,
        domain: &str,
        gw: &str,
        listeners: &[Listener],
        s: &Svc,
        prev: Option<&Shared>,
    ) {
        let kind = if s.grpc { "GRPCRoute" } else { "HTTPRoute" };
        // Parent references: this namespace's Gateway, sometimes a listener or port of it, and
        // sometimes the previous namespace's shared Gateway too.
        let mut parents: Vec<Parent> = Vec::new();
        let https: Vec<&Listener> = listeners.iter().filter(|l| l.https).collect();
        let dangling = self.defect(D_PARENT, 0.005);
        let parent_name = if dangling {
            format!("{gw}-legacy")
        } else {
            gw.to_string()
        };
        let roll = self.rng.below(10);
        let mut listener_host: Option<String> = None;
        let (section, port) = if roll < 4 {
            let l = *self.rng.pick(&https);
            // A route bound to one listener uses a hostname that listener serves.
            if !l.host.starts_with('*') {
                listener_host = Some(l.host.clone());
            }
            let section = if !dangling && self.defect(D_SECTION, 0.012) {
                "https-legacy".to_string()
            } else {
                l.name.clone()
            };
            (Some(section), self.rng.chance(0.3).then_some(l.port))
        } else if roll < 6 {
            (None, Some(443))
        } else {
            (None, None)
        };
        parents.push(Parent {
            name: parent_name,
            namespace: None,
            section,
            port,
        });
        let mut shared_host = None;
        if let Some(p) = prev {
            if self.rng.chance(0.1) {
                // Published on the other team's Gateway too, under its domain.
                shared_host = Some(format!("{}.{}", s.name, p.domain));
                parents.push(Parent {
                    name: p.gateway.clone(),
                    namespace: Some(p.ns.clone()),
                    section: None,
                    port: None,
                });
            }
        }
        let mut hostnames = match listener_host {
            Some(h) => vec![h],
            None if self.rng.chance(0.2) => {
                vec![
                    format!("{}.{domain}", s.name),
                    format!("{}-v2.{domain}", s.name),
                ]
            }
            None => vec![format!("{}.{domain}", s.name)],
        };
        hostnames.extend(shared_host);
        // Backends.
        let backend_port = if s.grpc { 9090 } else { s.port };
        let (name, port) = if self.defect(D_BACKEND, 0.004) {
            (format!("{}-canary", s.name), backend_port)
        } else if self.defect(D_PORT, 0.004) {
            (s.name.clone(), 8443)
        } else {
            (s.name.clone(), backend_port)
        };
        let weighted = self.rng.chance(0.2);
        let second_rule = !s.grpc && self.rng.chance(0.35);
        let cross = prev.filter(|_| !s.grpc && self.rng.chance(0.08));
        let annotate = self.rng.chance(0.2);

        y.doc();
        y.header("gateway.networking.k8s.io/v1", kind);
        y.meta(
            &s.name,
            Some(ns),
            &[("app.kubernetes.io/name", s.name.as_str())],
        );
        y.map("spec", |y| {
            y.list("parentRefs", &parents, |y, p| {
                y.kv("name", &p.name);
                if let Some(ns) = &p.namespace {
                    y.kv("namespace", ns);
                }
                if let Some(section) = &p.section {
                    y.kv("sectionName", section);
                }
                if let Some(port) = p.port {
                    y.kv("port", port);
                }
            });
            y.strs("hostnames", &hostnames);
            // Only the first rule carries an injected defect: one defect, one finding.
            let backend = |y: &mut Y, first: bool| {
                y.list("backendRefs", &[()], |y, _| {
                    y.kv("name", if first { &name } else { &s.name });
                    y.kv("port", if first { port } else { backend_port });
                    if weighted {
                        y.kv("weight", 100);
                    }
                });
            };
            if s.grpc {
                y.list("rules", &[()], |y, _| {
                    y.list("matches", &[()], |y, _| {
                        y.map("method", |y| y.kv("service", format!("{}.v1.{}", ns.replace('-', "_"), s.name)));
                    });
                    backend(y, true);
                });
                return;
            }
            let mut rules = vec![0];
            if second_rule {
                rules.push(1);
            }
            if cross.is_some() {
                rules.push(2);
            }
            y.list("rules", &rules, |y, r| match r {
                0 => {
                    y.list("matches", &[()], |y, _| {
                        y.map("path", |y| {
                            y.kv("type", "PathPrefix");
                            y.kv("value", "/");
                        });
                    });
                    backend(y, true);
                }
                1 => {
                    y.list("matches", &[()], |y, _| {
                        y.map("path", |y| {
                            y.kv("type", "PathPrefix");
                            y.kv("value", "/v2");
                        });
                    });
                    y.list("filters", &[()], |y, _| {
                        y.kv("type", "RequestHeaderModifier");
                        y.map("requestHeaderModifier", |y| {
                            y.list("set", &[()], |y, _| {
                                y.kv("name", "X-Api-Version");
                                y.kv("value", "\"2\"");
                            });
                        });
                    });
                    backend(y, false);
                }
                _ => {
                    let p = cross.unwrap();
                    if annotate {
                        y.comment("Shared service owned by another team (ReferenceGrant in their namespace).");
                    }
                    y.list("matches", &[()], |y, _| {
                        y.map("path", |y| {
                            y.kv("type", "PathPrefix");
                            y.kv("value", "/shared");
                        });
                    });
                    y.list("backendRefs", &[()], |y, _| {
                        y.kv("name", &p.service);
                        y.kv("namespace", &p.ns);
                        y.kv("port", p.port);
                    });
                }
            });
        });
    }
}

fn issuer_doc(y: &mut Y, issuer: &str, ns: &str, team: &str, gw: &str) {
    y.doc();
    y.header("cert-manager.io/v1", "Issuer");
    y.meta(issuer, Some(ns), &[]);
    y.map("spec", |y| {
        y.map("acme", |y| {
            y.kv("server", "https://acme-v02.api.letsencrypt.org/directory");
            y.kv("email", format!("{team}@example.com"));
            y.map("privateKeySecretRef", |y| {
                y.kv("name", format!("{issuer}-account-key"))
            });
            y.list("solvers", &[()], |y, _| {
                y.map("http01", |y| {
                    y.map("gatewayHTTPRoute", |y| {
                        y.list("parentRefs", &[()], |y, _| {
                            y.kv("name", gw);
                            y.kv("namespace", ns);
                            y.kv("kind", "Gateway");
                        });
                    });
                });
            });
        });
    });
}

/// How the generated repository is laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Namespaces of about 20 documents that reference each other a little, as in a platform
    /// repository.
    Realistic,
    /// Every reference meets in a few places (`crowded.rs`).
    Crowded,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Realistic => "realistic",
            Shape::Crowded => "crowded",
        }
    }
}

fn generate(root: &Path, docs: usize, seed: u64, shape: Shape) -> std::io::Result<CorpusInfo> {
    if shape == Shape::Crowded {
        return crowded::generate(root, docs, seed);
    }
    let mut g = Gen {
        rng: Rng::new(seed),
        root: root.to_path_buf(),
        info: CorpusInfo::default(),
        pending: [true; 6],
    };
    g.platform()?;
    let mut prev = None;
    let mut i = 0;
    while g.info.docs < docs {
        prev = g.namespace(i, prev.as_ref())?;
        i += 1;
    }
    Ok(g.info)
}

fn marker_text(seed: u64, docs: usize, shape: Shape, info: &CorpusInfo) -> String {
    let mut s = format!(
        "version={GENERATOR_VERSION}\nseed={seed}\ndocs={docs}\nshape={}\ngenerated_docs={}\nfiles={}\nbytes={}\n",
        shape.name(),
        info.docs,
        info.files,
        info.bytes
    );
    for (rule, n) in DEFECT_RULES.iter().zip(info.defects) {
        let _ = writeln!(s, "defects.{rule}={n}");
    }
    s
}

fn parse_marker(text: &str, seed: u64, docs: usize, shape: Shape) -> Option<CorpusInfo> {
    let kv: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let num = |k: &str| kv.get(k).and_then(|v| v.parse::<u64>().ok());
    if num("version")? != u64::from(GENERATOR_VERSION)
        || num("seed")? != seed
        || num("docs")? != docs as u64
        || kv.get("shape").copied().unwrap_or("realistic") != shape.name()
    {
        return None;
    }
    let mut info = CorpusInfo {
        docs: num("generated_docs")? as usize,
        files: num("files")? as usize,
        bytes: num("bytes")? as usize,
        defects: [0; 6],
    };
    for (k, rule) in DEFECT_RULES.iter().enumerate() {
        info.defects[k] = num(&format!("defects.{rule}"))? as usize;
    }
    Some(info)
}

/// Returns the corpus description and whether it was reused.
fn ensure_corpus(
    dir: &Path,
    docs: usize,
    seed: u64,
    shape: Shape,
    regen: bool,
) -> Result<(CorpusInfo, bool), String> {
    let marker = dir.join(MARKER);
    if dir.exists() {
        match std::fs::read_to_string(&marker) {
            Ok(text) => {
                if !regen {
                    if let Some(info) = parse_marker(&text, seed, docs, shape) {
                        return Ok((info, true));
                    }
                }
                std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            Err(_) => {
                let empty = std::fs::read_dir(dir)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
                if !empty {
                    return Err(format!(
                        "{} exists and is not a benchmark corpus (no {MARKER}); refusing to overwrite it",
                        dir.display()
                    ));
                }
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let info = generate(dir, docs, seed, shape)
        .map_err(|e| format!("generating {}: {e}", dir.display()))?;
    // The marker goes last: an interrupted generation is never mistaken for a complete one.
    std::fs::write(&marker, marker_text(seed, docs, shape, &info))
        .map_err(|e| format!("{}: {e}", marker.display()))?;
    Ok((info, false))
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

fn lint_dir(dir: &Path) -> gwlint::Outcome {
    gwlint::lint(
        &gwlint::Options {
            paths: vec![dir.to_path_buf()],
            ..Default::default()
        },
        None,
    )
}

/// `VmHWM` (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The hidden `--child parse|lint <dir>` mode: run once, report the peak RSS.
fn child(mode: &str, dir: &Path) -> ExitCode {
    let docs = match mode {
        "parse" => gwlint::parse_only(&[dir.to_path_buf()]).0,
        "lint" => {
            let out = lint_dir(dir);
            let n = out.documents;
            // Leak it: dropping would not change the peak, only cost time.
            std::mem::forget(out);
            n
        }
        _ => {
            eprintln!("--child: unknown mode `{mode}`");
            return ExitCode::from(2);
        }
    };
    match peak_rss_kib() {
        Some(kib) => println!("vmhwm_kib={kib} docs={docs}"),
        None => println!("vmhwm_kib=? docs={docs}"),
    }
    ExitCode::SUCCESS
}

fn child_peak_rss(mode: &str, dir: &Path) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--child")
        .arg(mode)
        .arg(dir)
        .output()
        .map_err(|e| format!("running child: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "child `{mode}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("vmhwm_kib="))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("child `{mode}` reported no VmHWM: {stdout}"))
}

#[derive(Clone, Debug)]
struct Sample {
    best: f64,
    median: f64,
}

fn summarize(mut times: Vec<f64>) -> Sample {
    times.sort_by(f64::total_cmp);
    Sample {
        best: times[0],
        median: times[times.len() / 2],
    }
}

struct Measured {
    corpus: PathBuf,
    docs: usize,
    files: usize,
    bytes: usize,
    objects: usize,
    /// Discovery alone (part of both modes).
    discover: Sample,
    parse: Sample,
    lint: Sample,
    /// The pipeline's own stage times in the fastest end-to-end run.
    stages: Vec<(&'static str, f64)>,
    findings: usize,
    by_rule: BTreeMap<String, usize>,
    expected: [usize; 6],
    rss: Option<(Result<u64, String>, Result<u64, String>)>,
    reused: bool,
}

fn measure(dir: &Path, docs: usize, seed: u64, opts: &Opts) -> Result<Measured, String> {
    let t = Instant::now();
    let (info, reused) = ensure_corpus(dir, docs, seed, opts.shape, opts.regen)?;
    if !reused {
        eprintln!(
            "generated {} documents in {} files ({}) under {} in {:.1} s",
            group(info.docs),
            group(info.files),
            mb(info.bytes),
            dir.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let paths = vec![dir.to_path_buf()];

    // Warm-up: fills the page cache and starts rayon's pool.
    let (pdocs, bytes) = gwlint::parse_only(&paths);
    let warm = lint_dir(dir);
    if !warm.io_errors.is_empty() {
        return Err(format!(
            "lint reported I/O errors: {:?}",
            &warm.io_errors[..warm.io_errors.len().min(3)]
        ));
    }
    let files = warm.files.len();
    let objects = warm.objects;
    if warm.documents != pdocs {
        eprintln!(
            "warning: parse_only saw {} documents, lint saw {}",
            group(pdocs),
            group(warm.documents)
        );
    }
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for d in &warm.diagnostics {
        *by_rule.entry(d.rule.to_string()).or_default() += 1;
    }
    let findings = warm.diagnostics.len();
    drop(warm);

    let cfg = gwlint::config::Config::default();
    let mut discover_times = Vec::with_capacity(opts.runs);
    let mut parse_times = Vec::with_capacity(opts.runs);
    let mut lint_times = Vec::with_capacity(opts.runs);
    let mut stages = Vec::new();
    for _ in 0..opts.runs {
        let t = Instant::now();
        let found = gwlint::discover::discover(&paths, &cfg);
        discover_times.push(t.elapsed().as_secs_f64());
        drop(std::hint::black_box(found));

        let t = Instant::now();
        let r = gwlint::parse_only(&paths);
        parse_times.push(t.elapsed().as_secs_f64());
        std::hint::black_box(r);

        let t = Instant::now();
        let out = lint_dir(dir);
        let took = t.elapsed().as_secs_f64();
        if lint_times.iter().all(|&best| took < best) {
            stages = out
                .timings
                .iter()
                .map(|(stage, d)| (*stage, d.as_secs_f64()))
                .collect();
        }
        lint_times.push(took);
        // Dropping the outcome is not part of the measured call.
        drop(std::hint::black_box(out));
    }

    let rss = (!opts.no_mem).then(|| (child_peak_rss("parse", dir), child_peak_rss("lint", dir)));
    Ok(Measured {
        corpus: dir.to_path_buf(),
        docs: pdocs,
        files,
        bytes,
        objects,
        discover: summarize(discover_times),
        parse: summarize(parse_times),
        lint: summarize(lint_times),
        stages,
        findings,
        by_rule,
        expected: info.defects,
        rss,
        reused,
    })
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn rss_cell(r: &Result<u64, String>, bytes: usize) -> String {
    match r {
        Ok(kib) => {
            let mib = *kib as f64 / 1024.0;
            format!(
                "peak RSS {mib:.0} MiB ({:.1}x input)",
                (*kib as f64 * 1024.0) / bytes.max(1) as f64
            )
        }
        Err(_) => "peak RSS n/a".to_string(),
    }
}

fn print_result(r: &Measured, opts: &Opts, seed: u64) {
    println!(
        "gwlint pipeline benchmark: {} documents, {} files, {}, {} threads",
        group(r.docs),
        group(r.files),
        mb(r.bytes),
        rayon::current_num_threads()
    );
    println!(
        "corpus: {} ({} shape, seed {seed}, {}), {} objects; best of {} runs after 1 warm-up",
        r.corpus.display(),
        opts.shape.name(),
        if r.reused { "reused" } else { "generated" },
        group(r.objects),
        opts.runs
    );
    let row = |label: &str, s: &Sample, rss: Option<&Result<u64, String>>| {
        let rate = r.docs as f64 / s.best;
        let mbs = r.bytes as f64 / 1e6 / s.best;
        let mem = rss.map(|m| rss_cell(m, r.bytes)).unwrap_or_default();
        println!(
            "{label:<12} {:>7.3} s (median {:.3})  {:>10} docs/s  {:>6.1} MB/s   {mem}",
            s.best,
            s.median,
            group(rate.round() as usize),
            mbs
        );
    };
    row("parse-only", &r.parse, r.rss.as_ref().map(|x| &x.0));
    row("end-to-end", &r.lint, r.rss.as_ref().map(|x| &x.1));
    println!(
        "{:<12} {:>7.3} s (median {:.3})  file walk alone, included in both rows above",
        "discovery", r.discover.best, r.discover.median
    );
    let stages: Vec<String> = r
        .stages
        .iter()
        .map(|(stage, t)| format!("{stage} {:.3}", t))
        .collect();
    println!(
        "{:<12} {} s (fastest end-to-end run; the report is not written)",
        "stages",
        stages.join(", ")
    );
    let ratio = r.lint.best / r.parse.best;
    let d = r.discover.best;
    println!(
        "ratio end-to-end / parse-only: {ratio:.2} (target <= {TARGET_RATIO:.2}){}; without discovery: {:.2}",
        if ratio > TARGET_RATIO {
            "  ABOVE TARGET"
        } else {
            ""
        },
        (r.lint.best - d) / (r.parse.best - d).max(1e-9)
    );
    let rules: Vec<String> = r.by_rule.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let expected: usize = r.expected.iter().sum();
    println!("findings: {} ({})", group(r.findings), rules.join(", "));
    let injected: Vec<String> = DEFECT_RULES
        .iter()
        .zip(r.expected)
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "injected defects: {} ({})",
        group(expected),
        injected.join(", ")
    );
    if let Some((p, l)) = &r.rss {
        for e in [p, l].into_iter().filter_map(|x| x.as_ref().err()) {
            eprintln!("peak RSS: {e}");
        }
    }
}

fn print_scaling(results: &[Measured]) {
    let Some(first) = results.first() else { return };
    let base = first.lint.best / first.docs as f64;
    println!();
    println!("scaling (best run, time per document):");
    println!(
        "{:>10}  {:>15}  {:>14}  {:>14}  {:>6}  {:>16}  {:>12}",
        "documents",
        "discover us/doc",
        "parse us/doc",
        "e2e us/doc",
        "ratio",
        "e2e vs smallest",
        "e2e peak RSS"
    );
    for r in results {
        let p = r.parse.best / r.docs as f64 * 1e6;
        let l = r.lint.best / r.docs as f64 * 1e6;
        let rss = match &r.rss {
            Some((_, Ok(kib))) => format!("{:.0} MiB", *kib as f64 / 1024.0),
            _ => "n/a".into(),
        };
        println!(
            "{:>10}  {:>15.2}  {:>14.2}  {:>14.2}  {:>6.2}  {:>15.2}x  {:>12}",
            group(r.docs),
            r.discover.best / r.docs as f64 * 1e6,
            p,
            l,
            r.lint.best / r.parse.best,
            (l / 1e6) / base,
            rss
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

struct Opts {
    sizes: Vec<usize>,
    shape: Shape,
    seed: u64,
    runs: usize,
    dir: Option<PathBuf>,
    regen: bool,
    no_mem: bool,
}

fn parse_count(s: &str) -> Result<usize, String> {
    let s = s.trim().to_ascii_lowercase().replace('_', "");
    let (num, mul) = match s.strip_suffix('k') {
        Some(n) => (n.to_string(), 1_000),
        None => match s.strip_suffix('m') {
            Some(n) => (n.to_string(), 1_000_000),
            None => (s.clone(), 1),
        },
    };
    match num.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n * mul),
        _ => Err(format!("not a positive count: `{s}`")),
    }
}

fn parse_args(args: Vec<String>) -> Result<Option<Opts>, String> {
    let mut o = Opts {
        sizes: vec![DEFAULT_DOCS],
        shape: Shape::Realistic,
        seed: DEFAULT_SEED,
        runs: DEFAULT_RUNS,
        dir: None,
        regen: false,
        no_mem: false,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            "-h" | "--help" => return Ok(None),
            "--docs" => o.sizes = vec![parse_count(&value()?)?],
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(parse_count)
                    .collect::<Result<_, _>>()?;
                if o.sizes.is_empty() {
                    return Err("--sizes needs at least one size".into());
                }
            }
            "--shape" => {
                o.shape = match value()?.as_str() {
                    "realistic" => Shape::Realistic,
                    "crowded" => Shape::Crowded,
                    other => return Err(format!("--shape: `{other}` is not realistic or crowded")),
                }
            }
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--runs" => o.runs = parse_count(&value()?)?,
            "--dir" => o.dir = Some(PathBuf::from(value()?)),
            "--regen" => o.regen = true,
            "--no-mem" => o.no_mem = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.dir.is_some() && o.sizes.len() > 1 {
        return Err("--dir works with a single size only".into());
    }
    Ok(Some(o))
}

// The same allocator as the gwlint binary, so both modes are measured as users run them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // As the gwlint binary does, so both rows measure what users run.
    gwlint::process::no_transparent_huge_pages();
    gwlint::process::prompt_purge();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return match (args.get(1), args.get(2)) {
            (Some(mode), Some(dir)) => child(mode, Path::new(dir)),
            _ => {
                eprintln!("usage: --child parse|lint <dir>");
                ExitCode::from(2)
            }
        };
    }
    let opts = match parse_args(args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-corpus");
    let mut results = Vec::new();
    for (k, &docs) in opts.sizes.iter().enumerate() {
        let dir = opts.dir.clone().unwrap_or_else(|| match opts.shape {
            Shape::Realistic => base.join(docs.to_string()),
            Shape::Crowded => base.join(format!("crowded-{docs}")),
        });
        match measure(&dir, docs, opts.seed, &opts) {
            Ok(r) => {
                if k > 0 {
                    println!();
                }
                print_result(&r, &opts, opts.seed);
                results.push(r);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if results.len() > 1 {
        print_scaling(&results);
    }
    if results.iter().any(|r| r.findings == 0) {
        eprintln!("error: no findings, but the corpus has injected defects");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
