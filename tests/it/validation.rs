//! Validation against published studies (issue 7): the numbers driftlab reproduces stay
//! within the stated tolerances of the published figures, the independent arithmetic agrees
//! with the engine, and VALIDATION.md is exactly what the code computes now.
//!
//! All studies use historical rolling windows (no random numbers), so every figure is
//! exact; the studies are computed once and shared by the tests below.

use super::*;
use driftlab::validation::published::{
    BENGEN_SAFEMAX, BENGEN_WORST_YEAR, ERN_SUCCESS_50_50_4PCT_30Y, TRINITY_1998, TRINITY_2011,
    VANGUARD_2010,
};
use driftlab::validation::trinity::{self, Grid, Timing};
use driftlab::validation::{self, Studies, bengen, ern, vanguard};
use std::sync::OnceLock;

fn studies() -> &'static Studies {
    static S: OnceLock<Studies> = OnceLock::new();
    S.get_or_init(|| validation::compute_all().expect("every study runs"))
}

#[test]
fn validation_md_is_what_the_code_computes() {
    let doc = std::fs::read_to_string(repo().join("VALIDATION.md")).unwrap();
    let mut stale = Vec::new();
    for s in validation::sections(studies()) {
        let committed = validation::extract(&doc, s.id).unwrap();
        if committed != s.markdown {
            stale.push(format!(
                "--- section {} (committed) ---\n{committed}--- computed ---\n{}",
                s.id, s.markdown
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "VALIDATION.md is out of date; run `cargo run --release -- validate-studies --write VALIDATION.md`\n{}",
        stale.join("\n")
    );
}

#[test]
fn trinity_grids_are_within_tolerance() {
    let t = &studies().trinity;
    for (i, p) in [&t.y1998, &t.y2011].into_iter().enumerate() {
        let g = p.headline();
        let key = g.table.key;
        assert_eq!((g.bonds, g.timing), (trinity::BONDS, trinity::PAPER_TIMING));
        assert_eq!(trinity::PAPER_TIMING, Timing::Monthly);
        // Every timing's grid with the chosen bonds, against its achieved figure.
        for timing in trinity::ALL_TIMINGS {
            let grid = p.grid(timing, trinity::BONDS);
            assert_eq!((grid.bonds, grid.timing), (trinity::BONDS, timing));
            let tol = trinity::MAE_TOLERANCE_PP[timing.index()][i];
            assert!(
                grid.mae() <= tol,
                "{key} {timing:?}: MAE {:.2} pp > {tol}",
                grid.mae()
            );
        }
        let fifty = g.mae_mix(2);
        assert!(
            fifty <= trinity::MAE_TOLERANCE_50_50_PP,
            "{key}: 50/50 MAE {fifty:.2} pp"
        );
        // The headline cell: 50/50, 4%, 30 years.
        let (pp, o) = (f64::from(g.table.rates[2][3][1]), g.ours[2][3][1]);
        assert!((o - pp).abs() <= 3.0, "{key}: 50/50 4% 30y {o:.1} vs {pp}");
        // The window counts: two fewer than the paper's (Damodaran starts in 1928).
        for h in 0..4 {
            assert_eq!(g.windows[h] + 2, g.table.windows[h] as usize, "{key} {h}");
        }
    }
    // With the papers' timing the 2011 grid meets the target and 1998 does not
    // (VALIDATION.md says why).
    assert!(t.y2011.headline().mae() <= trinity::MAE_TARGET_PP);
    assert!(t.y1998.headline().mae() > trinity::MAE_TARGET_PP);
}

fn assert_same(engine: &Grid, arithmetic: &Grid) {
    for m in 0..5 {
        for h in 0..4 {
            for r in 0..10 {
                let (e, a) = (engine.ours[m][h][r], arithmetic.ours[m][h][r]);
                assert!(
                    (e - a).abs() < 1e-9,
                    "{} {:?} {:?} mix {m} horizon {h} rate {r}: engine {e} vs arithmetic {a}",
                    engine.table.key,
                    engine.bonds,
                    engine.timing
                );
            }
        }
    }
}

#[test]
fn trinity_engine_equals_independent_arithmetic() {
    let t = &studies().trinity;
    for p in [&t.y1998, &t.y2011] {
        assert_eq!(p.grids.len(), trinity::ALL_TIMINGS.len());
        // Every timing and bond proxy: the engine (through `withdrawal_timing`) equals the
        // arithmetic, which pays monthly withdrawals month by month.
        for timing in trinity::ALL_TIMINGS {
            assert_eq!(p.grids[timing.index()].len(), trinity::ALL_BONDS.len());
            for b in trinity::ALL_BONDS {
                let g = p.grid(timing, b);
                assert_eq!((g.bonds, g.timing), (b, timing));
                let a = trinity::compute_outside_engine(g.table, b, timing).unwrap();
                assert_same(g, &a);
            }
        }
        // Withdrawals taken later in the year are easier to sustain: start of year <=
        // monthly <= end of year, cell by cell, for every bond proxy. (End of year real is
        // not ordered against the others: it pays more than end of year after inflation,
        // less after deflation.)
        for b in trinity::ALL_BONDS {
            let s = p.grid(Timing::StartOfYear, b);
            let mo = p.grid(Timing::Monthly, b);
            let e = p.grid(Timing::EndOfYear, b);
            for m in 0..5 {
                for h in 0..4 {
                    for r in 0..10 {
                        assert!(mo.ours[m][h][r] >= s.ours[m][h][r] - 1e-9);
                        assert!(e.ours[m][h][r] >= mo.ours[m][h][r] - 1e-9);
                    }
                }
            }
        }
    }
    assert_eq!(t.y1998.headline().table.key, TRINITY_1998.key);
    assert_eq!(t.y2011.headline().table.key, TRINITY_2011.key);
}

#[test]
fn trinity_grid_cells_are_what_a_full_engine_run_reports() {
    // The grids step each window with the engine's path function and count the survivors;
    // a full `engine::run` of the same scenario must report the same success rate. Checked
    // on the 50/50 row at 30 years, for every timing and both papers.
    let t = &studies().trinity;
    for p in [&t.y1998, &t.y2011] {
        for timing in trinity::ALL_TIMINGS {
            let g = p.grid(timing, trinity::BONDS);
            for r in 0..10 {
                let (paths, success) =
                    trinity::run_cell(g.table, (2, 3, r), trinity::BONDS, timing).unwrap();
                assert_eq!(paths, g.windows[3]);
                assert!(
                    (success - g.ours[2][3][r]).abs() < 1e-9,
                    "{} {timing:?} rate {r}: run {success} vs grid {}",
                    g.table.key,
                    g.ours[2][3][r]
                );
            }
        }
    }
}

#[test]
fn bengen_safemax_and_worst_year() {
    let b = &studies().bengen;
    let (from, to) = b.bengen_years();
    let (safemax, worst) = b.safemax(from, to);
    assert_eq!(worst, BENGEN_WORST_YEAR, "worst start year");
    assert!(
        (100.0 * safemax - BENGEN_SAFEMAX).abs() <= bengen::SAFEMAX_TOLERANCE_PP,
        "SAFEMAX {:.3}% vs {BENGEN_SAFEMAX}%",
        100.0 * safemax
    );
    // Bisection on the engine equals the closed form from the data, window by window.
    let exact = bengen::closed_form().unwrap();
    assert_eq!(exact.len(), b.by_year.len());
    for ((y, r), (ey, er)) in b.by_year.iter().zip(&exact) {
        assert_eq!(y, ey);
        assert!(
            (r - er).abs() < 1e-8,
            "{y}: bisection {r} vs closed form {er}"
        );
    }
    assert_eq!((b.first_year(), b.last_year()), (1928, 1996));
}

#[test]
fn vanguard_shape_holds_and_the_replay_is_the_engine() {
    let m = &studies().vanguard;
    let bad = vanguard::shape_violations(m);
    assert!(bad.is_empty(), "{bad:#?}");
    // The replay (which measures the average stock weight) steps exactly like the engine.
    let r = vanguard::engine_run().unwrap();
    assert_eq!(r.paths, 1, "one 84-year window");
    assert_eq!(r.strategies.len(), VANGUARD_2010.len());
    for (s, x) in r.strategies.iter().zip(m) {
        assert_eq!(s.rebalances_per_path, f64::from(x.events), "{}", s.name);
        assert!(
            (s.turnover_per_year - x.turnover_per_year).abs() < 1e-9,
            "{}: turnover {} vs {}",
            s.name,
            s.turnover_per_year,
            x.turnover_per_year
        );
        let terminal = s.terminal_nominal.p50 / 1_000_000.0;
        assert!(
            (terminal / x.terminal - 1.0).abs() < 1e-9,
            "{}: terminal {terminal} vs {}",
            s.name,
            x.terminal
        );
    }
    // Published vs driftlab, where the shape allows a number: returns within 1 pp on
    // average over the rebalanced columns, and never rebalancing near 84% stocks.
    let rebalanced: Vec<_> = VANGUARD_2010
        .iter()
        .zip(m)
        .filter(|(c, _)| c.monitor_months.is_some() && c.annualized_return_pct.is_some())
        .collect();
    let mean_return_diff = rebalanced
        .iter()
        .map(|(c, x)| 100.0 * x.cagr - c.annualized_return_pct.unwrap())
        .sum::<f64>()
        / rebalanced.len() as f64;
    assert!(mean_return_diff.abs() <= 1.0, "{mean_return_diff}");
    let never = m.last().unwrap();
    assert!((100.0 * never.avg_equity - 84.1).abs() <= 5.0);
}

#[test]
fn ern_success_rate() {
    let e = &studies().ern;
    assert!(
        (e.success_pct() - ERN_SUCCESS_50_50_4PCT_30Y).abs() <= ern::TOLERANCE_PP,
        "{:.2}%",
        e.success_pct()
    );
    assert_eq!(e.windows(), 1380);
}

#[test]
fn validate_studies_command_checks_the_document() {
    let dir = temp_dir("validate-studies");
    let doc = write(
        &dir,
        "doc.md",
        "# t\n<!-- generated:begin ern-part1 -->\nstale\n<!-- generated:end ern-part1 -->\n",
    );
    let o = driftlab(&["validate-studies", "--check", doc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of date"), "{}", stderr(&o));
}
