//! Debian's Prometheus 2.42 with `--enable-feature=native-histograms,exemplar-storage`
//! scrapes the demo on loopback. It asks for the protobuf format, which alone carries
//! native histograms: the native series answer `histogram_quantile`, their count is
//! exactly the number of requests sent and their sum is what the demo's own text says,
//! and `/api/v1/query_exemplars` returns the trace ids the requests sent in their
//! `traceparent` headers, from histogram buckets and from a counter.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::demo::start_demo;
use common::http::{get, request, sum_samples};
use common::promql::{encode, start_prometheus, value, ScrapingServer};
use common::wait_until;

/// Requests sent with a trace of their own, at most.
const MAX_REQUESTS: usize = 2_000;
/// The `route` label of the key-value requests.
const ROUTE: &str = "route=\"/kv/{key}\"";

fn query(prometheus: &ScrapingServer, promql: &str) -> Vec<serde_json::Value> {
    common::promql::query(prometheus.address, promql)
}

/// The one value of an instant query, if it has exactly one sample.
fn single(prometheus: &ScrapingServer, promql: &str) -> Option<f64> {
    let result = query(prometheus, promql);
    (result.len() == 1).then(|| value(&result[0]))
}

/// Polls `condition` every 200 ms for up to `limit`.
fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    wait_until(limit, || {
        condition() || {
            std::thread::sleep(Duration::from_millis(200));
            false
        }
    })
}

/// The trace id of the `n`th request.
fn trace_id(n: usize) -> String {
    format!("{:016x}{:016x}", 0x5eed_u64, n + 1)
}

/// Trace ids of the exemplars Prometheus keeps for `series` since `start`.
fn exemplar_traces(prometheus: &ScrapingServer, series: &str, start: f64) -> BTreeSet<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let path = format!(
        "/api/v1/query_exemplars?query={}&start={start}&end={}",
        encode(series),
        now + 1.0
    );
    let response = get(prometheus.address, &path, &[]);
    assert_eq!(response.status, 200, "{}", response.text());
    let document = response.json();
    let mut traces = BTreeSet::new();
    for set in document["data"].as_array().into_iter().flatten() {
        for exemplar in set["exemplars"].as_array().into_iter().flatten() {
            if let Some(trace) = exemplar["labels"]["trace_id"].as_str() {
                traces.insert(trace.to_owned());
            }
        }
    }
    traces
}

#[test]
fn prometheus_with_native_histograms_reads_protobuf_and_exemplars() {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let demo = start_demo(&[]);
    let address = demo.socket_address();
    let prometheus = start_prometheus(
        &[&demo.address],
        &["--enable-feature=native-histograms,exemplar-storage"],
    );

    // A steady trickle of traced requests while Prometheus scrapes.
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let sender = {
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        std::thread::spawn(move || {
            for n in 0..MAX_REQUESTS {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let header = format!("traceparent: 00-{}-00f067aa0ba902b7-01", trace_id(n));
                let path = format!("/kv/k{}", n % 50);
                let response = request(address, "PUT", &path, &[&header], b"v");
                assert!(
                    matches!(response.status, 201 | 204),
                    "PUT answered {}",
                    response.status
                );
                // A lookup, which a counter with exemplars counts.
                let response = request(address, "GET", &path, &[&header], b"");
                assert_eq!(response.status, 200, "GET answered {}", response.status);
                sent.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    // The native series exist only if the protobuf format was negotiated.
    let quantile = format!(
        "histogram_quantile(0.9, sum(rate(http_server_request_duration_seconds{{{ROUTE}}}[30s])))"
    );
    let operations = "histogram_quantile(0.9, sum(rate(kv_operation_duration_seconds[30s])))";
    let answered = eventually(Duration::from_secs(60), || {
        [quantile.as_str(), operations].iter().all(|promql| {
            single(&prometheus, promql).is_some_and(|p90| p90.is_finite() && p90 > 0.0)
        })
    });
    assert!(
        answered,
        "{quantile} = {:?}, {operations} = {:?}",
        query(&prometheus, &quantile),
        query(&prometheus, operations)
    );
    stop.store(true, Ordering::Relaxed);
    sender.join().expect("the sender finished");
    let sent = sent.load(Ordering::Relaxed);

    // Once the requests stop, Prometheus' count is exactly what was sent, and its sum is
    // the demo's own.
    let count = format!(
        "histogram_count(sum(http_server_request_duration_seconds{{{ROUTE},method=\"PUT\"}}))"
    );
    let counted = eventually(Duration::from_secs(30), || {
        single(&prometheus, &count) == Some(sent as f64)
    });
    assert!(
        counted,
        "{count} = {:?}, sent {sent}",
        query(&prometheus, &count)
    );
    let text = get(address, "/metrics", &[]).text();
    let text_sum = sum_samples(
        &text,
        "http_server_request_duration_seconds_sum",
        &[ROUTE, "method=\"PUT\""],
    );
    let sum = format!(
        "histogram_sum(sum(http_server_request_duration_seconds{{{ROUTE},method=\"PUT\"}}))"
    );
    let stored_sum = single(&prometheus, &sum).unwrap_or(f64::NAN);
    assert!(
        (stored_sum - text_sum).abs() <= 1e-9 * text_sum.abs().max(1.0),
        "{sum} = {stored_sum}, the demo's text says {text_sum}"
    );

    // The exemplars are the requests' own traces.
    let ours: BTreeSet<String> = (0..sent).map(trace_id).collect();
    let requests = format!("http_server_request_duration_seconds{{{ROUTE}}}");
    // Histogram buckets' exemplars, and a counter's (the shards' lookups).
    for series in [
        requests.as_str(),
        "kv_operation_duration_seconds",
        "kv_lookups_total",
    ] {
        let traces = exemplar_traces(&prometheus, series, started);
        assert!(
            !traces.is_empty(),
            "no exemplars stored for {series}: {:?}",
            query(&prometheus, series)
        );
        let foreign: Vec<&String> = traces.difference(&ours).collect();
        assert!(
            foreign.is_empty(),
            "{series} has exemplars of traces never sent: {foreign:?}"
        );
    }
    assert!(!demo.stderr().contains("panicked"));
}
