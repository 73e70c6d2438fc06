use super::ModelError;

/// The state of every slot of one pool, one letter per slot: `f` free, `a` active,
/// `i` idle, `c` closing. The value of a [`MetricKind::Slots`](super::MetricKind::Slots)
/// sample: carried by the JSON format only (the dashboard's occupancy grid); the text
/// formats show the pool's counts as ordinary families instead.
///
/// ```
/// use actorscope::model::SlotStates;
///
/// let states = SlotStates::new("aaif").unwrap();
/// assert_eq!((states.as_str(), states.len()), ("aaif", 4));
/// assert!(SlotStates::new("afx").unwrap_err().to_string().contains("'x'"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotStates(String);

impl SlotStates {
    /// Checks that `states` holds only `f`, `a`, `i` and `c`.
    ///
    /// # Errors
    /// [`ModelError::InvalidDistribution`] naming the first other letter.
    pub fn new(states: impl Into<String>) -> Result<Self, ModelError> {
        let states = states.into();
        match states.chars().find(|c| !matches!(c, 'f' | 'a' | 'i' | 'c')) {
            Some(bad) => Err(ModelError::InvalidDistribution {
                what: "slot map",
                reason: format!("slot state {bad:?} is not one of f, a, i, c"),
            }),
            None => Ok(Self(states)),
        }
    }

    /// One letter per slot.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many slots there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the pool has no slots.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
