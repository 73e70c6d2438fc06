//! The demo's OTLP export through a real OpenTelemetry collector: the demo (`--otlp`)
//! → `rotel-agent` (PyPI `rotel`) on loopback OTLP/HTTP → a loopback receiver that decodes
//! every request with the official Python `opentelemetry-proto` classes
//! (`tests/support/otlp_receiver.py`). Checks that the values equal the demo's
//! `/metrics` once the traffic has stopped, that every family arrives, temporality and
//! monotonicity, stable start times, the resource, and the exporter's own families.
//!
//! `.ci/run` installs rotel and opentelemetry-proto in a venv at `/opt/actorscope-otlp`
//! (or `ACTORSCOPE_OTLP_VENV`).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::demo::start_demo_with_env;
use common::http::{get, request, sum_samples};
use common::promql::free_port;
use common::{wait_until, workspace_file};
use serde_json::Value;

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn venv() -> PathBuf {
    std::env::var_os("ACTORSCOPE_OTLP_VENV")
        .map_or_else(|| PathBuf::from("/opt/actorscope-otlp"), PathBuf::from)
}

fn python() -> PathBuf {
    let python = venv().join("bin/python");
    assert!(
        python.exists(),
        "{} is missing; `bash .ci/run` makes the venv (rotel, opentelemetry-proto)",
        python.display()
    );
    python
}

fn rotel_agent() -> PathBuf {
    let output = Command::new(python())
        .args([
            "-c",
            "import rotel, os; print(os.path.dirname(rotel.__file__))",
        ])
        .output()
        .expect("run the venv's python");
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    PathBuf::from(dir).join("rotel-agent")
}

fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// The exports the receiver decoded so far, oldest first.
fn exports(out: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Every metric of one export, by name.
fn metrics(export: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    for resource in export["resourceMetrics"].as_array().into_iter().flatten() {
        for scope in resource["scopeMetrics"].as_array().into_iter().flatten() {
            found.extend(scope["metrics"].as_array().into_iter().flatten());
        }
    }
    found
}

fn metric<'a>(export: &'a Value, name: &str) -> Option<&'a Value> {
    metrics(export).into_iter().find(|m| m["name"] == name)
}

fn attribute<'a>(point: &'a Value, key: &str) -> Option<&'a Value> {
    point["attributes"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}

/// The sum of a Sum metric's points whose string attribute `key` is `value` (any, if
/// `key` is empty).
fn sum_points(export: &Value, name: &str, key: &str, value: &str) -> f64 {
    let Some(metric) = metric(export, name) else {
        return f64::NAN;
    };
    metric["sum"]["dataPoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            key.is_empty()
                || attribute(p, key).and_then(|v| v["stringValue"].as_str()) == Some(value)
        })
        .filter_map(|p| p["asDouble"].as_f64())
        .sum()
}

/// The receiver and rotel-agent in front of it; returns them, the receiver's output file
/// and the URL to export to.
fn start_collector_chain() -> (Vec<Process>, PathBuf, String) {
    let (collector_http, collector_grpc, receiver) = (free_port(), free_port(), free_port());
    let out = std::env::temp_dir().join(format!("actorscope-otlp-{receiver}.jsonl"));
    let _ = std::fs::remove_file(&out);
    let decoder = Process(
        Command::new(python())
            .arg(workspace_file("tests/support/otlp_receiver.py"))
            .args([receiver.to_string(), out.display().to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("start the receiver"),
    );
    let collector = Process(
        Command::new(rotel_agent())
            .args([
                "start",
                "--otlp-http-endpoint",
                &format!("127.0.0.1:{collector_http}"),
            ])
            .args([
                "--otlp-grpc-endpoint",
                &format!("127.0.0.1:{collector_grpc}"),
            ])
            .args(["--exporter", "otlp", "--otlp-exporter-protocol", "http"])
            .args([
                "--otlp-exporter-endpoint",
                &format!("http://127.0.0.1:{receiver}"),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("start rotel-agent"),
    );
    assert!(
        wait_until(Duration::from_secs(30), || listening(receiver)
            && listening(collector_http)),
        "the receiver and rotel-agent listen within 30 s"
    );
    let url = format!("http://127.0.0.1:{collector_http}/v1/metrics");
    (vec![collector, decoder], out, url)
}

/// The exported values equal the exposition's, and every family arrived.
fn check_same_as_exposition(last: &Value, text: &str) {
    for (family, otlp, key, value) in [
        ("kv_operations_total", "kv_operations", "op", "put"),
        ("kv_written_bytes_total", "kv_written_bytes", "", ""),
        (
            "actorscope_actor_messages_handled_total",
            "actorscope_actor_messages_handled",
            "actor",
            "Shard",
        ),
    ] {
        let needle = format!("{key}=\"{value}\"");
        let filter: Vec<&str> = if key.is_empty() {
            vec![]
        } else {
            vec![needle.as_str()]
        };
        assert_eq!(
            sum_points(last, otlp, key, value),
            sum_samples(text, family, &filter),
            "{family}"
        );
    }
    // Every point: as many as the exposition has series.
    for (family, otlp) in [
        ("kv_operations_total", "kv_operations"),
        (
            "actorscope_actor_messages_handled_total",
            "actorscope_actor_messages_handled",
        ),
    ] {
        let series = text
            .lines()
            .filter(|l| l.starts_with(&format!("{family}{{")))
            .count();
        let points = metric(last, otlp)
            .and_then(|m| m["sum"]["dataPoints"].as_array())
            .map_or(0, Vec::len);
        assert_eq!(points, series, "{family}");
    }
    for line in text.lines().filter_map(|l| l.strip_prefix("# TYPE ")) {
        let (name, kind) = line.split_once(' ').expect("# TYPE name kind");
        let otlp = if kind == "counter" {
            name.trim_end_matches("_total")
        } else {
            name
        };
        assert!(
            metric(last, otlp).is_some(),
            "{otlp} ({kind}) did not arrive"
        );
    }
}

/// Cumulative, monotonic sums; start times stable between exports and before the point.
fn check_temporality_and_start_times(before: &Value, last: &Value) {
    let mut sums = 0;
    for metric in metrics(last) {
        if let Some(sum) = metric.get("sum") {
            sums += 1;
            assert_eq!(
                sum["aggregationTemporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE",
                "{}",
                metric["name"]
            );
            assert_eq!(sum["isMonotonic"], true, "{}", metric["name"]);
        }
        for kind in ["histogram", "exponentialHistogram"] {
            if let Some(histogram) = metric.get(kind) {
                assert_eq!(
                    histogram["aggregationTemporality"],
                    "AGGREGATION_TEMPORALITY_CUMULATIVE"
                );
            }
        }
    }
    assert!(sums > 10, "{sums} sums");
    let starts = |export: &Value| -> Vec<(String, String)> {
        metric(export, "kv_operations").expect("kv_operations")["sum"]["dataPoints"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| {
                let start: u64 = p["startTimeUnixNano"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let time: u64 = p["timeUnixNano"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                assert!(start > 0 && start <= time, "start {start}, time {time}");
                (p["attributes"].to_string(), start.to_string())
            })
            .collect()
    };
    assert_eq!(
        starts(before),
        starts(last),
        "start times stay put while counting up"
    );
    let duration = metric(last, "kv_operation_duration_seconds");
    assert!(
        duration
            .and_then(|m| m.get("exponentialHistogram"))
            .is_some(),
        "native histograms go as exponential ones"
    );
}

/// The resource says who sent it.
fn check_resource(last: &Value, pid: u32) {
    let resource = &last["resourceMetrics"][0]["resource"];
    let string = |key: &str| {
        attribute(resource, key)
            .and_then(|v| v["stringValue"].as_str())
            .map(str::to_owned)
    };
    assert_eq!(string("service.name").as_deref(), Some("kv-demo"));
    assert_eq!(string("deployment.environment").as_deref(), Some("test"));
    assert_eq!(string("telemetry.sdk.name").as_deref(), Some("actorscope"));
    let pid_sent = attribute(resource, "process.pid")
        .and_then(|v| v["intValue"].as_str())
        .map(str::to_owned);
    assert_eq!(pid_sent, Some(pid.to_string()));
}

#[test]
fn the_demo_exports_through_a_real_collector_what_its_metrics_show() {
    let (_chain, out, url) = start_collector_chain();
    let demo = start_demo_with_env(
        &["--shards", "2", "--otlp", &url],
        &[
            ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
            ("OTEL_SERVICE_NAME", "kv-demo"),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test"),
            // Gzipped bodies, which the collector must take as well.
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ],
    );
    const PUTS: u32 = 30;
    for i in 0..PUTS {
        let answer = request(
            demo.socket_address(),
            "PUT",
            &format!("/kv/k{i}"),
            &[],
            b"value",
        );
        assert_eq!(answer.status, 201);
    }
    // Two exports made after the last PUT (the second with the exporter's own families,
    // which need one success first).
    let settled = wait_until(Duration::from_secs(60), || {
        let all = exports(&out);
        all.len() >= 2
            && all[all.len() - 2..]
                .iter()
                .all(|e| sum_points(e, "kv_operations", "op", "put") == f64::from(PUTS))
            && all.last().is_some_and(|e| {
                sum_points(e, "actorscope_otlp_exports", "result", "success") >= 1.0
            })
    });
    let all = exports(&out);
    assert!(
        settled,
        "{} exports arrived; the last: {:?}",
        all.len(),
        all.last().map(|e| metrics(e).len())
    );
    let (before, last) = (&all[all.len() - 2], &all[all.len() - 1]);
    // Nothing moves any more: the same values as /metrics.
    let text = get(demo.socket_address(), "/metrics", &[]).text();
    check_same_as_exposition(last, &text);
    check_temporality_and_start_times(before, last);
    check_resource(last, demo.child.id());
    assert!(!demo.stderr().contains("panicked"));
    let _ = std::fs::remove_file(&out);
}
