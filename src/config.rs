//! `.gwlint.yaml`: rule levels, file selection and objects that exist outside the repository.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::load::tree::{Node, Value};
use crate::load::{self, LoadOptions};
use crate::source::LineIndex;

pub const FILE_NAME: &str = ".gwlint.yaml";

/// A severity a user can give a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is set to in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Level(Severity),
}

/// Objects that exist in the cluster but not in the repository.
#[derive(Clone, Debug, Default)]
pub struct Externals {
    pub gateway_classes: Vec<String>,
    pub gateways: Vec<String>,
    pub services: Vec<String>,
    pub secrets: Vec<String>,
    pub issuers: Vec<String>,
    pub cluster_issuers: Vec<String>,
    pub secret_stores: Vec<String>,
    pub cluster_secret_stores: Vec<String>,
    pub namespaces: Vec<String>,
    pub ingress_classes: Vec<String>,
}

/// ACME directories of public certificate authorities: they validate names through public DNS.
pub const PUBLIC_ACME_SERVERS: &[&str] = &[
    "https://acme-v02.api.letsencrypt.org/directory",
    "https://acme-staging-v02.api.letsencrypt.org/directory",
    "https://acme.zerossl.com/v2/DV90",
    "https://dv.acme-v02.api.pki.goog/directory",
    "https://dv.acme-v02.test-api.pki.goog/directory",
];

/// GatewayClasses that exist wherever their controller runs, without a manifest in the repo.
pub const BUILTIN_GATEWAY_CLASSES: &[&str] = &[
    "istio",
    "istio-remote",
    "istio-waypoint",
    "istio-east-west",
    "approuting-istio",
];

/// A `major.minor` release number, as written in `targets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Self {
        Version { major, minor }
    }

    /// `v1.4`, `1.4`, `1.4.1` (the patch is ignored), `0.17`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        if let Some(patch) = parts.next() {
            patch.parse::<u32>().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(Version { major, minor })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// Which Gateway API CRDs are installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Standard,
    Experimental,
}

/// A named set of defaults for a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// AKS with the Istio service-mesh add-on and the managed (standard-channel) Gateway API CRDs.
    AksIstio,
}

/// The AKS add-on's control-plane and classic-ingress namespaces.
pub const AKS_ISTIO_NAMESPACES: &[&str] = &["aks-istio-system", "aks-istio-ingress"];

/// The add-on's control-plane revisions are `asm-1-<minor>` (`istio.io/rev` values).
pub const AKS_ISTIO_REVISION_PREFIX: &str = "asm-1-";

/// Whether `rev` has the form of an AKS Istio add-on revision (`asm-1-26`).
pub fn is_aks_istio_revision(rev: &str) -> bool {
    rev.strip_prefix(AKS_ISTIO_REVISION_PREFIX)
        .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

/// The Gateway API bundle the AKS managed CRDs install on current Kubernetes versions (1.34+).
pub const AKS_GATEWAY_API_BUNDLE: Version = Version::new(1, 3);

/// Versions of the controllers and CRDs in the target cluster.
#[derive(Clone, Debug)]
pub struct Targets {
    /// Gateway API CRD bundle (`v1.0` … `v1.6`).
    pub gateway_api: Version,
    /// `None`: not said, so anything either channel serves is accepted.
    pub gateway_api_channel: Option<Channel>,
    pub external_secrets: Version,
    pub cert_manager: Version,
    /// external-dns release; `None`: not said, so both annotation prefixes are accepted.
    pub external_dns: Option<Version>,
    /// Installed Istio control-plane revisions (`istio.io/rev` values); empty: not said.
    pub istio_revisions: Vec<String>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            gateway_api: Version::new(1, 6),
            gateway_api_channel: None,
            external_secrets: Version::new(2, 9),
            cert_manager: Version::new(1, 21),
            external_dns: None,
            istio_revisions: Vec::new(),
        }
    }
}

/// A configuration suppression: a rule, optionally limited to objects and paths (globs).
#[derive(Clone, Debug, Default)]
pub struct IgnoreEntry {
    pub rule: &'static str,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub path: Option<String>,
    /// Where the entry is written in the configuration file (line, column).
    pub at: (usize, usize),
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    pub rules: BTreeMap<String, RuleLevel>,
    pub fail_on: Option<String>,
    pub externals: Externals,
    /// Referenced Secrets without a producer are warnings, not errors (TLS201).
    pub allow_external_secrets: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub default_namespace: String,
    /// DNS zones not declared in manifests.
    pub private_zones: Vec<String>,
    pub public_zones: Vec<String>,
    /// TLS227 warns when a certificate expires within this many days.
    pub expiry_warning_days: i64,
    /// ACME servers treated as public CAs (TLS219), besides the built-in list.
    pub public_acme_servers: Vec<String>,
    /// `ignore:` suppressions.
    pub ignore: Vec<IgnoreEntry>,
    pub profile: Option<Profile>,
    pub targets: Targets,
}

impl Config {
    pub fn aks_istio(&self) -> bool {
        self.profile == Some(Profile::AksIstio)
    }

    /// True when only standard-channel CRDs are installed (said, or implied by the profile).
    pub fn standard_channel_only(&self) -> bool {
        self.targets.gateway_api_channel == Some(Channel::Standard)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            rules: BTreeMap::new(),
            fail_on: None,
            externals: Externals::default(),
            allow_external_secrets: false,
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: LoadOptions::default().max_file_size,
            default_namespace: "default".into(),
            private_zones: Vec::new(),
            public_zones: Vec::new(),
            expiry_warning_days: 30,
            public_acme_servers: Vec::new(),
            ignore: Vec::new(),
            profile: None,
            targets: Targets::default(),
        }
    }
}

/// A configuration problem, located in the file.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// Finds `.gwlint.yaml` in `start` or the nearest ancestor, stopping at a repository root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    let abs = std::path::absolute(start).ok()?;
    for dir in abs.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

const TOP_KEYS: &[&str] = &[
    "rules",
    "failOn",
    "externals",
    "allowExternalSecrets",
    "include",
    "exclude",
    "maxFileSize",
    "defaultNamespace",
    "dns",
    "tls",
    "ignore",
    "profile",
    "targets",
];

const TARGET_KEYS: &[&str] = &[
    "gatewayAPI",
    "gatewayAPIChannel",
    "externalSecrets",
    "certManager",
    "externalDNS",
    "istioRevisions",
];

const EXTERNAL_KEYS: &[&str] = &[
    "gatewayClasses",
    "gateways",
    "services",
    "secrets",
    "issuers",
    "clusterIssuers",
    "secretStores",
    "clusterSecretStores",
    "namespaces",
    "ingressClasses",
];

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
}

impl Ctx<'_> {
    fn err(&self, node: &Node, message: String) -> ConfigError {
        let pos = self.lines.position(self.text, node.span.start as usize);
        ConfigError {
            path: self.path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message,
        }
    }

    fn string_list(&self, node: &Node, what: &str) -> Result<Vec<String>, ConfigError> {
        let items = node
            .as_seq()
            .ok_or_else(|| self.err(node, format!("`{what}` must be a list of strings")))?;
        items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.err(i, format!("`{what}` entries must be strings")))
            })
            .collect()
    }
}

/// Reads and validates a configuration file. `known_rule` maps an id or name to a rule id.
pub fn load(
    path: &Path,
    known_rule: &dyn Fn(&str) -> Option<&'static str>,
) -> Result<Config, ConfigError> {
    let io_err = |e: std::io::Error| ConfigError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read configuration: {e}"),
    };
    let bytes = std::fs::read(path).map_err(io_err)?;
    let loaded = load::load_bytes(0, path, bytes, &LoadOptions::default());
    if let Some(issue) = loaded.issues.first() {
        let pos = loaded.source.position(issue.span.start as usize);
        // The loader words a duplicate key for manifests (what the API server does with it);
        // in the configuration gwlint itself rejects it, rather than silently keep one value.
        let message = if issue.rule == "YAML004" {
            let text = &loaded.source.text;
            let key = text
                .get(issue.span.start as usize..issue.span.end as usize)
                .unwrap_or("?");
            let first = issue
                .related
                .first()
                .map(|(s, _)| {
                    format!(
                        " (first defined on line {})",
                        loaded.source.position(s.start as usize).line
                    )
                })
                .unwrap_or_default();
            format!(
                "duplicate key `{key}`{first}: a key may appear only once in the configuration; merge the two into one"
            )
        } else {
            issue.message.clone()
        };
        return Err(ConfigError {
            path: path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message,
        });
    }
    let text = loaded.source.text.clone();
    let ctx = Ctx {
        path,
        lines: LineIndex::new(&text),
        text: &text,
    };
    let mut cfg = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let Some(doc) = loaded.docs.first() else {
        return Ok(cfg);
    };
    let root = &doc.root;
    if root.is_null() {
        return Ok(cfg);
    }
    let entries = root
        .as_map()
        .ok_or_else(|| ctx.err(root, "configuration must be a mapping".into()))?;
    let mut explicit_bundle = false;
    let mut explicit_channel = false;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        // A key left empty (or holding only comments, as in the starter file) means "default".
        if v.is_null() && TOP_KEYS.contains(&key) {
            continue;
        }
        match key {
            "rules" => {
                let rules = v.as_map().ok_or_else(|| {
                    ctx.err(
                        v,
                        "`rules` must map rule ids or names to off|info|warning|error".into(),
                    )
                })?;
                for (rk, rv) in rules {
                    let name = match &rk.value {
                        Value::Str(s) => s.to_string(),
                        _ => return Err(ctx.err(rk, "rule keys must be rule ids or names".into())),
                    };
                    let id = known_rule(&name).ok_or_else(|| {
                        ctx.err(rk, format!("unknown rule `{name}` (see `gwlint rules`)"))
                    })?;
                    let level = match &rv.value {
                        Value::Str(s) if &**s == "off" => RuleLevel::Off,
                        Value::Bool(false) => RuleLevel::Off,
                        Value::Str(s) => RuleLevel::Level(Severity::parse(s).ok_or_else(|| {
                            ctx.err(
                                rv,
                                format!("`{s}` is not a level: use off, info, warning or error"),
                            )
                        })?),
                        _ => {
                            return Err(ctx.err(
                                rv,
                                "a rule level must be off, info, warning or error".into(),
                            ));
                        }
                    };
                    cfg.rules.insert(id.to_string(), level);
                }
            }
            "failOn" => {
                let s = v
                    .as_str()
                    .filter(|s| matches!(*s, "error" | "warning" | "info" | "never"));
                cfg.fail_on = Some(
                    s.ok_or_else(|| {
                        ctx.err(v, "`failOn` must be error, warning, info or never".into())
                    })?
                    .to_string(),
                );
            }
            "allowExternalSecrets" => match v.value {
                Value::Bool(b) => cfg.allow_external_secrets = b,
                _ => return Err(ctx.err(v, "`allowExternalSecrets` must be true or false".into())),
            },
            "include" => cfg.include = ctx.string_list(v, "include")?,
            "exclude" => cfg.exclude = ctx.string_list(v, "exclude")?,
            "maxFileSize" => match v.value {
                // Offsets into a file are u32 throughout, so 4 GiB is the ceiling.
                Value::Int(n) if n > 0 => cfg.max_file_size = (n as u64).min(u64::from(u32::MAX)),
                _ => {
                    return Err(
                        ctx.err(v, "`maxFileSize` must be a positive number of bytes".into())
                    );
                }
            },
            "defaultNamespace" => {
                cfg.default_namespace = v
                    .as_str()
                    .ok_or_else(|| ctx.err(v, "`defaultNamespace` must be a string".into()))?
                    .to_string()
            }
            "ignore" => {
                let items = v.as_seq().ok_or_else(|| {
                    ctx.err(
                        v,
                        "`ignore` must be a list of {rule, kind, namespace, name, path}".into(),
                    )
                })?;
                for item in items {
                    let m = item.as_map().ok_or_else(|| {
                        ctx.err(
                            item,
                            "an `ignore` entry must be a mapping with at least `rule`".into(),
                        )
                    })?;
                    let pos = ctx.lines.position(ctx.text, item.span.start as usize);
                    let mut e = IgnoreEntry {
                        at: (pos.line, pos.column),
                        ..IgnoreEntry::default()
                    };
                    let mut has_rule = false;
                    for (ik, iv) in m {
                        let key = ik.as_str().unwrap_or("");
                        let val = iv
                            .as_str()
                            .ok_or_else(|| ctx.err(iv, format!("`ignore.{key}` must be a string")))?
                            .to_string();
                        match key {
                            "rule" => {
                                e.rule = known_rule(&val).ok_or_else(|| {
                                    ctx.err(
                                        iv,
                                        format!("unknown rule `{val}` (see `gwlint rules`)"),
                                    )
                                })?;
                                has_rule = true;
                            }
                            "kind" | "namespace" | "name" | "path" => {
                                if let Err(err) = globset::Glob::new(&val) {
                                    return Err(ctx.err(
                                        iv,
                                        format!(
                                            "`ignore.{key}` is not a valid glob: {}",
                                            err.kind()
                                        ),
                                    ));
                                }
                                let slot = match key {
                                    "kind" => &mut e.kind,
                                    "namespace" => &mut e.namespace,
                                    "name" => &mut e.name,
                                    _ => &mut e.path,
                                };
                                *slot = Some(val);
                            }
                            other => {
                                return Err(ctx.err(
                                    ik,
                                    format!("unknown key `ignore.{other}` (expected one of: rule, kind, namespace, name, path)"),
                                ));
                            }
                        }
                    }
                    if !has_rule {
                        return Err(ctx.err(item, "an `ignore` entry needs `rule`".into()));
                    }
                    cfg.ignore.push(e);
                }
            }
            "dns" => {
                let m = v
                    .as_map()
                    .ok_or_else(|| ctx.err(v, "`dns` must be a mapping".into()))?;
                for (dk, dv) in m {
                    match dk.as_str().unwrap_or("") {
                        "privateZones" => {
                            cfg.private_zones = ctx.string_list(dv, "dns.privateZones")?
                        }
                        "publicZones" => {
                            cfg.public_zones = ctx.string_list(dv, "dns.publicZones")?
                        }
                        other => {
                            return Err(ctx.err(
                                dk,
                                format!("unknown key `dns.{other}` (expected one of: privateZones, publicZones)"),
                            ));
                        }
                    }
                }
            }
            "tls" => {
                let m = v
                    .as_map()
                    .ok_or_else(|| ctx.err(v, "`tls` must be a mapping".into()))?;
                for (tk, tv) in m {
                    match tk.as_str().unwrap_or("") {
                        "expiryWarningDays" => match tv.value {
                            Value::Int(n) if n >= 0 => cfg.expiry_warning_days = n,
                            _ => {
                                return Err(ctx.err(
                                    tv,
                                    "`tls.expiryWarningDays` must be a number of days".into(),
                                ));
                            }
                        },
                        "publicAcmeServers" => {
                            cfg.public_acme_servers =
                                ctx.string_list(tv, "tls.publicAcmeServers")?
                        }
                        other => {
                            return Err(ctx.err(
                                tk,
                                format!("unknown key `tls.{other}` (expected one of: expiryWarningDays, publicAcmeServers)"),
                            ));
                        }
                    }
                }
            }
            "profile" => {
                cfg.profile = match v.as_str() {
                    Some("aks-istio") => Some(Profile::AksIstio),
                    Some("none") => None,
                    _ => {
                        return Err(ctx.err(v, "`profile` must be aks-istio or none".into()));
                    }
                }
            }
            "targets" => {
                let m = v
                    .as_map()
                    .ok_or_else(|| ctx.err(v, "`targets` must be a mapping".into()))?;
                for (tk, tv) in m {
                    let key = tk.as_str().unwrap_or("");
                    let version = || -> Result<Version, ConfigError> {
                        let text = match &tv.value {
                            Value::Str(s) => s.to_string(),
                            Value::Float(f) => f.to_string(),
                            Value::Int(i) => i.to_string(),
                            _ => String::new(),
                        };
                        Version::parse(&text).ok_or_else(|| {
                            ctx.err(
                                tv,
                                format!(
                                    "`targets.{key}` must be a version such as \"1.4\" (quote it)"
                                ),
                            )
                        })
                    };
                    match key {
                        "gatewayAPI" => {
                            let v = version()?;
                            if v < Version::new(1, 0) || v > Version::new(1, 6) {
                                return Err(ctx.err(
                                    tv,
                                    format!("`targets.gatewayAPI` {v} is not a known bundle (v1.0 to v1.6)"),
                                ));
                            }
                            cfg.targets.gateway_api = v;
                            explicit_bundle = true;
                        }
                        "gatewayAPIChannel" => {
                            cfg.targets.gateway_api_channel = match tv.as_str() {
                                Some("standard") => Some(Channel::Standard),
                                Some("experimental") => Some(Channel::Experimental),
                                _ => {
                                    return Err(ctx.err(
                                        tv,
                                        "`targets.gatewayAPIChannel` must be standard or experimental"
                                            .into(),
                                    ));
                                }
                            };
                            explicit_channel = true;
                        }
                        "externalSecrets" => cfg.targets.external_secrets = version()?,
                        "certManager" => cfg.targets.cert_manager = version()?,
                        "externalDNS" => cfg.targets.external_dns = Some(version()?),
                        "istioRevisions" => {
                            cfg.targets.istio_revisions =
                                ctx.string_list(tv, "targets.istioRevisions")?
                        }
                        other => {
                            return Err(ctx.err(
                                tk,
                                format!(
                                    "unknown key `targets.{other}` (expected one of: {})",
                                    TARGET_KEYS.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
            "externals" => {
                let ext = v
                    .as_map()
                    .ok_or_else(|| ctx.err(v, "`externals` must be a mapping".into()))?;
                for (ek, ev) in ext {
                    let ekey = ek.as_str().unwrap_or("");
                    let list = ctx.string_list(ev, ekey)?;
                    let e = &mut cfg.externals;
                    let slot = match ekey {
                        "gatewayClasses" => &mut e.gateway_classes,
                        "gateways" => &mut e.gateways,
                        "services" => &mut e.services,
                        "secrets" => &mut e.secrets,
                        "issuers" => &mut e.issuers,
                        "clusterIssuers" => &mut e.cluster_issuers,
                        "secretStores" => &mut e.secret_stores,
                        "clusterSecretStores" => &mut e.cluster_secret_stores,
                        "namespaces" => &mut e.namespaces,
                        "ingressClasses" => &mut e.ingress_classes,
                        _ => {
                            return Err(ctx.err(
                                ek,
                                format!(
                                    "unknown key `externals.{ekey}` (expected one of: {})",
                                    EXTERNAL_KEYS.join(", ")
                                ),
                            ));
                        }
                    };
                    *slot = list;
                }
            }
            _ => {
                return Err(ctx.err(
                    k,
                    format!(
                        "unknown key `{key}` (expected one of: {})",
                        TOP_KEYS.join(", ")
                    ),
                ));
            }
        }
    }
    if cfg.aks_istio() {
        apply_aks_istio(&mut cfg, explicit_bundle, explicit_channel);
    }
    Ok(cfg)
}

/// The `aks-istio` profile: the managed Gateway API CRDs are standard channel only, the add-on's
/// namespaces exist, and the class `istio` is served (it is built in already). Its revisions
/// (`asm-1-<minor>`) are checked by DNS314 when `targets.istioRevisions` is not given.
fn apply_aks_istio(cfg: &mut Config, explicit_bundle: bool, explicit_channel: bool) {
    if !explicit_channel {
        cfg.targets.gateway_api_channel = Some(Channel::Standard);
    }
    if !explicit_bundle {
        cfg.targets.gateway_api = AKS_GATEWAY_API_BUNDLE;
    }
    for ns in AKS_ISTIO_NAMESPACES {
        if !cfg.externals.namespaces.iter().any(|n| n == ns) {
            cfg.externals.namespaces.push(ns.to_string());
        }
    }
}
