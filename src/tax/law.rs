//! The parameters of federal income tax law for one year, in either numeric type.
//!
//! Every number comes from /work/shared/reference/us-tax-2026.md, which cites its primary
//! source; the source is repeated next to each table. Amounts that the Code indexes to
//! inflation (brackets, standard deduction, the 65+ add-on, capital-gain breakpoints) are
//! scaled by a price level in [`TaxLaw::projected`]; amounts fixed by statute (Social Security
//! thresholds, NIIT thresholds, the capital-loss limit, the senior deduction and its
//! phase-out) are not.

use super::amount::{Amount, whole};
use super::filing::FilingStatus;

/// Marginal rates of the seven ordinary brackets, in percent: 10/12/22/24/32/35/37, made
/// permanent by OBBBA (P.L. 119-21) sec. 70101; IRC §1(j)(2).
const RATES_PCT: [i64; 7] = [10, 12, 22, 24, 32, 35, 37];

/// 2026 lower bounds of the seven brackets, in dollars, per status in
/// [`FilingStatus::ALL`] order (single, MFJ, HoH, MFS). Source: Rev. Proc. 2025-32, p.10.
const BRACKETS_2026: [[i64; 7]; 4] = [
    [0, 12_400, 50_400, 105_700, 201_775, 256_225, 640_600],
    [0, 24_800, 100_800, 211_400, 403_550, 512_450, 768_700],
    [0, 17_700, 67_450, 105_700, 201_750, 256_200, 640_600],
    [0, 12_400, 50_400, 105_700, 201_775, 256_225, 384_350],
];

/// 2025 lower bounds (single, MFJ, HoH). Source: Rev. Proc. 2024-40. The reference has no
/// 2025 MFS table, so 2025 law does not cover MFS (see [`TaxLaw::covers`]).
const BRACKETS_2025: [[i64; 7]; 3] = [
    [0, 11_925, 48_475, 103_350, 197_300, 250_525, 626_350],
    [0, 23_850, 96_950, 206_700, 394_600, 501_050, 751_600],
    [0, 17_000, 64_850, 103_350, 197_300, 250_500, 626_350],
];

/// Basic standard deduction (single, MFJ, HoH, MFS). 2026: Rev. Proc. 2025-32, p.18;
/// 2025: as raised by OBBBA sec. 70102. IRC §63(c).
const STANDARD_2026: [i64; 4] = [16_100, 32_200, 24_150, 16_100];
const STANDARD_2025: [i64; 4] = [15_750, 31_500, 23_625, 15_750];

/// Additional standard deduction per person aged 65+ (IRC §63(f)): (unmarried, married).
/// 2026: Rev. Proc. 2025-32, p.18; 2025: Rev. Proc. 2024-40.
const AGED_2026: (i64, i64) = (2_050, 1_650);
const AGED_2025: (i64, i64) = (2_000, 1_600);

/// Long-term gain breakpoints in taxable income: (top of the 0% band, top of the 15% band).
/// 2026: Rev. Proc. 2025-32, p.12; IRC §1(h), §1(j)(5). 2025: Rev. Proc. 2024-40 (no MFS).
const LTCG_2026: [(i64, i64); 4] = [
    (49_450, 545_500),
    (98_900, 613_700),
    (66_200, 579_600),
    (49_450, 306_850),
];
const LTCG_2025: [(i64, i64); 3] = [(48_350, 533_400), (96_700, 600_050), (64_750, 566_700)];

/// Senior deduction (IRC §151(d)(5)(C), OBBBA sec. 70103): $6,000 per person 65+, reduced by
/// 6% of MAGI above 75,000 (single, HoH) or 150,000 (joint); not indexed; tax years 2025–2028
/// only; not allowed to married filing separately.
const SENIOR_AMOUNT: i64 = 6_000;
const SENIOR_PHASEOUT_PCT: i64 = 6;
const SENIOR_START: [i64; 4] = [75_000, 150_000, 75_000, 0];
const SENIOR_YEARS: std::ops::RangeInclusive<i32> = 2025..=2028;

/// Social Security base and adjusted base amounts (IRC §86(c); Pub. 915), fixed by statute.
/// MFS assumes the spouses lived together at some time in the year: both amounts are zero
/// (§86(c)(1)(C)(ii), (c)(2)(C)).
const SS_BASE: [i64; 4] = [25_000, 32_000, 25_000, 0];
const SS_ADJUSTED: [i64; 4] = [34_000, 44_000, 34_000, 0];

/// Net Investment Income Tax: 3.8% (IRC §1411(a)(1)); MAGI thresholds fixed by statute
/// (§1411(b)): 200,000 single and HoH, 250,000 joint, 125,000 separate.
const NIIT_PERMILLE: i64 = 38;
const NIIT_THRESHOLD: [i64; 4] = [200_000, 250_000, 200_000, 125_000];

/// Net capital loss deductible against other income per year: IRC §1211(b); $1,500 MFS.
const LOSS_LIMIT: [i64; 4] = [3_000, 3_000, 3_000, 1_500];

/// Additional tax on early distributions from retirement plans: 10%, IRC §72(t)(1).
const EARLY_PCT: i64 = 10;

/// The first year whose figures are the base of [`TaxLaw::projected`].
pub const BASE_YEAR: i32 = 2026;

/// Federal income tax law for one year, plus an optional flat state rate.
///
/// Per-status tables are indexed by [`FilingStatus`] (single, MFJ, HoH, MFS). The value is
/// `Copy` and holds no heap data, so the simulation can build one per path and year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxLaw<M> {
    /// The tax year.
    pub year: i32,
    /// Ordinary bracket rates, lowest first.
    pub rates: [M; 7],
    /// Lower bounds of the ordinary brackets in taxable income, per status.
    pub brackets: [[M; 7]; 4],
    /// Basic standard deduction, per status.
    pub standard_deduction: [M; 4],
    /// Additional standard deduction per person 65+, unmarried filer (single, HoH).
    pub aged_addon_unmarried: M,
    /// Additional standard deduction per person 65+, married filer (per spouse).
    pub aged_addon_married: M,
    /// Top of the 0% long-term-gain band in taxable income, per status.
    pub ltcg_zero_top: [M; 4],
    /// Top of the 15% long-term-gain band in taxable income, per status.
    pub ltcg_fifteen_top: [M; 4],
    /// Senior deduction per person 65+ (zero outside 2025–2028).
    pub senior_amount: M,
    /// Phase-out rate of each senior deduction per dollar of MAGI above the start.
    pub senior_phaseout_rate: M,
    /// MAGI where the senior deduction starts to phase out, per status.
    pub senior_phaseout_start: [M; 4],
    /// Social Security base amount (50% tier begins), per status.
    pub ss_base: [M; 4],
    /// Social Security adjusted base amount (85% tier begins), per status.
    pub ss_adjusted_base: [M; 4],
    /// NIIT rate.
    pub niit_rate: M,
    /// NIIT MAGI threshold, per status.
    pub niit_threshold: [M; 4],
    /// Net capital loss deductible per year, per status.
    pub capital_loss_limit: [M; 4],
    /// Additional tax rate on early distributions.
    pub early_withdrawal_rate: M,
    /// Flat state income tax rate applied to *federal* taxable income (a simplification:
    /// states have their own bases, deductions and brackets). Zero unless set with
    /// [`TaxLaw::with_state_rate`].
    pub state_rate: M,
    /// Whether the tables hold published figures for MFS (2025 law does not).
    mfs_published: bool,
}

fn per_status<M: Amount>(t: [i64; 4]) -> [M; 4] {
    t.map(whole)
}

impl<M: Amount> TaxLaw<M> {
    /// 2026 law (Rev. Proc. 2025-32 and the statutory amounts above).
    pub fn y2026() -> Self {
        TaxLaw {
            year: 2026,
            rates: RATES_PCT.map(|r| M::lit(r, 2)),
            brackets: BRACKETS_2026.map(|b| b.map(whole)),
            standard_deduction: per_status(STANDARD_2026),
            aged_addon_unmarried: whole(AGED_2026.0),
            aged_addon_married: whole(AGED_2026.1),
            ltcg_zero_top: LTCG_2026.map(|x| whole(x.0)),
            ltcg_fifteen_top: LTCG_2026.map(|x| whole(x.1)),
            senior_amount: whole(SENIOR_AMOUNT),
            senior_phaseout_rate: M::lit(SENIOR_PHASEOUT_PCT, 2),
            senior_phaseout_start: per_status(SENIOR_START),
            ss_base: per_status(SS_BASE),
            ss_adjusted_base: per_status(SS_ADJUSTED),
            niit_rate: M::lit(NIIT_PERMILLE, 3),
            niit_threshold: per_status(NIIT_THRESHOLD),
            capital_loss_limit: per_status(LOSS_LIMIT),
            early_withdrawal_rate: M::lit(EARLY_PCT, 2),
            state_rate: M::ZERO,
            mfs_published: true,
        }
    }

    /// 2025 law (Rev. Proc. 2024-40 as amended by OBBBA) for single, MFJ and HoH. The MFS
    /// entries hold the single figures and [`TaxLaw::covers`] is false for MFS: the reference
    /// does not list the 2025 MFS brackets.
    pub fn y2025() -> Self {
        // Row of the 2025 tables for a status index; MFS (3) borrows the single row.
        let pick = |i: usize| if i == 3 { 0 } else { i };
        let base = Self::y2026();
        TaxLaw {
            year: 2025,
            brackets: std::array::from_fn(|i| BRACKETS_2025[pick(i)].map(whole)),
            standard_deduction: per_status(STANDARD_2025),
            aged_addon_unmarried: whole(AGED_2025.0),
            aged_addon_married: whole(AGED_2025.1),
            ltcg_zero_top: std::array::from_fn(|i| whole(LTCG_2025[pick(i)].0)),
            ltcg_fifteen_top: std::array::from_fn(|i| whole(LTCG_2025[pick(i)].1)),
            mfs_published: false,
            ..base
        }
    }

    /// Published law for `year` (2025 or 2026), or `None` for any other year.
    pub fn published(year: i32) -> Option<Self> {
        match year {
            2025 => Some(Self::y2025()),
            2026 => Some(Self::y2026()),
            _ => None,
        }
    }

    /// Law for a simulated `year`: 2026 law with every indexed amount (brackets, standard
    /// deduction, 65+ add-on, capital-gain breakpoints) multiplied by `price_level`, the
    /// simulated price level relative to 2026 (1 in 2026). Statutory amounts are not scaled.
    /// The senior deduction is zero outside 2025–2028.
    ///
    /// The IRS rounds indexed amounts down to multiples of $25 or $50 (IRC §1(f)(7)); this
    /// does not, since the simulated price level is itself an estimate.
    pub fn projected(year: i32, price_level: M) -> Self {
        Self::projected_from(&Self::y2026(), year, price_level)
    }

    /// [`TaxLaw::projected`] from a 2026 law built once with [`TaxLaw::y2026`] (whose
    /// literals cost a division each), for code that projects every simulated year. Any
    /// state rate of `base` is kept.
    pub fn projected_from(base: &Self, year: i32, price_level: M) -> Self {
        debug_assert_eq!(base.year, 2026, "projections start from the 2026 law");
        let scale4 = |t: [M; 4]| t.map(|x| x * price_level);
        TaxLaw {
            year,
            brackets: base.brackets.map(|b| b.map(|x| x * price_level)),
            standard_deduction: scale4(base.standard_deduction),
            aged_addon_unmarried: base.aged_addon_unmarried * price_level,
            aged_addon_married: base.aged_addon_married * price_level,
            ltcg_zero_top: scale4(base.ltcg_zero_top),
            ltcg_fifteen_top: scale4(base.ltcg_fifteen_top),
            senior_amount: if SENIOR_YEARS.contains(&year) {
                base.senior_amount
            } else {
                M::ZERO
            },
            ..*base
        }
    }

    /// The same law with a flat state income tax rate (a fraction: 0.05 is 5%), applied to
    /// federal taxable income.
    pub fn with_state_rate(self, rate: M) -> Self {
        TaxLaw {
            state_rate: rate,
            ..self
        }
    }

    /// Whether the law's tables hold published figures for `status`.
    pub fn covers(&self, status: FilingStatus) -> bool {
        status != FilingStatus::Mfs || self.mfs_published
    }
}

/// The years [`TaxLaw::published`] knows.
pub const PUBLISHED_YEARS: [i32; 2] = [2025, 2026];
