//! The exporter's own counts, and the collector that writes them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::registry::CollectError;
use crate::write::Writer;

/// How an export ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The receiver took it (2xx).
    Success,
    /// No answer, or a retryable one, until the retries ran out.
    Failure,
    /// A non-retryable answer (a 4xx other than 429, or another 5xx).
    Rejected,
}

impl Outcome {
    const ALL: [Self; 3] = [Self::Success, Self::Failure, Self::Rejected];

    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Rejected => "rejected",
        }
    }
}

/// Shared between the export task and the registry's collector; cold path only.
#[derive(Debug, Default)]
pub(crate) struct ExporterStats {
    exports: [AtomicU64; 3],
    retries: AtomicU64,
    points: AtomicU64,
    /// `f64` bits.
    last_duration: AtomicU64,
    /// `f64` bits; 0 before the first success.
    last_success: AtomicU64,
}

impl ExporterStats {
    pub(crate) fn export_ended(&self, outcome: Outcome, seconds: f64, points: usize) {
        self.exports[outcome as usize].fetch_add(1, Ordering::Relaxed);
        self.last_duration
            .store(seconds.to_bits(), Ordering::Relaxed);
        if outcome == Outcome::Success {
            self.points.fetch_add(points as u64, Ordering::Relaxed);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            self.last_success.store(now.to_bits(), Ordering::Relaxed);
        }
    }

    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes the exporter's families.
    pub(crate) fn write(&self, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let mut exports = out
            .counter(
                "actorscope_otlp_exports_total",
                "OTLP exports, by result: success, failure (no answer or retryable answers until the retries ran out), rejected (a non-retryable answer).",
            )
            .declare()?;
        for outcome in Outcome::ALL {
            exports.add(
                [("result", outcome.as_str())],
                self.exports[outcome as usize].load(Ordering::Relaxed),
            )?;
        }
        out.counter(
            "actorscope_otlp_retries_total",
            "OTLP requests sent again after a retryable answer or no answer.",
        )
        .add((), self.retries.load(Ordering::Relaxed))?;
        out.counter(
            "actorscope_otlp_points_total",
            "Data points the receiver took.",
        )
        .add((), self.points.load(Ordering::Relaxed))?;
        out.gauge(
            "actorscope_otlp_export_duration_seconds",
            "How long the latest export took, retries included.",
        )
        .unit(crate::model::Unit::Seconds)
        .add(
            (),
            f64::from_bits(self.last_duration.load(Ordering::Relaxed)),
        )?;
        out.gauge(
            "actorscope_otlp_last_success_timestamp_seconds",
            "When the latest export the receiver took ended (0: none yet), in seconds since the Unix epoch.",
        )
        .unit(crate::model::Unit::Seconds)
        .add((), f64::from_bits(self.last_success.load(Ordering::Relaxed)))?;
        Ok(())
    }
}
