//! Runs a folder of the dashboard's browser tests (`node --test`, playwright-core and
//! Debian `chromium`) against a server the Rust test started, bounded in time.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{wait_until, workspace_file};

/// Where the browser tests save screenshots and downloads: `target/dashboard-e2e/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_file("target").join("dashboard-e2e");
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    dir
}

/// Runs `node --test <folder>/` in `dashboard/` with `env` (and `CHROMIUM`,
/// `SCREENSHOT_DIR`), stops it after `limit`, and fails unless every test passed.
/// Returns node's output (its `PERF` lines included).
pub fn run_e2e(folder: &str, env: &[(&str, String)], limit: Duration) -> String {
    let dashboard = workspace_file("dashboard");
    assert!(
        dashboard.join("node_modules/playwright-core").exists(),
        "run `npm ci` in dashboard/ (or `bash .ci/run`) to install playwright-core"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} is missing: `apt-get install chromium` (or set CHROMIUM)"
    );
    let mut child = Command::new("node")
        .args(["--test", "--test-concurrency=1", &format!("{folder}/")])
        .current_dir(&dashboard)
        .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
        .env("SCREENSHOT_DIR", screenshot_dir())
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let started = Instant::now();
    let finished = wait_until(limit, || matches!(child.try_wait(), Ok(Some(_))));
    if !finished {
        let _ = child.kill();
    }
    let status = child.wait().expect("node exited");
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .map(|mut out| out.read_to_string(&mut stdout));
    child
        .stderr
        .take()
        .map(|mut err| err.read_to_string(&mut stderr));
    // Debian's chromium wrapper prints this harmless line at every launch (pitfall P15).
    let stderr: String = stderr
        .lines()
        .filter(|line| !line.contains("unexpected operator"))
        .collect::<Vec<_>>()
        .join("\n");
    println!(
        "{stdout}\n{stderr}\n(browser test {folder} took {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    assert!(
        finished,
        "the browser test {folder} did not finish within {limit:?}:\n{stdout}\n{stderr}"
    );
    assert!(
        status.success(),
        "the browser test {folder} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    stdout
}
