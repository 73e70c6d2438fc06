use crate::model::{IntoLabels, MetricKind, MetricSnapshot, ModelError, Value};

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

/// Writes one worker's families, adding the worker's labels (`worker="i"` and the
/// collector's own labels) to every sample.
#[derive(Debug)]
pub struct StatsWriter<'a> {
    out: &'a mut MetricSnapshot,
    labels: &'a [(String, String)],
}

impl<'a> StatsWriter<'a> {
    pub(crate) fn new(out: &'a mut MetricSnapshot, labels: &'a [(String, String)]) -> Self {
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
