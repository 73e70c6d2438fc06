//! What a field of a [`worker_stats!`](crate::worker_stats) table can be: [`Stat`].

use super::Kind;
use crate::stats::{Counter, Gauge, Histogram, TracedCounter};

/// A hot-path stat the declaration table of [`worker_stats!`](crate::worker_stats) can
/// hold: a [`Counter`], [`Gauge`] or [`Histogram`] (one series), or an array of them (a
/// labelled group, one series per label value). The family's kind follows from it.
pub trait Stat {
    /// The kind of the family it is written to.
    type Kind: Kind;
    /// One stat of the group (the stat itself, for a single one).
    type Each;
    /// How many series it writes.
    const LEN: usize;

    /// The stats, one per series.
    fn each(&self) -> &[Self::Each];
}

macro_rules! single {
    ($($t:ty),*) => {$(
        impl Stat for $t {
            type Kind = $t;
            type Each = $t;
            const LEN: usize = 1;

            fn each(&self) -> &[$t] {
                std::slice::from_ref(self)
            }
        }
    )*};
}
single!(Counter, Gauge, Histogram);

/// A traced counter is written to a counter family.
impl Stat for TracedCounter {
    type Kind = Counter;
    type Each = TracedCounter;
    const LEN: usize = 1;

    fn each(&self) -> &[TracedCounter] {
        std::slice::from_ref(self)
    }
}

impl<T: Stat<Each = T>, const N: usize> Stat for [T; N] {
    type Kind = T::Kind;
    type Each = T;
    const LEN: usize = N;

    fn each(&self) -> &[T] {
        self
    }
}
