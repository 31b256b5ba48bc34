//! Rebalancing strategies: when to trade back toward the target (calendar, threshold
//! bands, hybrid), how far (to target or to the band edge), and where new money goes and
//! withdrawals come from (contribution- and withdrawal-based rebalancing).
//!
//! Vocabulary follows the seeds: a *calendar* rule trades on a schedule whatever the drift;
//! a *threshold* rule trades when an asset's weight leaves its band; a *hybrid* rule looks on
//! a calendar but trades only when a band is breached (Vanguard 2010, "Best practices for
//! portfolio rebalancing"). All functions act on one portfolio's [`Holdings`] in place and
//! never allocate.

use crate::portfolio::{Holdings, MAX_ASSETS, TargetAllocation};

/// A trade smaller than this share of the portfolio is not counted as a leg (float noise).
const LEG_EPSILON: f64 = 1e-12;

/// How often a calendar rule trades, or a hybrid rule looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    Monthly,
    Quarterly,
    SemiAnnual,
    Annual,
}

impl Calendar {
    pub fn months(self) -> u32 {
        match self {
            Calendar::Monthly => 1,
            Calendar::Quarterly => 3,
            Calendar::SemiAnnual => 6,
            Calendar::Annual => 12,
        }
    }

    /// Steps between looks, or `None` when the schedule is finer than the step
    /// (monthly looks cannot happen on annual steps).
    pub fn period_steps(self, steps_per_year: u32) -> Option<u32> {
        let months_per_step = 12 / steps_per_year.max(1);
        self.months()
            .is_multiple_of(months_per_step)
            .then(|| self.months() / months_per_step)
    }

    pub fn key(self) -> &'static str {
        match self {
            Calendar::Monthly => "monthly",
            Calendar::Quarterly => "quarterly",
            Calendar::SemiAnnual => "semiannual",
            Calendar::Annual => "annual",
        }
    }
}

/// How far an asset's weight may drift from its target before a threshold rule trades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThresholdBand {
    /// Percentage points of the portfolio, e.g. 0.05 for +/-5pp.
    Absolute(f64),
    /// A share of the asset's own target, e.g. 0.25 for +/-25% of a 20% target (+/-5pp).
    Relative(f64),
    /// Swedroe's 5/25 rule, generalised: the tighter of an absolute and a relative band.
    FiveTwentyFive { absolute: f64, relative: f64 },
}

impl ThresholdBand {
    /// Half-width of the band, in weight, for an asset with target weight `target`.
    pub fn half_width(self, target: f64) -> f64 {
        match self {
            ThresholdBand::Absolute(a) => a,
            ThresholdBand::Relative(r) => r * target,
            ThresholdBand::FiveTwentyFive { absolute, relative } => absolute.min(relative * target),
        }
    }

    pub fn describe(self) -> String {
        match self {
            ThresholdBand::Absolute(a) => format!("{}pp band", fmt_pct(a)),
            ThresholdBand::Relative(r) => format!("{}% relative band", fmt_pct(r)),
            ThresholdBand::FiveTwentyFive { absolute, relative } => {
                format!("{}/{} band", fmt_pct(absolute), fmt_pct(relative))
            }
        }
    }
}

fn fmt_pct(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round())
    } else {
        format!("{p:.2}")
    }
}

/// Where a threshold rule trades to once a band is breached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceTo {
    /// Every asset back to its target weight.
    Target,
    /// Only breaching assets, back to the nearest edge of their band (less trading).
    BandEdge,
}

/// When to rebalance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RebalanceRule {
    /// Never sell to rebalance (cash flows may still steer the mix).
    Never,
    /// Back to target on a schedule, whatever the drift.
    Calendar(Calendar),
    /// Trade when any asset is outside its band. `check` is the look schedule:
    /// `None` looks every step (pure threshold); `Some` is the hybrid rule.
    Threshold {
        band: ThresholdBand,
        check: Option<Calendar>,
        to: RebalanceTo,
    },
}

impl RebalanceRule {
    /// Steps between looks; `None` for [`RebalanceRule::Never`]. Invalid schedules (finer
    /// than the step) are rejected when the scenario is validated.
    pub fn look_period(&self, steps_per_year: u32) -> Option<u32> {
        match self {
            RebalanceRule::Never => None,
            RebalanceRule::Calendar(c) => c.period_steps(steps_per_year),
            RebalanceRule::Threshold { check: None, .. } => Some(1),
            RebalanceRule::Threshold { check: Some(c), .. } => c.period_steps(steps_per_year),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            RebalanceRule::Never => "never rebalance".into(),
            RebalanceRule::Calendar(c) => format!("calendar, {}", c.key()),
            RebalanceRule::Threshold { band, check, to } => {
                let look = match check {
                    None => "checked every step".to_string(),
                    Some(c) => format!("checked {}", c.key()),
                };
                let to = match to {
                    RebalanceTo::Target => "to target",
                    RebalanceTo::BandEdge => "to band edge",
                };
                format!("{}, {look}, {to}", band.describe())
            }
        }
    }
}

/// How a contribution is split, or from where a withdrawal is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CashFlowRouting {
    /// Contributions at target weights; withdrawals in proportion to current holdings.
    /// Neither moves the mix toward the target.
    ProRata,
    /// All of it to the single most underweight asset (contributions) or from the most
    /// overweight asset, then the next, until covered (withdrawals).
    MostOffTarget,
    /// Fill the gaps: money goes to (comes from) the assets furthest below (above) target
    /// first, levelling them, so the mix moves as close to target as the flow allows.
    /// Never sells to rebalance.
    TowardTarget,
}

impl CashFlowRouting {
    pub fn key(self) -> &'static str {
        match self {
            CashFlowRouting::ProRata => "pro_rata",
            CashFlowRouting::MostOffTarget => "most_off_target",
            CashFlowRouting::TowardTarget => "toward_target",
        }
    }
}

/// What one rebalancing event traded.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Trades {
    /// Asset legs whose holding changed.
    pub legs: u32,
    /// Dollars bought plus dollars sold.
    pub dollars: f64,
}

/// True when any asset's weight is strictly outside its band.
///
/// Cheap on the common, quiet look: each asset is first screened without a division
/// (`|v - t * total|` against `(half_width - 1e-9) * total`, a margin far above rounding);
/// only an asset that passes the screen gets the exact test `|v / total - t| > half_width`,
/// which alone decides.
#[inline]
pub fn band_breached(h: &Holdings, target: &TargetAllocation, band: ThresholdBand) -> bool {
    let total = h.total();
    if total <= 0.0 {
        return false;
    }
    h.values().iter().zip(target.weights()).any(|(&v, &t)| {
        let hw = band.half_width(t);
        (v - t * total).abs() > (hw - 1e-9) * total && (v / total - t).abs() > hw
    })
}

/// Applies the rule at the end of a step where it looks. Returns the trades, or `None` when
/// no rebalancing event happened.
pub fn apply_rule(
    rule: &RebalanceRule,
    h: &mut Holdings,
    target: &TargetAllocation,
) -> Option<Trades> {
    match *rule {
        RebalanceRule::Never => None,
        RebalanceRule::Calendar(_) => Some(to_target(h, target)),
        RebalanceRule::Threshold { band, to, .. } => {
            if !band_breached(h, target, band) {
                return None;
            }
            Some(match to {
                RebalanceTo::Target => to_target(h, target),
                RebalanceTo::BandEdge => to_band_edge(h, target, band),
            })
        }
    }
}

/// Every asset back to its target weight.
pub fn to_target(h: &mut Holdings, target: &TargetAllocation) -> Trades {
    let total = h.total();
    let eps = LEG_EPSILON * total;
    let mut trades = Trades::default();
    for (v, &t) in h.values_mut().iter_mut().zip(target.weights()) {
        let new = total * t;
        let delta = new - *v;
        if delta.abs() > eps {
            trades.legs += 1;
        }
        trades.dollars += delta.abs();
        *v = new;
    }
    trades
}

/// Breaching assets back to the nearest band edge. The cash this frees (or needs) is spread
/// over the other assets in proportion to their gap to target in the needed direction; what
/// their gaps cannot take goes to the breaching assets, past their edge toward their target.
/// Total wealth is unchanged and every asset ends inside its band.
pub fn to_band_edge(h: &mut Holdings, target: &TargetAllocation, band: ThresholdBand) -> Trades {
    let total = h.total();
    if total <= 0.0 {
        return Trades::default();
    }
    let n = h.len();
    let before = *h;
    let weights = h.weights();
    let t = target.weights();
    let mut breaching = [false; MAX_ASSETS];
    let mut new_w = [0.0; MAX_ASSETS];
    let mut freed = 0.0; // weight released by breaching assets (negative: weight needed)
    for i in 0..n {
        let hw = band.half_width(t[i]);
        let w = weights[i];
        if w > t[i] + hw {
            breaching[i] = true;
            new_w[i] = t[i] + hw;
        } else if w < t[i] - hw {
            breaching[i] = true;
            new_w[i] = t[i] - hw;
        } else {
            new_w[i] = w;
        }
        freed += w - new_w[i];
    }
    // Spread `freed` over the non-breaching assets, toward their targets first.
    let gap = |i: usize| {
        if freed > 0.0 {
            (t[i] - new_w[i]).max(0.0)
        } else {
            (new_w[i] - t[i]).max(0.0)
        }
    };
    let gap_sum: f64 = (0..n).filter(|&i| !breaching[i]).map(gap).sum();
    // Breaching assets: from their edge to their target (the edges do not move below).
    let mut edge_gaps = [0.0; MAX_ASSETS];
    for (i, slot) in edge_gaps.iter_mut().enumerate().take(n) {
        if breaching[i] {
            *slot = gap(i);
        }
    }
    let mut remaining = freed;
    if gap_sum > 0.0 {
        let used = freed.abs().min(gap_sum) * freed.signum();
        let mut g = [0.0; MAX_ASSETS];
        for (i, slot) in g.iter_mut().enumerate().take(n) {
            if !breaching[i] {
                *slot = gap(i);
            }
        }
        for i in 0..n {
            new_w[i] += used * g[i] / gap_sum;
        }
        remaining -= used;
    }
    // If the assets inside their bands cannot take it all without being pushed out of their
    // own bands, the breaching assets take the rest, from their edge toward their target.
    // The gaps to target over all assets always suffice (targets sum to one), so no asset
    // ends outside its band.
    let edge_gap_sum: f64 = edge_gaps.iter().sum();
    if remaining.abs() > 0.0 && edge_gap_sum > 0.0 {
        let used = remaining.abs().min(edge_gap_sum) * remaining.signum();
        for i in 0..n {
            new_w[i] += used * edge_gaps[i] / edge_gap_sum;
        }
        remaining -= used;
    }
    if remaining.abs() > 0.0 {
        let tsum: f64 = (0..n).filter(|&i| !breaching[i]).map(|i| t[i]).sum();
        if tsum > 0.0 {
            for i in 0..n {
                if !breaching[i] {
                    new_w[i] += remaining * t[i] / tsum;
                }
            }
        } else {
            // Every asset breached: fall back to a full rebalance.
            return to_target(h, target);
        }
    }
    let eps = LEG_EPSILON * total;
    let mut trades = Trades::default();
    for (i, v) in h.values_mut().iter_mut().enumerate() {
        let new = (total * new_w[i]).max(0.0);
        let delta = new - before.values()[i];
        if delta.abs() > eps {
            trades.legs += 1;
        }
        trades.dollars += delta.abs();
        *v = new;
    }
    trades
}

/// Adds `amount` (>= 0) to the portfolio according to `routing`.
#[inline]
pub fn contribute(
    h: &mut Holdings,
    amount: f64,
    target: &TargetAllocation,
    routing: CashFlowRouting,
) {
    if amount <= 0.0 {
        return;
    }
    let total = h.total();
    let t = target.weights();
    if total <= 0.0 || routing == CashFlowRouting::ProRata {
        for (v, &w) in h.values_mut().iter_mut().zip(t) {
            *v += amount * w;
        }
        return;
    }
    match routing {
        CashFlowRouting::ProRata => unreachable!("handled above"),
        CashFlowRouting::MostOffTarget => {
            // First most underweight asset wins ties. Gaps in dollars (`v - w * total`, the
            // weight gap times the total): the same order as weight gaps, without a division.
            let mut best = 0;
            let mut best_gap = f64::INFINITY;
            for (i, (&v, &w)) in h.values().iter().zip(t).enumerate() {
                let gap = v - w * total;
                if gap < best_gap {
                    best_gap = gap;
                    best = i;
                }
            }
            h.values_mut()[best] += amount;
        }
        CashFlowRouting::TowardTarget => {
            // Deficits against the post-contribution total; level the largest ones.
            let new_total = total + amount;
            let mut deficit = [0.0; MAX_ASSETS];
            for (i, (&v, &w)) in h.values().iter().zip(t).enumerate() {
                deficit[i] = w - v / new_total;
            }
            let level = water_level(&deficit[..h.len()], amount / new_total);
            for (i, v) in h.values_mut().iter_mut().enumerate() {
                *v += new_total * (deficit[i] - level).max(0.0);
            }
        }
    }
}

/// Takes up to `amount` (>= 0) out of the portfolio according to `routing`. Returns the
/// dollars actually taken (less than `amount` only when the portfolio runs out).
#[inline]
pub fn withdraw(
    h: &mut Holdings,
    amount: f64,
    target: &TargetAllocation,
    routing: CashFlowRouting,
) -> f64 {
    let total = h.total();
    if amount <= 0.0 {
        return 0.0;
    }
    if amount >= total {
        h.clear();
        return total.max(0.0);
    }
    let t = target.weights();
    match routing {
        CashFlowRouting::ProRata => {
            let keep = 1.0 - amount / total;
            for v in h.values_mut() {
                *v *= keep;
            }
        }
        CashFlowRouting::MostOffTarget => {
            // Cascade from the most overweight asset (weights before the withdrawal), ranked
            // by dollar gaps `v - w * total` (the order of the weight gaps, no division).
            let mut over = [f64::NEG_INFINITY; MAX_ASSETS];
            for (i, (&v, &w)) in h.values().iter().zip(t).enumerate() {
                over[i] = v - w * total;
            }
            let mut need = amount;
            for _ in 0..h.len() {
                let mut j = 0;
                for i in 1..h.len() {
                    if over[i] > over[j] {
                        j = i;
                    }
                }
                over[j] = f64::NEG_INFINITY;
                let take = h.values()[j].min(need);
                h.values_mut()[j] -= take;
                need -= take;
                if need <= 0.0 {
                    break;
                }
            }
        }
        CashFlowRouting::TowardTarget => {
            let new_total = total - amount;
            let mut surplus = [0.0; MAX_ASSETS];
            for (i, (&v, &w)) in h.values().iter().zip(t).enumerate() {
                surplus[i] = v / new_total - w;
            }
            let level = water_level(&surplus[..h.len()], amount / new_total);
            for (i, v) in h.values_mut().iter_mut().enumerate() {
                *v = (*v - new_total * (surplus[i] - level).max(0.0)).max(0.0);
            }
        }
    }
    amount
}

/// The level `L >= 0` with `sum(max(0, x_i - L)) == mass`, for `mass <= sum(max(0, x_i))`.
/// Sorting at most [`MAX_ASSETS`] values on the stack: no allocation.
fn water_level(x: &[f64], mass: f64) -> f64 {
    let mut sorted = [f64::NEG_INFINITY; MAX_ASSETS];
    sorted[..x.len()].copy_from_slice(x);
    let s = &mut sorted[..x.len()];
    s.sort_unstable_by(|a, b| b.total_cmp(a)); // descending
    let mut acc = 0.0;
    for k in 0..s.len() {
        acc += s[k];
        // Candidate level with the top k+1 values above it.
        let level = (acc - mass) / (k + 1) as f64;
        let next = if k + 1 < s.len() {
            s[k + 1]
        } else {
            f64::NEG_INFINITY
        };
        if level >= next {
            return level.max(0.0);
        }
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t6040() -> TargetAllocation {
        TargetAllocation::new(&[0.6, 0.4]).unwrap()
    }

    #[test]
    fn five_pp_band_triggers_at_66_34_not_at_64_36() {
        let band = ThresholdBand::Absolute(0.05);
        let rule = RebalanceRule::Threshold {
            band,
            check: None,
            to: RebalanceTo::Target,
        };
        let mut quiet = Holdings::from_values(&[64.0, 36.0]);
        assert!(!band_breached(&quiet, &t6040(), band));
        assert_eq!(apply_rule(&rule, &mut quiet, &t6040()), None);
        assert_eq!(quiet.values(), &[64.0, 36.0]);

        let mut drifted = Holdings::from_values(&[66.0, 34.0]);
        let trades = apply_rule(&rule, &mut drifted, &t6040()).unwrap();
        assert_eq!(trades.legs, 2);
        assert!((trades.dollars - 12.0).abs() < 1e-12); // sell 6, buy 6
        assert!((drifted.values()[0] - 60.0).abs() < 1e-12);
        assert!((drifted.values()[1] - 40.0).abs() < 1e-12);
    }

    #[test]
    fn kendra_calendar_rebalance_sells_1250_of_stocks() {
        // Seed 001: $17,000 stocks and $4,000 bonds against 75/25.
        let target = TargetAllocation::new(&[0.75, 0.25]).unwrap();
        let mut h = Holdings::from_values(&[17_000.0, 4_000.0]);
        let trades =
            apply_rule(&RebalanceRule::Calendar(Calendar::Annual), &mut h, &target).unwrap();
        assert_eq!(h.values(), &[15_750.0, 5_250.0]);
        assert_eq!(trades.dollars, 2_500.0);
    }

    #[test]
    fn band_edge_moves_only_to_the_edge() {
        let band = ThresholdBand::Absolute(0.05);
        let mut h = Holdings::from_values(&[67.0, 33.0]);
        let trades = to_band_edge(&mut h, &t6040(), band);
        assert!((h.values()[0] - 65.0).abs() < 1e-9);
        assert!((h.values()[1] - 35.0).abs() < 1e-9);
        assert!((trades.dollars - 4.0).abs() < 1e-9);
        assert!((h.total() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn band_edge_never_pushes_an_asset_out_of_its_band() {
        // Found by the weights property test: the 0% asset (band 0) and the empty 72% asset
        // both breach; the only in-band asset is above its target, so it has no gap to take
        // the freed 55%. It used to absorb it anyway and end at 76% (band 9% to 47%).
        let t = TargetAllocation::new(&[0.0, 0.721, 0.279]).unwrap();
        let band = ThresholdBand::Relative(0.668);
        let mut h = Holdings::from_values(&[9_152_778.5, 0.0, 7_608_595.9]);
        let total = h.total();
        to_band_edge(&mut h, &t, band);
        assert!((h.total() / total - 1.0).abs() < 1e-12);
        let w = h.weights();
        for (i, &target) in t.weights().iter().enumerate() {
            let half = band.half_width(target);
            assert!((w[i] - target).abs() <= half + 1e-12, "asset {i}: {}", w[i]);
        }
        assert_eq!(w[0], 0.0);
    }

    #[test]
    fn relative_and_five_twenty_five_bands() {
        // 25% relative band on a 10% target is +/-2.5pp; on a 60% target 15pp, so 5/25 uses 5pp.
        assert!((ThresholdBand::Relative(0.25).half_width(0.10) - 0.025).abs() < 1e-15);
        let ft = ThresholdBand::FiveTwentyFive {
            absolute: 0.05,
            relative: 0.25,
        };
        assert!((ft.half_width(0.60) - 0.05).abs() < 1e-15);
        assert!((ft.half_width(0.10) - 0.025).abs() < 1e-15);
        let target = TargetAllocation::new(&[0.6, 0.3, 0.1]).unwrap();
        // The 10% asset at 13% breaches 5/25 (2.5pp) but not a plain 5pp band.
        let h = Holdings::from_values(&[58.0, 29.0, 13.0]);
        assert!(band_breached(&h, &target, ft));
        assert!(!band_breached(&h, &target, ThresholdBand::Absolute(0.05)));
    }

    #[test]
    fn calendar_periods_in_steps() {
        assert_eq!(Calendar::Quarterly.period_steps(12), Some(3));
        assert_eq!(Calendar::Annual.period_steps(1), Some(1));
        assert_eq!(Calendar::Monthly.period_steps(1), None);
        assert_eq!(Calendar::Quarterly.period_steps(1), None);
    }

    #[test]
    fn contributions_toward_target_fill_the_biggest_gap_first() {
        let target = TargetAllocation::new(&[0.6, 0.3, 0.1]).unwrap();
        // 70/20/10 of 100: bonds are 10pp under, cash at target. $10 all goes to bonds.
        let mut h = Holdings::from_values(&[70.0, 20.0, 10.0]);
        contribute(&mut h, 10.0, &target, CashFlowRouting::TowardTarget);
        assert!((h.values()[0] - 70.0).abs() < 1e-9);
        assert!((h.values()[1] - 30.0).abs() < 1e-9);
        assert!((h.values()[2] - 10.0).abs() < 1e-9);
        // Kendra's over-contribution: $1,666.67 to bonds reaches 75/25 without selling.
        let t = TargetAllocation::new(&[0.75, 0.25]).unwrap();
        let mut k = Holdings::from_values(&[17_000.0, 4_000.0]);
        let x = (0.25 * 21_000.0 - 4_000.0) / 0.75;
        contribute(&mut k, x, &t, CashFlowRouting::TowardTarget);
        assert!((k.values()[1] - 4_000.0 - 1_666.666_666_666_7).abs() < 1e-6);
        assert!((k.weights()[0] - 0.75).abs() < 1e-12);
    }

    #[test]
    fn contributions_most_off_target_and_pro_rata() {
        let target = t6040();
        let mut h = Holdings::from_values(&[70.0, 30.0]);
        contribute(&mut h, 5.0, &target, CashFlowRouting::MostOffTarget);
        assert_eq!(h.values(), &[70.0, 35.0]);
        contribute(&mut h, 10.0, &target, CashFlowRouting::ProRata);
        assert_eq!(h.values(), &[76.0, 39.0]);
        let mut empty = Holdings::from_values(&[0.0, 0.0]);
        contribute(&mut empty, 10.0, &target, CashFlowRouting::MostOffTarget);
        assert_eq!(empty.values(), &[6.0, 4.0]);
    }

    #[test]
    fn withdrawals_conserve_money_and_never_go_negative() {
        let target = TargetAllocation::new(&[0.6, 0.3, 0.1]).unwrap();
        for routing in [
            CashFlowRouting::ProRata,
            CashFlowRouting::MostOffTarget,
            CashFlowRouting::TowardTarget,
        ] {
            for amount in [0.0, 1.0, 5.0, 30.0, 99.0] {
                let mut h = Holdings::from_values(&[70.0, 25.0, 5.0]);
                let taken = withdraw(&mut h, amount, &target, routing);
                assert_eq!(taken, amount);
                assert!(
                    (h.total() - (100.0 - amount)).abs() < 1e-9,
                    "{routing:?} {amount}"
                );
                assert!(h.values().iter().all(|&v| v >= 0.0));
            }
            let mut h = Holdings::from_values(&[70.0, 25.0, 5.0]);
            assert_eq!(withdraw(&mut h, 150.0, &target, routing), 100.0);
            assert_eq!(h.total(), 0.0);
        }
    }

    #[test]
    fn withdrawals_from_overweight_first() {
        let target = t6040();
        // 70/30: taking $10 from stocks lands exactly on 60/30 -> 66.7/33.3; toward target
        // takes all 10 from stocks.
        let mut h = Holdings::from_values(&[70.0, 30.0]);
        withdraw(&mut h, 10.0, &target, CashFlowRouting::TowardTarget);
        assert!((h.values()[0] - 60.0).abs() < 1e-9);
        assert!((h.values()[1] - 30.0).abs() < 1e-9);
        // Cascade: stocks first, then bonds once stocks are gone.
        let mut c = Holdings::from_values(&[5.0, 95.0]);
        withdraw(
            &mut c,
            10.0,
            &TargetAllocation::new(&[0.0, 1.0]).unwrap(),
            CashFlowRouting::MostOffTarget,
        );
        assert_eq!(c.values(), &[0.0, 90.0]);
    }

    #[test]
    fn water_level_solves_the_levelling_equation() {
        let x = [0.10, 0.05, -0.02];
        let l = water_level(&x, 0.05);
        let mass: f64 = x.iter().map(|&v| (v - l).max(0.0)).sum();
        assert!((mass - 0.05).abs() < 1e-15);
        assert!((l - 0.05).abs() < 1e-15);
        assert_eq!(water_level(&[0.1, 0.1], 0.2), 0.0);
    }
}
