//! Which vector instructions the hot loops are compiled for, chosen at run time.
//!
//! The lockstep kernel and the histogram's bulk insert are written once, as plain loops over
//! arrays, and compiled several times: for the x86-64 baseline (SSE2), for AVX2 (4 `f64` per
//! instruction) and for AVX-512 (8). Rust never fuses a multiply and an add unless told to,
//! and these loops use neither `mul_add` nor anything whose result depends on the vector
//! width, so every copy gives the same bits; only the speed differs. The tests run every copy
//! the processor has and compare them.

/// An instruction set a hot loop has a copy for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InstructionSet {
    /// Whatever the target is compiled for (on x86-64, SSE2).
    Baseline,
    /// x86-64 with AVX2.
    Avx2,
    /// x86-64 with AVX-512F.
    Avx512,
}

impl InstructionSet {
    /// The widest set this processor runs. (The standard library caches the detection, so
    /// this is cheap to call per batch.)
    pub(crate) fn widest() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                return Self::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Baseline
    }

    /// Every set this processor runs, narrowest first.
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let widest = Self::widest();
        [Self::Baseline, Self::Avx2, Self::Avx512]
            .into_iter()
            .filter(|&set| set.width() <= widest.width())
            .collect()
    }

    #[cfg(test)]
    fn width(self) -> u32 {
        match self {
            Self::Baseline => 2,
            Self::Avx2 => 4,
            Self::Avx512 => 8,
        }
    }
}

/// Evaluates `$body` compiled for the instruction set `$set`. The arguments are named twice
/// on purpose: `|x: T, ...|` declares them for the three compiled copies, and the variables
/// of the same names at the call site are passed in. `$body` should call an
/// `#[inline(always)]` function, so that each copy inlines it with its own instructions.
macro_rules! with_instruction_set {
    ($set:expr, |$($arg:ident : $ty:ty),*| $body:expr) => {{
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        fn avx512($($arg: $ty),*) {
            $body
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn avx2($($arg: $ty),*) {
            $body
        }
        fn baseline($($arg: $ty),*) {
            $body
        }
        match $set {
            // SAFETY: the set came from `InstructionSet::widest` (or, in tests, from
            // `available`), so the processor has it.
            #[cfg(target_arch = "x86_64")]
            $crate::simd::InstructionSet::Avx512 => unsafe { avx512($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            $crate::simd::InstructionSet::Avx2 => unsafe { avx2($($arg),*) },
            _ => baseline($($arg),*),
        }
    }};
}
pub(crate) use with_instruction_set;
