use super::Buckets;

/// Observations counted into fixed buckets, plus their sum, owned by one worker.
///
/// The bounds are chosen at construction; `observe` counts the bounds below the value
/// (a binary search above 32 bounds), then does an integer add and a float add, through
/// `&mut self`. Counts are kept per bucket (not
/// cumulative); the cold path makes them cumulative when it builds a snapshot.
/// NaN observations are ignored: they have no bucket and would poison the sum.
///
/// ```
/// use actorscope::stats::{Buckets, Histogram};
///
/// let mut latency = Histogram::new(Buckets::new([0.1, 1.0]).unwrap());
/// latency.observe(0.05);
/// latency.observe(0.5);
/// latency.observe(3.0);
/// assert_eq!(latency.bucket_counts(), &[1, 1, 1]); // <=0.1, <=1, +Inf
/// assert_eq!(latency.count(), 3);
/// assert_eq!(latency.sum(), 3.55);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    buckets: Buckets,
    counts: Box<[u64]>,
    sum: f64,
}

impl Histogram {
    /// An empty histogram over `buckets`.
    #[must_use]
    pub fn new(buckets: Buckets) -> Self {
        let counts = vec![0; buckets.bounds().len() + 1].into_boxed_slice();
        Self {
            buckets,
            counts,
            sum: 0.0,
        }
    }

    /// Counts one observation.
    #[inline]
    pub fn observe(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        let index = bucket_index(self.buckets.bounds(), value);
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
        self.sum += value;
    }

    /// The finite upper bounds (the `+Inf` bucket is implied).
    #[must_use]
    pub fn bounds(&self) -> &[f64] {
        self.buckets.bounds()
    }

    /// Observations per bucket, not cumulative; one more entry than [`Self::bounds`],
    /// the last being the `+Inf` bucket.
    #[must_use]
    pub fn bucket_counts(&self) -> &[u64] {
        &self.counts
    }

    /// The sum of all observations.
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// How many observations were counted.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

impl Default for Histogram {
    /// Prometheus' default buckets, in seconds: `.005 .01 .025 .05 .1 .25 .5 1 2.5 5 10`
    /// ([`Buckets::prometheus_default`]).
    fn default() -> Self {
        Self::new(Buckets::prometheus_default())
    }
}

/// Up to this many bounds, counting them beats a binary search: the comparisons have no
/// branches to mispredict and vectorize, while a binary search over spread-out values
/// mispredicts about half its branches.
const LINEAR_SCAN_LIMIT: usize = 32;

/// The index of the first bound `>= value` (the bucket `value` falls into).
#[inline]
fn bucket_index(bounds: &[f64], value: f64) -> usize {
    if bounds.len() <= LINEAR_SCAN_LIMIT {
        bounds.iter().map(|bound| usize::from(*bound < value)).sum()
    } else {
        bounds.partition_point(|bound| *bound < value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_on_a_bound_counts_in_that_bucket() {
        let mut histogram = Histogram::new(Buckets::new([1.0, 2.0]).unwrap());
        histogram.observe(1.0);
        histogram.observe(2.0);
        histogram.observe(2.000_001);
        histogram.observe(-5.0);
        assert_eq!(histogram.bucket_counts(), &[2, 1, 1]);
        assert_eq!(histogram.count(), 4);
    }

    #[test]
    fn nan_is_ignored_and_infinity_lands_in_the_last_bucket() {
        let mut histogram = Histogram::new(Buckets::default());
        histogram.observe(f64::NAN);
        histogram.observe(f64::INFINITY);
        assert_eq!(histogram.count(), 1);
        assert_eq!(histogram.bucket_counts().last(), Some(&1));
        assert_eq!(histogram.sum(), f64::INFINITY);
    }

    #[test]
    fn linear_count_and_binary_search_agree() {
        let small: Vec<f64> = (0..LINEAR_SCAN_LIMIT).map(|i| i as f64).collect();
        let large: Vec<f64> = (0..LINEAR_SCAN_LIMIT * 4).map(|i| i as f64 / 4.0).collect();
        for bounds in [&small, &large] {
            for step in -8..(bounds.len() as i32 * 4 + 8) {
                let value = f64::from(step) / 4.0;
                assert_eq!(
                    bucket_index(bounds, value),
                    bounds.partition_point(|bound| *bound < value),
                    "{value}"
                );
            }
        }
    }

    #[test]
    fn histogram_without_finite_bounds_has_one_bucket() {
        let mut histogram = Histogram::new(Buckets::new(Vec::new()).unwrap());
        histogram.observe(4.0);
        assert_eq!(histogram.bucket_counts(), &[1]);
    }
}
