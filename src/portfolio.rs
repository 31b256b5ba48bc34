//! Target allocations and the holdings of one simulated portfolio.
//!
//! Holdings are fixed-size arrays (at most [`MAX_ASSETS`] asset classes) so the per-step
//! loop never allocates. Values are nominal dollars (`f64`).

use thiserror::Error;

/// Most asset classes one scenario may hold.
pub const MAX_ASSETS: usize = 8;

/// Tolerance on target weights summing to one.
pub const WEIGHT_SUM_TOLERANCE: f64 = 1e-6;

/// Why a set of weights is not a valid allocation.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AllocationError {
    #[error("no asset classes: at least one is needed")]
    Empty,
    #[error("{count} asset classes: at most {MAX_ASSETS} are supported")]
    TooMany { count: usize },
    #[error("weight {index} is {value}: weights must be finite numbers between 0 and 1")]
    OutOfRange { index: usize, value: f64 },
    #[error("weights sum to {}: they must sum to 1 (100%)", round9(*.sum))]
    BadSum { sum: f64 },
}

/// Rounds for messages, so 0.6 + 0.3 reads as 0.9, not 0.8999999999999999.
fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Household target weights, one per asset class, validated to sum to one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetAllocation {
    weights: [f64; MAX_ASSETS],
    len: usize,
}

impl TargetAllocation {
    /// Validates and stores the weights (renormalised so they sum to exactly one).
    pub fn new(weights: &[f64]) -> Result<Self, AllocationError> {
        if weights.is_empty() {
            return Err(AllocationError::Empty);
        }
        if weights.len() > MAX_ASSETS {
            return Err(AllocationError::TooMany {
                count: weights.len(),
            });
        }
        for (index, &value) in weights.iter().enumerate() {
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(AllocationError::OutOfRange { index, value });
            }
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            return Err(AllocationError::BadSum { sum });
        }
        let mut w = [0.0; MAX_ASSETS];
        for (slot, &value) in w.iter_mut().zip(weights) {
            *slot = value / sum;
        }
        Ok(Self {
            weights: w,
            len: weights.len(),
        })
    }

    pub fn weights(&self) -> &[f64] {
        &self.weights[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Where a sum of `f64`s starts: `Iterator::sum` starts from negative zero, and a sum
/// written out as a loop starts there too, so it rounds exactly as `sum` does.
pub const SUM_START: f64 = -0.0;

/// Dollars held in each asset class of one portfolio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Holdings {
    value: [f64; MAX_ASSETS],
    len: usize,
}

impl Holdings {
    /// `total` dollars split at the given weights.
    pub fn at_weights(total: f64, weights: &[f64]) -> Self {
        let mut value = [0.0; MAX_ASSETS];
        for (slot, w) in value.iter_mut().zip(weights) {
            *slot = total * w;
        }
        Self {
            value,
            len: weights.len(),
        }
    }

    /// Holdings from explicit dollar amounts (at most [`MAX_ASSETS`]).
    pub fn from_values(values: &[f64]) -> Self {
        let mut value = [0.0; MAX_ASSETS];
        value[..values.len()].copy_from_slice(values);
        Self {
            value,
            len: values.len(),
        }
    }

    pub fn values(&self) -> &[f64] {
        &self.value[..self.len]
    }

    pub fn values_mut(&mut self) -> &mut [f64] {
        &mut self.value[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }

    /// Current weights; all zero when the portfolio is empty.
    pub fn weights(&self) -> [f64; MAX_ASSETS] {
        let total = self.total();
        let mut w = [0.0; MAX_ASSETS];
        if total > 0.0 {
            for (slot, v) in w.iter_mut().zip(self.values()) {
                *slot = v / total;
            }
        }
        w
    }

    /// Adds `other`'s dollars asset by asset (a portfolio of the same assets). The slots past
    /// `len` are zero in both, so the whole array is added: a few vector adds, no bounds.
    pub fn add(&mut self, other: &Holdings) {
        debug_assert_eq!(self.len, other.len, "holdings of different assets");
        for (v, x) in self.value.iter_mut().zip(&other.value) {
            *v += x;
        }
    }

    /// One step of returns: every holding times its `gross` return, then times its `fee`
    /// factor if any. The dollars gained and paid in fees are added to `gains` and `fees`
    /// one asset after another (the order fixes the sums' rounding).
    #[inline]
    pub fn grow(&mut self, gross: &[f64], fee: Option<&[f64]>, gains: &mut f64, fees: &mut f64) {
        let values = &mut self.value[..self.len];
        match fee {
            None => {
                for (v, &g) in values.iter_mut().zip(gross) {
                    let grown = *v * g;
                    *gains += grown - *v;
                    *v = grown;
                }
            }
            Some(fee) => {
                for ((v, &g), &f) in values.iter_mut().zip(gross).zip(fee) {
                    let grown = *v * g;
                    *gains += grown - *v;
                    let after = grown * f;
                    *fees += grown - after;
                    *v = after;
                }
            }
        }
    }

    /// Sets every holding to zero (a depleted portfolio).
    pub fn clear(&mut self) {
        self.value = [0.0; MAX_ASSETS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_start_is_where_iterator_sum_starts() {
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(empty.to_bits(), SUM_START.to_bits());
        // So a loop from SUM_START rounds as `sum` does, signed zeros included.
        let xs = [-0.0, 0.1, 0.2, -0.3];
        let mut total = SUM_START;
        for x in xs {
            total += x;
        }
        assert_eq!(total.to_bits(), xs.iter().sum::<f64>().to_bits());
        let zeros = [-0.0, -0.0];
        let mut total = SUM_START;
        for x in zeros {
            total += x;
        }
        assert_eq!(total.to_bits(), zeros.iter().sum::<f64>().to_bits());
    }

    #[test]
    fn target_rejects_bad_sums_and_ranges() {
        assert_eq!(
            TargetAllocation::new(&[0.6, 0.3]),
            Err(AllocationError::BadSum {
                sum: 0.8999999999999999
            })
        );
        assert!(matches!(
            TargetAllocation::new(&[1.2, -0.2]),
            Err(AllocationError::OutOfRange { index: 0, .. })
        ));
        assert!(matches!(
            TargetAllocation::new(&[f64::NAN, 1.0]),
            Err(AllocationError::OutOfRange { index: 0, .. })
        ));
        assert_eq!(TargetAllocation::new(&[]), Err(AllocationError::Empty));
        assert_eq!(
            TargetAllocation::new(&[0.1; 10]),
            Err(AllocationError::TooMany { count: 10 })
        );
        let t = TargetAllocation::new(&[0.6, 0.4]).unwrap();
        assert_eq!(t.weights(), &[0.6, 0.4]);
    }

    #[test]
    fn holdings_weights_sum_to_one() {
        let h = Holdings::from_values(&[66.0, 34.0]);
        let w = h.weights();
        assert!((w[0] - 0.66).abs() < 1e-15);
        assert!((w[..2].iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(
            Holdings::from_values(&[0.0, 0.0]).weights()[..2],
            [0.0, 0.0]
        );
    }
}
