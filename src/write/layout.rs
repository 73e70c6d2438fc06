//! A worker's declared series, remembered from one scrape so that the next one copies
//! numbers only.
//!
//! The first time a worker's stats are written, the [`Writer`](super::Writer) builds the
//! snapshot as for any collector (every name, label and series validated, duplicates
//! refused) and [`Recording`] notes what was declared, in order. Later scrapes write the
//! same stats through a [`Replay`]: each family and sample is compared with the one at
//! the same place in the [`Layout`] (names and label values compared, nothing copied or
//! hashed) and only the values are kept, in declared order. [`Layout::apply`] then appends
//! them to the snapshot beside the series built the first time. Anything that differs
//! (a new series, a family written in another order, a value the model refuses) makes
//! the replay fail, and the caller writes the stats again the first way, recording anew.

use std::sync::Arc;

use crate::model::{
    IntoLabels, LabelSet, MetricKind, MetricSnapshot, ModelError, RenderedLabels, Unit, Value,
};

/// What one write of a worker's stats declared, in the order it declared it.
#[derive(Debug)]
pub(crate) struct Layout {
    /// The labels the writer added to every sample (`worker`, the collector's own).
    prefix: Vec<(String, String)>,
    declared: Vec<Declared>,
    series: usize,
}

/// One declaration of a family, and the samples added to it before the next one.
#[derive(Debug)]
struct Declared {
    name: String,
    help: String,
    kind: MetricKind,
    unit: Option<Unit>,
    /// Each sample's full, validated labels (the writer's and its own), shared with
    /// every snapshot the layout is applied to.
    labels: Arc<[LabelSet]>,
    /// The encoders' renderings of `labels`, made at the first encode.
    rendered: Arc<RenderedLabels>,
    /// For each sample, for each of its own labels in the order the write gave them:
    /// the label's position in the sample's set; sample `i`'s are
    /// `own[own_ends[i - 1]..own_ends[i]]`.
    own: Vec<u16>,
    own_ends: Vec<u32>,
}

impl Declared {
    fn samples(&self) -> usize {
        self.own_ends.len()
    }

    /// Sample `i`'s own label positions.
    fn own(&self, i: usize) -> Option<&[u16]> {
        let end = *self.own_ends.get(i)? as usize;
        let start = i
            .checked_sub(1)
            .map_or(0, |before| self.own_ends[before] as usize);
        self.own.get(start..end)
    }
}

/// The names of one sample's own labels, in the order given; reused from sample to
/// sample, so recording allocates nothing per sample once warm.
#[derive(Debug, Default)]
pub(crate) struct OwnNames {
    text: String,
    ends: Vec<usize>,
}

impl OwnNames {
    pub(crate) fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len());
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.ends.iter().enumerate().map(|(i, end)| {
            let start = i.checked_sub(1).map_or(0, |before| self.ends[before]);
            &self.text[start..*end]
        })
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

impl Layout {
    /// Appends a replay's `values` to `out`, each under the series recorded for it.
    ///
    /// The series are distinct from each other (the recording write checked them) and
    /// from any other worker's (the `worker` label), so nothing is hashed.
    ///
    /// # Errors
    /// When a family is declared otherwise in `out` already (another collector's).
    pub(crate) fn apply(
        &self,
        values: Vec<Value>,
        out: &mut MetricSnapshot,
    ) -> Result<(), ModelError> {
        let values = Arc::new(values);
        let mut start = 0;
        for declared in &self.declared {
            let family =
                out.declare(&declared.name, &declared.help, declared.kind, declared.unit)?;
            family.push_shared(
                Arc::clone(&declared.labels),
                Arc::clone(&values),
                start,
                Arc::clone(&declared.rendered),
            );
            start += declared.labels.len();
        }
        Ok(())
    }
}

/// Notes what a write declares while it builds a snapshot the usual way.
#[derive(Debug, Default)]
pub(crate) struct Recording {
    declared: Vec<Declared>,
    /// The labels of the latest declaration's samples so far.
    labels: Vec<LabelSet>,
    series: usize,
    names: OwnNames,
}

impl Recording {
    pub(crate) fn declare(&mut self, name: &str, help: &str, kind: MetricKind, unit: Option<Unit>) {
        self.close();
        self.declared.push(Declared {
            name: name.to_owned(),
            help: help.to_owned(),
            kind,
            unit,
            labels: Arc::from(Vec::new()),
            rendered: Arc::default(),
            own: Vec::new(),
            own_ends: Vec::new(),
        });
    }

    /// Freezes the labels of the latest declaration.
    fn close(&mut self) {
        if let Some(declared) = self.declared.last_mut() {
            declared.labels = std::mem::take(&mut self.labels).into();
        }
    }

    /// The (cleared) names buffer for the next sample; give it back with [`Self::add`].
    pub(crate) fn take_names(&mut self) -> OwnNames {
        let mut names = std::mem::take(&mut self.names);
        names.clear();
        names
    }

    /// A sample was added with `labels` (when `labels` is `Some`); `names` names its own
    /// labels in the order given, and is kept for the next sample.
    pub(crate) fn add(&mut self, labels: Option<&LabelSet>, names: OwnNames) {
        if let (Some(labels), Some(declared)) = (labels, self.declared.last_mut()) {
            let start = declared.own.len();
            let found = names.iter().all(|name| {
                let at = labels.position(name).and_then(|at| u16::try_from(at).ok());
                at.map(|at| declared.own.push(at)).is_some()
            });
            let end = u32::try_from(declared.own.len()).ok();
            match end {
                // Always found (a sample's own labels are in its set); a layout missing
                // a sample would only make the next replay fail.
                Some(end) if found => {
                    declared.own_ends.push(end);
                    self.labels.push(labels.clone());
                    self.series += 1;
                }
                _ => declared.own.truncate(start),
            }
        }
        self.names = names;
    }

    /// The layout of a write that succeeded with the writer's labels `prefix`.
    pub(crate) fn finish(mut self, prefix: &[(String, String)]) -> Layout {
        self.close();
        Layout {
            prefix: prefix.to_vec(),
            declared: self.declared,
            series: self.series,
        }
    }
}

/// Compares a write with a [`Layout`] and keeps its values.
#[derive(Debug)]
pub(crate) struct Replay {
    layout: Arc<Layout>,
    /// How many declarations have been matched.
    declared: usize,
    /// How many samples of the latest declaration have been matched.
    added: usize,
    values: Vec<Value>,
    failed: bool,
}

impl Replay {
    /// A replay of `layout` for a writer that adds `prefix` to every sample.
    pub(crate) fn new(layout: Arc<Layout>, prefix: &[(String, String)]) -> Self {
        let failed = layout.prefix != prefix;
        let values = Vec::with_capacity(layout.series);
        Self {
            layout,
            declared: 0,
            added: 0,
            values,
            failed,
        }
    }

    fn current(&self) -> Option<&Declared> {
        self.declared
            .checked_sub(1)
            .and_then(|at| self.layout.declared.get(at))
    }

    fn current_is_complete(&self) -> bool {
        self.current()
            .is_none_or(|declared| declared.samples() == self.added)
    }

    pub(crate) fn declare(&mut self, name: &str, help: &str, kind: MetricKind, unit: Option<Unit>) {
        if self.failed {
            return;
        }
        let same = self.current_is_complete()
            && self.layout.declared.get(self.declared).is_some_and(|next| {
                next.kind == kind && next.unit == unit && next.name == name && next.help == help
            });
        if same {
            self.declared += 1;
            self.added = 0;
        } else {
            self.failed = true;
        }
    }

    /// A sample with its own labels `labels` (the prefix is the layout's).
    pub(crate) fn add(&mut self, labels: impl IntoLabels, value: Value) {
        if self.failed {
            return;
        }
        let Some(declared) = self.current() else {
            self.failed = true;
            return;
        };
        let (Some(own), Some(set)) = (declared.own(self.added), declared.labels.get(self.added))
        else {
            self.failed = true;
            return;
        };
        let mut given = 0;
        let mut same = true;
        labels.visit_labels(&mut |name, text| {
            same = same
                && own
                    .get(given)
                    .is_some_and(|&at| set.is_at(usize::from(at), name, &text));
            given += 1;
        });
        let value = match value.check_for(&declared.name, declared.kind) {
            Ok(value) if same && given == own.len() => value,
            _ => {
                self.failed = true;
                return;
            }
        };
        self.values.push(value);
        self.added += 1;
    }

    /// Makes the replay fail (the write did something a layout cannot repeat).
    pub(crate) fn fail(&mut self) {
        self.failed = true;
    }

    /// The layout and the values, if the write matched it from start to end.
    pub(crate) fn finish(self) -> Option<(Arc<Layout>, Vec<Value>)> {
        let complete = !self.failed
            && self.declared == self.layout.declared.len()
            && self.current_is_complete();
        complete.then_some((self.layout, self.values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelSet;
    use crate::write::Writer;

    /// Stats as a worker might write them: `routes` decide which series exist.
    struct Stats {
        routes: Vec<(&'static str, u64)>,
        help: &'static str,
        depth: f64,
    }

    impl Stats {
        fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
            let mut requests = out.counter("requests_total", self.help).declare()?;
            for (route, count) in &self.routes {
                requests.add([("route", *route), ("method", "GET")], *count)?;
            }
            out.gauge("queue_depth", "Jobs waiting.")
                .add((), self.depth)?;
            Ok(())
        }
    }

    fn prefix() -> Vec<(String, String)> {
        vec![("worker".to_owned(), "0".to_owned())]
    }

    fn record(stats: &Stats) -> (MetricSnapshot, Arc<Layout>) {
        let labels = prefix();
        let mut snapshot = MetricSnapshot::new();
        let mut recording = Recording::default();
        stats
            .write(&mut Writer::recording(
                &mut snapshot,
                &labels,
                &mut recording,
            ))
            .unwrap();
        (snapshot, Arc::new(recording.finish(&labels)))
    }

    fn replay(layout: &Arc<Layout>, stats: &Stats) -> Option<MetricSnapshot> {
        let labels = prefix();
        let mut replay = Replay::new(Arc::clone(layout), &labels);
        let _ = stats.write(&mut Writer::replaying(&mut replay, &labels));
        let (layout, values) = replay.finish()?;
        let mut snapshot = MetricSnapshot::new();
        layout.apply(values, &mut snapshot).unwrap();
        Some(snapshot)
    }

    fn stats(routes: &[(&'static str, u64)]) -> Stats {
        Stats {
            routes: routes.to_vec(),
            help: "Requests.",
            depth: 2.0,
        }
    }

    #[test]
    fn a_replay_gives_the_snapshot_a_full_write_gives() {
        let (_, layout) = record(&stats(&[("/a", 1), ("/b", 2)]));
        let later = stats(&[("/a", 5), ("/b", 9)]);
        let (expected, _) = record(&later);
        let replayed = replay(&layout, &later).expect("same series");
        assert_eq!(replayed, expected);
        let family = replayed.get("requests_total").unwrap();
        let b = family.value([("worker", "0"), ("route", "/b"), ("method", "GET")]);
        assert_eq!(b.and_then(|v| v.as_f64()), Some(9.0));
    }

    #[test]
    fn any_difference_makes_the_replay_fail() {
        let base = stats(&[("/a", 1), ("/b", 2)]);
        let (_, layout) = record(&base);
        let changed = [
            stats(&[("/a", 1), ("/c", 2)]),            // another label value
            stats(&[("/a", 1)]),                       // a series fewer
            stats(&[("/a", 1), ("/b", 2), ("/c", 3)]), // a series more
            stats(&[("/b", 2), ("/a", 1)]),            // another order
            Stats {
                help: "Requests served.",
                ..stats(&[("/a", 1), ("/b", 2)])
            },
        ];
        for stats in &changed {
            assert!(replay(&layout, stats).is_none(), "{:?}", stats.routes);
        }
        // A value the model refuses (a negative count) fails it too; the full write that
        // follows reports the error.
        let labels = prefix();
        let mut replay = Replay::new(Arc::clone(&layout), &labels);
        Writer::replaying(&mut replay, &labels)
            .counter("requests_total", "Requests.")
            .add([("route", "/a"), ("method", "GET")], -1.0)
            .unwrap();
        assert!(replay.finish().is_none());
    }

    #[test]
    fn labels_given_in_another_order_or_with_another_prefix_do_not_match() {
        let (_, layout) = record(&stats(&[("/a", 1)]));
        let labels = prefix();
        let mut swapped = Replay::new(Arc::clone(&layout), &labels);
        let mut out = Writer::replaying(&mut swapped, &labels);
        out.counter("requests_total", "Requests.")
            .add([("method", "GET"), ("route", "/a")], 1)
            .unwrap();
        out.gauge("queue_depth", "Jobs waiting.")
            .add((), 2.0)
            .unwrap();
        assert!(swapped.finish().is_none());

        let other = vec![("worker".to_owned(), "1".to_owned())];
        let mut moved = Replay::new(Arc::clone(&layout), &other);
        let _ = stats(&[("/a", 1)]).write(&mut Writer::replaying(&mut moved, &other));
        assert!(moved.finish().is_none());
    }

    #[test]
    fn recorded_series_keep_their_full_validated_labels() {
        let (snapshot, layout) = record(&stats(&[("/a", 1)]));
        let recorded: Vec<&LabelSet> = layout
            .declared
            .iter()
            .flat_map(|d| d.labels.iter())
            .collect();
        let written: Vec<&LabelSet> = snapshot
            .families()
            .flat_map(|f| f.samples().map(|(labels, _)| labels))
            .collect();
        assert_eq!(recorded.len(), 2);
        assert!(recorded.iter().all(|labels| written.contains(labels)));
    }

    #[test]
    fn a_refused_sample_is_not_recorded_and_its_error_is_returned() {
        let labels = prefix();
        let mut snapshot = MetricSnapshot::new();
        let mut recording = Recording::default();
        let mut out = Writer::recording(&mut snapshot, &labels, &mut recording);
        let mut family = out
            .counter("requests_total", "Requests.")
            .declare()
            .unwrap();
        family.add([("route", "/a")], 1).unwrap();
        let error = family.add([("route", "/a")], 2).unwrap_err();
        assert!(
            matches!(error, ModelError::DuplicateSeries { .. }),
            "{error}"
        );
        let error = family.add([("bad-name", "1")], 2).unwrap_err();
        assert!(
            matches!(error, ModelError::InvalidLabelName { .. }),
            "{error}"
        );
        family.add([("route", "/b")], 3).unwrap();
        let layout = recording.finish(&labels);
        let routes: Vec<&str> = layout.declared[0]
            .labels
            .iter()
            .filter_map(|labels| labels.get("route"))
            .collect();
        assert_eq!(routes, ["/a", "/b"]);
        // `route` sorts before `worker`: the own label is at position 0 of each set.
        assert_eq!(layout.declared[0].own(1), Some(&[0u16][..]));
        assert_eq!(layout.declared[0].own(2), None);
    }
}
