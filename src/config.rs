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
    /// `namespace/name` of ServiceAccounts and ConfigMaps installed outside the repository.
    pub service_accounts: Vec<String>,
    pub config_maps: Vec<String>,
    /// Istio gateway workloads installed outside the repository, each
    /// `namespace/label=value[,label=value]` (the labels of its pods). Declaring any makes the
    /// set complete: an Istio Gateway selector that matches none of them, nor a workload in
    /// the repository, selects nothing (IST601).
    pub istio_gateway_workloads: Vec<String>,
}

/// ACME directories of public certificate authorities: they validate names through public DNS.
pub const PUBLIC_ACME_SERVERS: &[&str] = &[
    "https://acme-v02.api.letsencrypt.org/directory",
    "https://acme-staging-v02.api.letsencrypt.org/directory",
    "https://acme.zerossl.com/v2/DV90",
    "https://dv.acme-v02.api.pki.goog/directory",
    "https://dv.acme-v02.test-api.pki.goog/directory",
];

/// The GatewayClass names that other Gateway API implementations install with their charts or
/// document as the default, with the implementation: a Gateway of such a class is reconciled by
/// that controller, so GW112 does not call it unknown (gwlint cannot tell offline which one the
/// cluster runs; Istio-specific rules still run only on Istio-managed Gateways).
pub const IMPLEMENTATION_GATEWAY_CLASSES: &[(&str, &str)] = &[
    ("eg", "Envoy Gateway"),
    ("envoy-gateway", "Envoy Gateway"),
    ("cilium", "Cilium"),
    ("kgateway", "kgateway"),
    ("kgateway-waypoint", "kgateway"),
    ("gloo-gateway", "Gloo Gateway"),
    ("nginx", "NGINX Gateway Fabric"),
    ("traefik", "Traefik"),
    ("contour", "Contour"),
    ("kong", "Kong"),
    ("gke-l7-global-external-managed", "GKE"),
    ("gke-l7-global-external-managed-mc", "GKE"),
    ("gke-l7-regional-external-managed", "GKE"),
    ("gke-l7-regional-external-managed-mc", "GKE"),
    ("gke-l7-rilb", "GKE"),
    ("gke-l7-rilb-mc", "GKE"),
    ("gke-l7-gxlb", "GKE"),
    ("gke-l7-gxlb-mc", "GKE"),
    ("gke-l7-cross-regional-internal-managed-mc", "GKE"),
    (
        "azure-alb-external",
        "Azure Application Gateway for Containers",
    ),
    (
        "amazon-vpc-lattice",
        "AWS Gateway API Controller (VPC Lattice)",
    ),
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
    /// Whether the configuration set `externalSecrets` / `certManager`: when it did not, the
    /// versions the repository's own HelmReleases install are used (`crate::installed`).
    pub external_secrets_set: bool,
    pub cert_manager_set: bool,
    /// Whether the configuration (or its profile) set the Gateway API bundle or channel: when
    /// it did not, what the repository installs is used (`crate::installed`).
    pub gateway_api_set: bool,
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
            external_secrets_set: false,
            cert_manager_set: false,
            gateway_api_set: false,
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
    /// Lint files in test-data directories (`testdata`, `fixtures`, …) that no kustomization
    /// deploys; they are left out by default.
    pub lint_test_data: bool,
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
            lint_test_data: false,
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

/// The most a configuration file may hold. It is read before `maxFileSize` is known, and an
/// explicit `--config /dev/zero` must fail rather than exhaust memory.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// The longest key name an error message shows (in characters).
const SHOWN_KEY_CHARS: usize = 64;

/// A path with symlinks and `..` resolved (ancestors are then real ancestors); as given, made
/// absolute, when it cannot be resolved.
fn full_path(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .ok()
}

/// The repository a path belongs to: the nearest directory at or above it holding `.git`.
pub fn git_root(path: &Path) -> Option<PathBuf> {
    let abs = full_path(path)?;
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    repository_above(dir).map(Path::to_path_buf)
}

/// The nearest directory at or above `dir` holding `.git`, by the path as given (no resolving).
pub fn repository_above(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

/// The directory whose `.gwlint.yaml` governs a run over `path`: the repository root (the `.git`
/// boundary); without a repository, the working directory when `path` is inside it, else the
/// directory checked. A `.gwlint.yaml` further down never replaces it: otherwise a file added in
/// a pull request could switch every rule off for the whole run.
pub fn config_root(path: &Path) -> Option<PathBuf> {
    if let Some(root) = git_root(path) {
        return Some(root);
    }
    let abs = full_path(path)?;
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    match std::env::current_dir() {
        Ok(cwd) if dir.starts_with(&cwd) => Some(cwd),
        _ => Some(dir),
    }
}

/// The configuration for a run over `start`: `.gwlint.yaml` at [`config_root`], if any.
///
/// A symlink there is followed only when it resolves inside the root: a planted link to
/// `/etc/shadow` would otherwise be read (as root, in CI) and quoted in the error. Anything that
/// is not a regular file (a FIFO would block the run) is refused as well.
pub fn discover(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let Some(root) = config_root(start) else {
        return Ok(None);
    };
    let candidate = root.join(FILE_NAME);
    let refuse = |message: &str| ConfigError {
        path: candidate.clone(),
        line: 1,
        column: 1,
        message: message.to_string(),
    };
    let Ok(meta) = std::fs::symlink_metadata(&candidate) else {
        return Ok(None);
    };
    if meta.file_type().is_symlink() {
        let inside = match (
            std::fs::canonicalize(&candidate),
            std::fs::canonicalize(&root),
        ) {
            (Ok(target), Ok(root)) => target.starts_with(root),
            // A dangling link names nothing to read.
            _ => return Err(refuse("a symlink that does not resolve; not followed")),
        };
        if !inside {
            return Err(refuse(
                "a symlink that resolves outside the repository; not followed (give it with --config to use it)",
            ));
        }
    }
    if !candidate.is_file() {
        return Err(refuse("not a regular file; not read"));
    }
    Ok(Some(candidate))
}

/// `.gwlint.yaml` files between `start` and its [`config_root`] (not the root's own): they do
/// not apply, and the user is told so.
pub fn unapplied_above(start: &Path) -> Vec<PathBuf> {
    let (Some(root), Ok(abs)) = (config_root(start), full_path(start).ok_or(())) else {
        return Vec::new();
    };
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        match abs.parent() {
            Some(d) => d,
            None => return Vec::new(),
        }
    };
    dir.ancestors()
        .take_while(|d| *d != root && d.starts_with(&root))
        .map(|d| d.join(FILE_NAME))
        .filter(|c| std::fs::symlink_metadata(c).is_ok())
        .collect()
}

/// A key (or rule) name as an error shows it: at most 64 characters, control and bidirectional
/// characters escaped. A configuration may be a planted link to a secret file; errors never
/// quote more of it than a short name, and never anything that could drive a terminal or a CI
/// log.
pub fn shown(name: &str) -> String {
    let mut cut: String = name.chars().take(SHOWN_KEY_CHARS).collect();
    if cut.len() < name.len() {
        cut.push('…');
    }
    escape_controls(&cut)
}

/// Control characters (line breaks included) and bidirectional controls as `\u{1b}` escapes.
fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{2028}' | '\u{2029}')
        {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A loader message about a configuration file, with every `quoted` part passed through
/// [`shown`] (the duplicate-key message quotes the key).
fn shown_message(message: &str) -> String {
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&shown(part));
        } else {
            out.push_str(&escape_controls(part));
        }
    }
    out
}

const TOP_KEYS: &[&str] = &[
    "rules",
    "failOn",
    "externals",
    "allowExternalSecrets",
    "include",
    "exclude",
    "lintTestData",
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
    "serviceAccounts",
    "configMaps",
    "istioGatewayWorkloads",
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
    let bytes = crate::read_file_at_most(path, MAX_CONFIG_SIZE)
        .map_err(io_err)?
        .ok_or_else(|| ConfigError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!(
                "configuration is larger than the limit of {MAX_CONFIG_SIZE} bytes; not read"
            ),
        })?;
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
            message: shown_message(&message),
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
                        ctx.err(
                            rk,
                            format!("unknown rule `{}` (see `gwlint rules`)", shown(&name)),
                        )
                    })?;
                    let level = match &rv.value {
                        Value::Str(s) if &**s == "off" => RuleLevel::Off,
                        Value::Bool(false) => RuleLevel::Off,
                        // The value is not quoted back: only key names are ever shown.
                        Value::Str(s) => RuleLevel::Level(Severity::parse(s).ok_or_else(|| {
                            ctx.err(
                                rv,
                                format!(
                                    "the level of `{}` is not one of off, info, warning or error",
                                    shown(&name)
                                ),
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
            "lintTestData" => match v.value {
                Value::Bool(b) => cfg.lint_test_data = b,
                _ => return Err(ctx.err(v, "`lintTestData` must be true or false".into())),
            },
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
                            .ok_or_else(|| {
                                ctx.err(iv, format!("`ignore.{}` must be a string", shown(key)))
                            })?
                            .to_string();
                        match key {
                            "rule" => {
                                e.rule = known_rule(&val).ok_or_else(|| {
                                    ctx.err(
                                        iv,
                                        format!(
                                            "unknown rule `{}` (see `gwlint rules`)",
                                            shown(&val)
                                        ),
                                    )
                                })?;
                                has_rule = true;
                            }
                            "kind" | "namespace" | "name" | "path" => {
                                if let Err(err) = globset::Glob::new(&val) {
                                    return Err(ctx.err(
                                        iv,
                                        format!(
                                            "`ignore.{}` is not a valid glob: {}",
                                            shown(key),
                                            shown(&err.kind().to_string())
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
                                    format!("unknown key `ignore.{}` (expected one of: rule, kind, namespace, name, path)", shown(other)),
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
                                format!("unknown key `dns.{}` (expected one of: privateZones, publicZones)", shown(other)),
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
                                format!("unknown key `tls.{}` (expected one of: expiryWarningDays, publicAcmeServers)", shown(other)),
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
                                    "`targets.{}` must be a version such as \"1.4\" (quote it)",
                                    shown(key)
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
                            cfg.targets.gateway_api_set = true;
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
                            cfg.targets.gateway_api_set = true;
                            explicit_channel = true;
                        }
                        "externalSecrets" => {
                            cfg.targets.external_secrets = version()?;
                            cfg.targets.external_secrets_set = true;
                        }
                        "certManager" => {
                            cfg.targets.cert_manager = version()?;
                            cfg.targets.cert_manager_set = true;
                        }
                        "externalDNS" => cfg.targets.external_dns = Some(version()?),
                        "istioRevisions" => {
                            cfg.targets.istio_revisions =
                                ctx.string_list(tv, "targets.istioRevisions")?
                        }
                        other => {
                            return Err(ctx.err(
                                tk,
                                format!(
                                    "unknown key `targets.{}` (expected one of: {})",
                                    shown(other),
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
                    let list = ctx.string_list(ev, &shown(ekey))?;
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
                        "serviceAccounts" => &mut e.service_accounts,
                        "configMaps" => &mut e.config_maps,
                        "istioGatewayWorkloads" => &mut e.istio_gateway_workloads,
                        _ => {
                            return Err(ctx.err(
                                ek,
                                format!(
                                    "unknown key `externals.{}` (expected one of: {})",
                                    shown(ekey),
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
                        "unknown key `{}` (expected one of: {})",
                        shown(key),
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
    cfg.targets.gateway_api_set = true;
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
