use super::*;
use crate::model::{FailureKind, HistogramValue, SummaryValue, Unit, Value};

fn counter(snapshot: &mut MetricSnapshot, name: &str) -> Result<(), ModelError> {
    snapshot
        .family(name, "Help.", MetricKind::Counter)
        .map(|_| ())
}

#[test]
fn bad_metric_names_are_refused_with_the_name_quoted() {
    let mut snapshot = MetricSnapshot::new();
    let error = snapshot
        .family("bad-name", "Help.", MetricKind::Gauge)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid metric name \"bad-name\": it must match [a-zA-Z_:][a-zA-Z0-9_:]*"
    );
    assert!(snapshot.is_empty());
}

#[test]
fn counters_need_total_and_info_needs_info_suffix() {
    let mut snapshot = MetricSnapshot::new();
    let error = counter(&mut snapshot, "requests").unwrap_err();
    assert_eq!(
        error.to_string(),
        "counter metric \"requests\" must be named with the suffix \"_total\" (e.g. requests_total)"
    );
    assert!(
        counter(&mut snapshot, "_total").is_err(),
        "a bare suffix has no name"
    );
    assert!(snapshot
        .family("build", "Build.", MetricKind::Info)
        .is_err());
    assert!(snapshot
        .family("build_info", "Build.", MetricKind::Info)
        .is_ok());
}

#[test]
fn empty_help_is_refused() {
    let mut snapshot = MetricSnapshot::new();
    let error = snapshot.family("up", "  ", MetricKind::Gauge).unwrap_err();
    assert!(matches!(error, ModelError::MissingHelp { .. }));
}

#[test]
fn unit_must_end_the_name_before_total() {
    let mut snapshot = MetricSnapshot::new();
    assert!(snapshot
        .family_with_unit(
            "cpu_seconds_total",
            "CPU.",
            MetricKind::Counter,
            Unit::Seconds
        )
        .is_ok());
    let error = snapshot
        .family_with_unit("memory", "Memory.", MetricKind::Gauge, Unit::Bytes)
        .unwrap_err();
    assert!(
        error.to_string().contains("must end with _<unit>"),
        "{error}"
    );
    assert!(snapshot
        .family_with_unit("os_info", "OS.", MetricKind::Info, Unit::Other("info"))
        .is_err());
    assert!(snapshot
        .family_with_unit("a_b c", "A.", MetricKind::Gauge, Unit::Other("b c"))
        .is_err());
}

#[test]
fn redeclaring_with_other_kind_names_both_sources() {
    let mut first = MetricSnapshot::for_source("pool");
    first
        .family("slots", "Slots.", MetricKind::Gauge)
        .unwrap()
        .add((), 1)
        .unwrap();
    let mut second = MetricSnapshot::for_source("http");
    second
        .family("slots", "Slots.", MetricKind::Summary)
        .unwrap()
        .add((), SummaryValue::new(&[], 0, 0.0).unwrap())
        .unwrap();
    let mut merged = MetricSnapshot::new();
    assert!(merged.merge(first).is_empty());
    let problems = merged.merge(second);
    assert_eq!(problems.len(), 1);
    let message = problems[0].to_string();
    assert!(
        message.contains("\"pool\"") && message.contains("\"http\""),
        "{message}"
    );
    assert_eq!(merged.get("slots").unwrap().kind(), MetricKind::Gauge);
}

#[test]
fn same_declaration_from_two_sources_merges_their_series() {
    let mut merged = MetricSnapshot::new();
    for (source, worker) in [("a", "0"), ("b", "1")] {
        let mut part = MetricSnapshot::for_source(source);
        part.family("jobs_total", "Jobs.", MetricKind::Counter)
            .unwrap()
            .add([("worker", worker)], 3)
            .unwrap();
        assert!(merged.merge(part).is_empty());
    }
    let family = merged.get("jobs_total").unwrap();
    assert_eq!(family.len(), 2);
    assert_eq!(family.sources(), &["a".to_owned(), "b".to_owned()]);
}

#[test]
fn duplicate_series_across_sources_keeps_the_first() {
    let mut merged = MetricSnapshot::new();
    for (source, value) in [("a", 1), ("b", 2)] {
        let mut part = MetricSnapshot::for_source(source);
        part.family("x", "X.", MetricKind::Gauge)
            .unwrap()
            .add((), value)
            .unwrap();
        let problems = merged.merge(part);
        assert_eq!(problems.len(), usize::from(source == "b"));
    }
    assert_eq!(
        merged.get("x").unwrap().value(()),
        Some(&Value::Number(1.0))
    );
}

#[test]
fn series_names_of_different_families_must_not_clash() {
    let mut snapshot = MetricSnapshot::new();
    snapshot
        .family("latency", "L.", MetricKind::Histogram)
        .unwrap();
    let error = snapshot
        .family("latency_count", "C.", MetricKind::Gauge)
        .unwrap_err();
    assert_eq!(
        error,
        ModelError::NameClash {
            family: "latency_count".into(),
            other: "latency".into(),
            series: "latency_count".into()
        }
    );
    // A counter `foo_total` is the OpenMetrics family `foo`: a gauge `foo` clashes.
    counter(&mut snapshot, "foo_total").unwrap();
    assert!(snapshot.family("foo", "F.", MetricKind::Gauge).is_err());
}

#[test]
fn reserved_and_repeated_label_names_are_refused() {
    let mut snapshot = MetricSnapshot::new();
    let histogram = snapshot.family("h", "H.", MetricKind::Histogram).unwrap();
    let value = HistogramValue::from_bucket_counts(&[], &[0], 0.0).unwrap();
    assert!(matches!(
        histogram.add([("le", "1")], value.clone()),
        Err(ModelError::ReservedLabelName { .. })
    ));
    assert!(matches!(
        histogram.add([("__name__", "x")], value.clone()),
        Err(ModelError::ReservedLabelName { .. })
    ));
    assert!(matches!(
        histogram.add([("a", "1"), ("a", "2")], value.clone()),
        Err(ModelError::DuplicateLabelName { .. })
    ));
    assert!(matches!(
        histogram.add([("a-b", "1")], value),
        Err(ModelError::InvalidLabelName { .. })
    ));
    assert!(histogram.is_empty());
    // `le` is an ordinary label on a gauge.
    let gauge = snapshot.family("g", "G.", MetricKind::Gauge).unwrap();
    assert!(gauge.add([("le", "1")], 1).is_ok());
}

#[test]
fn values_must_fit_the_family_kind() {
    let mut snapshot = MetricSnapshot::new();
    let counters = snapshot
        .family("c_total", "C.", MetricKind::Counter)
        .unwrap();
    assert!(counters.add([("a", "1")], -1).is_err());
    assert!(counters.add([("a", "2")], f64::NAN).is_err());
    assert!(counters.add([("a", "3")], f64::INFINITY).is_ok());
    let histogram = HistogramValue::from_bucket_counts(&[], &[0], 0.0).unwrap();
    assert!(matches!(
        counters.add([("a", "4")], histogram),
        Err(ModelError::WrongValueKind { .. })
    ));
    let info = snapshot.family("os_info", "OS.", MetricKind::Info).unwrap();
    assert!(info.add([("name", "linux")], 1).is_ok());
    assert!(info.add([("name", "bsd")], 2).is_err());
    assert_eq!(info.value([("name", "linux")]), Some(&Value::Info));
}

#[test]
fn labels_are_sorted_so_order_given_does_not_matter() {
    let mut snapshot = MetricSnapshot::new();
    let family = snapshot.family("g", "G.", MetricKind::Gauge).unwrap();
    family.add([("b", "2"), ("a", "1")], 5).unwrap();
    assert!(family.add([("a", "1"), ("b", "2")], 6).is_err());
    let (labels, _) = family.samples().next().unwrap();
    assert_eq!(
        labels.iter().collect::<Vec<_>>(),
        vec![("a", "1"), ("b", "2")]
    );
}

#[test]
fn histogram_values_are_checked() {
    assert!(HistogramValue::from_bucket_counts(&[1.0], &[1], 0.0).is_err());
    assert!(HistogramValue::from_bucket_counts(&[2.0, 1.0], &[1, 1, 1], 0.0).is_err());
    assert!(HistogramValue::from_bucket_counts(&[f64::NAN], &[1, 1], 0.0).is_err());
    assert!(HistogramValue::from_bucket_counts(&[1.0], &[u64::MAX, 1], 0.0).is_err());
    assert!(HistogramValue::from_cumulative(&[(1.0, 5)], 4, 0.0).is_err());
    assert!(HistogramValue::from_cumulative(&[(1.0, 1), (f64::INFINITY, 3)], 2, 0.0).is_err());
    let value = HistogramValue::from_cumulative(&[(1.0, 1), (f64::INFINITY, 2)], 2, 0.5).unwrap();
    assert_eq!(
        value.buckets().collect::<Vec<_>>(),
        vec![(1.0, 1), (f64::INFINITY, 2)]
    );
}

#[test]
fn errors_travel_with_the_snapshot_through_merge() {
    let mut part = MetricSnapshot::for_source("a");
    part.push_error(ScrapeError::new("a", FailureKind::Error, "boom"));
    let mut merged = MetricSnapshot::new();
    merged.merge(part);
    assert_eq!(
        merged.errors()[0].to_string(),
        "collector \"a\" (error): boom"
    );
}

#[test]
fn accumulate_sums_counters_and_histograms_and_drops_gauges() {
    let part = |count: u64| {
        let mut part = MetricSnapshot::for_source("w");
        part.family("ops_total", "Ops.", MetricKind::Counter)
            .unwrap()
            .add([("worker", "retired")], count)
            .unwrap();
        part.family("size", "Size.", MetricKind::Histogram)
            .unwrap()
            .add(
                (),
                HistogramValue::from_bucket_counts(&[1.0], &[count, 1], 2.0).unwrap(),
            )
            .unwrap();
        part.family("level", "Level.", MetricKind::Gauge)
            .unwrap()
            .add((), 9)
            .unwrap();
        part
    };
    let mut total = MetricSnapshot::new();
    total.accumulate(part(3));
    total.accumulate(part(4));
    let ops = total.get("ops_total").unwrap();
    assert_eq!(
        ops.value([("worker", "retired")]),
        Some(&Value::Number(7.0))
    );
    let size = total
        .get("size")
        .unwrap()
        .value(())
        .and_then(Value::as_histogram)
        .unwrap();
    assert_eq!(
        size.buckets().collect::<Vec<_>>(),
        vec![(1.0, 7), (f64::INFINITY, 9)]
    );
    assert_eq!(size.sum(), 4.0);
    assert!(total.get("level").is_none());
}

#[test]
fn unattributed_parts_do_not_show_up_as_sources() {
    let mut named = MetricSnapshot::for_source("kv");
    named
        .family("ops_total", "Ops.", MetricKind::Counter)
        .unwrap()
        .add([("w", "0")], 1)
        .unwrap();
    let mut unattributed = MetricSnapshot::new();
    unattributed
        .family("ops_total", "Ops.", MetricKind::Counter)
        .unwrap()
        .add([("w", "retired")], 2)
        .unwrap();
    assert!(unattributed.get("ops_total").unwrap().sources().is_empty());
    assert!(named.merge(unattributed).is_empty());
    let family = named.get("ops_total").unwrap();
    assert_eq!(family.sources(), &["kv".to_owned()]);
    assert_eq!(family.len(), 2);
}
