//! Market models: how a path's per-step asset returns and inflation are produced.
//!
//! * [`MarketModel::Historical`]: replays history, either as rolling windows (every start
//!   step of the chosen period, one path each) or resampled by a circular block bootstrap
//!   (block length 1 is the iid bootstrap).
//! * [`MarketModel::Parametric`]: correlated lognormal returns (Cholesky), optionally with
//!   multivariate Student-t shocks for fat tails; parameters given by the user or estimated
//!   from a historical series.
//!
//! Every model writes gross returns (1 + r) for each asset plus gross inflation into
//! caller-owned buffers; randomness comes only from the `rng` passed in, so a path is a pure
//! function of (model, seed, path index).

mod fastexp;
mod parametric;
mod resample;

pub use fastexp::{exp as fast_exp, exp_in_place as fast_exp_in_place};
pub use parametric::{DrawScratch, Parametric, ParametricError, Shocks};
pub use resample::{HistoricalMode, HistoricalPaths, ResampleError};

use crate::portfolio::MAX_ASSETS;
use rand::Rng;

/// A market model, matched once per path. (Its variants differ in size, but a simulation
/// holds one, built once: boxing would only add a pointer to follow per path.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum MarketModel {
    Historical(HistoricalPaths),
    Parametric(Parametric),
}

/// Per-path state of a market model (block position, window start).
#[derive(Clone, Copy, Debug, Default)]
pub struct PathCursor {
    /// Row of history used by the current step.
    row: usize,
    /// Steps left in the current bootstrap block.
    left_in_block: usize,
}

/// One step of returns for every asset, plus inflation.
#[derive(Clone, Copy, Debug)]
pub struct StepReturns {
    pub gross: [f64; MAX_ASSETS],
    pub inflation_gross: f64,
}

impl Default for StepReturns {
    fn default() -> Self {
        Self {
            gross: [1.0; MAX_ASSETS],
            inflation_gross: 1.0,
        }
    }
}

impl MarketModel {
    /// Number of assets the model produces.
    pub fn assets(&self) -> usize {
        match self {
            MarketModel::Historical(h) => h.assets(),
            MarketModel::Parametric(p) => p.assets(),
        }
    }

    /// For rolling windows, the number of paths is fixed by history; `None` otherwise.
    pub fn fixed_path_count(&self, steps: usize) -> Option<usize> {
        match self {
            MarketModel::Historical(h) => h.fixed_path_count(steps),
            MarketModel::Parametric(_) => None,
        }
    }

    /// Label of a path when paths are historical windows: the period `offset` steps after
    /// the window's start ("1966", "1929-09"), or the cohort.
    pub fn path_label(&self, path: usize, offset: usize) -> Option<String> {
        match self {
            MarketModel::Historical(h) => h.path_label(path, offset),
            MarketModel::Parametric(_) => None,
        }
    }

    /// One-line description for reports.
    pub fn describe(&self) -> String {
        match self {
            MarketModel::Historical(h) => h.describe(),
            MarketModel::Parametric(p) => p.describe(),
        }
    }

    /// Starts path `path`.
    pub fn start_path<R: Rng + ?Sized>(&self, path: usize, rng: &mut R) -> PathCursor {
        match self {
            MarketModel::Historical(h) => h.start_path(path, rng),
            MarketModel::Parametric(_) => PathCursor::default(),
        }
    }

    /// Writes path `path`'s returns for `out.len()` steps into `out`: the same numbers as
    /// [`MarketModel::start_path`] then [`MarketModel::next_step`] once per step, drawn a
    /// whole path at a time (the parametric model computes its `exp`s as one batch).
    pub fn fill_path<R: Rng + ?Sized>(
        &self,
        path: usize,
        rng: &mut R,
        out: &mut [StepReturns],
        scratch: &mut DrawScratch,
    ) {
        match self {
            MarketModel::Historical(h) => {
                let mut cursor = h.start_path(path, rng);
                for step in out.iter_mut() {
                    h.next_step(&mut cursor, rng, step);
                }
            }
            MarketModel::Parametric(p) => p.fill_path(rng, out, scratch),
        }
    }

    /// The parametric model, which can draw a path as columns
    /// ([`Parametric::fill_columns`]: the same numbers as [`MarketModel::fill_path`]);
    /// `None` for historical models.
    pub fn parametric(&self) -> Option<&Parametric> {
        match self {
            MarketModel::Parametric(p) => Some(p),
            MarketModel::Historical(_) => None,
        }
    }

    /// Writes the next step's returns into `out`.
    #[inline]
    pub fn next_step<R: Rng + ?Sized>(
        &self,
        cursor: &mut PathCursor,
        rng: &mut R,
        out: &mut StepReturns,
    ) {
        match self {
            MarketModel::Historical(h) => h.next_step(cursor, rng, out),
            MarketModel::Parametric(p) => p.next_step(rng, out),
        }
    }
}
