//! Sequence-of-returns stress tests: the same market paths, reshaped so that bad returns
//! land at the worst moment, the first years of retirement.
//!
//! A stress rewrites a path's returns in place before the strategies step through it, so
//! every strategy still sees the same (stressed) path.

use crate::market::StepReturns;
use crate::portfolio::TargetAllocation;

/// A way to reshape one path.
#[derive(Clone, Debug, PartialEq)]
pub enum Stress {
    /// A one-off fall of `drop` (e.g. 0.3 = -30%) in the named assets during the first step
    /// of retirement, on top of that step's return.
    Crash { drop: f64, assets: Vec<usize> },
    /// The path's `years` worst retirement years (by the target portfolio's return) moved to
    /// the start of retirement, worst first; the other years keep their order.
    WorstYearsFirst { years: u32 },
    /// The whole path in reverse order: the same returns, so the same average, in the
    /// opposite sequence.
    Reverse,
}

/// A stress with its name, as the scenario gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedStress {
    pub name: String,
    pub stress: Stress,
}

impl Stress {
    pub fn describe(&self) -> String {
        match self {
            Stress::Crash { drop, .. } => format!(
                "a {:.0}% crash in the first month of retirement",
                drop * 100.0
            ),
            Stress::WorstYearsFirst { years } => {
                format!("the {years} worst years first in retirement")
            }
            Stress::Reverse => "returns in reverse order".into(),
        }
    }

    /// Reshapes `path` (one entry per step). `scratch` is reused working space.
    pub fn apply(
        &self,
        path: &mut [StepReturns],
        scratch: &mut Vec<StepReturns>,
        steps_per_year: u32,
        retirement_step: u32,
        target: &TargetAllocation,
    ) {
        let ret = (retirement_step as usize).min(path.len());
        match self {
            Stress::Crash { drop, assets } => {
                if let Some(step) = path.get_mut(ret) {
                    for &a in assets {
                        step.gross[a] *= 1.0 - drop;
                    }
                }
            }
            Stress::Reverse => path.reverse(),
            Stress::WorstYearsFirst { years } => {
                let spy = steps_per_year as usize;
                let tail = &path[ret..];
                let n_years = tail.len() / spy;
                if n_years == 0 {
                    return;
                }
                // Rank retirement years by the target portfolio's compounded return.
                let year_return = |y: usize| -> f64 {
                    tail[y * spy..(y + 1) * spy]
                        .iter()
                        .map(|s| {
                            s.gross
                                .iter()
                                .zip(target.weights())
                                .map(|(g, w)| g * w)
                                .sum::<f64>()
                        })
                        .product()
                };
                let mut order: Vec<usize> = (0..n_years).collect();
                order.sort_by(|&a, &b| year_return(a).total_cmp(&year_return(b)).then(a.cmp(&b)));
                let worst: Vec<usize> = order.into_iter().take(*years as usize).collect();
                let rest = (0..n_years).filter(|y| !worst.contains(y));
                scratch.clear();
                for y in worst.iter().copied().chain(rest) {
                    scratch.extend_from_slice(&tail[y * spy..(y + 1) * spy]);
                }
                let len = scratch.len();
                path[ret..ret + len].copy_from_slice(scratch);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(returns: &[f64]) -> Vec<StepReturns> {
        returns
            .iter()
            .map(|&r| {
                let mut s = StepReturns::default();
                s.gross[0] = 1.0 + r;
                s
            })
            .collect()
    }

    fn firsts(p: &[StepReturns]) -> Vec<f64> {
        p.iter()
            .map(|s| ((s.gross[0] - 1.0) * 100.0).round() / 100.0)
            .collect()
    }

    #[test]
    fn worst_years_move_to_the_start_of_retirement() {
        let target = TargetAllocation::new(&[1.0]).unwrap();
        let mut p = path(&[0.05, 0.1, -0.2, 0.3, -0.1, 0.02]);
        let mut scratch = Vec::new();
        Stress::WorstYearsFirst { years: 2 }.apply(&mut p, &mut scratch, 1, 1, &target);
        // Year 0 is before retirement and stays; then -20%, -10%, then the rest in order.
        assert_eq!(firsts(&p), vec![0.05, -0.2, -0.1, 0.1, 0.3, 0.02]);
    }

    #[test]
    fn crash_and_reverse() {
        let target = TargetAllocation::new(&[1.0]).unwrap();
        let mut p = path(&[0.1, 0.1, 0.1]);
        Stress::Crash {
            drop: 0.3,
            assets: vec![0],
        }
        .apply(&mut p, &mut Vec::new(), 1, 1, &target);
        assert!((p[1].gross[0] - 1.1 * 0.7).abs() < 1e-12);
        let mut q = path(&[0.1, 0.2, 0.3]);
        Stress::Reverse.apply(&mut q, &mut Vec::new(), 1, 0, &target);
        assert_eq!(firsts(&q), vec![0.3, 0.2, 0.1]);
    }
}
