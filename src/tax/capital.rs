//! Capital gain and loss netting (Schedule D), the yearly loss limit (IRC §1211(b)) and the
//! carry-forward that keeps its short- or long-term character (IRC §1212(b); Schedule D
//! instructions, Capital Loss Carryover Worksheet).

use super::amount::Amount;
use super::filing::FilingStatus;
use super::law::TaxLaw;

/// Capital losses carried from one year into the next, as positive amounts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LossCarry<M> {
    /// Short-term loss carried forward.
    pub short: M,
    /// Long-term loss carried forward.
    pub long: M,
}

impl<M: Amount> LossCarry<M> {
    /// No carry-forward.
    pub fn none() -> Self {
        LossCarry {
            short: M::ZERO,
            long: M::ZERO,
        }
    }
}

/// A year's gains and losses after netting.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Netting<M> {
    /// Net short-term gain (negative: loss), carry-in included (Schedule D line 7).
    pub short: M,
    /// Net long-term gain (negative: loss), carry-in included (line 15).
    pub long: M,
    /// What goes into income: the net gain, or minus the deductible loss (Form 1040 line 7).
    pub included: M,
    /// The net loss deducted this year, as a positive amount (at most the limit).
    pub loss_deduction: M,
    /// Net capital gain eligible for the 0/15/20% rates: `max(0, min(long, short + long))`.
    pub preferential: M,
}

/// Nets this year's short- and long-term gains with the losses carried in.
pub fn net<M: Amount>(
    law: &TaxLaw<M>,
    status: FilingStatus,
    short_term: M,
    long_term: M,
    carry_in: LossCarry<M>,
) -> Netting<M> {
    let short = short_term - carry_in.short.max(M::ZERO);
    let long = long_term - carry_in.long.max(M::ZERO);
    let total = short + long;
    let loss_deduction = if total < M::ZERO {
        (M::ZERO - total).min(law.capital_loss_limit[status.index()])
    } else {
        M::ZERO
    };
    Netting {
        short,
        long,
        included: total.max(M::ZERO - loss_deduction),
        loss_deduction,
        preferential: long.min(total).max(M::ZERO),
    }
}

/// The loss carried to next year (Capital Loss Carryover Worksheet, lines 1–13).
///
/// `taxable_income` is this year's taxable income *before* flooring at zero (worksheet line
/// 1): when deductions exceed income, part of the deducted loss did no work and carries on
/// (§1212(b)(2)). The allowance absorbs net short-term loss first.
pub fn carry_forward<M: Amount>(n: &Netting<M>, taxable_income: M) -> LossCarry<M> {
    if n.short + n.long >= M::ZERO {
        return LossCarry::none();
    }
    let line2 = n.loss_deduction;
    let line3 = (taxable_income + line2).max(M::ZERO);
    let line4 = line2.min(line3);
    let line5 = (M::ZERO - n.short).max(M::ZERO);
    let line6 = n.long.max(M::ZERO);
    let short = (line5 - (line4 + line6)).max(M::ZERO);
    let line9 = (M::ZERO - n.long).max(M::ZERO);
    let line10 = n.short.max(M::ZERO);
    let line11 = (line4 - line5).max(M::ZERO);
    let long = (line9 - (line10 + line11)).max(M::ZERO);
    LossCarry { short, long }
}
