//! Correlated lognormal returns, optionally with multivariate Student-t shocks.
//!
//! User parameters are annual *arithmetic* means and standard deviations of simple returns;
//! they are turned into log-space parameters so the simulated simple returns have exactly
//! that mean and standard deviation: `s2 = ln(1 + sd^2 / (1 + m)^2)`,
//! `mu = ln(1 + m) - s2 / 2`, then per step `mu / k` and `s2 / k` for `k` steps a year.
//! Correlations apply to the log returns (the convention of the NumPy reference workload).

use super::{StepReturns, fastexp};
use crate::history::{HistoricalReturns, SeriesId};
use crate::portfolio::MAX_ASSETS;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use thiserror::Error;

/// Assets plus inflation.
const MAX_DIM: usize = MAX_ASSETS + 1;

/// The distribution of the shocks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shocks {
    Normal,
    /// Multivariate Student-t with `dof` degrees of freedom, scaled to unit variance: log
    /// returns keep the lognormal's mean, variance and correlations and only their tails
    /// fatten. (The simple returns' mean and sd then come out somewhat higher than the
    /// inputs, since `exp` of a fat-tailed variable has a larger mean.) `dof` must exceed 2.
    StudentT {
        dof: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParametricError {
    #[error("asset {index}: {what}")]
    BadAsset { index: usize, what: String },
    #[error(
        "correlation matrix must be {n}x{n}, symmetric, with ones on the diagonal and entries in [-1, 1]: {what}"
    )]
    BadCorrelation { n: usize, what: String },
    #[error(
        "the correlation matrix is not positive semi-definite (no set of returns can have these correlations)"
    )]
    NotPositiveSemiDefinite,
    #[error("Student-t degrees of freedom must be greater than 2 (finite variance); got {0}")]
    BadDof(f64),
    #[error("inflation: {0}")]
    BadInflation(String),
    #[error("cannot estimate parameters from history: {0}")]
    Estimate(String),
}

/// A parametric market model.
#[derive(Clone, Debug)]
pub struct Parametric {
    assets: usize,
    /// `assets`, or `assets + 1` when inflation is random (it is then the last dimension).
    dim: usize,
    /// Per-step log means.
    mu: [f64; MAX_DIM],
    /// Lower-triangular Cholesky factor of the per-step log covariance.
    chol: [[f64; MAX_DIM]; MAX_DIM],
    /// Gross inflation per step when inflation is not random.
    inflation_const: f64,
    shocks: Shocks,
    chi: Option<ChiSquared<f64>>,
    description: String,
}

/// Annual arithmetic mean and sd of simple returns -> annual log mean and variance.
fn log_params(mean: f64, sd: f64) -> (f64, f64) {
    let s2 = (1.0 + (sd / (1.0 + mean)).powi(2)).ln();
    ((1.0 + mean).ln() - 0.5 * s2, s2)
}

impl Parametric {
    /// From annual arithmetic means/vols, a correlation matrix of the assets, and inflation
    /// (annual mean and vol, independent of the assets).
    #[allow(clippy::too_many_arguments)]
    pub fn from_arithmetic(
        means: &[f64],
        vols: &[f64],
        correlations: &[Vec<f64>],
        inflation_mean: f64,
        inflation_vol: f64,
        steps_per_year: u32,
        shocks: Shocks,
    ) -> Result<Self, ParametricError> {
        let n = means.len();
        if n == 0 || n > MAX_ASSETS || vols.len() != n {
            return Err(ParametricError::BadAsset {
                index: 0,
                what: format!("need 1 to {MAX_ASSETS} assets with a mean and a vol each"),
            });
        }
        for i in 0..n {
            if !means[i].is_finite() || means[i] <= -1.0 || means[i] > 10.0 {
                return Err(ParametricError::BadAsset {
                    index: i,
                    what: format!(
                        "mean {} must be a finite annual return above -100% and at most 1000%",
                        means[i]
                    ),
                });
            }
            if !vols[i].is_finite() || vols[i] < 0.0 || vols[i] > 5.0 {
                return Err(ParametricError::BadAsset {
                    index: i,
                    what: format!(
                        "vol {} must be a finite annual standard deviation between 0 and 5",
                        vols[i]
                    ),
                });
            }
        }
        validate_correlation(correlations, n)?;
        if !inflation_mean.is_finite() || inflation_mean <= -1.0 || inflation_mean > 1.0 {
            return Err(ParametricError::BadInflation(format!(
                "mean {inflation_mean} must be a finite annual rate above -100% and at most 100%"
            )));
        }
        if !inflation_vol.is_finite() || !(0.0..=1.0).contains(&inflation_vol) {
            return Err(ParametricError::BadInflation(format!(
                "vol {inflation_vol} must be between 0 and 1"
            )));
        }
        let k = steps_per_year as f64;
        let random_inflation = inflation_vol > 0.0;
        let dim = n + usize::from(random_inflation);
        let mut mu = [0.0; MAX_DIM];
        let mut sig = [0.0; MAX_DIM];
        for i in 0..n {
            let (m, s2) = log_params(means[i], vols[i]);
            mu[i] = m / k;
            sig[i] = (s2 / k).sqrt();
        }
        let mut cov = [[0.0; MAX_DIM]; MAX_DIM];
        for i in 0..n {
            for j in 0..n {
                cov[i][j] = correlations[i][j] * sig[i] * sig[j];
            }
        }
        let inflation_const;
        if random_inflation {
            let (m, s2) = log_params(inflation_mean, inflation_vol);
            mu[n] = m / k;
            cov[n][n] = s2 / k;
            inflation_const = 1.0;
        } else {
            inflation_const = (1.0 + inflation_mean).powf(1.0 / k);
        }
        let description = format!(
            "parametric {} ({n} assets)",
            match shocks {
                Shocks::Normal => "lognormal".to_string(),
                Shocks::StudentT { dof } => format!("lognormal with Student-t({dof}) shocks"),
            }
        );
        Self::build(n, dim, mu, &cov, inflation_const, shocks, description)
    }

    /// Estimates log means and the joint covariance of the assets and inflation from
    /// `data` (already sliced to the period), scaled from the data's step to the model's.
    pub fn from_history(
        data: &HistoricalReturns,
        series: &[SeriesId],
        steps_per_year: u32,
        shocks: Shocks,
    ) -> Result<Self, ParametricError> {
        let n = series.len();
        let mut cols: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        for id in series {
            let col = data
                .series
                .iter()
                .find(|(s, _)| s == id)
                .map(|(_, v)| v)
                .ok_or_else(|| {
                    ParametricError::Estimate(format!(
                        "series `{}` is not in the {} data set",
                        id.key(),
                        data.dataset.key()
                    ))
                })?;
            cols.push(col.iter().map(|r| (1.0 + r).ln()).collect());
        }
        cols.push(data.inflation.iter().map(|r| (1.0 + r).ln()).collect());
        let len = data.inflation.len();
        if len < 2 {
            return Err(ParametricError::Estimate(format!(
                "the period has {len} steps; at least 2 are needed"
            )));
        }
        let scale = data.steps_per_year as f64 / steps_per_year as f64;
        let dim = n + 1;
        let means: Vec<f64> = cols
            .iter()
            .map(|c| c.iter().sum::<f64>() / len as f64)
            .collect();
        let mut mu = [0.0; MAX_DIM];
        let mut cov = [[0.0; MAX_DIM]; MAX_DIM];
        for i in 0..dim {
            mu[i] = means[i] * scale;
            for j in 0..dim {
                let c: f64 = (0..len)
                    .map(|k| (cols[i][k] - means[i]) * (cols[j][k] - means[j]))
                    .sum::<f64>()
                    / (len - 1) as f64;
                cov[i][j] = c * scale;
            }
        }
        let description = format!(
            "parametric lognormal estimated from {} {} to {}{}",
            data.dataset.key(),
            data.label(0),
            data.label(len - 1),
            match shocks {
                Shocks::Normal => String::new(),
                Shocks::StudentT { dof } => format!(", Student-t({dof}) shocks"),
            }
        );
        Self::build(n, dim, mu, &cov, 1.0, shocks, description)
    }

    fn build(
        assets: usize,
        dim: usize,
        mu: [f64; MAX_DIM],
        cov: &[[f64; MAX_DIM]; MAX_DIM],
        inflation_const: f64,
        shocks: Shocks,
        description: String,
    ) -> Result<Self, ParametricError> {
        let chol = cholesky_psd(cov, dim)?;
        let chi = match shocks {
            Shocks::Normal => None,
            Shocks::StudentT { dof } => {
                if !(dof.is_finite() && dof > 2.0) {
                    return Err(ParametricError::BadDof(dof));
                }
                Some(ChiSquared::new(dof).map_err(|_| ParametricError::BadDof(dof))?)
            }
        };
        Ok(Self {
            assets,
            dim,
            mu,
            chol,
            inflation_const,
            shocks,
            chi,
            description,
        })
    }

    pub fn assets(&self) -> usize {
        self.assets
    }

    pub fn describe(&self) -> String {
        self.description.clone()
    }

    #[inline]
    pub(super) fn next_step<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut StepReturns) {
        let mut z = [0.0; MAX_DIM];
        self.draw_shocks(rng, &mut z);
        let mut x = [0.0; MAX_DIM];
        self.correlate(&z, &mut x);
        for (i, &xi) in x.iter().enumerate().take(self.dim) {
            if i < self.assets {
                out.gross[i] = fastexp::exp(xi);
            } else {
                out.inflation_gross = fastexp::exp(xi);
            }
        }
        if self.dim == self.assets {
            out.inflation_gross = self.inflation_const;
        }
    }

    /// One step's independent shocks: `dim` standard normals, scaled by one chi-square
    /// draw for Student-t shocks (in that order from `rng`).
    #[inline(always)]
    fn draw_shocks<R: Rng + ?Sized>(&self, rng: &mut R, z: &mut [f64; MAX_DIM]) {
        for zi in z.iter_mut().take(self.dim) {
            *zi = StandardNormal.sample(rng);
        }
        if let (Shocks::StudentT { dof }, Some(chi)) = (self.shocks, &self.chi) {
            let w: f64 = chi.sample(rng);
            let scale = ((dof - 2.0) / w).sqrt();
            for zi in z.iter_mut().take(self.dim) {
                *zi *= scale;
            }
        }
    }

    /// Log returns `mu + L z`. (The explicit index loop stays: an iterator bounded by the
    /// run-time `dim` costs more per draw in the hot path.)
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn correlate(&self, z: &[f64; MAX_DIM], x: &mut [f64; MAX_DIM]) {
        for i in 0..self.dim {
            let mut xi = self.mu[i];
            for (j, zj) in z.iter().enumerate().take(i + 1) {
                xi += self.chol[i][j] * zj;
            }
            x[i] = xi;
        }
    }

    /// A whole path's returns, the same numbers as [`Parametric::next_step`] called once
    /// per step: the shocks are drawn step by step into `scratch` (the only serial part),
    /// then the log returns are laid out one dimension after another (struct of arrays) and
    /// turned into gross returns by one vectorized `exp` over the path.
    pub(super) fn fill_path<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        out: &mut [StepReturns],
        scratch: &mut DrawScratch,
    ) {
        let steps = out.len();
        let dim = self.dim;
        let logs = self.fill_columns(rng, steps, scratch);
        for i in 0..dim {
            let col = &logs[i * steps..(i + 1) * steps];
            if i < self.assets {
                for (o, &g) in out.iter_mut().zip(col) {
                    o.gross[i] = g;
                }
            } else {
                for (o, &g) in out.iter_mut().zip(col) {
                    o.inflation_gross = g;
                }
            }
        }
        if dim == self.assets {
            for o in out.iter_mut() {
                o.inflation_gross = self.inflation_const;
            }
        }
    }

    /// [`Parametric::fill_path`]'s gross returns as they are made, one column of `steps`
    /// values per dimension (the assets, then inflation when it is random). The lockstep
    /// kernel lays them out by step itself.
    pub(crate) fn fill_columns<'s, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        steps: usize,
        scratch: &'s mut DrawScratch,
    ) -> &'s [f64] {
        let dim = self.dim;
        // Every slot is written below: resize only when the shape changes (zeroing 11 KB
        // per path was 3% of a run's instructions).
        if scratch.logs.len() != steps * dim {
            scratch.logs.clear();
            scratch.logs.resize(steps * dim, 0.0);
        }
        let logs = &mut scratch.logs[..];
        for s in 0..steps {
            let mut z = [0.0; MAX_DIM];
            self.draw_shocks(rng, &mut z);
            let mut x = [0.0; MAX_DIM];
            self.correlate(&z, &mut x);
            for (i, &xi) in x.iter().enumerate().take(dim) {
                logs[i * steps + s] = xi;
            }
        }
        fastexp::exp_in_place(logs);
        logs
    }

    /// Gross inflation per step when it is not random.
    pub(crate) fn constant_inflation(&self) -> Option<f64> {
        (self.dim == self.assets).then_some(self.inflation_const)
    }
}

/// Reusable working space for drawing whole paths (one per worker; no allocation per path).
#[derive(Clone, Debug, Default)]
pub struct DrawScratch {
    /// Log returns, `dim` columns of `steps` values.
    logs: Vec<f64>,
}

fn validate_correlation(c: &[Vec<f64>], n: usize) -> Result<(), ParametricError> {
    let bad = |what: String| Err(ParametricError::BadCorrelation { n, what });
    if c.len() != n || c.iter().any(|row| row.len() != n) {
        return bad(format!(
            "got {} rows of lengths {:?}",
            c.len(),
            c.iter().map(Vec::len).collect::<Vec<_>>()
        ));
    }
    for (i, row) in c.iter().enumerate() {
        if (row[i] - 1.0).abs() > 1e-12 {
            return bad(format!("entry [{i}][{i}] is {}, not 1", row[i]));
        }
        for (j, &v) in row.iter().enumerate() {
            if !v.is_finite() || !(-1.0..=1.0).contains(&v) {
                return bad(format!("entry [{i}][{j}] is {v}"));
            }
            if (v - c[j][i]).abs() > 1e-12 {
                return bad(format!(
                    "entry [{i}][{j}] = {v} but [{j}][{i}] = {}",
                    c[j][i]
                ));
            }
        }
    }
    Ok(())
}

/// Cholesky factor of a positive semi-definite matrix. A zero-variance dimension gets a zero
/// column (a constant), which plain Cholesky rejects.
fn cholesky_psd(
    a: &[[f64; MAX_DIM]; MAX_DIM],
    dim: usize,
) -> Result<[[f64; MAX_DIM]; MAX_DIM], ParametricError> {
    let mut l = [[0.0; MAX_DIM]; MAX_DIM];
    let scale = (0..dim)
        .map(|i| a[i][i].abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    let tol = 1e-12 * scale;
    for j in 0..dim {
        let d = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if d < -tol {
            return Err(ParametricError::NotPositiveSemiDefinite);
        }
        if d <= tol {
            // Degenerate: the rest of this column must vanish too.
            for i in (j + 1)..dim {
                let r = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
                if r.abs() > 1e-9 * scale.sqrt() * a[i][i].abs().sqrt().max(1e-300) && r.abs() > tol
                {
                    return Err(ParametricError::NotPositiveSemiDefinite);
                }
            }
            continue;
        }
        let ljj = d.sqrt();
        l[j][j] = ljj;
        for i in (j + 1)..dim {
            let r = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = r / ljj;
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sample(p: &Parametric, n: usize) -> Vec<StepReturns> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        (0..n)
            .map(|_| {
                let mut out = StepReturns::default();
                p.next_step(&mut rng, &mut out);
                out
            })
            .collect()
    }

    fn mean_sd(x: &[f64]) -> (f64, f64) {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
        (m, v.sqrt())
    }

    fn corr(x: &[f64], y: &[f64]) -> f64 {
        let (mx, sx) = mean_sd(x);
        let (my, sy) = mean_sd(y);
        x.iter()
            .zip(y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>()
            / ((x.len() - 1) as f64 * sx * sy)
    }

    fn check_moments(shocks: Shocks) {
        let corrm = vec![
            vec![1.0, 0.75, 0.10],
            vec![0.75, 1.0, 0.05],
            vec![0.10, 0.05, 1.0],
        ];
        let p = Parametric::from_arithmetic(
            &[0.07, 0.07, 0.03],
            &[0.17, 0.19, 0.06],
            &corrm,
            0.025,
            0.0,
            1,
            shocks,
        )
        .unwrap();
        let n = 200_000;
        let draws = sample(&p, n);
        let simple: Vec<Vec<f64>> = (0..3)
            .map(|i| draws.iter().map(|d| d.gross[i] - 1.0).collect())
            .collect();
        let logs: Vec<Vec<f64>> = (0..3)
            .map(|i| draws.iter().map(|d| d.gross[i].ln()).collect())
            .collect();
        for (i, (m, s)) in [(0.07, 0.17), (0.07, 0.19), (0.03, 0.06)]
            .into_iter()
            .enumerate()
        {
            // Log-space targets: every shock distribution must hit these.
            let (lm, ls2) = log_params(m, s);
            let (elm, els) = mean_sd(&logs[i]);
            assert!(
                (elm - lm).abs() < 4.0 * ls2.sqrt() / (n as f64).sqrt(),
                "asset {i} log mean {elm}"
            );
            assert!(
                (els / ls2.sqrt() - 1.0).abs() < 0.02,
                "asset {i} log sd {els}"
            );
            if shocks == Shocks::Normal {
                // Lognormal: the simple returns have exactly the requested mean and sd.
                // Standard error of the mean: s / sqrt(n) ~ 0.0004; allow 4 SE. Sd within 2%.
                let (em, es) = mean_sd(&simple[i]);
                assert!(
                    (em - m).abs() < 4.0 * s / (n as f64).sqrt(),
                    "asset {i} mean {em}"
                );
                assert!((es / s - 1.0).abs() < 0.02, "asset {i} sd {es}");
            }
        }
        // Correlations of log returns within 0.01 (SE ~ (1-r^2)/sqrt(n) < 0.0023).
        assert!((corr(&logs[0], &logs[1]) - 0.75).abs() < 0.01);
        assert!((corr(&logs[0], &logs[2]) - 0.10).abs() < 0.01);
        assert!((corr(&logs[1], &logs[2]) - 0.05).abs() < 0.01);
        assert!(
            draws
                .iter()
                .all(|d| (d.inflation_gross - 1.025).abs() < 1e-15)
        );
    }

    #[test]
    fn lognormal_has_requested_means_vols_and_correlations() {
        check_moments(Shocks::Normal);
    }

    #[test]
    fn student_t_keeps_moments_and_fattens_tails() {
        check_moments(Shocks::StudentT { dof: 5.0 });
        // Excess kurtosis of log returns: ~0 for normal, 6/(dof-4) = 6 for t(5).
        let one = |shocks| {
            let p = Parametric::from_arithmetic(&[0.0], &[0.2], &[vec![1.0]], 0.0, 0.0, 1, shocks)
                .unwrap();
            let x: Vec<f64> = sample(&p, 200_000)
                .iter()
                .map(|d| d.gross[0].ln())
                .collect();
            let (m, s) = mean_sd(&x);
            x.iter().map(|v| ((v - m) / s).powi(4)).sum::<f64>() / x.len() as f64 - 3.0
        };
        assert!(one(Shocks::Normal).abs() < 0.1);
        assert!(one(Shocks::StudentT { dof: 5.0 }) > 2.0);
    }

    #[test]
    fn monthly_steps_compound_to_the_annual_parameters() {
        let p = Parametric::from_arithmetic(
            &[0.07],
            &[0.17],
            &[vec![1.0]],
            0.03,
            0.01,
            12,
            Shocks::Normal,
        )
        .unwrap();
        let draws = sample(&p, 12 * 50_000);
        let annual: Vec<f64> = draws
            .chunks(12)
            .map(|c| c.iter().map(|d| d.gross[0]).product::<f64>() - 1.0)
            .collect();
        let infl: Vec<f64> = draws
            .chunks(12)
            .map(|c| c.iter().map(|d| d.inflation_gross).product::<f64>() - 1.0)
            .collect();
        let (m, s) = mean_sd(&annual);
        assert!((m - 0.07).abs() < 0.004, "{m}");
        assert!((s / 0.17 - 1.0).abs() < 0.03, "{s}");
        let (mi, si) = mean_sd(&infl);
        assert!(
            (mi - 0.03).abs() < 0.001 && (si / 0.01 - 1.0).abs() < 0.05,
            "{mi} {si}"
        );
    }

    #[test]
    fn rejects_impossible_inputs() {
        let bad_corr = vec![
            vec![1.0, 0.9, 0.9],
            vec![0.9, 1.0, -0.9],
            vec![0.9, -0.9, 1.0],
        ];
        assert_eq!(
            Parametric::from_arithmetic(
                &[0.05; 3],
                &[0.1; 3],
                &bad_corr,
                0.0,
                0.0,
                1,
                Shocks::Normal
            )
            .unwrap_err(),
            ParametricError::NotPositiveSemiDefinite
        );
        assert!(matches!(
            Parametric::from_arithmetic(
                &[0.05],
                &[0.1],
                &[vec![1.0]],
                0.0,
                0.0,
                1,
                Shocks::StudentT { dof: 2.0 }
            ),
            Err(ParametricError::BadDof(_))
        ));
        assert!(matches!(
            Parametric::from_arithmetic(
                &[0.05, 0.0],
                &[0.1, 0.1],
                &[vec![1.0, 0.2], vec![0.3, 1.0]],
                0.0,
                0.0,
                1,
                Shocks::Normal
            ),
            Err(ParametricError::BadCorrelation { .. })
        ));
        // A zero-vol asset (cash) is fine: a degenerate but valid covariance.
        let p = Parametric::from_arithmetic(
            &[0.05, 0.02],
            &[0.1, 0.0],
            &[vec![1.0, 0.0], vec![0.0, 1.0]],
            0.0,
            0.0,
            1,
            Shocks::Normal,
        )
        .unwrap();
        let d = sample(&p, 10);
        assert!(d.iter().all(|s| (s.gross[1] - 1.02).abs() < 1e-12));
    }
}
