//! Which values a family of each kind takes: [`Sample`].

use super::{Info, Kind};
use crate::model::{
    CountWithExemplar, ExemplarValue, HistogramValue, ModelError, NativeValue, SlotStates,
    SummaryValue, Value,
};
use crate::stats::{
    Counter, Gauge, Histogram, NativeBuckets, ObservedExemplar, Pool, TracedCounter,
};

/// A value that can be a sample of a family of kind `K`: a counter takes a `&Counter`
/// or a count, a gauge a `&Gauge` or a number, a histogram a `&Histogram` or a
/// [`HistogramValue`]. Anything else does not compile:
///
/// ```compile_fail
/// use actorscope::model::MetricSnapshot;
/// use actorscope::stats::Gauge;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// // A gauge cannot be written as a counter.
/// Writer::new(&mut snapshot).counter("queue_depth_total", "Depth.").add((), &Gauge::new());
/// ```
///
/// ```compile_fail
/// use actorscope::model::MetricSnapshot;
/// use actorscope::stats::Counter;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// // Nor a counter as a histogram.
/// Writer::new(&mut snapshot).histogram("latency_seconds", "Latency.").add((), &Counter::new());
/// ```
///
/// while the right pairings do:
///
/// ```
/// use actorscope::model::MetricSnapshot;
/// use actorscope::stats::{Counter, Gauge, Histogram};
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// let mut out = Writer::new(&mut snapshot);
/// out.counter("jobs_total", "Jobs.").add((), &Counter::new())?;
/// out.gauge("queue_depth", "Depth.").add((), &Gauge::new())?;
/// out.histogram("latency_seconds", "Latency.").add((), &Histogram::default())?;
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
pub trait Sample<K: Kind> {
    /// The model's value.
    fn into_value(self) -> Value;
}

macro_rules! numbers {
    ($kind:ty: $($t:ty),*) => {$(
        impl Sample<$kind> for $t {
            fn into_value(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}
// A negative or NaN count is refused by the model when it is added, naming the family.
// Signed integers are taken so that a plain literal (`add((), 3)`) needs no suffix.
numbers!(Counter: u64, u32, usize, f64, i64, i32);
numbers!(Gauge: f64, f32, i64, i32, u64, u32, usize);

impl Sample<Counter> for &Counter {
    fn into_value(self) -> Value {
        Value::from(self.get())
    }
}

impl Sample<Counter> for &TracedCounter {
    /// The count, with the latest traced increment's exemplar if there was one.
    fn into_value(self) -> Value {
        match self.exemplar() {
            Some(kept) => {
                // Exact below 2^53, as every count Prometheus reads.
                #[allow(clippy::cast_precision_loss)]
                let count = self.get() as f64;
                Value::from(CountWithExemplar::new(count, exemplar_value(kept)))
            }
            None => Value::from(self.get()),
        }
    }
}

impl Sample<Gauge> for &Gauge {
    fn into_value(self) -> Value {
        Value::Number(self.get())
    }
}

impl Sample<Histogram> for &Histogram {
    /// Cumulative buckets from the per-bucket counts (a stats histogram is always
    /// valid), with the native form and exemplars it keeps.
    fn into_value(self) -> Value {
        let value =
            HistogramValue::from_bucket_counts(self.bounds(), self.bucket_counts(), self.sum())
                .and_then(|value| match self.native_buckets() {
                    Some(native) => value.with_native(native_value(native)?),
                    None => Ok(value),
                })
                .and_then(|value| {
                    value.with_exemplars(
                        self.exemplars()
                            .iter()
                            .map(|kept| kept.map(exemplar_value))
                            .collect(),
                    )
                });
        match value {
            Ok(value) => Value::from(value),
            // Unreachable: `Buckets` guarantees finite increasing bounds and the counts
            // have one entry more. The model refuses a number for a histogram, naming it.
            Err(_) => Value::Number(f64::NAN),
        }
    }
}

/// The model's reading of a histogram's native buckets.
fn native_value(native: &NativeBuckets) -> Result<NativeValue, ModelError> {
    let (positive, negative) = (native.positive(), native.negative());
    NativeValue::new(
        native.schema(),
        native.zero_threshold(),
        native.zero_count(),
        (positive.0, positive.1.to_vec()),
        (negative.0, negative.1.to_vec()),
    )
}

/// The model's copy of a kept exemplar.
fn exemplar_value(kept: ObservedExemplar) -> ExemplarValue {
    let exemplar = kept.exemplar;
    ExemplarValue::new(
        exemplar.trace_id().to_bytes(),
        exemplar.span_id().map(|span| span.to_bytes()),
        kept.value,
        exemplar.timestamp(),
    )
}

impl Sample<Histogram> for HistogramValue {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl Sample<Histogram> for &HistogramValue {
    fn into_value(self) -> Value {
        Value::from(self.clone())
    }
}

impl Sample<SummaryValue> for SummaryValue {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl Sample<SummaryValue> for &SummaryValue {
    fn into_value(self) -> Value {
        Value::from(self.clone())
    }
}

impl Sample<Info> for () {
    fn into_value(self) -> Value {
        Value::Info
    }
}

impl Sample<SlotStates> for SlotStates {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl Sample<SlotStates> for &Pool {
    /// The pool's slot letters (empty for a count-only pool).
    fn into_value(self) -> Value {
        // `Pool` only hands out the four letters `SlotStates` takes.
        match SlotStates::new(self.slot_letters().collect::<String>()) {
            Ok(states) => Value::from(states),
            Err(_) => Value::from(SlotStates::default()),
        }
    }
}
