use std::fmt;

/// The unit of a family: shown in OpenMetrics' `# UNIT` line and in JSON, and the
/// suffix its name must end with (before a counter's `_total`).
///
/// Prometheus wants base units, so there is no `Milliseconds` or `Kilobytes`: record
/// seconds and bytes, and let the dashboard scale them.
///
/// ```
/// use actorscope::model::Unit;
///
/// assert_eq!(Unit::Seconds.as_str(), "seconds");
/// assert_eq!(Unit::Other("requests").to_string(), "requests");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Unit {
    /// `seconds`: durations and timestamps.
    Seconds,
    /// `bytes`: sizes and amounts of memory.
    Bytes,
    /// `ratio`: a fraction from 0 to 1 (not a percentage).
    Ratio,
    /// `celsius`: temperatures.
    Celsius,
    /// `meters`: distances.
    Meters,
    /// `volts`: voltages.
    Volts,
    /// `amperes`: currents.
    Amperes,
    /// `joules`: energy.
    Joules,
    /// `grams`: masses.
    Grams,
    /// Any other unit, made of `[a-zA-Z0-9_:]`; checked when its family is declared.
    Other(&'static str),
}

impl Unit {
    /// The unit as the name suffix and the `# UNIT` line write it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Bytes => "bytes",
            Self::Ratio => "ratio",
            Self::Celsius => "celsius",
            Self::Meters => "meters",
            Self::Volts => "volts",
            Self::Amperes => "amperes",
            Self::Joules => "joules",
            Self::Grams => "grams",
            Self::Other(unit) => unit,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
