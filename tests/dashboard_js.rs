//! The dashboard's JavaScript unit tests (`node --test dashboard/test/`): the store,
//! deltas, quantiles, rates, frames, URL state, export and import, the connection's
//! fallback, and that the page never sets HTML. Needs Node.js 20 or later.

mod common;

use std::process::Command;

#[test]
fn dashboard_javascript_unit_tests_pass() {
    let dashboard = common::workspace_file("dashboard");
    let output = Command::new("node")
        .args(["--test", "test/"])
        .current_dir(&dashboard)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run node ({error}); install Node.js 20+ (`bash .ci/run` does)")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node --test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    let passed = stdout
        .lines()
        .find_map(|line| line.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    assert!(
        passed >= 20,
        "only {passed} JavaScript tests ran:\n{stdout}"
    );
}
