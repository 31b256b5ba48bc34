//! Research reports end to end: report.html and the research charts from `driftlab run`,
//! `driftlab sweep` on common random numbers, `driftlab report DIR` without simulating, and
//! the page in headless Chromium.

use super::*;
use serde_json::Value;

/// A small, fast scenario: annual steps, three rules, withdrawals from the start.
const SMALL: &str = r#"version = 1
name = "small"
[simulation]
paths = 200
seed = 7
years = 10
step = "annual"
baseline = "annual"
[market]
model = "parametric"
[[asset]]
name = "stocks"
mean = 0.07
vol = 0.17
target = 0.6
[[asset]]
name = "bonds"
mean = 0.03
vol = 0.06
target = 0.4
[cash_flows]
withdrawal_rate = 0.05
[[strategy]]
name = "annual"
rebalance = "calendar"
frequency = "annual"
[[strategy]]
name = "band"
rebalance = "threshold"
band = 0.05
[[strategy]]
name = "never"
rebalance = "none"
"#;

fn run_small(dir: &Path, name: &str) -> PathBuf {
    let scenario = write(dir, "small.toml", SMALL);
    let out = dir.join(name);
    let o = driftlab(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn chart_stems(out: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|n| n.strip_suffix(".svg").map(str::to_string))
        .collect();
    stems.sort();
    stems
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn run_writes_html_research_charts_and_drift_table() {
    let dir = temp_dir("research-run");
    let out = run_small(&dir, "report");
    assert_eq!(
        chart_stems(&out),
        [
            "allocation_drift",
            "fan_real_wealth",
            "paired_differences",
            "rebalancing_activity",
            "retirement_outlook",
            "strategy_comparison",
            "success_rate",
            "terminal_wealth_cdf"
        ],
        "Monte Carlo with withdrawals: every chart but the start-date and stress ones"
    );
    for stem in chart_stems(&out) {
        assert!(out.join(format!("charts/{stem}.png")).is_file());
    }
    for f in [
        "report.html",
        "results.json",
        "terminal_real_sorted.parquet",
        "allocation_drift.csv",
        "allocation_drift.parquet",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }

    let html = read(&out.join("report.html"));
    for stem in chart_stems(&out) {
        assert!(
            html.contains(&format!("<figure id=\"fig-{stem}\"")),
            "report.html lacks {stem}"
        );
    }
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        chart_stems(&out).len()
    );
    for t in [
        "<th>Seed</th><td>7</td>",
        "driftlab run scenario.toml --seed 7 --paths 200",
        "withdrawal_rate = 0.05",
        "<td>band</td>",
        "Allocation drift on sample paths",
    ] {
        assert!(html.contains(t), "report.html lacks {t:?}");
    }

    // Golden allocation table: 3 strategies x 5 paths x 11 year ends (0..=10) x 2 assets.
    let text = read(&out.join("allocation_drift.csv"));
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("strategy,path,label,step,years,asset,target,weight")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3 * 5 * 11 * 2);
    let paths: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "annual" && r[3] == "0" && r[5] == "stocks")
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(paths, ["0", "50", "100", "149", "199"]);
    let stocks = |strategy: &str| -> Vec<f64> {
        rows.iter()
            .filter(|r| r[0] == strategy && r[5] == "stocks")
            .map(|r| r[7].parse().unwrap())
            .collect()
    };
    // Calendar-annual on annual steps trades back to target at every step's end.
    assert!(stocks("annual").iter().all(|w| (w - 0.6).abs() < 1e-12));
    // The 5pp band leaves every weight within the band after its look.
    assert!(
        stocks("band")
            .iter()
            .all(|w| (w - 0.6).abs() <= 0.05 + 1e-12)
    );
    // Never rebalancing drifts.
    assert!(stocks("never").iter().any(|w| (w - 0.6).abs() > 0.01));
    // Weights of a step sum to one.
    for pair in rows.chunks(2) {
        let sum: f64 = pair.iter().map(|r| r[7].parse::<f64>().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{pair:?}");
    }
}

#[test]
fn report_rerenders_from_saved_files_without_simulating() {
    let dir = temp_dir("research-rerender");
    let out = run_small(&dir, "report");
    let stems = chart_stems(&out);
    let svgs: Vec<Vec<u8>> = stems
        .iter()
        .map(|s| std::fs::read(out.join(format!("charts/{s}.svg"))).unwrap())
        .collect();
    let html = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();

    let o = driftlab(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("re-rendered"), "{}", stdout(&o));
    assert_eq!(chart_stems(&out), stems);
    for (s, bytes) in stems.iter().zip(&svgs) {
        assert!(
            &std::fs::read(out.join(format!("charts/{s}.svg"))).unwrap() == bytes,
            "{s}.svg differs after re-rendering"
        );
    }
    assert!(std::fs::read(out.join("report.html")).unwrap() == html);

    // What is drawn comes from the saved tables: change one and the page follows.
    let path = out.join("results.json");
    let mut v: Value = serde_json::from_str(&read(&path)).unwrap();
    v["strategies"][0]["success_rate"] = serde_json::json!(0.123);
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let o = driftlab(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&out.join("report.html")).contains("<td>12.3%</td>"));
    assert!(read(&out.join("charts/success_rate.svg")).contains("12.3%"));

    let o = driftlab(&["report", dir.join("missing").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = driftlab(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a driftlab report folder"),
        "{}",
        stderr(&o)
    );
}

/// The sweep's rows equal single runs with the same values: the same seed at every point.
#[test]
fn sweep_matches_single_runs_on_common_random_numbers() {
    let dir = temp_dir("research-sweep");
    let scenario = write(&dir, "small.toml", SMALL);
    let out = dir.join("sweep");
    let o = driftlab(&[
        "sweep",
        scenario.to_str().unwrap(),
        "--param",
        "cash_flows.withdrawal_rate=0.04..0.06:0.01",
        "--param",
        "asset.stocks.target=0.5,0.7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(
        table.contains("6 points x 3 strategies, 200 paths each, seed 7"),
        "{table}"
    );
    assert!(
        table.contains("cash_flows.withdrawal_rate  asset.stocks.target  annual"),
        "{table}"
    );
    for f in [
        "sweep.csv",
        "sweep.parquet",
        "sweep.json",
        "scenario.toml",
        "report.html",
        "charts/success_heatmap.png",
        "charts/success_heatmap.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    assert_eq!(read(&out.join("scenario.toml")), SMALL);

    let csv = read(&out.join("sweep.csv"));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..7],
        [
            "point",
            "cash_flows.withdrawal_rate",
            "asset.stocks.target",
            "strategy",
            "rule",
            "paths",
            "success_rate"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6 * 3);
    let firsts: Vec<String> = rows.iter().map(|r| r[..4].join(",")).collect();
    assert_eq!(firsts[0], "1,0.04,0.5,annual");
    assert_eq!(firsts[4], "2,0.04,0.7,band");
    assert_eq!(firsts[17], "6,0.06,0.7,never");

    // Point 3 is withdrawal 0.05 with stocks 0.5 (bonds rescaled from 0.4 to 0.5).
    let sweep: Value = serde_json::from_str(&read(&out.join("sweep.json"))).unwrap();
    assert_eq!(sweep["points"][2]["values"], serde_json::json!([0.05, 0.5]));
    let single = SMALL
        .replace("target = 0.6", "target = 0.5")
        .replace("target = 0.4", "target = 0.5");
    let single_path = write(&dir, "single.toml", &single);
    let o = driftlab(&[
        "run",
        single_path.to_str().unwrap(),
        "--out",
        dir.join("single").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sweep["points"][2]["strategies"], run["strategies"]);
    assert_eq!(sweep["points"][2]["pairs"], run["paired_differences"]);
    // A higher withdrawal rate never helps, path by path: success is monotone.
    let success = |k: usize| {
        sweep["points"][k]["strategies"][0]["success_rate"]
            .as_f64()
            .unwrap()
    };
    assert!(success(0) >= success(2) && success(2) >= success(4));

    let html = read(&out.join("report.html"));
    assert!(html.contains("<figure id=\"fig-success_heatmap\""));
    assert!(html.contains("--param 'asset.stocks.target=0.5,0.7'"));

    // `driftlab report` re-renders a sweep folder too.
    let before = std::fs::read(out.join("charts/success_heatmap.svg")).unwrap();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    let o = driftlab(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(out.join("charts/success_heatmap.svg")).unwrap() == before);
}

#[test]
fn sweep_input_errors_and_overwrite_rules() {
    let dir = temp_dir("research-sweep-errors");
    let scenario = write(&dir, "small.toml", SMALL);
    let s = scenario.to_str().unwrap();
    let out = dir.join("sweep");
    let o_arg = out.to_str().unwrap();
    for (param, want) in [
        ("cash_flows.withdrawal_rate=0.03..0.06", "needs a step"),
        ("withdrawal_rate=0.04", "TABLE.KEY"),
        ("asset.gold.target=0.1", "no [[asset]] is named `gold`"),
        (
            "cash_flows.withdrawl_rate=0.04",
            "unknown field `withdrawl_rate`",
        ),
        ("asset.stocks.target=1.5", "grid point 1"),
        ("simulation.seed=1..3:1", "--seed"),
    ] {
        let o = driftlab(&["sweep", s, "--param", param, "--out", o_arg]);
        assert_eq!(o.status.code(), Some(2), "{param}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{param}: {}", stderr(&o));
        assert!(!out.exists(), "{param}: nothing written on bad input");
    }
    let o = driftlab(&["sweep", s, "--out", o_arg]);
    assert_eq!(o.status.code(), Some(2), "--param is required");
    // The same --threads bound as `run` (a huge pool hung for minutes).
    for threads in ["0", "100000"] {
        let o = driftlab(&[
            "sweep",
            s,
            "--param",
            "simulation.years=5,10",
            "--threads",
            threads,
            "--out",
            o_arg,
        ]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--threads {threads}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(&format!("--threads {threads}: use 1 to 1024")),
            "{}",
            stderr(&o)
        );
        assert!(!out.exists());
    }

    let ok = [
        "sweep",
        s,
        "--param",
        "simulation.years=5,10",
        "--paths",
        "50",
        "--out",
        o_arg,
    ];
    let o = driftlab(&ok);
    assert!(o.status.success(), "{}", stderr(&o));
    // One parameter: a line chart.
    assert!(out.join("charts/success_by_parameter.svg").is_file());
    let o = driftlab(&ok);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let mut forced = ok.to_vec();
    forced.push("--force");
    let o = driftlab(&forced);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every checked-in research scenario validates (the README's figures come from them).
#[test]
fn research_scenarios_validate() {
    for s in [
        "scenarios/research-post.toml",
        "scenarios/research-post-mc.toml",
    ] {
        let o = driftlab(&["validate", s]);
        assert!(o.status.success(), "{s}: {}", stderr(&o));
    }
}

// ---------------------------------------------------------------------------------------
// Headless Chromium

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium headless on `url` with `extra` flags, in a fresh profile, with a time
/// limit; returns its output.
fn chromium(browser: &Path, profile: &Path, extra: &[&str], url: &str) -> Output {
    let mut args: Vec<String> = vec![
        "120".into(),
        browser.display().to_string(),
        "--headless".into(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(url.into());
    Command::new("timeout")
        .args(&args)
        .output()
        .expect("timeout and chromium run")
}

/// RGB pixels of a PNG.
fn png_pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let px = bytes.chunks(step).map(|c| [c[0], c[1], c[2]]).collect();
    (info.width, info.height, px)
}

#[test]
fn report_html_opens_in_headless_chromium() {
    let Some(browser) = find_chromium() else {
        if std::env::var_os("DRIFTLAB_REQUIRE_CHROMIUM").is_some() {
            panic!("DRIFTLAB_REQUIRE_CHROMIUM is set but no chromium is on PATH");
        }
        eprintln!(
            "SKIPPED report_html_opens_in_headless_chromium: no chromium on PATH \
             (install Debian's `chromium` package to run it; .ci/run does)"
        );
        return;
    };
    let dir = temp_dir("research-chromium");
    let out = run_small(&dir, "report");
    let url = format!("file://{}", out.join("report.html").display());
    let stems = chart_stems(&out);

    // The DOM after loading: every chart parsed as an inline SVG element.
    let o = chromium(&browser, &dir.join("profile-dom"), &["--dump-dom"], &url);
    let dom = stdout(&o);
    assert!(
        o.status.success(),
        "chromium --dump-dom failed: {}",
        stderr(&o)
    );
    assert!(dom.contains("</html>"), "{dom}");
    for stem in &stems {
        let fig = format!("<figure id=\"fig-{stem}\" data-chart=\"{stem}\"><svg");
        let compact: String = dom.replace(">\n<svg", "><svg");
        assert!(compact.contains(&fig), "the browser's DOM lacks {stem}");
    }
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), stems.len());
    assert!(dom.contains("Real wealth over time"));

    // A screenshot of the top of the page: the summary table and the first chart (the fan
    // chart, drawn in the theme's blue, orange and green) are visible.
    let shot = dir.join("shot.png");
    let o = chromium(
        &browser,
        &dir.join("profile-shot"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400",
        ],
        &url,
    );
    assert!(shot.is_file(), "no screenshot: {}", stderr(&o));
    let (w, h, px) = png_pixels(&shot);
    assert_eq!((w, h), (1200, 2400));
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 6);
    for (name, colour) in [
        ("blue", [0, 114, 178]),
        ("vermillion", [213, 94, 0]),
        ("bluish green", [0, 158, 115]),
    ] {
        let n = px.iter().filter(|p| near(p, colour)).count();
        assert!(
            n > 300,
            "{name} strategy lines: {n} pixels in the screenshot"
        );
    }
    let ink = px.iter().filter(|p| p.iter().all(|&c| c < 80)).count();
    assert!(ink > 5_000, "text: {ink} dark pixels");
}
