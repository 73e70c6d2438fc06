use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;

use super::family::AlreadyHashed;

use super::{LabelSet, MetricFamily, MetricKind, ModelError, ScrapeError, Unit, Value};

/// Everything one scrape gathered: metric families in name order, plus the errors of
/// collectors that failed.
///
/// Made fresh for every scrape. Each collector fills its own snapshot through a
/// [`Writer`](crate::write::Writer) (its *source* is the name it was registered under);
/// the registry then merges them. Declaring a family that exists already returns it when
/// type, help and unit agree, and is a [`ModelError::Conflict`] naming both sources
/// otherwise.
///
/// ```
/// use actorscope::model::MetricSnapshot;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// let mut out = Writer::new(&mut snapshot);
/// out.counter("cache_hits_total", "Lookups answered from the cache.").add([("shard", "0")], 10)?;
/// // Declared again with the same type and help: the same family.
/// out.counter("cache_hits_total", "Lookups answered from the cache.").add([("shard", "1")], 7)?;
/// // Declared again as a gauge: refused, naming the family.
/// let conflict = out.gauge("cache_hits_total", "Hits.").declare().unwrap_err();
/// assert!(conflict.to_string().contains("cache_hits_total"));
///
/// assert_eq!(snapshot.get("cache_hits_total").map(|f| f.len()), Some(2));
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricSnapshot {
    source: String,
    families: BTreeMap<String, MetricFamily>,
    /// A hash of every series name the families write (see
    /// [`MetricFamily::series_name_hashes`]): a clash is looked for only on a match.
    claims: HashSet<u64, BuildHasherDefault<AlreadyHashed>>,
    errors: Vec<ScrapeError>,
}

impl MetricSnapshot {
    /// An empty snapshot whose families are attributed to no particular source.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty snapshot whose families are attributed to `source` (a collector's name).
    #[must_use]
    pub fn for_source(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            ..Self::default()
        }
    }

    /// Who fills this snapshot.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// [`Self::declare`] without a unit, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn family(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
    ) -> Result<&mut MetricFamily, ModelError> {
        self.declare(name, help, kind, None)
    }

    /// [`Self::declare`] with a unit, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn family_with_unit(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: Unit,
    ) -> Result<&mut MetricFamily, ModelError> {
        self.declare(name, help, kind, Some(unit))
    }

    /// Gets or creates the family `name`; the [`Writer`](crate::write::Writer) is the
    /// public way in.
    ///
    /// # Errors
    /// When the name is invalid, lacks the suffix its kind needs (`_total` for counters,
    /// `_info` for info), the help is empty, the unit does not end the name, the family
    /// exists with another type, help or unit, or its series names clash with another
    /// family's.
    pub(crate) fn declare(
        &mut self,
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: Option<Unit>,
    ) -> Result<&mut MetricFamily, ModelError> {
        // Fast path, taken for every sample a collector adds to a family it declared
        // already: compare the declaration in place, build nothing.
        let source = &self.source;
        let fits = |existing: &MetricFamily| {
            let same_source = existing
                .sources()
                .last()
                .map_or(source.is_empty(), |last| last == source);
            same_source && existing.declared_as(help, kind, unit)
        };
        if self.families.get(name).is_some_and(fits) {
            return Ok(self.families.get_mut(name).expect("checked just above"));
        }
        let source = self.source.clone();
        let requested = MetricFamily::declare(name, help, kind, unit, &source)?;
        self.declare_family(requested, &source)
    }

    /// Finds `requested`'s family by name (checking it agrees) or inserts it.
    fn declare_family(
        &mut self,
        requested: MetricFamily,
        source: &str,
    ) -> Result<&mut MetricFamily, ModelError> {
        let name = requested.name().to_owned();
        if self.families.contains_key(&name) {
            let existing = &self.families[&name];
            if existing.declaration() != requested.declaration() {
                return Err(ModelError::Conflict {
                    family: name,
                    existing: existing.declaration(),
                    existing_sources: existing.sources_text(),
                    requested: requested.declaration(),
                    source_name: source.to_owned(),
                });
            }
        } else {
            self.claim(&requested)?;
            self.families.insert(name.clone(), requested);
        }
        let family = self
            .families
            .get_mut(&name)
            .expect("the family was found or inserted above");
        family.add_source(source);
        Ok(family)
    }

    /// Records the series names `family` will write, refusing any another family writes.
    fn claim(&mut self, family: &MetricFamily) -> Result<(), ModelError> {
        if family
            .series_name_hashes()
            .any(|hash| self.claims.contains(&hash))
        {
            if let Some((series, other)) = self.clash_with(family) {
                return Err(ModelError::NameClash {
                    family: family.name().to_owned(),
                    other,
                    series,
                });
            }
            // Otherwise two different names hashed alike: no clash.
        }
        self.claims.extend(family.series_name_hashes());
        Ok(())
    }

    /// A series name `family` and a family here both write, and that family's name.
    fn clash_with(&self, family: &MetricFamily) -> Option<(String, String)> {
        let wanted = family.series_names();
        self.families.values().find_map(|other| {
            other
                .series_names()
                .into_iter()
                .find(|series| wanted.contains(series))
                .map(|series| (series, other.name().to_owned()))
        })
    }

    /// Moves every family, sample and error of `other` into `self`, where the caller
    /// knows that no series of `other` is in `self` already (the workers of one
    /// collector, told apart by their `worker` label): samples are appended, not hashed.
    ///
    /// # Errors
    /// The first family that conflicts with one in `self`; the others are still merged.
    pub(crate) fn merge_distinct(&mut self, mut other: MetricSnapshot) -> Result<(), ModelError> {
        let mut first_problem = None;
        let source = other.source.clone();
        self.errors.append(&mut other.errors);
        for (name, incoming) in std::mem::take(&mut other.families) {
            if !self.families.contains_key(&name) {
                match self.claim(&incoming) {
                    Ok(()) => {
                        self.families.insert(name, incoming);
                    }
                    Err(problem) => {
                        first_problem.get_or_insert(problem);
                    }
                }
                continue;
            }
            let declared = MetricFamily::declare(
                incoming.name(),
                incoming.help(),
                incoming.kind(),
                incoming.unit(),
                &source,
            );
            match declared.and_then(|requested| self.declare_family(requested, &source)) {
                Ok(family) => family.append_distinct(incoming),
                Err(problem) => {
                    first_problem.get_or_insert(problem);
                }
            }
        }
        first_problem.map_or(Ok(()), Err)
    }

    /// Moves every family, sample and error of `other` into `self`.
    ///
    /// A family that conflicts and a series already present are left out; each becomes an
    /// error in the returned list, and everything else is still merged.
    pub fn merge(&mut self, mut other: MetricSnapshot) -> Vec<ModelError> {
        let mut problems = Vec::new();
        let source = other.source.clone();
        self.errors.append(&mut other.errors);
        for (name, mut incoming) in std::mem::take(&mut other.families) {
            if !self.families.contains_key(&name) {
                // The usual case (one source per family): move the family whole, with its
                // index, instead of hashing every sample again.
                match self.claim(&incoming) {
                    Ok(()) => {
                        self.families.insert(name, incoming);
                    }
                    Err(problem) => problems.push(problem),
                }
                continue;
            }
            let samples = incoming.take_samples();
            match self.declare_family(incoming, &source) {
                Ok(family) => {
                    for (labels, value) in samples {
                        if let Err(problem) = family.insert(labels, value) {
                            problems.push(problem);
                        }
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        problems
    }

    /// Sums the counters and histograms of `other` into `self`, series by series (other
    /// kinds are dropped: a stopped worker's gauges mean nothing). A family that conflicts
    /// with one already here is skipped.
    pub fn accumulate(&mut self, mut other: MetricSnapshot) {
        let source = other.source.clone();
        for (_, mut incoming) in std::mem::take(&mut other.families) {
            if !matches!(incoming.kind(), MetricKind::Counter | MetricKind::Histogram) {
                continue;
            }
            let samples = incoming.take_samples();
            if let Ok(family) = self.declare_family(incoming, &source) {
                for (labels, value) in samples {
                    family.accumulate(labels, value);
                }
            }
        }
    }

    /// A copy holding only what the filters keep, with every error.
    ///
    /// `keep_family` picks families; within them `keep_sample` picks samples. A family
    /// left with no samples is dropped unless it had none to begin with.
    ///
    /// ```
    /// use actorscope::model::MetricSnapshot;
    /// use actorscope::write::Writer;
    ///
    /// let mut snapshot = MetricSnapshot::new();
    /// let mut out = Writer::new(&mut snapshot);
    /// out.counter("jobs_total", "Jobs done.").add([("worker", "0")], 4)?.add([("worker", "1")], 2)?;
    /// out.gauge("queue_depth", "Jobs waiting.").add((), 7)?;
    ///
    /// let worker_1 = snapshot.filtered(|_| true, |_, labels, _| labels.get("worker") == Some("1"));
    /// assert_eq!(worker_1.len(), 1);
    /// assert_eq!(worker_1.get("jobs_total").map(|f| f.len()), Some(1));
    /// # Ok::<(), actorscope::model::ModelError>(())
    /// ```
    #[must_use]
    pub fn filtered(
        &self,
        mut keep_family: impl FnMut(&MetricFamily) -> bool,
        mut keep_sample: impl FnMut(&MetricFamily, &LabelSet, &Value) -> bool,
    ) -> MetricSnapshot {
        let mut copy = MetricSnapshot {
            source: self.source.clone(),
            errors: self.errors.clone(),
            ..MetricSnapshot::default()
        };
        for (name, family) in &self.families {
            if !keep_family(family) {
                continue;
            }
            let kept = family.copy_where(|labels, value| keep_sample(family, labels, value));
            if kept.is_empty() && !family.is_empty() {
                continue;
            }
            copy.claims.extend(kept.series_name_hashes());
            copy.families.insert(name.clone(), kept);
        }
        copy
    }

    /// The families, in name order.
    pub fn families(&self) -> impl ExactSizeIterator<Item = &MetricFamily> {
        self.families.values()
    }

    /// The family `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&MetricFamily> {
        self.families.get(name)
    }

    /// How many families there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.families.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }

    /// The total number of samples in all families.
    #[must_use]
    pub fn sample_count(&self) -> usize {
        self.families.values().map(MetricFamily::len).sum()
    }

    /// The collectors that failed in this scrape.
    #[must_use]
    pub fn errors(&self) -> &[ScrapeError] {
        &self.errors
    }

    /// Records a collector's failure.
    pub fn push_error(&mut self, error: ScrapeError) {
        self.errors.push(error);
    }
}

#[cfg(test)]
mod tests;
