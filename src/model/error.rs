use super::MetricKind;

/// Why the model refused a family, a sample or a value.
///
/// Every message quotes the bad value and says what would be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The metric name breaks the Prometheus rule.
    #[error("invalid metric name {name:?}: it must match [a-zA-Z_:][a-zA-Z0-9_:]*")]
    InvalidMetricName {
        /// The refused name.
        name: String,
    },
    /// A label name breaks the Prometheus rule.
    #[error(
        "invalid label name {label:?} for metric {family:?}: it must match [a-zA-Z_][a-zA-Z0-9_]*"
    )]
    InvalidLabelName {
        /// The family the sample was for.
        family: String,
        /// The refused label name.
        label: String,
    },
    /// A label name is reserved (`__*` always, `le` on histograms, `quantile` on summaries).
    #[error("label name {label:?} is reserved for metric {family:?} ({kind} family); choose another name")]
    ReservedLabelName {
        /// The family the sample was for.
        family: String,
        /// The refused label name.
        label: String,
        /// The family's kind.
        kind: MetricKind,
    },
    /// The same label name appears twice in one sample.
    #[error("label name {label:?} appears twice in one sample of metric {family:?}")]
    DuplicateLabelName {
        /// The family the sample was for.
        family: String,
        /// The repeated label name.
        label: String,
    },
    /// The family has no HELP text.
    #[error("metric {family:?} has an empty help text; say what it measures")]
    MissingHelp {
        /// The family.
        family: String,
    },
    /// A counter name must end in `_total`, an info name in `_info`.
    #[error(
        "{kind} metric {family:?} must be named with the suffix {suffix:?} (e.g. {family}{suffix})"
    )]
    MissingSuffix {
        /// The family.
        family: String,
        /// Its kind.
        kind: MetricKind,
        /// The suffix it needs.
        suffix: &'static str,
    },
    /// The unit is malformed, does not end the name, or is not allowed for the kind.
    #[error("unit {unit:?} does not fit metric {family:?}: {reason}")]
    InvalidUnit {
        /// The family.
        family: String,
        /// The refused unit.
        unit: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same family name was declared twice with a different type, help or unit.
    #[error("metric {family:?} is declared by {existing_sources} as {existing} but by {source_name:?} as {requested}; rename one of them")]
    Conflict {
        /// The family name.
        family: String,
        /// The first declaration (type, help, unit).
        existing: String,
        /// Who declared it first.
        existing_sources: String,
        /// The clashing declaration.
        requested: String,
        /// Who declared it second.
        source_name: String,
    },
    /// The family's series names overlap another family's (`foo_count` vs histogram `foo`).
    #[error("metric {family:?} would write series {series:?}, which belongs to metric {other:?}; rename one of them")]
    NameClash {
        /// The family that was refused.
        family: String,
        /// The existing family.
        other: String,
        /// The series name both would write.
        series: String,
    },
    /// The same label set was added twice to one family.
    #[error("metric {family:?} already has a series with labels {labels} (from {sources}); each label set may appear once")]
    DuplicateSeries {
        /// The family.
        family: String,
        /// The repeated label set, as `{a="b"}`.
        labels: String,
        /// Who added the family so far.
        sources: String,
    },
    /// The value does not belong in a family of this kind.
    #[error("metric {family:?} is a {kind} but was given a {value_kind} value")]
    WrongValueKind {
        /// The family.
        family: String,
        /// Its kind.
        kind: MetricKind,
        /// What was given.
        value_kind: &'static str,
    },
    /// The value is not allowed (a negative or NaN counter, an info value other than 1).
    #[error("invalid value for metric {family:?}: {reason}")]
    InvalidValue {
        /// The family.
        family: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A histogram or summary value could not be built.
    #[error("invalid {what}: {reason}")]
    InvalidDistribution {
        /// `histogram` or `summary`.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}
