//! What actor insight adds per message, beside the same actor without it, in the same
//! run (BENCHMARKS.md).
//!
//! `cargo bench --bench actor_messages`
//!
//! Groups:
//! - `clock_read`: one read of `std::time::Instant::now` and of insight's clock
//!   (quanta's raw time-stamp counter): the floor under the three reads a message costs;
//! - `actor_message_same_thread`: an actor on the bench's own arbiter takes a batch of
//!   `do_send` messages and one awaited `send` to flush them: through the plain `Addr`
//!   (the plain handler), and through an `InsightAddr` (stamped at the send, timed and
//!   counted by the envelope's handler). Per message: enqueue, dequeue, handle.
//! - `actor_message_cross_thread`: the same, with the actor on an arbiter of its own.

use std::hint::black_box;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter, Context, Handler, Message};
use actorscope::actor::insight::{ActorCollector, ActorInsight, InsightAddr};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const BATCH: u64 = 1_000;

#[derive(Message)]
#[rtype(result = "()")]
struct Add(u64);

#[derive(Message)]
#[rtype(result = "u64")]
struct Flush;

struct Summer {
    total: u64,
    insight: ActorInsight<Self>,
}

impl Actor for Summer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(usize::MAX);
    }
}

impl Handler<Add> for Summer {
    type Result = ();
    fn handle(&mut self, Add(n): Add, _: &mut Context<Self>) {
        self.total = self.total.wrapping_add(black_box(n));
    }
}

impl Handler<Flush> for Summer {
    type Result = u64;
    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> u64 {
        self.total
    }
}

actorscope::instrument_messages!(Summer, insight: [Add, Flush]);

/// Sends `iters` batches through `send` and `flush`, timing them all.
async fn batches<S, F, Fut>(iters: u64, send: S, flush: F) -> Duration
where
    S: Fn(u64),
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let started = Instant::now();
    for _ in 0..iters {
        for n in 0..BATCH {
            send(n);
        }
        black_box(flush().await);
    }
    started.elapsed()
}

fn clock_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("clock_read");
    group.bench_function("std_instant_now", |b| b.iter(|| black_box(Instant::now())));
    let clock = quanta::Clock::new();
    group.bench_function("quanta_raw", |b| b.iter(|| black_box(clock.raw())));
    group.finish();
}

fn messages(c: &mut Criterion, name: &str, own_arbiter: bool) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(BATCH));
    let system = actix::System::new();
    let arbiter = own_arbiter.then(Arbiter::new);
    let actors = ActorCollector::new();
    let (plain, instrumented): (Addr<Summer>, InsightAddr<Summer>) = system.block_on(async {
        let make = || Summer {
            total: 0,
            insight: actors.insight(),
        };
        match &arbiter {
            Some(arbiter) => {
                let plain_one = make();
                let plain = Summer::start_in_arbiter(&arbiter.handle(), move |_| plain_one);
                let instrumented =
                    InsightAddr::start_in_arbiter(&arbiter.handle(), actors.insight(), |insight| {
                        Summer { total: 0, insight }
                    });
                (plain, instrumented)
            }
            None => (make().start(), InsightAddr::start(make())),
        }
    });
    group.bench_function("plain_addr", |b| {
        b.iter_custom(|iters| {
            system.block_on(batches(
                iters,
                |n| plain.do_send(Add(n)),
                || async { plain.send(Flush).await.unwrap_or_default() },
            ))
        });
    });
    group.bench_function("insight_addr", |b| {
        b.iter_custom(|iters| {
            system.block_on(batches(
                iters,
                |n| instrumented.do_send(Add(n)),
                || async { instrumented.send(Flush).await.unwrap_or_default() },
            ))
        });
    });
    group.finish();
    if let Some(arbiter) = arbiter {
        arbiter.stop();
    }
}

fn same_thread(c: &mut Criterion) {
    messages(c, "actor_message_same_thread", false);
}

fn cross_thread(c: &mut Criterion) {
    messages(c, "actor_message_cross_thread", true);
}

criterion_group!(benches, clock_read, same_thread, cross_thread);
criterion_main!(benches);
