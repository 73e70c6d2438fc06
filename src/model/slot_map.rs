use super::labels::LabelNames;
use super::name::is_valid_metric_name;
use super::{IntoLabels, LabelSet, MetricKind, ModelError};

/// The state of every slot of one pool, one letter per slot: `f` free, `a` active,
/// `i` idle, `c` closing. Carried only by the JSON format (the dashboard's occupancy
/// grid); the text formats show the pool's counts as ordinary families instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotMap {
    name: String,
    labels: LabelSet,
    states: String,
}

impl SlotMap {
    /// Validates a slot map.
    ///
    /// # Errors
    /// When the name is not a valid metric name, a label name is invalid or repeated, or
    /// `states` has a letter other than `f`, `a`, `i` and `c`.
    pub fn new(
        name: &str,
        labels: impl IntoLabels,
        states: impl Into<String>,
    ) -> Result<Self, ModelError> {
        if !is_valid_metric_name(name) {
            return Err(ModelError::InvalidMetricName {
                name: name.to_owned(),
            });
        }
        let labels = LabelSet::build(name, MetricKind::Gauge, &mut LabelNames::default(), labels)?;
        let states = states.into();
        if let Some(bad) = states.chars().find(|c| !matches!(c, 'f' | 'a' | 'i' | 'c')) {
            return Err(ModelError::InvalidValue {
                family: name.to_owned(),
                reason: format!("slot state {bad:?} is not one of f, a, i, c"),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            labels,
            states,
        })
    }

    /// The map's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its labels (which pool, whose).
    #[must_use]
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// One letter per slot.
    #[must_use]
    pub fn states(&self) -> &str {
        &self.states
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_names_labels_and_letters_are_refused_by_name() {
        assert!(SlotMap::new("pool_slots", [("pool", "db")], "faic").is_ok());
        let letter = SlotMap::new("pool_slots", (), "fax").unwrap_err();
        assert!(letter.to_string().contains("'x'"), "{letter}");
        assert!(matches!(
            SlotMap::new("pool slots", (), "f"),
            Err(ModelError::InvalidMetricName { .. })
        ));
        assert!(matches!(
            SlotMap::new("pool_slots", [("bad-label", "x")], "f"),
            Err(ModelError::InvalidLabelName { .. })
        ));
    }
}
