use std::fmt;

/// How a collector failed during one scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ScrapeErrorKind {
    /// `collect` returned an error; the collector's output was left out.
    Failed,
    /// `collect` panicked; the collector's output was left out.
    Panicked,
    /// `collect` missed the scrape deadline; the collector's output was left out.
    TimedOut,
    /// A family or series clashed with another collector's; only that part was left out.
    Conflict,
}

impl ScrapeErrorKind {
    /// Every kind, in the order the registry reports them.
    pub const ALL: [Self; 4] = [Self::Failed, Self::Panicked, Self::TimedOut, Self::Conflict];

    /// The value of the `kind` label in `actorscope_scrape_collector_errors_total`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Failed => "error",
            Self::Panicked => "panic",
            Self::TimedOut => "timeout",
            Self::Conflict => "conflict",
        }
    }
}

/// One collector's failure in one scrape, carried in the snapshot so every format shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeError {
    collector: String,
    kind: ScrapeErrorKind,
    message: String,
}

impl ScrapeError {
    /// A failure of `collector`.
    pub fn new(
        collector: impl Into<String>,
        kind: ScrapeErrorKind,
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
    pub fn kind(&self) -> ScrapeErrorKind {
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
