use crate::model::{IntoLabels, MetricKind, MetricSnapshot, ModelError, Value};

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
        let mut pairs: Vec<(String, String)> = self.labels.to_vec();
        labels.visit_labels(&mut |name, value| pairs.push((name.to_owned(), value)));
        self.out.family(name, help, kind)?.add(pairs, value)?;
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
