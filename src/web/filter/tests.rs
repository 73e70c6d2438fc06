use super::*;
use crate::model::MetricKind;

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn snapshot() -> MetricSnapshot {
    let mut snapshot = MetricSnapshot::new();
    let requests = snapshot
        .family("http_requests_total", "Requests.", MetricKind::Counter)
        .unwrap();
    for (server, worker, route) in [("api", "0", "/a"), ("api", "1", "/b"), ("admin", "0", "/a")] {
        requests
            .add(
                [("server", server), ("worker", worker), ("route", route)],
                1,
            )
            .unwrap();
    }
    let outgoing = snapshot
        .family(
            "http_client_requests_total",
            "Outgoing.",
            MetricKind::Counter,
        )
        .unwrap();
    for client in ["upstream", "billing"] {
        outgoing
            .add([("client", client), ("worker", "0")], 1)
            .unwrap();
    }
    snapshot
        .family("kv_keys", "Keys.", MetricKind::Gauge)
        .unwrap()
        .add([("worker", "0")], 5)
        .unwrap();
    snapshot
        .family("build_info", "Build.", MetricKind::Info)
        .unwrap()
        .add([("version", "1")], 1)
        .unwrap();
    snapshot
}

fn kept(filter: &DebugFilter) -> Vec<(String, usize)> {
    filter
        .apply(&snapshot())
        .families()
        .map(|f| (f.name().to_owned(), f.len()))
        .collect()
}

#[test]
fn same_label_values_are_alternatives_and_labels_all_apply() {
    let filter = DebugFilter::from_query(&params(&[("worker", "0"), ("worker", "1")])).unwrap();
    assert_eq!(
        kept(&filter),
        [
            ("http_client_requests_total".into(), 2),
            ("http_requests_total".into(), 3),
            ("kv_keys".into(), 1)
        ]
    );
    let filter =
        DebugFilter::from_query(&params(&[("server", "api"), ("label", "route:/a")])).unwrap();
    assert_eq!(kept(&filter), [("http_requests_total".into(), 1)]);
}

#[test]
fn client_keeps_the_series_of_one_outgoing_client() {
    let filter = DebugFilter::from_query(&params(&[("client", "billing")])).unwrap();
    assert_eq!(kept(&filter), [("http_client_requests_total".into(), 1)]);
    assert_eq!(
        filter,
        DebugFilter::from_query(&params(&[("label", "client:billing")])).unwrap()
    );
}

#[test]
fn name_prefixes_pick_families_and_no_filter_keeps_all() {
    let filter = DebugFilter::from_query(&params(&[("name", "kv_"), ("name", "build")])).unwrap();
    assert_eq!(
        kept(&filter),
        [("build_info".into(), 1), ("kv_keys".into(), 1)]
    );
    let everything = DebugFilter::from_query(&[]).unwrap();
    assert!(everything.is_empty());
    assert_eq!(kept(&everything).len(), 4);
}

#[test]
fn an_empty_label_value_matches_samples_without_the_label() {
    let filter = DebugFilter::from_query(&params(&[("label", "server:")])).unwrap();
    assert_eq!(
        kept(&filter),
        [
            ("build_info".into(), 1),
            ("http_client_requests_total".into(), 2),
            ("kv_keys".into(), 1)
        ]
    );
}

#[test]
fn bad_debug_filters_name_their_parameter() {
    let cases: &[(&str, &str, &str)] = &[
        ("worker", "", "worker"),
        ("server", "", "server"),
        ("client", "", "client"),
        ("name", "kv-", "name"),
        ("name", "", "name"),
        ("label", "route", "label"),
        ("label", "1bad:x", "label"),
        ("wroker", "1", "wroker"),
    ];
    for (name, value, culprit) in cases {
        let error = DebugFilter::from_query(&params(&[(name, value)])).unwrap_err();
        assert_eq!(error.culprit(), Some(*culprit), "{name}={value}: {error}");
        assert!(error.to_string().contains(culprit), "{error}");
    }
}

#[test]
fn name_filter_matches_family_and_series_names() {
    let filter =
        NameFilter::from_query(&params(&[("name[]", "kv_keys"), ("name[]", "build_info")]))
            .unwrap();
    let names: Vec<String> = filter
        .apply(&snapshot())
        .unwrap()
        .families()
        .map(|f| f.name().to_owned())
        .collect();
    assert_eq!(names, ["build_info", "kv_keys"]);
    let by_series =
        NameFilter::from_query(&params(&[("name[]", "http_requests_created")])).unwrap();
    assert_eq!(by_series.apply(&snapshot()).unwrap().len(), 1);
    assert!(NameFilter::from_query(&[])
        .unwrap()
        .apply(&snapshot())
        .is_none());
}

#[test]
fn bad_name_filters_are_refused() {
    let error = NameFilter::from_query(&params(&[("name[]", "a b")])).unwrap_err();
    assert_eq!(error.culprit(), Some("name[]"));
    let error = NameFilter::from_query(&params(&[("match[]", "up")])).unwrap_err();
    assert_eq!(error.culprit(), Some("match[]"));
}
