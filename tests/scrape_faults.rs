//! The scrape is best-effort: a collector that errs, panics, hangs or conflicts is left
//! out and named, and everything else still comes back within the deadline.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actorscope::model::{FailureKind, MetricKind, MetricSnapshot};
use actorscope::registry::{
    collector_fn, CollectError, Collector, MetricsRegistry, RegisterError, ScrapeContext,
};
use actorscope::write::Writer;

/// A collector that waits `delay` (forever when `None`) and then reports a gauge.
struct Sleeper {
    delay: Option<Duration>,
    family: &'static str,
}

impl Collector for Sleeper {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        match self.delay {
            Some(delay) => tokio::time::sleep(delay).await,
            None => std::future::pending::<()>().await,
        }
        out.gauge(self.family, "Arrives after a delay.")
            .add((), 2)?;
        Ok(())
    }
}

fn gauge(name: &'static str, value: f64) -> impl Collector {
    collector_fn(move |out| {
        out.gauge(name, "A test gauge.").add((), value)?;
        Ok(())
    })
}

fn value_of(snapshot: &MetricSnapshot, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snapshot
        .get(family)?
        .value(labels)
        .and_then(|value| value.as_f64())
}

fn faulty_registry() -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    registry.register("good", gauge("good_value", 1.0)).unwrap();
    registry
        .register(
            "erroring",
            collector_fn(|out| {
                out.gauge("erroring_partial", "Written before failing.")
                    .add((), 1)?;
                Err("database unreachable".into())
            }),
        )
        .unwrap();
    registry
        .register("panicking", collector_fn(|_| panic!("collector bug")))
        .unwrap();
    registry
        .register(
            "hanging",
            Sleeper {
                delay: None,
                family: "never_value",
            },
        )
        .unwrap();
    registry
        .register(
            "slow_but_in_time",
            Sleeper {
                delay: Some(Duration::from_millis(20)),
                family: "slow_value",
            },
        )
        .unwrap();
    registry
}

#[tokio::test]
async fn scrape_reports_erroring_panicking_and_hanging_collectors_and_keeps_the_rest() {
    let registry = faulty_registry();
    let deadline = Duration::from_millis(250);
    // With RUST_BACKTRACE set, the panic hook prints a backtrace while the panicking
    // collector runs, and the process's first one reads this test binary's debug info:
    // over a second on a busy machine (it failed fresh-clone CI so). That is the hook's
    // cost, not the scrape's, so read it once before the scrape is timed.
    let _ = std::backtrace::Backtrace::force_capture().to_string();

    let started = Instant::now();
    let snapshot = registry.scrape_within(deadline).await;
    let elapsed = started.elapsed();

    assert!(
        elapsed < deadline + Duration::from_millis(100),
        "scrape took {elapsed:?}, deadline {deadline:?}"
    );
    assert_eq!(value_of(&snapshot, "good_value", &[]), Some(1.0));
    assert_eq!(value_of(&snapshot, "slow_value", &[]), Some(2.0));
    assert!(
        snapshot.get("erroring_partial").is_none(),
        "a failed collector's partial output is discarded"
    );

    let mut failures: Vec<(&str, FailureKind)> = snapshot
        .errors()
        .iter()
        .map(|error| (error.collector(), error.kind()))
        .collect();
    failures.sort();
    assert_eq!(
        failures,
        vec![
            ("erroring", FailureKind::Error),
            ("hanging", FailureKind::TimedOut),
            ("panicking", FailureKind::Panicked),
        ]
    );
    let messages: Vec<String> = snapshot.errors().iter().map(ToString::to_string).collect();
    assert!(
        messages.iter().any(|m| m.contains("database unreachable")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("collector bug")),
        "{messages:?}"
    );

    let errors = "actorscope_scrape_collector_errors_total";
    assert_eq!(
        value_of(
            &snapshot,
            errors,
            &[("collector", "hanging"), ("kind", "timeout")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value_of(
            &snapshot,
            errors,
            &[("collector", "panicking"), ("kind", "panicked")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value_of(
            &snapshot,
            errors,
            &[("collector", "erroring"), ("kind", "error")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value_of(
            &snapshot,
            errors,
            &[("collector", "good"), ("kind", "error")]
        ),
        Some(0.0)
    );

    let slow = value_of(
        &snapshot,
        "actorscope_scrape_duration_seconds",
        &[("collector", "slow_but_in_time")],
    )
    .expect("duration of every collector");
    assert!(slow >= 0.020, "slow collector took {slow} s");

    // Errors accumulate across scrapes, and the registry counts its scrapes.
    let second = registry.scrape_within(deadline).await;
    assert_eq!(
        value_of(
            &second,
            errors,
            &[("collector", "hanging"), ("kind", "timeout")]
        ),
        Some(2.0)
    );
    assert_eq!(
        value_of(&second, "actorscope_scrapes_total", &[]),
        Some(2.0)
    );
    assert_eq!(registry.scrape_count(), 2);
}

#[tokio::test]
async fn panic_before_the_future_is_returned_is_caught_too() {
    struct PanicsWhenCalled;
    impl PanicsWhenCalled {
        fn panics(&self) -> bool {
            true
        }
    }
    impl Collector for PanicsWhenCalled {
        #[allow(clippy::manual_async_fn)] // the panic must come before the future
        fn collect(
            &self,
            _cx: &ScrapeContext,
            _out: &mut Writer<'_>,
        ) -> impl std::future::Future<Output = Result<(), CollectError>> + Send {
            if self.panics() {
                panic!("panicked while building the future");
            }
            std::future::ready(Ok(()))
        }
    }
    let registry = MetricsRegistry::new();
    registry.register("early", PanicsWhenCalled).unwrap();
    registry.register("good", gauge("good_value", 3.0)).unwrap();
    let snapshot = registry.scrape().await;
    assert_eq!(value_of(&snapshot, "good_value", &[]), Some(3.0));
    assert_eq!(snapshot.errors()[0].kind(), FailureKind::Panicked);
}

#[tokio::test]
async fn conflicting_family_is_left_out_and_names_both_collectors() {
    let registry = MetricsRegistry::new();
    registry
        .register("first", gauge("shared_name", 1.0))
        .unwrap();
    registry
        .register(
            "second",
            collector_fn(|out| {
                out.summary("shared_name", "Declared as a summary.")
                    .declare()?;
                out.gauge("second_only", "Unrelated family.").add((), 5)?;
                Ok(())
            }),
        )
        .unwrap();
    let snapshot = registry.scrape().await;
    assert_eq!(
        snapshot.get("shared_name").map(|f| f.kind()),
        Some(MetricKind::Gauge)
    );
    assert_eq!(
        value_of(&snapshot, "second_only", &[]),
        Some(5.0),
        "the rest of `second` is kept"
    );
    let conflict = &snapshot.errors()[0];
    assert_eq!(
        (conflict.collector(), conflict.kind()),
        ("second", FailureKind::Conflict)
    );
    assert!(
        conflict.message().contains("\"first\"") && conflict.message().contains("\"second\""),
        "{}",
        conflict.message()
    );
}

#[tokio::test]
async fn concurrent_shared_scrapes_coalesce_into_one_gather() {
    let registry = MetricsRegistry::new();
    registry
        .register(
            "slow",
            Sleeper {
                delay: Some(Duration::from_millis(50)),
                family: "slow_value",
            },
        )
        .unwrap();
    let scrapes = (0..10).map(|_| registry.scrape_shared(Duration::from_secs(5)));
    let snapshots = futures::future::join_all(scrapes).await;
    assert_eq!(
        registry.scrape_count(),
        1,
        "ten concurrent scrapes, one gather"
    );
    assert!(snapshots.iter().all(|s| Arc::ptr_eq(s, &snapshots[0])));
    assert_eq!(value_of(&snapshots[0], "slow_value", &[]), Some(2.0));

    // Once finished, the next shared scrape gathers afresh.
    registry.scrape_shared(Duration::from_secs(5)).await;
    assert_eq!(registry.scrape_count(), 2);
}

#[tokio::test]
async fn unregistered_collector_is_no_longer_asked() {
    let registry = MetricsRegistry::new();
    let registration = registry.register("temp", gauge("temp_value", 1.0)).unwrap();
    assert!(registry.scrape().await.get("temp_value").is_some());
    assert_eq!(registration.name(), "temp");
    assert!(registration.unregister());
    let snapshot = registry.scrape().await;
    assert!(snapshot.get("temp_value").is_none());
    assert!(registry.collector_names().is_empty());
    // The name is free again.
    assert!(registry.register("temp", gauge("temp_value", 2.0)).is_ok());
}

#[test]
fn register_refuses_bad_and_duplicate_names_with_the_name_quoted() {
    let registry = MetricsRegistry::new();
    registry.register("db", gauge("a", 1.0)).unwrap();
    let duplicate = registry.register("db", gauge("b", 1.0)).unwrap_err();
    assert_eq!(
        duplicate,
        RegisterError::DuplicateName { name: "db".into() }
    );
    assert!(duplicate.to_string().contains("\"db\""));
    for bad in ["", "line\nbreak", &"x".repeat(129)] {
        assert!(matches!(
            registry.register(bad, gauge("c", 1.0)),
            Err(RegisterError::InvalidName { .. })
        ));
    }
    assert_eq!(registry.collector_names(), vec!["db".to_owned()]);
}

#[test]
fn global_registry_is_one_instance_with_the_documented_default_deadline() {
    let a = MetricsRegistry::global();
    let b = MetricsRegistry::global();
    assert!(std::ptr::eq(a, b));
    assert_eq!(a.default_deadline(), Duration::from_secs(5));
}

#[tokio::test]
async fn collector_sees_its_name_and_deadline() {
    let registry = MetricsRegistry::new();
    struct Reports;
    impl Collector for Reports {
        async fn collect(
            &self,
            cx: &ScrapeContext,
            out: &mut Writer<'_>,
        ) -> Result<(), CollectError> {
            let remaining = cx.remaining().as_secs_f64();
            out.gauge("remaining_seconds", "Time left.")
                .add([("collector", cx.collector_name())], remaining)?;
            Ok(())
        }
    }
    registry.register("reporter", Reports).unwrap();
    let snapshot = registry.scrape_within(Duration::from_secs(2)).await;
    let remaining = value_of(&snapshot, "remaining_seconds", &[("collector", "reporter")]).unwrap();
    assert!(remaining > 1.0 && remaining <= 2.0, "{remaining}");
}
