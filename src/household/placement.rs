//! Asset location: which account holds which asset class at the start.
//!
//! The household owns the target mix as a whole. Tax-inefficient assets (those paying
//! ordinary income, then the highest yields) go to tax-deferred accounts first, tax-free
//! accounts (Roth, HSA) come next, and the taxable account is filled last with what is
//! left, usually broad equity funds whose qualified dividends and deferred gains are taxed
//! lightly (seed 003: "bonds in tax-deferred accounts, equities in taxable and Roth").

use super::{AssetIncome, Treatment};
use crate::portfolio::{Holdings, MAX_ASSETS};

/// How the starting balances are spread over asset classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Every account holds the household target mix.
    ProRata,
    /// Tax-inefficient assets in tax-deferred accounts first (see the module comment).
    TaxEfficient,
}

/// Splits each account's balance over the assets so that the household holds `target`
/// weights. `balances[i]` and `treatments[i]` describe account `i`.
pub fn place(
    location: Location,
    balances: &[f64],
    treatments: &[Treatment],
    target: &[f64],
    income: &[AssetIncome],
) -> Vec<Holdings> {
    let n = target.len();
    if location == Location::ProRata {
        return balances
            .iter()
            .map(|&b| Holdings::at_weights(b, target))
            .collect();
    }
    let total: f64 = balances.iter().sum();
    let mut left = [0.0; MAX_ASSETS];
    for (l, w) in left.iter_mut().zip(target) {
        *l = total * w;
    }
    // Assets from least to most tax-efficient.
    let mut assets: Vec<usize> = (0..n).collect();
    let cost = |a: usize| {
        let inc = income[a];
        inc.yield_rate * if inc.qualified { 0.5 } else { 1.0 }
    };
    assets.sort_by(|&a, &b| cost(b).total_cmp(&cost(a)).then(a.cmp(&b)));
    // Accounts from most to least sheltered.
    let rank = |t: Treatment| match t {
        Treatment::Deferred => 0,
        Treatment::TaxFree => 1,
        Treatment::Taxable => 2,
    };
    let mut accounts: Vec<usize> = (0..balances.len()).collect();
    accounts.sort_by_key(|&i| (rank(treatments[i]), i));
    let mut out = vec![Holdings::from_values(&vec![0.0; n]); balances.len()];
    for &i in &accounts {
        let mut room = balances[i];
        for &a in &assets {
            if room <= 0.0 {
                break;
            }
            let take = left[a].min(room);
            out[i].values_mut()[a] += take;
            left[a] -= take;
            room -= take;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOCKS: AssetIncome = AssetIncome {
        yield_rate: 0.015,
        qualified: true,
    };
    const BONDS: AssetIncome = AssetIncome {
        yield_rate: 0.04,
        qualified: false,
    };

    #[test]
    fn bonds_fill_the_401k_first_and_stocks_go_to_taxable() {
        // Seed 003's household: $850k at 70/30, $300k in a 401(k), $150k Roth, $400k taxable.
        let placed = place(
            Location::TaxEfficient,
            &[300_000.0, 150_000.0, 400_000.0],
            &[Treatment::Deferred, Treatment::TaxFree, Treatment::Taxable],
            &[0.7, 0.3],
            &[STOCKS, BONDS],
        );
        // Bonds: 255k, all in the 401(k), which also takes 45k of stocks.
        assert_eq!(placed[0].values(), &[45_000.0, 255_000.0]);
        assert_eq!(placed[1].values(), &[150_000.0, 0.0]);
        assert_eq!(placed[2].values(), &[400_000.0, 0.0]);
        let stocks: f64 = placed.iter().map(|h| h.values()[0]).sum();
        assert!((stocks - 595_000.0).abs() < 1e-6);
    }

    #[test]
    fn pro_rata_gives_every_account_the_target_mix() {
        let placed = place(
            Location::ProRata,
            &[100.0, 300.0],
            &[Treatment::Deferred, Treatment::Taxable],
            &[0.6, 0.4],
            &[STOCKS, BONDS],
        );
        assert_eq!(placed[1].values(), &[180.0, 120.0]);
    }
}
