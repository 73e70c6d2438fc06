use std::fmt;

use super::name::is_valid_label_name;
use super::{MetricKind, ModelError};

/// The labels of one series: valid, unique names, sorted by name.
///
/// Built by [`MetricFamily::add`](super::MetricFamily::add) from anything that
/// implements [`IntoLabels`]; sorting makes the order of output stable whatever order the
/// labels were given in.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelSet {
    pairs: Vec<(String, String)>,
}

impl LabelSet {
    /// Validates `pairs` as the labels of a sample of `family`.
    pub(crate) fn build(
        family: &str,
        kind: MetricKind,
        mut pairs: Vec<(String, String)>,
    ) -> Result<Self, ModelError> {
        for (name, _) in &pairs {
            if !is_valid_label_name(name) {
                return Err(ModelError::InvalidLabelName {
                    family: family.to_owned(),
                    label: name.clone(),
                });
            }
            let reserved = name.starts_with("__")
                || (name == "le" && kind == MetricKind::Histogram)
                || (name == "quantile" && kind == MetricKind::Summary);
            if reserved {
                return Err(ModelError::ReservedLabelName {
                    family: family.to_owned(),
                    label: name.clone(),
                    kind,
                });
            }
        }
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = pairs.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(ModelError::DuplicateLabelName {
                family: family.to_owned(),
                label: pair[0].0.clone(),
            });
        }
        Ok(Self { pairs })
    }

    /// The `(name, value)` pairs, sorted by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
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

/// Anything that can be the labels of a sample: `()`, an array, slice or `Vec` of
/// `(name, value)` pairs of string-likes, or a [`LabelSet`].
///
/// ```
/// use actorscope::model::{MetricKind, MetricSnapshot};
///
/// let mut snapshot = MetricSnapshot::new();
/// let family = snapshot.family("queue_depth", "Items waiting.", MetricKind::Gauge).unwrap();
/// family.add((), 1).unwrap();
/// family.add([("queue", "a")], 2).unwrap();
/// family.add(vec![("queue", String::from("b"))], 3).unwrap();
/// assert_eq!(family.len(), 3);
/// ```
pub trait IntoLabels {
    /// The pairs, unvalidated.
    fn into_label_pairs(self) -> Vec<(String, String)>;
}

impl IntoLabels for () {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> IntoLabels for [(K, V); N] {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        self.as_slice().into_label_pairs()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> IntoLabels for &[(K, V)] {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        self.iter()
            .map(|(name, value)| (name.as_ref().to_owned(), value.as_ref().to_owned()))
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> IntoLabels for Vec<(K, V)> {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        self.as_slice().into_label_pairs()
    }
}

impl IntoLabels for LabelSet {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }
}

impl IntoLabels for &LabelSet {
    fn into_label_pairs(self) -> Vec<(String, String)> {
        self.pairs.clone()
    }
}
