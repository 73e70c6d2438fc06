//! Zero-sized twins of the stats, compiled when the cargo feature `metrics` is off.
//! Every method does nothing and every reading is zero.

use super::{Buckets, Exemplar, NativeBuckets, NativeConfig, ObservedExemplar};

// Checked by every build without the `metrics` feature (CI runs one).
const _: () = assert!(std::mem::size_of::<Counter>() == 0);
const _: () = assert!(std::mem::size_of::<Gauge>() == 0);
const _: () = assert!(std::mem::size_of::<Histogram>() == 0);
const _: () = assert!(std::mem::size_of::<TracedCounter>() == 0);

/// Disabled [`Counter`](crate::stats::Counter): zero-sized, does nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counter;

impl Counter {
    /// A counter that counts nothing.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
    /// Does nothing.
    #[inline(always)]
    pub fn inc(&mut self) {}
    /// Does nothing.
    #[inline(always)]
    pub fn add(&mut self, _n: u64) {}
    /// Always 0.
    #[inline(always)]
    #[must_use]
    pub fn get(&self) -> u64 {
        0
    }
}

/// Disabled [`TracedCounter`](crate::stats::TracedCounter): zero-sized, does nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TracedCounter;

impl TracedCounter {
    /// A counter that counts nothing.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
    /// Does nothing.
    #[inline(always)]
    pub fn inc(&mut self) {}
    /// Does nothing.
    #[inline(always)]
    pub fn add(&mut self, _n: u64) {}
    /// Does nothing.
    #[inline(always)]
    pub fn inc_with_exemplar(&mut self, _exemplar: Exemplar) {}
    /// Does nothing.
    #[inline(always)]
    pub fn add_with_exemplar(&mut self, _n: u64, _exemplar: Exemplar) {}
    /// Always 0.
    #[inline(always)]
    #[must_use]
    pub fn get(&self) -> u64 {
        0
    }
    /// Always `None`.
    #[must_use]
    pub fn exemplar(&self) -> Option<ObservedExemplar> {
        None
    }
}

/// Disabled [`Gauge`](crate::stats::Gauge): zero-sized, does nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauge;

impl Gauge {
    /// A gauge that records nothing.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
    /// Does nothing.
    #[inline(always)]
    pub fn set(&mut self, _value: f64) {}
    /// Does nothing.
    #[inline(always)]
    pub fn add(&mut self, _delta: f64) {}
    /// Does nothing.
    #[inline(always)]
    pub fn sub(&mut self, _delta: f64) {}
    /// Does nothing.
    #[inline(always)]
    pub fn inc(&mut self) {}
    /// Does nothing.
    #[inline(always)]
    pub fn dec(&mut self) {}
    /// Always 0.
    #[inline(always)]
    #[must_use]
    pub fn get(&self) -> f64 {
        0.0
    }
}

/// Disabled [`Histogram`](crate::stats::Histogram): zero-sized, does nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram;

impl Histogram {
    /// A histogram that records nothing; `buckets` is dropped.
    #[must_use]
    pub fn new(_buckets: Buckets) -> Self {
        Self
    }
    /// A histogram that records nothing; `config` is dropped.
    #[must_use]
    pub fn native(_config: NativeConfig) -> Self {
        Self
    }
    /// Does nothing.
    #[must_use]
    pub fn with_native(self, _config: NativeConfig) -> Self {
        self
    }
    /// Does nothing.
    #[inline(always)]
    pub fn observe(&mut self, _value: f64) {}
    /// Does nothing.
    #[inline(always)]
    pub fn observe_with_exemplar(&mut self, _value: f64, _exemplar: Exemplar) {}
    /// Always `None`.
    #[must_use]
    pub fn native_buckets(&self) -> Option<&NativeBuckets> {
        None
    }
    /// Always empty.
    #[must_use]
    pub fn exemplars(&self) -> &[Option<ObservedExemplar>] {
        &[]
    }
    /// Always empty: only the `+Inf` bucket.
    #[must_use]
    pub fn bounds(&self) -> &[f64] {
        &[]
    }
    /// Always one empty `+Inf` bucket.
    #[must_use]
    pub fn bucket_counts(&self) -> &[u64] {
        &[0]
    }
    /// Always 0.
    #[must_use]
    pub fn sum(&self) -> f64 {
        0.0
    }
    /// Always 0.
    #[must_use]
    pub fn count(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_stats_are_zero_sized_and_read_zero() {
        assert_eq!(std::mem::size_of::<Counter>(), 0);
        assert_eq!(std::mem::size_of::<Gauge>(), 0);
        assert_eq!(std::mem::size_of::<Histogram>(), 0);
        let mut counter = Counter::new();
        counter.inc();
        assert_eq!(counter.get(), 0);
    }
}
