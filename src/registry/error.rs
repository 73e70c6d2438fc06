/// Why [`MetricsRegistry::register`](super::MetricsRegistry::register) refused a collector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
}
