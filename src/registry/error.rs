use crate::model::ModelError;

/// Why [`MetricsRegistry::register`](super::MetricsRegistry::register) refused a collector.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// The name is empty, too long, or has control characters.
    #[error("invalid collector name {name:?}: use 1 to 128 printable characters")]
    InvalidName {
        /// The refused name.
        name: String,
    },
    /// Another collector is registered under this name.
    #[error("a collector named {name:?} is already registered; names identify collectors in errors and labels, so pick another")]
    DuplicateName {
        /// The name in use.
        name: String,
    },
    /// The collector's own check found a family it could never write (a bad name,
    /// label, unit or help): fix the declaration.
    #[error("collector {name:?} declares a family it could never write: {error}")]
    InvalidFamily {
        /// The collector's name.
        name: String,
        /// What the model refused, quoting the bad value.
        error: Box<ModelError>,
    },
}
