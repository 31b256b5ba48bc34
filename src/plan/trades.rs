//! The rebalancing arithmetic: household targets, how new money fills underweight asset
//! classes, bands, and how a household trade list is carried out account by account
//! (tax-advantaged accounts first, taxable last, each account balancing its own buys and sells).

use super::date::Date;
use super::error::PlanError;
use super::holdings::{BandTarget, BandsInput, Holdings};
use super::lots::{self, Candidate, LotSale};
use super::money::{Rounding, fmt_money, split_exact};
use super::tax::Rates;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Target values per asset class for a household worth `total`, in cents, adding up to
/// `total` exactly.
pub fn goals(weights: &[Decimal], total: Decimal, r: Rounding) -> Vec<Decimal> {
    let exact: Vec<Decimal> = weights.iter().map(|w| w * total).collect();
    split_exact(&exact, total, r)
}

/// Compares the "levels" h_a / w_a and h_b / w_b (how full an asset class is relative to its
/// target) without dividing.
fn cmp_level(h: &[Decimal], w: &[Decimal], a: usize, b: usize) -> Ordering {
    (h[a] * w[b]).cmp(&(h[b] * w[a]))
}

/// Splits new money `amount` over the `eligible` asset classes without selling, as close to the
/// target as possible: the asset classes that are most underweight relative to their target
/// are filled first until they are all equally underweight, and money beyond what reaches the
/// target is split by target weight. In formula: buy_i = max(0, w_i K - h_i) with K such that
/// the buys add up to `amount`. Exact (not rounded).
pub fn fill_buys(h: &[Decimal], w: &[Decimal], amount: Decimal, eligible: &[bool]) -> Vec<Decimal> {
    let n = h.len();
    let mut out = vec![Decimal::ZERO; n];
    if amount <= Decimal::ZERO {
        return out;
    }
    let mut idx: Vec<usize> = (0..n)
        .filter(|&i| eligible[i] && w[i] > Decimal::ZERO)
        .collect();
    if idx.is_empty() {
        // Only zero-weight classes may receive money: all of it goes to the first one.
        let el: Vec<usize> = (0..n).filter(|&i| eligible[i]).collect();
        if let Some(&first) = el.first() {
            out[first] = amount;
        }
        return out;
    }
    idx.sort_by(|&a, &b| cmp_level(h, w, a, b).then(a.cmp(&b)));
    let (mut sw, mut sh) = (Decimal::ZERO, Decimal::ZERO);
    let mut k = Decimal::ZERO;
    let mut active = idx.len();
    for m in 0..idx.len() {
        sw += w[idx[m]];
        sh += h[idx[m]];
        k = (amount + sh) / sw;
        // next level h/w >= K: the next class is already at or above the fill level.
        if let Some(&next) = idx.get(m + 1)
            && h[next] >= k * w[next]
        {
            active = m + 1;
            break;
        }
    }
    for &i in &idx[..active] {
        out[i] = (w[i] * k - h[i]).max(Decimal::ZERO);
    }
    out
}

/// The mirror of [`fill_buys`]: sells `amount` from the `eligible` classes without buying,
/// zero-weight classes first, then the most overweight relative to target first.
pub fn fill_sells(
    h: &[Decimal],
    w: &[Decimal],
    amount: Decimal,
    eligible: &[bool],
) -> Vec<Decimal> {
    let n = h.len();
    let mut out = vec![Decimal::ZERO; n];
    let mut left = amount;
    for i in 0..n {
        if left <= Decimal::ZERO {
            return out;
        }
        if eligible[i] && w[i].is_zero() && h[i] > Decimal::ZERO {
            out[i] = h[i].min(left);
            left -= out[i];
        }
    }
    if left <= Decimal::ZERO {
        return out;
    }
    let mut idx: Vec<usize> = (0..n)
        .filter(|&i| eligible[i] && w[i] > Decimal::ZERO)
        .collect();
    idx.sort_by(|&a, &b| cmp_level(h, w, b, a).then(a.cmp(&b)));
    let (mut sw, mut sh) = (Decimal::ZERO, Decimal::ZERO);
    let mut k = Decimal::ZERO;
    let mut active = idx.len();
    for m in 0..idx.len() {
        sw += w[idx[m]];
        sh += h[idx[m]];
        k = ((sh - left) / sw).max(Decimal::ZERO);
        if let Some(&next) = idx.get(m + 1)
            && h[next] <= k * w[next]
        {
            active = m + 1;
            break;
        }
    }
    for &i in &idx[..active] {
        out[i] = (h[i] - w[i] * k).max(Decimal::ZERO).min(h[i]);
    }
    out
}

/// The new money that brings the household exactly to target without selling (seed 001's
/// one-time over-contribution): the new total is T = max_i h_i / w_i, so x = T - H.
/// Kendra: T = 17,000 / 0.75 = 22,666.67, x = 1,666.67. `None` if an asset class with a 0%
/// target is held (it can only reach 0% by selling).
pub fn money_to_reach_target(h: &[Decimal], w: &[Decimal]) -> Option<Decimal> {
    let total: Decimal = h.iter().sum();
    let mut t = total;
    for (hi, wi) in h.iter().zip(w) {
        if wi.is_zero() {
            if *hi > Decimal::ZERO {
                return None;
            }
            continue;
        }
        t = t.max(hi / wi);
    }
    Some(t - total)
}

/// One asset class's band: half-width around the target, as a fraction of the household.
pub fn band_half_width(w: Decimal, b: &BandsInput) -> Decimal {
    match (b.absolute, b.relative) {
        (Some(a), Some(r)) => a.min(r * w),
        (Some(a), None) => a,
        (None, Some(r)) => r * w,
        (None, None) => Decimal::ZERO,
    }
}

/// Household trades for a bands rebalance: asset classes outside their band go to the target
/// (or the band edge); the asset classes inside their bands absorb the difference, most
/// out-of-balance first (so they move toward their targets). Returns the exact trades and
/// which classes were outside.
pub fn bands_trades(h: &[Decimal], w: &[Decimal], b: &BandsInput) -> (Vec<Decimal>, Vec<bool>) {
    let n = h.len();
    let total: Decimal = h.iter().sum();
    let mut outside = vec![false; n];
    let mut base = h.to_vec();
    for i in 0..n {
        let cur = h[i] / total;
        let width = band_half_width(w[i], b);
        let dev = cur - w[i];
        if dev.abs() > width {
            outside[i] = true;
            let goal_w = match b.to {
                BandTarget::Target => w[i],
                BandTarget::Edge if dev > Decimal::ZERO => w[i] + width,
                BandTarget::Edge => (w[i] - width).max(Decimal::ZERO),
            };
            base[i] = goal_w * total;
        }
    }
    if !outside.iter().any(|o| *o) {
        return (vec![Decimal::ZERO; n], outside);
    }
    let moved: Decimal = base.iter().sum::<Decimal>() - total;
    let absorbers: Vec<bool> = if outside.iter().all(|o| *o) {
        vec![true; n]
    } else {
        outside.iter().map(|o| !o).collect()
    };
    let adjust = if moved < Decimal::ZERO {
        fill_buys(&base, w, -moved, &absorbers)
    } else {
        fill_sells(&base, w, moved, &absorbers)
            .into_iter()
            .map(|x| -x)
            .collect()
    };
    let trades = (0..n).map(|i| base[i] + adjust[i] - h[i]).collect();
    (trades, outside)
}

/// A household trade list carried out per account.
#[derive(Debug, Clone, Default)]
pub struct Allocation {
    /// Signed trade per account (in `Holdings::accounts` order) and asset class: + buy, - sell.
    pub trades: Vec<Vec<Decimal>>,
    /// Lots sold in taxable accounts.
    pub lot_sales: Vec<LotSale>,
}

/// Carries out household trades `delta` (whole cents, adding up to zero; + buy, - sell) account
/// by account. Tax-advantaged accounts go first, in [`super::holdings::AccountKind::trade_order`]
/// then file order: each sells as much of the overweight classes as it holds (up to what is
/// left to sell) and buys underweight classes with the proceeds, largest remaining need first.
/// What is left is sold from taxable lots in [`lots::order`] and each taxable account buys with
/// its own proceeds. Money never moves between accounts.
pub fn allocate(
    h: &Holdings,
    delta: &[Decimal],
    date: Date,
    rates: &Rates,
    r: Rounding,
) -> Result<Allocation, PlanError> {
    let n = h.assets.len();
    let mut sell_rem: Vec<Decimal> = delta.iter().map(|d| (-*d).max(Decimal::ZERO)).collect();
    let mut buy_rem: Vec<Decimal> = delta.iter().map(|d| (*d).max(Decimal::ZERO)).collect();
    let mut trades = vec![vec![Decimal::ZERO; n]; h.accounts.len()];

    let mut order: Vec<usize> = (0..h.accounts.len()).collect();
    order.sort_by_key(|&a| (h.accounts[a].kind.trade_order(), a));

    // Largest remaining amount first; ties in target order.
    let by_size = |v: &[Decimal]| {
        let mut idx: Vec<usize> = (0..v.len()).filter(|&i| v[i] > Decimal::ZERO).collect();
        idx.sort_by(|&a, &b| v[b].cmp(&v[a]).then(a.cmp(&b)));
        idx
    };
    let buy_with = |proceeds: Decimal, buy_rem: &mut Vec<Decimal>, row: &mut Vec<Decimal>| {
        let mut left = proceeds;
        for j in by_size(buy_rem) {
            if left <= Decimal::ZERO {
                break;
            }
            let take = left.min(buy_rem[j]);
            row[j] += take;
            buy_rem[j] -= take;
            left -= take;
        }
        left
    };

    for &a in order.iter().filter(|&&a| !h.accounts[a].kind.is_taxable()) {
        let acct = &h.accounts[a];
        let sellable: Decimal = (0..n).map(|i| acct.holdings[i].min(sell_rem[i])).sum();
        let volume = sellable.min(buy_rem.iter().sum());
        if volume <= Decimal::ZERO {
            continue;
        }
        let mut left = volume;
        for i in by_size(&sell_rem) {
            if left <= Decimal::ZERO {
                break;
            }
            let take = left.min(acct.holdings[i]).min(sell_rem[i]);
            trades[a][i] -= take;
            sell_rem[i] -= take;
            left -= take;
        }
        buy_with(volume, &mut buy_rem, &mut trades[a]);
    }

    // Taxable accounts: sell lots, cheapest in tax first.
    let mut lot_sales = Vec::new();
    let mut proceeds = vec![Decimal::ZERO; h.accounts.len()];
    for i in 0..n {
        if sell_rem[i] <= Decimal::ZERO {
            continue;
        }
        let mut candidates = Vec::new();
        for &a in order.iter().filter(|&&a| h.accounts[a].kind.is_taxable()) {
            for lot in h.accounts[a].lots.iter().filter(|l| l.asset == i) {
                candidates.push(Candidate { account: a, lot });
            }
        }
        let lotted: Decimal = candidates.iter().map(|c| c.lot.amount).sum();
        if lotted < sell_rem[i] {
            let culprit = order.iter().map(|&a| &h.accounts[a]).find(|acct| {
                acct.kind.is_taxable() && acct.holdings[i] > Decimal::ZERO && !acct.has_lots_for(i)
            });
            let asset = &h.assets[i];
            return Err(match culprit {
                Some(acct) => h.error(
                    &format!("accounts[{}].lots", acct.index),
                    acct.span.clone(),
                    format!(
                        "the plan must sell {} of {asset:?} in taxable accounts, and {:?} holds {} of it without lots; list its lots ([[accounts.lots]] with asset, acquired, amount, basis) so the gains can be computed",
                        fmt_money(sell_rem[i]),
                        acct.name,
                        fmt_money(acct.holdings[i])
                    ),
                ),
                None => h.error("accounts", None, format!("internal: cannot sell {} of {asset:?}", fmt_money(sell_rem[i]))),
            });
        }
        let ordered = lots::order(candidates, date, rates);
        let (sales, _) = lots::sell(&ordered, sell_rem[i], date, r);
        for s in &sales {
            trades[s.account][i] -= s.amount;
            proceeds[s.account] += s.amount;
        }
        sell_rem[i] = Decimal::ZERO;
        lot_sales.extend(sales);
    }
    for &a in order.iter().filter(|&&a| h.accounts[a].kind.is_taxable()) {
        if proceeds[a] > Decimal::ZERO {
            buy_with(proceeds[a], &mut buy_rem, &mut trades[a]);
        }
    }
    if buy_rem.iter().any(|b| *b != Decimal::ZERO) || sell_rem.iter().any(|s| *s != Decimal::ZERO) {
        return Err(h.error(
            "",
            None,
            "internal: the trades did not balance; please report this holdings file",
        ));
    }
    Ok(Allocation { trades, lot_sales })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn plan_fill_buys_fills_most_underweight_first() {
        let h = [dec!(17000), dec!(4000)];
        let w = [dec!(0.75), dec!(0.25)];
        let all = [true, true];
        // Less than needed to reach target: everything to bonds.
        assert_eq!(
            fill_buys(&h, &w, dec!(1000), &all),
            vec![dec!(0), dec!(1000)]
        );
        // More than needed: bonds reach target, the rest split 75/25.
        let b = fill_buys(&h, &w, dec!(2666.67), &all);
        assert_eq!(b.iter().sum::<Decimal>().round_dp(10), dec!(2666.67));
        assert_eq!(b[0].round_dp(4), dec!(750.0025));
        // Three classes: the two underweight ones end equally underweight relative to target.
        let h = [dec!(697000), dec!(119000), dec!(34000)];
        let w = [dec!(0.70), dec!(0.25), dec!(0.05)];
        let b = fill_buys(&h, &w, dec!(10000), &[true, true, true]);
        assert_eq!(b, vec![dec!(0), dec!(10000), dec!(0)]);
        let b = fill_buys(&h, &w, dec!(60000), &[true, true, true]);
        assert_eq!(b[0], dec!(0));
        let lb = (h[1] + b[1]) / w[1];
        let lc = (h[2] + b[2]) / w[2];
        assert_eq!(lb.round_dp(10), lc.round_dp(10));
    }

    #[test]
    fn plan_fill_sells_mirrors() {
        let h = [dec!(17000), dec!(4000)];
        let w = [dec!(0.75), dec!(0.25)];
        let s = fill_sells(&h, &w, dec!(1000), &[true, true]);
        assert_eq!(s, vec![dec!(1000), dec!(0)]);
    }

    #[test]
    fn plan_money_to_reach_target_kendra() {
        let x =
            money_to_reach_target(&[dec!(17000), dec!(4000)], &[dec!(0.75), dec!(0.25)]).unwrap();
        assert_eq!(x.round_dp(2), dec!(1666.67));
        assert!(money_to_reach_target(&[dec!(1), dec!(1)], &[dec!(1), dec!(0)]).is_none());
    }

    #[test]
    fn plan_bands_trade_only_outside() {
        // 82/14/4 vs 70/25/5 with a 5-point band: stocks and bonds are outside, cash inside.
        let h = [dec!(697000), dec!(119000), dec!(34000)];
        let w = [dec!(0.70), dec!(0.25), dec!(0.05)];
        let b = BandsInput {
            absolute: Some(dec!(0.05)),
            relative: None,
            to: BandTarget::Target,
        };
        let (t, out) = bands_trades(&h, &w, &b);
        assert_eq!(out, vec![true, true, false]);
        assert_eq!(t[0].round_dp(2), dec!(-102000));
        assert_eq!(t[1].round_dp(2), dec!(93500));
        assert_eq!(t[2].round_dp(2), dec!(8500));
        // To the band edge: stocks to 75%, bonds to 20%, the 42,500 of sales buys cash first.
        let b = BandsInput {
            to: BandTarget::Edge,
            ..b
        };
        let (t, _) = bands_trades(&h, &w, &b);
        assert_eq!(t[0].round_dp(2), dec!(-59500));
        assert_eq!(t[1].round_dp(2), dec!(51000));
        assert_eq!(t[2].round_dp(2), dec!(8500));
    }
}
