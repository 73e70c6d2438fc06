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

mod layout;
mod metric;
mod pool;
mod sample;
mod stat;

use std::borrow::Cow;
use std::marker::PhantomData;

use layout::OwnNames;
pub(crate) use layout::{Layout, Recording, Replay};
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
    sink: Sink<'a>,
    labels: &'a [(String, String)],
}

/// Where a writer's families go.
#[derive(Debug)]
enum Sink<'a> {
    /// Into a snapshot, validated; noting what was declared, if asked to.
    Snapshot(&'a mut MetricSnapshot, Option<&'a mut Recording>),
    /// Compared with an earlier write's layout, values kept (see [`Layout`]).
    Replay(&'a mut Replay),
}

impl Sink<'_> {
    fn reborrow(&mut self) -> Sink<'_> {
        match self {
            Self::Snapshot(out, recording) => Sink::Snapshot(out, recording.as_deref_mut()),
            Self::Replay(replay) => Sink::Replay(replay),
        }
    }
}

impl<'a> Writer<'a> {
    /// A writer into `out` that adds no labels.
    pub fn new(out: &'a mut MetricSnapshot) -> Self {
        Self {
            sink: Sink::Snapshot(out, None),
            labels: &[],
        }
    }

    /// A writer into `out` that adds `labels` to every sample (before the sample's own).
    pub fn with_labels(out: &'a mut MetricSnapshot, labels: &'a [(String, String)]) -> Self {
        Self {
            sink: Sink::Snapshot(out, None),
            labels,
        }
    }

    /// Like [`Self::with_labels`], noting what is written in `recording`.
    pub(crate) fn recording(
        out: &'a mut MetricSnapshot,
        labels: &'a [(String, String)],
        recording: &'a mut Recording,
    ) -> Self {
        Self {
            sink: Sink::Snapshot(out, Some(recording)),
            labels,
        }
    }

    /// A writer that compares what is written with `replay`'s layout.
    pub(crate) fn replaying(replay: &'a mut Replay, labels: &'a [(String, String)]) -> Self {
        Self {
            sink: Sink::Replay(replay),
            labels,
        }
    }

    /// Starts the family `metric` declares.
    pub fn family<'w, K: Kind>(&'w mut self, metric: Metric<'w, K>) -> FamilyBuilder<'w, K> {
        FamilyBuilder {
            sink: self.sink.reborrow(),
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
        match &mut self.sink {
            Sink::Snapshot(out, _) => match out.merge(part).into_iter().next() {
                Some(problem) => Err(problem),
                None => Ok(()),
            },
            Sink::Replay(replay) => {
                replay.fail();
                Ok(())
            }
        }
    }

    /// Moves `part` into this writer's snapshot; its series are known to be distinct from
    /// those there already (see [`MetricSnapshot::merge_distinct`]).
    pub(crate) fn merge_distinct(&mut self, part: MetricSnapshot) -> Result<(), ModelError> {
        match &mut self.sink {
            Sink::Snapshot(out, _) => out.merge_distinct(part),
            Sink::Replay(replay) => {
                replay.fail();
                Ok(())
            }
        }
    }
}

/// A family being declared: set its unit, then [`declare`](Self::declare) it or
/// [`add`](Self::add) its first sample. Does nothing until then.
#[must_use = "a family is declared by `declare()` or its first `add()`"]
pub struct FamilyBuilder<'w, K> {
    sink: Sink<'w>,
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
            sink,
            labels,
            metric,
        } = self;
        let (name, help, unit) = (metric.name(), metric.help(), metric.unit_of());
        let target = match sink {
            Sink::Snapshot(out, mut recording) => {
                let family = out.declare(name, help, K::KIND, unit)?;
                if let Some(recording) = recording.as_deref_mut() {
                    recording.declare(name, help, K::KIND, unit);
                }
                Target::Family(family, recording)
            }
            Sink::Replay(replay) => {
                replay.declare(name, help, K::KIND, unit);
                Target::Replay(replay)
            }
        };
        Ok(FamilyWriter {
            target,
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
    target: Target<'w>,
    labels: &'w [(String, String)],
    kind: PhantomData<fn() -> K>,
}

/// Where a family's samples go.
#[derive(Debug)]
enum Target<'w> {
    Family(&'w mut MetricFamily, Option<&'w mut Recording>),
    Replay(&'w mut Replay),
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
        match &mut self.target {
            Target::Family(family, None) => {
                let labels = WithLabels {
                    first: self.labels,
                    own: labels,
                    names: None,
                };
                family.add(labels, value.into_value())?;
            }
            Target::Family(family, Some(recording)) => {
                let mut names = recording.take_names();
                let labels = WithLabels {
                    first: self.labels,
                    own: labels,
                    names: Some(&mut names),
                };
                let added = family.add(labels, value.into_value()).map(|_| ());
                // A refused sample is not recorded.
                let recorded = if added.is_ok() {
                    family.last_labels()
                } else {
                    None
                };
                recording.add(recorded, names);
                added?;
            }
            Target::Replay(replay) => replay.add(labels, value.into_value()),
        }
        Ok(self)
    }
}

/// A sample's labels: the writer's, then its own (whose names are noted in `names`).
struct WithLabels<'a, L> {
    first: &'a [(String, String)],
    own: L,
    names: Option<&'a mut OwnNames>,
}

impl<L: IntoLabels> IntoLabels for WithLabels<'_, L> {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        for (name, value) in self.first {
            visit(name, Cow::Borrowed(value));
        }
        match self.names {
            None => self.own.visit_labels(visit),
            Some(names) => self.own.visit_labels(&mut |name, value| {
                names.push(name);
                visit(name, value);
            }),
        }
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
