use crate::model::{IntoLabels, MetricKind, MetricSnapshot, ModelError, SlotMap, Value};
use crate::stats::Pool;

/// A sample's labels: the worker's, then its own, without copying the names.
struct WithWorkerLabels<'a, L> {
    worker: &'a [(String, String)],
    own: L,
}

impl<L: IntoLabels> IntoLabels for WithWorkerLabels<'_, L> {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self.worker {
            visit(name, value.clone());
        }
        self.own.visit_labels(visit);
    }
}

/// Writes families, adding the same labels to every sample: a worker's (`worker="i"` and
/// its collector's labels) when a [`WorkerCollector`](super::WorkerCollector) writes
/// [`WorkerStats`](super::WorkerStats), or any you choose.
///
/// ```
/// use actorscope::actor::StatsWriter;
/// use actorscope::model::MetricSnapshot;
/// use actorscope::stats::Pool;
///
/// let mut pool = Pool::new(8);
/// pool.acquire();
/// let mut snapshot = MetricSnapshot::new();
/// let labels = [("server".to_owned(), "api".to_owned())];
/// StatsWriter::new(&mut snapshot, &labels).pool("db", "api", &pool)?;
/// let in_use = snapshot.get("actorscope_pool_in_use").and_then(|f| f.value([("server", "api"), ("pool", "db"), ("owner", "api")]));
/// assert_eq!(in_use.and_then(|v| v.as_f64()), Some(1.0));
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
#[derive(Debug)]
pub struct StatsWriter<'a> {
    out: &'a mut MetricSnapshot,
    labels: &'a [(String, String)],
}

impl<'a> StatsWriter<'a> {
    /// A writer into `out` that adds `labels` to every sample.
    pub fn new(out: &'a mut MetricSnapshot, labels: &'a [(String, String)]) -> Self {
        Self { out, labels }
    }

    /// Adds a sample to family `name` of `kind`, with the worker's labels and `labels`.
    ///
    /// # Errors
    /// As [`MetricSnapshot::family`] and [`MetricFamily::add`](crate::model::MetricFamily::add).
    pub fn add(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
        labels: impl IntoLabels,
        value: impl Into<Value>,
    ) -> Result<(), ModelError> {
        self.add_to(name, help, kind, None, labels, value.into())
    }

    /// Like [`Self::add`], for a family with a unit (`seconds`, `bytes`) its name ends with.
    ///
    /// # Errors
    /// As [`MetricSnapshot::family_with_unit`] and
    /// [`MetricFamily::add`](crate::model::MetricFamily::add).
    pub fn add_with_unit(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: &str,
        labels: impl IntoLabels,
        value: impl Into<Value>,
    ) -> Result<(), ModelError> {
        self.add_to(name, help, kind, Some(unit), labels, value.into())
    }

    fn add_to(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: Option<&str>,
        labels: impl IntoLabels,
        value: Value,
    ) -> Result<(), ModelError> {
        let labels = WithWorkerLabels {
            worker: self.labels,
            own: labels,
        };
        let family = match unit {
            Some(unit) => self.out.family_with_unit(name, help, kind, unit)?,
            None => self.out.family(name, help, kind)?,
        };
        family.add(labels, value)?;
        Ok(())
    }

    /// Writes a [`Pool`] as `actorscope_pool_capacity`, `_in_use`, `_high_water` (gauges),
    /// `actorscope_pool_acquisitions_total` and `actorscope_pool_overflows_total`
    /// (counters), labelled `pool` and `owner`, plus its slot states (JSON only, as
    /// `actorscope_pool_slots`) when it keeps them.
    ///
    /// # Errors
    /// As [`Self::add`].
    pub fn pool(&mut self, pool: &str, owner: &str, stats: &Pool) -> Result<(), ModelError> {
        let labels = [("pool", pool), ("owner", owner)];
        let gauges = [
            (
                "actorscope_pool_capacity",
                "Units (slots, buffers, connections) the pool can hold.",
                stats.capacity(),
            ),
            (
                "actorscope_pool_in_use",
                "Units of the pool in use now.",
                stats.in_use(),
            ),
            (
                "actorscope_pool_high_water",
                "Most units in use at once since the owner started or last reset the mark.",
                stats.high_water(),
            ),
        ];
        for (name, help, value) in gauges {
            self.add(name, help, MetricKind::Gauge, labels, value)?;
        }
        self.add(
            "actorscope_pool_acquisitions_total",
            "Successful acquisitions from the pool.",
            MetricKind::Counter,
            labels,
            stats.acquisitions(),
        )?;
        self.add(
            "actorscope_pool_overflows_total",
            "Acquisitions the pool refused because it was full (or its owner refused them).",
            MetricKind::Counter,
            labels,
            stats.overflows(),
        )?;
        if stats.has_slots() {
            let labels = WithWorkerLabels {
                worker: self.labels,
                own: labels,
            };
            let map = SlotMap::new(
                "actorscope_pool_slots",
                labels,
                stats.slot_letters().collect::<String>(),
            )?;
            self.out.push_slot_map(map);
        }
        Ok(())
    }

    /// Adds a counter sample (name ends in `_total`) with only the worker's labels.
    ///
    /// # Errors
    /// As [`Self::add`].
    pub fn counter(
        &mut self,
        name: &str,
        help: &str,
        value: impl Into<Value>,
    ) -> Result<(), ModelError> {
        self.add(name, help, MetricKind::Counter, (), value)
    }

    /// Adds a gauge sample with only the worker's labels.
    ///
    /// # Errors
    /// As [`Self::add`].
    pub fn gauge(
        &mut self,
        name: &str,
        help: &str,
        value: impl Into<Value>,
    ) -> Result<(), ModelError> {
        self.add(name, help, MetricKind::Gauge, (), value)
    }

    /// Adds a histogram sample with only the worker's labels.
    ///
    /// # Errors
    /// As [`Self::add`].
    pub fn histogram(
        &mut self,
        name: &str,
        help: &str,
        value: impl Into<Value>,
    ) -> Result<(), ModelError> {
        self.add(name, help, MetricKind::Histogram, (), value)
    }
}
