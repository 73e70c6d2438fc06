//! `--leak`: a planted leak, so the dashboard's leak warning can be seen (and tested) on
//! a real server. A thread keeps `STEP` more bytes every `EVERY` (1 MiB/s), written so
//! they are resident too, and never frees them; it stops by itself at `LIMIT`. Off by
//! default: nothing leaks unless the flag is given.

use std::io::Write;
use std::time::Duration;

/// Bytes kept at each step.
const STEP: usize = 256 * 1024;
/// Time between steps.
const EVERY: Duration = Duration::from_millis(250);
/// The leak stops growing here (8.5 minutes at 1 MiB/s).
const LIMIT: usize = 512 * 1024 * 1024;

/// Starts leaking in a background thread.
pub(crate) fn start() -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("demo-leak".to_owned())
        .spawn(|| {
            let mut kept: Vec<Vec<u8>> = Vec::new();
            while kept.len() * STEP < LIMIT {
                kept.push(vec![0xA5; STEP]);
                std::thread::sleep(EVERY);
            }
            let _ = writeln!(
                std::io::stderr(),
                "demo: --leak: stopped growing at {} MiB (kept until exit)",
                LIMIT >> 20
            );
            // Kept, not freed: the leak stays leaked until the process exits.
            std::mem::forget(kept);
        })
        .map(drop)
}
