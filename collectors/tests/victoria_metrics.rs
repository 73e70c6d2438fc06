//! A second real ingestion engine: Debian's VictoriaMetrics (single binary, its own
//! Prometheus-compatible scraper) scrapes the demo on loopback every second; every family
//! the demo exposes can then be queried, and `histogram_quantile` answers.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::demo::start_demo;
use common::http::get;
use common::promql::{query, scrape_config, series_names, value, ScrapingServer};
use common::wait_until;

fn start_victoria(target: &str) -> ScrapingServer {
    ScrapingServer::start(
        "victoria-metrics",
        &scrape_config(&[target]),
        |config, data, address| {
            vec![
                format!("-promscrape.config={}", config.display()),
                format!("-storageDataPath={}", data.display()),
                format!("-httpListenAddr={address}"),
                // By default the latest 30 s are hidden from queries.
                "-search.latencyOffset=1s".to_owned(),
                "-loggerLevel=ERROR".to_owned(),
            ]
        },
        "/health",
    )
}

#[test]
fn victoria_metrics_scrapes_the_demo_and_queries_everything() {
    let demo = start_demo(&["--load"]);
    let victoria = start_victoria(&demo.address);

    // Fifteen scrapes, every one of them up.
    let scraped = wait_until(Duration::from_secs(90), || {
        let counts = query(victoria.address, "count_over_time(up{job=\"demo\"}[60s])");
        counts.len() == 1 && value(&counts[0]) >= 15.0
    });
    assert!(scraped, "VictoriaMetrics did not scrape the demo 15 times");
    let up = query(victoria.address, "min_over_time(up{job=\"demo\"}[60s])");
    assert_eq!(up.len(), 1, "{up:?}");
    assert_eq!(value(&up[0]), 1.0, "the target was down at some scrape");

    let exposition = get(demo.socket_address(), "/metrics", &[]).text();
    let names = series_names(&exposition);
    assert!(names.len() > 40, "{names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| query(victoria.address, &format!("count({name})")).is_empty())
        .collect();
    assert!(
        missing.is_empty(),
        "VictoriaMetrics has no data for {missing:?}"
    );

    let promql = "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket[10s])))";
    let result = query(victoria.address, promql);
    assert_eq!(result.len(), 1, "{promql}: {result:?}");
    let p99 = value(&result[0]);
    assert!(p99.is_finite() && p99 > 0.0, "{promql} = {p99}");
    assert!(!demo.stderr().contains("panicked"));
}
