//! The tax lots of a simulated taxable account: which shares a sale sells, the short- and
//! long-term gains it realizes, and tax-loss harvesting.
//!
//! This is the simulation's version of [`crate::plan::lots`]: `f64` money and no allocation
//! per step, so it can run in the hot loop. The orderings are the same as the planner's.
//!
//! Prices are kept per asset class, not per lot: a lot holds shares, and its value is its
//! shares times its asset's price index, so a step of market growth is one multiplication per
//! asset whatever the number of lots. Both funds of an asset class (the primary fund and its
//! tax-loss-harvesting replacement) follow the same index: they track the same market.

use super::wash::WashSales;
use crate::portfolio::SUM_START;
use std::ops::AddAssign;

/// Which lots a sale sells first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotMethod {
    /// Oldest first (the IRS default when no lots are specified).
    Fifo,
    /// Highest cost per share first.
    Hifo,
    /// Lowest estimated tax per dollar sold first: the gain per dollar of value times the
    /// short- or long-term rate of [`SaleRates`]. So losses come first, the largest first; at
    /// equal tax long-term before short-term, then higher cost per share, then older.
    TaxOptimal,
}

/// The investor's assumed marginal rates on short- and long-term gains, used only to order
/// lots for [`LotMethod::TaxOptimal`] (fractions, e.g. 0.24 and 0.15).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaleRates {
    pub short: f64,
    pub long: f64,
}

/// Shares of one fund of one asset class bought at one time (or, merged, in one year).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxLot {
    pub asset: u8,
    /// 0: the asset's primary fund; 1: its tax-loss-harvesting replacement (same asset class,
    /// not substantially identical).
    pub fund: u8,
    pub shares: f64,
    /// Cost basis, dollars.
    pub basis: f64,
    /// Step of acquisition; the holding period runs from here. Negative for holdings
    /// bought before the simulation started.
    pub acquired: i32,
    /// Identifies the lot for the wash-sale records while it lives; unique within a path.
    pub id: u32,
}

/// Realized capital gains (> 0) and losses (< 0), dollars.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Realized {
    pub short: f64,
    pub long: f64,
}

impl Realized {
    pub fn total(&self) -> f64 {
        self.short + self.long
    }
}

impl AddAssign for Realized {
    fn add_assign(&mut self, rhs: Self) {
        self.short += rhs.short;
        self.long += rhs.long;
    }
}

/// The lots of one simulated taxable account.
///
/// Lots are stored in one vector grouped by asset class, and within an asset in order of
/// acquisition: a new lot is appended to its asset's group and a merge only ever touches the
/// group's last lot (see [`LotBook::buy`]). So FIFO is a forward scan, and nothing is sorted.
/// Reused across paths: [`LotBook::reset`] keeps the vectors' capacity, so after the first
/// path (warm-up) nothing allocates.
#[derive(Debug, Clone)]
pub struct LotBook {
    steps_per_year: u32,
    /// Price index per asset (1.0 at reset).
    price: Vec<f64>,
    /// Shares held per asset: the sum of its lots' shares (recomputed after each sale).
    shares: Vec<f64>,
    /// The fund `buy` buys, per asset: the primary until a harvest swaps it.
    current_fund: Vec<u8>,
    lots: Vec<TaxLot>,
    /// Asset `a`'s lots are `lots[start[a]..start[a + 1]]`.
    start: Vec<usize>,
    next_id: u32,
}

/// Gains and losses of one sale, by fund and holding period, for the wash-sale records.
#[derive(Debug, Default, Clone, Copy)]
struct LossBuckets {
    /// [fund][long-term]: (proceeds, loss) of the lots sold at a loss.
    sold: [[(f64, f64); 2]; 2],
}

impl LossBuckets {
    fn add(&mut self, fund: u8, long_term: bool, proceeds: f64, gain: f64) {
        if gain < 0.0 {
            let b = &mut self.sold[usize::from(fund & 1)][usize::from(long_term)];
            b.0 += proceeds;
            b.1 -= gain;
        }
    }
}

/// Whether lot `a` cost more per share than lot `b`: cross-multiplied, so no division, and a
/// worthless lot (no shares, some basis) is the highest of all.
fn higher_basis(a: &TaxLot, b: &TaxLot) -> bool {
    a.basis * b.shares > b.basis * a.shares
}

/// The highest-basis lot of a scan so far (its index and a copy), kept at hand so that each
/// step of the scan reads one lot.
#[derive(Clone, Copy, Default)]
struct Highest(Option<(usize, TaxLot)>);

impl Highest {
    /// Keeps lot `i` if it cost more per share than the best so far (the first of equals).
    #[inline]
    fn offer(&mut self, i: usize, l: &TaxLot) {
        if self.0.is_none_or(|(_, best)| higher_basis(l, &best)) {
            self.0 = Some((i, *l));
        }
    }

    fn index(self) -> Option<usize> {
        self.0.map(|(i, _)| i)
    }
}

/// A lot sold in full. (A worthless lot has no shares but still its basis: it is not empty.)
fn is_empty(l: &TaxLot) -> bool {
    l.shares <= 0.0 && l.basis <= 0.0
}

impl LotBook {
    /// An empty book for `n_assets` asset classes on steps of `1 / steps_per_year` years.
    pub fn new(n_assets: usize, steps_per_year: u32) -> Self {
        assert!(steps_per_year > 0, "steps_per_year must be positive");
        assert!(
            n_assets <= usize::from(u8::MAX),
            "asset index must fit a TaxLot's u8"
        );
        Self {
            steps_per_year,
            price: vec![1.0; n_assets],
            shares: vec![0.0; n_assets],
            current_fund: vec![0; n_assets],
            // About two lots a year per asset; grows during the first path if needed.
            lots: Vec::with_capacity(n_assets * 64),
            start: vec![0; n_assets + 1],
            next_id: 0,
        }
    }

    /// The start of a path: one lot of the primary fund per asset holding `values[a]` dollars
    /// with basis `basis[a]`, acquired at `acquired` (a step, negative before the start);
    /// every price index back to 1.0. An asset with no value gets no lot. Reset the
    /// household's [`WashSales`] with it: lot ids start again from zero.
    pub fn reset(&mut self, values: &[f64], basis: &[f64], acquired: i32) {
        let n = self.price.len();
        assert!(values.len() == n && basis.len() == n, "one value per asset");
        self.lots.clear();
        self.next_id = 0;
        for a in 0..n {
            self.price[a] = 1.0;
            self.current_fund[a] = 0;
            self.start[a] = self.lots.len();
            self.shares[a] = 0.0;
            if values[a] > 0.0 {
                debug_assert!(basis[a] >= 0.0, "negative basis");
                self.shares[a] = values[a];
                let id = self.take_id();
                self.lots.push(TaxLot {
                    asset: a as u8,
                    fund: 0,
                    shares: values[a],
                    basis: basis[a],
                    acquired,
                    id,
                });
            }
        }
        self.start[n] = self.lots.len();
    }

    /// One step of price growth: asset `a`'s value is multiplied by `price_gross[a]` (one plus
    /// its price return; income and fees are the caller's cash flows).
    ///
    /// An index that leaves [1e-150, 1e150] is folded into the lots' shares and restarts at
    /// 1.0 (per-lot work, but only after extreme markets), so it never underflows or
    /// overflows. A fall of 100% or more leaves the asset's lots worthless: no shares, their
    /// basis kept, so selling or harvesting them realizes the whole basis as a loss.
    #[inline]
    pub fn grow(&mut self, price_gross: &[f64]) {
        for (a, &g) in price_gross.iter().enumerate().take(self.price.len()) {
            self.grow_asset(a, g);
        }
    }

    /// [`LotBook::grow`] for one asset; returns the asset's value after it.
    #[inline]
    pub fn grow_asset(&mut self, asset: usize, price_gross: f64) -> f64 {
        let p = self.price[asset] * price_gross.max(0.0);
        self.price[asset] = p;
        if !(1e-150..=1e150).contains(&p) {
            self.rebase(asset);
        }
        self.value(asset)
    }

    /// Folds the asset's price index into its lots' shares; the index restarts at 1.0.
    fn rebase(&mut self, asset: usize) {
        let p = self.price[asset];
        let p = if p.is_finite() { p } else { 0.0 };
        let r = self.range(asset);
        for l in &mut self.lots[r] {
            l.shares *= p;
        }
        self.price[asset] = 1.0;
        self.recount(asset);
    }

    #[inline]
    pub fn value(&self, asset: usize) -> f64 {
        self.shares[asset] * self.price[asset]
    }

    /// Every asset's value into `out` (one slot per asset).
    #[inline]
    pub fn values(&self, out: &mut [f64]) {
        for (a, o) in out.iter_mut().enumerate().take(self.price.len()) {
            *o = self.value(a);
        }
    }

    pub fn total(&self) -> f64 {
        (0..self.price.len()).map(|a| self.value(a)).sum()
    }

    /// Cost basis of one asset's lots (a scan of its lots).
    pub fn basis(&self, asset: usize) -> f64 {
        self.lots[self.range(asset)].iter().map(|l| l.basis).sum()
    }

    /// Cost basis of all lots (a scan of the lots).
    pub fn basis_total(&self) -> f64 {
        self.lots.iter().map(|l| l.basis).sum()
    }

    /// All lots, grouped by asset and in order of acquisition within each asset.
    pub fn lots(&self) -> &[TaxLot] {
        &self.lots
    }

    /// One asset's lots, in order of acquisition.
    pub fn lots_of(&self, asset: usize) -> &[TaxLot] {
        &self.lots[self.range(asset)]
    }

    /// The fund [`LotBook::buy`] buys for `asset`: 0 (primary) until a harvest swaps it.
    /// Tax-advantaged accounts that buy this fund never wash a harvested loss.
    pub fn current_fund(&self, asset: usize) -> u8 {
        self.current_fund[asset]
    }

    /// The asset's price index (1.0 at reset).
    pub fn price(&self, asset: usize) -> f64 {
        self.price[asset]
    }

    /// Whether a lot acquired at `acquired` is long-term when sold at `step`: held more than
    /// one year (IRC §1222; the holding period starts the day after purchase, so exactly
    /// one year is still short-term).
    pub fn is_long_term(&self, acquired: i32, step: u32) -> bool {
        i64::from(step) - i64::from(acquired) > i64::from(self.steps_per_year)
    }

    /// Buys `dollars` of the fund the account holds for `asset` now
    /// ([`LotBook::current_fund`]), with basis `dollars`, at `step`.
    ///
    /// The purchase goes into the asset's newest lot if that lot is of the same fund and was
    /// bought in the same year of the simulation (`step / steps_per_year`); otherwise it starts
    /// a new lot. This bounds the lots to about two a year per asset. A merged lot takes the
    /// later acquisition step: the earlier shares' holding period is understated by up to a
    /// year, which can only turn a long-term sale short-term, the costlier and so cautious
    /// side for gains.
    ///
    /// The purchase is recorded in `wash`: if it replaces a loss sold within the window before
    /// it, that loss is disallowed and added to this lot's basis (IRC §1091(d)). (The
    /// replacement's holding period is not extended by the sold shares', as §1091(d) would:
    /// again the cautious side for gains.)
    #[inline]
    pub fn buy(&mut self, asset: usize, dollars: f64, step: u32, wash: &mut WashSales) {
        if dollars.is_nan() || dollars <= 0.0 {
            return;
        }
        let fund = self.current_fund[asset];
        let year = step / self.steps_per_year;
        let shares = dollars / self.price[asset];
        let r = self.range(asset);
        let id = match self.lots[r].last_mut() {
            Some(l)
                if l.fund == fund
                    && l.shares > 0.0
                    && l.acquired.div_euclid(self.steps_per_year as i32) == year as i32 =>
            {
                l.shares += shares;
                l.basis += dollars;
                l.acquired = l.acquired.max(step as i32);
                l.id
            }
            _ => self.push_lot(asset, fund, shares, dollars, step),
        };
        self.shares[asset] += shares;
        let washed = wash.record_taxable_purchase(asset, fund, step, dollars, id);
        if washed > 0.0 {
            self.add_basis(asset, id, washed);
        }
    }

    /// Sells up to `dollars` of `asset` (everything it holds if less), lots in the order of
    /// `method`, at `step`; a lot sold in part is sold pro rata by shares, its basis with them.
    /// Proceeds are `dollars.min(value(asset))`.
    ///
    /// Returns the realized gains in full: a loss the wash-sale rule disallows (a purchase of
    /// the same fund within the window, in any account, before or after the sale) is reported
    /// here and also collected in `wash`, to be added back from
    /// [`WashSales::take_disallowed`].
    ///
    /// Cost: HIFO and TaxOptimal scan the asset's lots once per lot the sale reaches (usually
    /// one), without division; FIFO reads the lots in book order; a sale of everything takes
    /// them in book order too, as the order cannot change its total. Nothing is sorted or
    /// allocated, and the lots are compacted only when one is sold in full.
    pub fn sell(
        &mut self,
        asset: usize,
        dollars: f64,
        step: u32,
        method: LotMethod,
        rates: SaleRates,
        wash: &mut WashSales,
    ) -> Realized {
        let mut realized = Realized::default();
        if dollars.is_nan() || dollars <= 0.0 || self.range(asset).is_empty() {
            return realized;
        }
        let price = self.price[asset];
        let r = self.range(asset);
        let sell_all = dollars >= self.value(asset);
        let mut buckets = LossBuckets::default();
        let mut left = dollars;
        let mut sold_shares = 0.0;
        let mut emptied = false;
        let mut cursor = r.start;
        while left > 0.0 {
            let next = if sell_all || method == LotMethod::Fifo {
                // Book order is acquisition order; sold lots are emptied, so resume after them.
                while cursor < r.end && is_empty(&self.lots[cursor]) {
                    cursor += 1;
                }
                (cursor < r.end).then_some(cursor)
            } else {
                self.first_to_sell(asset, method, rates, step)
            };
            let Some(i) = next else { break };
            let long_term = self.is_long_term(self.lots[i].acquired, step);
            let lot = &mut self.lots[i];
            let value = lot.shares * price;
            let (proceeds, sold_basis, fraction) = if sell_all || left >= value {
                let b = lot.basis;
                lot.shares = 0.0;
                lot.basis = 0.0;
                emptied = true;
                (value, b, 1.0)
            } else {
                let q = left / value;
                let b = lot.basis * q;
                sold_shares = lot.shares * q;
                lot.shares -= sold_shares;
                lot.basis -= b;
                (left, b, q)
            };
            left -= proceeds;
            let gain = proceeds - sold_basis;
            if long_term {
                realized.long += gain;
            } else {
                realized.short += gain;
            }
            buckets.add(lot.fund, long_term, proceeds, gain);
            wash.sold_from_lot(lot.id, fraction);
            if fraction < 1.0 {
                break;
            }
        }
        if emptied {
            // Also recounts the shares, so the running total does not drift.
            self.remove_empty(asset);
        } else {
            // The common case, a part of one lot: no scan.
            self.shares[asset] -= sold_shares;
        }
        self.record_losses(asset, step, &buckets, wash);
        realized
    }

    /// Tax-loss harvesting at `step`: every lot whose value is below its basis by more than
    /// `threshold` of the basis (e.g. 0.05) is sold, and the proceeds buy the asset's other
    /// fund in one new lot (basis = proceeds, acquired = `step`), which `buy` then keeps buying.
    /// Value is unchanged; the losses are returned (in full, as for [`LotBook::sell`]).
    ///
    /// A harvest never buys a fund sold at a loss within the window: that purchase would
    /// disallow the earlier loss. So an asset harvests one way per step, and a swap back to
    /// the primary fund waits for the window to pass. A loss can still be disallowed by a
    /// purchase of the harvested fund (a taxable buy just before, which then keeps the loss
    /// in its basis, or a tax-advantaged account's): see [`WashSales::take_disallowed`]. To
    /// keep `buy` from washing it, harvest before the step's purchases.
    pub fn harvest(&mut self, step: u32, threshold: f64, wash: &mut WashSales) -> Realized {
        let mut realized = Realized::default();
        for asset in 0..self.price.len() {
            let price = self.price[asset];
            // Most steps harvest nothing: one scan says so, before the wash-sale checks, and
            // recounts the shares on the way (as `recount` does, in the same order).
            let mut any = false;
            let mut shares = SUM_START;
            for l in &self.lots[self.range(asset)] {
                any |= !is_empty(l) && l.basis - l.shares * price > threshold * l.basis;
                shares += l.shares;
            }
            if !any {
                self.shares[asset] = shares;
                continue;
            }
            for fund in 0..2u8 {
                let other = 1 - fund;
                if wash.would_wash(asset, other, step) {
                    continue;
                }
                let mut buckets = LossBuckets::default();
                let mut proceeds = 0.0;
                let mut harvested = false;
                for i in self.range(asset) {
                    let long_term = self.is_long_term(self.lots[i].acquired, step);
                    let lot = &mut self.lots[i];
                    let value = lot.shares * price;
                    if lot.fund != fund
                        || is_empty(lot)
                        || lot.basis - value <= threshold * lot.basis
                    {
                        continue;
                    }
                    let gain = value - lot.basis;
                    if long_term {
                        realized.long += gain;
                    } else {
                        realized.short += gain;
                    }
                    buckets.add(fund, long_term, value, gain);
                    proceeds += value;
                    harvested = true;
                    lot.shares = 0.0;
                    lot.basis = 0.0;
                    wash.sold_from_lot(lot.id, 1.0);
                }
                if !harvested {
                    continue;
                }
                self.remove_empty(asset);
                self.record_losses(asset, step, &buckets, wash);
                if proceeds <= 0.0 {
                    // Only worthless lots: nothing to reinvest.
                    continue;
                }
                let id = self.push_lot(asset, other, proceeds / price, proceeds, step);
                let washed = wash.record_taxable_purchase(asset, other, step, proceeds, id);
                if washed > 0.0 {
                    self.add_basis(asset, id, washed);
                }
                self.current_fund[asset] = other;
            }
            self.recount(asset);
        }
        realized
    }

    #[inline]
    fn range(&self, asset: usize) -> std::ops::Range<usize> {
        self.start[asset]..self.start[asset + 1]
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// Appends a lot to the asset's group (after its newest lot); returns its id. The insert
    /// moves the later assets' lots by one: rare, at most a few times a year per asset.
    fn push_lot(&mut self, asset: usize, fund: u8, shares: f64, basis: f64, step: u32) -> u32 {
        let id = self.take_id();
        let at = self.start[asset + 1];
        self.lots.insert(
            at,
            TaxLot {
                asset: asset as u8,
                fund,
                shares,
                basis,
                acquired: step as i32,
                id,
            },
        );
        for s in &mut self.start[asset + 1..] {
            *s += 1;
        }
        id
    }

    /// The lot `method` sells next among the asset's non-empty lots, in one scan without
    /// division. Book order is acquisition order, so keeping the first of equal lots breaks
    /// the last tie, older first.
    ///
    /// TaxOptimal: within one holding period the rate is the same and the gain per dollar,
    /// 1 - basis per share / price, falls as basis per share rises, so the lot with the lowest
    /// estimated tax is the highest-basis long-term lot or the highest-basis short-term lot;
    /// the scan finds both and compares their tax (at equal tax, long-term).
    fn first_to_sell(
        &self,
        asset: usize,
        method: LotMethod,
        rates: SaleRates,
        step: u32,
    ) -> Option<usize> {
        let lots = &self.lots;
        let r = self.range(asset);
        let live = || {
            lots[r.clone()]
                .iter()
                .enumerate()
                .filter(|(_, l)| !is_empty(l))
                .map(|(j, l)| (r.start + j, l))
        };
        match method {
            LotMethod::Fifo => live().next().map(|(i, _)| i),
            LotMethod::Hifo => {
                let mut best = Highest::default();
                for (i, l) in live() {
                    best.offer(i, l);
                }
                best.index()
            }
            LotMethod::TaxOptimal => {
                let (mut long, mut short) = (Highest::default(), Highest::default());
                for (i, l) in live() {
                    if self.is_long_term(l.acquired, step) {
                        long.offer(i, l);
                    } else {
                        short.offer(i, l);
                    }
                }
                let (long, short) = (long.index(), short.index());
                let price = self.price[asset];
                let tax = |i: usize, rate: f64| {
                    let l = &lots[i];
                    if l.shares > 0.0 {
                        (1.0 - l.basis / (l.shares * price)) * rate
                    } else {
                        f64::NEG_INFINITY
                    }
                };
                match (long, short) {
                    (Some(l), Some(s)) if tax(s, rates.short) < tax(l, rates.long) => Some(s),
                    (Some(l), _) => Some(l),
                    (None, s) => s,
                }
            }
        }
    }

    /// Drops the asset's emptied lots, keeping the order of the others, and recounts its
    /// shares (so the running total does not drift from the lots).
    fn remove_empty(&mut self, asset: usize) {
        let r = self.range(asset);
        let mut kept = r.start;
        for i in r.clone() {
            if !is_empty(&self.lots[i]) {
                self.lots[kept] = self.lots[i];
                kept += 1;
            }
        }
        let removed = r.end - kept;
        if removed > 0 {
            self.lots.drain(kept..r.end);
            for s in &mut self.start[asset + 1..] {
                *s -= removed;
            }
        }
        self.recount(asset);
    }

    #[inline]
    fn recount(&mut self, asset: usize) {
        self.shares[asset] = self.lots[self.range(asset)].iter().map(|l| l.shares).sum();
    }

    /// Records a sale's losses in `wash` and applies the basis moves it returns: losses
    /// replaced by taxable purchases made before the sale go to those lots' basis.
    fn record_losses(
        &mut self,
        asset: usize,
        step: u32,
        buckets: &LossBuckets,
        wash: &mut WashSales,
    ) {
        for (fund, by_term) in buckets.sold.iter().enumerate() {
            // Short-term first: a disallowed short-term loss is the costlier, cautious side.
            for (long_term, (proceeds, loss)) in [(false, by_term[0]), (true, by_term[1])] {
                // Most buckets are empty: skipped here rather than by a call that records
                // nothing (the sale's hot path).
                if proceeds <= 0.0 || loss <= 0.0 {
                    continue;
                }
                wash.record_loss_sale(asset, fund as u8, step, proceeds, loss, long_term);
            }
        }
        if wash.basis_moves().is_empty() {
            return;
        }
        for &(id, dollars) in wash.basis_moves() {
            // The lot is still held: a purchase stays unmatched only for shares not sold.
            let r = self.start[asset]..self.start[asset + 1];
            let lot = self.lots[r].iter_mut().find(|l| l.id == id);
            debug_assert!(lot.is_some(), "wash-sale replacement lot {id} not held");
            if let Some(l) = lot {
                l.basis += dollars;
            }
        }
        wash.clear_basis_moves();
    }

    fn add_basis(&mut self, asset: usize, id: u32, dollars: f64) {
        let r = self.range(asset);
        if let Some(l) = self.lots[r].iter_mut().find(|l| l.id == id) {
            l.basis += dollars;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: SaleRates = SaleRates {
        short: 0.37,
        long: 0.15,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {{
            let (a, b) = ($a, $b);
            assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
        }};
    }

    /// Monthly steps, one asset, four lots of 1,000 shares each, priced at 1.6 on step 40:
    ///
    /// | lot | acquired | basis/share | basis | value | gain | term at 40 | est. tax per $ |
    /// |-----|----------|-------------|-------|-------|------|------------|----------------|
    /// | A   | 0        | 0.6         | 600   | 1600  | 1000 | long       | 0.625 x 0.15   |
    /// | B   | 14       | 1.2         | 1200  | 1600  | 400  | long       | 0.25 x 0.15    |
    /// | C   | 30       | 1.4         | 1400  | 1600  | 200  | short      | 0.125 x 0.37   |
    /// | D   | 37       | 2.0         | 2000  | 1600  | -400 | short      | -0.25 x 0.37   |
    ///
    /// FIFO sells A B C D; HIFO D C B A; TaxOptimal D B C A (B's long-term gain is taxed less
    /// than C's short-term one although C's basis is higher).
    fn four_lots() -> (LotBook, WashSales) {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[600.0], 0);
        b.grow(&[1.2]);
        b.buy(0, 1200.0, 14, &mut w);
        b.grow(&[1.4 / 1.2]);
        b.buy(0, 1400.0, 30, &mut w);
        b.grow(&[2.0 / 1.4]);
        b.buy(0, 2000.0, 37, &mut w);
        b.grow(&[0.8]);
        assert_eq!(b.lots().len(), 4);
        assert_close!(b.price(0), 1.6);
        assert_close!(b.total(), 6400.0);
        assert_close!(b.basis_total(), 5200.0);
        (b, w)
    }

    fn acquired(b: &LotBook) -> Vec<i32> {
        b.lots().iter().map(|l| l.acquired).collect()
    }

    #[test]
    fn household_lots_fifo_sells_oldest_first_and_prorates_a_partial_lot() {
        let (mut b, mut w) = four_lots();
        // A whole (+1000 long), then 400 of B's 1,600: a quarter of its shares and basis
        // (basis 300, +100 long).
        let r = b.sell(0, 2000.0, 40, LotMethod::Fifo, RATES, &mut w);
        assert_close!(r.long, 1100.0);
        assert_eq!(r.short, 0.0);
        assert_eq!(acquired(&b), vec![14, 30, 37]);
        assert_close!(b.lots()[0].shares, 750.0);
        assert_close!(b.lots()[0].basis, 900.0);
        assert_close!(b.value(0), 4400.0);
        // Then the rest of B (1,200, basis 900: +300 long), C (+200 short) and 100 of D
        // (basis 125: -25 short).
        let r = b.sell(0, 2900.0, 40, LotMethod::Fifo, RATES, &mut w);
        assert_close!(r.long, 300.0);
        assert_close!(r.short, 175.0);
        assert_eq!(acquired(&b), vec![37]);
        assert_close!(b.lots()[0].shares, 937.5);
        assert_close!(b.lots()[0].basis, 1875.0);
    }

    #[test]
    fn household_lots_hifo_sells_highest_basis_per_share_first() {
        let (mut b, mut w) = four_lots();
        // D whole (-400 short), then 400 of C (basis 350: +50 short).
        let r = b.sell(0, 2000.0, 40, LotMethod::Hifo, RATES, &mut w);
        assert_close!(r.short, -350.0);
        assert_eq!(r.long, 0.0);
        assert_eq!(acquired(&b), vec![0, 14, 30]);
        assert_close!(b.lots()[2].shares, 750.0);
        // The rest of C (+150 short), B (+400 long), 100 of A (basis 37.5: +62.5 long).
        let r = b.sell(0, 2900.0, 40, LotMethod::Hifo, RATES, &mut w);
        assert_close!(r.short, 150.0);
        assert_close!(r.long, 462.5);
        assert_eq!(acquired(&b), vec![0]);
        assert_close!(b.lots()[0].basis, 562.5);
    }

    #[test]
    fn household_lots_tax_optimal_sells_losses_then_lowest_estimated_tax() {
        let (mut b, mut w) = four_lots();
        // D whole (-400 short), then 400 of B (basis 300: +100 long), not C.
        let r = b.sell(0, 2000.0, 40, LotMethod::TaxOptimal, RATES, &mut w);
        assert_close!(r.short, -400.0);
        assert_close!(r.long, 100.0);
        assert_eq!(acquired(&b), vec![0, 14, 30]);
        assert_close!(b.lots()[1].shares, 750.0);
        assert_close!(b.lots()[2].shares, 1000.0);
        // The rest of B (+300 long), C (+200 short), 100 of A (+62.5 long).
        let r = b.sell(0, 2900.0, 40, LotMethod::TaxOptimal, RATES, &mut w);
        assert_close!(r.short, 200.0);
        assert_close!(r.long, 362.5);
        assert_eq!(acquired(&b), vec![0]);
        // No purchase within a month of the loss: nothing disallowed.
        assert_eq!(w.take_disallowed(), Realized::default());
    }

    #[test]
    fn household_lots_tax_optimal_prefers_long_term_at_equal_tax() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[500.0], 0);
        b.buy(0, 1000.0, 20, &mut w); // year 1: a new lot
        b.grow(&[2.0]);
        // At step 30: the old lot (long-term) gains 0.75 per dollar, the new one (short-term)
        // 0.5. At 25% long and 37.5% short both cost 0.1875 per dollar: the long-term lot goes
        // first, although the other has the higher basis. Half of it: basis 250, +750.
        let rates = SaleRates {
            short: 0.375,
            long: 0.25,
        };
        let r = b
            .clone()
            .sell(0, 1000.0, 30, LotMethod::TaxOptimal, rates, &mut w);
        assert_eq!(
            r,
            Realized {
                short: 0.0,
                long: 750.0
            }
        );
        // At 25% for both, the short-term lot costs less (0.125): half of it, +500.
        let rates = SaleRates {
            short: 0.25,
            long: 0.25,
        };
        let r = b.sell(0, 1000.0, 30, LotMethod::TaxOptimal, rates, &mut w);
        assert_eq!(
            r,
            Realized {
                short: 500.0,
                long: 0.0
            }
        );
    }

    #[test]
    fn household_lots_long_term_needs_more_than_a_year() {
        for (steps_per_year, step, long) in
            [(12, 12, false), (12, 13, true), (1, 1, false), (1, 2, true)]
        {
            let mut b = LotBook::new(1, steps_per_year);
            let mut w = WashSales::new(steps_per_year);
            b.reset(&[1000.0], &[600.0], 0);
            let r = b.sell(0, 500.0, step, LotMethod::Fifo, RATES, &mut w);
            let expected = if long {
                Realized {
                    short: 0.0,
                    long: 200.0,
                }
            } else {
                Realized {
                    short: 200.0,
                    long: 0.0,
                }
            };
            assert_eq!(
                r, expected,
                "{steps_per_year} steps a year, sold at step {step}"
            );
        }
    }

    #[test]
    fn household_lots_buys_merge_within_a_year_and_take_the_later_step() {
        let mut b = LotBook::new(2, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0, 0.0], &[1000.0, 0.0], 0);
        b.grow(&[2.0, 1.0]);
        b.buy(0, 500.0, 3, &mut w);
        b.buy(0, 500.0, 11, &mut w);
        b.buy(1, 400.0, 11, &mut w);
        b.buy(0, 100.0, 12, &mut w); // next year: a new lot
        let l = b.lots();
        assert_eq!(l.len(), 3);
        assert_eq!((l[0].asset, l[0].acquired), (0, 11));
        assert_close!(l[0].shares, 1500.0);
        assert_close!(l[0].basis, 2000.0);
        assert_eq!((l[1].asset, l[1].acquired), (0, 12));
        assert_eq!((l[2].asset, l[2].acquired), (1, 11));
        assert_close!(b.value(0), 3100.0);
        assert_close!(b.value(1), 400.0);
        let mut v = [0.0; 2];
        b.values(&mut v);
        assert_eq!(v, [b.value(0), b.value(1)]);
        // A reset reuses the book.
        b.reset(&[10.0, 20.0], &[5.0, 20.0], 7);
        assert_eq!(b.lots().len(), 2);
        assert_eq!(b.total(), 30.0);
        assert_eq!(b.basis_total(), 25.0);
        assert_eq!(b.price(0), 1.0);
    }

    #[test]
    fn household_lots_harvest_sells_the_loss_and_swaps_fund_at_equal_value() {
        let mut b = LotBook::new(2, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0, 1000.0], &[1000.0, 1000.0], 0);
        b.grow(&[0.75, 0.97]); // asset 0 is 25% down, asset 1 only 3%
        let r = b.harvest(5, 0.05, &mut w);
        assert_eq!(
            r,
            Realized {
                short: -250.0,
                long: 0.0
            }
        );
        assert_eq!(b.total(), 750.0 + 970.0);
        let l = b.lots_of(0);
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].fund, l[0].acquired), (1, 5));
        assert_eq!((l[0].shares, l[0].basis), (1000.0, 750.0));
        assert_eq!(b.lots_of(1)[0].fund, 0);
        assert_eq!((b.current_fund(0), b.current_fund(1)), (1, 0));
        assert_eq!(w.take_disallowed(), Realized::default());

        // Buying the replacement fund is not a wash, in either account.
        b.buy(0, 100.0, 6, &mut w);
        assert_eq!(b.lots_of(0)[0].basis, 850.0);
        w.record_ira_purchase(0, 1, 6, 500.0);
        assert_eq!(w.take_disallowed(), Realized::default());
        assert!(w.would_wash(0, 0, 6) && !w.would_wash(0, 1, 6));
    }

    #[test]
    fn household_lots_harvest_does_not_buy_back_a_fund_sold_at_a_loss_within_the_window() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[1000.0], 0);
        b.grow(&[0.75]);
        b.harvest(5, 0.05, &mut w);
        b.grow(&[0.5]); // the replacement (basis 750) is now worth 375
        // Harvesting it would buy fund 0 a month after fund 0 was sold at a loss.
        assert_eq!(b.harvest(6, 0.05, &mut w), Realized::default());
        assert_eq!(b.current_fund(0), 1);
        // Two months after, it may.
        assert_eq!(b.harvest(7, 0.05, &mut w).short, -375.0);
        assert_eq!(b.current_fund(0), 0);
        assert_eq!(b.lots_of(0)[0].basis, 375.0);
        assert_eq!(w.take_disallowed(), Realized::default());
    }

    #[test]
    fn household_lots_taxable_purchase_the_step_before_a_loss_sale_takes_the_loss_into_basis() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[1000.0], 0);
        b.grow(&[0.75]);
        b.buy(0, 300.0, 12, &mut w); // year 1: a new lot of 400 shares
        // Step 13: lot A (long-term, loss 250) goes first; 300 of its 750 proceeds were
        // replaced at step 12, so 250 x 300 / 750 = 100 is disallowed and moves to the
        // replacement lot's basis.
        let r = b.sell(0, 750.0, 13, LotMethod::TaxOptimal, RATES, &mut w);
        assert_eq!(
            r,
            Realized {
                short: 0.0,
                long: -250.0
            }
        );
        assert_eq!(
            w.take_disallowed(),
            Realized {
                short: 0.0,
                long: 100.0
            }
        );
        let l = b.lots();
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].acquired, l[0].shares, l[0].basis), (12, 400.0, 400.0));
        assert_eq!((w.added_to_basis(), w.lost_to_ira()), (100.0, 0.0));
    }

    #[test]
    fn household_lots_taxable_purchase_the_step_after_a_loss_sale_takes_the_loss_into_basis() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[1000.0], 0);
        b.grow(&[0.75]);
        // Half the lot: proceeds 375, basis 500, loss 125.
        let r = b.sell(0, 375.0, 5, LotMethod::Fifo, RATES, &mut w);
        assert_eq!(
            r,
            Realized {
                short: -125.0,
                long: 0.0
            }
        );
        // 150 bought back a step later replaces 150 / 375 of it: 50 disallowed, into the lot
        // it merges into (same fund, same year): basis 500 + 150 + 50.
        b.buy(0, 150.0, 6, &mut w);
        assert_eq!(
            w.take_disallowed(),
            Realized {
                short: 50.0,
                long: 0.0
            }
        );
        assert_eq!(b.basis_total(), 700.0);
        assert_eq!(b.lots()[0].shares, 700.0);
        assert_eq!(w.added_to_basis(), 50.0);
    }

    #[test]
    fn household_lots_ira_purchase_the_step_after_a_loss_sale_loses_it_without_basis() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[1000.0], 0);
        b.grow(&[0.75]);
        let r = b.sell(0, 375.0, 5, LotMethod::Fifo, RATES, &mut w);
        assert_eq!(r.short, -125.0);
        w.record_ira_purchase(0, 0, 6, 150.0);
        assert_eq!(
            w.take_disallowed(),
            Realized {
                short: 50.0,
                long: 0.0
            }
        );
        assert_eq!(w.lost_to_ira(), 50.0);
        assert_eq!(b.basis_total(), 500.0);
        // Outside the window: no more.
        w.record_ira_purchase(0, 0, 7, 1000.0);
        assert_eq!(w.take_disallowed(), Realized::default());
        assert_eq!(w.lost_to_ira(), 50.0);
    }

    #[test]
    fn household_lots_shares_sold_are_not_their_own_replacement() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[1000.0], 0);
        b.buy(0, 1000.0, 4, &mut w); // merges into the reset lot
        b.grow(&[0.75]);
        let r = b.sell(0, 1e9, 5, LotMethod::TaxOptimal, RATES, &mut w);
        assert_eq!(r.short, -500.0);
        assert_eq!(w.take_disallowed(), Realized::default());
        assert!(b.lots().is_empty());
        assert_eq!(b.total(), 0.0);
    }

    #[test]
    fn household_lots_a_wiped_out_asset_keeps_its_basis_until_sold() {
        let mut b = LotBook::new(1, 12);
        let mut w = WashSales::new(12);
        b.reset(&[1000.0], &[800.0], 0);
        b.grow(&[0.0]);
        assert_eq!((b.value(0), b.basis_total()), (0.0, 800.0));
        // A new purchase does not merge into the worthless lot, and gets a fresh index.
        b.buy(0, 100.0, 1, &mut w);
        assert_eq!(b.lots().len(), 2);
        assert_eq!(b.value(0), 100.0);
        // The worthless lot sells first: 800 of loss for no proceeds, then 50 at no gain.
        let r = b.sell(0, 50.0, 2, LotMethod::TaxOptimal, RATES, &mut w);
        assert_eq!(
            r,
            Realized {
                short: -800.0,
                long: 0.0
            }
        );
        assert_eq!(b.lots().len(), 1);
        assert_eq!((b.value(0), b.basis_total()), (50.0, 50.0));
    }

    mod property {
        use super::*;
        use proptest::prelude::{ProptestConfig, Strategy, prop_assert, prop_oneof, proptest};

        #[derive(Debug, Clone)]
        enum Op {
            /// Price-only growth of both assets (a gross of 0 wipes an asset out).
            Grow([f64; 2]),
            Buy(usize, f64),
            Sell(usize, f64, LotMethod),
            Harvest(f64),
            /// A purchase in an IRA: asset, fund, dollars.
            Ira(usize, u8, f64),
            /// Time passes: 0 to 3 steps.
            Wait(u32),
        }

        fn op() -> impl Strategy<Value = Op> {
            let gross = prop_oneof![
                1 => proptest::prelude::Just(0.0),
                30 => 0.5f64..1.6,
            ];
            let method = prop_oneof![
                proptest::prelude::Just(LotMethod::Fifo),
                proptest::prelude::Just(LotMethod::Hifo),
                proptest::prelude::Just(LotMethod::TaxOptimal),
            ];
            prop_oneof![
                4 => (gross.clone(), gross).prop_map(|(a, b)| Op::Grow([a, b])),
                4 => (0usize..2, 0.0f64..5000.0).prop_map(|(a, d)| Op::Buy(a, d)),
                4 => (0usize..2, 0.0f64..8000.0, method).prop_map(|(a, d, m)| Op::Sell(a, d, m)),
                2 => (0.0f64..0.2).prop_map(Op::Harvest),
                2 => (0usize..2, 0u8..2, 0.0f64..3000.0).prop_map(|(a, f, d)| Op::Ira(a, f, d)),
                3 => (0u32..4).prop_map(Op::Wait),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Over random grows, buys, sells, harvests and IRA purchases, with V the book's
            /// value, B its basis, P a sale's proceeds (`dollars.min(value(asset))`, zero for a
            /// harvest, which reinvests them), R what `sell`/`harvest` return and M
            /// `WashSales::added_to_basis`:
            ///
            /// * grow: value(a) becomes value(a) x gross(a);
            /// * otherwise V_after + P = V_before + bought;
            /// * B_after + P = B_before + bought + R.total() + (M_after - M_before), that is,
            ///   the basis of the shares sold is P - R, and a loss disallowed by a taxable
            ///   purchase moves into that purchase's basis;
            /// * every disallowed loss is either moved into basis or lost to the IRA: the sum
            ///   of `take_disallowed()` (short and long, each >= 0) equals M + lost_to_ira;
            /// * each asset's lots are its own, in order of acquisition, with shares and basis
            ///   >= 0, and value(a) is the sum of its lots' shares x price.
            #[test]
            fn prop_household_lots_conserve_value_and_basis(
                start in (0.0f64..1e5, 0.0f64..1e5, 0.0f64..2.0, 0.0f64..2.0),
                monthly in proptest::bool::ANY,
                ops in proptest::collection::vec(op(), 1..80),
            ) {
                let steps_per_year = if monthly { 12 } else { 1 };
                let mut b = LotBook::new(2, steps_per_year);
                let mut w = WashSales::new(steps_per_year);
                let (v0, v1, f0, f1) = start;
                b.reset(&[v0, v1], &[v0 * f0, v1 * f1], 0);
                w.reset();
                let mut step = 0u32;
                let mut disallowed = 0.0;
                for op in ops {
                    let (v_before, b_before, m_before) = (b.total(), b.basis_total(), w.added_to_basis());
                    let asset_before = [b.value(0), b.value(1)];
                    let mut bought = 0.0;
                    let mut proceeds = 0.0;
                    let mut realized = Realized::default();
                    match op {
                        Op::Grow(g) => b.grow(&g),
                        Op::Buy(a, d) => {
                            b.buy(a, d, step, &mut w);
                            bought = d;
                        }
                        Op::Sell(a, d, m) => {
                            let rates = SaleRates { short: 0.35, long: 0.15 };
                            realized = b.sell(a, d, step, m, rates, &mut w);
                            proceeds = d.min(asset_before[a]);
                        }
                        Op::Harvest(t) => realized = b.harvest(step, t, &mut w),
                        Op::Ira(a, f, d) => w.record_ira_purchase(a, f, step, d),
                        Op::Wait(n) => step += n,
                    }
                    let d = w.take_disallowed();
                    prop_assert!(d.short >= 0.0 && d.long >= 0.0, "{d:?}");
                    disallowed += d.total();

                    let (v_after, b_after) = (b.total(), b.basis_total());
                    let scale = 1.0 + v_before.max(b_before).max(v_after).max(b_after).max(bought);
                    let tol = 1e-9 * scale;
                    if let Op::Grow(g) = op {
                        for a in 0..2 {
                            let expected = asset_before[a] * g[a];
                            prop_assert!((b.value(a) - expected).abs() <= tol, "grow {a}: {} vs {expected}", b.value(a));
                        }
                    } else {
                        prop_assert!(
                            (v_after + proceeds - (v_before + bought)).abs() <= tol,
                            "value: {v_after} + {proceeds} vs {v_before} + {bought} after {op:?}"
                        );
                        let moved = w.added_to_basis() - m_before;
                        prop_assert!(
                            (b_after + proceeds - (b_before + bought + realized.total() + moved)).abs() <= tol,
                            "basis: {b_after} + {proceeds} vs {b_before} + {bought} + {realized:?} + {moved} after {op:?}"
                        );
                    }
                    prop_assert!(
                        (disallowed - (w.added_to_basis() + w.lost_to_ira())).abs() <= tol,
                        "disallowed {disallowed} vs {} + {}", w.added_to_basis(), w.lost_to_ira()
                    );
                    for a in 0..2 {
                        let lots = b.lots_of(a);
                        prop_assert!(lots.windows(2).all(|p| p[0].acquired <= p[1].acquired));
                        prop_assert!(lots.iter().all(|l| usize::from(l.asset) == a
                            && l.shares >= 0.0 && l.basis >= 0.0 && l.shares.is_finite()
                            && (l.shares > 0.0 || l.basis > 0.0)));
                        let sum: f64 = lots.iter().map(|l| l.shares * b.price(a)).sum();
                        prop_assert!((sum - b.value(a)).abs() <= tol);
                    }
                    prop_assert!(b.lots().len() == b.lots_of(0).len() + b.lots_of(1).len());
                    // The scan's picks against brute force over every lot: HIFO's has the
                    // highest basis per share, TaxOptimal's the lowest estimated tax.
                    let rates = SaleRates { short: 0.35, long: 0.15 };
                    for a in 0..2 {
                        let per_share = |l: &TaxLot| if l.shares > 0.0 { l.basis / l.shares } else { f64::INFINITY };
                        let tax = |l: &TaxLot| {
                            let rate = if b.is_long_term(l.acquired, step) { rates.long } else { rates.short };
                            if l.shares > 0.0 { (1.0 - per_share(l) / b.price(a)) * rate } else { f64::NEG_INFINITY }
                        };
                        let lots = b.lots_of(a);
                        if let Some(i) = b.first_to_sell(a, LotMethod::Hifo, rates, step) {
                            let top = lots.iter().map(per_share).fold(f64::NEG_INFINITY, f64::max);
                            let got = per_share(&b.lots()[i]);
                            prop_assert!(got >= top * (1.0 - 1e-12), "HIFO picked {got}, best {top}");
                        }
                        if let Some(i) = b.first_to_sell(a, LotMethod::TaxOptimal, rates, step) {
                            let low = lots.iter().map(tax).fold(f64::INFINITY, f64::min);
                            let got = tax(&b.lots()[i]);
                            prop_assert!(got <= low + 1e-12, "TaxOptimal picked {got}, best {low}");
                        }
                    }
                }
            }
        }
    }
}
