//! Glide paths: a target allocation that changes over time.
//!
//! One representation covers the usual shapes: points of (time, weights) joined linearly or
//! by steps. That gives linear glides between two ages, step changes, target-date curves,
//! rising-equity glide paths after retirement (Kitces and Pfau, "Reducing Retirement Risk
//! with a Rising Equity Glide Path", 2014), and a gradual return from a drifted mix to the
//! target over N months. The path is turned into one target per step before a run, so the
//! hot loop only indexes.

use crate::portfolio::{AllocationError, TargetAllocation};

/// How weights move between two points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    /// Each point's weights hold until the next point.
    Step,
}

/// Target weights over time. Times are in steps from the start of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct GlidePath {
    points: Vec<(u32, TargetAllocation)>,
    interpolation: Interpolation,
}

impl GlidePath {
    /// Points must be in strictly increasing time order; before the first point its weights
    /// hold, after the last the last point's.
    pub fn new(
        points: Vec<(u32, TargetAllocation)>,
        interpolation: Interpolation,
    ) -> Result<Self, String> {
        if points.is_empty() {
            return Err("a glide path needs at least one point".into());
        }
        if points.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err("glide path points must be in strictly increasing order of time".into());
        }
        let n = points[0].1.len();
        if points.iter().any(|(_, t)| t.len() != n) {
            return Err("every glide path point needs one weight per asset".into());
        }
        Ok(Self {
            points,
            interpolation,
        })
    }

    /// From `from` (a drifted mix) to `to` in a straight line over `steps` steps.
    pub fn gradual_return(from: TargetAllocation, to: TargetAllocation, steps: u32) -> Self {
        Self {
            points: vec![(0, from), (steps.max(1), to)],
            interpolation: Interpolation::Linear,
        }
    }

    /// The target at `step`.
    pub fn at(&self, step: u32) -> Result<TargetAllocation, AllocationError> {
        let p = &self.points;
        let i = p.partition_point(|(t, _)| *t <= step);
        if i == 0 {
            return Ok(p[0].1);
        }
        if i == p.len() || self.interpolation == Interpolation::Step {
            return Ok(p[i - 1].1);
        }
        let (t0, a) = &p[i - 1];
        let (t1, b) = &p[i];
        let f = f64::from(step - t0) / f64::from(t1 - t0);
        let w: Vec<f64> = a
            .weights()
            .iter()
            .zip(b.weights())
            .map(|(x, y)| x + f * (y - x))
            .collect();
        TargetAllocation::new(&w)
    }

    /// Targets for steps `0..steps`.
    pub fn schedule(&self, steps: u32) -> Result<Vec<TargetAllocation>, AllocationError> {
        (0..steps.max(1)).map(|s| self.at(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(w: &[f64]) -> TargetAllocation {
        TargetAllocation::new(w).unwrap()
    }

    #[test]
    fn linear_and_step_paths() {
        let g = GlidePath::new(
            vec![(12, t(&[0.8, 0.2])), (36, t(&[0.4, 0.6]))],
            Interpolation::Linear,
        )
        .unwrap();
        assert_eq!(g.at(0).unwrap().weights(), &[0.8, 0.2]);
        let mid = g.at(24).unwrap();
        assert!((mid.weights()[0] - 0.6).abs() < 1e-12);
        assert_eq!(g.at(100).unwrap().weights(), &[0.4, 0.6]);
        let s = GlidePath::new(
            vec![(12, t(&[0.8, 0.2])), (36, t(&[0.4, 0.6]))],
            Interpolation::Step,
        )
        .unwrap();
        assert_eq!(s.at(35).unwrap().weights(), &[0.8, 0.2]);
        assert_eq!(s.at(36).unwrap().weights(), &[0.4, 0.6]);
        // Every target on the schedule sums to one.
        for target in g.schedule(48).unwrap() {
            assert!((target.weights().iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn gradual_return_reaches_target_after_n_steps() {
        let g = GlidePath::gradual_return(t(&[0.82, 0.14, 0.04]), t(&[0.70, 0.25, 0.05]), 24);
        assert!((g.at(12).unwrap().weights()[0] - 0.76).abs() < 1e-12);
        assert_eq!(g.at(24).unwrap().weights(), &[0.70, 0.25, 0.05]);
        assert!(
            GlidePath::new(vec![(5, t(&[1.0])), (5, t(&[1.0]))], Interpolation::Linear).is_err()
        );
    }
}
