//! Every format, judged by the real parsers; golden files pin the byte order.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test --test formats`.

mod common;
#[path = "common/protobuf.rs"]
mod protobuf_reader;

use actorscope::encode::Format;
use common::{
    assert_same_samples, expected_samples, normalize, promtool_check, python_parse, rich_snapshot,
};

fn check_golden(file: &str, actual: &[u8]) {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
    }
    let golden =
        std::fs::read(&path).unwrap_or_else(|_| panic!("missing {path}; run with UPDATE_GOLDEN=1"));
    assert!(
        golden == actual,
        "{file} changed; if intended, run UPDATE_GOLDEN=1 cargo test --test formats\n--- actual ---\n{}",
        String::from_utf8_lossy(actual)
    );
}

#[test]
fn prometheus_text_matches_golden_file() {
    check_golden("basic.prom", &Format::Prometheus.encode(&rich_snapshot()));
}

#[test]
fn openmetrics_text_matches_golden_file() {
    check_golden(
        "basic.openmetrics",
        &Format::OpenMetrics.encode(&rich_snapshot()),
    );
}

#[test]
fn json_matches_golden_file() {
    check_golden("basic.json", &Format::Json.encode(&rich_snapshot()));
}

#[test]
fn protobuf_reads_back_every_value_with_the_official_schema() {
    let snapshot = rich_snapshot();
    let families = protobuf_reader::decode(&Format::Protobuf.encode(&snapshot))
        .unwrap_or_else(|reason| panic!("{reason}"));
    let latency = families
        .iter()
        .find(|family| family.name() == "app_request_duration_seconds")
        .expect("the histogram family");
    assert_eq!(latency.help(), "Request latency.");
    assert_same_samples(
        normalize(protobuf_reader::samples(&families)),
        expected_samples(&snapshot, false),
    );
}

#[test]
fn protobuf_is_refused_by_the_reader_when_cut_short() {
    // The reader must be able to say no.
    let body = Format::Protobuf.encode(&rich_snapshot());
    assert!(protobuf_reader::decode(&body[..body.len() - 3]).is_err());
}

#[test]
fn promtool_accepts_prometheus_text_without_lint_findings() {
    let text = Format::Prometheus.encode(&rich_snapshot());
    if let Err((code, report)) = promtool_check(&text) {
        panic!("promtool check metrics exited {code}:\n{report}");
    }
}

#[test]
fn promtool_reports_a_real_problem_so_the_check_above_can_fail() {
    // The oracle itself must be able to say no.
    let broken = b"# TYPE x counter\nx{a=\"b} 1\n";
    assert!(matches!(promtool_check(broken), Err((1, _))));
}

#[test]
fn python_text_parser_reads_back_every_value() {
    let snapshot = rich_snapshot();
    let (families, samples) = python_parse("prometheus", &Format::Prometheus.encode(&snapshot))
        .unwrap_or_else(|reason| panic!("{reason}"));
    assert_same_samples(normalize(samples), expected_samples(&snapshot, false));
    let hostile = families
        .iter()
        .find(|f| f[0] == "app_hostile")
        .expect("the counter family, named without _total by the parser");
    assert_eq!(
        hostile[2],
        "Help with \\ backslash, \"quotes\" and a\nnewline."
    );
}

#[test]
fn python_openmetrics_parser_reads_back_every_value_and_unit() {
    let snapshot = rich_snapshot();
    let (families, samples) = python_parse("openmetrics", &Format::OpenMetrics.encode(&snapshot))
        .unwrap_or_else(|reason| panic!("{reason}"));
    assert_same_samples(normalize(samples), expected_samples(&snapshot, true));
    let cpu = families
        .iter()
        .find(|f| f[0] == "app_cpu_seconds")
        .expect("cpu family");
    assert_eq!((cpu[1].as_str(), cpu[3].as_str()), ("counter", "seconds"));
    let build = families
        .iter()
        .find(|f| f[0] == "app_build")
        .expect("info family");
    assert_eq!(build[1], "info");
}

#[test]
fn python_checker_catches_a_split_family_and_a_bad_inf_bucket() {
    let split = b"# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na{x=\"y\"} 2\n";
    assert!(python_parse("prometheus", split).is_err());
    let bad_inf =
        b"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n";
    let reason = python_parse("prometheus", bad_inf).unwrap_err();
    assert!(reason.contains("+Inf bucket 2 != _count 3"), "{reason}");
    let duplicate = b"# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n";
    assert!(python_parse("prometheus", duplicate).is_err());
}

#[test]
fn python_checker_catches_misplaced_exemplars() {
    let histogram = |exemplar: &str| {
        format!(
            "# TYPE h histogram\nh_bucket{{le=\"1.0\"}} 1{exemplar}\nh_bucket{{le=\"+Inf\"}} 2\nh_sum 3.0\nh_count 2\n# EOF\n"
        )
    };
    let good = histogram(" # {trace_id=\"abc\"} 0.5 1700000000.5");
    python_parse("openmetrics", good.as_bytes()).unwrap_or_else(|reason| panic!("{reason}"));
    let outside = histogram(" # {trace_id=\"abc\"} 1.5");
    let reason = python_parse("openmetrics", outside.as_bytes()).unwrap_err();
    assert!(reason.contains("outside the bucket"), "{reason}");
    let long = histogram(&format!(" # {{trace_id=\"{}\"}} 0.5", "a".repeat(130)));
    // The parser itself refuses this one.
    let reason = python_parse("openmetrics", long.as_bytes()).unwrap_err();
    assert!(
        reason.contains("too long") || reason.contains("at most 128"),
        "{reason}"
    );
    let on_sum = "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.0 # {trace_id=\"abc\"} 0.5\nh_count 2\n# EOF\n";
    assert!(python_parse("openmetrics", on_sum.as_bytes()).is_err());
}

#[test]
fn openmetrics_carries_exemplars_and_prometheus_text_does_not() {
    let snapshot = rich_snapshot();
    let open = String::from_utf8(Format::OpenMetrics.encode(&snapshot)).expect("UTF-8");
    assert!(
        open.contains("app_request_duration_seconds_bucket{route=\"/kv/{key}\",le=\"0.05\"} 3 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\",span_id=\"00f067aa0ba902b7\"} 0.042 1700000000.5\n"),
        "{open}"
    );
    assert!(
        open.contains("le=\"+Inf\"} 102 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 20\n"),
        "{open}"
    );
    assert!(
        open.contains("app_failures_total{route=\"/kv/{key}\"} 5 # {trace_id=\"0af7651916cd43dd8448eb211c80319c\"} 1 1700000001.25\n"),
        "{open}"
    );
    let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).expect("UTF-8");
    assert!(!text.contains("trace_id"), "{text}");
    assert!(
        text.contains("app_failures_total{route=\"/kv/{key}\"} 5\n"),
        "{text}"
    );
}

#[test]
fn python_checker_catches_non_canonical_openmetrics_numbers() {
    // What main wrote before (the parser alone accepts every one of these).
    for bad in [
        "64", "1024", "1048576", "0.000016", "1e-6", "1.6e-5", "1.0e+06",
    ] {
        let text = format!(
            "# TYPE h histogram\nh_bucket{{le=\"{bad}\"}} 1\nh_bucket{{le=\"+Inf\"}} 2\nh_sum 1.0\nh_count 2\n# EOF\n"
        );
        let reason = python_parse("openmetrics", text.as_bytes()).unwrap_err();
        assert!(reason.contains("not a canonical number"), "{bad}: {reason}");
    }
    let quantile = "# TYPE s summary\ns{quantile=\"1\"} 2\ns_sum 1.0\ns_count 2\n# EOF\n";
    assert!(python_parse("openmetrics", quantile.as_bytes()).is_err());
    for good in [
        "64.0",
        "1.048576e+06",
        "1.6e-05",
        "1e-06",
        "0.0001",
        "100000.0",
    ] {
        let text = format!(
            "# TYPE h histogram\nh_bucket{{le=\"{good}\"}} 1\nh_bucket{{le=\"+Inf\"}} 2\nh_sum 1.0\nh_count 2\n# EOF\n"
        );
        python_parse("openmetrics", text.as_bytes())
            .unwrap_or_else(|reason| panic!("{good}: {reason}"));
    }
}

#[test]
fn openmetrics_writes_canonical_bounds_and_prometheus_text_the_shortest() {
    let snapshot = rich_snapshot();
    let open = String::from_utf8(Format::OpenMetrics.encode(&snapshot)).unwrap();
    for le in [
        "1e-06",
        "1.6e-05",
        "0.0001",
        "64.0",
        "1024.0",
        "1.048576e+06",
    ] {
        assert!(
            open.contains(&format!("app_wait_seconds_bucket{{le=\"{le}\"}}")),
            "{le}\n{open}"
        );
    }
    assert!(
        open.contains("app_rpc_duration_seconds{service=\"c\",quantile=\"1.0\"} 2\n"),
        "{open}"
    );
    let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).unwrap();
    for le in ["1e-6", "0.000016", "0.0001", "64", "1024", "1048576"] {
        assert!(
            text.contains(&format!("app_wait_seconds_bucket{{le=\"{le}\"}}")),
            "{le}\n{text}"
        );
    }
}

#[test]
fn json_keeps_special_floats_and_errors() {
    let json: serde_json::Value =
        serde_json::from_slice(&Format::Json.encode(&rich_snapshot())).expect("valid JSON");
    assert_eq!(json["version"], 2);
    let families = json["families"].as_array().unwrap();
    let names: Vec<&str> = families
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "families in name order");
    let temperature = families
        .iter()
        .find(|f| f["name"] == "app_temperature_celsius")
        .unwrap();
    let readings: Vec<&serde_json::Value> = temperature["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["value"])
        .collect();
    assert!(readings.contains(&&serde_json::json!("NaN")));
    assert!(readings.contains(&&serde_json::json!("+Inf")));
    assert!(readings.contains(&&serde_json::json!("-Inf")));
    let latency = families
        .iter()
        .find(|f| f["name"] == "app_request_duration_seconds")
        .unwrap();
    assert_eq!(latency["unit"], "seconds");
    let buckets = latency["samples"][1]["buckets"].as_array().unwrap();
    assert_eq!(buckets.last().unwrap()["le"], "+Inf");
    assert_eq!(
        buckets.last().unwrap()["count"],
        latency["samples"][1]["count"]
    );
    assert_eq!(json["errors"][0]["collector"], "db");
    assert_eq!(json["errors"][0]["kind"], "timeout");
}

#[test]
fn content_types_name_their_format() {
    assert_eq!(
        Format::Prometheus.content_type(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(
        Format::OpenMetrics.content_type(),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert_eq!(Format::Json.content_type(), "application/json");
}
