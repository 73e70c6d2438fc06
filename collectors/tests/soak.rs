//! A bounded soak of the demo on loopback (about 60 s): key-value load on keep-alive
//! connections, a `/metrics` scrape every 100 ms, 100 dashboard-stream clients making
//! 1,000 connect/disconnect cycles between them, and one stream client that never reads.
//!
//! Then: no panic and no error response; every request the load driver saw completed was
//! counted, exactly; the stream subscriber gauge is back to 0 and the open file
//! descriptors back to their baseline; resident memory grew by at most 10 MB after the
//! warm-up.

#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../src/bin/demo/kv_client.rs"]
mod kv_client;

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::demo::start_demo;
use common::http::{get, sum_samples};
use common::sse::SseClient;
use common::wait_until;
use kv_client::{exchange, RequestMix};

const WARM_UP: Duration = Duration::from_secs(10);
const SOAK: Duration = Duration::from_secs(45);
const STREAM_CLIENTS: usize = 100;
const CYCLES_PER_CLIENT: usize = 10;
const RSS_GROWTH_LIMIT: f64 = 10.0 * 1024.0 * 1024.0;

/// What the load drivers saw.
#[derive(Default)]
struct Tally {
    completed: AtomicU64,
    errors: AtomicU64,
}

/// Key-value load on one keep-alive connection until `stop`.
fn drive_load(address: SocketAddr, seed: u64, stop: &AtomicBool, tally: &Tally) {
    let connect = || TcpStream::connect(address).map(BufReader::new);
    let Ok(mut stream) = connect() else {
        tally.errors.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let mut mix = RequestMix::new(seed);
    while !stop.load(Ordering::Relaxed) {
        let request = mix.next_request();
        match exchange(&mut stream, request.as_bytes()) {
            Some(status) if status < 500 => {
                tally.completed.fetch_add(1, Ordering::Relaxed);
            }
            Some(_) => {
                tally.completed.fetch_add(1, Ordering::Relaxed);
                tally.errors.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                // The connection broke: that is an error response to the load, and the
                // conservation check below would not hold, so count it and reconnect.
                tally.errors.fetch_add(1, Ordering::Relaxed);
                match connect() {
                    Ok(fresh) => stream = fresh,
                    Err(_) => return,
                }
            }
        }
    }
}

fn metric(address: SocketAddr, family: &str, labels: &[&str]) -> f64 {
    let response = get(address, "/metrics", &[]);
    assert_eq!(response.status, 200);
    sum_samples(&response.text(), family, labels)
}

#[test]
fn the_demo_survives_a_minute_of_load_scrapes_and_stream_churn() {
    let demo = start_demo(&["--shards", "2"]);
    let address = demo.socket_address();
    let baseline_fds = metric(address, "process_open_fds", &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let scrapes = Arc::new(Tally::default());
    let cycles = Arc::new(Tally::default());
    let started = Instant::now();
    let mut threads = Vec::new();

    for seed in [0x9e37_79b9_7f4a_7c15_u64, 0x2545_f491_4f6c_dd1d] {
        let (stop, tally) = (Arc::clone(&stop), Arc::clone(&tally));
        threads.push(std::thread::spawn(move || {
            drive_load(address, seed, &stop, &tally)
        }));
    }
    {
        let (stop, scrapes) = (Arc::clone(&stop), Arc::clone(&scrapes));
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let status = get(address, "/metrics", &[]).status;
                scrapes.completed.fetch_add(1, Ordering::Relaxed);
                scrapes
                    .errors
                    .fetch_add(u64::from(status != 200), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
    }
    for client in 0..STREAM_CLIENTS {
        let cycles = Arc::clone(&cycles);
        threads.push(std::thread::spawn(move || {
            for cycle in 0..CYCLES_PER_CLIENT {
                // Spread the cycles over the soak rather than all at the start.
                std::thread::sleep(Duration::from_millis(
                    ((client * 37 + cycle * 3_900) % 4_000) as u64,
                ));
                let mut stream = SseClient::connect(address, "/debug/stream", &[]);
                let ok = stream.status == 200
                    && stream
                        .next_event(Duration::from_secs(20))
                        .is_some_and(|e| e.event == "snapshot");
                cycles.completed.fetch_add(1, Ordering::Relaxed);
                cycles.errors.fetch_add(u64::from(!ok), Ordering::Relaxed);
            }
        }));
    }
    // One subscriber that never reads a byte.
    let stuck = TcpStream::connect(address).expect("connect");
    (&stuck)
        .write_all(b"GET /debug/stream HTTP/1.1\r\nHost: soak\r\n\r\n")
        .expect("subscribe");

    std::thread::sleep(WARM_UP);
    let warm_rss = metric(address, "process_resident_memory_bytes", &[]);
    std::thread::sleep(SOAK);
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("a soak thread panicked");
    }
    drop(stuck);
    println!("soak ran {:.1} s", started.elapsed().as_secs_f64());

    let completed = tally.completed.load(Ordering::Relaxed);
    assert!(completed > 10_000, "only {completed} requests in the soak");
    assert_eq!(
        tally.errors.load(Ordering::Relaxed),
        0,
        "the load saw errors"
    );
    assert_eq!(scrapes.errors.load(Ordering::Relaxed), 0, "a scrape failed");
    assert!(
        scrapes.completed.load(Ordering::Relaxed) >= 300,
        "scrapes every 100 ms"
    );
    assert_eq!(
        cycles.completed.load(Ordering::Relaxed),
        (STREAM_CLIENTS * CYCLES_PER_CLIENT) as u64
    );
    assert_eq!(
        cycles.errors.load(Ordering::Relaxed),
        0,
        "a stream cycle failed"
    );

    let counted = metric(
        address,
        "http_server_requests_total",
        &["route=\"/kv/{key}\""],
    );
    assert_eq!(
        counted, completed as f64,
        "every completed request counted, exactly"
    );
    let operations = metric(address, "kv_operations_total", &[]);
    assert_eq!(
        operations, completed as f64,
        "every completed request reached a shard once"
    );

    let unsubscribed = wait_until(Duration::from_secs(10), || {
        metric(address, "actorscope_sse_subscribers", &[]) == 0.0
    });
    assert!(unsubscribed, "the subscriber gauge stayed above 0");
    let mut fds = 0.0;
    let closed = wait_until(Duration::from_secs(10), || {
        fds = metric(address, "process_open_fds", &[]);
        fds <= baseline_fds
    });
    assert!(
        closed,
        "open fds {fds} did not come back to the baseline {baseline_fds}"
    );
    let rss = metric(address, "process_resident_memory_bytes", &[]);
    println!(
        "requests {completed}, scrapes {}, stream cycles {}, fds {baseline_fds} -> {fds}, RSS after warm-up {:.1} MiB -> {:.1} MiB",
        scrapes.completed.load(Ordering::Relaxed),
        cycles.completed.load(Ordering::Relaxed),
        warm_rss / 1048576.0,
        rss / 1048576.0
    );
    assert!(
        rss - warm_rss <= RSS_GROWTH_LIMIT,
        "RSS grew by {:.1} MiB after the warm-up",
        (rss - warm_rss) / 1048576.0
    );
    assert!(
        !demo.stderr().contains("panicked"),
        "the demo panicked:\n{}",
        demo.stderr()
    );
}
