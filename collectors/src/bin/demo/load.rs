//! `--load`: a bounded client load against the demo itself, so the numbers move on both
//! sides: the server's `http_server_*` and the load client's own `http_client_*`.
//!
//! One thread with its own actix system and one `awc` client wrapped in
//! [`ClientMetrics`] (client `load`, route `/kv/{key}`), sending the [`RequestMix`]
//! (about 60% GET, 30% PUT, 10% DELETE over 1,000 keys) one request at a time, paced to
//! roughly `RATE` requests per second. It stops by itself after `MAX_REQUESTS` or
//! `MAX_DURATION`, or as soon as the server goes away.

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actorscope::ClientMetrics;

use crate::kv_client::{Call, RequestMix};

/// Requests per second the load aims for.
const RATE: u64 = 2_000;
/// The load stops after this many requests...
const MAX_REQUESTS: u64 = 1_000_000;
/// ...or after this long, whichever comes first.
const MAX_DURATION: Duration = Duration::from_secs(600);
/// The route template of every call, the client's `route` label.
const ROUTE: &str = "/kv/{key}";

/// Starts the load in a background thread, counted by `metrics`.
pub(crate) fn start(target: SocketAddr, metrics: ClientMetrics) {
    std::thread::spawn(move || {
        let done = actix_web::rt::System::new().block_on(run(target, metrics));
        // Whoever started the demo may have closed its stdout by now: not worth a panic.
        let _ = writeln!(std::io::stdout(), "load: stopped after {done} requests");
    });
}

/// Sends requests until a bound is reached or the server is gone; returns how many were answered.
async fn run(target: SocketAddr, metrics: ClientMetrics) -> u64 {
    let client = awc::Client::builder()
        .connector(metrics.connector())
        .wrap(metrics)
        .finish();
    let started = Instant::now();
    let mut mix = RequestMix::new(0x2545_f491_4f6c_dd1d);
    let mut done = 0;
    let mut failures_in_a_row = 0;
    while failures_in_a_row < 3 && done < MAX_REQUESTS && started.elapsed() < MAX_DURATION {
        let (request, body) = match mix.next_call() {
            Call::Get(key) => (client.get(format!("http://{target}/kv/{key}")), None),
            Call::Put(key, value) => (client.put(format!("http://{target}/kv/{key}")), Some(value)),
            Call::Delete(key) => (client.delete(format!("http://{target}/kv/{key}")), None),
        };
        let request = request.insert_header(ClientMetrics::route(ROUTE));
        let sent = match body {
            Some(value) => request.send_body(value).await,
            None => request.send().await,
        };
        let answered = match sent {
            // Read the body to its end, so the connection goes back to the pool.
            Ok(mut response) => response.body().await.is_ok(),
            Err(_) => false,
        };
        if !answered {
            // The server is shutting down, or a keep-alive connection expired.
            failures_in_a_row += 1;
            continue;
        }
        failures_in_a_row = 0;
        done += 1;
        let due = started + Duration::from_micros(done * 1_000_000 / RATE);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            actix_web::rt::time::sleep(wait).await;
        }
    }
    done
}
