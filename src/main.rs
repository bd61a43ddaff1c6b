//! The `gwlint` command: parse the command line, run the library, print, set the exit code.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use gwlint::config::{self, Config, Severity};
use gwlint::report::{self, Format};
use gwlint::rules;

const EXAMPLES: &str = "Examples:
  gwlint check .                              lint the repository in the current directory
  gwlint check deploy/ --format sarif -o gwlint.sarif
  helm template ./chart | gwlint check - --stdin-filename chart.yaml
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
    /// Show the documentation of a rule, by id or name.
    Explain { rule: String },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum OutFormat {
    Human,
    Json,
    Sarif,
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
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input. Default: the current directory.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Configuration file (default: .gwlint.yaml in the linted directory or an ancestor).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any .gwlint.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Run only these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Never run these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Path to show for standard input.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Explain skipped paths on standard error.
    #[arg(long, short = 'v')]
    verbose: bool,
}

/// `gwlint PATH…` means `gwlint check PATH…`.
fn with_default_command(mut args: Vec<String>) -> Vec<String> {
    let known = [
        "check",
        "explain",
        "rules",
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

fn check(args: CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let known = |n: &str| rules::find(n).map(|r| r.id);
    let config_path = if args.no_config {
        None
    } else {
        match &args.config {
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
        Some(p) => match config::load(p, &known) {
            Ok(c) => c,
            Err(e) => return usage_error(&e.to_string()),
        },
        None => Config::default(),
    };
    let select = match resolve_rules(&args.select) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let ignore = match resolve_rules(&args.ignore) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            return usage_error(&format!("cannot read standard input: {e}"));
        }
        Some(buf)
    } else {
        None
    };
    let fail_on = match (args.fail_on, cfg.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some("warning")) => FailOn::Warning,
        (None, Some("info")) => FailOn::Info,
        (None, Some("never")) => FailOn::Never,
        _ => FailOn::Error,
    };
    let opts = gwlint::Options {
        paths,
        stdin_filename: args.stdin_filename.clone(),
        config: cfg,
        select,
        ignore,
    };
    let outcome = gwlint::lint(&opts, stdin);
    if args.verbose {
        if let Some(p) = &config_path {
            eprintln!("gwlint: configuration {}", p.display());
        }
        for n in &outcome.notes {
            eprintln!("gwlint: {n}");
        }
        eprintln!(
            "gwlint: {} files, {} documents, {} objects",
            outcome.files.len(),
            outcome.documents,
            outcome.objects
        );
        let stages: Vec<String> = outcome
            .timings
            .iter()
            .map(|(stage, t)| format!("{stage} {:.1} ms", t.as_secs_f64() * 1000.0))
            .collect();
        eprintln!("gwlint: time: {}", stages.join(", "));
    }
    for e in &outcome.io_errors {
        eprintln!("gwlint: error: {e}");
    }
    let format = match args.format {
        OutFormat::Human => Format::Human,
        OutFormat::Json => Format::Json,
        OutFormat::Sarif => Format::Sarif,
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = report::render(&outcome, format, color);
    let written = match &args.output {
        Some(p) => std::fs::write(p, text.as_bytes()).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    };
    if let Err(e) = written {
        return usage_error(&e);
    }
    if !outcome.io_errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.diagnostics.iter().any(|d| d.severity >= t));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

// Most of a run is many small allocations (YAML scalars, keys, model strings) made and freed
// from two threads; mimalloc handles that pattern markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
