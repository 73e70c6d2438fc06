use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use std::sync::Arc;

use once_cell::sync::OnceCell;

use super::label_hash::LabelHashSeed;
use super::labels::LabelNames;
use super::name::is_valid_metric_name;
use super::samples::{RenderedLabels, Rendering, Samples};
use super::{IntoLabels, LabelSet, ModelError, Unit, Value};

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MetricKind {
    /// A monotonically increasing number; its name ends in `_total`.
    Counter,
    /// A number that goes up and down.
    Gauge,
    /// Observations counted into cumulative buckets, with sum and count.
    Histogram,
    /// Precomputed quantiles, with sum and count.
    Summary,
    /// Facts carried as labels with the value 1; its name ends in `_info`.
    Info,
    /// The state of every slot of a pool ([`SlotStates`](super::SlotStates)): written by
    /// the JSON format only, left out of the text formats.
    Slots,
}

impl MetricKind {
    /// The lower-case name used by the text formats and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::Summary => "summary",
            Self::Info => "info",
            Self::Slots => "slots",
        }
    }

    /// The suffix a name of this kind must end with, if any.
    fn required_suffix(self) -> Option<&'static str> {
        match self {
            Self::Counter => Some("_total"),
            Self::Info => Some("_info"),
            Self::Gauge | Self::Histogram | Self::Summary | Self::Slots => None,
        }
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One metric: name, help, kind, optional unit, and its samples, one per label set.
///
/// The name is the one a Prometheus text scrape shows: counters end in `_total`, info
/// families in `_info`. Samples keep the order they were added in, so output is as
/// stable as the collectors' own order; adding costs O(1) whatever the family's size.
///
/// The index that finds a sample by its labels (and refuses a repeated label set) is
/// built on first use: a scrape that appends series known to be distinct (a worker's
/// declared series, see [`WorkerCollector`](crate::actor::WorkerCollector)) and then only
/// encodes them never hashes a label set.
#[derive(Debug, Clone)]
pub struct MetricFamily {
    name: String,
    help: String,
    kind: MetricKind,
    unit: Option<Unit>,
    samples: Samples,
    index: OnceCell<SeriesIndex>,
    hasher: LabelHashSeed,
    label_names: LabelNames,
    sources: Vec<String>,
}

/// Finds samples by label set.
#[derive(Debug, Clone, Default)]
struct SeriesIndex {
    /// Hash of a label set → position of the first sample with that hash.
    first: HashMap<u64, usize, BuildHasherDefault<AlreadyHashed>>,
    /// Positions of samples whose hash was already taken by another label set.
    collisions: Vec<usize>,
}

impl SeriesIndex {
    fn of(samples: &Samples, hasher: &LabelHashSeed) -> Self {
        let mut index = Self::default();
        index.first.reserve(samples.len());
        for (position, (labels, _)) in samples.iter().enumerate() {
            match index.first.entry(hasher.hash_one(labels)) {
                Entry::Vacant(slot) => {
                    slot.insert(position);
                }
                Entry::Occupied(_) => index.collisions.push(position),
            }
        }
        index
    }

    /// The position of the sample labelled `labels` (hashed to `hash`).
    fn find(&self, samples: &Samples, hash: u64, labels: &LabelSet) -> Option<usize> {
        let first = *self.first.get(&hash)?;
        std::iter::once(first)
            .chain(self.collisions.iter().copied())
            .find(|i| samples.get(*i).0 == labels)
    }
}

/// The index's keys are already hashes of label sets: use them as they are
/// rather than hash them a second time.
#[derive(Debug, Default)]
pub(super) struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the key is a `u64`); fold anything else in anyway.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

impl PartialEq for MetricFamily {
    /// Same declaration and the same samples in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.declaration() == other.declaration()
            && self.name == other.name
            && self.samples == other.samples
    }
}

impl MetricFamily {
    /// Validates a declaration; used by [`MetricSnapshot`](super::MetricSnapshot). The
    /// help is kept trimmed (a doc comment's leading space is not part of it).
    pub(crate) fn declare(
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: Option<Unit>,
        source: &str,
    ) -> Result<Self, ModelError> {
        if !is_valid_metric_name(name) {
            return Err(ModelError::InvalidMetricName {
                name: name.to_owned(),
            });
        }
        if let Some(suffix) = kind.required_suffix() {
            let stem = name.strip_suffix(suffix).unwrap_or("");
            if !is_valid_metric_name(stem) {
                return Err(ModelError::MissingSuffix {
                    family: name.to_owned(),
                    kind,
                    suffix,
                });
            }
        }
        if help.trim().is_empty() {
            return Err(ModelError::MissingHelp {
                family: name.to_owned(),
            });
        }
        let mut family = Self {
            name: name.to_owned(),
            help: help.trim().to_owned(),
            kind,
            unit,
            samples: Samples::default(),
            index: OnceCell::new(),
            hasher: LabelHashSeed::new(),
            label_names: LabelNames::default(),
            sources: Vec::new(),
        };
        if let Some(unit) = unit {
            family.check_unit(unit)?;
        }
        family.add_source(source);
        Ok(family)
    }

    fn check_unit(&self, unit: Unit) -> Result<(), ModelError> {
        let unit = unit.as_str();
        let reason = if matches!(self.kind, MetricKind::Info | MetricKind::Slots) {
            Some("info and slot-map families cannot have a unit")
        } else if unit.is_empty()
            || !unit
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        {
            Some("a unit is made of [a-zA-Z0-9_:] and is not empty")
        } else if !self.openmetrics_name().ends_with(&format!("_{unit}")) {
            Some("the name (before _total) must end with _<unit>")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(ModelError::InvalidUnit {
                family: self.name.clone(),
                unit: unit.to_owned(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Adds one sample; the typed [`FamilyWriter`](crate::write::FamilyWriter) is the
    /// public way in.
    ///
    /// # Errors
    /// When a label name is invalid, reserved or repeated, the label set is already
    /// present, or the value does not fit the family's kind (see [`ModelError`]). The
    /// family is unchanged then.
    pub(crate) fn add(
        &mut self,
        labels: impl IntoLabels,
        value: impl Into<Value>,
    ) -> Result<&mut Self, ModelError> {
        let labels = LabelSet::build(&self.name, self.kind, &mut self.label_names, labels)?;
        let value = value.into().check_for(&self.name, self.kind)?;
        self.insert(labels, value)?;
        Ok(self)
    }

    /// Builds the index if it was not yet.
    fn index_mut(&mut self) {
        if self.index.get().is_none() {
            let built = SeriesIndex::of(&self.samples, &self.hasher);
            let _ = self.index.set(built);
        }
    }

    fn index(&self) -> &SeriesIndex {
        self.index
            .get_or_init(|| SeriesIndex::of(&self.samples, &self.hasher))
    }

    /// Inserts an already validated sample, refusing a repeated label set.
    pub(crate) fn insert(&mut self, labels: LabelSet, value: Value) -> Result<(), ModelError> {
        let hash = self.hasher.hash_one(&labels);
        let position = self.samples.len();
        self.index_mut();
        let index = self.index.get_mut().expect("built just above");
        let samples = &self.samples;
        match index.first.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(position);
            }
            Entry::Occupied(slot) => {
                let same = std::iter::once(*slot.get())
                    .chain(index.collisions.iter().copied())
                    .any(|i| *samples.get(i).0 == labels);
                if same {
                    return Err(ModelError::DuplicateSeries {
                        family: self.name.clone(),
                        labels: labels.to_string(),
                        sources: self.sources_text(),
                    });
                }
                index.collisions.push(position);
            }
        }
        self.samples.push(labels, value);
        Ok(())
    }

    /// Appends a sample whose labels the caller knows no other sample has (a worker's
    /// declared series: validated when they were first written, and told apart from other
    /// workers' by the `worker` label). Nothing is hashed; an index already built is
    /// dropped, to be rebuilt if a lookup needs it.
    pub(crate) fn push_distinct(&mut self, labels: LabelSet, value: Value) {
        self.index = OnceCell::new();
        self.samples.push(labels, value);
    }

    /// Appends `labels.len()` samples, `labels[i]` with `values[start + i]`, under the
    /// same promise as [`Self::push_distinct`]; the label sets are shared, not copied.
    pub(crate) fn push_shared(
        &mut self,
        labels: Arc<[LabelSet]>,
        values: Arc<Vec<Value>>,
        start: usize,
        rendered: Arc<RenderedLabels>,
    ) {
        self.index = OnceCell::new();
        self.samples.push_shared(labels, values, start, rendered);
    }

    /// Calls `each` with every sample in order, and its labels rendered by `render` when
    /// they belong to a worker's declared series (rendered once, then kept for every later
    /// scrape; `None` for other samples).
    pub(crate) fn for_each_rendered(
        &self,
        rendering: Rendering,
        render: &dyn Fn(&LabelSet) -> Box<[u8]>,
        each: impl FnMut(&LabelSet, Option<&[u8]>, &Value),
    ) {
        self.samples.for_each_rendered(rendering, render, each);
    }

    /// Moves the samples of `other` (a family of the same declaration) to the end, under
    /// the same promise as [`Self::push_distinct`].
    pub(crate) fn append_distinct(&mut self, other: MetricFamily) {
        self.index = OnceCell::new();
        self.samples.append(other.samples);
    }

    /// The labels of the sample added last.
    pub(crate) fn last_labels(&self) -> Option<&LabelSet> {
        self.samples.last_labels()
    }

    /// Adds `value` to the sample with `labels`, or inserts it: counters and histograms
    /// (with equal bounds) sum; other kinds keep the first value. Used to fold the totals
    /// of workers that have stopped, so aggregated counters never go backwards.
    pub(crate) fn accumulate(&mut self, labels: LabelSet, value: Value) {
        let hash = self.hasher.hash_one(&labels);
        let existing = self.index().find(&self.samples, hash, &labels);
        match existing {
            Some(i) => {
                self.samples.value_mut(i).add_assign(&value);
                // The index holds positions only: a run copied to change it keeps them.
            }
            None => {
                // Cannot be a duplicate: it was just looked up.
                let _ = self.insert(labels, value);
            }
        }
    }

    /// The name, as the Prometheus text format shows it (counters with `_total`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The OpenMetrics family name: counters without `_total`, info without `_info`.
    #[must_use]
    pub fn openmetrics_name(&self) -> &str {
        self.kind
            .required_suffix()
            .and_then(|suffix| self.name.strip_suffix(suffix))
            .unwrap_or(&self.name)
    }

    /// The help text.
    #[must_use]
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The kind.
    #[must_use]
    pub fn kind(&self) -> MetricKind {
        self.kind
    }

    /// The unit, if one was declared.
    #[must_use]
    pub fn unit(&self) -> Option<Unit> {
        self.unit
    }

    /// The samples, in the order they were added.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = (&LabelSet, &Value)> {
        self.samples.iter()
    }

    /// The value of the sample with exactly these labels (in any order).
    #[must_use]
    pub fn value(&self, labels: impl IntoLabels) -> Option<&Value> {
        let mut names = self.label_names.clone();
        let labels = LabelSet::build(&self.name, self.kind, &mut names, labels).ok()?;
        self.value_of(&labels)
    }

    /// The value of the sample whose labels are exactly `labels` (a set taken from this
    /// or another family): one hash lookup, nothing built (but the index, on first use).
    #[must_use]
    pub fn value_of(&self, labels: &LabelSet) -> Option<&Value> {
        let hash = self.hasher.hash_one(labels);
        self.index()
            .find(&self.samples, hash, labels)
            .map(|i| self.samples.get(i).1)
    }

    /// How many samples there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The collectors (or other named sources) that contributed to this family.
    #[must_use]
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Records `source` as a contributor; the empty source means "unattributed".
    pub(crate) fn add_source(&mut self, source: &str) {
        if !source.is_empty() && !self.sources.iter().any(|known| known == source) {
            self.sources.push(source.to_owned());
        }
    }

    pub(crate) fn sources_text(&self) -> String {
        let quoted: Vec<String> = self.sources.iter().map(|s| format!("{s:?}")).collect();
        quoted.join(", ")
    }

    /// A copy with the same declaration and only the samples `keep` accepts.
    pub(crate) fn copy_where(&self, mut keep: impl FnMut(&LabelSet, &Value) -> bool) -> Self {
        let mut copy = Self {
            name: self.name.clone(),
            help: self.help.clone(),
            kind: self.kind,
            unit: self.unit,
            samples: Samples::default(),
            index: OnceCell::new(),
            hasher: self.hasher.clone(),
            label_names: self.label_names.clone(),
            sources: self.sources.clone(),
        };
        for (labels, value) in self
            .samples
            .iter()
            .filter(|(labels, value)| keep(labels, value))
        {
            // The labels were unique here, so they are unique in the copy.
            copy.push_distinct(labels.clone(), value.clone());
        }
        copy
    }

    pub(crate) fn take_samples(&mut self) -> Vec<(LabelSet, Value)> {
        self.index = OnceCell::new();
        std::mem::take(&mut self.samples).into_pairs()
    }

    /// Whether this family was declared with exactly this help, kind and unit.
    pub(crate) fn declared_as(&self, help: &str, kind: MetricKind, unit: Option<Unit>) -> bool {
        self.kind == kind && self.help == help.trim() && self.unit == unit
    }

    /// `counter "help" (unit seconds)`: what must agree for two declarations to merge.
    pub(crate) fn declaration(&self) -> String {
        match self.unit {
            Some(unit) => format!(
                "{} {:?} with unit {:?}",
                self.kind,
                self.help,
                unit.as_str()
            ),
            None => format!("{} {:?}", self.kind, self.help),
        }
    }

    /// Every series name this family may write in either text format, and its
    /// OpenMetrics family name: two families must not share any of them.
    ///
    /// ```
    /// use actorscope::model::MetricSnapshot;
    /// use actorscope::write::Writer;
    ///
    /// let mut snapshot = MetricSnapshot::new();
    /// Writer::new(&mut snapshot).counter("jobs_total", "Jobs done.").declare()?;
    /// let family = snapshot.get("jobs_total").unwrap();
    /// assert_eq!(family.series_names(), ["jobs", "jobs_total", "jobs_created"]);
    /// # Ok::<(), actorscope::model::ModelError>(())
    /// ```
    #[must_use]
    pub fn series_names(&self) -> Vec<String> {
        let base = self.openmetrics_name();
        self.series_suffixes()
            .iter()
            .map(|suffix| format!("{base}{suffix}"))
            .collect()
    }

    fn series_suffixes(&self) -> &'static [&'static str] {
        match self.kind {
            MetricKind::Counter => &["", "_total", "_created"],
            MetricKind::Gauge => &[""],
            MetricKind::Histogram => &["", "_bucket", "_count", "_sum", "_created"],
            MetricKind::Summary => &["", "_count", "_sum", "_created"],
            MetricKind::Info => &["", "_info"],
            MetricKind::Slots => &[""],
        }
    }

    /// A hash of each of [`Self::series_names`], made without building the names (FNV-1a
    /// over the bytes of base and suffix): what a snapshot compares to find a clash.
    pub(crate) fn series_name_hashes(&self) -> impl Iterator<Item = u64> + '_ {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0100_0000_01b3;
        let fnv = |hash: u64, bytes: &[u8]| {
            bytes.iter().fold(hash, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
            })
        };
        let base = fnv(OFFSET, self.openmetrics_name().as_bytes());
        self.series_suffixes()
            .iter()
            .map(move |suffix| fnv(base, suffix.as_bytes()))
    }
}
