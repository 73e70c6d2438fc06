/// A monotonically increasing count owned by one worker.
///
/// Updated through `&mut self` with a plain integer add: no atomics, no locks. The count
/// wraps at `u64::MAX`, which Prometheus' `rate()` treats like a restart.
///
/// ```
/// use actorscope::stats::Counter;
///
/// let mut hits = Counter::new();
/// hits.inc();
/// hits.add(2);
/// assert_eq!(hits.get(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counter {
    value: u64,
}

impl Counter {
    /// A counter at zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { value: 0 }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&mut self) {
        self.value = self.value.wrapping_add(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&mut self, n: u64) {
        self.value = self.value.wrapping_add(n);
    }

    /// The count so far.
    #[inline]
    #[must_use]
    pub fn get(&self) -> u64 {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_counts_every_increment() {
        let mut counter = Counter::new();
        for _ in 0..1000 {
            counter.inc();
        }
        counter.add(24);
        assert_eq!(counter.get(), 1024);
    }

    #[test]
    fn counter_wraps_instead_of_panicking() {
        let mut counter = Counter::new();
        counter.add(u64::MAX);
        counter.inc();
        assert_eq!(counter.get(), 0);
    }
}
