//! Asking a real time-series server (Prometheus, VictoriaMetrics) over its HTTP API.

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};

use super::http::get;

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// Percent-encodes a query parameter.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query through the Prometheus HTTP API at `address`; the result vector.
pub fn query(address: SocketAddr, promql: &str) -> Vec<serde_json::Value> {
    let response = get(
        address,
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

/// The value of one sample of a result vector.
pub fn value(sample: &serde_json::Value) -> f64 {
    sample["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The metric names of the sample lines of a Prometheus text exposition.
pub fn series_names(exposition: &str) -> BTreeSet<String> {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

/// A time-series server run for one test: its process and scratch folder, both gone
/// when dropped.
pub struct ScrapingServer {
    child: std::process::Child,
    /// Where its HTTP API listens.
    pub address: SocketAddr,
    folder: std::path::PathBuf,
}

impl Drop for ScrapingServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A scrape config for `targets` as job `demo`, every second.
pub fn scrape_config(targets: &[&str]) -> String {
    let quoted: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n\
         scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: [{}]\n",
        quoted.join(", ")
    )
}

impl ScrapingServer {
    /// Writes `config` to a scratch folder, starts `program` with the arguments `args`
    /// makes from (config file, data folder, listen address), and waits until
    /// `ready_path` answers 200.
    pub fn start(
        program: &str,
        config: &str,
        args: impl FnOnce(&std::path::Path, &std::path::Path, SocketAddr) -> Vec<String>,
        ready_path: &str,
    ) -> Self {
        let folder =
            std::env::temp_dir().join(format!("actorscope-{program}-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("a scratch folder");
        let config_file = folder.join("scrape.yml");
        std::fs::write(&config_file, config).expect("write the config");
        let address: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let child = std::process::Command::new(program)
            .args(args(&config_file, &folder.join("data"), address))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot run {program} ({error}); `apt-get install {program}` (bash .ci/run does)")
            });
        let server = Self {
            child,
            address,
            folder,
        };
        let ready = super::wait_until(std::time::Duration::from_secs(30), || {
            std::net::TcpStream::connect(address).is_ok()
                && get(address, ready_path, &[]).status == 200
        });
        assert!(ready, "{program} did not become ready on {address}");
        server
    }
}

/// Debian's Prometheus scraping `targets` every second, with `flags` added (feature
/// flags, say), ready to query.
pub fn start_prometheus(targets: &[&str], flags: &[&str]) -> ScrapingServer {
    ScrapingServer::start(
        "prometheus",
        &scrape_config(targets),
        |config, data, address| {
            let mut args = vec![
                format!("--config.file={}", config.display()),
                format!("--storage.tsdb.path={}", data.display()),
                format!("--web.listen-address={address}"),
                "--log.level=warn".to_owned(),
            ];
            args.extend(flags.iter().map(|flag| (*flag).to_owned()));
            args
        },
        "/-/ready",
    )
}
