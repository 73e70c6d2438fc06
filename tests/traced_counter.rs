//! A `TracedCounter` in a `worker_stats!` table: written to a counter family with its
//! count and the exemplar of its latest traced increment, alone and in a labelled group.

use actorscope::model::{MetricSnapshot, Value};
use actorscope::prelude::*;
use actorscope::stats::TraceId;

actorscope::worker_stats! {
    /// A table with a traced counter, alone and in a labelled group.
    struct Traced {
        /// Failures.
        #[metric("test_failures_total")]
        failures: TracedCounter,
        /// Retries by cause.
        #[metric("test_retries_total", by = "cause", values = ["timeout", "refused"])]
        retries: [TracedCounter; 2],
    }
}

#[test]
fn a_traced_counter_in_a_stats_table_writes_its_count_and_exemplar() {
    let mut stats = Traced::default();
    let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    stats.failures.add_with_exemplar(3, Exemplar::new(trace));
    stats.retries[1].inc();
    let mut snapshot = MetricSnapshot::new();
    stats.write(&mut Writer::new(&mut snapshot)).unwrap();
    let failures = snapshot.get("test_failures_total").unwrap();
    match failures.value(()) {
        Some(Value::CountWithExemplar(reading)) => {
            assert_eq!(reading.count(), 3.0);
            assert_eq!(reading.exemplar().trace_id(), trace.to_bytes());
            assert_eq!(reading.exemplar().value(), 3.0);
        }
        other => panic!("{other:?}"),
    }
    let retries = snapshot.get("test_retries_total").unwrap();
    assert_eq!(
        retries.value([("cause", "refused")]),
        Some(&Value::Number(1.0))
    );
}
