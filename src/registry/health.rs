//! The registry's own families: how its scrapes went.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::model::{FailureKind, ModelError, Unit};
use crate::stats::{Counter, Gauge};
use crate::write::{Info, Metric, Writer};

/// The source name of the registry's own families.
pub(crate) const SOURCE: &str = "actorscope";

/// A reason is cut to this many characters in the `reason` label.
const REASON_LIMIT: usize = 200;

const SCRAPES: Metric<'static, Counter> = Metric::counter(
    "actorscope_scrapes_total",
    "Scrapes this registry has gathered; concurrent scrapes that were coalesced count once.",
);
const ERRORS: Metric<'static, Counter> = Metric::counter(
    "actorscope_scrape_collector_errors_total",
    "Scrapes in which a collector's output was left out, by collector and kind (error, invalid, panicked, timeout, conflict).",
);
const REASONS: Metric<'static, Info> = Metric::info(
    "actorscope_scrape_error_info",
    "Why a collector was left out of the latest scrape, one sample per failure (reason cut to 200 characters).",
);
const DURATIONS: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_scrape_duration_seconds",
    "How long each collector took in the latest scrape.",
)
.unit(Unit::Seconds);

/// How one collector did in one scrape.
#[derive(Debug)]
pub(crate) struct CollectorReport {
    pub(crate) name: String,
    pub(crate) duration: Duration,
    pub(crate) failures: Vec<(FailureKind, String)>,
}

/// Cumulative counts across the registry's scrapes (cold path only, behind a mutex).
#[derive(Debug, Default)]
pub(crate) struct Health {
    scrapes: u64,
    errors: BTreeMap<(String, FailureKind), u64>,
    /// The failures of each collector in its latest scrape, to log only what changed.
    last_failures: BTreeMap<String, Vec<(FailureKind, String)>>,
}

impl Health {
    /// Counts one finished gather, and logs each collector whose failures changed.
    pub(crate) fn record(&mut self, reports: &[CollectorReport]) {
        self.scrapes += 1;
        for report in reports {
            for (kind, _) in &report.failures {
                *self.errors.entry((report.name.clone(), *kind)).or_default() += 1;
            }
            let previous = self.last_failures.get(&report.name);
            if previous.map_or(!report.failures.is_empty(), |p| *p != report.failures) {
                for (kind, message) in &report.failures {
                    log::warn!(
                        "actorscope: collector {:?} left out of the scrape ({kind}): {message}",
                        report.name
                    );
                }
                if report.failures.is_empty() {
                    log::info!("actorscope: collector {:?} reports again", report.name);
                }
            }
            self.last_failures
                .insert(report.name.clone(), report.failures.clone());
        }
    }

    pub(crate) fn scrapes(&self) -> u64 {
        self.scrapes
    }

    /// Forgets an unregistered collector's counts.
    pub(crate) fn forget(&mut self, collector: &str) {
        self.errors.retain(|(name, _), _| name != collector);
        self.last_failures.remove(collector);
    }

    /// Writes `actorscope_scrapes_total`, `actorscope_scrape_collector_errors_total`,
    /// `actorscope_scrape_error_info` and `actorscope_scrape_duration_seconds` for the
    /// collectors in `reports`.
    pub(crate) fn write(
        &self,
        reports: &[CollectorReport],
        out: &mut Writer<'_>,
    ) -> Result<(), ModelError> {
        out.family(SCRAPES).add((), self.scrapes)?;
        let mut errors = out.family(ERRORS).declare()?;
        for report in reports {
            for kind in FailureKind::COLLECTOR {
                let count = self
                    .errors
                    .get(&(report.name.clone(), kind))
                    .copied()
                    .unwrap_or(0);
                errors.add(
                    [("collector", report.name.as_str()), ("kind", kind.as_str())],
                    count,
                )?;
            }
        }
        let failed = reports.iter().any(|report| !report.failures.is_empty());
        if failed {
            write_reasons(reports, out)?;
        }
        let mut durations = out.family(DURATIONS).declare()?;
        for report in reports {
            durations.add(
                [("collector", report.name.as_str())],
                report.duration.as_secs_f64(),
            )?;
        }
        Ok(())
    }
}

/// `actorscope_scrape_error_info`: one sample per failure in this scrape.
fn write_reasons(reports: &[CollectorReport], out: &mut Writer<'_>) -> Result<(), ModelError> {
    let mut reasons = out.family(REASONS).declare()?;
    for report in reports {
        for (kind, message) in &report.failures {
            let reason: String = message.chars().take(REASON_LIMIT).collect();
            let labels = [
                ("collector", report.name.as_str()),
                ("kind", kind.as_str()),
                ("reason", reason.as_str()),
            ];
            // Two failures with the same reason are one fact.
            if let Err(error) = reasons.add(labels, ()) {
                if !matches!(error, ModelError::DuplicateSeries { .. }) {
                    return Err(error);
                }
            }
        }
    }
    Ok(())
}
