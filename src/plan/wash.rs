//! Wash-sale warnings. IRC §1091 disallows a loss when substantially identical securities are
//! bought within 30 days before or after the sale (a 61-day window); the rule also applies when
//! the purchase is made in the taxpayer's IRA or Roth IRA, and then the loss is lost for good
//! (Rev. Rul. 2008-5). The plan only knows asset classes, so it warns whenever the same asset
//! class is bought inside the window: whether two funds are "substantially identical" is for
//! the user to judge.

use super::date::Date;
use super::holdings::{AccountKind, Holdings};
use super::lots::LotSale;
use super::money::fmt_money;
use rust_decimal::Decimal;

/// The wash-sale window on each side of a sale, in days (IRC §1091(a)).
pub const WINDOW_DAYS: i64 = 30;

/// A planned purchase: account index, asset class index, amount.
pub type Buy = (usize, usize, Decimal);

fn where_text(h: &Holdings, account: usize) -> String {
    let a = &h.accounts[account];
    format!("{:?} ({})", a.name, a.kind.name())
}

fn permanent_note(h: &Holdings, accounts: &[usize]) -> &'static str {
    let sheltered = accounts.iter().any(|&a| !h.accounts[a].kind.is_taxable());
    let ira = accounts.iter().any(|&a| {
        matches!(
            h.accounts[a].kind,
            AccountKind::TraditionalIra | AccountKind::RothIra
        )
    });
    if ira {
        "; bought in an IRA or Roth IRA, the disallowed loss is lost for good, with no basis adjustment (Rev. Rul. 2008-5)"
    } else if sheltered {
        "; bought in a tax-advantaged account, the loss may be lost for good (Rev. Rul. 2008-5 rules so for IRAs)"
    } else {
        "; the disallowed loss is added to the basis of the new shares (IRC §1091(d))"
    }
}

/// Warnings and notes about wash sales for a plan dated `date` with `buys` and `lot_sales`.
pub fn check(
    h: &Holdings,
    date: Date,
    buys: &[Buy],
    lot_sales: &[LotSale],
) -> (Vec<String>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut notes = Vec::new();

    // Purchases against the recent loss sales listed in the file.
    for s in &h.loss_sales {
        let days = s.date.days_until(date);
        if days.abs() > WINDOW_DAYS {
            continue;
        }
        let hits: Vec<&Buy> = buys
            .iter()
            .filter(|b| b.1 == s.asset && b.2 > Decimal::ZERO)
            .collect();
        if hits.is_empty() {
            continue;
        }
        let asset = &h.assets[s.asset];
        let accounts: Vec<usize> = hits.iter().map(|b| b.0).collect();
        let list = hits
            .iter()
            .map(|b| format!("{} in {}", fmt_money(b.2), where_text(h, b.0)))
            .collect::<Vec<_>>()
            .join(", ");
        let when = if days >= 0 {
            format!("{days} days after")
        } else {
            format!("{} days before", -days)
        };
        let loss = s
            .loss
            .map(|l| format!(" (loss {})", fmt_money(l)))
            .unwrap_or_default();
        warnings.push(format!(
            "wash sale: the plan buys {asset} on {date} ({list}), {when} the loss sale of {asset} on {} listed as recent_loss_sales[{}]{loss}. If the purchase is substantially identical to what was sold, the loss is disallowed (IRC §1091: 30 days before to 30 days after the sale, in any account){}. Buy something not substantially identical, or wait until {}.",
            s.date,
            s.index,
            permanent_note(h, &accounts),
            s.date.add_days(WINDOW_DAYS + 1),
        ));
    }

    // Loss sales made by this plan.
    let mut loss_assets: Vec<usize> = lot_sales
        .iter()
        .filter(|s| s.gain < Decimal::ZERO)
        .map(|s| s.asset)
        .collect();
    loss_assets.sort_unstable();
    loss_assets.dedup();
    for i in loss_assets {
        let asset = &h.assets[i];
        let bought: Vec<&Buy> = buys
            .iter()
            .filter(|b| b.1 == i && b.2 > Decimal::ZERO)
            .collect();
        if !bought.is_empty() {
            let accounts: Vec<usize> = bought.iter().map(|b| b.0).collect();
            warnings.push(format!(
                "wash sale: the plan sells {asset} at a loss and also buys {asset} ({}){}",
                accounts
                    .iter()
                    .map(|&a| where_text(h, a))
                    .collect::<Vec<_>>()
                    .join(", "),
                permanent_note(h, &accounts)
            ));
        }
        // Lots bought within the 30 days before the sale and kept are replacement shares.
        for (a, acct) in h.accounts.iter().enumerate() {
            for lot in acct.lots.iter().filter(|l| l.asset == i) {
                let age = lot.acquired.days_until(date);
                let sold_whole = lot_sales
                    .iter()
                    .any(|s| s.account == a && s.lot == lot.index && s.whole);
                if (0..=WINDOW_DAYS).contains(&age) && !sold_whole {
                    warnings.push(format!(
                        "wash sale: the plan sells {asset} at a loss on {date}, and accounts[{a}].lots[{}] ({asset}, acquired {}, {} days earlier) is kept; shares bought within 30 days before a loss sale are replacement shares, so the loss may be disallowed (IRC §1091)",
                        lot.index, lot.acquired, age
                    ));
                }
            }
        }
        notes.push(format!(
            "the plan realizes a loss on {asset}: do not buy anything substantially identical to the {asset} sold, in any account (including IRAs, 401(k) payroll contributions and dividend reinvestment) until {} (IRC §1091; Rev. Rul. 2008-5)",
            date.add_days(WINDOW_DAYS + 1)
        ));
    }
    (warnings, notes)
}
