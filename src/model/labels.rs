use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::name::is_valid_label_name;
use super::{MetricKind, ModelError};

/// The labels of one series: valid, unique names, sorted by name.
///
/// Built by [`FamilyWriter::add`](crate::write::FamilyWriter::add) from anything that
/// implements [`IntoLabels`]. Sorting makes two sets with the same pairs equal whatever
/// order they were given in. Names are shared (`Arc<str>`) with the family, which
/// validates each name once; the set itself is shared too, so a copy of a set (a scrape
/// that repeats a worker's declared series) costs a reference count, not a string copy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelSet {
    pairs: Pairs,
}

/// Name (shared with the family) and value of each label, sorted by name.
type Pairs = Arc<[(Arc<str>, String)]>;

impl Default for LabelSet {
    fn default() -> Self {
        static EMPTY: once_cell::sync::Lazy<Pairs> =
            once_cell::sync::Lazy::new(|| Arc::from(Vec::new()));
        Self {
            pairs: Arc::clone(&EMPTY),
        }
    }
}

/// The label names a family has seen, validated once each.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LabelNames {
    known: Vec<Arc<str>>,
}

impl LabelNames {
    /// The shared, validated name; validates and remembers a name seen for the first time.
    fn intern(
        &mut self,
        family: &str,
        kind: MetricKind,
        name: &str,
    ) -> Result<Arc<str>, ModelError> {
        if let Some(known) = self.known.iter().find(|known| ***known == *name) {
            return Ok(Arc::clone(known));
        }
        if !is_valid_label_name(name) {
            return Err(ModelError::InvalidLabelName {
                family: family.to_owned(),
                label: name.to_owned(),
            });
        }
        let reserved = name.starts_with("__")
            || (name == "le" && kind == MetricKind::Histogram)
            || (name == "quantile" && kind == MetricKind::Summary);
        if reserved {
            return Err(ModelError::ReservedLabelName {
                family: family.to_owned(),
                label: name.to_owned(),
                kind,
            });
        }
        let name: Arc<str> = name.into();
        self.known.push(Arc::clone(&name));
        Ok(name)
    }
}

impl LabelSet {
    /// Validates `labels` as the labels of a sample of `family`.
    pub(crate) fn build(
        family: &str,
        kind: MetricKind,
        names: &mut LabelNames,
        labels: impl IntoLabels,
    ) -> Result<Self, ModelError> {
        let mut pairs = Vec::with_capacity(4);
        let mut failure = None;
        labels.visit_labels(&mut |name, value| {
            if failure.is_none() {
                match names.intern(family, kind, name) {
                    Ok(name) => pairs.push((name, value.into_owned())),
                    Err(error) => failure = Some(error),
                }
            }
        });
        if let Some(error) = failure {
            return Err(error);
        }
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = pairs.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(ModelError::DuplicateLabelName {
                family: family.to_owned(),
                label: pair[0].0.to_string(),
            });
        }
        if pairs.is_empty() {
            return Ok(Self::default());
        }
        Ok(Self {
            pairs: pairs.into(),
        })
    }

    /// The position of label `name` in [`Self::iter`]'s order.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.pairs.iter().position(|(label, _)| **label == *name)
    }

    /// Whether the label at `position` is `name="value"`.
    pub(crate) fn is_at(&self, position: usize, name: &str, value: &str) -> bool {
        self.pairs
            .get(position)
            .is_some_and(|(label, text)| same_text(label, name) && same_text(text, value))
    }

    /// The `(name, value)` pairs, sorted by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (&**name, value.as_str()))
    }

    /// The value of label `name`, if the set has it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(label, _)| *label == name)
            .map(|(_, value)| value)
    }

    /// How many labels there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// `a == b`, without a call to `memcmp` for the short texts labels mostly are.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && if a.len() > 16 {
            a == b
        } else {
            a.iter().zip(b).all(|(x, y)| x == y)
        }
}

impl fmt::Display for LabelSet {
    /// `{a="x",b="y"}` with values quoted as Rust strings (for messages, not output).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{name}={value:?}")?;
        }
        f.write_str("}")
    }
}

/// A label value: borrowed strings are lent (copied only when a new series is made),
/// owned ones are moved in.
pub trait LabelValue {
    /// The value, borrowed where it can be.
    fn into_label_value<'a>(self) -> Cow<'a, str>
    where
        Self: 'a;
}

impl LabelValue for String {
    fn into_label_value<'a>(self) -> Cow<'a, str> {
        Cow::Owned(self)
    }
}

impl LabelValue for &str {
    fn into_label_value<'a>(self) -> Cow<'a, str>
    where
        Self: 'a,
    {
        Cow::Borrowed(self)
    }
}

impl LabelValue for &String {
    fn into_label_value<'a>(self) -> Cow<'a, str>
    where
        Self: 'a,
    {
        Cow::Borrowed(self.as_str())
    }
}

impl LabelValue for Cow<'_, str> {
    fn into_label_value<'a>(self) -> Cow<'a, str>
    where
        Self: 'a,
    {
        self
    }
}

/// Anything that can be the labels of a sample: `()`, an array or `Vec` of
/// `(name, value)` pairs, a slice of them, or a [`LabelSet`].
///
/// ```
/// use actorscope::model::MetricSnapshot;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// Writer::new(&mut snapshot)
///     .gauge("queue_depth", "Items waiting.")
///     .add((), 1)?
///     .add([("queue", "a")], 2)?
///     .add(vec![("queue", String::from("b"))], 3)?
///     .add(&[("queue", "c")][..], 4)?;
/// assert_eq!(snapshot.get("queue_depth").map(|f| f.len()), Some(4));
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
pub trait IntoLabels {
    /// Calls `visit` with each `(name, value)` pair, unvalidated; a value is lent where
    /// it can be, so a scrape that only compares it with a known series copies nothing.
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>));
}

impl IntoLabels for () {
    fn visit_labels(self, _visit: &mut dyn FnMut(&str, Cow<'_, str>)) {}
}

impl<K: AsRef<str>, V: LabelValue, const N: usize> IntoLabels for [(K, V); N] {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        for (name, value) in self {
            visit(name.as_ref(), value.into_label_value());
        }
    }
}

impl<K: AsRef<str>, V: LabelValue> IntoLabels for Vec<(K, V)> {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        for (name, value) in self {
            visit(name.as_ref(), value.into_label_value());
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> IntoLabels for &[(K, V)] {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        for (name, value) in self {
            visit(name.as_ref(), Cow::Borrowed(value.as_ref()));
        }
    }
}

impl IntoLabels for LabelSet {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        (&self).visit_labels(visit);
    }
}

impl IntoLabels for &LabelSet {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, Cow<'_, str>)) {
        for (name, value) in self.iter() {
            visit(name, Cow::Borrowed(value));
        }
    }
}
