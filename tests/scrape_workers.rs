//! Worker actors on real arbiters, scraped by message.

mod common;

use std::time::{Duration, Instant};

use actix::{Actor, ActorContext, Addr, Arbiter, Context, Handler, Message};
use actorscope::model::MetricSnapshot;
use actorscope::prelude::*;
use common::scrape_until;

actorscope::worker_stats! {
    struct JobStats {
        /// Jobs done.
        #[metric("test_jobs_total")]
        jobs: Counter,
    }
}

struct JobWorker {
    stats: Tracked<JobStats>,
}

impl Actor for JobWorker {
    type Context = Context<Self>;
}

actorscope::report_stats!(JobWorker, stats: JobStats);

/// Work, or a fault to inject.
enum Job {
    Count,
    Stop,
    Panic,
    Block(Duration),
}

impl Message for Job {
    type Result = ();
}

impl Handler<Job> for JobWorker {
    type Result = ();

    fn handle(&mut self, job: Job, ctx: &mut Context<Self>) {
        match job {
            Job::Count => self.stats.jobs.inc(),
            Job::Stop => ctx.stop(),
            Job::Panic => panic!("injected worker panic"),
            Job::Block(time) => std::thread::sleep(time),
        }
    }
}

struct Pool {
    collector: WorkerCollector<JobStats>,
    registry: MetricsRegistry,
    arbiters: Vec<Arbiter>,
}

impl Pool {
    fn new(workers: usize) -> (Self, Vec<Addr<JobWorker>>) {
        let collector = WorkerCollector::with_labels([("pool", "jobs")]);
        let registry = MetricsRegistry::new();
        registry
            .register("jobs", collector.clone())
            .expect("register");
        let pool = Self {
            collector,
            registry,
            arbiters: (0..workers).map(|_| Arbiter::new()).collect(),
        };
        let addrs = (0..workers).map(|i| pool.start(i)).collect();
        (pool, addrs)
    }

    fn start(&self, arbiter: usize) -> Addr<JobWorker> {
        self.collector
            .start_in(&self.arbiters[arbiter].handle(), |stats| JobWorker {
                stats,
            })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for arbiter in &self.arbiters {
            arbiter.stop();
        }
    }
}

fn jobs(snapshot: &MetricSnapshot, worker: &str) -> Option<f64> {
    snapshot
        .get("test_jobs_total")?
        .value([("pool", "jobs"), ("worker", worker)])?
        .as_f64()
}

fn total_jobs(snapshot: &MetricSnapshot) -> f64 {
    snapshot
        .get("test_jobs_total")
        .map(|family| family.samples().filter_map(|(_, v)| v.as_f64()).sum())
        .unwrap_or(0.0)
}

fn up(snapshot: &MetricSnapshot, worker: &str) -> Option<f64> {
    snapshot
        .get("actorscope_worker_up")?
        .value([("collector", "jobs"), ("worker", worker)])?
        .as_f64()
}

fn errors(snapshot: &MetricSnapshot, worker: &str, kind: &str) -> Option<f64> {
    snapshot
        .get("actorscope_worker_scrape_errors_total")?
        .value([("collector", "jobs"), ("worker", worker), ("kind", kind)])?
        .as_f64()
}

#[actix::test]
async fn eight_workers_count_exactly_the_messages_they_were_sent() {
    let (pool, addrs) = Pool::new(8);
    let mut sent = 0;
    for (i, addr) in addrs.iter().enumerate() {
        for _ in 0..(100 * (i + 1)) {
            addr.do_send(Job::Count);
            sent += 1;
        }
    }
    // The scrape message queues behind the jobs in each mailbox: no flush, no wait.
    let snapshot = pool.registry.scrape().await;
    for i in 0..8 {
        assert_eq!(
            jobs(&snapshot, &i.to_string()),
            Some(100.0 * (i + 1) as f64),
            "worker {i}"
        );
        assert_eq!(up(&snapshot, &i.to_string()), Some(1.0));
    }
    assert_eq!(total_jobs(&snapshot), f64::from(sent));
    assert!(snapshot.errors().is_empty(), "{:?}", snapshot.errors());
    let actors = snapshot
        .get("actorscope_worker_actors")
        .and_then(|family| family.value([("collector", "jobs")]))
        .and_then(|value| value.as_f64());
    assert_eq!(actors, Some(8.0), "eight registered worker actors");
}

#[actix::test]
async fn idle_workers_answer_too() {
    let (pool, _addrs) = Pool::new(3);
    let snapshot = pool.registry.scrape().await;
    for i in 0..3 {
        assert_eq!(jobs(&snapshot, &i.to_string()), Some(0.0));
    }
}

#[actix::test]
async fn stopped_and_panicked_workers_are_reported_and_their_counts_kept() {
    let (pool, addrs) = Pool::new(4);
    for addr in &addrs {
        for _ in 0..10 {
            addr.do_send(Job::Count);
        }
    }
    addrs[1].do_send(Job::Stop);
    addrs[2].do_send(Job::Panic);

    let snapshot = scrape_until(&pool.registry, |s| {
        up(s, "1") == Some(0.0) && up(s, "2") == Some(0.0)
    })
    .await;
    assert_eq!(up(&snapshot, "1"), Some(0.0));
    assert_eq!(up(&snapshot, "2"), Some(0.0));
    assert_eq!(errors(&snapshot, "1", "stopped"), Some(1.0));
    assert_eq!(errors(&snapshot, "2", "panicked"), Some(1.0));
    assert_eq!(up(&snapshot, "0"), Some(1.0));
    assert_eq!(up(&snapshot, "3"), Some(1.0));
    // Nothing counted was lost: the two stopped workers' 20 jobs are retired.
    assert_eq!(jobs(&snapshot, "retired"), Some(20.0));
    assert_eq!(total_jobs(&snapshot), 40.0);

    // Reported once, then the set forgets them; the retired total stays.
    let later = pool.registry.scrape().await;
    assert_eq!(up(&later, "1"), None);
    assert_eq!(total_jobs(&later), 40.0);
    assert_eq!(pool.collector.len(), 2);
}

#[actix::test]
async fn a_hung_worker_misses_the_deadline_and_the_rest_come_back() {
    let (pool, addrs) = Pool::new(3);
    addrs[0].do_send(Job::Count);
    addrs[1].do_send(Job::Block(Duration::from_millis(1500)));
    addrs[2].do_send(Job::Count);

    let deadline = Duration::from_millis(300);
    let started = Instant::now();
    let snapshot = pool.registry.scrape_within(deadline).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < deadline + Duration::from_millis(100),
        "took {elapsed:?}"
    );
    assert_eq!(up(&snapshot, "1"), Some(0.0));
    assert_eq!(errors(&snapshot, "1", "timeout"), Some(1.0));
    assert_eq!(jobs(&snapshot, "0"), Some(1.0));
    assert_eq!(jobs(&snapshot, "2"), Some(1.0));
    assert!(
        snapshot.errors().is_empty(),
        "the collector itself finished in time"
    );
}

#[actix::test]
async fn counters_stay_continuous_across_a_restart() {
    let (pool, addrs) = Pool::new(2);
    for _ in 0..100 {
        addrs[0].do_send(Job::Count);
    }
    for _ in 0..7 {
        addrs[1].do_send(Job::Count);
    }
    let before = pool.registry.scrape().await;
    assert_eq!(total_jobs(&before), 107.0);

    addrs[0].do_send(Job::Stop);
    scrape_until(&pool.registry, |s| up(s, "0") == Some(0.0)).await;

    // The replacement takes the free label "0" and starts from zero.
    let replacement = pool.start(0);
    for _ in 0..50 {
        replacement.do_send(Job::Count);
    }
    let after = pool.registry.scrape().await;
    assert_eq!(
        jobs(&after, "0"),
        Some(50.0),
        "the new worker's series restarts"
    );
    assert_eq!(jobs(&after, "retired"), Some(100.0));
    assert_eq!(total_jobs(&after), 157.0, "the sum never goes backwards");
}

#[actix::test]
async fn concurrent_scrapes_while_busy_and_restarting_give_monotonic_totals() {
    let (pool, mut addrs) = Pool::new(4);
    let mut sent = 0u64;
    let mut previous_round_max = 0.0;
    for round in 0..8 {
        for addr in &addrs {
            for _ in 0..50 {
                addr.do_send(Job::Count);
                sent += 1;
            }
        }
        if round % 3 == 2 {
            // Restart worker 0 mid-run: stop it and start a replacement right away.
            addrs[0].do_send(Job::Stop);
            addrs[0] = pool.start(0);
        }
        let scrapes = (0..10).map(|_| pool.registry.scrape_within(Duration::from_secs(5)));
        let totals: Vec<f64> = futures::future::join_all(scrapes)
            .await
            .iter()
            .map(total_jobs)
            .collect();
        let (min, max) = totals
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
        assert!(
            min >= previous_round_max,
            "round {round}: a scrape saw {min} after an earlier round saw {previous_round_max}"
        );
        assert!(
            max <= sent as f64,
            "round {round}: counted {max} of {sent} sent"
        );
        previous_round_max = max;
    }
    // Everything sent is eventually counted, retired or live.
    let settled = scrape_until(&pool.registry, |s| total_jobs(s) == sent as f64).await;
    assert_eq!(total_jobs(&settled), sent as f64);
}

#[actix::test]
async fn a_worker_that_answers_then_stops_within_one_scrape_is_counted_once() {
    let (pool, addrs) = Pool::new(2);
    for _ in 0..10 {
        addrs[0].do_send(Job::Count);
    }
    // Worker 1 keeps the scrape open while worker 0 answers and then stops.
    addrs[1].do_send(Job::Block(Duration::from_millis(300)));

    let mut scrape = std::pin::pin!(pool.registry.scrape());
    // One poll sends every report request; worker 0's is now queued ahead of the stop.
    assert!(futures::poll!(&mut scrape).is_pending());
    addrs[0].do_send(Job::Stop);
    let snapshot = scrape.await;

    assert_eq!(jobs(&snapshot, "0"), Some(10.0), "its answer counts it");
    assert_eq!(
        jobs(&snapshot, "retired"),
        None,
        "so its retirement must not count it again"
    );
    assert_eq!(total_jobs(&snapshot), 10.0);

    let next = scrape_until(&pool.registry, |s| jobs(s, "retired").is_some()).await;
    assert_eq!(jobs(&next, "retired"), Some(10.0));
    assert_eq!(total_jobs(&next), 10.0);
}

#[actix::test]
async fn starting_a_worker_on_a_stopped_arbiter_reports_it_instead_of_hanging() {
    let (pool, _addrs) = Pool::new(1);
    let stopped = Arbiter::new();
    let handle = stopped.handle();
    stopped.stop();
    stopped.join().expect("arbiter thread ends");

    // On a stopped arbiter the actor is never built, so its stats are dropped at once.
    let collector = pool.collector.clone();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        collector.start_in(&handle, |stats| JobWorker { stats });
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(5)).is_ok(),
        "start_in did not return within 5 s"
    );
    let snapshot = pool.registry.scrape().await;
    assert_eq!(up(&snapshot, "1"), Some(0.0));
    assert_eq!(errors(&snapshot, "1", "stopped"), Some(1.0));
    assert_eq!(up(&snapshot, "0"), Some(1.0));
}
