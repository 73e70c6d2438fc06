//! One gather: every collector concurrently, each under the deadline, failures isolated.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::future::{join_all, FutureExt};

use super::health::{CollectorReport, SOURCE};
use super::metrics_registry::{lock, Entry, Inner};
use super::ScrapeContext;
use crate::model::{FailureKind, MetricSnapshot, ModelError, ScrapeError};
use crate::write::Writer;

/// Runs every registered collector and merges what came back in registration order.
pub(crate) async fn gather(inner: &Inner, deadline: Instant) -> MetricSnapshot {
    let entries = inner.entries();
    let outcomes = join_all(entries.iter().map(|entry| run_collector(entry, deadline))).await;

    let mut snapshot = MetricSnapshot::new();
    let mut reports = Vec::with_capacity(entries.len());
    for (entry, (outcome, duration)) in entries.iter().zip(outcomes) {
        let mut failures = Vec::new();
        let mut fail = |snapshot: &mut MetricSnapshot, kind, message: String| {
            snapshot.push_error(ScrapeError::new(&*entry.name, kind, message.clone()));
            failures.push((kind, message));
        };
        match outcome {
            Ok(part) => {
                for problem in snapshot.merge(part) {
                    fail(&mut snapshot, FailureKind::Conflict, problem.to_string());
                }
            }
            Err((kind, message)) => fail(&mut snapshot, kind, message),
        }
        reports.push(CollectorReport {
            name: entry.name.to_string(),
            duration,
            failures,
        });
    }

    let mut own = MetricSnapshot::for_source(SOURCE);
    let written = {
        let mut health = lock(&inner.health);
        health.record(&reports);
        health.write(&reports, &mut Writer::new(&mut own))
    };
    let problems = match written {
        Ok(()) => snapshot.merge(own),
        Err(problem) => vec![problem],
    };
    for problem in problems {
        snapshot.push_error(ScrapeError::new(
            SOURCE,
            FailureKind::Conflict,
            problem.to_string(),
        ));
    }
    snapshot
}

type Outcome = Result<MetricSnapshot, (FailureKind, String)>;

/// Runs one collector into its own snapshot, catching errors, panics and the deadline.
async fn run_collector(entry: &Entry, deadline: Instant) -> (Outcome, std::time::Duration) {
    let started = Instant::now();
    let cx = ScrapeContext::new(Arc::clone(&entry.name), deadline);
    let mut part = MetricSnapshot::for_source(&*entry.name);
    let result = {
        // The call itself happens inside the async block, so a panic before the collector
        // returns its future is caught too.
        let collect = AssertUnwindSafe(async {
            let mut out = Writer::new(&mut part);
            entry.collector.collect_boxed(&cx, &mut out).await
        })
        .catch_unwind();
        tokio::time::timeout_at(deadline.into(), collect).await
    };
    let outcome = match result {
        Ok(Ok(Ok(()))) => Ok(part),
        Ok(Ok(Err(error))) => {
            let kind = if error.downcast_ref::<ModelError>().is_some() {
                FailureKind::Invalid
            } else {
                FailureKind::Error
            };
            Err((kind, error.to_string()))
        }
        Ok(Err(panic)) => Err((
            FailureKind::Panicked,
            format!("panicked: {}", panic_message(&*panic)),
        )),
        Err(_) => Err((
            FailureKind::TimedOut,
            format!(
                "did not finish within the scrape deadline ({:.3} s)",
                deadline.saturating_duration_since(started).as_secs_f64()
            ),
        )),
    };
    (outcome, started.elapsed())
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
