//! Helpers shared by the integration tests: the real parsers, and a snapshot that
//! exercises every kind, hostile strings and special floats.
#![allow(dead_code, unreachable_pub)]

pub mod browser;
pub mod demo;
pub mod http;
pub mod promql;
pub mod sse;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actorscope::model::{
    FailureKind, HistogramValue, MetricSnapshot, ModelError, ScrapeError, SlotStates, SummaryValue,
    Unit,
};
use actorscope::stats::{
    Buckets, Exemplar, Histogram, NativeConfig, SpanId, TraceId, TracedCounter,
};
use actorscope::write::Writer;

/// Runs `program args` with `input` on stdin; returns (exit code, stdout, stderr).
fn run_with_stdin(program: &str, args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {program} ({error}); `bash .ci/run` installs it \
                 (Debian `prometheus`, PyPI `prometheus_client`)"
            )
        });
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input)
        .expect("write to child");
    let output = child.wait_with_output().expect("child output");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `promtool check metrics`: Ok when it reports nothing, Err with its words otherwise.
/// Exit code 3 means lint findings only (naming conventions); 1 means it could not parse.
pub fn promtool_check(exposition: &[u8]) -> Result<(), (i32, String)> {
    let (code, stdout, stderr) = run_with_stdin("promtool", &["check", "metrics"], exposition);
    if code == 0 {
        Ok(())
    } else {
        Err((code, format!("{stdout}{stderr}")))
    }
}

/// One sample as the Python parser read it: (series name, sorted labels, value).
pub type ParsedSample = (String, Vec<(String, String)>, f64);

/// A family as the Python parser read it: [name, type, help, unit].
pub type ParsedFamily = [String; 4];

/// Parses with prometheus_client (`format` is `prometheus` or `openmetrics`) plus the
/// checks in tests/support/check_exposition.py; returns families and samples, or the
/// reason it refused.
pub fn python_parse(
    format: &str,
    exposition: &[u8],
) -> Result<(Vec<ParsedFamily>, Vec<ParsedSample>), String> {
    let script = workspace_file("tests/support/check_exposition.py");
    let script = script.to_str().expect("a UTF-8 path");
    let (code, stdout, stderr) = run_with_stdin("python3", &[script, format], exposition);
    if code != 0 {
        return Err(stderr);
    }
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("checker prints JSON");
    let families = document["families"]
        .as_array()
        .expect("families")
        .iter()
        .map(|f| std::array::from_fn(|i| f[i].as_str().unwrap_or_default().to_owned()))
        .collect();
    let samples = document["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            let mut labels: Vec<(String, String)> = s[1]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("label value").to_owned()))
                .collect();
            labels.sort();
            let value = s[2]
                .as_str()
                .expect("value")
                .parse::<f64>()
                .expect("float repr");
            (s[0].as_str().expect("name").to_owned(), labels, value)
        })
        .collect();
    Ok((families, samples))
}

/// A file of the workspace, found from whichever package's tests include this module.
pub fn workspace_file(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(relative))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{relative} not found above {}", env!("CARGO_MANIFEST_DIR")))
}

/// Whether two floats are the same reading (NaN equals NaN).
pub fn same_float(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Polls `condition` until it holds or `limit` passes; returns whether it held.
/// Scrapes `registry` until `done` holds, for at most 10 s; returns the last snapshot (a
/// stopped actor's drop runs on its own thread, so a collector learns of it shortly
/// after the stop message is handled).
pub async fn scrape_until(
    registry: &actorscope::MetricsRegistry,
    done: impl Fn(&MetricSnapshot) -> bool,
) -> MetricSnapshot {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snapshot = registry.scrape().await;
        if done(&snapshot) || Instant::now() > deadline {
            return snapshot;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
}

pub fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A snapshot with every kind, units, hostile label values and help, special floats,
/// an empty family, a histogram with negative buckets and a scrape error.
pub fn rich_snapshot() -> MetricSnapshot {
    let mut snapshot = MetricSnapshot::for_source("fixture");
    build_rich(&mut Writer::new(&mut snapshot)).expect("fixture is valid");
    snapshot.push_error(ScrapeError::new(
        "db",
        FailureKind::TimedOut,
        "did not finish within 0.2 s",
    ));
    snapshot
}

pub fn build_rich(s: &mut Writer<'_>) -> Result<(), ModelError> {
    // JSON carries slot maps; the text formats leave them out.
    s.slots("app_pool_slots", "Slots of the db pool.").add(
        [("pool", "db"), ("owner", "<b>api</b>")],
        SlotStates::new("aaiffc")?,
    )?;
    s.counter("app_requests_total", "Requests handled, by route.")
        .add([("route", "/kv/{key}"), ("method", "GET")], 1027)?
        .add([("route", "/kv/{key}"), ("method", "PUT")], 3)?
        .add([("route", "<unmatched>"), ("method", "GET")], 0)?;
    s.counter(
        "app_hostile_total",
        "Help with \\ backslash, \"quotes\" and a\nnewline.",
    )
    .add([("value", "quote \" backslash \\ newline \n end")], 1)?
    .add([("value", "<img src=x onerror=alert(1)>")], 2)?
    .add([("value", "ünïcødé ✓ \t tab")], 3)?
    .add([("value", "")], 4)?;
    // A counter that keeps its latest traced increment.
    let mut failures = TracedCounter::new();
    failures.add(4);
    let failed = TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").expect("a trace id");
    failures.inc_with_exemplar(Exemplar::new(failed).at(1_700_000_001.25));
    s.counter("app_failures_total", "Requests that failed.")
        .add([("route", "/kv/{key}")], &failures)?;
    s.counter("app_cpu_seconds_total", "CPU time used.")
        .unit(Unit::Seconds)
        .add((), 12.375)?;
    s.gauge("app_temperature_celsius", "Readings that can be anything.")
        .add([("sensor", "nan")], f64::NAN)?
        .add([("sensor", "plus_inf")], f64::INFINITY)?
        .add([("sensor", "minus_inf")], f64::NEG_INFINITY)?
        .add([("sensor", "negative")], -40.5)?
        .add([("sensor", "tiny")], 2.5e-9)?
        .add([("sensor", "huge")], 1.5e300)?;
    s.gauge("app_idle_workers", "A family with no samples yet.")
        .declare()?;
    // Classic buckets, the native form beside them, and exemplars on two buckets.
    let mut latency =
        Histogram::new(Buckets::prometheus_default()).with_native(NativeConfig::default());
    for i in 0..100 {
        latency.observe(f64::from(i) * 0.037);
    }
    let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("a trace id");
    let span = SpanId::from_hex("00f067aa0ba902b7").expect("a span id");
    latency.observe_with_exemplar(
        0.042,
        Exemplar::new(trace).with_span(span).at(1_700_000_000.5),
    );
    latency.observe_with_exemplar(20.0, Exemplar::new(trace));
    s.histogram("app_request_duration_seconds", "Request latency.")
        .unit(Unit::Seconds)
        .add([("route", "/kv/{key}")], &latency)?
        .add(
            [("route", "/empty")],
            &Histogram::new(Buckets::http_seconds()),
        )?;
    // Bounds whose canonical OpenMetrics text differs from the shortest one.
    let bounds = [1e-6, 1.6e-5, 1e-4, 64.0, 1024.0, 1_048_576.0];
    let mut wide = Histogram::new(Buckets::new(bounds).expect("valid bounds"));
    for value in [5e-7, 1e-5, 3.0, 100.0, 5e6] {
        wide.observe(value);
    }
    s.histogram("app_wait_seconds", "Waits from a microsecond to days.")
        .unit(Unit::Seconds)
        .add((), &wide)?;
    let below_zero = HistogramValue::from_bucket_counts(&[-10.0, 0.0, 10.0], &[1, 2, 3, 1], -4.0)?;
    s.histogram("app_offset_celsius", "Offsets, some negative.")
        .add((), below_zero)?;
    s.summary("app_rpc_duration_seconds", "RPC latency quantiles.")
        .add(
            [("service", "a")],
            SummaryValue::new(&[(0.5, 0.05), (0.9, 0.2), (0.99, 1.5)], 240, 21.5)?,
        )?
        .add(
            [("service", "b")],
            SummaryValue::new(&[(0.5, f64::NAN)], 0, 0.0)?,
        )?
        .add(
            [("service", "c")],
            SummaryValue::new(&[(0.0, 0.01), (1.0, 2.0)], 3, 2.5)?,
        )?;
    s.info("app_build_info", "Build of the running binary.")
        .add([("version", "0.1.0"), ("commit", "abc123")], ())?;
    Ok(())
}

/// `base` plus `key="{bound:?}"`, sorted: the labels of a bucket or quantile sample, as
/// [`normalize`] leaves them.
pub fn with_bound(base: &[(String, String)], key: &str, bound: f64) -> Vec<(String, String)> {
    let mut labels = base.to_vec();
    labels.push((key.to_owned(), format!("{bound:?}")));
    labels.sort();
    labels
}

/// What the Python parser should read back from `snapshot` in `format`: every series
/// name, its labels (with `le`/`quantile` normalized by [`normalize`]) and its value,
/// derived from the model rather than from the encoder's output.
pub fn expected_samples(snapshot: &MetricSnapshot, openmetrics: bool) -> Vec<ParsedSample> {
    use actorscope::model::Value;
    let mut expected = Vec::new();
    for family in snapshot.families() {
        let name = family.name();
        for (labels, value) in family.samples() {
            let base: Vec<(String, String)> = labels
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let with = |key: &str, bound: f64| with_bound(&base, key, bound);
            let mut push = |suffix: &str, labels: Vec<(String, String)>, value: f64| {
                expected.push((format!("{name}{suffix}"), labels, value));
            };
            match value {
                Value::Number(number) => push("", base.clone(), *number),
                Value::CountWithExemplar(reading) => push("", base.clone(), reading.count()),
                Value::Info => push("", base.clone(), 1.0),
                Value::Histogram(histogram) => {
                    for (bound, count) in histogram.buckets() {
                        push("_bucket", with("le", bound), count as f64);
                    }
                    let countable = histogram.sum() >= 0.0
                        && histogram.bounds().first().is_none_or(|b| *b >= 0.0);
                    if !openmetrics || countable {
                        push("_sum", base.clone(), histogram.sum());
                        push("_count", base.clone(), histogram.count() as f64);
                    }
                }
                Value::Summary(summary) => {
                    for (quantile, value) in summary.quantiles() {
                        push("", with("quantile", *quantile), *value);
                    }
                    if !openmetrics || summary.sum() >= 0.0 {
                        push("_sum", base.clone(), summary.sum());
                        push("_count", base.clone(), summary.count() as f64);
                    }
                }
                // Slot maps are JSON only.
                Value::Slots(_) => {}
                other => panic!("unexpected value {other:?}"),
            }
        }
    }
    expected
}

/// Rewrites `le` and `quantile` label values as `{:?}` of their float, so `"1"`, `"1.0"`
/// and `"+Inf"` compare by value.
pub fn normalize(samples: Vec<ParsedSample>) -> Vec<ParsedSample> {
    samples
        .into_iter()
        .map(|(name, labels, value)| {
            let mut labels: Vec<(String, String)> = labels
                .into_iter()
                .map(|(k, v)| {
                    if k == "le" || k == "quantile" {
                        let parsed = v
                            .replace("+Inf", "inf")
                            .parse::<f64>()
                            .expect("float label");
                        (k, format!("{parsed:?}"))
                    } else {
                        (k, v)
                    }
                })
                .collect();
            labels.sort();
            (name, labels, value)
        })
        .collect()
}

/// Asserts the parser read back exactly the expected samples (any order; NaN == NaN).
pub fn assert_same_samples(mut parsed: Vec<ParsedSample>, mut expected: Vec<ParsedSample>) {
    let key = |s: &ParsedSample| (s.0.clone(), s.1.clone());
    parsed.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(parsed.len(), expected.len(), "sample count differs");
    for (got, want) in parsed.iter().zip(&expected) {
        assert_eq!(key(got), key(want), "series differ");
        assert!(
            same_float(got.2, want.2),
            "{}{:?}: read back {} but wrote {}",
            got.0,
            got.1,
            got.2,
            want.2
        );
    }
}
