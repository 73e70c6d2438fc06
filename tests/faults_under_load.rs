//! Faults while everything runs: worker actors killed (stopped or panicking) in the
//! middle of scrapes and replaced, an HTTP server stopped and started again, and a
//! collector that panics at every other scrape. Through all of it every scrape answers
//! within its deadline, totals never go backwards, the panicking collector is reported
//! and nothing else is lost: every job a worker confirmed and every request a client saw
//! answered is counted, exactly.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter, Context, Handler, Message};
use actix_web::{web as aweb, App, HttpServer};
use actorscope::model::{FailureKind, MetricSnapshot};
use actorscope::prelude::*;

const WORKERS: usize = 6;
const DEADLINE: Duration = Duration::from_millis(400);
const ROUNDS: usize = 24;

actorscope::worker_stats! {
    struct JobStats {
        /// Jobs done.
        #[metric("jobs_total")]
        jobs: Counter,
    }
}

struct Worker {
    stats: Tracked<JobStats>,
}

impl Actor for Worker {
    type Context = Context<Self>;
}

enum Job {
    Work,
    Panic,
}

impl Message for Job {
    type Result = ();
}

impl Handler<Job> for Worker {
    type Result = ();

    fn handle(&mut self, job: Job, _: &mut Context<Self>) {
        match job {
            Job::Work => self.stats.jobs.inc(),
            Job::Panic => panic!("a worker fails on purpose"),
        }
    }
}

actorscope::report_stats!(Worker, stats: JobStats);

/// The running workers, each with its arbiter.
type WorkerPool = Rc<RefCell<Vec<(Arbiter, Addr<Worker>)>>>;

fn start_worker(workers: &WorkerCollector<JobStats>) -> (Arbiter, Addr<Worker>) {
    let arbiter = Arbiter::new();
    let addr = workers.start_in(&arbiter.handle(), |stats| Worker { stats });
    (arbiter, addr)
}

fn sum(snapshot: &MetricSnapshot, family: &str) -> f64 {
    snapshot
        .get(family)
        .map(|f| f.samples().filter_map(|(_, v)| v.as_f64()).sum())
        .unwrap_or(0.0)
}

/// A scrape, timed; panics if it took longer than the deadline allows.
async fn scrape(registry: &MetricsRegistry) -> MetricSnapshot {
    let started = Instant::now();
    let snapshot = registry.scrape_within(DEADLINE).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < DEADLINE + Duration::from_millis(100),
        "a scrape took {elapsed:?}"
    );
    snapshot
}

/// An HTTP server with the middleware on a loopback port, running on this System.
fn start_server(metrics: &RequestMetrics) -> (actix_web::dev::ServerHandle, std::net::SocketAddr) {
    let metrics = metrics.clone();
    let on_connect = metrics.on_connect();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(metrics.clone())
            .route("/", aweb::get().to(|| async { "ok" }))
    })
    .on_connect(on_connect)
    .workers(2)
    .shutdown_timeout(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .expect("bind");
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (handle, address)
}

/// `count` requests from a blocking thread; returns how many were answered.
async fn requests(address: std::net::SocketAddr, count: usize) -> u64 {
    actix_web::rt::task::spawn_blocking(move || {
        (0..count)
            .filter(|_| {
                common::http::request_raw(
                    address,
                    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    false,
                )
                .is_some_and(|r| r.status == 200)
            })
            .count() as u64
    })
    .await
    .expect("the request thread")
}

#[test]
fn faults_lose_nothing_and_every_scrape_answers_in_time() {
    actix::System::new().block_on(async {
        let registry = MetricsRegistry::new();
        let workers = WorkerCollector::<JobStats>::new();
        registry.register("jobs", workers.clone()).expect("register");
        let calls = Arc::new(AtomicU64::new(0));
        let flaky_calls = Arc::clone(&calls);
        registry
            .register(
                "flaky",
                collector_fn(move |out| {
                    if flaky_calls.fetch_add(1, Ordering::Relaxed) % 2 == 1 {
                        panic!("the flaky collector fails every other scrape");
                    }
                    out.gauge("flaky_up", "Reported when it works.").declare()?.add((), 1)?;
                    Ok(())
                }),
            )
            .expect("register");
        let metrics = RequestMetrics::builder().server("api").register(&registry).expect("register");

        let pool: WorkerPool = Rc::new(RefCell::new((0..WORKERS).map(|_| start_worker(&workers)).collect()));
        let confirmed = Rc::new(RefCell::new(0u64));

        // Jobs keep flowing; a job counts as done when its worker confirmed it.
        let (jobs_pool, jobs_done) = (Rc::clone(&pool), Rc::clone(&confirmed));
        let feeding = Rc::new(RefCell::new(true));
        let still_feeding = Rc::clone(&feeding);
        let feeder = actix_web::rt::spawn(async move {
            let mut turn = 0;
            while *still_feeding.borrow() {
                let addr = {
                    let pool = jobs_pool.borrow();
                    pool[turn % pool.len()].1.clone()
                };
                turn += 1;
                if let Ok(Ok(())) = actix::clock::timeout(Duration::from_secs(2), addr.send(Job::Work)).await {
                    *jobs_done.borrow_mut() += 1;
                }
            }
        });

        let (mut server, mut address) = start_server(&metrics);
        let mut answered = 0;
        let (mut last_jobs, mut last_requests) = (0.0, 0.0);
        let mut panics_seen = 0;
        for round in 0..ROUNDS {
            answered += requests(address, 5).await;
            // Kill a worker while a scrape is under way, then replace it.
            let scraping = scrape(&registry);
            let victim = round % WORKERS;
            let (arbiter, addr) = pool.borrow()[victim].clone_pair();
            if round % 2 == 0 {
                addr.do_send(Job::Panic);
            } else {
                arbiter.stop();
            }
            let snapshot = scraping.await;
            pool.borrow_mut()[victim] = start_worker(&workers);
            if round == ROUNDS / 2 {
                // Stop the HTTP server and start another: its workers retire, their
                // counts stay.
                server.stop(true).await;
                (server, address) = start_server(&metrics);
            }

            let jobs = sum(&snapshot, "jobs_total");
            let served = sum(&snapshot, "http_server_requests_total");
            assert!(jobs >= last_jobs, "jobs went backwards: {last_jobs} -> {jobs} in round {round}");
            assert!(served >= last_requests, "requests went backwards in round {round}");
            (last_jobs, last_requests) = (jobs, served);
            let flaky_failed = snapshot
                .errors()
                .iter()
                .any(|e| e.collector() == "flaky" && e.kind() == FailureKind::Panicked);
            assert_eq!(flaky_failed, snapshot.get("flaky_up").is_none(), "round {round}");
            panics_seen += usize::from(flaky_failed);
            assert!(
                snapshot.errors().iter().all(|e| e.collector() == "flaky"),
                "only the flaky collector fails: {:?}",
                snapshot.errors()
            );
        }
        *feeding.borrow_mut() = false;
        feeder.await.expect("the feeder");
        answered += requests(address, 5).await;

        // Settled: every confirmed job and every answered request is counted, exactly.
        let snapshot = scrape(&registry).await;
        assert!(panics_seen >= ROUNDS / 2 - 1, "the flaky collector panicked {panics_seen} times");
        let confirmed = *confirmed.borrow();
        assert!(confirmed > 100, "only {confirmed} jobs");
        println!(
            "{confirmed} jobs confirmed, {answered} requests answered, {} retired job series, flaky panics {panics_seen}",
            snapshot.get("jobs_total").map_or(0, |f| f.samples().filter(|(l, _)| l.get("worker") == Some("retired")).count())
        );
        assert_eq!(sum(&snapshot, "jobs_total"), confirmed as f64, "jobs counted = jobs confirmed");
        assert_eq!(sum(&snapshot, "http_server_requests_total"), answered as f64, "requests counted = requests answered");
        server.stop(true).await;
        for (arbiter, _) in pool.borrow().iter() {
            arbiter.stop();
        }
    });
}

/// Copies of a pool entry's handles (an `Arbiter` is not `Clone`; its handle is).
trait ClonePair {
    fn clone_pair(&self) -> (actix::ArbiterHandle, Addr<Worker>);
}

impl ClonePair for (Arbiter, Addr<Worker>) {
    fn clone_pair(&self) -> (actix::ArbiterHandle, Addr<Worker>) {
        (self.0.handle(), self.1.clone())
    }
}
