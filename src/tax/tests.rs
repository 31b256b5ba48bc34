//! Tests with real numbers: the reference's worked examples, hand-computed worksheet cases,
//! golden values from an independent engine (PSL Tax-Calculator), and agreement of the `f64`
//! and `Decimal` instances of the same rules.

use super::brackets::{ordinary_tax, regular_tax};
use super::social_security::taxable_benefits;
use super::*;
use FilingStatus::{Hoh, Mfj, Mfs, Single};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn law() -> TaxLaw<Decimal> {
    TaxLaw::y2026()
}

fn tax(status: FilingStatus, income: YearIncome<Decimal>) -> TaxBreakdown<Decimal> {
    compute(&law(), status, &income, LossCarry::none())
}

fn person(age: u32) -> YearIncome<Decimal> {
    YearIncome {
        age,
        ..YearIncome::default()
    }
}

fn to_f64(i: &YearIncome<Decimal>) -> YearIncome<f64> {
    YearIncome {
        wages: i.wages.to_f64(),
        taxable_interest: i.taxable_interest.to_f64(),
        ordinary_dividends: i.ordinary_dividends.to_f64(),
        qualified_dividends: i.qualified_dividends.to_f64(),
        ira_distributions: i.ira_distributions.to_f64(),
        early_distributions: i.early_distributions.to_f64(),
        short_term_gains: i.short_term_gains.to_f64(),
        long_term_gains: i.long_term_gains.to_f64(),
        social_security: i.social_security.to_f64(),
        age: i.age,
        spouse_age: i.spouse_age,
    }
}

#[test]
fn cumulative_bracket_tax_at_each_bound_matches_rev_proc_2025_32() {
    // Reference §1.1: cumulative tax at the lower bound of each bracket.
    let cases: [(FilingStatus, [i64; 7], [Decimal; 7]); 3] = [
        (
            Single,
            [0, 12_400, 50_400, 105_700, 201_775, 256_225, 640_600],
            [
                dec!(0),
                dec!(1240),
                dec!(5800),
                dec!(17966),
                dec!(41024),
                dec!(58448),
                dec!(192979.25),
            ],
        ),
        (
            Mfj,
            [0, 24_800, 100_800, 211_400, 403_550, 512_450, 768_700],
            [
                dec!(0),
                dec!(2480),
                dec!(11600),
                dec!(35932),
                dec!(82048),
                dec!(116896),
                dec!(206583.50),
            ],
        ),
        (
            Hoh,
            [0, 17_700, 67_450, 105_700, 201_750, 256_200, 640_600],
            [
                dec!(0),
                dec!(1770),
                dec!(7740),
                dec!(16155),
                dec!(39207),
                dec!(56631),
                dec!(191171),
            ],
        ),
    ];
    let lf = TaxLaw::<f64>::y2026();
    for (status, bounds, expected) in cases {
        for (b, e) in bounds.iter().zip(expected) {
            assert_eq!(
                ordinary_tax(&law(), status, Decimal::from(*b)),
                e,
                "{status:?} {b}"
            );
            let f = ordinary_tax(&lf, status, *b as f64);
            assert!((f - e.to_f64()).abs() < 1e-6, "{status:?} {b}: {f}");
        }
    }
    // MFS: single brackets except the 37% bracket from 384,350.
    assert_eq!(
        ordinary_tax(&law(), Mfs, dec!(384350)),
        dec!(58448) + dec!(128125) * dec!(0.35)
    );
}

#[test]
fn senior_deduction_worked_example_single_70_agi_126000() {
    // Reference §1.3: 6,000 - 0.06 x (126,000 - 75,000) = 2,940.
    let t = tax(
        Single,
        YearIncome {
            ira_distributions: dec!(126000),
            ..person(70)
        },
    );
    assert_eq!(t.agi, dec!(126000));
    assert_eq!(t.senior_deduction, dec!(2940));
    assert_eq!(t.standard_deduction, dec!(18150)); // 16,100 + 2,050
    assert_eq!(t.taxable_income, dec!(104910));
    // Gone at 175,000 single; zero below 65, for MFS, and after 2028.
    let t = tax(
        Single,
        YearIncome {
            ira_distributions: dec!(175000),
            ..person(70)
        },
    );
    assert_eq!(t.senior_deduction, dec!(0));
    assert_eq!(tax(Single, person(64)).senior_deduction, dec!(0));
    assert_eq!(tax(Mfs, person(70)).senior_deduction, dec!(0));
    let l2029 = TaxLaw::<Decimal>::projected(2029, dec!(1));
    let t = compute(&l2029, Single, &person(70), LossCarry::none());
    assert_eq!(t.senior_deduction, dec!(0));
    assert_eq!(t.standard_deduction, dec!(18150));
}

#[test]
fn mfj_two_seniors_get_two_add_ons_and_two_phasing_deductions() {
    let both = YearIncome {
        ira_distributions: dec!(200000),
        spouse_age: Some(66),
        ..person(67)
    };
    let t = tax(Mfj, both);
    assert_eq!(t.standard_deduction, dec!(35500)); // 32,200 + 2 x 1,650
    // Each 6,000 less 6% of (200,000 - 150,000) = 3,000; twice.
    assert_eq!(t.senior_deduction, dec!(6000));
    assert_eq!(t.taxable_income, dec!(158500));
    // 12 cents of deduction lost per dollar with two seniors.
    let more = tax(
        Mfj,
        YearIncome {
            ira_distributions: dec!(201000),
            ..both
        },
    );
    assert_eq!(t.senior_deduction - more.senior_deduction, dec!(120));
    // One senior, one not: one add-on and one deduction.
    let t = tax(
        Mfj,
        YearIncome {
            spouse_age: Some(64),
            ..both
        },
    );
    assert_eq!(t.standard_deduction, dec!(33850));
    assert_eq!(t.senior_deduction, dec!(3000));
    // A spouse's age does not count on a single return.
    assert_eq!(
        tax(
            Single,
            YearIncome {
                spouse_age: Some(70),
                ..person(40)
            }
        )
        .standard_deduction,
        dec!(16100)
    );
}

#[test]
fn social_security_pub_915_tiers_and_85_percent_cap() {
    let l = law();
    let ss = |s, b: Decimal, other: Decimal| taxable_benefits(&l, s, b, other);
    // Provisional income 10,000 + 10,000 = 20,000 <= 25,000: nothing taxable.
    assert_eq!(ss(Single, dec!(20000), dec!(10000)), dec!(0));
    // 50% tier: PI 30,000; 0.5 x 5,000.
    assert_eq!(ss(Single, dec!(20000), dec!(20000)), dec!(2500));
    // 50% tier capped at half the benefits: PI 32,000, 0.5 x 7,000 = 3,500 > 2,000.
    assert_eq!(ss(Single, dec!(4000), dec!(30000)), dec!(2000));
    // 85% tier: PI 45,000; 0.85 x 11,000 + 4,500 = 13,850.
    assert_eq!(ss(Single, dec!(30000), dec!(30000)), dec!(13850));
    // 85% cap: 0.85 x 81,000 + 4,500 > 0.85 x 30,000 = 25,500.
    assert_eq!(ss(Single, dec!(30000), dec!(100000)), dec!(25500));
    // MFJ: PI 50,000; 0.85 x 6,000 + 6,000 = 11,100.
    assert_eq!(ss(Mfj, dec!(40000), dec!(30000)), dec!(11100));
    // MFJ 50% tier: PI 40,000; 0.5 x 8,000.
    assert_eq!(ss(Mfj, dec!(30000), dec!(25000)), dec!(4000));
    // MFJ capped: PI 80,000 -> 0.85 x 40,000.
    assert_eq!(ss(Mfj, dec!(40000), dec!(60000)), dec!(34000));
    // MFS living together: 85% of provisional income from the first dollar, up to 85%.
    assert_eq!(ss(Mfs, dec!(20000), dec!(1000)), dec!(9350));
    assert_eq!(ss(Mfs, dec!(20000), dec!(50000)), dec!(17000));
    // HoH uses the single amounts.
    assert_eq!(ss(Hoh, dec!(30000), dec!(30000)), dec!(13850));
}

#[test]
fn capital_loss_worked_example_keeps_long_term_character() {
    // Reference §2.3: ST -2,000 and LT -10,000: deduct 3,000, carry 9,000 long-term.
    let year1 = YearIncome {
        wages: dec!(80000),
        short_term_gains: dec!(-2000),
        long_term_gains: dec!(-10000),
        ..person(50)
    };
    let t = tax(Single, year1);
    assert_eq!(t.capital_loss_deduction, dec!(3000));
    assert_eq!(t.agi, dec!(77000));
    assert_eq!(t.carry_out.short, dec!(0));
    assert_eq!(t.carry_out.long, dec!(9000));
    assert_eq!(t.preferential_income, dec!(0));
    // Next year: a 5,000 long-term gain absorbs 5,000; 3,000 more is deducted; 1,000 carries.
    let year2 = YearIncome {
        long_term_gains: dec!(5000),
        short_term_gains: dec!(0),
        ..year1
    };
    let t2 = compute(&law(), Single, &year2, t.carry_out);
    assert_eq!(t2.capital_loss_deduction, dec!(3000));
    assert_eq!(t2.agi, dec!(77000));
    assert_eq!(t2.carry_out.long, dec!(1000));
    // A short-term gain offsets the long-term loss before the allowance: 10,000 - 1,000
    // - 3,000 = 6,000 long-term carried.
    let t = tax(
        Single,
        YearIncome {
            short_term_gains: dec!(1000),
            ..year1
        },
    );
    assert_eq!((t.carry_out.short, t.carry_out.long), (dec!(0), dec!(6000)));
    // MFS allowance is 1,500, taken from the short-term loss first: 500 short-term and all
    // 10,000 long-term carry.
    let t = tax(Mfs, year1);
    assert_eq!(t.capital_loss_deduction, dec!(1500));
    assert_eq!(
        (t.carry_out.short, t.carry_out.long),
        (dec!(500), dec!(10000))
    );
    // Deductions exceed income: the allowance did no work and all of the loss carries
    // (worksheet lines 1-4; IRC §1212(b)(2)).
    let t = tax(
        Single,
        YearIncome {
            short_term_gains: dec!(-5000),
            ..person(40)
        },
    );
    assert_eq!((t.carry_out.short, t.carry_out.long), (dec!(5000), dec!(0)));
}

#[test]
fn qualified_income_straddling_the_zero_and_fifteen_percent_breakpoints() {
    // Single, ordinary taxable income 40,000 and a 20,000 long-term gain: 9,450 fills the 0%
    // band up to 49,450, 10,550 at 15% = 1,582.50; ordinary tax on 40,000 = 4,552.
    let t = tax(
        Single,
        YearIncome {
            wages: dec!(56100),
            long_term_gains: dec!(20000),
            ..person(40)
        },
    );
    assert_eq!(t.taxable_income, dec!(60000));
    assert_eq!(t.ordinary_tax, dec!(4552));
    assert_eq!(t.capital_gains_tax, dec!(1582.50));
    assert_eq!(t.regular_tax, dec!(6134.50));
    // Qualified dividends stack the same way; a short-term loss reduces the preferential
    // gain (min of net long-term and net total).
    let r = regular_tax(&law(), Single, dec!(60000), dec!(20000));
    assert_eq!(r.total, dec!(6134.50));
    let t = tax(
        Single,
        YearIncome {
            wages: dec!(56100),
            long_term_gains: dec!(20000),
            short_term_gains: dec!(-5000),
            ..person(40)
        },
    );
    assert_eq!(t.preferential_income, dec!(15000));
    assert_eq!(t.ordinary_income, dec!(40000));
    // The 15%/20% breakpoint: ordinary 483,900 + 100,000 gain; 61,600 at 15% (up to 545,500)
    // and 38,400 at 20%.
    let r = regular_tax(&law(), Single, dec!(583900), dec!(100000));
    assert_eq!(r.capital_gains_tax, dec!(9240) + dec!(7680));
    // All-ordinary income is just the brackets.
    let r = regular_tax(&law(), Mfj, dec!(97800), dec!(0));
    assert_eq!(r.total, ordinary_tax(&law(), Mfj, dec!(97800)));
}

#[test]
fn niit_is_on_the_lesser_of_investment_income_and_magi_over_the_threshold() {
    // Investment income is the lesser: 3.8% x 10,000.
    let t = tax(
        Single,
        YearIncome {
            wages: dec!(250000),
            taxable_interest: dec!(10000),
            ..person(45)
        },
    );
    assert_eq!(t.niit, dec!(380));
    // MAGI over 200,000 is the lesser: 3.8% x 15,000.
    let t = tax(
        Single,
        YearIncome {
            wages: dec!(195000),
            taxable_interest: dec!(20000),
            ..person(45)
        },
    );
    assert_eq!(t.niit, dec!(570));
    // IRA distributions are not investment income but raise MAGI: MFJ 250,000 threshold.
    let t = tax(
        Mfj,
        YearIncome {
            ira_distributions: dec!(300000),
            ordinary_dividends: dec!(40000),
            qualified_dividends: dec!(40000),
            ..person(60)
        },
    );
    assert_eq!(t.niit, dec!(1520));
    // Below the threshold: none. The deducted capital loss reduces investment income.
    let t = tax(
        Single,
        YearIncome {
            wages: dec!(210000),
            taxable_interest: dec!(5000),
            long_term_gains: dec!(-10000),
            ..person(45)
        },
    );
    assert_eq!(t.net_investment_income, dec!(2000));
    assert_eq!(t.niit, dec!(76));
    // MFS threshold 125,000: MAGI 130,000, so 3.8% x 5,000.
    assert_eq!(
        tax(
            Mfs,
            YearIncome {
                wages: dec!(120000),
                taxable_interest: dec!(10000),
                ..person(45)
            }
        )
        .niit,
        dec!(190)
    );
}

#[test]
fn penalty_state_tax_and_totals() {
    let l = law().with_state_rate(dec!(0.05));
    let t = compute(
        &l,
        Single,
        &YearIncome {
            ira_distributions: dec!(50000),
            early_distributions: dec!(20000),
            ..person(50)
        },
        LossCarry::none(),
    );
    assert_eq!(t.penalty, dec!(2000));
    assert_eq!(t.taxable_income, dec!(33900));
    assert_eq!(t.state_tax, dec!(1695));
    assert_eq!(t.regular_tax, dec!(1240) + dec!(21500) * dec!(0.12));
    assert_eq!(t.federal_tax, t.regular_tax + t.niit + t.penalty);
    assert_eq!(t.total_tax, t.federal_tax + t.state_tax);
    assert_eq!(t.bracket_rate, dec!(0.12));
}

#[test]
fn projected_law_scales_indexed_amounts_only() {
    let base = TaxLaw::<f64>::y2026();
    assert_eq!(TaxLaw::<f64>::projected(2026, 1.0), base);
    let l = TaxLaw::<f64>::projected(2030, 1.1);
    let s = Single.index();
    assert!((l.brackets[s][1] - 13_640.0).abs() < 1e-9);
    assert!((l.standard_deduction[s] - 17_710.0).abs() < 1e-9);
    assert!((l.aged_addon_unmarried - 2_255.0).abs() < 1e-9);
    assert!((l.ltcg_zero_top[s] - 54_395.0).abs() < 1e-9);
    // Statutory amounts stay put; the senior deduction has expired.
    assert_eq!(l.ss_base, base.ss_base);
    assert_eq!(l.niit_threshold, base.niit_threshold);
    assert_eq!(l.capital_loss_limit, base.capital_loss_limit);
    assert_eq!(l.senior_phaseout_start, base.senior_phaseout_start);
    assert_eq!(l.senior_amount, 0.0);
    assert_eq!(TaxLaw::<f64>::projected(2028, 1.05).senior_amount, 6000.0);
}

#[test]
fn law_2025_uses_the_2025_figures() {
    let l = TaxLaw::<Decimal>::y2025();
    assert!(!l.covers(Mfs) && l.covers(Single));
    assert!(TaxLaw::<Decimal>::published(2024).is_none());
    // 1,192.50 + 0.12 x (48,475 - 11,925).
    assert_eq!(ordinary_tax(&l, Single, dec!(48475)), dec!(5578.50));
    let t = compute(&l, Single, &person(70), LossCarry::none());
    assert_eq!(t.standard_deduction, dec!(17750)); // 15,750 + 2,000
    let t = compute(
        &l,
        Mfj,
        &YearIncome {
            wages: dec!(100000),
            spouse_age: Some(70),
            ..person(70)
        },
        LossCarry::none(),
    );
    assert_eq!(t.standard_deduction, dec!(34700)); // 31,500 + 2 x 1,600
    assert_eq!(t.senior_deduction, dec!(12000));
}

/// PSL Tax-Calculator (`pip install taxcalc`, version 6.8.0, current-law policy, 2026) on
/// these inputs: `Records` with FLPDYR=2026, MARS (1 single, 2 MFJ, 3 MFS, 4 HoH),
/// age_head/age_spouse, e00200 (wages), e00300 (interest), e00600/e00650 (ordinary/qualified
/// dividends), e01400 (taxable IRA distributions), p22250/p23250 (net short/long gains), e02400
/// (Social Security); outputs c00100 (AGI), c02500 (taxable SS), standard, senior_deduction,
/// c04800 (taxable income), taxbc (regular tax), niit, iitax (income tax including NIIT; no
/// credits apply to these households).
struct Golden {
    name: &'static str,
    status: FilingStatus,
    ages: (u32, Option<u32>),
    // wages, interest, ordinary dividends, qualified dividends, IRA, ST, LT, Social Security
    input: [i64; 8],
    // agi, taxable SS, standard, senior, taxable income, regular tax, NIIT, total
    out: [Decimal; 8],
}

#[rustfmt::skip]
const GOLDEN: [Golden; 14] = [
    Golden { name: "single_70_ira_ss", status: Single, ages: (70, None), input: [0, 2000, 3000, 2500, 40000, 0, 5000, 30000], out: [dec!(75500), dec!(25500), dec!(18150), dec!(5970), dec!(51380), dec!(5307.10), dec!(0), dec!(5307.10)] },
    Golden { name: "single_66_senior_phase", status: Single, ages: (66, None), input: [0, 5000, 10000, 8000, 90000, 0, 20000, 36000], out: [dec!(155600), dec!(30600), dec!(18150), dec!(1164), dec!(136286), dec!(22786.64), dec!(0), dec!(22786.64)] },
    Golden { name: "single_45_wages", status: Single, ages: (45, None), input: [85000, 500, 1200, 1000, 0, 0, 0, 0], out: [dec!(86700), dec!(0), dec!(16100), dec!(0), dec!(70600), dec!(10174), dec!(0), dec!(10174)] },
    Golden { name: "single_40_high_niit", status: Single, ages: (40, None), input: [250000, 20000, 30000, 25000, 0, 5000, 60000, 0], out: [dec!(365000), dec!(0), dec!(16100), dec!(0), dec!(348900), dec!(73884.25), dec!(4370), dec!(78254.25)] },
    Golden { name: "mfj_both_67", status: Mfj, ages: (67, Some(68)), input: [0, 4000, 12000, 10000, 60000, 0, 15000, 48000], out: [dec!(131800), dec!(40800), dec!(35500), dec!(12000), dec!(84300), dec!(6620), dec!(0), dec!(6620)] },
    Golden { name: "mfj_70_64", status: Mfj, ages: (70, Some(64)), input: [40000, 1000, 2000, 1500, 30000, 0, 8000, 28000], out: [dec!(104800), dec!(23800), dec!(33850), dec!(6000), dec!(64950), dec!(6158), dec!(0), dec!(6158)] },
    Golden { name: "mfj_straddle_0_15", status: Mfj, ages: (60, Some(58)), input: [90000, 0, 10000, 10000, 0, 0, 40000, 0], out: [dec!(140000), dec!(0), dec!(32200), dec!(0), dec!(107800), dec!(7775), dec!(0), dec!(7775)] },
    Golden { name: "mfj_high_both_seniors", status: Mfj, ages: (72, Some(71)), input: [0, 30000, 60000, 50000, 200000, 0, 150000, 80000], out: [dec!(508000), dec!(68000), dec!(35500), dec!(0), dec!(472500), dec!(80596), dec!(9120), dec!(89716)] },
    Golden { name: "hoh_50", status: Hoh, ages: (50, None), input: [70000, 300, 800, 600, 0, 1000, 2000, 0], out: [dec!(74100), dec!(0), dec!(24150), dec!(0), dec!(49950), dec!(5328), dec!(0), dec!(5328)] },
    Golden { name: "hoh_66", status: Hoh, ages: (66, None), input: [0, 2000, 5000, 4000, 50000, 0, 10000, 25000], out: [dec!(88250), dec!(21250), dec!(26200), dec!(5205), dec!(56845), dec!(4787.40), dec!(0), dec!(4787.40)] },
    Golden { name: "mfs_66", status: Mfs, ages: (66, None), input: [0, 1000, 2000, 1000, 50000, 0, 5000, 20000], out: [dec!(75000), dec!(17000), dec!(17750), dec!(0), dec!(57250), dec!(6887), dec!(0), dec!(6887)] },
    Golden { name: "single_loss", status: Single, ages: (68, None), input: [0, 1000, 0, 0, 45000, -2000, -10000, 20000], out: [dec!(60000), dec!(17000), dec!(18150), dec!(6000), dec!(35850), dec!(4054), dec!(0), dec!(4054)] },
    Golden { name: "single_ss_tier1", status: Single, ages: (67, None), input: [0, 0, 0, 0, 20000, 0, 0, 24000], out: [dec!(23500), dec!(3500), dec!(18150), dec!(6000), dec!(0), dec!(0), dec!(0), dec!(0)] },
    Golden { name: "mfj_torpedo", status: Mfj, ages: (68, Some(66)), input: [0, 0, 0, 0, 60000, 0, 0, 40000], out: [dec!(94000), dec!(34000), dec!(35500), dec!(12000), dec!(46500), dec!(5084), dec!(0), dec!(5084)] },
];

fn golden_income(g: &Golden) -> YearIncome<Decimal> {
    let d = |i: usize| Decimal::from(g.input[i]);
    YearIncome {
        wages: d(0),
        taxable_interest: d(1),
        ordinary_dividends: d(2),
        qualified_dividends: d(3),
        ira_distributions: d(4),
        short_term_gains: d(5),
        long_term_gains: d(6),
        social_security: d(7),
        age: g.ages.0,
        spouse_age: g.ages.1,
        ..YearIncome::default()
    }
}

#[test]
fn agrees_with_taxcalc_6_8_0_on_fourteen_2026_households() {
    for g in &GOLDEN {
        let t = tax(g.status, golden_income(g)).to_cents();
        let got = [
            t.agi,
            t.taxable_social_security,
            t.standard_deduction,
            t.senior_deduction,
            t.taxable_income,
            t.regular_tax,
            t.niit,
            t.federal_tax,
        ];
        assert_eq!(got, g.out, "{}", g.name);
    }
}

#[test]
fn f64_and_decimal_agree_to_the_cent() {
    let mut cases: Vec<(FilingStatus, YearIncome<Decimal>, LossCarry<Decimal>)> = GOLDEN
        .iter()
        .map(|g| (g.status, golden_income(g), LossCarry::none()))
        .collect();
    // Odd cents, carry-ins, penalties and every status over a spread of IRA amounts.
    for (k, status) in FilingStatus::ALL.into_iter().enumerate() {
        for step in 0..40 {
            let ira = Decimal::from(step * 17_351) + dec!(0.37);
            cases.push((
                status,
                YearIncome {
                    wages: Decimal::from(k as i64 * 9_999) + dec!(0.01),
                    taxable_interest: dec!(1234.56),
                    ordinary_dividends: dec!(7777.77),
                    qualified_dividends: dec!(5555.55),
                    ira_distributions: ira,
                    early_distributions: ira / dec!(4),
                    short_term_gains: Decimal::from(step % 7 - 3) * dec!(1111.11),
                    long_term_gains: Decimal::from(step % 5 - 2) * dec!(12345.67),
                    social_security: Decimal::from(step % 3) * dec!(18000.5),
                    age: 60 + (step % 10) as u32,
                    spouse_age: Some(58 + (step % 13) as u32),
                },
                LossCarry {
                    short: Decimal::from(step % 4) * dec!(500.25),
                    long: Decimal::from(step % 6) * dec!(2500.75),
                },
            ));
        }
    }
    let ld = law().with_state_rate(dec!(0.0495));
    let lf = TaxLaw::<f64>::y2026().with_state_rate(0.0495);
    for (status, inc, carry) in &cases {
        let d = compute(&ld, *status, inc, *carry);
        let fc = LossCarry {
            short: carry.short.to_f64(),
            long: carry.long.to_f64(),
        };
        let f = compute(&lf, *status, &to_f64(inc), fc);
        let pairs = [
            (d.agi, f.agi),
            (d.taxable_social_security, f.taxable_social_security),
            (d.standard_deduction, f.standard_deduction),
            (d.senior_deduction, f.senior_deduction),
            (d.taxable_income, f.taxable_income),
            (d.ordinary_tax, f.ordinary_tax),
            (d.capital_gains_tax, f.capital_gains_tax),
            (d.regular_tax, f.regular_tax),
            (d.niit, f.niit),
            (d.penalty, f.penalty),
            (d.state_tax, f.state_tax),
            (d.total_tax, f.total_tax),
            (d.capital_loss_deduction, f.capital_loss_deduction),
            (d.carry_out.short, f.carry_out.short),
            (d.carry_out.long, f.carry_out.long),
            (d.bracket_rate, f.bracket_rate),
        ];
        for (i, (x, y)) in pairs.iter().enumerate() {
            assert!(
                (x.to_f64() - y).abs() < 0.005,
                "{status:?} field {i}: {x} vs {y} for {inc:?}"
            );
        }
    }
}

#[test]
fn marginal_rate_sees_the_social_security_torpedo() {
    // Single, 85% tier of Social Security and 12% bracket: each IRA dollar adds 1.85 dollars
    // of taxable income, 0.12 x 1.85 = 22.2%.
    let i = YearIncome {
        ira_distributions: dec!(30000),
        social_security: dec!(30000),
        ..person(60)
    };
    let t = tax(Single, i);
    assert_eq!(t.bracket_rate, dec!(0.12));
    assert_eq!(
        marginal_rate(&law(), Single, &i, LossCarry::none(), dec!(100)),
        dec!(0.222)
    );
}

#[test]
fn simulation_types_are_copy_so_the_f64_path_cannot_own_heap_memory() {
    fn copy<T: Copy>() {}
    copy::<TaxLaw<f64>>();
    copy::<YearIncome<f64>>();
    copy::<TaxBreakdown<f64>>();
    copy::<LossCarry<f64>>();
}
