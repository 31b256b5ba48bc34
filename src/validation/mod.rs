//! Validation against published studies (issue 7): driftlab reproduces classic results from
//! public data, side by side with the published figures, and explains the differences.
//!
//! * [`trinity`]: Cooley, Hubbard and Walz (1998, Table 3; 2011 update), success rates over
//!   the grid of mixes, horizons and withdrawal rates, on Damodaran's annual data.
//! * [`bengen`]: Bengen (1994), the maximum sustainable rate per start year (bisection on
//!   the engine) and SAFEMAX for 50/50 over 30 years.
//! * [`vanguard`]: Jaconetti, Kinniry and Zilbering (2010), the 60/40 table of monitoring
//!   frequency x threshold, on Shiller's monthly data.
//! * [`ern`]: Early Retirement Now, safe withdrawal rates part 1, 50/50 at 4% for 30 years
//!   on monthly data 1871-2015.
//! * [`published`]: the transcribed published figures, with their sources.
//!
//! Every study builds its simulations from scenario TOML text (the stable interface) and
//! runs them with [`crate::engine::run`] or [`crate::engine::simulate_one_path`]; only the
//! Vanguard study steps one path itself, to measure the average stock weight, and checks
//! that its stepping agrees with the engine's. Historical rolling windows involve no random
//! numbers, so every figure here is exact and reproducible.
//!
//! `driftlab validate-studies` prints every generated table of `VALIDATION.md`; with
//! `--write VALIDATION.md` it rewrites the generated sections (between
//! `<!-- generated:begin ID -->` and `<!-- generated:end ID -->`) in place, and with
//! `--check VALIDATION.md` it fails (exit code 1) when they are out of date.

pub mod bengen;
pub mod ern;
pub mod guyton_klinger;
pub mod published;
pub mod trinity;
pub mod vanguard;

use crate::cli::Failure;
use crate::metrics::RunResults;
use crate::scenario::{self, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors here are bugs in a study definition (a scenario we wrote is rejected) or I/O.
pub type StudyResult<T> = Result<T, String>;

/// Parses scenario text written by a study.
pub fn parse_toml(src: &str, label: &str) -> StudyResult<Scenario> {
    scenario::parse(
        src,
        &format!("<validation:{label}>"),
        label,
        Path::new("scenarios/validation"),
    )
    .map_err(|e| format!("validation scenario `{label}` was rejected: {e}\n{src}"))
}

/// Parses and runs scenario text.
pub fn run_toml(src: &str, label: &str) -> StudyResult<RunResults> {
    let sc = parse_toml(src, label)?;
    Ok(crate::engine::run(&sc.simulation, &|_| {}))
}

/// One generated block of `VALIDATION.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The marker id, e.g. `trinity-1998`.
    pub id: &'static str,
    /// Markdown, ending with a newline.
    pub markdown: String,
}

/// Every study's results.
pub struct Studies {
    pub trinity: trinity::Trinity,
    pub bengen: bengen::Bengen,
    pub vanguard: Vec<vanguard::Measured>,
    pub ern: ern::Ern,
}

/// Computes every study (the Trinity grids in parallel with the rest).
pub fn compute_all() -> StudyResult<Studies> {
    let (trinity, rest) = rayon::join(trinity::compute_all, || -> StudyResult<_> {
        Ok((bengen::compute()?, vanguard::replay()?, ern::compute()?))
    });
    let (bengen, vanguard, ern) = rest?;
    Ok(Studies {
        trinity: trinity?,
        bengen,
        vanguard,
        ern,
    })
}

/// The one-table summary at the top of VALIDATION.md.
pub fn summary(s: &Studies) -> Section {
    use published::{BENGEN_SAFEMAX, BENGEN_WORST_YEAR, ERN_SUCCESS_50_50_4PCT_30Y, VANGUARD_2010};
    use std::fmt::Write as _;
    let mut m = String::new();
    let _ = writeln!(
        m,
        "| study | figure | published | driftlab | difference | the test asserts |\n|---|---|---|---|---|---|"
    );
    for (i, paper) in [&s.trinity.y1998, &s.trinity.y2011].into_iter().enumerate() {
        let g = paper.headline();
        let t = g.table;
        let met = |mae: f64| {
            if mae <= trinity::MAE_TARGET_PP {
                "met"
            } else {
                "**not met**"
            }
        };
        // The papers' timing first: it is the headline.
        let timings = std::iter::once(trinity::PAPER_TIMING).chain(
            trinity::ALL_TIMINGS
                .into_iter()
                .filter(|&t| t != trinity::PAPER_TIMING),
        );
        for (k, timing) in timings.enumerate() {
            let grid = paper.grid(timing, trinity::BONDS);
            let (study, figure) = if k == 0 {
                (
                    format!(" {} ", t.title),
                    format!(
                        "mean abs. difference, all 200 cells, engine with the papers' {} (annual steps)",
                        timing.short()
                    ),
                )
            } else {
                (" ".to_string(), format!("the same with {}", timing.short()))
            };
            let _ = writeln!(
                m,
                "|{study}| {figure} | | | {:.2} pp | at most {} pp (issue target {} pp: {}) |",
                grid.mae(),
                trinity::MAE_TOLERANCE_PP[timing.index()][i],
                trinity::MAE_TARGET_PP,
                met(grid.mae())
            );
        }
        let _ = writeln!(
            m,
            "| | the papers' timing, 50/50 row (40 cells) | | | {:.2} pp | at most {} pp |",
            g.mae_mix(2),
            trinity::MAE_TOLERANCE_50_50_PP
        );
        let (p, o) = (f64::from(t.rates[2][3][1]), g.ours[2][3][1]);
        let _ = writeln!(
            m,
            "| | 50/50, 4%, 30 years (papers' timing) | {p:.0}% | {o:.0}% | {} pp | within 3 pp |",
            signed(o - p, 0)
        );
    }
    let (bf, bl) = s.bengen.bengen_years();
    let (safe, worst) = s.bengen.safemax(bf, bl);
    let _ = writeln!(
        m,
        "| Bengen (1994) | SAFEMAX, 50/50, 30 years (starts {bf}-{bl}) | {BENGEN_SAFEMAX:.2}% | {} | {} pp | within {} pp |",
        pct(safe, 2),
        signed(100.0 * safe - BENGEN_SAFEMAX, 2),
        bengen::SAFEMAX_TOLERANCE_PP
    );
    let _ = writeln!(
        m,
        "| | worst start year | {BENGEN_WORST_YEAR} | {worst} | {} | the same year |",
        worst - BENGEN_WORST_YEAR
    );
    let monthly = &s.vanguard[0];
    let never = s.vanguard.last();
    let _ = writeln!(
        m,
        "| Vanguard (2010) | rebalancing events, monthly at 0% | {} | {} | {} | 1,008, and the whole table's shape |",
        VANGUARD_2010[0].events.unwrap_or(0),
        monthly.events,
        i64::from(monthly.events) - i64::from(VANGUARD_2010[0].events.unwrap_or(0))
    );
    if let (Some(n), Some(p)) = (never, VANGUARD_2010[12].avg_equity_pct) {
        let _ = writeln!(
            m,
            "| | average stock weight, never rebalanced | {p:.1}% | {:.1}% | {} pp | within 5 pp |",
            100.0 * n.avg_equity,
            signed(100.0 * n.avg_equity - p, 1)
        );
    }
    let e = s.ern.success_pct();
    let _ = writeln!(
        m,
        "| ERN SWR part 1 | success, 50/50, 4%, 30 years, 1871-2015 | about {ERN_SUCCESS_50_50_4PCT_30Y:.0}% | {e:.2}% | {} pp | within {} pp |",
        signed(e - ERN_SUCCESS_50_50_4PCT_30Y, 2),
        ern::TOLERANCE_PP
    );
    let gk = guyton_klinger::compute();
    let _ = writeln!(
        m,
        "| Guyton-Klinger (2006) | withdrawals on a hand-made path, {} years | by hand | driftlab | largest difference ${:.2} | within half a cent |",
        guyton_klinger::PATH.len(),
        guyton_klinger::max_error(&gk)
    );
    Section {
        id: "summary",
        markdown: m,
    }
}

/// Every generated section, in document order.
pub fn sections(s: &Studies) -> Vec<Section> {
    let mut out = vec![summary(s)];
    out.extend(trinity::sections(&s.trinity));
    out.extend(bengen::sections(&s.bengen));
    out.extend(vanguard::sections(&s.vanguard));
    out.extend(ern::sections(&s.ern));
    out.extend(guyton_klinger::sections(&guyton_klinger::compute()));
    out
}

/// Computes every study and renders every generated section, in document order.
pub fn generate() -> StudyResult<Vec<Section>> {
    Ok(sections(&compute_all()?))
}

pub fn begin_marker(id: &str) -> String {
    format!("<!-- generated:begin {id} -->")
}

pub fn end_marker(id: &str) -> String {
    format!("<!-- generated:end {id} -->")
}

/// Byte range of the text between the markers of `id` (after the begin marker's line, up
/// to the end marker).
fn section_range(doc: &str, id: &str) -> StudyResult<std::ops::Range<usize>> {
    let begin = begin_marker(id);
    let end = end_marker(id);
    let b = doc
        .find(&begin)
        .ok_or_else(|| format!("marker `{begin}` not found"))?;
    let after_begin = doc[b..]
        .find('\n')
        .map(|i| b + i + 1)
        .ok_or_else(|| format!("nothing after `{begin}`"))?;
    let e = doc[after_begin..]
        .find(&end)
        .map(|i| after_begin + i)
        .ok_or_else(|| format!("marker `{end}` not found after `{begin}`"))?;
    if doc[after_begin..].matches(&begin).count() > 0 {
        return Err(format!("marker `{begin}` appears twice"));
    }
    Ok(after_begin..e)
}

/// The committed text of one generated section.
pub fn extract<'a>(doc: &'a str, id: &str) -> StudyResult<&'a str> {
    Ok(&doc[section_range(doc, id)?])
}

/// `doc` with every section's text replaced by its new markdown.
pub fn splice(doc: &str, sections: &[Section]) -> StudyResult<String> {
    let mut out = doc.to_string();
    for s in sections {
        let range = section_range(&out, s.id)?;
        out.replace_range(range, &s.markdown);
    }
    Ok(out)
}

/// `driftlab validate-studies` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateStudiesArgs {
    /// Rewrite the generated sections of this file (e.g. VALIDATION.md) in place.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Exit with code 1 if the generated sections of this file are not what the code
    /// computes now.
    #[arg(long, value_name = "FILE", conflicts_with = "write")]
    pub check: Option<PathBuf>,
}

/// Exit code of `--check` when the document is out of date.
pub const EXIT_STALE: u8 = 1;

fn failure(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// Entry point of `driftlab validate-studies`.
pub fn run_command(args: &ValidateStudiesArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let sections = generate().map_err(|m| failure(101, m))?;
    let write = |text: &str, out: &mut dyn Write| -> Result<(), Failure> {
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(failure(
                crate::cli::EXIT_OUTPUT,
                format!("cannot write to stdout: {e}"),
            )),
        }
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            failure(
                crate::cli::EXIT_INPUT,
                format!("cannot read {}: {e}", path.display()),
            )
        })
    };
    if let Some(path) = &args.write {
        let doc = read(path)?;
        let new = splice(&doc, &sections)
            .map_err(|m| failure(crate::cli::EXIT_INPUT, format!("{}: {m}", path.display())))?;
        if new != doc {
            std::fs::write(path, &new).map_err(|e| {
                failure(
                    crate::cli::EXIT_OUTPUT,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
        }
        let msg = format!(
            "{}: {} generated sections {}\n",
            path.display(),
            sections.len(),
            if new != doc {
                "rewritten"
            } else {
                "already up to date"
            }
        );
        return write(&msg, out);
    }
    if let Some(path) = &args.check {
        let doc = read(path)?;
        let stale: Vec<&str> = sections
            .iter()
            .filter(|s| !extract(&doc, s.id).is_ok_and(|t| t == s.markdown))
            .map(|s| s.id)
            .collect();
        if stale.is_empty() {
            return write(
                &format!(
                    "{}: all {} generated sections are up to date\n",
                    path.display(),
                    sections.len()
                ),
                out,
            );
        }
        return Err(failure(
            EXIT_STALE,
            format!(
                "{}: out of date: {}; run `driftlab validate-studies --write {}`",
                path.display(),
                stale.join(", "),
                path.display()
            ),
        ));
    }
    let mut text = String::new();
    for s in &sections {
        text.push_str(&begin_marker(s.id));
        text.push('\n');
        text.push_str(&s.markdown);
        text.push_str(&end_marker(s.id));
        text.push_str("\n\n");
    }
    write(&text, out)
}

/// `x` in percent with `decimals` decimals, e.g. `pct(0.0415, 2)` = "4.15%".
pub fn pct(x: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, 100.0 * x)
}

/// A signed difference in percentage points, e.g. "+1.2", "−0.4" (ASCII minus).
pub fn signed(x: f64, decimals: usize) -> String {
    let s = format!("{:+.*}", decimals, x);
    // "-0" and "+0" read the same; print zero without a sign.
    if s.trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches(['+', '-']).to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_between_markers() {
        let doc = "intro\n<!-- generated:begin a -->\nold\n<!-- generated:end a -->\nmiddle\n<!-- generated:begin b -->\n<!-- generated:end b -->\nend\n";
        let sections = vec![
            Section {
                id: "a",
                markdown: "new a\n".into(),
            },
            Section {
                id: "b",
                markdown: "new b\n".into(),
            },
        ];
        let out = splice(doc, &sections).unwrap();
        assert_eq!(
            out,
            "intro\n<!-- generated:begin a -->\nnew a\n<!-- generated:end a -->\nmiddle\n<!-- generated:begin b -->\nnew b\n<!-- generated:end b -->\nend\n"
        );
        assert_eq!(extract(&out, "a").unwrap(), "new a\n");
        assert_eq!(splice(&out, &sections).unwrap(), out);
        assert!(splice("no markers", &sections).is_err());
    }

    #[test]
    fn signed_drops_the_sign_of_zero() {
        assert_eq!(signed(0.0, 0), "0");
        assert_eq!(signed(-0.2, 0), "0");
        assert_eq!(signed(2.4, 0), "+2");
        assert_eq!(signed(-3.6, 1), "-3.6");
    }
}
