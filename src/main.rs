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
  gwlint check --root . apps/shop/route.yaml  pre-commit: load the repo, report these files
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
    /// Load the whole repository at DIR for the graph, but report only findings in PATHs
    /// (pre-commit mode).
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
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
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

fn resolve_rules(names: &[String]) -> Result<Vec<String>, String> {
    names
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| {
            rules::find(n)
                .map(|r| r.id.to_string())
                .ok_or_else(|| format!("unknown rule `{n}` (see `gwlint rules`)"))
        })
        .collect()
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("gwlint: error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    gwlint::process::no_transparent_huge_pages();
    gwlint::process::prompt_purge();
    let args = with_default_command(std::env::args().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Explain { rule } => explain(&rule),
        Command::Rules { format } => list_rules(format),
        Command::Check(args) => check(args),
        Command::Graph(args) => graph(args),
        Command::Init { dir, force } => init(&dir, force),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "gwlint", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

fn explain(rule: &str) -> ExitCode {
    match rules::find(rule) {
        Some(r) => {
            println!("# {} {} ({})\n\n{}\n", r.id, r.name, r.severity, r.summary);
            println!("{}", r.body.trim());
            ExitCode::SUCCESS
        }
        None => usage_error(&format!("unknown rule `{rule}` (see `gwlint rules`)")),
    }
}

fn list_rules(format: ListFormat) -> ExitCode {
    match format {
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
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
        ListFormat::Human => {
            for r in rules::all() {
                println!(
                    "{:<8} {:<36} {:<8} {}",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                );
            }
        }
    }
    ExitCode::SUCCESS
}

const STARTER: &str = include_str!("starter-config.yaml");

fn init(dir: &Path, force: bool) -> ExitCode {
    let path = dir.join(config::FILE_NAME);
    if path.exists() && !force {
        return usage_error(&format!(
            "{} exists (use --force to overwrite)",
            path.display()
        ));
    }
    match std::fs::write(&path, STARTER) {
        Ok(()) => {
            eprintln!("gwlint: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&format!("{}: {e}", path.display())),
    }
}

/// Options, standard input and the configuration file used.
type Prepared = (gwlint::Options, Option<Vec<u8>>, Option<PathBuf>);

/// Options and standard input from the shared input arguments.
fn prepare(input: &InputArgs) -> Result<Prepared, ExitCode> {
    let mut paths = if input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        input.paths.clone()
    };
    let mut report_only = None;
    if let Some(root) = &input.root {
        // Pre-commit hands over the changed files; the graph needs the whole repository.
        report_only = (!input.paths.is_empty()).then(|| paths.clone());
        paths = vec![root.clone()];
    }
    let known = |n: &str| rules::find(n).map(|r| r.id);
    let config_path = if input.no_config {
        None
    } else {
        match &input.config {
            Some(p) => Some(p.clone()),
            None => {
                let start = paths
                    .iter()
                    .find(|p| p.as_os_str() != "-")
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from("."));
                config::discover(&start)
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
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| usage_error(&format!("cannot read standard input: {e}")))?;
        Some(buf)
    } else {
        None
    };
    let opts = gwlint::Options {
        paths,
        stdin_filename: input.stdin_filename.clone(),
        config: cfg,
        select,
        ignore,
        baseline: None,
        report_only,
    };
    Ok((opts, stdin, config_path))
}

fn verbose_notes(outcome: &gwlint::Outcome, config_path: &Option<PathBuf>, cfg: &Config) {
    if let Some(p) = config_path {
        eprintln!("gwlint: configuration {}", p.display());
    }
    for n in &outcome.notes {
        eprintln!("gwlint: {n}");
    }
    for &i in &outcome.unused_config_ignores {
        let e = &cfg.ignore[i];
        eprintln!(
            "gwlint: unused `ignore` entry for {} at line {} of the configuration",
            e.rule, e.at.0
        );
    }
    eprintln!(
        "gwlint: {} files, {} documents, {} objects, {} findings suppressed, {} in the baseline",
        outcome.statuses.len(),
        outcome.documents,
        outcome.objects,
        outcome.suppressed,
        outcome.baselined
    );
    let stages: Vec<String> = outcome
        .timings
        .iter()
        .map(|(stage, t)| format!("{stage} {:.1} ms", t.as_secs_f64() * 1000.0))
        .collect();
    eprintln!("gwlint: time: {}", stages.join(", "));
}

/// Writes to the file, or to standard output without one, through one buffer; errors name where.
fn write_out(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let buffered = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        write(&mut out)?;
        out.flush()
    };
    match path {
        Some(p) => std::fs::File::create(p)
            .and_then(|mut f| buffered(&mut f))
            .map_err(|e| format!("{}: {e}", p.display())),
        None => {
            buffered(&mut std::io::stdout().lock()).map_err(|e| format!("standard output: {e}"))
        }
    }
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
    let (mut opts, stdin, config_path) = match prepare(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Some(b) = &args.baseline {
        match gwlint::baseline::read(b) {
            Ok(set) => opts.baseline = Some(set),
            Err(e) => return usage_error(&e),
        }
    }
    let fail_on = match (args.fail_on, opts.config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some("warning")) => FailOn::Warning,
        (None, Some("info")) => FailOn::Info,
        (None, Some("never")) => FailOn::Never,
        _ => FailOn::Error,
    };
    let mut outcome = gwlint::lint(&opts, stdin);
    outcome.fail_on = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    if args.input.verbose {
        verbose_notes(&outcome, &config_path, &opts.config);
    }
    for e in &outcome.io_errors {
        eprintln!("gwlint: error: {e}");
    }
    if let Some(path) = &args.write_baseline {
        if let Err(e) = gwlint::baseline::write(&outcome, path) {
            return usage_error(&format!("{}: {e}", path.display()));
        }
        eprintln!(
            "gwlint: recorded {} findings in {}",
            outcome.diagnostics.len(),
            path.display()
        );
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
        let look = report::Look { color, width };
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
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn graph(args: GraphArgs) -> ExitCode {
    let (opts, stdin, config_path) = match prepare(&args.input) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let format = match args.format {
        GraphFmt::Dot => GraphFormat::Dot,
        GraphFmt::Mermaid => GraphFormat::Mermaid,
        GraphFmt::Json => GraphFormat::Json,
    };
    let filter = Filter {
        namespace: args.namespace.clone(),
        gateway: args.gateway.clone(),
    };
    let (outcome, text) = gwlint::lint_then(&opts, stdin, |outcome, g| {
        report::graph::render(outcome, g, format, &filter)
    });
    if args.input.verbose {
        verbose_notes(&outcome, &config_path, &opts.config);
    }
    for e in &outcome.io_errors {
        eprintln!("gwlint: error: {e}");
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
