//! Output of a plan: a readable table, CSV (one row per trade, one per lot for taxable
//! sales), or JSON (the whole plan, money as two-decimal strings).

use super::PlanMode;
use super::error::PlanError;
use super::money::{fmt_money, fmt_pct, plain};
use super::planner::{Action, Plan};
use std::io::Write;

fn mode_title(m: PlanMode) -> &'static str {
    match m {
        PlanMode::Rebalance => "full rebalance",
        PlanMode::Contributions => "contributions only (no selling)",
        PlanMode::OverContribution => "one-time over-contribution",
        PlanMode::Bands => "bands (trade only asset classes outside their band)",
    }
}

/// A plain text table; `right[i]` right-aligns column i.
fn table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = headers.len();
    let mut width: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(c.chars().count());
            s.push(' ');
            if right.get(i).copied().unwrap_or(false) {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad));
                }
            }
            s.push(' ');
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(
        width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(|s| s.as_str())
            .collect(),
    ));
    for r in rows {
        out.push_str(&line(r.iter().map(|s| s.as_str()).collect()));
    }
    out
}

/// Signed money for trade columns: `+1,250.00`, `-1,250.00`, blank for zero.
fn signed(x: rust_decimal::Decimal) -> String {
    if x.is_zero() {
        "0.00".into()
    } else if x.is_sign_positive() {
        format!("+{}", fmt_money(x))
    } else {
        fmt_money(x)
    }
}

/// The human-readable report.
pub fn human(p: &Plan) -> String {
    let mut s = String::new();
    let title = p
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    s.push_str(&format!("driftlab plan: {}{title}\n", p.file));
    s.push_str(&format!(
        "Mode: {}. Plan date: {} (from {}). Rounding: {}.\n",
        mode_title(p.mode),
        p.plan_date,
        p.plan_date_from,
        p.rounding
    ));
    if p.new_money.is_zero() {
        s.push_str(&format!("Household: {}\n", fmt_money(p.total_before)));
    } else {
        s.push_str(&format!(
            "Household: {} + new money {} = {}\n",
            fmt_money(p.total_before),
            fmt_money(p.new_money),
            fmt_money(p.total_after)
        ));
    }

    // Allocation.
    s.push_str("\nAllocation\n");
    let banded = p.bands.is_some();
    let mut headers = vec![
        "asset", "target", "before", "before %", "trade", "after", "after %",
    ];
    if banded {
        headers.extend(["band", "outside"]);
    }
    let mut rows: Vec<Vec<String>> = p
        .household
        .iter()
        .map(|a| {
            let mut r = vec![
                a.asset.clone(),
                fmt_pct(a.target),
                fmt_money(a.before),
                fmt_pct(a.before_share),
                signed(a.trade),
                fmt_money(a.after),
                fmt_pct(a.after_share),
            ];
            if banded {
                let band = match (a.band_low, a.band_high) {
                    (Some(lo), Some(hi)) => format!("{} - {}", fmt_pct(lo), fmt_pct(hi)),
                    _ => String::new(),
                };
                r.push(band);
                r.push(if a.outside_band == Some(true) {
                    "yes".into()
                } else {
                    "no".into()
                });
            }
            r
        })
        .collect();
    let mut total_row = vec![
        "total".to_string(),
        fmt_pct(p.household.iter().map(|a| a.target).sum()),
        fmt_money(p.total_before),
        fmt_pct(if p.total_before.is_zero() {
            p.total_before
        } else {
            rust_decimal::Decimal::ONE
        }),
        signed(p.new_money),
        fmt_money(p.total_after),
        fmt_pct(rust_decimal::Decimal::ONE),
    ];
    if banded {
        total_row.extend([String::new(), String::new()]);
    }
    rows.push(total_row);
    s.push_str(&table(
        &headers,
        &rows,
        &[false, true, true, true, true, true, true, false, false],
    ));

    // Trades.
    if p.trades.is_empty() {
        s.push_str("\nTrades: none\n");
    } else {
        s.push_str("\nTrades (in order: tax-advantaged accounts first, taxable last; each account's sales pay for its own buys)\n");
        let rows: Vec<Vec<String>> = p
            .trades
            .iter()
            .map(|t| {
                vec![
                    t.account.clone(),
                    t.kind.name().into(),
                    t.action.name().into(),
                    t.asset.clone(),
                    fmt_money(t.amount),
                ]
            })
            .collect();
        s.push_str(&table(
            &["account", "kind", "action", "asset", "amount"],
            &rows,
            &[false, false, false, false, true],
        ));
    }

    // Accounts.
    s.push_str("\nAccounts after the plan\n");
    let mut headers: Vec<String> = vec!["account".into(), "kind".into()];
    headers.extend(p.household.iter().map(|a| a.asset.clone()));
    headers.extend(["total".into(), "sold".into(), "bought".into()]);
    let rows: Vec<Vec<String>> = p
        .accounts
        .iter()
        .map(|a| {
            let mut r = vec![a.name.clone(), a.kind.name().into()];
            r.extend(a.assets.iter().map(|x| fmt_money(x.after)));
            r.extend([
                fmt_money(a.total_after),
                fmt_money(a.sold),
                fmt_money(a.bought),
            ]);
            r
        })
        .collect();
    let right: Vec<bool> = (0..headers.len()).map(|i| i >= 2).collect();
    let hdr: Vec<&str> = headers.iter().map(|h| h.as_str()).collect();
    s.push_str(&table(&hdr, &rows, &right));

    // Lots and tax.
    if !p.lot_sales.is_empty() {
        s.push_str("\nTaxable lots sold\n");
        let rows: Vec<Vec<String>> = p
            .lot_sales
            .iter()
            .map(|l| {
                vec![
                    l.lot.clone(),
                    l.account.clone(),
                    l.asset.clone(),
                    l.acquired.to_string(),
                    l.term.into(),
                    fmt_money(l.amount),
                    fmt_money(l.basis),
                    signed(l.gain),
                    if l.whole_lot {
                        "all".into()
                    } else {
                        "part".into()
                    },
                ]
            })
            .collect();
        s.push_str(&table(
            &[
                "lot", "account", "asset", "acquired", "term", "amount", "basis", "gain", "sold",
            ],
            &rows,
            &[false, false, false, false, false, true, true, true, false],
        ));
    }
    if let Some(t) = &p.taxes {
        s.push_str("\nRealized gains and tax\n");
        s.push_str(&format!(
            "  short-term gain: {}\n",
            fmt_money(t.estimate.short_term_gain)
        ));
        s.push_str(&format!(
            "  long-term gain:  {}\n",
            fmt_money(t.estimate.long_term_gain)
        ));
        if !t.estimate.net_capital_loss.is_zero() {
            s.push_str(&format!(
                "  net capital loss: {}\n",
                fmt_money(t.estimate.net_capital_loss)
            ));
        }
        match t.estimate.estimated_tax {
            Some(x) => s.push_str(&format!(
                "  estimated tax:   {} ({})\n",
                fmt_money(x),
                t.estimate.method
            )),
            None => s.push_str(&format!("  estimated tax:   {}\n", t.estimate.method)),
        }
        let e = &t.estimate;
        if e.estimated_tax.is_some() && (e.niit.is_some() || e.state_tax.is_some()) {
            let parts = [
                ("federal income tax", e.federal_income_tax),
                ("NIIT", e.niit),
                ("state", e.state_tax),
            ];
            for (name, x) in parts {
                if let Some(x) = x {
                    s.push_str(&format!("    {name:<19} {:>12}\n", fmt_money(x)));
                }
            }
        }
        let rate =
            |r: Option<rust_decimal::Decimal>| r.map(fmt_pct).unwrap_or_else(|| "unknown".into());
        s.push_str(&format!(
            "  rates: short-term {}, long-term {} ({})\n",
            rate(t.rates.ordinary),
            rate(t.rates.long_term),
            t.rates.source
        ));
        s.push_str(&format!("  lot order: {}\n", t.lot_order));
    }

    // Contribution.
    if let Some(c) = &p.contribution {
        s.push_str(&format!(
            "\n{} of {} into {:?} ({})\n",
            if p.mode == PlanMode::OverContribution {
                "Over-contribution"
            } else {
                "Contribution"
            },
            fmt_money(c.amount),
            c.account,
            c.kind.name()
        ));
        let rows: Vec<Vec<String>> = c
            .split
            .iter()
            .map(|x| vec![x.asset.clone(), fmt_money(x.amount), fmt_pct(x.share)])
            .collect();
        s.push_str(&table(
            &["asset", "buy", "share of contribution"],
            &rows,
            &[false, true, true],
        ));
        if let Some(n) = c.needed_to_reach_target {
            s.push_str(&format!(
                "  new money that reaches the target exactly without selling: {}\n",
                fmt_money(n)
            ));
        }
        s.push_str(&format!(
            "  {}\n",
            if c.reaches_target {
                "the household reaches its target"
            } else {
                "the household does not reach its target with this amount"
            }
        ));
        if let Some(l) = &c.limit {
            s.push_str(&format!("  limit: {}\n  ({})\n", l.summary, l.limit.source));
        }
        if let Some(r) = &c.income_rule {
            s.push_str(&format!("  income rule: {}\n  ({})\n", r.summary, r.source));
        }
        if let Some(d) = &c.ira_deduction {
            s.push_str(&format!(
                "  IRA deduction: {}\n  ({})\n",
                d.summary, d.source
            ));
        }
        s.push_str(&format!("  method: {}\n", c.method));
    }
    if let Some(b) = &p.bands {
        let mut parts = Vec::new();
        if let Some(a) = b.absolute {
            parts.push(format!("{} percentage points", super::money::pct2(a)));
        }
        if let Some(r) = b.relative {
            parts.push(format!("{}% of the target", super::money::pct2(r)));
        }
        s.push_str(&format!(
            "\nBands: +/- {} (outside if beyond {}); rebalance to the {}\n",
            parts.join(" or "),
            if parts.len() > 1 { "either" } else { "it" },
            match b.rebalance_to {
                super::holdings::BandTarget::Target => "target",
                super::holdings::BandTarget::Edge => "band edge",
            }
        ));
    }

    if !p.warnings.is_empty() {
        s.push_str("\nWarnings\n");
        for w in &p.warnings {
            s.push_str(&format!("  ! {w}\n"));
        }
    }
    if !p.notes.is_empty() {
        s.push_str("\nNotes\n");
        for n in &p.notes {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    s.push_str(&format!("\nRounding: {}.\n", p.rounding_rule));
    s
}

/// CSV: one row per trade; taxable sales get one row per lot with its basis and gain.
pub fn csv(p: &Plan, out: &mut dyn Write) -> Result<(), PlanError> {
    let mut w = ::csv::Writer::from_writer(out);
    let err = |e: ::csv::Error| match e.into_kind() {
        ::csv::ErrorKind::Io(io) => PlanError::Output(io),
        other => PlanError::Output(std::io::Error::other(format!("{other:?}"))),
    };
    w.write_record([
        "account", "kind", "action", "asset", "amount", "lot", "acquired", "term", "basis", "gain",
    ])
    .map_err(err)?;
    for t in &p.trades {
        let lots: Vec<_> = p
            .lot_sales
            .iter()
            .filter(|l| t.action == Action::Sell && l.account == t.account && l.asset == t.asset)
            .collect();
        if lots.is_empty() {
            w.write_record([
                &t.account,
                t.kind.name(),
                t.action.name(),
                &t.asset,
                &plain(t.amount),
                "",
                "",
                "",
                "",
                "",
            ])
            .map_err(err)?;
        } else {
            for l in lots {
                w.write_record([
                    &t.account,
                    t.kind.name(),
                    t.action.name(),
                    &t.asset,
                    &plain(l.amount),
                    &l.lot,
                    &l.acquired.to_string(),
                    l.term,
                    &plain(l.basis),
                    &plain(l.gain),
                ])
                .map_err(err)?;
            }
        }
    }
    w.flush().map_err(PlanError::Output)?;
    Ok(())
}

/// JSON: the whole plan, stamped with the tool's version.
pub fn json(p: &Plan, out: &mut dyn Write) -> Result<(), PlanError> {
    #[derive(serde::Serialize)]
    struct Stamped<'a> {
        tool_version: &'static str,
        #[serde(flatten)]
        plan: &'a Plan,
    }
    let stamped = Stamped {
        tool_version: env!("CARGO_PKG_VERSION"),
        plan: p,
    };
    serde_json::to_writer_pretty(&mut *out, &stamped)
        .map_err(|e| PlanError::Output(std::io::Error::other(e)))?;
    writeln!(out).map_err(PlanError::Output)
}
