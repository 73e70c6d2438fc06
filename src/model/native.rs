//! A native histogram's reading: schema, zero bucket and sparse exponential buckets.

use super::ModelError;
use crate::stats::{bucket_upper_bound, NativeBuckets, Window, MAX_SCHEMA, MIN_SCHEMA};

/// The native (sparse exponential) form of a histogram reading, as Prometheus defines
/// it: at schema `s`, positive bucket `i` holds `(2^((i-1)/2^s), 2^(i/2^s)]`, negative
/// bucket `i` the same range negated, and the zero bucket every value within
/// `zero_threshold` of zero. Counts are per bucket (not cumulative).
///
/// ```
/// use actorscope::model::NativeValue;
///
/// // Schema 0: bucket 1 is (1, 2], bucket 2 is (2, 4].
/// let value = NativeValue::new(0, 0.0, 1, (1, vec![3, 2]), (0, vec![])).unwrap();
/// assert_eq!(value.total(), 6);
/// let buckets: Vec<_> = value.positive_buckets().collect();
/// assert_eq!(buckets, vec![(1.0, 2.0, 3), (2.0, 4.0, 2)]);
/// assert!(NativeValue::new(9, 0.0, 0, (0, vec![]), (0, vec![])).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NativeValue {
    schema: i8,
    zero_threshold: f64,
    zero_count: u64,
    positive: Window,
    negative: Window,
}

fn bad(reason: String) -> ModelError {
    ModelError::InvalidDistribution {
        what: "native histogram",
        reason,
    }
}

impl NativeValue {
    /// A reading from its parts: `positive` and `negative` are the index of their first
    /// bucket and the counts from there on.
    ///
    /// # Errors
    /// When the schema is outside -4..=8, the zero threshold is negative or not finite,
    /// a window would pass the largest index, or the total overflows.
    pub fn new(
        schema: i8,
        zero_threshold: f64,
        zero_count: u64,
        positive: (i32, Vec<u64>),
        negative: (i32, Vec<u64>),
    ) -> Result<Self, ModelError> {
        if !(MIN_SCHEMA..=MAX_SCHEMA).contains(&schema) {
            return Err(bad(format!("schema {schema} is outside -4..=8")));
        }
        if !zero_threshold.is_finite() || zero_threshold < 0.0 {
            return Err(bad(format!(
                "the zero threshold {zero_threshold} must be finite and >= 0"
            )));
        }
        for (offset, counts) in [&positive, &negative] {
            let len = i32::try_from(counts.len()).unwrap_or(i32::MAX);
            if offset.checked_add(len).is_none() {
                return Err(bad(format!(
                    "{} buckets from index {offset} pass the largest index",
                    counts.len()
                )));
            }
        }
        let value = Self {
            schema,
            zero_threshold,
            zero_count,
            positive: Window::from_parts(positive.0, positive.1),
            negative: Window::from_parts(negative.0, negative.1),
        };
        value
            .checked_total()
            .ok_or_else(|| bad("the total count overflows u64".to_owned()))?;
        Ok(value)
    }

    pub(crate) fn from_buckets(buckets: &NativeBuckets) -> Self {
        let (positive, negative) = buckets.windows();
        Self {
            schema: buckets.schema(),
            zero_threshold: buckets.zero_threshold(),
            zero_count: buckets.zero_count(),
            positive: positive.clone(),
            negative: negative.clone(),
        }
    }

    /// The schema.
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

    /// The first positive bucket's index and the counts from there on.
    #[must_use]
    pub fn positive(&self) -> (i32, &[u64]) {
        self.positive.parts()
    }

    /// The first negative bucket's index and the counts from there on.
    #[must_use]
    pub fn negative(&self) -> (i32, &[u64]) {
        self.negative.parts()
    }

    /// Every bucketed observation, the zero bucket's included.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.checked_total().unwrap_or(u64::MAX)
    }

    fn checked_total(&self) -> Option<u64> {
        let (_, positive) = self.positive.parts();
        let (_, negative) = self.negative.parts();
        positive
            .iter()
            .chain(negative)
            .try_fold(self.zero_count, |total, count| total.checked_add(*count))
    }

    /// `(lower, upper, count)` of every positive bucket in the window, from the lowest.
    pub fn positive_buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let (offset, counts) = self.positive.parts();
        let schema = self.schema;
        counts.iter().zip(offset..).map(move |(count, key)| {
            (
                bucket_upper_bound(schema, key - 1),
                bucket_upper_bound(schema, key),
                *count,
            )
        })
    }

    /// Adds `other` (another worker's reading of the same series): both are brought to
    /// the coarser schema first. The larger zero threshold is kept.
    pub(crate) fn merge(&mut self, other: &NativeValue) {
        let mut other = other.clone();
        while self.schema > other.schema {
            self.halve();
        }
        while other.schema > self.schema {
            other.halve();
        }
        self.zero_threshold = self.zero_threshold.max(other.zero_threshold);
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.positive.add_window(&other.positive);
        self.negative.add_window(&other.negative);
    }

    fn halve(&mut self) {
        self.positive.halve();
        self.negative.halve();
        self.schema -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::NativeConfig;

    #[test]
    fn merging_brings_both_to_the_coarser_schema() {
        let mut fine = NativeBuckets::new(NativeConfig::new(1, 0.0, 100).unwrap());
        let mut coarse = NativeBuckets::new(NativeConfig::new(0, 0.0, 100).unwrap());
        for value in [1.2, 1.6, 3.0] {
            fine.observe(value);
            coarse.observe(value);
        }
        let mut merged = NativeValue::from_buckets(&fine);
        merged.merge(&NativeValue::from_buckets(&coarse));
        assert_eq!(merged.schema(), 0);
        assert_eq!(merged.positive(), (1, &[4, 2][..]));
        assert_eq!(merged.total(), 6);
    }
}
