use super::{CountWithExemplar, ExemplarValue, MetricKind, ModelError, NativeValue, SlotStates};

/// The value of one sample. Which variant a family accepts depends on its kind.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// A counter or gauge reading (an info family also accepts exactly 1).
    Number(f64),
    /// A counter reading with the exemplar of its latest traced increment.
    CountWithExemplar(Box<CountWithExemplar>),
    /// A histogram: cumulative buckets, sum and count.
    Histogram(Box<HistogramValue>),
    /// A summary: quantiles, sum and count.
    Summary(Box<SummaryValue>),
    /// An info sample (its value is always 1; the information is in the labels).
    Info,
    /// The state of every slot of a pool (JSON only).
    Slots(Box<SlotStates>),
}

impl Value {
    /// The number of a counter, gauge or info sample (1 for info).
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(value) => Some(*value),
            Self::CountWithExemplar(reading) => Some(reading.count()),
            Self::Info => Some(1.0),
            Self::Histogram(_) | Self::Summary(_) | Self::Slots(_) => None,
        }
    }

    /// The slot states, if this is a slot map.
    #[must_use]
    pub fn as_slots(&self) -> Option<&SlotStates> {
        match self {
            Self::Slots(states) => Some(states),
            _ => None,
        }
    }

    /// The histogram, if this is one.
    #[must_use]
    pub fn as_histogram(&self) -> Option<&HistogramValue> {
        match self {
            Self::Histogram(histogram) => Some(histogram),
            _ => None,
        }
    }

    /// Adds `other` to `self` where that means something: numbers sum, histograms with
    /// the same bounds sum bucket by bucket. Anything else leaves `self` unchanged.
    pub(crate) fn add_assign(&mut self, other: &Value) {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => *a += b,
            (Self::CountWithExemplar(a), Self::Number(b)) => {
                **a = CountWithExemplar::new(a.count() + b, *a.exemplar());
            }
            (this @ Self::Number(_), Self::CountWithExemplar(b)) => {
                let a = this.as_f64().unwrap_or(0.0);
                *this = Self::from(CountWithExemplar::new(a + b.count(), *b.exemplar()));
            }
            (Self::CountWithExemplar(a), Self::CountWithExemplar(b)) => {
                let exemplar = a.exemplar().later(*b.exemplar());
                **a = CountWithExemplar::new(a.count() + b.count(), exemplar);
            }
            (Self::Histogram(a), Self::Histogram(b)) if a.bounds == b.bounds => a.add(b),
            _ => {}
        }
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Self::Number(_) | Self::CountWithExemplar(_) => "number",
            Self::Histogram(_) => "histogram",
            Self::Summary(_) => "summary",
            Self::Info => "info",
            Self::Slots(_) => "slot map",
        }
    }

    /// Checks that the value may be a sample of a `kind` family named `family`.
    pub(crate) fn check_for(self, family: &str, kind: MetricKind) -> Result<Self, ModelError> {
        let invalid = |reason: String| ModelError::InvalidValue {
            family: family.to_owned(),
            reason,
        };
        match (kind, self) {
            (MetricKind::Counter, Self::Number(value)) => {
                if value.is_nan() || value < 0.0 {
                    Err(invalid(format!(
                        "a counter cannot be {value} (it must be a non-negative number)"
                    )))
                } else {
                    Ok(Self::Number(value))
                }
            }
            (MetricKind::Counter, Self::CountWithExemplar(reading)) => {
                let count = reading.count();
                if count.is_nan() || count < 0.0 {
                    Err(invalid(format!(
                        "a counter cannot be {count} (it must be a non-negative number)"
                    )))
                } else {
                    Ok(Self::CountWithExemplar(reading))
                }
            }
            (MetricKind::Gauge, value @ Self::Number(_))
            | (MetricKind::Histogram, value @ Self::Histogram(_))
            | (MetricKind::Summary, value @ Self::Summary(_))
            | (MetricKind::Slots, value @ Self::Slots(_))
            | (MetricKind::Info, value @ Self::Info) => Ok(value),
            (MetricKind::Info, Self::Number(1.0)) => Ok(Self::Info),
            (MetricKind::Info, Self::Number(value)) => Err(invalid(format!(
                "an info sample's value is always 1, not {value}; put the information in labels"
            ))),
            (kind, value) => Err(ModelError::WrongValueKind {
                family: family.to_owned(),
                kind,
                value_kind: value.kind_name(),
            }),
        }
    }
}

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(value: $t) -> Self {
                // Exact for every integer below 2^53, as in Prometheus itself.
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                Self::Number(value as f64)
            }
        }
    )*};
}
number_from!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

impl From<HistogramValue> for Value {
    fn from(value: HistogramValue) -> Self {
        Self::Histogram(Box::new(value))
    }
}

impl From<CountWithExemplar> for Value {
    fn from(value: CountWithExemplar) -> Self {
        Self::CountWithExemplar(Box::new(value))
    }
}

impl From<SummaryValue> for Value {
    fn from(value: SummaryValue) -> Self {
        Self::Summary(Box::new(value))
    }
}

impl From<SlotStates> for Value {
    fn from(value: SlotStates) -> Self {
        Self::Slots(Box::new(value))
    }
}

/// A histogram reading: finite bucket bounds with cumulative counts, plus sum and count.
///
/// ```
/// use actorscope::model::HistogramValue;
///
/// // Per-bucket counts for `<=1`, `<=2` and `+Inf`.
/// let value = HistogramValue::from_bucket_counts(&[1.0, 2.0], &[3, 0, 1], 9.5).unwrap();
/// let buckets: Vec<_> = value.buckets().collect();
/// assert_eq!(buckets, vec![(1.0, 3), (2.0, 3), (f64::INFINITY, 4)]);
/// assert_eq!(value.count(), 4);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramValue {
    bounds: Vec<f64>,
    cumulative: Vec<u64>,
    sum: f64,
    native: Option<NativeValue>,
    /// One per bucket (the `+Inf` one included), or none at all.
    exemplars: Vec<Option<ExemplarValue>>,
}

fn bad_histogram(reason: String) -> ModelError {
    ModelError::InvalidDistribution {
        what: "histogram",
        reason,
    }
}

fn check_bounds(bounds: &[f64]) -> Result<(), ModelError> {
    for (i, bound) in bounds.iter().enumerate() {
        if !bound.is_finite() {
            return Err(bad_histogram(format!(
                "bucket bound {bound} is not finite (the +Inf bucket is implied)"
            )));
        }
        if i > 0 && *bound <= bounds[i - 1] {
            return Err(bad_histogram(format!(
                "bucket bounds must increase, but {bound} follows {}",
                bounds[i - 1]
            )));
        }
    }
    Ok(())
}

impl HistogramValue {
    /// Builds a value from per-bucket (not cumulative) counts: `counts` has one more entry
    /// than `bounds`, the last being the `+Inf` bucket.
    ///
    /// # Errors
    /// When the lengths do not match, a bound is not finite or not increasing, or the
    /// total overflows `u64`.
    pub fn from_bucket_counts(
        bounds: &[f64],
        counts: &[u64],
        sum: f64,
    ) -> Result<Self, ModelError> {
        if counts.len() != bounds.len() + 1 {
            return Err(bad_histogram(format!(
                "{} bounds need {} counts (one per bound plus +Inf), got {}",
                bounds.len(),
                bounds.len() + 1,
                counts.len()
            )));
        }
        check_bounds(bounds)?;
        let mut total: u64 = 0;
        let mut cumulative = Vec::with_capacity(counts.len());
        for count in counts {
            total = total
                .checked_add(*count)
                .ok_or_else(|| bad_histogram("the total count overflows u64".to_owned()))?;
            cumulative.push(total);
        }
        Ok(Self {
            bounds: bounds.to_vec(),
            cumulative,
            sum,
            native: None,
            exemplars: Vec::new(),
        })
    }

    /// Builds a value from cumulative `(upper bound, count)` buckets as Prometheus shows
    /// them. A trailing `+Inf` bucket may be given; if so it must equal `count`.
    ///
    /// # Errors
    /// When bounds are not finite or not increasing, counts decrease, or a bucket holds
    /// more than `count`.
    pub fn from_cumulative(
        buckets: &[(f64, u64)],
        count: u64,
        sum: f64,
    ) -> Result<Self, ModelError> {
        let mut buckets = buckets;
        if let Some((last, rest)) = buckets.split_last() {
            if last.0 == f64::INFINITY {
                if last.1 != count {
                    return Err(bad_histogram(format!(
                        "the +Inf bucket holds {} but count is {count}",
                        last.1
                    )));
                }
                buckets = rest;
            }
        }
        let bounds: Vec<f64> = buckets.iter().map(|(bound, _)| *bound).collect();
        check_bounds(&bounds)?;
        let mut cumulative: Vec<u64> = buckets.iter().map(|(_, count)| *count).collect();
        cumulative.push(count);
        if let Some(pair) = cumulative.windows(2).find(|pair| pair[1] < pair[0]) {
            return Err(bad_histogram(format!(
                "cumulative bucket counts must not decrease, but {} follows {}",
                pair[1], pair[0]
            )));
        }
        Ok(Self {
            bounds,
            cumulative,
            sum,
            native: None,
            exemplars: Vec::new(),
        })
    }

    /// `(upper bound, cumulative count)` for every bucket, ending with `(+Inf, count)`.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(self.cumulative.iter().copied())
    }

    /// The finite bucket bounds.
    #[must_use]
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The number of observations.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// The sum of observations.
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// With the native form of the same observations.
    ///
    /// # Errors
    /// When the native buckets hold more observations than the histogram's count.
    pub fn with_native(mut self, native: NativeValue) -> Result<Self, ModelError> {
        if native.total() > self.count() {
            return Err(bad_histogram(format!(
                "its native buckets hold {} observations but its count is {}",
                native.total(),
                self.count()
            )));
        }
        self.native = Some(native);
        Ok(self)
    }

    /// With the latest exemplar of each bucket, `+Inf` last.
    ///
    /// # Errors
    /// When there is not one entry per bucket (or none at all).
    pub fn with_exemplars(
        mut self,
        exemplars: Vec<Option<ExemplarValue>>,
    ) -> Result<Self, ModelError> {
        if !exemplars.is_empty() && exemplars.len() != self.cumulative.len() {
            return Err(bad_histogram(format!(
                "{} exemplar slots for {} buckets",
                exemplars.len(),
                self.cumulative.len()
            )));
        }
        self.exemplars = exemplars;
        Ok(self)
    }

    /// The native form, if the histogram has one.
    #[must_use]
    pub fn native(&self) -> Option<&NativeValue> {
        self.native.as_ref()
    }

    /// The latest exemplar of each bucket, `+Inf` last (empty when it has none).
    #[must_use]
    pub fn exemplars(&self) -> &[Option<ExemplarValue>] {
        &self.exemplars
    }

    /// Adds another reading with the same bounds: buckets and sums add, native forms
    /// merge, and each bucket keeps the newer exemplar.
    fn add(&mut self, other: &HistogramValue) {
        for (total, more) in self.cumulative.iter_mut().zip(&other.cumulative) {
            *total = total.saturating_add(*more);
        }
        self.sum += other.sum;
        match (&mut self.native, &other.native) {
            (Some(native), Some(more)) => native.merge(more),
            (None, Some(more)) => self.native = Some(more.clone()),
            _ => {}
        }
        if self.exemplars.is_empty() {
            self.exemplars.clone_from(&other.exemplars);
        } else {
            for (mine, theirs) in self.exemplars.iter_mut().zip(&other.exemplars) {
                *mine = match (*mine, *theirs) {
                    (Some(a), Some(b)) => Some(a.later(b)),
                    (a, b) => b.or(a),
                };
            }
        }
    }
}

/// A summary reading: `(quantile, value)` pairs, plus sum and count.
///
/// ```
/// use actorscope::model::SummaryValue;
///
/// let value = SummaryValue::new(&[(0.5, 0.2), (0.99, 1.5)], 10, 4.0).unwrap();
/// assert_eq!(value.quantiles(), &[(0.5, 0.2), (0.99, 1.5)]);
/// assert!(SummaryValue::new(&[(1.5, 0.2)], 1, 0.2).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryValue {
    quantiles: Vec<(f64, f64)>,
    count: u64,
    sum: f64,
}

impl SummaryValue {
    /// Builds a summary value.
    ///
    /// # Errors
    /// When a quantile is outside `[0, 1]` or not increasing, or a quantile's value is
    /// negative (OpenMetrics forbids it; NaN is allowed for "no data").
    pub fn new(quantiles: &[(f64, f64)], count: u64, sum: f64) -> Result<Self, ModelError> {
        let bad = |reason: String| ModelError::InvalidDistribution {
            what: "summary",
            reason,
        };
        for (i, (quantile, value)) in quantiles.iter().enumerate() {
            if !(0.0..=1.0).contains(quantile) {
                return Err(bad(format!("quantile {quantile} is outside [0, 1]")));
            }
            if i > 0 && *quantile <= quantiles[i - 1].0 {
                return Err(bad(format!(
                    "quantiles must increase, but {quantile} follows {}",
                    quantiles[i - 1].0
                )));
            }
            if *value < 0.0 {
                return Err(bad(format!(
                    "quantile {quantile} has the negative value {value}"
                )));
            }
        }
        Ok(Self {
            quantiles: quantiles.to_vec(),
            count,
            sum,
        })
    }

    /// The `(quantile, value)` pairs, quantiles increasing.
    #[must_use]
    pub fn quantiles(&self) -> &[(f64, f64)] {
        &self.quantiles
    }

    /// The number of observations.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of observations.
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod size {
    /// Two words: a scrape keeps one per series, so the big kinds are boxed.
    #[test]
    fn a_value_is_small() {
        assert!(std::mem::size_of::<super::Value>() <= 16);
    }
}
