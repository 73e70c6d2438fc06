//! Native (sparse exponential) histogram buckets, as Prometheus defines them.
//!
//! At schema `s` the bucket of index `i` holds the values in `(2^((i-1)/2^s), 2^(i/2^s)]`
//! (negated for negative values); values within the zero threshold of zero are counted
//! apart. The bucket of a value is found from its float exponent and mantissa, as
//! client_golang's `histogram.go` does, so both put every value in the same bucket.

use std::sync::OnceLock;

use super::InvalidBuckets;

/// The finest schema Prometheus accepts (factor 2^(1/256)).
pub const MAX_SCHEMA: i8 = 8;
/// The coarsest schema (factor 2^16).
pub const MIN_SCHEMA: i8 = -4;

/// How a native histogram buckets values: its schema, zero threshold and the most
/// buckets it keeps. Defaults as client_golang's: schema 3 (each bucket 2^(1/8) ≈ 1.09
/// times the one before), zero threshold 2^-128, and at most 160 buckets.
///
/// ```
/// use actorscope::stats::NativeConfig;
///
/// let config = NativeConfig::default();
/// assert_eq!((config.schema(), config.max_buckets()), (3, 160));
/// let coarse = NativeConfig::new(0, 0.0, 40).unwrap();
/// assert_eq!(coarse.schema(), 0);
/// assert!(NativeConfig::new(9, 0.0, 40).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NativeConfig {
    schema: i8,
    zero_threshold: f64,
    max_buckets: u16,
}

/// client_golang's `DefNativeHistogramZeroThreshold`: 2^-128.
const DEFAULT_ZERO_THRESHOLD: f64 = 2.938_735_877_055_719e-39;

impl Default for NativeConfig {
    fn default() -> Self {
        Self {
            schema: 3,
            zero_threshold: DEFAULT_ZERO_THRESHOLD,
            max_buckets: 160,
        }
    }
}

impl NativeConfig {
    /// A configuration: `schema` from -4 to 8, a finite `zero_threshold` ≥ 0, and the
    /// most buckets to keep (at least 2). When an observation would need more, pairs of
    /// buckets are merged and the schema goes down by one (client_golang's
    /// `NativeHistogramMaxBucketNumber`); the count here is the span from the lowest to
    /// the highest bucket of each sign, so it also bounds the memory a histogram takes.
    ///
    /// # Errors
    /// [`InvalidBuckets::BadParameters`] naming the parameter out of range.
    pub fn new(schema: i8, zero_threshold: f64, max_buckets: u16) -> Result<Self, InvalidBuckets> {
        let bad = |reason| Err(InvalidBuckets::BadParameters { reason });
        if !(MIN_SCHEMA..=MAX_SCHEMA).contains(&schema) {
            return bad("a native histogram's schema must be from -4 to 8");
        }
        if !zero_threshold.is_finite() || zero_threshold < 0.0 {
            return bad("a native histogram's zero threshold must be finite and >= 0");
        }
        if max_buckets < 2 {
            return bad("a native histogram needs max_buckets >= 2");
        }
        Ok(Self {
            schema,
            zero_threshold,
            max_buckets,
        })
    }

    /// The schema new histograms start at.
    #[must_use]
    pub fn schema(&self) -> i8 {
        self.schema
    }

    /// Values whose magnitude is at most this count in the zero bucket.
    #[must_use]
    pub fn zero_threshold(&self) -> f64 {
        self.zero_threshold
    }

    /// The most buckets kept before the resolution is reduced.
    #[must_use]
    pub fn max_buckets(&self) -> u16 {
        self.max_buckets
    }
}

/// Consecutive buckets of one sign: `counts[k]` is the count of bucket `offset + k`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Window {
    offset: i32,
    counts: Vec<u64>,
}

impl Window {
    fn width_with(&self, key: i32) -> usize {
        if self.counts.is_empty() {
            return 1;
        }
        let end = self.offset + self.len();
        let (low, high) = (self.offset.min(key), end.max(key + 1));
        usize::try_from(high - low).unwrap_or(usize::MAX)
    }

    fn len(&self) -> i32 {
        i32::try_from(self.counts.len()).unwrap_or(i32::MAX)
    }

    /// The count of bucket `key`, if the window holds it.
    #[inline]
    fn slot(&mut self, key: i32) -> Option<&mut u64> {
        let position = usize::try_from(key.checked_sub(self.offset)?).ok()?;
        self.counts.get_mut(position)
    }

    /// Counts one in bucket `key`, widening the window first if it must.
    fn add(&mut self, key: i32) {
        self.grow_to_hold(key);
        if let Some(count) = self.slot(key) {
            *count += 1;
        }
    }

    /// Widens the window to hold `key` (warm-up only: the window never shrinks).
    #[cold]
    fn grow_to(&mut self, key: i32) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(0);
        } else if key < self.offset {
            let more = usize::try_from(self.offset - key).unwrap_or(0);
            self.counts.splice(0..0, std::iter::repeat_n(0, more));
            self.offset = key;
        } else {
            let len = usize::try_from(key - self.offset + 1).unwrap_or(0);
            self.counts.resize(len, 0);
        }
    }

    fn grow_to_hold(&mut self, key: i32) {
        if self.slot(key).is_none() {
            self.grow_to(key);
        }
    }

    /// Halves the resolution: bucket `i` becomes bucket `ceil(i / 2)`.
    fn halve(&mut self) {
        if self.counts.is_empty() {
            return;
        }
        let new_offset = (self.offset + 1) >> 1;
        let mut merged: Vec<u64> = Vec::with_capacity(self.counts.len() / 2 + 1);
        for (k, count) in self.counts.iter().enumerate() {
            let key = self.offset + i32::try_from(k).unwrap_or(i32::MAX);
            let slot = usize::try_from(((key + 1) >> 1) - new_offset).unwrap_or(0);
            if merged.len() <= slot {
                merged.resize(slot + 1, 0);
            }
            merged[slot] += count;
        }
        self.offset = new_offset;
        self.counts = merged;
    }
}

/// The mantissa boundaries of the buckets within one power of two, for schemas 1 to 8:
/// `2^(j/2^s - 1)` for `j` in `0..2^s`, in `[0.5, 1)` like `frexp`'s fraction.
fn mantissa_bounds(schema: i8) -> &'static [f64] {
    static TABLES: OnceLock<Vec<Vec<f64>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        (0..=MAX_SCHEMA)
            .map(|schema| {
                let per_octave = 1u32 << schema;
                (0..per_octave)
                    .map(|j| (f64::from(j) / f64::from(per_octave) - 1.0).exp2())
                    .collect()
            })
            .collect()
    });
    usize::try_from(schema)
        .ok()
        .and_then(|schema| tables.get(schema))
        .map_or(&[], Vec::as_slice)
}

/// `frexp`: `value = fraction * 2^exponent` with the fraction in `[0.5, 1)`, for a
/// positive finite value.
fn frexp(value: f64) -> (f64, i32) {
    const EXPONENT_MASK: u64 = 0x7ff << 52;
    let bits = value.to_bits();
    let biased = i32::try_from((bits & EXPONENT_MASK) >> 52).unwrap_or(0);
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        let (fraction, exponent) = frexp(value * 2f64.powi(64));
        return (fraction, exponent - 64);
    }
    let fraction = f64::from_bits((bits & !EXPONENT_MASK) | (1022 << 52));
    (fraction, biased - 1022)
}

/// The index of the bucket that holds the positive finite `value` at `schema`.
#[inline]
pub(crate) fn bucket_key(value: f64, schema: i8, bounds: &[f64]) -> i32 {
    let (fraction, exponent) = frexp(value);
    if schema > 0 {
        // Up to schema 5 (32 bounds) counting the bounds below beats a binary search, as
        // for classic buckets: no branch to mispredict, and the comparisons vectorize.
        let below = if bounds.len() <= 32 {
            bounds
                .iter()
                .map(|bound| usize::from(*bound < fraction))
                .sum()
        } else {
            bounds.partition_point(|bound| *bound < fraction)
        };
        let within = i32::try_from(below).unwrap_or(0);
        within + (exponent - 1) * (1 << schema)
    } else {
        // An exact power of two belongs to the bucket below (upper bounds are inclusive).
        let key = exponent - i32::from(fraction == 0.5);
        let shift = -i32::from(schema);
        (key + (1 << shift) - 1) >> shift
    }
}

/// The upper bound of bucket `key` at `schema`: `2^(key / 2^schema)`.
#[must_use]
pub fn bucket_upper_bound(schema: i8, key: i32) -> f64 {
    (f64::from(key) * (-f64::from(schema)).exp2()).exp2()
}

/// Native histogram buckets owned by one worker: the zero bucket and a window of
/// buckets per sign, kept dense so an observation is an index and an add. The windows
/// grow while a workload warms up and never shrink; when both together would pass the
/// configured bucket count, the resolution is halved (the schema goes down by one).
/// NaN and infinite values are not bucketed (the histogram's count and sum still have
/// them, as client_golang's do).
#[derive(Debug, Clone, PartialEq)]
pub struct NativeBuckets {
    schema: i8,
    zero_threshold: f64,
    max_buckets: u16,
    zero_count: u64,
    positive: Window,
    negative: Window,
    bounds: &'static [f64],
}

impl NativeBuckets {
    /// Empty buckets configured by `config`.
    #[must_use]
    pub fn new(config: NativeConfig) -> Self {
        Self {
            schema: config.schema,
            zero_threshold: config.zero_threshold,
            max_buckets: config.max_buckets,
            zero_count: 0,
            positive: Window::default(),
            negative: Window::default(),
            bounds: mantissa_bounds(config.schema),
        }
    }

    /// Counts one observation in its bucket.
    #[inline]
    pub fn observe(&mut self, value: f64) {
        let magnitude = value.abs();
        if !magnitude.is_finite() {
            return;
        }
        if magnitude <= self.zero_threshold {
            self.zero_count += 1;
            return;
        }
        let key = bucket_key(magnitude, self.schema, self.bounds);
        let window = self.window(value);
        if let Some(count) = window.slot(key) {
            *count += 1;
            return;
        }
        self.add_outside(value, magnitude, key);
    }

    fn window(&mut self, value: f64) -> &mut Window {
        if value > 0.0 {
            &mut self.positive
        } else {
            &mut self.negative
        }
    }

    /// Adds a value outside its window, halving the resolution first while the windows
    /// would hold more than the configured count.
    #[cold]
    fn add_outside(&mut self, value: f64, magnitude: f64, mut key: i32) {
        loop {
            let (grown, other) = if value > 0.0 {
                (&self.positive, &self.negative)
            } else {
                (&self.negative, &self.positive)
            };
            let total = grown.width_with(key) + other.counts.len();
            if total <= usize::from(self.max_buckets) || self.schema == MIN_SCHEMA {
                break;
            }
            self.positive.halve();
            self.negative.halve();
            self.schema -= 1;
            self.bounds = mantissa_bounds(self.schema);
            key = bucket_key(magnitude, self.schema, self.bounds);
        }
        self.window(value).add(key);
    }

    /// The current schema (lower than configured once the resolution was reduced).
    #[must_use]
    pub fn schema(&self) -> i8 {
        self.schema
    }

    /// The zero bucket's half-width.
    #[must_use]
    pub fn zero_threshold(&self) -> f64 {
        self.zero_threshold
    }

    /// Observations in the zero bucket.
    #[must_use]
    pub fn zero_count(&self) -> u64 {
        self.zero_count
    }

    /// The index of the first positive bucket and the counts from there on (not
    /// cumulative).
    #[must_use]
    pub fn positive(&self) -> (i32, &[u64]) {
        (self.positive.offset, &self.positive.counts)
    }

    /// The same for negative values: bucket `i` holds `[-2^(i/2^s), -2^((i-1)/2^s))`.
    #[must_use]
    pub fn negative(&self) -> (i32, &[u64]) {
        (self.negative.offset, &self.negative.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucket a value falls in, found the slow way: the smallest `i` whose upper
    /// bound is at least the value.
    fn slow_key(value: f64, schema: i8) -> i32 {
        let mut key = (value.log2() * f64::from(schema).exp2()).floor() as i32 - 2;
        while bucket_upper_bound(schema, key) < value {
            key += 1;
        }
        key
    }

    #[test]
    fn keys_agree_with_the_bucket_definition() {
        for schema in MIN_SCHEMA..=MAX_SCHEMA {
            let bounds = mantissa_bounds(schema);
            for value in [1e-300, 0.001, 0.3, 0.5, 1.0, 1.09, 2.0, 3.0, 1000.0, 1e300] {
                assert_eq!(
                    bucket_key(value, schema, bounds),
                    slow_key(value, schema),
                    "value {value} schema {schema}"
                );
            }
        }
    }

    #[test]
    fn powers_of_two_are_upper_bounds() {
        // (0.5, 1] is bucket 0 and (1, 2] is bucket 2^schema, at any schema above 0.
        let bounds = mantissa_bounds(3);
        assert_eq!(bucket_key(1.0, 3, bounds), 0);
        assert_eq!(bucket_key(2.0, 3, bounds), 8);
        assert_eq!(bucket_key(2.0 + 1e-12, 3, bounds), 9);
        assert_eq!(bucket_key(4.0, 0, &[]), 2);
        assert_eq!(bucket_key(4.0, -1, &[]), 1);
        assert_eq!(bucket_key(5.0, -1, &[]), 2);
    }

    #[test]
    fn observations_land_by_sign_and_zero() {
        let mut native = NativeBuckets::new(NativeConfig::new(0, 0.01, 10).unwrap());
        for value in [0.005, -0.005, 0.0, 3.0, 3.5, -3.0, f64::NAN, f64::INFINITY] {
            native.observe(value);
        }
        assert_eq!(native.zero_count(), 3);
        assert_eq!(native.positive(), (2, &[2][..]));
        assert_eq!(native.negative(), (2, &[1][..]));
    }

    #[test]
    fn too_many_buckets_halve_the_resolution() {
        let mut native = NativeBuckets::new(NativeConfig::new(3, 0.0, 8).unwrap());
        let values = [1.0, 1.1, 1.2, 1.5, 2.0, 3.0, 4.0, 7.0, 9.0];
        for value in values {
            native.observe(value);
        }
        assert!(native.schema() < 3);
        let (offset, counts) = native.positive();
        assert!(counts.len() <= 8);
        assert_eq!(counts.iter().sum::<u64>(), values.len() as u64);
        // Every value is still in the bucket its own key names at the final schema.
        let bounds = mantissa_bounds(native.schema());
        for value in values {
            let key = bucket_key(value, native.schema(), bounds);
            let position = usize::try_from(key - offset).unwrap();
            assert!(counts[position] > 0, "{value}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Arbitrary observations at any schema and bucket limit: the windows stay within
        /// the limit (or at the coarsest schema), count every finite value outside the
        /// zero bucket once, and each such value lies in a bucket that holds it.
        #[test]
        fn every_observation_lands_in_a_bucket_that_holds_it(
            schema in -4i8..=8,
            max_buckets in 2u16..200,
            zero_threshold in proptest::prop_oneof![proptest::strategy::Just(0.0), 1e-9f64..1e-3],
            values in proptest::collection::vec(
                proptest::prop_oneof![-1e6f64..1e6, -1.0f64..1.0, proptest::strategy::Just(0.0), proptest::arbitrary::any::<f64>()],
                0..200,
            ),
        ) {
            let mut native = NativeBuckets::new(NativeConfig::new(schema, zero_threshold, max_buckets).unwrap());
            for value in &values {
                native.observe(*value);
            }
            let (positive, negative) = (native.positive(), native.negative());
            proptest::prop_assert!(
                positive.1.len() + negative.1.len() <= usize::from(max_buckets) || native.schema() == MIN_SCHEMA
            );
            let bucketed = values.iter().filter(|v| v.is_finite() && v.abs() > zero_threshold);
            let total: u64 = positive.1.iter().chain(negative.1).sum();
            proptest::prop_assert_eq!(total, bucketed.clone().count() as u64);
            for value in bucketed {
                let (offset, counts) = if *value > 0.0 { positive } else { negative };
                let key = bucket_key(value.abs(), native.schema(), mantissa_bounds(native.schema()));
                let position = usize::try_from(key - offset).ok();
                proptest::prop_assert!(position.and_then(|p| counts.get(p)).is_some_and(|c| *c > 0));
                let (low, high) = (bucket_upper_bound(native.schema(), key - 1), bucket_upper_bound(native.schema(), key));
                let slack = 1.0 + 1e-12;
                proptest::prop_assert!(low < value.abs() * slack && value.abs() <= high * slack, "{} not in ({}, {}]", value, low, high);
            }
        }
    }
}
