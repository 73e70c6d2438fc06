use super::{Buckets, Exemplar, NativeBuckets, NativeConfig, ObservedExemplar};

/// Observations counted into fixed buckets, plus their sum, owned by one worker.
///
/// The bounds are chosen at construction; `observe` counts the bounds below the value
/// (a binary search above 32 bounds), then does an integer add and a float add, through
/// `&mut self`. Counts are kept per bucket (not
/// cumulative); the cold path makes them cumulative when it builds a snapshot.
/// NaN observations are ignored: they have no bucket and would poison the sum.
///
/// A histogram may also keep the native (sparse exponential) form, as client_golang's
/// do ([`Self::with_native`]): the protobuf format carries it to Prometheus, while the
/// text formats still get the classic buckets. And it may keep, per classic bucket, the
/// latest [`Exemplar`] ([`Self::observe_with_exemplar`]).
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
    native: Option<Box<NativeBuckets>>,
    /// The latest exemplar per classic bucket; made at the first exemplar.
    exemplars: Option<Box<[Option<ObservedExemplar>]>>,
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
            native: None,
            exemplars: None,
        }
    }

    /// A native histogram without classic buckets (text formats see only `+Inf`).
    ///
    /// ```
    /// use actorscope::stats::{Histogram, NativeConfig};
    ///
    /// let mut latency = Histogram::native(NativeConfig::default());
    /// latency.observe(0.25);
    /// let native = latency.native_buckets().unwrap();
    /// assert_eq!(native.positive(), (-16, &[1][..])); // (2^(-17/8), 2^(-16/8)]
    /// ```
    #[must_use]
    pub fn native(config: NativeConfig) -> Self {
        Self::new(Buckets::none()).with_native(config)
    }

    /// With the native form kept beside the classic buckets.
    #[must_use]
    pub fn with_native(mut self, config: NativeConfig) -> Self {
        self.native = Some(Box::new(NativeBuckets::new(config)));
        self
    }

    /// Counts one observation.
    #[inline]
    pub fn observe(&mut self, value: f64) {
        self.observe_at(value);
    }

    /// Counts one observation and keeps `exemplar` as its bucket's latest. The first
    /// exemplar allocates one slot per bucket; later ones copy into place.
    ///
    /// ```
    /// use actorscope::stats::{Buckets, Exemplar, Histogram, TraceId};
    ///
    /// let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// let mut latency = Histogram::new(Buckets::new([0.1, 1.0]).unwrap());
    /// latency.observe_with_exemplar(0.5, Exemplar::new(trace));
    /// let kept = latency.exemplars()[1].unwrap();
    /// assert_eq!((kept.exemplar.trace_id(), kept.value), (trace, 0.5));
    /// ```
    pub fn observe_with_exemplar(&mut self, value: f64, exemplar: Exemplar) {
        let Some(index) = self.observe_at(value) else {
            return;
        };
        let buckets = self.counts.len();
        let slots = self
            .exemplars
            .get_or_insert_with(|| vec![None; buckets].into_boxed_slice());
        if let Some(slot) = slots.get_mut(index) {
            *slot = Some(ObservedExemplar { exemplar, value });
        }
    }

    /// Counts `value`; the classic bucket it fell in (`None` for NaN, which is ignored).
    #[inline]
    fn observe_at(&mut self, value: f64) -> Option<usize> {
        if value.is_nan() {
            return None;
        }
        let index = bucket_index(self.buckets.bounds(), value);
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
        self.sum += value;
        if let Some(native) = &mut self.native {
            native.observe(value);
        }
        Some(index)
    }

    /// The native form, if kept.
    #[must_use]
    pub fn native_buckets(&self) -> Option<&NativeBuckets> {
        self.native.as_deref()
    }

    /// The latest exemplar of each classic bucket (empty before the first exemplar).
    #[must_use]
    pub fn exemplars(&self) -> &[Option<ObservedExemplar>] {
        self.exemplars.as_deref().unwrap_or(&[])
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
