//! A fuzzer for the scenario and holdings loaders that runs on stable Rust (cargo-fuzz needs
//! nightly). A generator-and-mutator: random byte strings, and structured mutations of the
//! shipped scenarios, holdings files and the bad-input corpus (delete or duplicate lines, swap
//! values between keys, numbers replaced by extremes such as -0, 1e308, nan and huge integers,
//! values of the wrong type, stray brackets and quotes, truncation at random points, lines
//! spliced from another file). Every input goes through `driftlab::scenario::parse` and
//! `driftlab::plan::Holdings::parse`; whatever parses is pushed further (a tiny simulation for a
//! scenario, a plan in every mode for holdings). Nothing may panic.
//!
//! * `fuzz_bounded` (CI): the regression inputs plus a few thousand cases, a few seconds.
//! * `fuzz_long` (ignored): runs for `DRIFTLAB_FUZZ_SECS` seconds (default 60), e.g.
//!   `DRIFTLAB_FUZZ_SECS=600 cargo test --release --test it fuzz_long -- --ignored --nocapture`.
//!   `DRIFTLAB_FUZZ_SEED` picks the random stream; crashing inputs are written to
//!   `DRIFTLAB_FUZZ_OUT` (default: a temporary folder) and the run fails if there are any.
//!
//! A crash found here is a defect: fix it and keep the input in `tests/bad_inputs/fuzz/`.

use super::*;
use driftlab::plan::{Date, Options, PlanMode, planner};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// splitmix64: small, fast and deterministic; no dependency on rand's API.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Numbers that break naive code.
const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-0.0",
    "1",
    "-1",
    "2",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "4.9e-324",
    "1e-320",
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "4294967295",
    "4294967296",
    "5000000",
    "5000001",
    "150",
    "151",
    "1000000000000",
    "0.5",
    "0.9999999999",
    "1.0000001",
    "1e-9",
    "0x7fffffff",
    "0o777",
    "0b101",
    "1_000_000",
    "3.",
    ".5",
    "1e",
];

/// Values of other types and shapes.
const ODD_VALUES: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\"..\"",
    "\"/\"",
    "\"\\u0000\"",
    "\"é🙂\"",
    "\"17000.005\"",
    "\"-0.00\"",
    "\"$1,234.56\"",
    "\"75%\"",
    "\"2026-02-29\"",
    "true",
    "false",
    "[]",
    "[[]]",
    "[1, 2]",
    "[[1.0, 0.5], [0.5, 1.0]]",
    "[[1.0, 2.0], [2.0, 1.0]]",
    "[1928, 2025]",
    "[2025, 1928]",
    "[-5, 99999]",
    "{}",
    "{ a = 1 }",
    "1979-05-27",
    "2026-02-30",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "'''\nmulti\n'''",
];

/// Characters that break TOML structure.
const STRAY: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    "\n",
    "#",
    ",",
    ".",
    "\\",
    "\t",
    "\r\n",
    "\u{feff}",
    "é",
    "💥",
    "\u{0}",
    " = ",
    "[asset]",
    "[[strategy]]",
    "[[accounts]]",
];

/// Long strings and odd names for string values.
fn long_string(rng: &mut Rng) -> String {
    let n = *rng.pick(&[255usize, 256, 4096, 70_000]);
    format!("\"{}\"", "a".repeat(n))
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E' | '_')
}

/// Byte ranges of the number-like tokens in `s`.
fn numbers(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let mut start = i;
            if start > 0 && (bytes[start - 1] == b'-' || bytes[start - 1] == b'+') {
                start -= 1;
            }
            let mut end = i;
            while end < bytes.len() && is_number_char(bytes[end] as char) {
                end += 1;
            }
            out.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The largest char boundary at or below `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One structured mutation of `text`.
fn mutate(rng: &mut Rng, text: &str, seeds: &[String]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let n = lines.len().max(1);
    match rng.below(13) {
        // Delete a line.
        0 => {
            if !lines.is_empty() {
                lines.remove(rng.below(n).min(lines.len() - 1));
            }
            lines.join("\n")
        }
        // Duplicate a line (a duplicate key, or a second table header).
        1 => {
            let i = rng.below(n).min(lines.len().saturating_sub(1));
            let line = lines.get(i).cloned().unwrap_or_default();
            let at = rng.below(n + 1).min(lines.len());
            lines.insert(at, line);
            lines.join("\n")
        }
        // Swap the values of two `key = value` lines.
        2 => {
            let kv: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#'))
                .collect();
            if kv.len() >= 2 {
                let a = *rng.pick(&kv);
                let b = *rng.pick(&kv);
                let (ka, va) = lines[a]
                    .split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .unwrap_or_default();
                let (kb, vb) = lines[b]
                    .split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .unwrap_or_default();
                lines[a] = format!("{ka}={vb}");
                lines[b] = format!("{kb}={va}");
            }
            lines.join("\n")
        }
        // A number replaced by an extreme one.
        3 | 4 => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let (s, e) = *rng.pick(&nums);
            let replacement = match text[s..e].replace('_', "").parse::<f64>() {
                // A nearby value half the time: still valid more often, so the case reaches
                // the later checks and the simulation.
                Ok(x) if rng.chance(50) => {
                    let y = match rng.below(5) {
                        0 => x * 2.0,
                        1 => x / 2.0,
                        2 => x + 1.0,
                        3 => x - 1.0,
                        _ => 0.0,
                    };
                    if text[s..e].contains(['.', 'e', 'E']) {
                        format!("{y:?}")
                    } else {
                        format!("{}", y as i64)
                    }
                }
                _ => rng.pick(EXTREME_NUMBERS).to_string(),
            };
            format!("{}{replacement}{}", &text[..s], &text[e..])
        }
        // A value replaced by one of another type.
        5 => {
            let kv: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('='))
                .collect();
            if kv.is_empty() {
                return text.to_string();
            }
            let i = *rng.pick(&kv);
            let key = lines[i]
                .split_once('=')
                .map(|(k, _)| k.to_string())
                .unwrap_or_default();
            let value = if rng.chance(15) {
                long_string(rng)
            } else {
                rng.pick(ODD_VALUES).to_string()
            };
            lines[i] = format!("{key}= {value}");
            lines.join("\n")
        }
        // Stray structural characters.
        6 | 7 => {
            let at = floor(text, rng.below(text.len() + 1));
            format!("{}{}{}", &text[..at], rng.pick(STRAY), &text[at..])
        }
        // Truncate at a random point.
        8 => text[..floor(text, rng.below(text.len() + 1))].to_string(),
        // Delete a random span.
        9 => {
            let a = floor(text, rng.below(text.len() + 1));
            let b = floor(text, a + rng.below(64));
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        // Splice lines from another seed (crossover).
        10 => {
            let other: Vec<&str> = rng.pick(seeds).split('\n').collect();
            let from = rng.below(other.len());
            let len = 1 + rng.below(8);
            let piece = other[from..(from + len).min(other.len())].join("\n");
            let at = rng.below(n + 1).min(lines.len());
            lines.insert(at, piece);
            lines.join("\n")
        }
        // Rename a key or a table.
        11 => {
            let names = [
                "asset",
                "strategy",
                "market",
                "simulation",
                "accounts",
                "lots",
                "target",
                "paths",
                "years",
                "band",
                "name",
                "model",
                "holdings",
                "amount",
                "basis",
            ];
            let (a, b) = (rng.pick(&names), rng.pick(&names));
            text.replacen(a, b, 1 + rng.below(3))
        }
        // Repeat a block many times (many strategies, assets or accounts).
        _ => {
            let i = rng.below(n).min(lines.len().saturating_sub(1));
            let block = lines[i..(i + 6).min(lines.len())].join("\n");
            let times = 1 + rng.below(40);
            lines.insert(
                i,
                std::iter::repeat_n(block, times)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            lines.join("\n")
        }
    }
}

/// Random text: arbitrary bytes (made UTF-8), or TOML-ish tokens.
fn random_text(rng: &mut Rng) -> String {
    let len = rng.below(300);
    if rng.chance(50) {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        let tokens = [
            "version = 1\n",
            "[market]\n",
            "model = \"parametric\"\n",
            "[[asset]]\n",
            "name = \"a\"\n",
            "target = 1\n",
            "mean = 0.05\n",
            "vol = 0.1\n",
            "[[strategy]]\n",
            "rebalance = \"none\"\n",
            "[target]\n",
            "stocks = \"100\"\n",
            "[[accounts]]\n",
            "kind = \"taxable\"\n",
            "holdings = { stocks = \"1.00\" }\n",
            "[[accounts.lots]]\n",
            "asset = \"stocks\"\n",
            "acquired = 2020-01-01\n",
            "amount = \"1.00\"\n",
            "basis = \"2.00\"\n",
            "= ",
            "[",
            "]",
            "\"",
            "\n",
            "#",
        ];
        (0..len / 8).map(|_| *rng.pick(&tokens)).collect()
    }
}

/// What happened to one input.
#[derive(Default, Debug)]
struct Tally {
    executions: u64,
    scenarios_ok: u64,
    holdings_ok: u64,
    simulated: u64,
    plans: u64,
    crashes: Vec<(String, String)>,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic)".into())
}

/// Runs one input through both loaders and beyond; a panic is recorded as a crash.
fn execute(text: &str, base: &Path, tally: &mut Tally) {
    tally.executions += 1;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut outcome = (false, false, false, 0u64);
        if let Ok(mut sc) = driftlab::scenario::parse(text, "fuzz.toml", "fuzz", base) {
            outcome.0 = true;
            // A tiny run of whatever validates, within a work budget.
            let sim = &mut sc.simulation;
            sim.paths = sim.paths.min(3);
            let work =
                sim.path_count() as u64 * u64::from(sim.steps()) * sim.strategies.len() as u64;
            if work <= 400_000 {
                let r = driftlab::engine::run(sim, &|_| {});
                assert_eq!(r.strategies.len(), sim.strategies.len());
                let _ = driftlab::report::summary_json(&r).expect("summary.json serializes");
                outcome.2 = true;
            }
        }
        if let Ok(h) = driftlab::plan::Holdings::parse("fuzz.toml", text) {
            outcome.1 = true;
            for mode in [
                PlanMode::Rebalance,
                PlanMode::Contributions,
                PlanMode::OverContribution,
                PlanMode::Bands,
            ] {
                let options = Options {
                    mode: Some(mode),
                    plan_date: Date::parse("2026-03-02"),
                    ..Options::default()
                };
                if let Ok(plan) = planner::build(&h, &options) {
                    outcome.3 += 1;
                    let _ = driftlab::plan::render::human(&plan);
                    let mut sink = Vec::new();
                    let _ = driftlab::plan::render::json(&plan, &mut sink);
                    let _ = driftlab::plan::render::csv(&plan, &mut sink);
                }
            }
        }
        outcome
    }));
    match result {
        Ok((s, h, sim, plans)) => {
            tally.scenarios_ok += u64::from(s);
            tally.holdings_ok += u64::from(h);
            tally.simulated += u64::from(sim);
            tally.plans += plans;
        }
        Err(p) => tally.crashes.push((text.to_string(), panic_message(&*p))),
    }
}

fn read_dir_texts(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|e| e == "toml")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push(text);
        }
    }
}

/// The starting points: shipped scenarios and holdings, the bad-input corpus, a few valid
/// scenarios of every market model, and the kept crash inputs.
fn seeds() -> Vec<String> {
    let mut out = Vec::new();
    read_dir_texts(&repo().join("scenarios"), &mut out);
    for d in ["scenarios", "holdings", "fuzz"] {
        read_dir_texts(&repo().join("tests/bad_inputs").join(d), &mut out);
    }
    let parametric = r#"version = 1
[simulation]
paths = 10
years = 3
[market]
model = "parametric"
distribution = "student_t"
degrees_of_freedom = 4
correlations = [[1.0, 0.2], [0.2, 1.0]]
inflation_vol = 0.01
[[asset]]
name = "a"
target = 0.7
mean = 0.06
vol = 0.15
initial_weight = 0.9
expense_ratio = 0.001
[[asset]]
name = "b"
target = 0.3
mean = 0.02
vol = 0.05
initial_weight = 0.1
[cash_flows]
retire_after_years = 1
contribution = 1000
withdrawal_amount = 30000
[[strategy]]
name = "edge"
rebalance = "hybrid"
frequency = "quarterly"
band = 0.05
relative_band = 0.25
to = "band_edge"
contributions = "most_underweight"
withdrawals = "most_overweight"
"#;
    out.push(parametric.to_string());
    for (model, extra, step) in [
        (
            "historical",
            "dataset = \"damodaran\"\nperiod = [1990, 2000]",
            "annual",
        ),
        (
            "historical",
            "dataset = \"damodaran\"\ndata_file = \"data/gap.csv\"",
            "annual",
        ),
        (
            "bootstrap",
            "dataset = \"shiller\"\nblock_length = 12",
            "monthly",
        ),
        (
            "parametric",
            "estimate_from = \"damodaran\"\nperiod = [1950, 2020]",
            "annual",
        ),
    ] {
        out.push(format!(
            "version = 1\n[simulation]\npaths = 5\nyears = 3\nstep = \"{step}\"\n[market]\nmodel = \"{model}\"\n{extra}\n[[asset]]\nname = \"s\"\ntarget = 0.6\nseries = \"us_stocks\"\n[[asset]]\nname = \"b\"\ntarget = 0.4\nseries = \"tbonds_10y\"\n[[strategy]]\nname = \"t\"\nrebalance = \"threshold\"\nband = 0.05\n"
        ));
    }
    out
}

/// The seeds split into those that load (a valid scenario or holdings file) and the rest.
struct Seeds {
    all: Vec<String>,
    valid: Vec<String>,
}

impl Seeds {
    fn new() -> Self {
        let all = seeds();
        let valid = all
            .iter()
            .filter(|t| {
                driftlab::scenario::parse(t, "seed.toml", "seed", &base()).is_ok()
                    || driftlab::plan::Holdings::parse("seed.toml", t).is_ok()
            })
            .cloned()
            .collect();
        Seeds { all, valid }
    }
}

/// One fuzz case: a random string (5%), or one to four mutations of a seed. Valid seeds are
/// picked three times in four, and mostly mutated once or twice, so that most cases get past
/// the TOML parser into the validation of values and combinations.
fn case(rng: &mut Rng, seeds: &Seeds) -> String {
    if rng.chance(5) {
        return random_text(rng);
    }
    let from = if rng.chance(75) && !seeds.valid.is_empty() {
        &seeds.valid
    } else {
        &seeds.all
    };
    let mut text = rng.pick(from).clone();
    let rounds = match rng.below(10) {
        0..=4 => 1,
        5..=7 => 2,
        _ => 3 + rng.below(2),
    };
    for _ in 0..rounds {
        text = mutate(rng, &text, &seeds.all);
    }
    text
}

/// The folder data files of mutated scenarios are resolved against (the corpus CSVs).
fn base() -> PathBuf {
    repo().join("tests/bad_inputs/scenarios")
}

fn report(tally: &Tally, elapsed: Duration, seed: u64) {
    println!(
        "fuzz: seed {seed}: {} executions in {:.1} s ({:.0}/s); {} scenarios and {} holdings files parsed, {} simulated, {} plans built; {} crashes",
        tally.executions,
        elapsed.as_secs_f64(),
        tally.executions as f64 / elapsed.as_secs_f64().max(1e-9),
        tally.scenarios_ok,
        tally.holdings_ok,
        tally.simulated,
        tally.plans,
        tally.crashes.len()
    );
}

fn assert_no_crashes(tally: &Tally, out: Option<&Path>) {
    if tally.crashes.is_empty() {
        return;
    }
    let mut summary = String::new();
    for (k, (text, message)) in tally.crashes.iter().enumerate() {
        if let Some(dir) = out {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("crash-{k}.toml")), text);
        }
        if k < 5 {
            summary.push_str(&format!("--- panic: {message}\n{text}\n"));
        }
    }
    panic!(
        "{} inputs panicked{}:\n{summary}",
        tally.crashes.len(),
        out.map(|d| format!(" (written to {})", d.display()))
            .unwrap_or_default()
    );
}

#[test]
fn fuzz_bounded() {
    let seeds = Seeds::new();
    let mut tally = Tally::default();
    let started = Instant::now();
    // Every seed and kept crash input as it is, then mutations.
    for s in &seeds.all {
        execute(s, &base(), &mut tally);
    }
    let seed = 20261122;
    let mut rng = Rng(seed);
    for _ in 0..2000 {
        let text = case(&mut rng, &seeds);
        execute(&text, &base(), &mut tally);
    }
    report(&tally, started.elapsed(), seed);
    assert!(tally.scenarios_ok > 0 && tally.holdings_ok > 0, "{tally:?}");
    let out = std::env::temp_dir().join(format!("driftlab-fuzz-bounded-{}", std::process::id()));
    assert_no_crashes(&tally, Some(&out));
}

#[test]
#[ignore = "long: DRIFTLAB_FUZZ_SECS=600 cargo test --release --test it fuzz_long -- --ignored --nocapture"]
fn fuzz_long() {
    let secs: u64 = std::env::var("DRIFTLAB_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("DRIFTLAB_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let out = std::env::var_os("DRIFTLAB_FUZZ_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("driftlab-fuzz-{seed}")));
    let seeds = Seeds::new();
    println!(
        "fuzz: {} seeds ({} valid), {secs} s, crashes to {}",
        seeds.all.len(),
        seeds.valid.len(),
        out.display()
    );
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut next_report = started + Duration::from_secs(60);
    while Instant::now() < deadline {
        for _ in 0..100 {
            let text = case(&mut rng, &seeds);
            execute(&text, &base(), &mut tally);
        }
        if Instant::now() >= next_report {
            report(&tally, started.elapsed(), seed);
            next_report += Duration::from_secs(60);
        }
    }
    report(&tally, started.elapsed(), seed);
    assert_no_crashes(&tally, Some(&out));
}
