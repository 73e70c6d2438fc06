//! How a [`Pool`] is written: its counts as ordinary families, its slots as a slot map.

use super::{Metric, Writer};
use crate::model::{ModelError, SlotStates};
use crate::stats::{Counter, Gauge, Pool};

const CAPACITY: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_pool_capacity",
    "Units (slots, buffers, connections) the pool can hold.",
);
const IN_USE: Metric<'static, Gauge> =
    Metric::gauge("actorscope_pool_in_use", "Units of the pool in use now.");
const HIGH_WATER: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_pool_high_water",
    "Most units in use at once since the owner started or last reset the mark.",
);
const ACQUISITIONS: Metric<'static, Counter> = Metric::counter(
    "actorscope_pool_acquisitions_total",
    "Successful acquisitions from the pool.",
);
const OVERFLOWS: Metric<'static, Counter> = Metric::counter(
    "actorscope_pool_overflows_total",
    "Acquisitions the pool refused because it was full (or its owner refused them).",
);
const SLOTS: Metric<'static, SlotStates> = Metric::slots(
    "actorscope_pool_slots",
    "The state of every slot, one letter each: f free, a active, i idle, c closing (JSON only).",
);

impl Writer<'_> {
    /// Writes a [`Pool`], labelled `pool` and `owner`: `actorscope_pool_capacity`,
    /// `_in_use` and `_high_water` (gauges), `actorscope_pool_acquisitions_total` and
    /// `actorscope_pool_overflows_total` (counters) and, when it keeps slot states,
    /// `actorscope_pool_slots` (a slot map, JSON only).
    ///
    /// ```
    /// use actorscope::model::MetricSnapshot;
    /// use actorscope::stats::Pool;
    /// use actorscope::write::Writer;
    ///
    /// let mut pool = Pool::with_slots(4);
    /// pool.acquire_slot();
    /// let mut snapshot = MetricSnapshot::new();
    /// Writer::new(&mut snapshot).pool("db", "api", &pool)?;
    /// let labels = [("pool", "db"), ("owner", "api")];
    /// let in_use = snapshot.get("actorscope_pool_in_use").and_then(|f| f.value(labels));
    /// assert_eq!(in_use.and_then(|v| v.as_f64()), Some(1.0));
    /// let slots = snapshot.get("actorscope_pool_slots").and_then(|f| f.value(labels));
    /// assert_eq!(slots.and_then(|v| v.as_slots()).map(|s| s.as_str()), Some("afff"));
    /// # Ok::<(), actorscope::model::ModelError>(())
    /// ```
    ///
    /// # Errors
    /// As [`FamilyWriter::add`](super::FamilyWriter::add): when the writer's labels
    /// repeat `pool` or `owner`.
    pub fn pool(&mut self, pool: &str, owner: &str, stats: &Pool) -> Result<(), ModelError> {
        let labels = [("pool", pool), ("owner", owner)];
        self.family(CAPACITY).add(labels, stats.capacity())?;
        self.family(IN_USE).add(labels, stats.in_use())?;
        self.family(HIGH_WATER).add(labels, stats.high_water())?;
        self.family(ACQUISITIONS)
            .add(labels, stats.acquisitions())?;
        self.family(OVERFLOWS).add(labels, stats.overflows())?;
        if stats.has_slots() {
            self.family(SLOTS).add(labels, stats)?;
        }
        Ok(())
    }
}
