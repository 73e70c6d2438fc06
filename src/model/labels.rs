use std::fmt;
use std::sync::Arc;

use super::name::is_valid_label_name;
use super::{MetricKind, ModelError};

/// The labels of one series: valid, unique names, sorted by name.
///
/// Built by [`FamilyWriter::add`](crate::write::FamilyWriter::add) from anything that
/// implements [`IntoLabels`]. Sorting makes two sets with the same pairs equal whatever
/// order they were given in. Names are shared (`Arc<str>`) with the family, which
/// validates each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelSet {
    pairs: Vec<(Arc<str>, String)>,
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
                    Ok(name) => pairs.push((name, value)),
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
        Ok(Self { pairs })
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

/// A label value: borrowed strings are copied once, owned ones are moved in.
pub trait LabelValue {
    /// The value as an owned string.
    fn into_label_value(self) -> String;
}

impl LabelValue for String {
    fn into_label_value(self) -> String {
        self
    }
}

impl LabelValue for &str {
    fn into_label_value(self) -> String {
        self.to_owned()
    }
}

impl LabelValue for &String {
    fn into_label_value(self) -> String {
        self.clone()
    }
}

impl LabelValue for std::borrow::Cow<'_, str> {
    fn into_label_value(self) -> String {
        self.into_owned()
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
    /// Calls `visit` with each `(name, value)` pair, unvalidated.
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String));
}

impl IntoLabels for () {
    fn visit_labels(self, _visit: &mut dyn FnMut(&str, String)) {}
}

impl<K: AsRef<str>, V: LabelValue, const N: usize> IntoLabels for [(K, V); N] {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self {
            visit(name.as_ref(), value.into_label_value());
        }
    }
}

impl<K: AsRef<str>, V: LabelValue> IntoLabels for Vec<(K, V)> {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self {
            visit(name.as_ref(), value.into_label_value());
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> IntoLabels for &[(K, V)] {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self {
            visit(name.as_ref(), value.as_ref().to_owned());
        }
    }
}

impl IntoLabels for LabelSet {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self.pairs {
            visit(&name, value);
        }
    }
}

impl IntoLabels for &LabelSet {
    fn visit_labels(self, visit: &mut dyn FnMut(&str, String)) {
        for (name, value) in self.iter() {
            visit(name, value.to_owned());
        }
    }
}
