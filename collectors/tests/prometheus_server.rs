//! A real Prometheus server (Debian `prometheus`) scrapes two demo instances on loopback
//! every second for 30 s: both targets stay up at every scrape, every family the demo
//! exposes can be queried through the HTTP API, and `histogram_quantile` answers over
//! the demo's latency histograms. The Grafana dashboard (`dashboard/grafana/actorscope.json`)
//! is checked against the same server: every panel's every query returns data.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::demo::start_demo;
use common::http::get;
use common::promql::{series_names, start_prometheus, value, ScrapingServer};
use common::wait_until;

/// An instant query; returns the result vector.
fn query(prometheus: &ScrapingServer, promql: &str) -> Vec<serde_json::Value> {
    common::promql::query(prometheus.address, promql)
}

#[test]
fn prometheus_scrapes_two_demos_every_second_and_queries_everything() {
    let first = start_demo(&["--load"]);
    let second = start_demo(&["--load"]);
    let prometheus = start_prometheus(&[&first.address, &second.address], &[]);

    // 30 s of scrapes, one per second per target.
    let scraped = wait_until(Duration::from_secs(90), || {
        let counts = query(&prometheus, "count_over_time(up{job=\"demo\"}[40s])");
        counts.len() == 2 && counts.iter().all(|c| value(c) >= 30.0)
    });
    assert!(scraped, "Prometheus did not scrape both demos 30 times");
    let up = query(&prometheus, "min_over_time(up{job=\"demo\"}[40s])");
    assert_eq!(up.len(), 2, "{up:?}");
    assert!(
        up.iter().all(|target| value(target) == 1.0),
        "a target was down at some scrape: {up:?}"
    );

    // Everything a demo exposes is there to query.
    let exposition = get(first.socket_address(), "/metrics", &[]).text();
    let names = series_names(&exposition);
    assert!(names.len() > 40, "{names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| query(&prometheus, &format!("count({name})")).is_empty())
        .collect();
    assert!(missing.is_empty(), "Prometheus has no data for {missing:?}");

    for histogram in [
        "kv_operation_duration_seconds",
        "http_server_request_duration_seconds",
        "actorscope_actor_message_handling_seconds",
        "actorscope_actor_mailbox_wait_seconds",
    ] {
        let promql =
            format!("histogram_quantile(0.99, sum by (le) (rate({histogram}_bucket[10s])))");
        let result = query(&prometheus, &promql);
        assert_eq!(result.len(), 1, "{promql}: {result:?}");
        let p99 = value(&result[0]);
        assert!(p99.is_finite() && p99 > 0.0, "{promql} = {p99}");
    }
    grafana_queries_all_return_data(&prometheus);
    assert!(!first.stderr().contains("panicked") && !second.stderr().contains("panicked"));
}

/// Grafana itself cannot be installed here; what can break in a dashboard is its queries.
/// Each panel must be well formed and each of its queries, with the dashboard's
/// variables filled in as Grafana would (all servers, a 10 s rate interval), must
/// return data from the Prometheus that scraped the demo.
fn grafana_queries_all_return_data(prometheus: &ScrapingServer) {
    let path = common::workspace_file("dashboard/grafana/actorscope.json");
    let text = std::fs::read_to_string(&path).expect("read the Grafana dashboard");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(dashboard["uid"], "actorscope");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10, "{} panels", panels.len());
    let mut empty = Vec::new();
    for panel in panels {
        let title = panel["title"].as_str().expect("every panel has a title");
        assert!(panel["gridPos"]["w"].as_u64().is_some(), "{title}: gridPos");
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            let expr = target["expr"].as_str().expect("every target has an expr");
            assert!(target["refId"].as_str().is_some(), "{title}: refId");
            let promql = expr
                .replace("$__rate_interval", "10s")
                .replace("$server", ".*");
            if query(prometheus, &promql).is_empty() {
                empty.push(format!("{title}: {promql}"));
            }
        }
    }
    assert!(empty.is_empty(), "queries with no data: {empty:#?}");
}
