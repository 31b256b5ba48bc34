//! Lockstep paths: [`LANES`] paths of one strategy stepped together, every quantity held as
//! an array over the paths (struct of arrays), so a step's arithmetic has no data-dependent
//! branch and the compiler can vectorize it across paths. Rare events (a retirement
//! anniversary, a look that trades, ruin, a routing with no branch-free form) drop to the
//! scalar code for the lanes concerned.
//!
//! It computes what [`super::path::simulate_path`] computes, operation for operation and in
//! the same order, so results are bit-identical (the tests compare whole runs on many
//! scenarios). Year-end records are buffered for the whole chunk and replayed cell by cell
//! ([`ChunkRecords`]), which gives every floating-point sum of the aggregation the scalar
//! engine's sequence. It covers the untaxed portfolio (income streams, cash reserves and
//! life tables included) with withdrawals at the start of a step; the driver runs
//! everything else through the scalar path ([`covers`]).

// Lane loops index several arrays by lane on purpose: that is the layout being vectorized.
#![allow(clippy::needless_range_loop)]

use super::path::{
    NoSink, PathOutcome, StepInfo, StrategyRun, StrategyState, drawn_steps, end_step,
    finish_states, pay_withdrawal, refill_reserve,
};
use super::path_rng;
use super::{CHUNK_PATHS, Simulation};
use crate::cashflow::WithdrawalTiming;
use crate::market::{DrawScratch, StepReturns};
use crate::metrics::accumulate::YearRecorder;
use crate::portfolio::{Holdings, MAX_ASSETS, TargetAllocation};
use crate::rebalance::{self, CashFlowRouting, RebalanceRule, apply_rule};
use crate::simd::{InstructionSet, with_instruction_set};
use crate::stress::Stress;
use crate::withdrawal::YearContext;

/// Paths stepped together.
pub(crate) const LANES: usize = 32;
/// Paths drawn together before their returns are laid out by step (see `Batch::draw`).
const DRAW_GROUP: usize = 8;

type Lanes = [f64; LANES];
const NO_INCOME: Lanes = [0.0; LANES];
/// Per lane all ones (true) or all zeros: selecting with bit operations keeps the lanes'
/// loops free of branches, so they vectorize on any x86-64.
type Mask = [u64; LANES];

#[inline(always)]
fn mask(c: bool) -> u64 {
    0u64.wrapping_sub(u64::from(c))
}

/// Whether any lane is set (an OR over the lanes, which vectorizes). Loops that visit a few
/// lanes with scalar code test it first (`let visit = if any(..) { LANES } else { 0 }`);
/// folding that pattern into an iterator helper made the untaxed run 6-10% slower on an AVX2
/// machine (the kernel's code layout, not its instruction count, changed).
#[inline(always)]
fn any(m: &Mask) -> bool {
    m.iter().fold(0, |acc, &x| acc | x) != 0
}

/// `yes` where `m` is set, else `no`: exactly one of the two, bit for bit.
/// (A select on the mask's sign, `vblendvpd`, was tried: LLVM then branched per lane in
/// several loops, and the untaxed run took 1.4x as long on an AVX2 machine.)
#[inline(always)]
fn pick(m: u64, yes: f64, no: f64) -> f64 {
    f64::from_bits((yes.to_bits() & m) | (no.to_bits() & !m))
}

/// Whether the lockstep kernel covers this simulation (the rest runs path by path).
pub(crate) fn covers(sim: &Simulation) -> bool {
    sim.household.is_none() && sim.cash_flows.withdrawal_timing == WithdrawalTiming::Start
}

/// What a year-end record is about: every path of a chunk makes the same sequence of them
/// (a failed path records zeros), so the sequence is kept once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Wealth { s: usize, year: u32 },
    Spending { s: usize, year: u32 },
}

/// The year-end records of a chunk's paths, record by record: record `i` of the chunk's
/// path `p` is at `i * CHUNK_PATHS + p`.
///
/// Replayed into the aggregation cell by cell at the end of the chunk. Each cell's sum
/// receives one value per path, so adding them in path order gives the scalar engine's
/// sums bit for bit; histogram counts do not depend on order. Going cell by cell keeps a
/// cell's histograms in cache for the whole chunk.
#[derive(Debug, Default)]
pub(crate) struct ChunkRecords {
    cells: Vec<Cell>,
    nominal: Vec<f64>,
    real: Vec<f64>,
    solvent: Vec<bool>,
    /// The next record of the batch being simulated.
    next: usize,
    /// Working space of `replay`: a spending cell's values from the paths still alive.
    lived: Vec<f64>,
}

impl ChunkRecords {
    /// The index of the batch's next record, about `cell`.
    fn push(&mut self, cell: Cell) -> usize {
        let i = self.next;
        self.next += 1;
        if i == self.cells.len() {
            self.cells.push(cell);
            let len = self.cells.len() * CHUNK_PATHS;
            self.nominal.resize(len, 0.0);
            self.real.resize(len, 0.0);
            self.solvent.resize(len, false);
        }
        debug_assert_eq!(self.cells[i], cell, "paths must record the same cells");
        i
    }

    /// Record `i` of path `p`. For a spending cell `solvent` says whether the path recorded
    /// it at all (a path after its death does not).
    fn set(&mut self, i: usize, p: usize, nominal: f64, real: f64, solvent: bool) {
        let k = i * CHUNK_PATHS + p;
        self.nominal[k] = nominal;
        self.real[k] = real;
        self.solvent[k] = solvent;
    }

    /// Sends the first `paths` paths' records to the aggregation, cell by cell.
    pub(crate) fn replay(&mut self, paths: usize, rec: &mut YearRecorder) {
        for (i, &cell) in self.cells[..self.next].iter().enumerate() {
            let at = i * CHUNK_PATHS;
            let real = &self.real[at..at + paths];
            match cell {
                Cell::Wealth { s, year } => {
                    let nominal = &self.nominal[at..at + paths];
                    let solvent = &self.solvent[at..at + paths];
                    rec.record_paths(s, year, nominal, real, solvent);
                }
                Cell::Spending { s, year } => {
                    let recorded = &self.solvent[at..at + paths];
                    if recorded.iter().all(|&r| r) {
                        rec.record_spending_paths(s, year, real);
                    } else {
                        // Paths after their death recorded no spending: the others, in order.
                        self.lived.clear();
                        let lived = real.iter().zip(recorded).filter(|(_, r)| **r);
                        self.lived.extend(lived.map(|(&x, _)| x));
                        rec.record_spending_paths(s, year, &self.lived);
                    }
                }
            }
        }
    }
}

/// The hot part of [`StrategyState`], one array per field over the lanes.
struct LaneState {
    h: [Lanes; MAX_ASSETS],
    twr: Lanes,
    sum_r: Lanes,
    sum_r2: Lanes,
    /// Counted in `f64` (exact) so the lane loops stay in one width.
    live_steps: Lanes,
    peak: Lanes,
    max_drawdown: Lanes,
    market_gains: Lanes,
    fees: Lanes,
    contributions: Lanes,
    withdrawals: Lanes,
    spending_real: Lanes,
    year_spending_real: Lanes,
    /// The strategy's cash reserve (zero without one).
    reserve: Lanes,
    failed: Mask,
    /// Each step's share of this retirement year's withdrawal (from the lane's
    /// `WithdrawalState`), divided once a year.
    due: Lanes,
    steps_per_year: f64,
}

impl LaneState {
    fn new(steps_per_year: u32) -> Self {
        Self {
            steps_per_year: f64::from(steps_per_year),
            h: [[0.0; LANES]; MAX_ASSETS],
            twr: [0.0; LANES],
            sum_r: [0.0; LANES],
            sum_r2: [0.0; LANES],
            live_steps: [0.0; LANES],
            peak: [0.0; LANES],
            max_drawdown: [0.0; LANES],
            market_gains: [0.0; LANES],
            fees: [0.0; LANES],
            contributions: [0.0; LANES],
            withdrawals: [0.0; LANES],
            spending_real: [0.0; LANES],
            year_spending_real: [0.0; LANES],
            reserve: [0.0; LANES],
            failed: [0; LANES],
            due: [0.0; LANES],
        }
    }

    /// Lane `l` takes the hot fields of `st`.
    fn load(&mut self, l: usize, st: &StrategyState) {
        for (a, &v) in st.holdings.values().iter().enumerate() {
            self.h[a][l] = v;
        }
        self.twr[l] = st.twr;
        self.sum_r[l] = st.sum_r;
        self.sum_r2[l] = st.sum_r2;
        self.live_steps[l] = f64::from(st.live_steps);
        self.peak[l] = st.peak;
        self.max_drawdown[l] = st.out.max_drawdown;
        self.market_gains[l] = st.out.market_gains;
        self.fees[l] = st.out.fees;
        self.contributions[l] = st.out.contributions;
        self.withdrawals[l] = st.out.withdrawals;
        self.spending_real[l] = st.out.spending_real;
        self.year_spending_real[l] = st.year_spending_real;
        self.reserve[l] = st.reserve;
        self.failed[l] = mask(st.out.failed);
        self.due[l] = st.withdrawal.annual / self.steps_per_year;
    }

    /// Writes lane `l`'s hot fields back into `st`, so scalar code can run on it.
    fn store(&self, l: usize, n: usize, st: &mut StrategyState) {
        st.holdings = self.holdings(l, n);
        st.twr = self.twr[l];
        st.sum_r = self.sum_r[l];
        st.sum_r2 = self.sum_r2[l];
        st.live_steps = self.live_steps[l] as u32;
        st.peak = self.peak[l];
        st.out.max_drawdown = self.max_drawdown[l];
        st.out.market_gains = self.market_gains[l];
        st.out.fees = self.fees[l];
        st.out.contributions = self.contributions[l];
        st.out.withdrawals = self.withdrawals[l];
        st.out.spending_real = self.spending_real[l];
        st.year_spending_real = self.year_spending_real[l];
        st.reserve = self.reserve[l];
    }

    fn holdings(&self, l: usize, n: usize) -> Holdings {
        let mut v = [0.0; MAX_ASSETS];
        for (a, slot) in v.iter_mut().enumerate().take(n) {
            *slot = self.h[a][l];
        }
        Holdings::from_values(&v[..n])
    }

    fn set_holdings(&mut self, l: usize, h: &Holdings) {
        for (a, &v) in h.values().iter().enumerate() {
            self.h[a][l] = v;
        }
    }

    /// Each lane's portfolio total, summed as [`Holdings::total`] sums.
    #[inline(always)]
    fn totals(&self, n: usize) -> Lanes {
        let mut t = [-0.0; LANES];
        for row in &self.h[..n] {
            for l in 0..LANES {
                t[l] += row[l];
            }
        }
        t
    }
}

/// One lane's draws as columns (see [`crate::market::Parametric::fill_columns`]).
#[derive(Clone, Copy)]
struct Drawn<'a> {
    columns: &'a [f64],
    steps: usize,
    inflation: Option<f64>,
}

/// Working space of one worker for [`LANES`] paths at a time.
pub(crate) struct Batch {
    /// The vector instructions the kernel runs with.
    isa: InstructionSet,
    n: usize,
    steps: usize,
    /// Each lane's path, as its position in the chunk (unused lanes: 0).
    slots: [usize; LANES],
    /// Gross return of asset `a` in step `t`: `gross[t * n + a][lane]`.
    gross: Vec<Lanes>,
    /// Price level at the start of step `t`; entry `steps` is the end.
    cpi: Vec<Lanes>,
    /// Income (Social Security, pensions) paid in step `t`; empty without income streams.
    income: Vec<Lanes>,
    /// The step each lane's path ends at: the horizon, or with a life table the end of the
    /// year of death.
    end: [u32; LANES],
    path_returns: Vec<StepReturns>,
    stress_scratch: Vec<StepReturns>,
    /// One per lane of a draw group.
    draws: [DrawScratch; DRAW_GROUP],
    calendar: Vec<StepInfo>,
    /// `states[lane][strategy]`.
    states: Vec<Vec<StrategyState>>,
    /// Each path's outcomes, one per strategy, after [`Batch::simulate`].
    pub(crate) out: Vec<Vec<PathOutcome>>,
    /// A chunk's outcomes after [`Batch::simulate_chunk`]: path `k` of the chunk, strategy
    /// `s` at `k * strategies + s`.
    pub(crate) chunk_out: Vec<PathOutcome>,
    /// The chunk's positions in the order they are batched.
    order: Vec<usize>,
    /// The chunk's year-end records, to replay into the aggregation.
    pub(crate) records: ChunkRecords,
}

impl Batch {
    pub(crate) fn new(sim: &Simulation, isa: InstructionSet) -> Self {
        let steps = sim.steps() as usize;
        let n = sim.initial.len();
        let strategies = sim.strategies.len();
        Self {
            isa,
            n,
            steps,
            slots: [0; LANES],
            gross: vec![[1.0; LANES]; steps * n],
            cpi: vec![[1.0; LANES]; steps + 1],
            income: vec![[0.0; LANES]; if sim.income.is_empty() { 0 } else { steps }],
            end: [steps as u32; LANES],
            path_returns: vec![StepReturns::default(); steps],
            stress_scratch: Vec::with_capacity(steps),
            draws: Default::default(),
            calendar: StepInfo::calendar(sim),
            states: vec![vec![StrategyState::new(sim.initial); strategies]; LANES],
            out: vec![vec![PathOutcome::default(); strategies]; LANES],
            chunk_out: Vec::with_capacity(CHUNK_PATHS * strategies),
            order: Vec::with_capacity(CHUNK_PATHS),
            records: ChunkRecords::default(),
        }
    }

    /// Simulates the `count` paths of the chunk starting at path `first` into `chunk_out`,
    /// [`LANES`] at a time, and their year-end records into `records`.
    ///
    /// With a life table, paths that end at about the same time share a batch (ordered by
    /// their last step), so a batch whose paths have all ended skips to its records.
    /// Outcomes and records are kept by the path's position, so the aggregation still
    /// receives them in path order.
    pub(crate) fn simulate_chunk(
        &mut self,
        sim: &Simulation,
        first: usize,
        count: usize,
        stress: Option<&Stress>,
    ) {
        let strategies = sim.strategies.len();
        self.order.clear();
        self.order.extend(0..count);
        if sim.mortality.is_some() {
            self.order.sort_by_key(|&k| end_step(sim, first + k));
        }
        self.chunk_out
            .resize(count * strategies, PathOutcome::default());
        for k0 in (0..count).step_by(LANES) {
            let lanes = (count - k0).min(LANES);
            let mut slots = [0; LANES];
            slots[..lanes].copy_from_slice(&self.order[k0..k0 + lanes]);
            self.simulate(sim, first, &slots[..lanes], stress);
            for (l, &k) in slots[..lanes].iter().enumerate() {
                self.chunk_out[k * strategies..(k + 1) * strategies].copy_from_slice(&self.out[l]);
            }
        }
    }

    /// Simulates, for every strategy, the paths of the chunk starting at path `first` that
    /// sit at positions `slots` in it (at most [`LANES`]; lane `l` takes `slots[l]`).
    pub(crate) fn simulate(
        &mut self,
        sim: &Simulation,
        first: usize,
        slots: &[usize],
        stress: Option<&Stress>,
    ) {
        let lanes = slots.len();
        debug_assert!(lanes <= LANES && slots.iter().all(|&p| p < CHUNK_PATHS));
        self.slots = [0; LANES];
        self.slots[..lanes].copy_from_slice(slots);
        self.draw(sim, first, lanes, stress);
        self.records.next = 0;
        for s in 0..sim.strategies.len() {
            self.run_strategy(sim, s, lanes);
        }
        for l in 0..lanes {
            let end = self.end[l];
            let cpi = self.cpi[end as usize][l];
            // The years after a death were recorded in the step loop.
            finish_states(
                sim,
                &mut self.states[l],
                &mut self.out[l],
                &mut NoSink,
                end,
                cpi,
            );
        }
    }

    /// Draws every lane's returns (the scalar path's draws, path by path) and lays them out
    /// by step; unused lanes get flat markets (and with a life table are dead from the
    /// start, so a batch whose paths have all ended can skip to its records).
    ///
    /// Parametric paths are drawn [`DRAW_GROUP`] at a time, each into its own columns, and
    /// laid out together: a step's row then takes the group's lanes in one run of stores
    /// instead of one store per lane, each in another cache line. (Laying out lane by lane
    /// was 7% of an untaxed run on a machine whose L2 barely holds a batch's returns.)
    fn draw(&mut self, sim: &Simulation, first: usize, lanes: usize, stress: Option<&Stress>) {
        let n = self.n;
        let spy = sim.steps_per_year;
        let retirement = sim.cash_flows.retirement_step.min(sim.steps());
        for l in 0..LANES {
            self.end[l] = if l < lanes {
                end_step(sim, first + self.slots[l])
            } else if sim.mortality.is_some() {
                0
            } else {
                self.steps as u32
            };
            if l >= lanes {
                for g in &mut self.gross {
                    g[l] = 1.0;
                }
                for c in &mut self.cpi {
                    c[l] = 1.0;
                }
            }
        }
        for g0 in (0..lanes).step_by(DRAW_GROUP) {
            let group = (lanes - g0).min(DRAW_GROUP);
            // Each parametric lane's columns (`n` returns, then inflation unless constant).
            let mut columns: [Option<Drawn>; DRAW_GROUP] = [None; DRAW_GROUP];
            for (j, scratch) in self.draws.iter_mut().enumerate().take(group) {
                let l = g0 + j;
                let path = first + self.slots[l];
                let mut rng = path_rng(sim.seed, path);
                // As the scalar path: only the steps the path lives (see `drawn_steps`).
                let steps = drawn_steps(sim, self.end[l], stress);
                if stress.is_none()
                    && let Some(p) = sim.market.parametric()
                {
                    columns[j] = Some(Drawn {
                        columns: p.fill_columns(&mut rng, steps, scratch),
                        steps,
                        inflation: p.constant_inflation(),
                    });
                    continue;
                }
                let returns = &mut self.path_returns[..steps];
                sim.market.fill_path(path, &mut rng, returns, scratch);
                if let Some(stress) = stress {
                    stress.apply(
                        returns,
                        &mut self.stress_scratch,
                        spy,
                        retirement,
                        &sim.target,
                    );
                }
                let mut cpi = 1.0;
                for (t, ret) in returns.iter().enumerate() {
                    self.cpi[t][l] = cpi;
                    cpi *= ret.inflation_gross;
                    for a in 0..n {
                        self.gross[t * n + a][l] = ret.gross[a];
                    }
                }
                self.cpi[steps][l] = cpi;
            }
            // The whole group drawn as columns of one length (every path without a life
            // table): row by row. Otherwise lane by lane.
            let steps = columns[0].map_or(0, |d| d.steps);
            let whole = columns[..group]
                .iter()
                .all(|c| c.is_some_and(|d| d.steps == steps));
            if whole {
                let cols: [&[f64]; DRAW_GROUP] =
                    std::array::from_fn(|j| columns[j].map_or(&[][..], |d| d.columns));
                for a in 0..n {
                    for t in 0..steps {
                        let row = &mut self.gross[t * n + a][g0..g0 + group];
                        for (x, col) in row.iter_mut().zip(&cols) {
                            *x = col[a * steps + t];
                        }
                    }
                }
                let inflation: [Option<f64>; DRAW_GROUP] =
                    std::array::from_fn(|j| columns[j].and_then(|d| d.inflation));
                let mut cpi = [1.0; DRAW_GROUP];
                for t in 0..steps {
                    let row = &mut self.cpi[t][g0..g0 + group];
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = cpi[j];
                        cpi[j] *= inflation[j].unwrap_or_else(|| cols[j][n * steps + t]);
                    }
                }
                self.cpi[steps][g0..g0 + group].copy_from_slice(&cpi[..group]);
                continue;
            }
            for (j, c) in columns.iter().enumerate().take(group) {
                let Some(Drawn {
                    columns: col,
                    steps,
                    inflation,
                }) = *c
                else {
                    continue;
                };
                let l = g0 + j;
                for a in 0..n {
                    for (t, &g) in col[a * steps..(a + 1) * steps].iter().enumerate() {
                        self.gross[t * n + a][l] = g;
                    }
                }
                let mut cpi = 1.0;
                for t in 0..steps {
                    self.cpi[t][l] = cpi;
                    cpi *= inflation.unwrap_or_else(|| col[n * steps + t]);
                }
                self.cpi[steps][l] = cpi;
            }
        }
        // Income as the scalar path computes it, from each lane's price levels.
        if !self.income.is_empty() {
            for (t, info) in self.calendar.iter().enumerate() {
                for l in 0..LANES {
                    self.income[t][l] = if l < lanes && info.retired {
                        let cpi = self.cpi[t][l];
                        sim.income.iter().map(|i| i.at(t as u32, spy, cpi)).sum()
                    } else {
                        0.0
                    };
                }
            }
        }
    }

    /// Steps strategy `s` through the lanes' paths, with the vector instructions of
    /// `self.isa` (every set gives the same bits: see [`crate::simd`]). A scenario without
    /// income or a life table, for a strategy without a cash reserve, runs a copy compiled
    /// without them (`EXTRAS = false`), as fast as before the kernel covered them.
    fn run_strategy(&mut self, sim: &Simulation, s: usize, lanes: usize) {
        let batch = self;
        let extras = !sim.income.is_empty()
            || sim.strategies[s].reserve.is_some()
            || sim.mortality.is_some();
        with_instruction_set!(
            batch.isa,
            |batch: &mut Batch, sim: &Simulation, s: usize, lanes: usize, extras: bool| {
                if extras {
                    batch.step_lanes::<true>(sim, s, lanes)
                } else {
                    batch.step_lanes::<false>(sim, s, lanes)
                }
            }
        )
    }

    /// [`super::path`]'s `run_strategy`, lane by lane in lockstep. `EXTRAS`: whether the
    /// scenario has income or a life table, or the strategy a cash reserve.
    #[inline(always)]
    fn step_lanes<const EXTRAS: bool>(&mut self, sim: &Simulation, s: usize, lanes: usize) {
        let n = self.n;
        let spy = sim.steps_per_year;
        let plan = &sim.cash_flows;
        let steps = sim.steps();
        let retirement = plan.retirement_step.min(steps);
        let retirement_years = (steps - retirement) / spy;
        let StrategyRun {
            strategy,
            targets,
            rule,
            withdraws,
            income_offsets,
            fee,
            no_fees,
            period,
            reserve_growth,
        } = StrategyRun::new(sim, s);
        let has_reserve = EXTRAS && strategy.reserve.is_some();
        let mortal = EXTRAS && sim.mortality.is_some();
        let mut look_in = period;

        let mut ls = LaneState::new(spy);
        let initial_total = sim.initial.total();
        for l in 0..LANES {
            let st = &mut self.states[l][s];
            *st = StrategyState::new(sim.initial);
            ls.load(l, st);
        }
        let i = self.records.push(Cell::Wealth { s, year: 0 });
        for l in 0..lanes {
            self.records
                .set(i, self.slots[l], initial_total, initial_total, true);
        }

        for step in 0..self.calendar.len() {
            let info = self.calendar[step];
            let target = &targets[step.min(targets.len() - 1)];
            if period > 0 {
                look_in -= 1;
            }
            let looks = period > 0 && look_in == 0;
            if looks {
                look_in = period;
            }
            let cpi = self.cpi[step];
            // Lanes whose path has ended: the estate stays as it was, and later year ends
            // record it unchanged (as the scalar path's `finish_states` does).
            let mut dead = [0; LANES];
            if mortal {
                for l in 0..LANES {
                    dead[l] = mask(step as u32 >= self.end[l]);
                }
            }
            // Lanes that ended the step early (ruined in it), were ruined before, or died.
            let mut skip = [0; LANES];
            for l in 0..LANES {
                skip[l] = ls.failed[l] | dead[l];
            }
            if mortal && skip.iter().all(|&m| m != 0) {
                // Every path of the batch has ended: only its year-end records remain.
                if info.year_end {
                    let totals = ls.totals(n);
                    let mut wealth = [0.0; LANES];
                    for l in 0..LANES {
                        wealth[l] = totals[l] + if has_reserve { ls.reserve[l] } else { 0.0 };
                    }
                    self.record_year_end(&mut ls, s, &info, step, lanes, &wealth, &dead);
                }
                continue;
            }

            // 1. Cash flow: contributions.
            let contribution = info.contribution;
            if contribution > 0.0 {
                contribute(
                    &mut ls,
                    n,
                    contribution,
                    target,
                    strategy.contributions,
                    &skip,
                );
                for l in 0..LANES {
                    ls.contributions[l] = pick(
                        skip[l],
                        ls.contributions[l],
                        ls.contributions[l] + contribution,
                    );
                }
            }
            // Retirement anniversaries: the first-decade marks and the year's withdrawal.
            if info.anniversary {
                let totals = ls.totals(n);
                for l in 0..LANES {
                    if skip[l] != 0 {
                        continue;
                    }
                    let st = &mut self.states[l][s];
                    st.twr = ls.twr[l];
                    st.anniversary(info.retirement_year, cpi[l]);
                    if withdraws {
                        let ctx = YearContext {
                            year: info.retirement_year,
                            years_left: retirement_years
                                .saturating_sub(info.retirement_year)
                                .max(1),
                            wealth: totals[l] + ls.reserve[l],
                            cpi: cpi[l],
                            last_year_return: st.last_year_return(info.retirement_year),
                            age: sim.start_age.map(|a| a + step as u32 / spy),
                        };
                        st.mark_anniversary_twr();
                        let annual = rule.annual_withdrawal(&mut st.withdrawal, &ctx);
                        if has_reserve {
                            st.holdings = ls.holdings(l, n);
                            st.reserve = ls.reserve[l];
                            refill_reserve(st, strategy, annual, ctx.last_year_return, target);
                            ls.set_holdings(l, &st.holdings);
                            ls.reserve[l] = st.reserve;
                        }
                        ls.due[l] = st.withdrawal.annual / f64::from(spy);
                    }
                }
            }
            // Withdrawals.
            if info.retired && withdraws {
                let mut due = ls.due;
                let income = match EXTRAS {
                    true => self.income.get(step).unwrap_or(&NO_INCOME),
                    false => &NO_INCOME,
                };
                if income_offsets {
                    for l in 0..LANES {
                        due[l] = (due[l] - income[l]).max(0.0);
                    }
                }
                let totals = ls.totals(n);
                // The cash reserve pays first, the portfolio the rest. (Without a reserve,
                // `due.min(0.0)` is 0 and `due - 0.0` is `due`: the same bits.)
                let mut from_reserve = [0.0; LANES];
                let mut rest = due;
                if has_reserve {
                    for l in 0..LANES {
                        from_reserve[l] = due[l].min(ls.reserve[l]);
                        rest[l] = due[l] - from_reserve[l];
                    }
                }
                // Lanes whose withdrawal is settled: failed, or handled by the scalar code.
                let mut paid = skip;
                let mut rare = [0; LANES];
                // `!(rest < total)`, not `rest >= total`: the scalar code's test, NaN included.
                #[allow(clippy::neg_cmp_op_on_partial_ord)]
                for l in 0..LANES {
                    rare[l] = !skip[l] & mask(due[l] > 0.0) & mask(!(rest[l] < totals[l]));
                }
                // Visit the lanes one by one only if one needs it (usually none does).
                let visit = if any(&rare) { LANES } else { 0 };
                for l in 0..visit {
                    if rare[l] == 0 {
                        continue;
                    }
                    // Ruin, or a withdrawal of everything: rare, so the scalar code.
                    paid[l] = u64::MAX;
                    let st = &mut self.states[l][s];
                    ls.store(l, n, st);
                    match pay_withdrawal(st, due[l], target, strategy.withdrawals) {
                        Err(all) => {
                            st.spent(all + income[l], cpi[l]);
                            st.ruin(step as u32, retirement, spy, cpi[l]);
                            skip[l] = u64::MAX;
                        }
                        Ok(()) => st.spent(due[l] + income[l], cpi[l]),
                    }
                    ls.load(l, st);
                }
                let mut takes = [0; LANES];
                let mut sells = [0; LANES];
                for l in 0..LANES {
                    takes[l] = !paid[l] & mask(due[l] > 0.0);
                    sells[l] = takes[l] & mask(rest[l] > 0.0);
                }
                if has_reserve {
                    for l in 0..LANES {
                        let r = ls.reserve[l];
                        ls.reserve[l] = pick(takes[l], r - from_reserve[l], r);
                    }
                }
                withdraw(
                    &mut ls,
                    n,
                    &rest,
                    &totals,
                    target,
                    strategy.withdrawals,
                    &sells,
                );
                for l in 0..LANES {
                    let w = ls.withdrawals[l];
                    ls.withdrawals[l] = pick(takes[l], w + (from_reserve[l] + rest[l]), w);
                    let real = (due[l] + income[l]) / cpi[l];
                    let (y, t) = (ls.year_spending_real[l], ls.spending_real[l]);
                    ls.year_spending_real[l] = pick(paid[l], y, y + real);
                    ls.spending_real[l] = pick(paid[l], t, t + real);
                }
            }

            // 2. Returns, then fees.
            let before = ls.totals(n);
            let mut gains = [0.0; LANES];
            let mut fees = [0.0; LANES];
            let g = &self.gross[step * n..(step + 1) * n];
            for a in 0..n {
                let row = &mut ls.h[a];
                let ga = &g[a];
                if no_fees {
                    for l in 0..LANES {
                        let v = row[l];
                        let grown = v * ga[l];
                        gains[l] += grown - v;
                        row[l] = pick(skip[l], v, grown);
                    }
                } else {
                    let f = fee[a];
                    for l in 0..LANES {
                        let v = row[l];
                        let grown = v * ga[l];
                        gains[l] += grown - v;
                        let after_fee = grown * f;
                        fees[l] += grown - after_fee;
                        row[l] = pick(skip[l], v, after_fee);
                    }
                }
            }
            if has_reserve {
                // The reserve's interest, a market gain (as the scalar path counts it).
                for l in 0..LANES {
                    let r = ls.reserve[l];
                    let earns = !skip[l] & mask(r > 0.0);
                    let interest = r * reserve_growth;
                    ls.reserve[l] = pick(earns, r + interest, r);
                    gains[l] = pick(earns, gains[l] + interest, gains[l]);
                }
            }
            let after = ls.totals(n);
            for l in 0..LANES {
                if !no_fees {
                    ls.fees[l] = pick(skip[l], ls.fees[l], ls.fees[l] + fees[l]);
                }
                let g = ls.market_gains[l];
                ls.market_gains[l] = pick(skip[l], g, g + gains[l]);
            }
            let mut wealth = [0.0; LANES];
            for l in 0..LANES {
                let live = !skip[l];
                let grew = live & mask(before[l] > 0.0);
                let r = after[l] / before[l] - 1.0;
                ls.twr[l] = pick(grew, ls.twr[l] * (1.0 + r), ls.twr[l]);
                ls.sum_r[l] = pick(grew, ls.sum_r[l] + r, ls.sum_r[l]);
                ls.sum_r2[l] = pick(grew, ls.sum_r2[l] + r * r, ls.sum_r2[l]);
                ls.live_steps[l] += pick(grew, 1.0, 0.0);
                let w = after[l] + if has_reserve { ls.reserve[l] } else { 0.0 };
                wealth[l] = w;
                let peak = ls.peak[l];
                let rises = mask(w > peak);
                let dd = 1.0 - w / peak;
                let deeper = live & !rises & mask(peak > 0.0) & mask(dd > ls.max_drawdown[l]);
                ls.peak[l] = pick(live & rises, w, peak);
                ls.max_drawdown[l] = pick(deeper, dd, ls.max_drawdown[l]);
            }

            // 3. Rebalancing, against this step's target.
            if looks {
                let candidates = look_candidates(&strategy.rule, &ls, n, target, &after, &skip);
                let visit = if any(&candidates) { LANES } else { 0 };
                for l in 0..visit {
                    if candidates[l] == 0 {
                        continue;
                    }
                    let mut h = ls.holdings(l, n);
                    if let Some(trades) = apply_rule(&strategy.rule, &mut h, target) {
                        ls.set_holdings(l, &h);
                        self.states[l][s].rebalanced(&trades, after[l]);
                    }
                }
            }

            // 4. Year-end record.
            if info.year_end {
                self.record_year_end(&mut ls, s, &info, step, lanes, &wealth, &dead);
            }
        }
        for l in 0..lanes {
            ls.store(l, n, &mut self.states[l][s]);
        }
    }

    /// Year-end `info.year` of strategy `s`: each lane's wealth (zero once ruined, as the
    /// scalar `StrategyState::year_end` records; after its path ended, the estate at the
    /// price level of its end, as `finish_states` records) and, in retirement, the year's
    /// spending (none from a path that has ended).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn record_year_end(
        &mut self,
        ls: &mut LaneState,
        s: usize,
        info: &StepInfo,
        step: usize,
        lanes: usize,
        wealth: &Lanes,
        dead: &Mask,
    ) {
        let i = self.records.push(Cell::Wealth { s, year: info.year });
        for l in 0..lanes {
            let (nominal, real, solvent) = if ls.failed[l] != 0 {
                (0.0, 0.0, false)
            } else if dead[l] != 0 {
                let at_end = self.cpi[self.end[l] as usize][l];
                (wealth[l], wealth[l] / at_end, true)
            } else {
                (wealth[l], wealth[l] / self.cpi[step + 1][l], true)
            };
            self.records.set(i, self.slots[l], nominal, real, solvent);
        }
        if info.retired {
            let i = self.records.push(Cell::Spending { s, year: info.year });
            for l in 0..lanes {
                let real = ls.year_spending_real[l];
                self.records.set(i, self.slots[l], 0.0, real, dead[l] == 0);
                ls.year_spending_real[l] = 0.0;
            }
        }
    }
}

/// [`rebalance::contribute`] on every lane not in `skip`.
#[inline(always)]
fn contribute(
    ls: &mut LaneState,
    n: usize,
    amount: f64,
    target: &TargetAllocation,
    routing: CashFlowRouting,
    skip: &Mask,
) {
    let tw = target.weights();
    let totals = ls.totals(n);
    match routing {
        CashFlowRouting::ProRata => {
            for (a, row) in ls.h[..n].iter_mut().enumerate() {
                let add = amount * tw[a];
                for l in 0..LANES {
                    row[l] = pick(skip[l], row[l], row[l] + add);
                }
            }
        }
        CashFlowRouting::MostOffTarget => {
            // The first most underweight asset, by dollar gap, as the scalar code ranks.
            let mut best = [0.0; LANES];
            let mut best_gap = [f64::INFINITY; LANES];
            for (a, row) in ls.h[..n].iter().enumerate() {
                for l in 0..LANES {
                    let gap = row[l] - tw[a] * totals[l];
                    let better = mask(gap < best_gap[l]);
                    best_gap[l] = pick(better, gap, best_gap[l]);
                    best[l] = pick(better, a as f64, best[l]);
                }
            }
            for (a, row) in ls.h[..n].iter_mut().enumerate() {
                let add = amount * tw[a];
                for l in 0..LANES {
                    let v = row[l];
                    let most = pick(mask(best[l] == a as f64), v + amount, v);
                    let pro_rata = v + add;
                    let to = pick(mask(totals[l] <= 0.0), pro_rata, most);
                    row[l] = pick(skip[l], v, to);
                }
            }
        }
        CashFlowRouting::TowardTarget => {
            for l in 0..LANES {
                if skip[l] == 0 {
                    let mut h = ls.holdings(l, n);
                    rebalance::contribute(&mut h, amount, target, routing);
                    ls.set_holdings(l, &h);
                }
            }
        }
    }
}

/// [`rebalance::withdraw`] of `due` on the lanes in `takes`, each holding more than its
/// `due` (`totals`: the lanes' portfolio totals).
#[inline(always)]
fn withdraw(
    ls: &mut LaneState,
    n: usize,
    due: &Lanes,
    totals: &Lanes,
    target: &TargetAllocation,
    routing: CashFlowRouting,
    takes: &Mask,
) {
    if takes.iter().all(|&t| t == 0) {
        return;
    }
    let tw = target.weights();
    match routing {
        CashFlowRouting::ProRata => {
            let mut keep = [1.0; LANES];
            for l in 0..LANES {
                keep[l] = 1.0 - due[l] / totals[l];
            }
            for row in &mut ls.h[..n] {
                for l in 0..LANES {
                    row[l] = pick(takes[l], row[l] * keep[l], row[l]);
                }
            }
        }
        CashFlowRouting::MostOffTarget => {
            // The scalar cascade takes from the most overweight asset first (dollar gaps,
            // the first of equal gaps), then the next. A step's withdrawal is almost always
            // covered by that first asset: done here across the lanes. A lane where it is
            // not runs the scalar cascade.
            let mut first = [0.0; LANES];
            let mut first_over = [f64::NEG_INFINITY; LANES];
            for (a, row) in ls.h[..n].iter().enumerate() {
                for l in 0..LANES {
                    let over = row[l] - tw[a] * totals[l];
                    let more = mask(over > first_over[l]);
                    first_over[l] = pick(more, over, first_over[l]);
                    first[l] = pick(more, a as f64, first[l]);
                }
            }
            let mut value = [0.0; LANES];
            for (a, row) in ls.h[..n].iter().enumerate() {
                for l in 0..LANES {
                    value[l] = pick(mask(first[l] == a as f64), row[l], value[l]);
                }
            }
            let mut cascade = [0; LANES];
            for l in 0..LANES {
                cascade[l] = takes[l] & mask(value[l] < due[l]);
            }
            for (a, row) in ls.h[..n].iter_mut().enumerate() {
                for l in 0..LANES {
                    let hit = takes[l] & !cascade[l] & mask(first[l] == a as f64);
                    row[l] = pick(hit, row[l] - value[l].min(due[l]), row[l]);
                }
            }
            // Visit the lanes one by one only if one needs the cascade (usually none does).
            let visit = if any(&cascade) { LANES } else { 0 };
            for l in 0..visit {
                if cascade[l] != 0 {
                    let mut h = ls.holdings(l, n);
                    rebalance::withdraw(&mut h, due[l], target, routing);
                    ls.set_holdings(l, &h);
                }
            }
        }
        CashFlowRouting::TowardTarget => {
            for l in 0..LANES {
                if takes[l] != 0 {
                    let mut h = ls.holdings(l, n);
                    rebalance::withdraw(&mut h, due[l], target, routing);
                    ls.set_holdings(l, &h);
                }
            }
        }
    }
}

/// Lanes where the rule may trade at this look: every live lane for a calendar rule; for
/// a threshold rule, the lanes that pass [`rebalance::band_breached`]'s division-free
/// screen (the scalar rule then decides exactly, so no lane it would trade is missed).
/// `totals` are the lanes' portfolio totals, unchanged since the step's returns.
#[inline(always)]
fn look_candidates(
    rule: &RebalanceRule,
    ls: &LaneState,
    n: usize,
    target: &TargetAllocation,
    totals: &Lanes,
    skip: &Mask,
) -> Mask {
    let mut out = [0; LANES];
    match *rule {
        RebalanceRule::Never => {}
        RebalanceRule::Calendar(_) => {
            for l in 0..LANES {
                out[l] = !skip[l];
            }
        }
        RebalanceRule::Threshold { band, .. } => {
            let tw = target.weights();
            for (a, row) in ls.h[..n].iter().enumerate() {
                let hw = band.half_width(tw[a]);
                for l in 0..LANES {
                    let t = totals[l];
                    out[l] |= mask((row[l] - tw[a] * t).abs() > (hw - 1e-9) * t);
                }
            }
            for l in 0..LANES {
                out[l] &= !skip[l] & mask(totals[l] > 0.0);
            }
        }
    }
    out
}
