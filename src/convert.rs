//! The bridge from hot-path stats to model values: `family.add(labels, &stat)`.
//!
//! Lives outside both `stats` (which imports only `std`) and `model` (plain data), and is
//! used only on the cold path.

use crate::model::{HistogramValue, Value};
use crate::stats::{Counter, Gauge, Histogram};

impl From<&Counter> for Value {
    fn from(counter: &Counter) -> Self {
        Value::from(counter.get())
    }
}

impl From<&Gauge> for Value {
    fn from(gauge: &Gauge) -> Self {
        Value::Number(gauge.get())
    }
}

impl From<&Histogram> for Value {
    /// Cumulative buckets from the per-bucket counts (stats histograms are always valid).
    fn from(histogram: &Histogram) -> Self {
        match HistogramValue::from_bucket_counts(
            histogram.bounds(),
            histogram.bucket_counts(),
            histogram.sum(),
        ) {
            Ok(value) => Value::Histogram(value),
            // Unreachable: `Buckets` guarantees finite increasing bounds and the counts
            // have one entry more. Report it as NaN rather than lose the whole family.
            Err(_) => Value::Number(f64::NAN),
        }
    }
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use crate::model::{MetricKind, MetricSnapshot};
    use crate::stats::{Buckets, Counter, Histogram};

    #[test]
    fn stats_become_family_samples() {
        let mut counter = Counter::new();
        counter.add(5);
        let mut histogram = Histogram::new(Buckets::new([1.0]).unwrap());
        histogram.observe(0.5);
        histogram.observe(2.0);
        let mut snapshot = MetricSnapshot::new();
        snapshot
            .family("ops_total", "Ops.", MetricKind::Counter)
            .unwrap()
            .add((), &counter)
            .unwrap();
        let family = snapshot
            .family("size", "Size.", MetricKind::Histogram)
            .unwrap();
        family.add((), &histogram).unwrap();
        let value = family.value(()).and_then(|v| v.as_histogram()).unwrap();
        assert_eq!(
            value.buckets().collect::<Vec<_>>(),
            vec![(1.0, 1), (f64::INFINITY, 2)]
        );
        assert_eq!(value.sum(), 2.5);
    }
}
