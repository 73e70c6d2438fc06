//! A real Prometheus server (Debian `prometheus`) scrapes two demo instances on loopback
//! every second for 30 s: both targets stay up at every scrape, every family the demo
//! exposes can be queried through the HTTP API, and `histogram_quantile` answers over
//! the demo's latency histograms.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::demo::start_demo;
use common::http::get;
use common::promql::{scrape_config, series_names, value, ScrapingServer};
use common::wait_until;

fn start_prometheus(targets: &[&str]) -> ScrapingServer {
    ScrapingServer::start(
        "prometheus",
        &scrape_config(targets),
        |config, data, address| {
            vec![
                format!("--config.file={}", config.display()),
                format!("--storage.tsdb.path={}", data.display()),
                format!("--web.listen-address={address}"),
                "--log.level=warn".to_owned(),
            ]
        },
        "/-/ready",
    )
}

/// An instant query; returns the result vector.
fn query(prometheus: &ScrapingServer, promql: &str) -> Vec<serde_json::Value> {
    common::promql::query(prometheus.address, promql)
}

#[test]
fn prometheus_scrapes_two_demos_every_second_and_queries_everything() {
    let first = start_demo(&["--load"]);
    let second = start_demo(&["--load"]);
    let prometheus = start_prometheus(&[&first.address, &second.address]);

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
    ] {
        let promql =
            format!("histogram_quantile(0.99, sum by (le) (rate({histogram}_bucket[10s])))");
        let result = query(&prometheus, &promql);
        assert_eq!(result.len(), 1, "{promql}: {result:?}");
        let p99 = value(&result[0]);
        assert!(p99.is_finite() && p99 > 0.0, "{promql} = {p99}");
    }
    assert!(!first.stderr().contains("panicked") && !second.stderr().contains("panicked"));
}
