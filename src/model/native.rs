//! A native histogram's reading: schema, zero bucket and sparse exponential buckets.

use super::ModelError;

/// The finest and coarsest schemas Prometheus accepts.
const SCHEMAS: std::ops::RangeInclusive<i8> = -4..=8;

/// The upper bound of bucket `key` at `schema`: `2^(key / 2^schema)`.
fn upper_bound(schema: i8, key: i32) -> f64 {
    (f64::from(key) * (-f64::from(schema)).exp2()).exp2()
}

/// Consecutive buckets of one sign: `counts[k]` is the count of bucket `offset + k`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Run {
    offset: i32,
    counts: Vec<u64>,
}

impl Run {
    /// Halves the resolution: bucket `i` becomes bucket `ceil(i / 2)`.
    fn halve(&mut self) {
        let Some(last) = self.last() else {
            return;
        };
        let offset = (self.offset + 1) >> 1;
        let mut counts = vec![0u64; usize::try_from(((last + 1) >> 1) - offset + 1).unwrap_or(0)];
        for (key, count) in (self.offset..).zip(&self.counts) {
            if let Some(slot) = usize::try_from(((key + 1) >> 1) - offset)
                .ok()
                .and_then(|slot| counts.get_mut(slot))
            {
                *slot = slot.saturating_add(*count);
            }
        }
        *self = Self { offset, counts };
    }

    /// The index of the last bucket, if any.
    fn last(&self) -> Option<i32> {
        let len = i32::try_from(self.counts.len()).ok()?;
        (len > 0).then(|| self.offset + len - 1)
    }

    /// Adds `other`'s counts bucket by bucket (both at the same schema).
    fn add(&mut self, other: &Run) {
        let (Some(other_last), mine) = (other.last(), self.last()) else {
            return;
        };
        let first = mine.map_or(other.offset, |_| self.offset.min(other.offset));
        let last = mine.map_or(other_last, |last| last.max(other_last));
        let mut counts = vec![0u64; usize::try_from(last - first + 1).unwrap_or(0)];
        for run in [&*self, other] {
            for (key, count) in (run.offset..).zip(&run.counts) {
                if let Some(slot) = usize::try_from(key - first)
                    .ok()
                    .and_then(|slot| counts.get_mut(slot))
                {
                    *slot = slot.saturating_add(*count);
                }
            }
        }
        *self = Self {
            offset: first,
            counts,
        };
    }
}

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
    positive: Run,
    negative: Run,
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
        if !SCHEMAS.contains(&schema) {
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
            positive: Run {
                offset: positive.0,
                counts: positive.1,
            },
            negative: Run {
                offset: negative.0,
                counts: negative.1,
            },
        };
        value
            .checked_total()
            .ok_or_else(|| bad("the total count overflows u64".to_owned()))?;
        Ok(value)
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
        (self.positive.offset, &self.positive.counts)
    }

    /// The first negative bucket's index and the counts from there on.
    #[must_use]
    pub fn negative(&self) -> (i32, &[u64]) {
        (self.negative.offset, &self.negative.counts)
    }

    /// Every bucketed observation, the zero bucket's included.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.checked_total().unwrap_or(u64::MAX)
    }

    fn checked_total(&self) -> Option<u64> {
        self.positive
            .counts
            .iter()
            .chain(&self.negative.counts)
            .try_fold(self.zero_count, |total, count| total.checked_add(*count))
    }

    /// `(lower, upper, count)` of every positive bucket in the window, from the lowest.
    pub fn positive_buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let schema = self.schema;
        let run = &self.positive;
        run.counts
            .iter()
            .zip(run.offset..)
            .map(move |(count, key)| {
                (
                    upper_bound(schema, key - 1),
                    upper_bound(schema, key),
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
        self.positive.add(&other.positive);
        self.negative.add(&other.negative);
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

    #[test]
    fn merging_brings_both_to_the_coarser_schema() {
        // Schema 1: 1.2 in bucket 1, 1.6 in bucket 2, 3.0 in bucket 4.
        let mut merged = NativeValue::new(1, 0.0, 0, (1, vec![1, 1, 0, 1]), (0, vec![])).unwrap();
        // Schema 0: 1.2 and 1.6 in bucket 1, 3.0 in bucket 2.
        let coarse = NativeValue::new(0, 0.0, 0, (1, vec![2, 1]), (0, vec![])).unwrap();
        merged.merge(&coarse);
        assert_eq!(merged.schema(), 0);
        assert_eq!(merged.positive(), (1, &[4, 2][..]));
        assert_eq!(merged.total(), 6);
    }

    #[test]
    fn halving_folds_pairs_of_buckets() {
        let mut run = Run {
            offset: -3,
            counts: vec![1, 2, 3, 4, 5],
        };
        run.halve();
        // ceil(i / 2): -3 and -2 -> -1, -1 and 0 -> 0, 1 -> 1.
        assert_eq!(
            run,
            Run {
                offset: -1,
                counts: vec![3, 7, 5]
            }
        );
    }
}
