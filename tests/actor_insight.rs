//! Actor insight on real arbiters: exact counts per message type, handling time of a
//! handler that sleeps a known time, the mailbox wait and depth behind a blocked actor,
//! failed sends, a supervised actor that panics and restarts, the per-instance cap, and
//! actors started without `InsightAddr` (`Actor::create`, `Context::new().run`).

mod common;

use std::sync::mpsc;
use std::time::Duration;

use actix::{Actor, ActorContext, Arbiter, Context, Handler, Message, Supervised};
use actorscope::actor::insight::{ActorCollector, ActorInsight, InsightAddr};
use actorscope::model::{HistogramValue, MetricSnapshot};
use actorscope::{Format, MetricsRegistry};
use common::{promtool_check, scrape_until};

/// Answers at once.
#[derive(Message)]
#[rtype(result = "u32")]
struct Ping;

/// Sleeps this long, then answers.
#[derive(Message)]
#[rtype(result = "()")]
struct Nap(Duration);

/// Blocks until told to go on (or 10 s pass).
#[derive(Message)]
#[rtype(result = "()")]
struct Block(mpsc::Receiver<()>);

/// Panics.
#[derive(Message)]
#[rtype(result = "()")]
struct Fail;

/// Stops the actor.
#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

struct Worker {
    insight: ActorInsight<Self>,
    capacity: usize,
}

impl Actor for Worker {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(self.capacity);
        self.insight.started(ctx);
    }
}

impl Supervised for Worker {}

impl Handler<Ping> for Worker {
    type Result = u32;
    fn handle(&mut self, _: Ping, _: &mut Context<Self>) -> u32 {
        7
    }
}

impl Handler<Nap> for Worker {
    type Result = ();
    fn handle(&mut self, Nap(time): Nap, _: &mut Context<Self>) {
        std::thread::sleep(time);
    }
}

impl Handler<Block> for Worker {
    type Result = ();
    fn handle(&mut self, Block(go_on): Block, _: &mut Context<Self>) {
        let _ = go_on.recv_timeout(Duration::from_secs(10));
    }
}

impl Handler<Fail> for Worker {
    type Result = ();
    fn handle(&mut self, _: Fail, _: &mut Context<Self>) {
        panic!("a handler fails on purpose");
    }
}

impl Handler<Stop> for Worker {
    type Result = ();
    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

actorscope::instrument_messages!(Worker, insight: [Ping, Nap as "nap", Block, Fail, Stop]);

/// An actor that does not call `ActorInsight::started`: restarts are still counted
/// after a panic.
struct Bare {
    insight: ActorInsight<Self>,
}

impl Actor for Bare {
    type Context = Context<Self>;
}

impl Supervised for Bare {}

impl Handler<Ping> for Bare {
    type Result = u32;
    fn handle(&mut self, _: Ping, _: &mut Context<Self>) -> u32 {
        8
    }
}

impl Handler<Fail> for Bare {
    type Result = ();
    fn handle(&mut self, _: Fail, _: &mut Context<Self>) {
        panic!("a bare handler fails on purpose");
    }
}

actorscope::instrument_messages!(Bare, insight: [Ping, Fail]);

fn setup() -> (ActorCollector, MetricsRegistry) {
    let actors = ActorCollector::new();
    let registry = MetricsRegistry::with_default_deadline(Duration::from_millis(300));
    registry
        .register("actors", actors.clone())
        .expect("a fresh registry takes the collector");
    (actors, registry)
}

fn start_worker(
    actors: &ActorCollector,
    arbiter: &Arbiter,
    capacity: usize,
) -> InsightAddr<Worker> {
    InsightAddr::start_in_arbiter(&arbiter.handle(), actors.insight(), move |insight| Worker {
        insight,
        capacity,
    })
}

fn value(snapshot: &MetricSnapshot, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snapshot
        .get(family)
        .and_then(|f| f.value(labels.to_vec()))
        .and_then(|v| v.as_f64())
}

fn histogram(snapshot: &MetricSnapshot, family: &str, labels: &[(&str, &str)]) -> HistogramValue {
    snapshot
        .get(family)
        .and_then(|f| f.value(labels.to_vec()))
        .and_then(|v| v.as_histogram())
        .cloned()
        .unwrap_or_else(|| panic!("{family} {labels:?} is written"))
}

/// The cumulative count of `histogram` at bound `le`.
fn at_most(histogram: &HistogramValue, le: f64) -> u64 {
    histogram
        .buckets()
        .find(|(bound, _)| *bound == le)
        .map(|(_, count)| count)
        .unwrap_or_else(|| panic!("a bucket at {le}"))
}

const HANDLED: &str = "actorscope_actor_messages_handled_total";
const HANDLING: &str = "actorscope_actor_message_handling_seconds";
const WAITING: &str = "actorscope_actor_mailbox_wait_seconds";
const DEPTH: &str = "actorscope_actor_mailbox_depth";
const FAILURES: &str = "actorscope_actor_send_failures_total";

#[test]
fn every_message_is_counted_once_per_type_and_a_known_sleep_lands_in_its_buckets() {
    actix::System::new().block_on(async {
        let (actors, registry) = setup();
        let arbiter = Arbiter::new();
        let worker = start_worker(&actors, &arbiter, 16);
        const K: usize = 300;
        for _ in 0..K {
            assert_eq!(worker.send(Ping).await, Ok(7));
        }
        for _ in 0..K {
            worker.do_send(Nap(Duration::ZERO));
        }
        const NAPS: u64 = 5;
        for _ in 0..NAPS {
            worker
                .send(Nap(Duration::from_millis(3)))
                .await
                .expect("answered");
        }
        let ping = [("actor", "Worker"), ("message", "Ping")];
        let nap = [("actor", "Worker"), ("message", "nap")];
        let expected_naps = (K as u64 + NAPS) as f64;
        let snapshot = scrape_until(&registry, |s| {
            value(s, HANDLED, &nap) == Some(expected_naps)
        })
        .await;
        assert_eq!(value(&snapshot, HANDLED, &ping), Some(K as f64));
        assert_eq!(value(&snapshot, HANDLED, &nap), Some(expected_naps));
        assert_eq!(histogram(&snapshot, WAITING, &ping).count(), K as u64);

        // The five 3 ms naps are above 2.5 ms, the zero naps far below.
        let naps = histogram(&snapshot, HANDLING, &nap);
        assert_eq!(naps.count(), K as u64 + NAPS);
        assert_eq!(naps.count() - at_most(&naps, 2.5e-3), NAPS);
        assert!(naps.sum() >= 3e-3 * NAPS as f64, "sum {}", naps.sum());
        let busy = value(
            &snapshot,
            "actorscope_actor_busy_seconds_total",
            &[("actor", "Worker")],
        );
        assert!(busy.is_some_and(|b| b >= naps.sum()), "busy {busy:?}");
        assert_eq!(
            value(&snapshot, "actorscope_actor_slow_handlings_total", &nap),
            Some(NAPS as f64)
        );
        assert_eq!(value(&snapshot, DEPTH, &[("actor", "Worker")]), Some(0.0));
        assert_eq!(
            value(&snapshot, "actorscope_actor_active", &[("actor", "Worker")]),
            Some(1.0)
        );

        let text = Format::Prometheus.encode(&snapshot);
        if let Err((code, report)) = promtool_check(&text) {
            panic!("promtool refused the actor families ({code}): {report}");
        }
        arbiter.stop();
    });
}

#[test]
fn a_blocked_actor_shows_its_depth_and_the_wait_behind_it() {
    actix::System::new().block_on(async {
        let (actors, registry) = setup();
        let arbiter = Arbiter::new();
        let worker = start_worker(&actors, &arbiter, 64);
        let (go_on, blocked) = mpsc::channel();
        worker.do_send(Block(blocked));
        const BEHIND: usize = 12;
        for _ in 0..BEHIND {
            worker.do_send(Ping);
        }
        let me = [("actor", "Worker")];
        let snapshot =
            scrape_until(&registry, |s| value(s, DEPTH, &me) == Some(BEHIND as f64)).await;
        assert_eq!(value(&snapshot, DEPTH, &me), Some(BEHIND as f64));
        assert_eq!(
            value(&snapshot, "actorscope_actor_unresponsive", &me),
            Some(1.0)
        );

        // A request that gives up while the actor is blocked: counted as a timeout, and
        // never in the depth (actix drops it unhandled).
        let late = worker.send_timeout(Ping, Duration::from_millis(10)).await;
        assert_eq!(late, Err(actix::MailboxError::Timeout));

        // Held at least 30 ms more: every message behind waited that long.
        actix::clock::sleep(Duration::from_millis(30)).await;
        go_on.send(()).expect("the worker waits");
        let ping = [("actor", "Worker"), ("message", "Ping")];
        let snapshot = scrape_until(&registry, |s| {
            value(s, HANDLED, &ping) == Some(BEHIND as f64) && value(s, DEPTH, &me) == Some(0.0)
        })
        .await;
        assert_eq!(value(&snapshot, HANDLED, &ping), Some(BEHIND as f64));
        assert_eq!(value(&snapshot, DEPTH, &me), Some(0.0));
        assert_eq!(
            value(&snapshot, "actorscope_actor_unresponsive", &me),
            Some(0.0)
        );
        let waits = histogram(&snapshot, WAITING, &ping);
        assert_eq!(waits.count(), BEHIND as u64);
        assert_eq!(
            at_most(&waits, 0.025),
            0,
            "every message behind waited over 25 ms"
        );
        let timeouts = [("actor", "Worker"), ("reason", "timeout")];
        assert_eq!(value(&snapshot, FAILURES, &timeouts), Some(1.0));
        arbiter.stop();
    });
}

#[test]
fn full_and_closed_sends_are_counted() {
    actix::System::new().block_on(async {
        let (actors, registry) = setup();
        let arbiter = Arbiter::new();
        let worker = start_worker(&actors, &arbiter, 1);
        let (go_on, blocked) = mpsc::channel();
        worker.send(Ping).await.expect("started");
        worker.do_send(Block(blocked));
        let mut full = 0;
        for _ in 0..20 {
            if let Err(actix::dev::SendError::Full(Ping)) = worker.try_send(Ping) {
                full += 1;
            }
        }
        assert!(full > 0, "a mailbox of one fills");
        go_on.send(()).expect("the worker waits");
        worker.send(Stop).await.expect("answered before stopping");
        let stopped = [("actor", "Worker")];
        scrape_until(&registry, |s| {
            value(s, "actorscope_actor_stopped_total", &stopped) == Some(1.0)
        })
        .await;
        assert_eq!(worker.send(Ping).await, Err(actix::MailboxError::Closed));
        assert!(matches!(
            worker.try_send(Ping),
            Err(actix::dev::SendError::Closed(Ping))
        ));
        worker.do_send(Ping);

        let snapshot = registry.scrape().await;
        let reason = |r| [("actor", "Worker"), ("reason", r)];
        assert_eq!(
            value(&snapshot, FAILURES, &reason("full")),
            Some(f64::from(full))
        );
        assert_eq!(value(&snapshot, FAILURES, &reason("closed")), Some(3.0));
        assert_eq!(
            value(&snapshot, "actorscope_actor_active", &stopped),
            Some(0.0)
        );
        // Its counts outlive it.
        let ping = [("actor", "Worker"), ("message", "Ping")];
        let handled = value(&snapshot, HANDLED, &ping).unwrap_or_default();
        assert_eq!(handled, 1.0 + f64::from(20 - full));
        arbiter.stop();
    });
}

#[test]
fn a_supervised_actor_that_panics_is_restarted_and_counted_once_per_restart() {
    actix::System::new().block_on(async {
        let (actors, registry) = setup();
        let worker = InsightAddr::supervise(Worker {
            insight: actors.insight(),
            capacity: 16,
        });
        let bare = InsightAddr::supervise(Bare {
            insight: actors.insight(),
        });
        for round in 1..=2u32 {
            for _ in 0..5 {
                assert_eq!(worker.send(Ping).await, Ok(7));
                assert_eq!(bare.send(Ping).await, Ok(8));
            }
            assert_eq!(worker.send(Fail).await, Err(actix::MailboxError::Closed));
            assert_eq!(bare.send(Fail).await, Err(actix::MailboxError::Closed));
            // The next message reaches the restarted actor.
            assert_eq!(worker.send(Ping).await, Ok(7));
            assert_eq!(bare.send(Ping).await, Ok(8));

            let snapshot = registry.scrape().await;
            for actor in ["Worker", "Bare"] {
                let me = [("actor", actor)];
                let restarts = value(&snapshot, "actorscope_actor_restarts_total", &me);
                assert_eq!(restarts, Some(f64::from(round)), "{actor}");
                let fail = [("actor", actor), ("message", "Fail")];
                let panics = value(&snapshot, "actorscope_actor_handler_panics_total", &fail);
                assert_eq!(panics, Some(f64::from(round)), "{actor}");
                // Continuous: the same actor value, its counts kept across restarts.
                let ping = [("actor", actor), ("message", "Ping")];
                assert_eq!(value(&snapshot, HANDLED, &ping), Some(f64::from(6 * round)));
                assert_eq!(
                    value(&snapshot, "actorscope_actor_started_total", &me),
                    Some(1.0)
                );
                assert_eq!(value(&snapshot, DEPTH, &me), Some(0.0), "{actor}");
            }
        }
    });
}

#[test]
fn per_instance_series_are_capped_and_the_rest_fold_into_overflow() {
    actix::System::new().block_on(async {
        let actors = ActorCollector::with_options(Duration::from_micros(50), 2);
        actors.per_instance::<Worker>();
        let registry = MetricsRegistry::new();
        registry
            .register("actors", actors.clone())
            .expect("registered");
        let arbiter = Arbiter::new();
        let workers: Vec<_> = (0..4)
            .map(|_| start_worker(&actors, &arbiter, 16))
            .collect();
        for (n, worker) in workers.iter().enumerate() {
            for _ in 0..=n {
                worker.send(Ping).await.expect("answered");
            }
        }
        let ping = |instance| {
            [
                ("actor", "Worker"),
                ("instance", instance),
                ("message", "Ping"),
            ]
        };
        let snapshot = registry.scrape().await;
        assert_eq!(value(&snapshot, HANDLED, &ping("0")), Some(1.0));
        assert_eq!(value(&snapshot, HANDLED, &ping("1")), Some(2.0));
        assert_eq!(
            value(&snapshot, HANDLED, &ping("overflow")),
            Some(3.0 + 4.0)
        );
        let instances = snapshot.get(HANDLED).map(|f| f.len()).unwrap_or_default();
        assert_eq!(
            instances,
            3 * 5,
            "three instance series for each of five messages"
        );

        // A stopped instance's counts stay, summed as `retired`, and its number is free.
        workers[0].send(Stop).await.expect("answered");
        let snapshot =
            scrape_until(&registry, |s| value(s, HANDLED, &ping("retired")).is_some()).await;
        assert_eq!(value(&snapshot, HANDLED, &ping("retired")), Some(1.0));
        assert_eq!(value(&snapshot, HANDLED, &ping("0")), None);
        let newcomer = start_worker(&actors, &arbiter, 16);
        newcomer.send(Ping).await.expect("answered");
        let snapshot = registry.scrape().await;
        assert_eq!(value(&snapshot, HANDLED, &ping("0")), Some(1.0));
        arbiter.stop();
    });
}

#[test]
fn an_actor_started_any_other_way_is_bound_to_an_instrumented_address() {
    actix::System::new().block_on(async {
        let (actors, registry) = setup();
        // `Actor::create`, with the address bound afterwards.
        let insight = actors.insight();
        let sender = insight.sender();
        let created = sender.bind(Worker::create(move |_| Worker {
            insight,
            capacity: 16,
        }));
        // `Context::new().run(..)` on another arbiter; its `started` attaches it for scrapes.
        let insight = actors.insight();
        let sender = insight.sender();
        let arbiter = Arbiter::new();
        let (addresses, address) = mpsc::channel();
        arbiter.spawn_fn(move || {
            let addr = Context::new().run(Worker {
                insight,
                capacity: 16,
            });
            let _ = addresses.send(addr);
        });
        let run = sender.bind(
            address
                .recv_timeout(Duration::from_secs(10))
                .expect("started"),
        );
        for _ in 0..3 {
            assert_eq!(created.send(Ping).await, Ok(7));
            assert_eq!(run.send(Ping).await, Ok(7));
        }
        // A message through the plain address reaches the plain handler, uncounted.
        assert_eq!(created.addr().send(Ping).await, Ok(7));
        let snapshot = registry.scrape().await;
        let ping = [("actor", "Worker"), ("message", "Ping")];
        assert_eq!(value(&snapshot, HANDLED, &ping), Some(6.0));
        let me = [("actor", "Worker")];
        assert_eq!(value(&snapshot, "actorscope_actor_active", &me), Some(2.0));
        assert_eq!(
            value(&snapshot, "actorscope_actor_unresponsive", &me),
            Some(0.0)
        );
        arbiter.stop();
    });
}
