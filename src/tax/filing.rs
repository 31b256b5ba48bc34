//! Filing status (IRC §1(a)–(d), §2).

use serde::{Deserialize, Serialize};

/// Federal filing status. It picks the bracket table, the standard deduction and every
/// status-dependent threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilingStatus {
    Single,
    /// Married filing jointly. A planner's holdings file may say `qss` for a qualifying
    /// surviving spouse: the lot planner needs only brackets and the standard deduction,
    /// which are the joint ones (IRC §1(a), §63(c)(2)(B)). The full year's tax would not be
    /// right that way: a surviving spouse's Social Security base amounts (IRC §86(c)) and
    /// senior-deduction phase-out are the single ones.
    #[serde(alias = "qss")]
    Mfj,
    /// Married filing separately.
    Mfs,
    /// Head of household.
    Hoh,
}

impl FilingStatus {
    /// Every status, in the order the tables in [`super::law`] list them.
    pub const ALL: [FilingStatus; 4] = [
        FilingStatus::Single,
        FilingStatus::Mfj,
        FilingStatus::Hoh,
        FilingStatus::Mfs,
    ];

    /// Index into the per-status tables of [`super::TaxLaw`].
    pub fn index(self) -> usize {
        match self {
            FilingStatus::Single => 0,
            FilingStatus::Mfj => 1,
            FilingStatus::Hoh => 2,
            FilingStatus::Mfs => 3,
        }
    }

    /// Whether the return is a married one (joint or separate): married filers get the
    /// smaller additional 65+ standard deduction (IRC §63(f)(1), (3)).
    pub fn is_married(self) -> bool {
        matches!(self, FilingStatus::Mfj | FilingStatus::Mfs)
    }

    /// The short name users type: `single`, `mfj`, `hoh`, `mfs`.
    pub fn short_name(self) -> &'static str {
        match self {
            FilingStatus::Single => "single",
            FilingStatus::Mfj => "mfj",
            FilingStatus::Hoh => "hoh",
            FilingStatus::Mfs => "mfs",
        }
    }

    /// The long name, for messages and tables.
    pub fn name(self) -> &'static str {
        match self {
            FilingStatus::Single => "single",
            FilingStatus::Mfj => "married filing jointly",
            FilingStatus::Mfs => "married filing separately",
            FilingStatus::Hoh => "head of household",
        }
    }
}
