use std::fmt;

/// Why something was left out of a scrape: the one set of `kind` label values of
/// `actorscope_scrape_collector_errors_total` (a collector) and
/// `actorscope_worker_scrape_errors_total` (one worker of a collector).
///
/// | kind | label | meaning |
/// | --- | --- | --- |
/// | [`Error`](Self::Error) | `error` | the collector returned an error |
/// | [`Invalid`](Self::Invalid) | `invalid` | the collector wrote a family or sample the model refused (a bad name, label or value) |
/// | [`Panicked`](Self::Panicked) | `panicked` | the collector, or the worker, panicked |
/// | [`TimedOut`](Self::TimedOut) | `timeout` | it did not answer within the scrape deadline |
/// | [`Conflict`](Self::Conflict) | `conflict` | a family or series clashed with another collector's; only that part was left out |
/// | [`Stopped`](Self::Stopped) | `stopped` | the worker actor had stopped |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FailureKind {
    /// `collect` returned an error; the collector's output was left out.
    Error,
    /// `collect` wrote something the model refused; the collector's output was left out.
    Invalid,
    /// A collector or a worker panicked; its output was left out.
    Panicked,
    /// A collector or a worker missed the scrape deadline; its output was left out.
    TimedOut,
    /// A family or series clashed with another collector's; only that part was left out.
    Conflict,
    /// A worker actor had stopped (its counts live on in the `retired` series).
    Stopped,
}

impl FailureKind {
    /// The kinds a whole collector can fail with, in the order the registry reports them.
    pub const COLLECTOR: [Self; 5] = [
        Self::Error,
        Self::Invalid,
        Self::Panicked,
        Self::TimedOut,
        Self::Conflict,
    ];

    /// The value of the `kind` label.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Invalid => "invalid",
            Self::Panicked => "panicked",
            Self::TimedOut => "timeout",
            Self::Conflict => "conflict",
            Self::Stopped => "stopped",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One collector's failure in one scrape, carried in the snapshot so every format shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeError {
    collector: String,
    kind: FailureKind,
    message: String,
}

impl ScrapeError {
    /// A failure of `collector`.
    pub fn new(
        collector: impl Into<String>,
        kind: FailureKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            collector: collector.into(),
            kind,
            message: message.into(),
        }
    }

    /// The name the collector was registered under.
    #[must_use]
    pub fn collector(&self) -> &str {
        &self.collector
    }

    /// How it failed.
    #[must_use]
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// What went wrong, in words.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScrapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "collector {:?} ({}): {}",
            self.collector,
            self.kind.as_str(),
            self.message
        )
    }
}

impl std::error::Error for ScrapeError {}
