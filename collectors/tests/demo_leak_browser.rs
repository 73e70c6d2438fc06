//! The dashboard's leak warning on the real demo, in headless Chromium: the demo started
//! with `--leak` is named within 5 scrapes, the same demo without it is not
//! (`dashboard/e2e-demo/leak.test.js`). Needs Debian `chromium` and `dashboard/node_modules`
//! (`bash .ci/run` installs both).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::time::Duration;

#[test]
fn the_planted_leak_is_named_and_the_plain_demo_is_not() {
    let leaking = common::demo::start_demo(&["--leak", "--shards", "2"]);
    let plain = common::demo::start_demo(&["--shards", "2"]);
    common::browser::run_e2e(
        "e2e-demo",
        &[
            ("LEAKING_URL", format!("http://{}/debug/", leaking.address)),
            ("PLAIN_URL", format!("http://{}/debug/", plain.address)),
        ],
        Duration::from_secs(120),
    );
}
