//! A family's samples, in the order they were added: runs built one by one, and runs
//! whose labels are shared with a worker's declared layout (written once, referenced by
//! every later scrape) beside values copied at this scrape.

use std::sync::Arc;

use once_cell::sync::OnceCell;

use super::{LabelSet, Value};

/// Which rendering of label sets an encoder keeps (see [`RenderedLabels`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rendering {
    /// `a="x",b="y"`, escaped for both text formats.
    Text,
    /// A text sample line up to its value: `name{a="x",b="y"} `.
    TextLine,
    /// `{"a":"x","b":"y"}`.
    Json,
    /// The protobuf `Metric.label` fields: each `LabelPair`, tagged and framed.
    Protobuf,
}

/// The label sets of a shared run as encoders rendered them, kept with the run's layout
/// so that each declared series is rendered once, not at every scrape.
#[derive(Debug, Default)]
pub(crate) struct RenderedLabels {
    text: OnceCell<Box<[Box<[u8]>]>>,
    line: OnceCell<Box<[Box<[u8]>]>>,
    json: OnceCell<Box<[Box<[u8]>]>>,
    protobuf: OnceCell<Box<[Box<[u8]>]>>,
}

impl RenderedLabels {
    fn get_or_render(
        &self,
        rendering: Rendering,
        labels: &[LabelSet],
        render: &dyn Fn(&LabelSet) -> Box<[u8]>,
    ) -> &[Box<[u8]>] {
        let cell = match rendering {
            Rendering::Text => &self.text,
            Rendering::TextLine => &self.line,
            Rendering::Json => &self.json,
            Rendering::Protobuf => &self.protobuf,
        };
        cell.get_or_init(|| labels.iter().map(render).collect())
    }
}

/// The samples of one family.
#[derive(Debug, Clone, Default)]
pub(crate) struct Samples {
    runs: Vec<Run>,
    /// Where each run starts, counted in samples.
    starts: Vec<usize>,
    len: usize,
}

#[derive(Debug, Clone)]
enum Run {
    /// Samples added one at a time.
    Owned(Vec<(LabelSet, Value)>),
    /// `labels[i]` goes with `values[start + i]`.
    Shared {
        labels: Arc<[LabelSet]>,
        values: Arc<Vec<Value>>,
        start: usize,
        rendered: Arc<RenderedLabels>,
    },
}

impl Run {
    fn len(&self) -> usize {
        match self {
            Self::Owned(samples) => samples.len(),
            Self::Shared { labels, .. } => labels.len(),
        }
    }

    fn get(&self, at: usize) -> (&LabelSet, &Value) {
        match self {
            Self::Owned(samples) => {
                let (labels, value) = &samples[at];
                (labels, value)
            }
            Self::Shared {
                labels,
                values,
                start,
                ..
            } => (&labels[at], &values[start + at]),
        }
    }
}

impl Samples {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The run holding sample `position`, and the sample's place in it.
    fn locate(&self, position: usize) -> (usize, usize) {
        let run = self.starts.partition_point(|start| *start <= position) - 1;
        (run, position - self.starts[run])
    }

    /// Sample `position` (which must be below `len`).
    pub(crate) fn get(&self, position: usize) -> (&LabelSet, &Value) {
        let (run, at) = self.locate(position);
        self.runs[run].get(at)
    }

    /// The value of sample `position`, to change; a shared run it is in is copied first.
    pub(crate) fn value_mut(&mut self, position: usize) -> &mut Value {
        let (run, at) = self.locate(position);
        let run = &mut self.runs[run];
        if let Run::Shared {
            labels,
            values,
            start,
            ..
        } = run
        {
            let owned = labels
                .iter()
                .cloned()
                .zip(values[*start..].iter().cloned())
                .collect();
            *run = Run::Owned(owned);
        }
        match run {
            Run::Owned(samples) => &mut samples[at].1,
            Run::Shared { .. } => unreachable!("the run was made owned just above"),
        }
    }

    pub(crate) fn last_labels(&self) -> Option<&LabelSet> {
        self.len.checked_sub(1).map(|last| self.get(last).0)
    }

    fn open_run(&mut self, run: Run) {
        self.starts.push(self.len);
        self.len += run.len();
        self.runs.push(run);
    }

    pub(crate) fn push(&mut self, labels: LabelSet, value: Value) {
        if let Some(Run::Owned(samples)) = self.runs.last_mut() {
            samples.push((labels, value));
            self.len += 1;
        } else {
            self.open_run(Run::Owned(vec![(labels, value)]));
        }
    }

    /// Appends `labels.len()` samples: `labels[i]` with `values[start + i]`; encoders
    /// keep their renderings of `labels` in `rendered`.
    pub(crate) fn push_shared(
        &mut self,
        labels: Arc<[LabelSet]>,
        values: Arc<Vec<Value>>,
        start: usize,
        rendered: Arc<RenderedLabels>,
    ) {
        debug_assert!(values.len() >= start + labels.len());
        if !labels.is_empty() {
            self.open_run(Run::Shared {
                labels,
                values,
                start,
                rendered,
            });
        }
    }

    /// Calls `each` with every sample in order, and its labels as `render` renders them
    /// where a shared run keeps them (rendered at the first call, kept for later scrapes).
    pub(crate) fn for_each_rendered(
        &self,
        rendering: Rendering,
        render: &dyn Fn(&LabelSet) -> Box<[u8]>,
        mut each: impl FnMut(&LabelSet, Option<&[u8]>, &Value),
    ) {
        for run in &self.runs {
            match run {
                Run::Owned(samples) => {
                    for (labels, value) in samples {
                        each(labels, None, value);
                    }
                }
                Run::Shared {
                    labels,
                    values,
                    start,
                    rendered,
                } => {
                    let texts = rendered.get_or_render(rendering, labels, render);
                    for ((labels, text), value) in
                        labels.iter().zip(texts.iter()).zip(&values[*start..])
                    {
                        each(labels, Some(text), value);
                    }
                }
            }
        }
    }

    /// Moves every sample of `other` to the end.
    pub(crate) fn append(&mut self, other: Samples) {
        for run in other.runs {
            match run {
                Run::Owned(samples) => {
                    for (labels, value) in samples {
                        self.push(labels, value);
                    }
                }
                shared @ Run::Shared { .. } => self.open_run(shared),
            }
        }
    }

    /// Every sample as an owned pair (labels of shared runs are reference-counted copies).
    pub(crate) fn into_pairs(self) -> Vec<(LabelSet, Value)> {
        let mut pairs = Vec::with_capacity(self.len);
        for run in self.runs {
            match run {
                Run::Owned(samples) => pairs.extend(samples),
                Run::Shared {
                    labels,
                    values,
                    start,
                    ..
                } => pairs.extend(labels.iter().cloned().zip(values[start..].iter().cloned())),
            }
        }
        pairs
    }

    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            runs: &self.runs,
            run: 0,
            at: 0,
            left: self.len,
        }
    }
}

impl PartialEq for Samples {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

/// The samples in order.
#[derive(Debug, Clone)]
pub(crate) struct Iter<'a> {
    runs: &'a [Run],
    run: usize,
    at: usize,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a LabelSet, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(run) = self.runs.get(self.run) {
            if self.at < run.len() {
                let sample = run.get(self.at);
                self.at += 1;
                self.left -= 1;
                return Some(sample);
            }
            self.run += 1;
            self.at = 0;
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LabelSet, MetricKind};

    fn labels(value: &str) -> LabelSet {
        let mut names = super::super::labels::LabelNames::default();
        LabelSet::build("f", MetricKind::Gauge, &mut names, [("k", value)]).unwrap()
    }

    #[test]
    fn owned_and_shared_runs_read_back_in_order_and_copy_on_change() {
        let shared_labels: Arc<[LabelSet]> = vec![labels("b"), labels("c")].into();
        let values = Arc::new(vec![
            Value::Number(9.0),
            Value::Number(2.0),
            Value::Number(3.0),
        ]);
        let mut samples = Samples::default();
        samples.push(labels("a"), Value::Number(1.0));
        samples.push_shared(
            Arc::clone(&shared_labels),
            Arc::clone(&values),
            1,
            Arc::default(),
        );
        samples.push(labels("d"), Value::Number(4.0));
        assert_eq!(samples.len(), 4);
        let read: Vec<(String, f64)> = samples
            .iter()
            .map(|(l, v)| (l.get("k").unwrap().to_owned(), v.as_f64().unwrap()))
            .collect();
        let expected = [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)];
        assert_eq!(read, expected.map(|(k, v)| (k.to_owned(), v)).to_vec());
        assert_eq!(samples.get(2).0.get("k"), Some("c"));
        assert_eq!(samples.last_labels().and_then(|l| l.get("k")), Some("d"));

        *samples.value_mut(2) = Value::Number(30.0);
        assert_eq!(samples.get(2).1.as_f64(), Some(30.0));
        assert_eq!(samples.get(1).1.as_f64(), Some(2.0));
        assert_eq!(
            values[2].as_f64(),
            Some(3.0),
            "the shared values are not changed"
        );
        assert_eq!(samples.iter().len(), 4);
        assert_eq!(samples.clone().into_pairs().len(), 4);
    }
}
