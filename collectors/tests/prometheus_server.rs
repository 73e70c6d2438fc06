//! A real Prometheus server (Debian `prometheus`) scrapes two demo instances on loopback
//! every second for 30 s: both targets stay up at every scrape, every family the demo
//! exposes can be queried through the HTTP API, and `histogram_quantile` answers over
//! the demo's latency histograms.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::demo::start_demo;
use common::http::get;
use common::wait_until;

/// The Prometheus process and its scratch folder; both go when dropped.
struct Prometheus {
    child: Child,
    address: SocketAddr,
    folder: PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

fn start_prometheus(targets: &[&str]) -> Prometheus {
    let folder = std::env::temp_dir().join(format!("actorscope-prometheus-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    let quoted: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n\
         scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: [{}]\n",
        quoted.join(", ")
    );
    std::fs::write(folder.join("prometheus.yml"), config).expect("write the config");
    let address: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let child = Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            folder.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            folder.join("data").display()
        ))
        .arg(format!("--web.listen-address={address}"))
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run prometheus ({error}); `apt-get install prometheus` (bash .ci/run does)"
            )
        });
    let prometheus = Prometheus {
        child,
        address,
        folder,
    };
    let ready = wait_until(Duration::from_secs(30), || {
        std::net::TcpStream::connect(address).is_ok() && get(address, "/-/ready", &[]).status == 200
    });
    assert!(ready, "Prometheus did not become ready on {address}");
    prometheus
}

/// Percent-encodes a query parameter.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query; returns the result vector.
fn query(prometheus: &Prometheus, promql: &str) -> Vec<serde_json::Value> {
    let response = get(
        prometheus.address,
        &format!("/api/v1/query?query={}", encode(promql)),
        &[],
    );
    assert_eq!(response.status, 200, "{promql}: {}", response.text());
    let document = response.json();
    assert_eq!(document["status"], "success", "{promql}: {document}");
    document["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn value(sample: &serde_json::Value) -> f64 {
    sample["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The metric names of the sample lines of a Prometheus text exposition.
fn series_names(exposition: &str) -> BTreeSet<String> {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
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
