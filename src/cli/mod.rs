//! The `driftlab` command line: a thin shell over the library.
//!
//! Exit codes (also in `--help` and the README):
//! 0 success; 2 invalid input (usage, scenario, holdings or data file); 3 output could not
//! be written (including an existing report folder without `--force`); 101 a bug (panic);
//! 130 interrupted (Ctrl-C) with no report written.

pub mod interrupt;
mod table;
pub mod tax;

use crate::metrics::RunResults;
use crate::scenario::{self, MAX_PATHS, Scenario};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code: invalid input.
pub const EXIT_INPUT: u8 = 2;
/// Exit code: output could not be written.
pub const EXIT_OUTPUT: u8 = 3;
/// Most worker threads `--threads` accepts (more only costs memory and start-up time).
pub const MAX_THREADS: usize = 1024;

const EXIT_CODES: &str = "Exit codes: 0 success; 2 invalid input (usage, scenario, holdings or data file); \
3 output not written (e.g. the report folder exists and --force was not given); 101 internal error (a bug); \
130 interrupted (Ctrl-C): no report written and no temporary folder left.";

#[derive(Debug, Parser)]
#[command(
    name = "driftlab",
    version,
    about = "When to rebalance, where, what it costs, and what it does to the odds: Monte Carlo \
             and historical backtests of rebalancing and withdrawal rules.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: print a comparison table and write a report folder.
    Run(RunArgs),
    /// Check a scenario file without running it.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Exact trade list (to the cent) that brings today's holdings back to target.
    Plan(crate::plan::PlanArgs),
    /// Reproduce published studies and print (or rewrite) the tables of VALIDATION.md.
    ValidateStudies(crate::validation::ValidateStudiesArgs),
    /// Run a scenario on a grid of parameter values (same seed at every point); write a
    /// tidy table, a success-rate heatmap and report.html.
    Sweep(SweepArgs),
    /// One year's US federal income tax, exact to the cent, from income flags.
    Tax(tax::TaxArgs),
    /// Redraw the charts and report.html of a report folder from its saved tables, without
    /// simulating.
    Report {
        /// A folder written by `driftlab run` or `driftlab sweep`.
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Keys: TABLE.KEY (simulation, market, portfolio, cash_flows, household, \
taxes), asset.NAME.KEY, strategy.NAME.KEY or account.NAME.KEY (quote a name with a dot: \
asset.\"U.S. stocks\".target). \
Values: LO..HI:STEP, A,B,C or one value. Sweeping an asset's target rescales the other \
assets' targets in proportion, so targets still sum to 1."
)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A swept parameter, KEY=LO..HI:STEP (repeat for a grid), e.g.
    /// cash_flows.withdrawal_rate=0.03..0.06:0.0025
    #[arg(long = "param", value_name = "KEY=SPEC", required = true)]
    pub params: Vec<String>,
    #[command(flatten)]
    pub overrides: Overrides,
    /// Report folder (default: reports/<scenario name>-sweep).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing report folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The flags `run` and `sweep` share: what to simulate and on how many threads.
#[derive(Debug, clap::Args)]
pub struct Overrides {
    /// Override the number of Monte Carlo paths (at every grid point of a sweep).
    #[arg(long, env = "DRIFTLAB_PATHS")]
    pub paths: Option<u64>,
    /// Override the random seed (the same at every grid point of a sweep).
    #[arg(long, env = "DRIFTLAB_SEED")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, env = "DRIFTLAB_THREADS")]
    pub threads: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub overrides: Overrides,
    /// Report folder (default: reports/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Replace an existing report folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write only the summary (summary.csv, summary.json, run.json, scenario.toml): no
    /// yearly tables, charts or report.html, and no allocation-drift re-simulation.
    #[arg(long)]
    pub summary_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Human,
    /// The summary as JSON (the same document as summary.json).
    Json,
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_INPUT,
            message: message.into(),
        }
    }
    fn output(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_OUTPUT,
            message: message.into(),
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Run(_)) {
        interrupt::install();
    }
    let mut stdout = std::io::stdout().lock();
    match dispatch(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs a parsed command, writing its primary output to `out`.
pub fn dispatch(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run(&args, out),
        Command::Validate { scenario } => validate(&scenario, out),
        Command::Plan(args) => crate::plan::run_command(&args, out).map_err(|e| Failure {
            code: e.exit_code(),
            message: e.to_string(),
        }),
        Command::ValidateStudies(args) => crate::validation::run_command(&args, out),
        Command::Sweep(args) => sweep(&args, out),
        Command::Report { dir } => rerender(&dir, out),
        Command::Tax(args) => tax::run(&args, out),
    }
}

fn load(path: &Path) -> Result<Scenario, Failure> {
    scenario::load(path).map_err(|e| Failure::input(e.to_string()))
}

fn validate(path: &Path, out: &mut dyn Write) -> Result<(), Failure> {
    let sc = load(path)?;
    let sim = &sc.simulation;
    let line = format!(
        "{}: ok: scenario `{}`, {} assets, {} strategies, {} paths x {} years ({} steps per year), {}\n",
        path.display(),
        sc.name,
        sim.asset_names.len(),
        sim.strategies.len(),
        sim.path_count(),
        sim.years,
        sim.steps_per_year,
        sim.market.describe()
    );
    write_out(out, &line)
}

fn write_out(out: &mut dyn Write, text: &str) -> Result<(), Failure> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`driftlab run ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::output(format!("cannot write to stdout: {e}"))),
    }
}

/// Runs a scenario and writes its report; returns the results (used by tests).
pub fn run_scenario(args: &RunArgs) -> Result<(RunResults, PathBuf), Failure> {
    let mut sc = load(&args.scenario)?;
    if let Some(p) = paths_flag(args.overrides.paths, &args.scenario)? {
        sc.simulation.paths = p;
    }
    if let Some(seed) = args.overrides.seed {
        sc.simulation.seed = seed;
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&sc.name));
    refuse_existing(&out_dir, args.force)?;
    let pool = worker_pool(args.overrides.threads)?;

    let sim = &sc.simulation;
    let paths = sim.path_count() * (1 + sim.stresses.len());
    let bar = progress_bar(
        args.quiet,
        paths as u64,
        "{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len} paths ({per_sec}, eta {eta})",
        sc.name.clone(),
    );
    interrupt::begin_simulating();
    let results = pool.install(|| crate::engine::run_all(sim, &|n| bar.inc(n)));
    bar.finish_and_clear();

    // A few of the run's own paths again, recording weights, for the allocation-drift chart.
    let drift = (!args.summary_only)
        .then(|| crate::report::sample_allocation_drift(sim, crate::report::SAMPLE_PATHS));
    let interrupted = || Failure {
        code: interrupt::EXIT_INTERRUPTED,
        message: "interrupted: no report was written".into(),
    };
    if !interrupt::begin_writing(crate::report::temp_dir_for(&out_dir)) {
        return Err(interrupted());
    }
    let written = if args.summary_only {
        crate::report::write_summary_cancellable(
            &out_dir,
            &results,
            &sc.source,
            args.force,
            &interrupt::interrupted,
        )
    } else {
        crate::report::write_report_cancellable(
            &out_dir,
            &results,
            &sc.source,
            drift.as_ref(),
            args.force,
            &interrupt::interrupted,
        )
    };
    interrupt::finish_writing();
    written.map_err(|e| Failure {
        code: e.exit_code(),
        message: e.to_string(),
    })?;
    if interrupt::interrupted() {
        return Err(Failure {
            code: interrupt::EXIT_INTERRUPTED,
            message: format!(
                "interrupted after the report was complete: {} is whole",
                out_dir.display()
            ),
        });
    }
    Ok((results, out_dir))
}

fn run(args: &RunArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let (results, out_dir) = run_scenario(args)?;
    let text = match args.format {
        OutputFormat::Human => table::render(&results, &out_dir),
        OutputFormat::Json => {
            let mut s = crate::report::summary_json(&results)
                .map_err(|e| Failure::output(format!("cannot format JSON: {e}")))?;
            s.push('\n');
            s
        }
    };
    write_out(out, &text)
}

fn report_failure(e: crate::report::ReportError) -> Failure {
    Failure {
        code: e.exit_code(),
        message: e.to_string(),
    }
}

fn worker_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let threads = match threads {
        Some(t) if t == 0 || t > MAX_THREADS => {
            return Err(Failure::input(format!(
                "--threads {t}: use 1 to {MAX_THREADS}"
            )));
        }
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::output(format!("cannot start {threads} worker threads: {e}")))
}

/// `--paths`, checked against the engine's limit.
fn paths_flag(paths: Option<u64>, scenario: &Path) -> Result<Option<usize>, Failure> {
    match paths {
        Some(p) if p == 0 || p > MAX_PATHS as u64 => Err(Failure::input(format!(
            "--paths {p}: use 1 to {MAX_PATHS} (scenario {})",
            scenario.display()
        ))),
        p => Ok(p.map(|p| p as usize)),
    }
}

/// Refuses an existing report folder before any time is spent simulating.
fn refuse_existing(out_dir: &Path, force: bool) -> Result<(), Failure> {
    if out_dir.exists() && !force {
        return Err(Failure::output(format!(
            "the report folder {} already exists; pass --force to replace it",
            out_dir.display()
        )));
    }
    Ok(())
}

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
fn progress_bar(quiet: bool, total: u64, template: &str, message: String) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        b.set_style(style);
    }
    b.set_message(message);
    b
}

/// `driftlab sweep`: validates every grid point, runs them in order, writes the folder.
fn sweep(args: &SweepArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let params = args
        .params
        .iter()
        .map(|p| crate::sweep::parse_param(p).map_err(|e| Failure::input(format!("--param {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let paths = paths_flag(args.overrides.paths, &args.scenario)?;
    let over = crate::sweep::Overrides {
        paths,
        seed: args.overrides.seed,
    };
    let grid = crate::sweep::build(&args.scenario, params, over)
        .map_err(|e| Failure::input(e.to_string()))?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(format!("{}-sweep", grid.base.name)));
    refuse_existing(&out_dir, args.force)?;
    let pool = worker_pool(args.overrides.threads)?;
    let n = grid.points.len();
    let bar = progress_bar(
        args.quiet,
        grid.total_paths(),
        "{spinner} {msg} [{elapsed_precise}] {wide_bar} {percent}% (eta {eta})",
        format!("{}: grid point 1/{n}", grid.base.name),
    );
    let name = grid.base.name.clone();
    let results = pool.install(|| {
        grid.run(&|k| bar.inc(k), &mut |i| {
            bar.set_message(format!("{name}: grid point {}/{n}", (i + 2).min(n)))
        })
    });
    bar.finish_and_clear();
    crate::report::write_sweep_report(&out_dir, &results, &grid.base.source, args.force)
        .map_err(report_failure)?;
    let mut text = crate::sweep::render_text(&results);
    text.push_str(&format!("\nreport: {}\n", out_dir.display()));
    write_out(out, &text)
}

/// `driftlab report DIR`.
fn rerender(dir: &Path, out: &mut dyn Write) -> Result<(), Failure> {
    let files = crate::report::rerender(dir).map_err(report_failure)?;
    let mut text = format!("re-rendered {} ({} files)\n", dir.display(), files.len());
    for f in files {
        text.push_str(&format!("  {}\n", f.display()));
    }
    write_out(out, &text)
}
