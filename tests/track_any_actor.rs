//! Any actor can be tracked, however it is started, on real arbiters: `Actor::start`,
//! `Actor::create`, `start_in_arbiter`, `Context::new().run`, a `SyncArbiter` pool and a
//! `Supervisor`; a panicking actor and its replacement; and the newcomer's service (an
//! actor, a sync pool, an HTTP route and a plain component) served over loopback.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, Arbiter, AsyncContext, Context, Handler, Message, Supervised, Supervisor,
    SyncArbiter, SyncContext,
};
use actix_web::{web as aweb, App, HttpServer};
use actorscope::model::MetricSnapshot;
use actorscope::prelude::*;
use actorscope::registry::RegisterError;
use common::http::{get, start_server, sum_samples};
use common::scrape_until;

actorscope::worker_stats! {
    /// What every test worker counts.
    struct Stats {
        /// Messages handled.
        #[metric("test_handled_total")]
        handled: Counter,
        /// Times a supervisor restarted the actor.
        #[metric("test_restarts_total")]
        restarts: Counter,
    }
}

/// Work to count, or a fault.
enum Job {
    Count,
    /// Stop: a supervised actor is restarted, a sync worker replaced.
    Stop,
    Panic,
    /// Count once after sleeping this long (a busy worker).
    Busy(Duration),
}

impl Message for Job {
    type Result = ();
}

/// Handles a job on `stats`; returns whether the actor should stop.
fn handle(stats: &mut Tracked<Stats>, job: Job) -> bool {
    match job {
        Job::Count => stats.handled.inc(),
        Job::Stop => return true,
        Job::Panic => panic!("a worker fails on purpose"),
        Job::Busy(time) => {
            std::thread::sleep(time);
            stats.handled.inc();
        }
    }
    false
}

/// An ordinary actor with a mailbox of its own.
struct Plain {
    stats: Tracked<Stats>,
}

impl Actor for Plain {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.attach(ctx);
    }
}

impl Handler<Job> for Plain {
    type Result = ();

    fn handle(&mut self, job: Job, ctx: &mut Context<Self>) {
        if handle(&mut self.stats, job) {
            ctx.stop();
        }
    }
}

impl Supervised for Plain {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.stats.restarts.inc();
    }
}

actorscope::report_stats!(Plain, stats: Stats);

/// A `SyncArbiter` worker.
struct Cruncher {
    stats: Tracked<Stats>,
}

impl Actor for Cruncher {
    type Context = SyncContext<Self>;

    fn started(&mut self, ctx: &mut SyncContext<Self>) {
        self.stats.attach(ctx);
    }
}

impl Handler<Job> for Cruncher {
    type Result = ();

    fn handle(&mut self, job: Job, ctx: &mut SyncContext<Self>) {
        if handle(&mut self.stats, job) {
            ctx.stop();
        }
    }
}

actorscope::report_stats!(Cruncher, stats: Stats);

fn registry_with(name: &str, workers: &WorkerCollector<Stats>) -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    registry
        .register(name, workers.clone())
        .expect("the families are valid");
    registry
}

fn value(snapshot: &MetricSnapshot, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snapshot.get(family)?.value(labels)?.as_f64()
}

/// The sum of a family over every series (live workers and `retired`).
fn total(snapshot: &MetricSnapshot, family: &str) -> f64 {
    snapshot
        .get(family)
        .map(|f| f.samples().filter_map(|(_, v)| v.as_f64()).sum())
        .unwrap_or(0.0)
}

#[actix::test]
async fn every_way_of_starting_an_actor_with_a_context_is_reported() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("plain", &workers);
    let arbiter = Arbiter::new();

    let started = Plain {
        stats: workers.tracked(),
    }
    .start();
    let created = Plain::create(|_| Plain {
        stats: workers.tracked(),
    });
    let stats = workers.tracked();
    let in_arbiter = Plain::start_in_arbiter(&arbiter.handle(), move |_| Plain { stats });
    let context = Context::new();
    let run = context.address();
    actix::spawn(context.into_future(Plain {
        stats: workers.tracked(),
    }));

    for (count, addr) in [(1, &started), (2, &created), (3, &in_arbiter), (4, &run)] {
        for _ in 0..count {
            addr.send(Job::Count).await.expect("the actor runs");
        }
    }
    let snapshot = registry.scrape().await;
    // Labels follow the order the stats were made in.
    for (worker, count) in [("0", 1.0), ("1", 2.0), ("2", 3.0), ("3", 4.0)] {
        assert_eq!(
            value(&snapshot, "test_handled_total", &[("worker", worker)]),
            Some(count),
            "worker {worker}"
        );
        let up = [("collector", "plain"), ("worker", worker)];
        assert_eq!(value(&snapshot, "actorscope_worker_up", &up), Some(1.0));
    }
    arbiter.stop();
}

#[actix::test]
async fn a_scrape_right_after_start_waits_for_the_actor_to_attach() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("plain", &workers);
    let _addr = Plain {
        stats: workers.tracked(),
    }
    .start();
    // `started` has not run yet: the scrape waits for the attach, briefly.
    let snapshot = registry.scrape().await;
    let up = [("collector", "plain"), ("worker", "0")];
    assert_eq!(value(&snapshot, "actorscope_worker_up", &up), Some(1.0));
}

#[actix::test]
async fn an_actor_that_never_attaches_is_reported_down_not_waited_for() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("forgot", &workers);
    let _forgotten = workers.tracked(); // made, never attached
    let started = Instant::now();
    let snapshot = registry.scrape_within(Duration::from_secs(5)).await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the scrape waited {:?} for an attach that never came",
        started.elapsed()
    );
    let labels = [("collector", "forgot"), ("worker", "0")];
    assert_eq!(value(&snapshot, "actorscope_worker_up", &labels), Some(0.0));
    let timeout = [
        ("collector", "forgot"),
        ("worker", "0"),
        ("kind", "timeout"),
    ];
    assert_eq!(
        value(&snapshot, "actorscope_worker_scrape_errors_total", &timeout),
        Some(1.0)
    );
}

#[actix::test]
async fn every_worker_of_a_sync_arbiter_pool_is_reported() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("crunch", &workers);
    let made = workers.clone();
    let pool = SyncArbiter::start(3, move || Cruncher {
        stats: made.tracked(),
    });
    for _ in 0..60 {
        pool.send(Job::Count).await.expect("the pool runs");
    }
    let all_up = |snapshot: &MetricSnapshot| {
        ["0", "1", "2"].iter().all(|worker| {
            let labels = [("collector", "crunch"), ("worker", *worker)];
            value(snapshot, "actorscope_worker_up", &labels) == Some(1.0)
        })
    };
    let snapshot = scrape_until(&registry, all_up).await;
    assert!(all_up(&snapshot), "not every sync worker answered");
    assert_eq!(total(&snapshot, "test_handled_total"), 60.0);
    let answered = snapshot
        .get("test_handled_total")
        .map(|family| family.len())
        .unwrap_or(0);
    assert_eq!(answered, 3, "one series per worker, no duplicates");

    // A worker busy for a while answers at its next stats update (its copy is taken as
    // that update starts, so without the job's own count), the idle ones at once.
    pool.do_send(Job::Busy(Duration::from_millis(300)));
    let started = Instant::now();
    let snapshot = registry.scrape_within(Duration::from_secs(5)).await;
    assert!(all_up(&snapshot), "the busy worker answered after its job");
    assert_eq!(total(&snapshot, "test_handled_total"), 60.0);
    assert!(started.elapsed() < Duration::from_secs(4));

    // Busy past the deadline: that one worker is reported as a timeout, the rest answer.
    pool.do_send(Job::Busy(Duration::from_millis(1500)));
    actix::clock::sleep(Duration::from_millis(50)).await; // let a worker take it
    let snapshot = registry.scrape_within(Duration::from_millis(300)).await;
    let down: Vec<&str> = ["0", "1", "2"]
        .into_iter()
        .filter(|worker| {
            let labels = [("collector", "crunch"), ("worker", *worker)];
            value(&snapshot, "actorscope_worker_up", &labels) == Some(0.0)
        })
        .collect();
    assert_eq!(down.len(), 1, "exactly the busy worker missed it: {down:?}");
    let settled = scrape_until(&registry, |s| total(s, "test_handled_total") == 62.0).await;
    assert!(all_up(&settled), "it answers again once free");
}

#[actix::test]
async fn a_stopped_sync_worker_is_replaced_and_nothing_it_counted_is_lost() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("crunch", &workers);
    let made = workers.clone();
    let pool = SyncArbiter::start(1, move || Cruncher {
        stats: made.tracked(),
    });
    for _ in 0..5 {
        pool.send(Job::Count).await.expect("the pool runs");
    }
    pool.send(Job::Stop).await.expect("the pool runs");
    pool.send(Job::Count).await.expect("the replacement runs");
    let snapshot = scrape_until(&registry, |s| total(s, "test_handled_total") == 6.0).await;
    assert_eq!(total(&snapshot, "test_handled_total"), 6.0);
    assert_eq!(
        value(&snapshot, "test_handled_total", &[("worker", "retired")]),
        Some(5.0),
        "the stopped worker's counts"
    );
}

#[actix::test]
async fn a_supervised_actor_keeps_its_label_and_counts_across_restarts() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("supervised", &workers);
    let made = workers.clone();
    let addr = Supervisor::start(move |_| Plain {
        stats: made.tracked(),
    });
    for _ in 0..3 {
        addr.send(Job::Count).await.expect("runs");
    }
    // The actor stops; its supervisor restarts it on the same mailbox.
    addr.do_send(Job::Stop);
    for _ in 0..2 {
        addr.send(Job::Count).await.expect("restarted");
    }
    let snapshot = registry.scrape().await;
    let worker = [("worker", "0")];
    assert_eq!(value(&snapshot, "test_handled_total", &worker), Some(5.0));
    assert_eq!(value(&snapshot, "test_restarts_total", &worker), Some(1.0));
    assert_eq!(
        value(&snapshot, "test_handled_total", &[("worker", "retired")]),
        None,
        "nothing was retired: the same actor carried on"
    );
    let up = [("collector", "supervised"), ("worker", "0")];
    assert_eq!(value(&snapshot, "actorscope_worker_up", &up), Some(1.0));

    // actix's Supervisor restarts an actor that stops, not one that panics: a panic drops
    // it (and its supervisor). It is reported as panicked, and its counts are kept.
    addr.do_send(Job::Panic);
    let panicked = [
        ("collector", "supervised"),
        ("worker", "0"),
        ("kind", "panicked"),
    ];
    let snapshot = scrape_until(&registry, |s| {
        value(s, "actorscope_worker_scrape_errors_total", &panicked) == Some(1.0)
    })
    .await;
    assert_eq!(
        value(
            &snapshot,
            "actorscope_worker_scrape_errors_total",
            &panicked
        ),
        Some(1.0)
    );
    assert_eq!(
        value(&snapshot, "test_handled_total", &[("worker", "retired")]),
        Some(5.0),
        "what it counted before the panic"
    );
}

#[actix::test]
async fn a_panicking_actor_is_reported_and_its_replacement_continues_the_sums() {
    let workers = WorkerCollector::<Stats>::new();
    let registry = registry_with("jobs", &workers);
    let arbiter = Arbiter::new();
    let stats = workers.tracked();
    let first = Plain::start_in_arbiter(&arbiter.handle(), move |_| Plain { stats });
    for _ in 0..4 {
        first.send(Job::Count).await.expect("runs");
    }
    first.do_send(Job::Panic);
    let panicked = [("collector", "jobs"), ("worker", "0"), ("kind", "panicked")];
    let snapshot = scrape_until(&registry, |s| {
        value(s, "actorscope_worker_scrape_errors_total", &panicked) == Some(1.0)
    })
    .await;
    assert_eq!(
        total(&snapshot, "test_handled_total"),
        4.0,
        "kept as retired"
    );

    let second = Plain {
        stats: workers.tracked(),
    }
    .start();
    second.send(Job::Count).await.expect("runs");
    let snapshot = registry.scrape().await;
    assert_eq!(
        value(&snapshot, "test_handled_total", &[("worker", "0")]),
        Some(1.0),
        "the replacement reuses the free label and starts from zero"
    );
    assert_eq!(
        total(&snapshot, "test_handled_total"),
        5.0,
        "sums never go back"
    );
    arbiter.stop();
}

#[test]
fn a_bad_family_is_refused_at_registration_by_name() {
    actorscope::worker_stats! {
        struct BadStats {
            /// Cache hits (a counter, so it must end in `_total`).
            #[metric("cache_hits")]
            hits: Counter,
        }
    }
    let registry = MetricsRegistry::new();
    let error = registry
        .register("cache", WorkerCollector::<BadStats>::new())
        .unwrap_err();
    assert!(
        matches!(&error, RegisterError::InvalidFamily { name, .. } if name == "cache"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("\"cache_hits\"") && message.contains("_total"),
        "{message}"
    );
    assert!(registry.collector_names().is_empty());
}

#[tokio::test]
async fn what_fails_only_at_scrape_time_is_shown_in_metrics_with_its_reason() {
    let registry = MetricsRegistry::new();
    registry
        .register(
            "bad",
            collector_fn(|out| {
                // A label name only known at scrape time, and invalid.
                let label = String::from("shard-id");
                out.gauge("queue_depth", "Jobs waiting.")
                    .add([(label.as_str(), "0")], 3)?;
                Ok(())
            }),
        )
        .expect("nothing to check at registration");
    let text =
        String::from_utf8(Format::Prometheus.encode(&registry.scrape().await)).expect("UTF-8");
    assert!(
        text.contains(
            "actorscope_scrape_collector_errors_total{collector=\"bad\",kind=\"invalid\"} 1\n"
        ),
        "{text}"
    );
    let reason = text
        .lines()
        .find(|line| line.starts_with("actorscope_scrape_error_info{collector=\"bad\""))
        .unwrap_or_else(|| panic!("no reason line in\n{text}"));
    assert!(
        reason.contains("kind=\"invalid\"") && reason.contains("shard-id"),
        "{reason}"
    );
}

/// The newcomer's ordinary service: a job actor started with `.start()`, a `SyncArbiter`
/// pool, an HTTP route with the request metrics, and a plain component behind a mutex.
#[test]
fn the_newcomers_service_is_observed_without_workarounds() {
    let server = start_server(|| {
        let registry = MetricsRegistry::new();
        // The actor and the pool.
        let jobs = WorkerCollector::<Stats>::new();
        registry.register("jobs", jobs.clone()).expect("register");
        let job = Plain {
            stats: jobs.tracked(),
        }
        .start();
        // Two collectors of the same stats tell their series apart by a label.
        let crunchers = WorkerCollector::<Stats>::with_labels([("pool", "crunch")]);
        registry
            .register("crunch", crunchers.clone())
            .expect("register");
        let pool = SyncArbiter::start(2, move || Cruncher {
            stats: crunchers.tracked(),
        });
        // The plain component.
        let cache = Arc::new(Mutex::new(Counter::new()));
        let seen = Arc::clone(&cache);
        registry
            .register(
                "cache",
                collector_fn(move |out| {
                    let hits = seen.lock().map_err(|_| "cache poisoned")?.get();
                    out.counter("cache_hits_total", "Cache hits.")
                        .add((), hits)?;
                    Ok(())
                }),
            )
            .expect("register");
        // The HTTP route, with the request metrics and the routes.
        let requests = RequestMetrics::builder()
            .server("api")
            .register(&registry)
            .expect("register");
        let routes = Routes::new(&registry, RouteOptions::default()).expect("mount");
        let job = aweb::Data::new(job);
        let pool = aweb::Data::new(pool);
        let cache = aweb::Data::new(cache);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(requests.clone())
                .app_data(job.clone())
                .app_data(pool.clone())
                .app_data(cache.clone())
                .route("/work", aweb::get().to(work))
                .service(routes.clone())
        })
        .workers(1)
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("bind a loopback port");
        let addresses = server.addrs();
        (server.run(), addresses)
    });
    for _ in 0..4 {
        assert_eq!(get(server.address(), "/work", &[]).status, 200);
    }
    let observed = common::wait_until(Duration::from_secs(10), || {
        let text = get(server.address(), "/metrics", &[]).text();
        sum_samples(&text, "test_handled_total", &[]) == 8.0
    });
    let text = get(server.address(), "/metrics", &[]).text();
    assert!(observed, "{text}");
    for (family, labels, expected) in [
        ("test_handled_total", "pool=\"crunch\"", 4.0),
        ("cache_hits_total", "", 4.0),
        ("http_server_requests_total", "route=\"/work\"", 4.0),
        ("actorscope_worker_up", "collector=\"crunch\"", 2.0),
        ("actorscope_worker_up", "collector=\"jobs\"", 1.0),
    ] {
        let must: Vec<&str> = [labels].into_iter().filter(|l| !l.is_empty()).collect();
        assert_eq!(
            sum_samples(&text, family, &must),
            expected,
            "{family}{labels}\n{text}"
        );
    }
    common::promtool_check(text.as_bytes()).expect("promtool accepts it");
}

/// `GET /work`: one job for the actor, one for the pool, one cache hit.
async fn work(
    job: aweb::Data<actix::Addr<Plain>>,
    pool: aweb::Data<actix::Addr<Cruncher>>,
    cache: aweb::Data<Arc<Mutex<Counter>>>,
) -> Result<&'static str, actix_web::Error> {
    let busy = |_| actix_web::error::ErrorServiceUnavailable("a worker is gone");
    job.send(Job::Count).await.map_err(busy)?;
    pool.send(Job::Count).await.map_err(busy)?;
    if let Ok(mut hits) = cache.lock() {
        hits.inc();
    }
    Ok("done")
}
