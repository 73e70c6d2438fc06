//! The OTLP exporter against a receiver that misbehaves, on loopback: down at startup,
//! a reset connection, an answer that never comes, 503 and 429 with `Retry-After`, and a
//! 400. Retries follow the rules (only 429/502/503/504 and no answer; after `Retry-After`
//! or a backoff; never past the next export), one request at a time, and after recovery
//! the next export carries the full cumulative count.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actorscope::otlp::OtlpExporter;
use actorscope::registry::{collector_fn, MetricsRegistry};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point};
use prost::Message;

/// What the receiver does with one request.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    Ok,
    /// Closes the connection without an answer.
    Reset,
    /// Never answers (holds the connection for 3 s).
    Hang,
    /// Answers with this status and `Retry-After: 1`.
    RetryAfter(u16),
    /// Answers with this status.
    Status(u16),
    /// Holds the request unanswered for 5 s, with `stalled` set meanwhile.
    Stall,
}

/// One request the receiver read: when it arrived, what it did, the body.
type Request = (Instant, Behaviour, Vec<u8>);

/// A scripted receiver: the behaviours in order, then `Ok`; every request it read, with
/// when it arrived.
struct Receiver {
    port: u16,
    script: Arc<Mutex<VecDeque<Behaviour>>>,
    seen: Arc<Mutex<Vec<Request>>>,
    open: Arc<AtomicU64>,
    most_open: Arc<AtomicU64>,
    /// Requests being held by `Stall`.
    stalled: Arc<AtomicU64>,
}

fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while data.len() < end + 4 + length {
            let n = stream.read(&mut buffer).ok()?;
            if n == 0 {
                return None;
            }
            data.extend_from_slice(&buffer[..n]);
        }
        return Some(data[end + 4..end + 4 + length].to_vec());
    }
}

impl Receiver {
    fn start(port: u16, script: Vec<Behaviour>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver");
        let receiver = Self {
            port,
            script: Arc::new(Mutex::new(script.into())),
            seen: Arc::default(),
            open: Arc::default(),
            most_open: Arc::default(),
            stalled: Arc::default(),
        };
        let (script, seen) = (Arc::clone(&receiver.script), Arc::clone(&receiver.seen));
        let (open, most_open) = (Arc::clone(&receiver.open), Arc::clone(&receiver.most_open));
        let stalled = Arc::clone(&receiver.stalled);
        std::thread::spawn(move || {
            let started = Instant::now();
            for stream in listener.incoming() {
                if started.elapsed() > Duration::from_secs(120) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let (script, seen) = (Arc::clone(&script), Arc::clone(&seen));
                let (open, most_open) = (Arc::clone(&open), Arc::clone(&most_open));
                let stalled = Arc::clone(&stalled);
                std::thread::spawn(move || {
                    // Keep-alive: answer requests on this connection until it closes.
                    while let Some(body) = read_request(&mut stream) {
                        let now_open = open.fetch_add(1, Ordering::SeqCst) + 1;
                        most_open.fetch_max(now_open, Ordering::SeqCst);
                        let behaviour = script.lock().unwrap().pop_front().unwrap_or(Behaviour::Ok);
                        seen.lock().unwrap().push((Instant::now(), behaviour, body));
                        let answer = match behaviour {
                            Behaviour::Ok => "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_owned(),
                            Behaviour::Reset => {
                                open.fetch_sub(1, Ordering::SeqCst);
                                return;
                            }
                            Behaviour::Hang => {
                                // The exporter gives up after its 300 ms timeout; hold the
                                // connection well past it, unanswered.
                                std::thread::sleep(Duration::from_millis(250));
                                open.fetch_sub(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_secs(3));
                                return;
                            }
                            Behaviour::Stall => {
                                stalled.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_secs(5));
                                stalled.fetch_sub(1, Ordering::SeqCst);
                                open.fetch_sub(1, Ordering::SeqCst);
                                return;
                            }
                            Behaviour::RetryAfter(status) => format!(
                                "HTTP/1.1 {status} Busy\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n"
                            ),
                            Behaviour::Status(status) => {
                                format!("HTTP/1.1 {status} No\r\ncontent-length: 2\r\n\r\nno")
                            }
                        };
                        open.fetch_sub(1, Ordering::SeqCst);
                        if stream.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        receiver
    }

    fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// A registry with one counter the test moves, and the exporter's own families.
fn registry(count: &Arc<AtomicU64>) -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    let read = Arc::clone(count);
    registry
        .register(
            "app",
            collector_fn(move |out| {
                out.counter("app_events_total", "Events.")
                    .add((), read.load(Ordering::Relaxed))?;
                Ok(())
            }),
        )
        .expect("register");
    registry
}

/// The counter's value in an exported body.
fn exported_count(body: &[u8]) -> Option<f64> {
    let request = ExportMetricsServiceRequest::decode(body).ok()?;
    let metric = request.resource_metrics[0].scope_metrics[0]
        .metrics
        .iter()
        .find(|m| m.name == "app_events")?;
    let Some(Data::Sum(sum)) = &metric.data else {
        return None;
    };
    match sum.data_points.first()?.value {
        Some(number_data_point::Value::AsDouble(value)) => Some(value),
        _ => None,
    }
}

fn family_value(
    snapshot: &actorscope::MetricSnapshot,
    family: &str,
    labels: &[(&str, &str)],
) -> f64 {
    snapshot
        .get(family)
        .and_then(|f| f.value(labels.to_vec()))
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN)
}

async fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if condition() {
            return true;
        }
        actix::clock::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn retries_follow_the_rules_and_nothing_counted_is_lost() {
    actix::System::new().block_on(async {
        let count = Arc::new(AtomicU64::new(0));
        let registry = registry(&count);
        let port = free_port();
        let receiver = Receiver::start(
            port,
            vec![
                Behaviour::Reset,
                Behaviour::Ok,
                Behaviour::Hang,
                Behaviour::Ok,
                Behaviour::RetryAfter(503),
                Behaviour::RetryAfter(429),
                Behaviour::Ok,
                Behaviour::Status(400),
                Behaviour::Ok,
            ],
        );
        let interval = Duration::from_secs(3);
        let exporter = OtlpExporter::builder(&registry)
            .endpoint(format!("http://127.0.0.1:{}/v1/metrics", receiver.port))
            .interval(interval)
            .timeout(Duration::from_millis(300))
            .start()
            .expect("valid settings");
        count.store(5, Ordering::Relaxed);
        assert!(
            wait_for(Duration::from_secs(30), || receiver.seen().len() >= 9).await,
            "nine requests in 30 s: {:?}",
            receiver.seen().iter().map(|s| s.1).collect::<Vec<_>>()
        );
        let seen = receiver.seen();
        let gap = |i: usize| seen[i + 1].0 - seen[i].0;
        // A reset, and an answer that never came: each the first failure of its export,
        // retried after the first backoff, 1 s ± 50% (the hang costs the 300 ms timeout
        // first).
        assert!(
            gap(0) >= Duration::from_millis(450) && gap(0) < interval,
            "after a reset: {:?}",
            gap(0)
        );
        assert!(
            gap(2) >= Duration::from_millis(300 + 450) && gap(2) < interval,
            "after a hang: {:?}",
            gap(2)
        );
        // 503 and 429 with Retry-After: 1 s, honoured.
        assert!(
            gap(4) >= Duration::from_millis(950),
            "after a 503: {:?}",
            gap(4)
        );
        assert!(
            gap(5) >= Duration::from_millis(950),
            "after a 429: {:?}",
            gap(5)
        );
        // A 400 is not retried: the next request is the next export.
        assert!(
            gap(7) >= interval - Duration::from_millis(600),
            "after a 400: {:?}",
            gap(7)
        );
        assert_eq!(
            receiver.most_open.load(Ordering::SeqCst),
            1,
            "one request at a time"
        );

        // After it all, the full cumulative count arrives.
        count.store(42, Ordering::Relaxed);
        let arrived = wait_for(Duration::from_secs(10), || {
            receiver.seen().last().and_then(|s| exported_count(&s.2)) == Some(42.0)
        })
        .await;
        assert!(arrived, "the count after recovery arrives whole");

        let snapshot = registry.scrape().await;
        let exports = |result| {
            family_value(
                &snapshot,
                "actorscope_otlp_exports_total",
                &[("result", result)],
            )
        };
        assert!(exports("success") >= 4.0, "{}", exports("success"));
        assert_eq!(exports("rejected"), 1.0);
        assert_eq!(exports("failure"), 0.0);
        assert_eq!(
            family_value(&snapshot, "actorscope_otlp_retries_total", &[]),
            4.0
        );
        assert!(
            family_value(
                &snapshot,
                "actorscope_otlp_last_success_timestamp_seconds",
                &[]
            ) > 1e9
        );
        exporter.shutdown(Duration::from_secs(1)).await;
    });
}

#[test]
fn a_receiver_down_at_startup_gets_the_whole_count_once_it_is_up() {
    actix::System::new().block_on(async {
        let count = Arc::new(AtomicU64::new(7));
        let registry = registry(&count);
        let port = free_port();
        let exporter = OtlpExporter::builder(&registry)
            .endpoint(format!("http://127.0.0.1:{port}/v1/metrics"))
            .interval(Duration::from_millis(500))
            .timeout(Duration::from_millis(300))
            .start()
            .expect("valid settings");
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let snapshot = registry.scrape().await;
            let failures = family_value(
                &snapshot,
                "actorscope_otlp_exports_total",
                &[("result", "failure")],
            );
            if failures >= 2.0 {
                break;
            }
            assert!(
                Instant::now() < until,
                "exports fail while nobody listens ({failures})"
            );
            actix::clock::sleep(Duration::from_millis(50)).await;
        }
        count.store(9, Ordering::Relaxed);
        let receiver = Receiver::start(port, Vec::new());
        let arrived = wait_for(Duration::from_secs(10), || {
            receiver.seen().last().and_then(|s| exported_count(&s.2)) == Some(9.0)
        })
        .await;
        assert!(arrived, "once up, the receiver gets the whole count");
        // On shutdown, one last export with the final count.
        count.store(11, Ordering::Relaxed);
        exporter.shutdown(Duration::from_secs(2)).await;
        assert_eq!(
            receiver.seen().last().and_then(|s| exported_count(&s.2)),
            Some(11.0)
        );
    });
}

#[test]
fn scrapes_do_not_wait_for_a_stalled_receiver() {
    actix::System::new().block_on(async {
        let count = Arc::new(AtomicU64::new(3));
        let registry = registry(&count);
        let receiver = Receiver::start(free_port(), vec![Behaviour::Stall]);
        let exporter = OtlpExporter::builder(&registry)
            .endpoint(format!("http://127.0.0.1:{}/v1/metrics", receiver.port))
            .interval(Duration::from_millis(200))
            .timeout(Duration::from_secs(4))
            .start()
            .expect("valid settings");
        let stalled = wait_for(Duration::from_secs(10), || {
            receiver.stalled.load(Ordering::SeqCst) == 1
        })
        .await;
        assert!(stalled, "an export is stalled at the receiver");
        // While it is held, scrapes answer, with the latest count.
        for n in 4..9 {
            count.store(n, Ordering::Relaxed);
            let snapshot = registry.scrape().await;
            assert_eq!(family_value(&snapshot, "app_events_total", &[]), n as f64);
        }
        assert_eq!(
            receiver.stalled.load(Ordering::SeqCst),
            1,
            "the export is still held"
        );
        exporter.shutdown(Duration::from_millis(300)).await;
    });
}

#[test]
fn bad_settings_are_a_clear_error_naming_the_setting() {
    actix::System::new().block_on(async {
        let registry = MetricsRegistry::new();
        let error = OtlpExporter::builder(&registry)
            .endpoint("localhost:4318")
            .start()
            .expect_err("not a URL");
        assert_eq!(
            error.to_string(),
            "endpoint: \"localhost:4318\" is not an http:// URL with a host"
        );
    });
}

mod worker_restarts {
    use std::time::{Duration, SystemTime};

    use actix::{Actor, ActorContext, Context, Handler, Message};
    use actorscope::otlp::OtlpEncoder;
    use actorscope::prelude::*;
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use opentelemetry_proto::tonic::metrics::v1::{metric::Data, number_data_point};
    use prost::Message as _;

    actorscope::worker_stats! {
        struct Stats {
            /// Jobs done.
            #[metric("jobs_total")]
            jobs: Counter,
        }
    }

    struct Worker {
        stats: Tracked<Stats>,
    }

    impl Actor for Worker {
        type Context = Context<Self>;
        fn started(&mut self, ctx: &mut Context<Self>) {
            self.stats.attach(ctx);
        }
    }

    actorscope::report_stats!(Worker, stats: Stats);

    enum Job {
        Count(u64),
        Stop,
    }

    impl Message for Job {
        type Result = ();
    }

    impl Handler<Job> for Worker {
        type Result = ();
        fn handle(&mut self, job: Job, ctx: &mut Context<Self>) {
            match job {
                Job::Count(n) => self.stats.jobs.add(n),
                Job::Stop => ctx.stop(),
            }
        }
    }

    /// `worker` label → (value, start time) of `jobs` in an encoded export.
    fn points(body: &[u8]) -> Vec<(String, f64, u64)> {
        let request = ExportMetricsServiceRequest::decode(body).expect("decodes");
        let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
        let Some(Data::Sum(sum)) = metrics
            .iter()
            .find(|m| m.name == "jobs")
            .and_then(|m| m.data.clone())
        else {
            panic!("jobs is a sum");
        };
        let mut found: Vec<(String, f64, u64)> = sum
            .data_points
            .iter()
            .map(|p| {
                let worker = p
                    .attributes
                    .iter()
                    .find(|kv| kv.key == "worker")
                    .map(|kv| format!("{:?}", kv.value))
                    .unwrap_or_default();
                let Some(number_data_point::Value::AsDouble(value)) = p.value else {
                    panic!("a double")
                };
                (worker, value, p.start_time_unix_nano)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn a_stopped_workers_counts_stay_continuous_and_its_reused_label_starts_again() {
        actix::System::new().block_on(async {
            let registry = MetricsRegistry::new();
            let workers = registry
                .register_workers::<Stats>("jobs")
                .expect("registered");
            let first = Worker {
                stats: workers.tracked(),
            }
            .start();
            first.send(Job::Count(5)).await.expect("counted");
            let mut encoder = OtlpEncoder::new(registry.created_at(), [("service.name", "jobs")]);
            let mut export = |snapshot: &actorscope::MetricSnapshot| {
                points(&encoder.encode(snapshot, SystemTime::now()).0)
            };
            let before = export(&registry.scrape().await);
            assert_eq!(before.len(), 1);
            let (_, five, origin) = before[0].clone();
            assert_eq!(five, 5.0);

            // The worker stops: its 5 move to `worker="retired"`; a new worker takes
            // label 0 and counts 1, which is a reset of that series.
            first.send(Job::Stop).await.expect("stopping");
            // The label is free once a scrape has reported the stopped worker.
            for _ in 0..200 {
                let snapshot = registry.scrape().await;
                let jobs = snapshot.get("jobs_total");
                if jobs.is_some_and(|f| f.value([("worker", "retired")]).is_some() && f.len() == 1)
                {
                    break;
                }
                actix::clock::sleep(Duration::from_millis(10)).await;
            }
            let second = Worker {
                stats: workers.tracked(),
            }
            .start();
            second.send(Job::Count(1)).await.expect("counted");
            let mut after = Vec::new();
            for _ in 0..200 {
                after = export(&registry.scrape().await);
                if after.len() == 2 {
                    break;
                }
                actix::clock::sleep(Duration::from_millis(10)).await;
            }
            assert_eq!(after.len(), 2, "{after:?}");
            let reused = after
                .iter()
                .find(|p| !p.0.contains("retired"))
                .unwrap_or_else(|| panic!("a live worker: {after:?}"));
            assert!(
                reused.0.contains("\"0\""),
                "the new worker took label 0: {after:?}"
            );
            let retired = after
                .iter()
                .find(|p| p.0.contains("retired"))
                .expect("retired");
            assert_eq!(reused.1, 1.0);
            assert!(
                reused.2 > origin,
                "the reused label carries a new start time"
            );
            assert_eq!(
                retired.1, 5.0,
                "the stopped worker's count continues as retired"
            );
            assert_eq!(
                after.iter().map(|p| p.1).sum::<f64>(),
                6.0,
                "the sum never went back"
            );
        });
    }
}
