//! The registry's own families: how its scrapes went.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::model::{MetricKind, MetricSnapshot, ModelError, ScrapeErrorKind};

/// The source name of the registry's own families.
pub(crate) const SOURCE: &str = "actorscope";

/// How one collector did in one scrape.
#[derive(Debug)]
pub(crate) struct CollectorReport {
    pub(crate) name: String,
    pub(crate) duration: Duration,
    pub(crate) failures: Vec<ScrapeErrorKind>,
}

/// Cumulative counts across the registry's scrapes (cold path only, behind a mutex).
#[derive(Debug, Default)]
pub(crate) struct Health {
    scrapes: u64,
    errors: BTreeMap<(String, ScrapeErrorKind), u64>,
}

impl Health {
    /// Counts one finished gather.
    pub(crate) fn record(&mut self, reports: &[CollectorReport]) {
        self.scrapes += 1;
        for report in reports {
            for kind in &report.failures {
                *self.errors.entry((report.name.clone(), *kind)).or_default() += 1;
            }
        }
    }

    pub(crate) fn scrapes(&self) -> u64 {
        self.scrapes
    }

    /// Forgets an unregistered collector's counts.
    pub(crate) fn forget(&mut self, collector: &str) {
        self.errors.retain(|(name, _), _| name != collector);
    }

    /// Writes `actorscope_scrapes_total`, `actorscope_scrape_collector_errors_total` and
    /// `actorscope_scrape_duration_seconds` for the collectors in `reports`.
    pub(crate) fn write(
        &self,
        reports: &[CollectorReport],
        out: &mut MetricSnapshot,
    ) -> Result<(), ModelError> {
        out.family(
            "actorscope_scrapes_total",
            "Scrapes this registry has gathered; concurrent scrapes that were coalesced count once.",
            MetricKind::Counter,
        )?
        .add((), self.scrapes)?;
        let errors = out.family(
            "actorscope_scrape_collector_errors_total",
            "Scrapes in which a collector's output was left out, by collector and kind (error, panic, timeout, conflict).",
            MetricKind::Counter,
        )?;
        for report in reports {
            for kind in ScrapeErrorKind::ALL {
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
        let durations = out.family_with_unit(
            "actorscope_scrape_duration_seconds",
            "How long each collector took in the latest scrape.",
            MetricKind::Gauge,
            "seconds",
        )?;
        for report in reports {
            durations.add(
                [("collector", report.name.as_str())],
                report.duration.as_secs_f64(),
            )?;
        }
        Ok(())
    }
}
