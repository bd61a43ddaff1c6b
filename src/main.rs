//! The `gwlint` command: parse the command line, run the library, print, set the exit code.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use gwlint::config::{self, Config, Severity};
use gwlint::report::graph::{Filter, GraphFormat};
use gwlint::report::{self, Format};
use gwlint::rules;

const EXAMPLES: &str = "Examples:
  gwlint check .                              lint the repository in the current directory
  gwlint check deploy/ --format sarif -o gwlint.sarif
  gwlint check . --format human --format sarif=gwlint.sarif --format junit=gwlint.xml
  helm template ./chart | gwlint check - --stdin-filename chart.yaml
  gwlint check --new-from-rev HEAD            report only findings the last commit did not have
  gwlint check --root . apps/shop/route.yaml  load the repo, report these files (or directories)
  gwlint check --root . - --stdin-filename apps/shop/route.yaml < buffer   lint an unsaved buffer
  gwlint check . --write-baseline .gwlint-baseline.json; gwlint check . --baseline .gwlint-baseline.json
  gwlint graph . --format dot --gateway gateway-system/edge | dot -Tsvg > graph.svg
  gwlint explain GW101                        show a rule's documentation
  gwlint rules --format json                  list every rule";

#[derive(Parser, Debug)]
#[command(name = "gwlint", version, about = "Offline linter for Gateway API, Istio, cert-manager and External Secrets manifests", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint files and directories (the default command).
    Check(CheckArgs),
    /// Print the reference graph (Graphviz DOT, Mermaid or JSON) with findings marked.
    Graph(GraphArgs),
    /// Show the documentation of a rule, by id or name.
    Explain { rule: String },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Write a commented starter .gwlint.yaml.
    Init {
        /// Directory to write it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
    /// Run the language server (LSP over standard input and output) for editors.
    Server {
        /// Accepted for clients that pass it (standard input and output is the only transport).
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct InputArgs {
    /// Files or directories to lint; `-` reads standard input. Default: the current directory.
    paths: Vec<PathBuf>,
    /// Configuration file (default: .gwlint.yaml in the linted directory or an ancestor).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any .gwlint.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Run only these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Never run these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Path to show for standard input.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Load the whole repository at DIR for the graph, but report only findings in PATHs (files
    /// or directories inside DIR; `-` with --stdin-filename FILE: standard input replaces FILE).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Explain skipped paths, the configuration and stage timings on standard error.
    #[arg(long, short = 'v')]
    verbose: bool,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format: human, concise, json, sarif, github or junit; `FORMAT=FILE` writes that format to
    /// FILE. Repeat for several reports in one run.
    #[arg(long, value_name = "FORMAT[=FILE]", default_value = "human")]
    format: Vec<String>,
    /// Write the report (of the format given without `=FILE`) to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file (and exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Report only findings that the tree at git revision REV does not have (read with git,
    /// linted with the same configuration).
    #[arg(long, value_name = "REV", conflicts_with = "write_baseline")]
    new_from_rev: Option<String>,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Apply the safe fixes of the findings, lint again, and report what remains.
    #[arg(long, conflicts_with = "write_baseline")]
    fix: bool,
    /// Count unsafe fixes as fixable too, and with --fix or --diff apply them (they change
    /// meaning or widen access: review them).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 when there is a diff.
    #[arg(long, conflicts_with_all = ["write_baseline", "fix"])]
    diff: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum GraphFmt {
    Dot,
    Mermaid,
    Json,
}

#[derive(clap::Args, Debug)]
struct GraphArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Graph format.
    #[arg(long, value_enum, default_value_t = GraphFmt::Dot)]
    format: GraphFmt,
    /// Draw only objects in this namespace (and their direct references).
    #[arg(long)]
    namespace: Option<String>,
    /// Draw only this Gateway (`namespace/name`) and what is within three references of it.
    #[arg(long)]
    gateway: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `gwlint PATH…` means `gwlint check PATH…`.
fn with_default_command(mut args: Vec<String>) -> Vec<String> {
    let known = [
        "check",
        "graph",
        "explain",
        "rules",
        "init",
        "completions",
        "server",
        "help",
        "-h",
        "--help",
        "-V",
        "--version",
    ];
    match args.get(1) {
        Some(a) if known.contains(&a.as_str()) => {}
        _ => args.insert(1, "check".into()),
    }
    args
}

/// Rule ids for `--select`/`--ignore`: each name is a rule id or name, or a prefix of ids (a
/// family such as `TLS`, or `GW1`), as ruff takes them.
fn resolve_rules(names: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for n in names.iter().filter(|n| !n.is_empty()) {
        if let Some(r) = rules::find(n) {
            out.push(r.id.to_string());
            continue;
        }
        let prefix = n.to_ascii_uppercase();
        let matched: Vec<String> = rules::all()
            .iter()
            .filter(|r| {
                prefix.chars().all(|c| c.is_ascii_alphanumeric()) && r.id.starts_with(&prefix)
            })
            .map(|r| r.id.to_string())
            .collect();
        if matched.is_empty() {
            return Err(format!(
                "unknown rule `{n}` (an id, a name or an id prefix such as TLS or GW1; see `gwlint rules`)"
            ));
        }
        out.extend(matched);
    }
    Ok(out)
}

/// One line on standard error, escaped. A closed or full standard error is ignored: there is
/// nowhere left to report it, and the exit code still tells.
fn say(msg: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "gwlint: {}",
        gwlint::escape::display(msg)
    );
}

fn usage_error(msg: &str) -> ExitCode {
    say(&format!("error: {msg}"));
    ExitCode::from(2)
}

/// Writes to standard output; a closed pipe or a full disk is exit 2 with a message (when
/// standard error still works), never a panic.
fn print_out(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> ExitCode {
    match write_out(None, write) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&e),
    }
}

fn main() -> ExitCode {
    gwlint::process::no_transparent_huge_pages();
    gwlint::process::prompt_purge();
    let args = with_default_command(std::env::args().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            if !e.use_stderr() {
                // --help, --version.
                return print_out(|out| out.write_all(text.as_bytes()));
            }
            // A usage error quotes the arguments, which may be file names from the repository
            // (a shell glob): escaped line by line like everything else on standard error.
            let mut err = std::io::stderr().lock();
            for line in text.lines() {
                let _ = writeln!(err, "{}", gwlint::escape::display(line));
            }
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => list_rules(format),
        Command::Check(args) => check(args),
        Command::Graph(args) => graph(args),
        Command::Init { dir, force } => init(&dir, force),
        Command::Server { stdio: _ } => match gwlint::server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                say(&format!("server: {e}"));
                ExitCode::from(2)
            }
        },
        Command::Completions { shell } => {
            // Generated into memory: the generator panics on a write error.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "gwlint", &mut script);
            print_out(|out| out.write_all(&script))
        }
    }
}

fn explain(rule: &str) -> ExitCode {
    match rules::find(rule) {
        Some(r) => print_out(|out| {
            writeln!(
                out,
                "# {} {} ({})\n\n{}\n",
                r.id, r.name, r.severity, r.summary
            )?;
            writeln!(out, "{}", r.body.trim())
        }),
        None => usage_error(&format!("unknown rule `{rule}` (see `gwlint rules`)")),
    }
}

fn list_rules(format: ListFormat) -> ExitCode {
    print_out(|out| match format {
        ListFormat::Json => {
            let list: Vec<_> = rules::all()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "name": r.name, "severity": r.severity.as_str(),
                        "family": r.family, "summary": r.summary,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)
        }
        ListFormat::Human => {
            for r in rules::all() {
                writeln!(
                    out,
                    "{:<8} {:<36} {:<8} {}",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                )?;
            }
            Ok(())
        }
    })
}

fn init(dir: &Path, force: bool) -> ExitCode {
    let path = dir.join(config::FILE_NAME);
    // symlink_metadata: a dangling link counts as existing (writing would create its target).
    if std::fs::symlink_metadata(&path).is_ok() && !force {
        return usage_error(&format!(
            "{} exists (use --force to overwrite)",
            path.display()
        ));
    }
    // Fitted to the repository: externals that only an installed chart provides, excludes for
    // manifests nothing deploys (src/init.rs).
    let text = gwlint::init::starter(&gwlint::init::survey(dir));
    match report::write_file(&path, |out| out.write_all(text.as_bytes())) {
        Ok(()) => {
            say(&format!("wrote {}", path.display()));
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&format!("{}: {e}", path.display())),
    }
}

/// What the shared input arguments come to.
struct Prepared {
    opts: gwlint::Options,
    /// Standard input, read up to one byte past `maxFileSize`.
    stdin: Option<Vec<u8>>,
    /// The configuration file used.
    config_path: Option<PathBuf>,
    /// Whether it was found rather than given (or refused): only then are the `.gwlint.yaml`
    /// files that do not apply worth a warning.
    discovered: bool,
    /// `.gwlint.yaml` files above the linted paths but below the repository root.
    unapplied: Vec<PathBuf>,
}

/// Options and standard input from the shared input arguments.
fn prepare(input: &InputArgs) -> Result<Prepared, ExitCode> {
    let mut paths = if input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        input.paths.clone()
    };
    let mut report_only = None;
    let mut stdin_filename = input.stdin_filename.clone();
    let mut stdin_in_repo = false;
    if let Some(root) = &input.root {
        // The graph needs the whole repository; the named paths are reported.
        let canon_root = match std::fs::canonicalize(root) {
            Ok(c) if c.is_dir() => c,
            Ok(_) => {
                return Err(usage_error(&format!(
                    "--root {}: not a directory",
                    root.display()
                )));
            }
            Err(e) => return Err(usage_error(&format!("--root {}: {e}", root.display()))),
        };
        let mut only = Vec::new();
        for p in &input.paths {
            if p.as_os_str() == "-" {
                let Some(name) = &input.stdin_filename else {
                    return Err(usage_error(
                        "--root with `-` needs --stdin-filename FILE: the file of the repository whose content standard input replaces",
                    ));
                };
                let rel = within_root(root, &canon_root, name, true)?;
                let shown = gwlint::discover::display_path(&root.join(rel));
                only.push(shown.clone());
                stdin_filename = Some(shown);
                stdin_in_repo = true;
            } else {
                only.push(root.join(within_root(root, &canon_root, p, false)?));
            }
        }
        report_only = (!input.paths.is_empty()).then_some(only);
        paths = vec![root.clone()];
        if stdin_in_repo {
            paths.push(PathBuf::from("-"));
        }
    }
    let known = |n: &str| rules::find(n).map(|r| r.id);
    let fs_paths: Vec<&PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").collect();
    let discovered = !input.no_config && input.config.is_none();
    let mut unapplied = Vec::new();
    let config_path = if input.no_config {
        None
    } else {
        match &input.config {
            // Given by the user: followed wherever it points (but read through the size limit).
            Some(p) => Some(p.clone()),
            None => {
                let dot = PathBuf::from(".");
                let start = fs_paths.first().copied().unwrap_or(&dot);
                // One configuration governs the run: the first path's repository's.
                let governing = config::config_root(start);
                for p in &fs_paths {
                    let root = config::config_root(p);
                    if root != governing {
                        say(&format!(
                            "warning: {} is not in the repository at {}, whose configuration governs the whole run",
                            p.display(),
                            governing.as_deref().unwrap_or(Path::new(".")).display()
                        ));
                    }
                    unapplied.extend(config::unapplied_above(p));
                }
                config::discover(start).map_err(|e| usage_error(&e.to_string()))?
            }
        }
    };
    let cfg = match &config_path {
        Some(p) => config::load(p, &known).map_err(|e| usage_error(&e.to_string()))?,
        None => Config::default(),
    };
    let select = resolve_rules(&input.select).map_err(|e| usage_error(&e))?;
    let ignore = resolve_rules(&input.ignore).map_err(|e| usage_error(&e))?;
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        // One byte past the limit is enough for the loader to skip it as oversized (YAML003),
        // as it does files; the rest is never read.
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .take(cfg.max_file_size.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| usage_error(&format!("cannot read standard input: {e}")))?;
        Some(buf)
    } else {
        None
    };
    let opts = gwlint::Options {
        paths,
        stdin_filename,
        config: cfg,
        select,
        ignore,
        baseline: None,
        report_only,
        explain_skips: input.verbose,
        stdin_in_repo,
        relabel: Vec::new(),
        overlay: None,
    };
    Ok(Prepared {
        opts,
        stdin,
        config_path,
        discovered,
        unapplied,
    })
}

/// Where `p` (a path given with `--root`) lies below the root, resolved; exit 2 when it does not
/// exist or lies outside. With `may_be_missing` (the file standard input stands for: a buffer not
/// saved yet), only its nearest existing ancestor must exist.
fn within_root(
    root: &Path,
    canon_root: &Path,
    p: &Path,
    may_be_missing: bool,
) -> Result<PathBuf, ExitCode> {
    let canon = match std::fs::canonicalize(p) {
        Ok(c) => c,
        Err(e) if may_be_missing && e.kind() == std::io::ErrorKind::NotFound => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let abs = gwlint::discover::lexical_abs(p, &cwd);
            let mut rest = Vec::new();
            let mut at = abs.as_path();
            loop {
                if let Ok(c) = std::fs::canonicalize(at) {
                    break rest.iter().rev().fold(c, |acc: PathBuf, n| acc.join(n));
                }
                match (at.file_name(), at.parent()) {
                    (Some(n), Some(parent)) => {
                        rest.push(n.to_os_string());
                        at = parent;
                    }
                    _ => return Err(usage_error(&format!("{}: {e}", p.display()))),
                }
            }
        }
        Err(e) => return Err(usage_error(&format!("{}: {e}", p.display()))),
    };
    match canon.strip_prefix(canon_root) {
        Ok(rel) => Ok(rel.to_path_buf()),
        Err(_) => Err(usage_error(&format!(
            "{} is outside the root {}",
            p.display(),
            root.display()
        ))),
    }
}

/// Warns about every `.gwlint.yaml` that is not the one in use: settings a user (or a pull
/// request) put there are not applied, and a silent no-op would look like they were.
fn warn_unapplied(outcome: &gwlint::Outcome, prepared: &Prepared) {
    if !prepared.discovered {
        return;
    }
    let used = prepared
        .config_path
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok());
    let mut seen = std::collections::HashSet::new();
    for p in prepared.unapplied.iter().chain(&outcome.config_files) {
        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if Some(&canon) == used.as_ref() || !seen.insert(canon) {
            continue;
        }
        let governing = match &prepared.config_path {
            Some(c) => format!("only {} applies", c.display()),
            None => "no configuration applies".to_string(),
        };
        say(&format!(
            "warning: {}: nested configuration not applied ({governing}: the repository root's .gwlint.yaml governs every file)",
            gwlint::discover::display_path(p).display()
        ));
    }
}

fn verbose_notes(outcome: &gwlint::Outcome, config_path: &Option<PathBuf>, cfg: &Config) {
    if let Some(p) = config_path {
        say(&format!("configuration {}", p.display()));
    }
    for n in &outcome.notes {
        say(n);
    }
    // Files the loader passed over (too large, binary, templates): the reason, once more here so
    // that every skip is explained in one place.
    for (file, status) in outcome.files.iter().zip(&outcome.statuses) {
        if let gwlint::load::FileStatus::Skipped { rule, reason } = status {
            say(&format!(
                "{}: skipped ({rule}): {reason}",
                file.path.display()
            ));
        }
    }
    for &i in &outcome.unused_config_ignores {
        let e = &cfg.ignore[i];
        say(&format!(
            "unused `ignore` entry for {} at line {} of the configuration",
            e.rule, e.at.0
        ));
    }
    say(&format!(
        "{} files, {} documents, {} objects, {} findings suppressed, {} in the baseline",
        outcome.statuses.len(),
        outcome.documents,
        outcome.objects,
        outcome.suppressed,
        outcome.baselined
    ));
    let stages: Vec<String> = outcome
        .timings
        .iter()
        .map(|(stage, t)| format!("{stage} {:.1} ms", t.as_secs_f64() * 1000.0))
        .collect();
    say(&format!("time: {}", stages.join(", ")));
}

/// Writes to the file, or to standard output without one; errors name where. Files are replaced
/// (written beside and renamed), never written through a symlink a repository may have planted.
fn write_out(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match path {
        Some(p) => {
            report::write_file(p, write).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}

/// When every path given is a file and none of them is YAML (`gwlint check README.md`): the
/// first of them. A named file is always linted, so this would lint nothing and say "No findings".
fn no_yaml_named(paths: &[PathBuf]) -> Option<&PathBuf> {
    let yaml = |p: &PathBuf| {
        p.as_os_str() == "-"
            || p.is_dir()
            || !p.is_file()
            || p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            || p.file_name().is_some_and(|n| n == "Kustomization")
    };
    (!paths.is_empty() && !paths.iter().any(yaml)).then(|| &paths[0])
}

fn check(args: CheckArgs) -> ExitCode {
    // Parse the report targets before doing any work, so a typo costs nothing.
    let mut targets: Vec<(Format, Option<PathBuf>)> = Vec::new();
    for spec in &args.format {
        let (name, file) = match spec.split_once('=') {
            Some((n, f)) => (n, Some(PathBuf::from(f))),
            None => (spec.as_str(), args.output.clone()),
        };
        let Some(format) = Format::parse(name) else {
            return usage_error(&format!(
                "unknown format `{name}` (human, concise, json, sarif, github, junit)"
            ));
        };
        targets.push((format, file));
    }
    if targets.iter().filter(|(_, f)| f.is_none()).count() > 1 {
        return usage_error(
            "only one report can go to standard output; give the others a file with FORMAT=FILE",
        );
    }
    if let Some(o) = &args.output {
        // `-o` goes to the formats written without `=FILE`; with none, it would be ignored.
        if args.format.iter().all(|f| f.contains('=')) {
            return usage_error(&format!(
                "-o {} names no report: every --format has its own file (drop -o, or a format's =FILE)",
                o.display()
            ));
        }
    }
    for (i, (_, a)) in targets.iter().enumerate() {
        if let Some(a) = a {
            if targets[..i].iter().any(|(_, b)| b.as_ref() == Some(a)) {
                return usage_error(&format!(
                    "two reports would be written to {}; give each format its own file",
                    a.display()
                ));
            }
        }
    }
    if let Some(file) = no_yaml_named(&args.input.paths) {
        return usage_error(&format!(
            "{} is not a YAML file (*.yaml, *.yml, *.json or Kustomization), and no other path was given",
            file.display()
        ));
    }
    let mut prepared = match prepare(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Some(b) = &args.baseline {
        match gwlint::baseline::read(b, prepared.opts.config.max_file_size) {
            Ok(set) => prepared.opts.baseline = Some(set),
            Err(e) => return usage_error(&e),
        }
    }
    // The findings at the revision, counted by fingerprint; its tree is removed once linted.
    let mut at_rev = None;
    if let Some(rev) = &args.new_from_rev {
        let started = std::time::Instant::now();
        let tree = match gwlint::newrev::RevTree::materialize(
            rev,
            &prepared.opts.paths,
            &prepared.opts.config,
        ) {
            Ok(t) => t,
            Err(e) => return usage_error(&e),
        };
        let written = started.elapsed();
        let old = gwlint::lint(&tree.options(&prepared.opts), None);
        let fingerprints = gwlint::newrev::fingerprints(&old);
        if args.input.verbose {
            say(&format!(
                "{rev}: {} files read from git in {:.1} ms, {} findings in {:.1} ms",
                tree.files,
                written.as_secs_f64() * 1000.0,
                old.diagnostics.len(),
                (started.elapsed() - written).as_secs_f64() * 1000.0
            ));
        }
        at_rev = Some(fingerprints);
    }
    let stdin = prepared.stdin.take();
    let opts = &prepared.opts;
    if (args.fix || args.diff) && opts.paths.iter().any(|p| p.as_os_str() == "-") {
        return usage_error(
            "--fix and --diff edit files of the repository; standard input has none to edit",
        );
    }
    let fail_on = match (args.fail_on, opts.config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some("warning")) => FailOn::Warning,
        (None, Some("info")) => FailOn::Info,
        (None, Some("never")) => FailOn::Never,
        _ => FailOn::Error,
    };
    let verbose = args.input.verbose;
    let lint = |o: &gwlint::Options, stdin: Option<Vec<u8>>| {
        let mut outcome = gwlint::lint(o, stdin);
        if let Some(old) = &at_rev {
            let dropped = gwlint::newrev::keep_new(&mut outcome, old);
            outcome.suppressed += dropped;
            if verbose {
                say(&format!(
                    "{dropped} findings also at the revision, not reported"
                ));
            }
        }
        outcome
    };
    let mut outcome = if args.fix || args.diff {
        let fixed = gwlint::fix::run::run(opts, args.unsafe_fixes, &mut |o| lint(o, None));
        for n in &fixed.notes {
            say(&format!("warning: {n}"));
        }
        if !fixed.converged {
            say(&format!(
                "warning: fixes were still being offered after {} rounds; the last round's are not applied",
                gwlint::fix::run::MAX_ROUNDS
            ));
        }
        if args.diff {
            return print_diff(&fixed);
        }
        let (written, errors) = gwlint::fix::run::write(&fixed.changes);
        for e in &errors {
            say(&format!("error: {e}"));
        }
        say(&fix_summary(&fixed, written.len()));
        if errors.is_empty() {
            fixed.outcome
        } else {
            // Some edits were not written: report what is on disk.
            let mut outcome = lint(opts, None);
            outcome.io_errors.extend(errors);
            outcome
        }
    } else {
        lint(opts, stdin)
    };
    outcome.fail_on = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    warn_unapplied(&outcome, &prepared);
    if args.input.verbose {
        verbose_notes(&outcome, &prepared.config_path, &opts.config);
    }
    for e in &outcome.io_errors {
        say(&format!("error: {e}"));
    }
    if outcome.statuses.is_empty() && outcome.io_errors.is_empty() {
        // Nothing was linted: say so rather than "No findings" alone.
        say(if args.input.paths.is_empty() {
            "warning: no YAML files found in the current directory"
        } else {
            "warning: no YAML files found in the given paths"
        });
    }
    if let Some(path) = &args.write_baseline {
        if let Err(e) = gwlint::baseline::write(&outcome, path) {
            return usage_error(&format!("cannot write {}: {e}", path.display()));
        }
        say(&format!(
            "recorded {} findings in {}",
            outcome.diagnostics.len(),
            path.display()
        ));
        return if outcome.io_errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    for (format, file) in &targets {
        let color = format == &Format::Human
            && match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    file.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
        // Written as it is made: a report can be larger than the model it describes.
        // Wrapped at the terminal's width on a terminal, at a fixed width elsewhere.
        let width = (file.is_none() && std::io::stdout().is_terminal())
            .then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
            .flatten();
        let look = report::Look {
            color,
            width,
            unsafe_fixes: args.unsafe_fixes,
        };
        let written = write_out(file.as_deref(), |out| {
            report::write_with(&outcome, *format, look, out)
        });
        if let Err(e) = written {
            return usage_error(&e);
        }
    }
    if !outcome.io_errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = outcome.fail_on;
    let failed = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    // The reports are written and flushed, and the process exits next: freeing every file's
    // text and every finding one by one is work nobody waits for (the library already frees
    // the model on a thread of its own).
    std::mem::forget(outcome);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `Fixed 3 findings in 2 files (GW108 ×2, YAML005).`
fn fix_summary(fixed: &gwlint::fix::run::Fixed, files: usize) -> String {
    let total = fixed.total();
    if total == 0 {
        return "no fixes applied".to_string();
    }
    let by_rule: Vec<String> = fixed
        .applied
        .iter()
        .map(|(rule, n)| match n {
            1 => rule.to_string(),
            n => format!("{rule} ×{n}"),
        })
        .collect();
    format!(
        "fixed {total} finding{} in {files} file{} ({})",
        if total == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        by_rule.join(", ")
    )
}

/// `--diff`: the unified diff on standard output, what it would fix on standard error; exit 1
/// when there is a diff, as ruff does.
fn print_diff(fixed: &gwlint::fix::run::Fixed) -> ExitCode {
    let shown: Vec<String> = fixed
        .changes
        .iter()
        .map(|c| c.path.to_string_lossy().replace('\\', "/"))
        .collect();
    let changes: Vec<gwlint::fix::diff::Change> = fixed
        .changes
        .iter()
        .zip(&shown)
        .map(|(c, path)| gwlint::fix::diff::Change {
            path,
            before: &c.original,
            before_hidden: &c.original_hidden,
            after: &c.text,
            after_hidden: &c.hidden,
        })
        .collect();
    if let Err(e) = write_out(None, |out| gwlint::fix::diff::write(&changes, out)) {
        return usage_error(&e);
    }
    let total = fixed.total();
    say(&if total == 0 {
        "no fixes available".to_string()
    } else {
        fix_summary(fixed, changes.len()).replacen("fixed", "would fix", 1)
    });
    if !fixed.outcome.io_errors.is_empty() {
        ExitCode::from(2)
    } else if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn graph(args: GraphArgs) -> ExitCode {
    let mut prepared = match prepare(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let stdin = prepared.stdin.take();
    let opts = &prepared.opts;
    let format = match args.format {
        GraphFmt::Dot => GraphFormat::Dot,
        GraphFmt::Mermaid => GraphFormat::Mermaid,
        GraphFmt::Json => GraphFormat::Json,
    };
    let filter = Filter {
        namespace: args.namespace.clone(),
        gateway: args.gateway.clone(),
    };
    let (outcome, (text, gateway_known)) = gwlint::lint_then(opts, stdin, |outcome, g| {
        let known = filter.gateway.as_deref().is_none_or(|want| {
            g.objects.iter().any(|o| {
                o.key.kind == "Gateway"
                    && o.key.group == gwlint::model::GATEWAY_GROUP
                    && format!("{}/{}", o.key.namespace, o.key.name) == want
            })
        });
        (report::graph::render(outcome, g, format, &filter), known)
    });
    warn_unapplied(&outcome, &prepared);
    if args.input.verbose {
        verbose_notes(&outcome, &prepared.config_path, &opts.config);
    }
    for e in &outcome.io_errors {
        say(&format!("error: {e}"));
    }
    if !gateway_known {
        return usage_error(&format!(
            "no Gateway `{}` in the input (give it as namespace/name)",
            filter.gateway.as_deref().unwrap_or("")
        ));
    }
    if let Err(e) = write_out(args.output.as_deref(), |out| out.write_all(text.as_bytes())) {
        return usage_error(&e);
    }
    if outcome.io_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

// Most of a run is many small allocations (YAML scalars, keys, model strings) made and freed
// from two threads; mimalloc handles that pattern markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
