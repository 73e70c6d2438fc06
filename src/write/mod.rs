//! The one way to write families: a [`Writer`], for a worker's stats and a collector
//! alike. Family first (name, help, kind, unit, once), then its samples; the family's
//! kind is in its type, so a sample of another kind does not compile.
//!
//! ```
//! use actorscope::model::{MetricSnapshot, Unit};
//! use actorscope::stats::{Counter, Histogram};
//! use actorscope::write::Writer;
//!
//! let mut served = Counter::new();
//! served.add(3);
//! let mut latency = Histogram::default();
//! latency.observe(0.02);
//!
//! let mut snapshot = MetricSnapshot::new();
//! let mut out = Writer::new(&mut snapshot);
//! out.counter("jobs_served_total", "Jobs served.")
//!     .add([("queue", "email")], &served)?
//!     .add([("queue", "sms")], 0)?;
//! out.histogram("job_duration_seconds", "Time one job took.")
//!     .unit(Unit::Seconds)
//!     .add((), &latency)?;
//! out.gauge("jobs_waiting", "Jobs in the queue.").declare()?; // a family with no samples yet
//!
//! let served = snapshot.get("jobs_served_total").and_then(|f| f.value([("queue", "email")]));
//! assert_eq!(served.and_then(|v| v.as_f64()), Some(3.0));
//! # Ok::<(), actorscope::model::ModelError>(())
//! ```
//!
//! A worker's [`WorkerStats`](crate::actor::WorkerStats) gets a writer that adds its
//! `worker` label (and its collector's labels) to every sample; a
//! [`Collector`](crate::registry::Collector) gets one that adds nothing.

mod metric;
mod pool;
mod sample;
mod stat;

use std::marker::PhantomData;

pub use metric::{Info, Kind, Metric};
pub use sample::Sample;
pub use stat::Stat;

use crate::model::{
    IntoLabels, MetricFamily, MetricSnapshot, ModelError, SlotStates, SummaryValue, Unit,
};
use crate::stats::{Counter, Gauge, Histogram};

/// Writes families into a snapshot, adding the same labels to every sample.
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut MetricSnapshot,
    labels: &'a [(String, String)],
}

impl<'a> Writer<'a> {
    /// A writer into `out` that adds no labels.
    pub fn new(out: &'a mut MetricSnapshot) -> Self {
        Self { out, labels: &[] }
    }

    /// A writer into `out` that adds `labels` to every sample (before the sample's own).
    pub fn with_labels(out: &'a mut MetricSnapshot, labels: &'a [(String, String)]) -> Self {
        Self { out, labels }
    }

    /// Starts the family `metric` declares.
    pub fn family<'w, K: Kind>(&'w mut self, metric: Metric<'w, K>) -> FamilyBuilder<'w, K> {
        FamilyBuilder {
            out: self.out,
            labels: self.labels,
            metric,
        }
    }

    /// Starts a counter family (its name ends in `_total`).
    pub fn counter<'w>(&'w mut self, name: &'w str, help: &'w str) -> FamilyBuilder<'w, Counter> {
        self.family(Metric::new(name, help))
    }

    /// Starts a gauge family.
    pub fn gauge<'w>(&'w mut self, name: &'w str, help: &'w str) -> FamilyBuilder<'w, Gauge> {
        self.family(Metric::new(name, help))
    }

    /// Starts a histogram family.
    pub fn histogram<'w>(
        &'w mut self,
        name: &'w str,
        help: &'w str,
    ) -> FamilyBuilder<'w, Histogram> {
        self.family(Metric::new(name, help))
    }

    /// Starts a summary family.
    pub fn summary<'w>(
        &'w mut self,
        name: &'w str,
        help: &'w str,
    ) -> FamilyBuilder<'w, SummaryValue> {
        self.family(Metric::new(name, help))
    }

    /// Starts an info family (its name ends in `_info`; every sample's value is 1).
    pub fn info<'w>(&'w mut self, name: &'w str, help: &'w str) -> FamilyBuilder<'w, Info> {
        self.family(Metric::new(name, help))
    }

    /// Starts a slot-map family (JSON only; see [`SlotStates`]).
    pub fn slots<'w>(&'w mut self, name: &'w str, help: &'w str) -> FamilyBuilder<'w, SlotStates> {
        self.family(Metric::new(name, help))
    }

    /// Moves everything in `part` into this writer's snapshot, as-is (no labels added).
    pub(crate) fn merge(&mut self, part: MetricSnapshot) -> Result<(), ModelError> {
        match self.out.merge(part).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }
}

/// A family being declared: set its unit, then [`declare`](Self::declare) it or
/// [`add`](Self::add) its first sample. Does nothing until then.
#[must_use = "a family is declared by `declare()` or its first `add()`"]
pub struct FamilyBuilder<'w, K> {
    out: &'w mut MetricSnapshot,
    labels: &'w [(String, String)],
    metric: Metric<'w, K>,
}

impl<K: Kind> std::fmt::Debug for FamilyBuilder<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FamilyBuilder")
            .field("metric", &self.metric)
            .field("labels", &self.labels)
            .finish_non_exhaustive()
    }
}

impl<'w, K: Kind> FamilyBuilder<'w, K> {
    /// With a unit, which the name must end with (before `_total`).
    pub fn unit(mut self, unit: Unit) -> Self {
        self.metric = self.metric.unit(unit);
        self
    }

    /// Declares the family (or finds it, declared the same way already).
    ///
    /// # Errors
    /// When the name, help or unit is invalid, or the family exists with another kind,
    /// help or unit, or clashes with another family's series names (see [`ModelError`]).
    pub fn declare(self) -> Result<FamilyWriter<'w, K>, ModelError> {
        let Self {
            out,
            labels,
            metric,
        } = self;
        let family = out.declare(metric.name(), metric.help(), K::KIND, metric.unit_of())?;
        Ok(FamilyWriter {
            family,
            labels,
            kind: PhantomData,
        })
    }

    /// Declares the family and adds its first sample; chain more with
    /// [`FamilyWriter::add`].
    ///
    /// # Errors
    /// As [`Self::declare`] and [`FamilyWriter::add`].
    pub fn add(
        self,
        labels: impl IntoLabels,
        value: impl Sample<K>,
    ) -> Result<FamilyWriter<'w, K>, ModelError> {
        let mut family = self.declare()?;
        family.add(labels, value)?;
        Ok(family)
    }
}

/// A declared family of kind `K`: adds samples.
#[derive(Debug)]
pub struct FamilyWriter<'w, K> {
    family: &'w mut MetricFamily,
    labels: &'w [(String, String)],
    kind: PhantomData<fn() -> K>,
}

impl<K: Kind> FamilyWriter<'_, K> {
    /// Adds one sample: the writer's labels, then `labels`.
    ///
    /// # Errors
    /// When a label name is invalid, reserved or repeated, the label set is already
    /// present, or the value is out of range (a negative count); the family is unchanged.
    pub fn add(
        &mut self,
        labels: impl IntoLabels,
        value: impl Sample<K>,
    ) -> Result<&mut Self, ModelError> {
        let labels = WithLabels {
            first: self.labels,
            own: labels,
        };
        self.family.add(labels, value.into_value())?;
        Ok(self)
    }
}

/// A sample's labels: the writer's, then its own.
struct WithLabels<'a, L> {
    first: &'a [(String, String)],
    own: L,
}

impl<L: IntoLabels> IntoLabels for WithLabels<'_, L> {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self.first {
            visit(name, value.clone());
        }
        self.own.visit_labels(visit);
    }
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use super::*;
    use crate::stats::Buckets;

    #[test]
    fn stats_become_family_samples_with_the_writers_labels() {
        let mut counter = Counter::new();
        counter.add(5);
        let mut histogram = Histogram::new(Buckets::new([1.0]).unwrap());
        histogram.observe(0.5);
        histogram.observe(2.0);
        let mut snapshot = MetricSnapshot::new();
        let labels = [("worker".to_owned(), "3".to_owned())];
        let mut out = Writer::with_labels(&mut snapshot, &labels);
        out.counter("ops_total", "Ops.").add((), &counter).unwrap();
        out.histogram("size", "Size.")
            .add([("kind", "a")], &histogram)
            .unwrap();
        let ops = snapshot.get("ops_total").unwrap();
        assert_eq!(
            ops.value([("worker", "3")]).and_then(|v| v.as_f64()),
            Some(5.0)
        );
        let value = snapshot.get("size").unwrap();
        let value = value
            .value([("worker", "3"), ("kind", "a")])
            .and_then(|v| v.as_histogram())
            .unwrap();
        assert_eq!(
            value.buckets().collect::<Vec<_>>(),
            vec![(1.0, 1), (f64::INFINITY, 2)]
        );
        assert_eq!(value.sum(), 2.5);
    }

    #[test]
    fn a_unit_is_declared_with_the_family_and_must_end_its_name() {
        let mut snapshot = MetricSnapshot::new();
        let mut out = Writer::new(&mut snapshot);
        assert!(out
            .gauge("memory_bytes", "Memory.")
            .unit(Unit::Bytes)
            .declare()
            .is_ok());
        let error = out
            .gauge("memory", "Memory.")
            .unit(Unit::Bytes)
            .declare()
            .unwrap_err();
        assert!(
            error.to_string().contains("must end with _<unit>"),
            "{error}"
        );
        // The same family without its unit is another declaration.
        assert!(matches!(
            out.gauge("memory_bytes", "Memory.").declare(),
            Err(ModelError::Conflict { .. })
        ));
    }

    #[test]
    fn a_negative_count_is_refused_by_name() {
        let mut snapshot = MetricSnapshot::new();
        let error = Writer::new(&mut snapshot)
            .counter("ops_total", "Ops.")
            .add((), -1.0)
            .unwrap_err();
        assert!(error.to_string().contains("ops_total"), "{error}");
    }
}
