//! `--load`: a bounded client load against the demo itself, so the numbers move.
//!
//! One thread, one keep-alive connection, the [`RequestMix`] (about 60% GET, 30% PUT,
//! 10% DELETE over 1,000 keys), paced to roughly `RATE` requests per second. It stops by itself after
//! `MAX_REQUESTS` or `MAX_DURATION`, or as soon as the server goes away.

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::kv_client::{exchange, RequestMix};

/// Requests per second the load aims for.
const RATE: u64 = 2_000;
/// The load stops after this many requests...
const MAX_REQUESTS: u64 = 1_000_000;
/// ...or after this long, whichever comes first.
const MAX_DURATION: Duration = Duration::from_secs(600);

/// Starts the load in a background thread.
pub(crate) fn start(target: SocketAddr) {
    std::thread::spawn(move || {
        let done = run(target);
        // Whoever started the demo may have closed its stdout by now: not worth a panic.
        let _ = writeln!(std::io::stdout(), "load: stopped after {done} requests");
    });
}

/// Sends requests until a bound is reached or the server is gone; returns how many were answered.
fn run(target: SocketAddr) -> u64 {
    let started = Instant::now();
    let mut mix = RequestMix::new(0x2545_f491_4f6c_dd1d);
    let mut connection: Option<BufReader<TcpStream>> = None;
    let mut done = 0;
    let mut failures_in_a_row = 0;
    while failures_in_a_row < 3 && done < MAX_REQUESTS && started.elapsed() < MAX_DURATION {
        let request = mix.next_request();
        if connection.is_none() {
            let Ok(stream) = TcpStream::connect(target) else {
                break;
            };
            connection = Some(BufReader::new(stream));
        }
        let Some(open) = connection.as_mut() else {
            break;
        };
        if exchange(open, request.as_bytes()).is_none() {
            // The server closed the connection (shutting down, or keep-alive expired).
            connection = None;
            failures_in_a_row += 1;
            continue;
        }
        failures_in_a_row = 0;
        done += 1;
        let due = started + Duration::from_micros(done * 1_000_000 / RATE);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    done
}
