//! The wash-sale rule (IRC §1091) across a household's accounts, for the simulation.
//!
//! A loss on a sale of one fund is disallowed when the same fund is bought within 30 days
//! before or after the sale, in the taxable account or in any tax-advantaged account of the
//! taxpayer or spouse. Bought in the taxable account, the disallowed loss is added to the
//! basis of the replacement shares (§1091(d)), so it comes back when they are sold. Bought in
//! an IRA, it is lost for good (Rev. Rul. 2008-5). 401(k), Roth and HSA purchases are treated
//! like IRA purchases: the ruling names IRAs, and treating the others alike is the cautious
//! reading.
//!
//! "The same fund" means the same asset class and the same fund of it
//! ([`TaxLot::fund`](super::lots::TaxLot::fund)): the tax-loss-harvesting replacement is a
//! different fund of the same asset class, not substantially identical.
//!
//! Matching is pro rata by dollars: a purchase of `d` dollars replaces up to `d` dollars of
//! proceeds of a loss sale, and disallows the loss on that share of the proceeds. (The statute
//! matches shares; both funds of an asset move with one price index here, so dollars on the
//! same step are shares, and across one step of the window the difference is small.)
//! Each purchase replaces once, and each dollar of a loss sale is replaced once, in the order
//! they happened.
//!
//! One `WashSales` serves one household, with one taxable [`LotBook`](super::lots::LotBook):
//! the book records its own purchases and sales here, and the caller records purchases in
//! the tax-advantaged accounts with [`WashSales::record_ira_purchase`].

use super::lots::Realized;

/// A purchase that may still replace shares sold at a loss.
#[derive(Debug, Clone, Copy)]
struct Purchase {
    asset: u8,
    fund: u8,
    step: u32,
    /// Dollars not yet matched to a loss sale (and, in the taxable account, still held).
    dollars: f64,
    /// The taxable lot that holds the shares; `None` for a tax-advantaged account.
    lot: Option<u32>,
}

/// A sale at a loss whose proceeds may still be matched by a purchase in the window.
#[derive(Debug, Clone, Copy)]
struct LossSale {
    asset: u8,
    fund: u8,
    step: u32,
    /// Proceeds not yet matched to a purchase.
    proceeds: f64,
    /// Loss per dollar of proceeds (positive).
    loss_per_dollar: f64,
    long_term: bool,
}

/// Recent purchases and loss sales of one household, within one wash-sale window.
///
/// Reused across paths: [`WashSales::reset`] at the start of each path (with the book's
/// [`LotBook::reset`](super::lots::LotBook::reset)). Steps must not decrease between resets.
/// After warm-up nothing allocates: the record lists keep their capacity and only ever hold
/// one window of records.
#[derive(Debug, Clone)]
pub struct WashSales {
    window: u32,
    purchases: Vec<Purchase>,
    losses: Vec<LossSale>,
    /// Disallowed losses not yet taken by the caller (positive: to add back to gains).
    disallowed: Realized,
    lost_to_ira: f64,
    added_to_basis: f64,
    /// Basis to add to taxable lots for losses matched to earlier taxable purchases: (lot
    /// id, dollars). Filled by `record_loss_sale`, applied and cleared by the lot book.
    basis_moves: Vec<(u32, f64)>,
    /// The step of the last pruning.
    pruned_at: Option<u32>,
}

/// The wash-sale window on each side of a sale, in whole steps: 30 days, rounded. Monthly
/// steps give one step (months are 28 to 31 days, so a purchase in the month before or after
/// can be within 30 days); quarterly and annual steps give zero, that is the same step only.
pub fn window_steps(steps_per_year: u32) -> u32 {
    (30.0 * f64::from(steps_per_year) / 365.0).round() as u32
}

impl WashSales {
    pub fn new(steps_per_year: u32) -> Self {
        assert!(steps_per_year > 0, "steps_per_year must be positive");
        Self {
            window: window_steps(steps_per_year),
            purchases: Vec::with_capacity(64),
            losses: Vec::with_capacity(64),
            disallowed: Realized::default(),
            lost_to_ira: 0.0,
            added_to_basis: 0.0,
            basis_moves: Vec::with_capacity(8),
            pruned_at: None,
        }
    }

    /// Forgets every record and total: the start of a path.
    pub fn reset(&mut self) {
        self.purchases.clear();
        self.losses.clear();
        self.disallowed = Realized::default();
        self.lost_to_ira = 0.0;
        self.added_to_basis = 0.0;
        self.basis_moves.clear();
        self.pruned_at = None;
    }

    /// The window on each side of a sale, in steps.
    pub fn window(&self) -> u32 {
        self.window
    }

    /// Records a purchase of `dollars` of `fund` of `asset` in a tax-advantaged account (IRA,
    /// Roth IRA, 401(k), HSA; the taxpayer's or the spouse's). Any loss it replaces is
    /// disallowed and lost for good (Rev. Rul. 2008-5): see [`WashSales::take_disallowed`]
    /// and [`WashSales::lost_to_ira`]. To avoid that, buy the fund the taxable account holds
    /// now ([`LotBook::current_fund`](super::lots::LotBook::current_fund)), or check
    /// [`WashSales::would_wash`].
    #[inline]
    pub fn record_ira_purchase(&mut self, asset: usize, fund: u8, step: u32, dollars: f64) {
        let lost = self.record_purchase(asset, fund, step, dollars, None);
        self.lost_to_ira += lost;
    }

    /// Whether buying `fund` of `asset` at `step` would disallow a loss sold within the
    /// window before it.
    pub fn would_wash(&self, asset: usize, fund: u8, step: u32) -> bool {
        self.losses.iter().any(|s| {
            usize::from(s.asset) == asset
                && s.fund == fund
                && self.in_window(s.step, step)
                && s.proceeds > 0.0
        })
    }

    /// The losses disallowed since the last call, as positive amounts to add back to the
    /// realized gains ([`LotBook::sell`](super::lots::LotBook::sell) and
    /// [`LotBook::harvest`](super::lots::LotBook::harvest) report losses in full). Short- and
    /// long-term follow the loss sold. Whether the replacement was bought before the sale
    /// or after it, the amount is reported on the step it is detected: a December loss
    /// washed by a January purchase is added back in January's year (the simulation does
    /// not amend a closed year).
    #[inline]
    pub fn take_disallowed(&mut self) -> Realized {
        std::mem::take(&mut self.disallowed)
    }

    /// Disallowed losses lost for good to purchases in tax-advantaged accounts, since reset.
    pub fn lost_to_ira(&self) -> f64 {
        self.lost_to_ira
    }

    /// Disallowed losses added to the basis of taxable replacement shares, since reset.
    /// Every disallowed loss is one or the other: the sum of everything
    /// [`WashSales::take_disallowed`] returned equals `lost_to_ira() + added_to_basis()`.
    pub fn added_to_basis(&self) -> f64 {
        self.added_to_basis
    }

    fn in_window(&self, earlier: u32, later: u32) -> bool {
        later.saturating_sub(earlier) <= self.window
    }

    /// Drops records that fell out of the window before `step`.
    #[inline]
    fn prune(&mut self, step: u32) {
        // Once a step is enough: a record zeroed later in the step is skipped by every scan
        // (they all test the dollars left), and a step's records are all in its window.
        if self.pruned_at == Some(step) {
            return;
        }
        self.pruned_at = Some(step);
        let w = self.window;
        let live = |s: u32| step.saturating_sub(s) <= w;
        self.purchases.retain(|p| live(p.step) && p.dollars > 0.0);
        self.losses.retain(|s| live(s.step) && s.proceeds > 0.0);
    }

    /// Records a purchase and matches it against the loss sales pending in the window.
    /// Returns the disallowed loss (already added to `disallowed`), which for a taxable
    /// purchase (`lot` given) the caller adds to the lot's basis.
    fn record_purchase(
        &mut self,
        asset: usize,
        fund: u8,
        step: u32,
        dollars: f64,
        lot: Option<u32>,
    ) -> f64 {
        if dollars.is_nan() || dollars <= 0.0 {
            return 0.0;
        }
        self.prune(step);
        let asset = asset as u8;
        let mut left = dollars;
        let mut disallowed = 0.0;
        for s in &mut self.losses {
            if left <= 0.0 {
                break;
            }
            if s.asset != asset || s.fund != fund || s.proceeds <= 0.0 {
                continue;
            }
            let matched = left.min(s.proceeds);
            let loss = matched * s.loss_per_dollar;
            s.proceeds -= matched;
            left -= matched;
            disallowed += loss;
            add_character(&mut self.disallowed, loss, s.long_term);
        }
        if lot.is_some() {
            self.added_to_basis += disallowed;
        }
        if left > 0.0 {
            // Purchases of one step into one lot (or one IRA) are one record, so a step with
            // many purchases keeps the list short.
            let same = |p: &Purchase| {
                p.asset == asset
                    && p.fund == fund
                    && p.step == step
                    && p.lot == lot
                    && p.dollars > 0.0
            };
            match self.purchases.iter_mut().rev().find(|p| same(p)) {
                Some(p) => p.dollars += left,
                None => self.purchases.push(Purchase {
                    asset,
                    fund,
                    step,
                    dollars: left,
                    lot,
                }),
            }
        }
        disallowed
    }

    /// A taxable purchase into lot `lot`; returns the loss to add to that lot's basis.
    pub(super) fn record_taxable_purchase(
        &mut self,
        asset: usize,
        fund: u8,
        step: u32,
        dollars: f64,
        lot: u32,
    ) -> f64 {
        self.record_purchase(asset, fund, step, dollars, Some(lot))
    }

    /// The share `fraction` of taxable lot `lot` was sold: shares sold cannot replace
    /// themselves, so that share of its recent purchases no longer counts. Call before
    /// recording the sale's losses.
    pub(super) fn sold_from_lot(&mut self, lot: u32, fraction: f64) {
        for p in &mut self.purchases {
            if p.lot == Some(lot) {
                p.dollars = if fraction >= 1.0 {
                    0.0
                } else {
                    p.dollars * (1.0 - fraction)
                };
            }
        }
    }

    /// Records a sale of `fund` of `asset` at a loss (`loss` > 0, on `proceeds`), matches it
    /// against the purchases in the window before it, and keeps what is unmatched for
    /// purchases to come. Matches with taxable purchases leave basis moves for the book
    /// ([`WashSales::basis_moves`]).
    pub(super) fn record_loss_sale(
        &mut self,
        asset: usize,
        fund: u8,
        step: u32,
        proceeds: f64,
        loss: f64,
        long_term: bool,
    ) {
        if proceeds <= 0.0 || loss <= 0.0 {
            return;
        }
        self.prune(step);
        let asset = asset as u8;
        let loss_per_dollar = loss / proceeds;
        let mut left = proceeds;
        for p in &mut self.purchases {
            if left <= 0.0 {
                break;
            }
            if p.asset != asset || p.fund != fund || p.dollars <= 0.0 {
                continue;
            }
            let matched = left.min(p.dollars);
            let disallowed = matched * loss_per_dollar;
            p.dollars -= matched;
            left -= matched;
            add_character(&mut self.disallowed, disallowed, long_term);
            match p.lot {
                Some(id) => {
                    self.added_to_basis += disallowed;
                    self.basis_moves.push((id, disallowed));
                }
                None => self.lost_to_ira += disallowed,
            }
        }
        if left > 0.0 {
            self.losses.push(LossSale {
                asset,
                fund,
                step,
                proceeds: left,
                loss_per_dollar,
                long_term,
            });
        }
    }

    /// Basis to add to taxable lots, (lot id, dollars), left by `record_loss_sale`.
    pub(super) fn basis_moves(&self) -> &[(u32, f64)] {
        &self.basis_moves
    }

    pub(super) fn clear_basis_moves(&mut self) {
        self.basis_moves.clear();
    }
}

fn add_character(r: &mut Realized, amount: f64, long_term: bool) {
    if long_term {
        r.long += amount;
    } else {
        r.short += amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_wash_window_is_one_step_monthly_and_same_step_annually() {
        assert_eq!(window_steps(12), 1);
        assert_eq!(window_steps(1), 0);
        assert_eq!(window_steps(4), 0);
        assert_eq!(window_steps(52), 4);
    }

    #[test]
    fn household_wash_ira_purchase_before_a_loss_sale_loses_it_pro_rata() {
        let mut w = WashSales::new(12);
        w.record_ira_purchase(0, 0, 4, 300.0);
        // Sold 1,000 at a loss of 200 one step later: 300 of the 1,000 were replaced.
        w.record_loss_sale(0, 0, 5, 1000.0, 200.0, false);
        assert!((w.lost_to_ira() - 60.0).abs() < 1e-12);
        assert!(w.basis_moves().is_empty());
        let d = w.take_disallowed();
        assert!((d.short - 60.0).abs() < 1e-12 && d.long == 0.0);
        assert_eq!(w.take_disallowed(), Realized::default());
        // The remaining 700 of proceeds stay pending for one step: 700 more bought at step 6
        // disallow the rest; nothing is matched twice.
        assert!(w.would_wash(0, 0, 6));
        w.record_ira_purchase(0, 0, 6, 1000.0);
        assert!((w.take_disallowed().short - 140.0).abs() < 1e-12);
        assert!((w.lost_to_ira() - 200.0).abs() < 1e-12);
        assert!(!w.would_wash(0, 0, 6));
    }

    #[test]
    fn household_wash_ignores_other_funds_assets_and_old_purchases() {
        let mut w = WashSales::new(12);
        w.record_ira_purchase(0, 0, 3, 500.0); // two steps before: outside the window
        w.record_ira_purchase(0, 1, 5, 500.0); // the replacement fund
        w.record_ira_purchase(1, 0, 5, 500.0); // another asset
        w.record_loss_sale(0, 0, 5, 1000.0, 100.0, true);
        assert_eq!(w.take_disallowed(), Realized::default());
        w.record_ira_purchase(0, 0, 7, 500.0); // two steps after
        assert_eq!(w.take_disallowed(), Realized::default());
        assert_eq!(w.lost_to_ira(), 0.0);
    }
}
