//! A worker's series are built at the first scrape and only compared after: what a user
//! sees must not depend on that. Real workers on real arbiters, whose series change.

mod common;
#[path = "common/protobuf.rs"]
mod protobuf_reader;

use std::collections::BTreeMap;

use actix::{Actor, Addr, Arbiter, Context, Handler, Message};
use actorscope::model::{MetricSnapshot, ModelError};
use actorscope::prelude::*;

/// Requests by route, as a worker that learns its routes as it goes keeps them.
#[derive(Clone, Default)]
struct RouteStats {
    routes: BTreeMap<String, u64>,
    /// Written as a counter, so a negative value is refused by the model.
    balance: f64,
}

impl WorkerStats for RouteStats {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        let mut requests = out
            .counter("test_route_requests_total", "Requests by route.")
            .declare()?;
        for (route, count) in &self.routes {
            requests.add([("route", route.as_str())], *count)?;
        }
        out.counter("test_balance_total", "A count that must not go negative.")
            .add((), self.balance)?;
        Ok(())
    }
}

struct RouteWorker {
    stats: Tracked<RouteStats>,
}

impl Actor for RouteWorker {
    type Context = Context<Self>;
}

actorscope::report_stats!(RouteWorker, stats: RouteStats);

/// Changes to a worker's stats.
enum Change {
    Count(&'static str, u64),
    Forget(&'static str),
    Balance(f64),
}

impl Message for Change {
    type Result = ();
}

impl Handler<Change> for RouteWorker {
    type Result = ();

    fn handle(&mut self, change: Change, _: &mut Context<Self>) {
        match change {
            Change::Count(route, n) => *self.stats.routes.entry(route.to_owned()).or_default() += n,
            Change::Forget(route) => {
                self.stats.routes.remove(route);
            }
            Change::Balance(value) => self.stats.balance = value,
        }
    }
}

fn requests(snapshot: &MetricSnapshot, worker: &str) -> BTreeMap<String, f64> {
    snapshot
        .get("test_route_requests_total")
        .map(|family| {
            family
                .samples()
                .filter(|(labels, _)| labels.get("worker") == Some(worker))
                .map(|(labels, value)| {
                    let route = labels.get("route").unwrap_or_default().to_owned();
                    (route, value.as_f64().unwrap_or(f64::NAN))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn expected(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// The lines of `family` in the Prometheus text of `snapshot`.
fn lines(snapshot: &MetricSnapshot, family: &str) -> Vec<String> {
    let text = String::from_utf8(Format::Prometheus.encode(snapshot)).expect("utf-8");
    text.lines()
        .filter(|line| line.starts_with(family))
        .map(str::to_owned)
        .collect()
}

struct Setup {
    registry: MetricsRegistry,
    workers: Vec<Addr<RouteWorker>>,
    _arbiters: Vec<Arbiter>,
}

fn start(workers: usize) -> Setup {
    let registry = MetricsRegistry::new();
    let collector = registry
        .register_workers::<RouteStats>("routes")
        .expect("register");
    let arbiters: Vec<Arbiter> = (0..workers).map(|_| Arbiter::new()).collect();
    let workers = arbiters
        .iter()
        .map(|arbiter| collector.start_in(&arbiter.handle(), |stats| RouteWorker { stats }))
        .collect();
    Setup {
        registry,
        workers,
        _arbiters: arbiters,
    }
}

#[actix::test]
async fn series_that_come_and_go_are_scraped_exactly() {
    let setup = start(2);
    let [first, second] = [&setup.workers[0], &setup.workers[1]];
    first.send(Change::Count("/a", 1)).await.expect("alive");
    first.send(Change::Count("/b", 2)).await.expect("alive");
    second.send(Change::Count("/a", 10)).await.expect("alive");

    let snapshot = setup.registry.scrape().await;
    assert_eq!(
        requests(&snapshot, "0"),
        expected(&[("/a", 1.0), ("/b", 2.0)])
    );
    assert_eq!(requests(&snapshot, "1"), expected(&[("/a", 10.0)]));

    // Same series, new values: the values are what the workers hold now.
    first.send(Change::Count("/a", 4)).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    assert_eq!(
        requests(&snapshot, "0"),
        expected(&[("/a", 5.0), ("/b", 2.0)])
    );

    // A new series, then one gone.
    first.send(Change::Count("/c", 7)).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    assert_eq!(
        requests(&snapshot, "0"),
        expected(&[("/a", 5.0), ("/b", 2.0), ("/c", 7.0)])
    );
    first.send(Change::Forget("/b")).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    assert_eq!(
        requests(&snapshot, "0"),
        expected(&[("/a", 5.0), ("/c", 7.0)])
    );
    assert_eq!(requests(&snapshot, "1"), expected(&[("/a", 10.0)]));

    // As many series as before, one of them another: the new label is what is written.
    first.send(Change::Forget("/a")).await.expect("alive");
    first.send(Change::Count("/d", 1)).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    assert_eq!(
        requests(&snapshot, "0"),
        expected(&[("/c", 7.0), ("/d", 1.0)])
    );
    assert!(snapshot.errors().is_empty(), "{:?}", snapshot.errors());
}

#[actix::test]
async fn a_value_the_model_refuses_is_reported_after_its_series_were_declared() {
    let setup = start(1);
    let worker = &setup.workers[0];
    worker.send(Change::Count("/a", 1)).await.expect("alive");
    assert!(setup.registry.scrape().await.errors().is_empty());

    // The series are the ones declared, but the value is refused: the scrape says so.
    worker.send(Change::Balance(-1.0)).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    let error = snapshot
        .errors()
        .iter()
        .find(|error| error.collector() == "routes")
        .expect("the collector is reported");
    assert_eq!(error.kind().as_str(), "invalid");
    assert!(
        error.message().contains("test_balance_total"),
        "{}",
        error.message()
    );

    worker.send(Change::Balance(3.0)).await.expect("alive");
    let snapshot = setup.registry.scrape().await;
    assert!(snapshot.errors().is_empty(), "{:?}", snapshot.errors());
    assert_eq!(requests(&snapshot, "0"), expected(&[("/a", 1.0)]));
}

#[actix::test]
async fn a_scrape_that_compares_writes_what_a_first_scrape_writes() {
    // The same stats, scraped many times by one registry and once by a fresh one.
    let often = start(3);
    let once = start(3);
    for (i, (a, b)) in often.workers.iter().zip(&once.workers).enumerate() {
        for route in ["/x", "/y\"quoted\"", "/z\\back"] {
            let n = i as u64 + 1;
            a.send(Change::Count(route, n)).await.expect("alive");
            b.send(Change::Count(route, n)).await.expect("alive");
        }
    }
    for _ in 0..3 {
        often.registry.scrape().await;
    }
    let compared = often.registry.scrape().await;
    let first = once.registry.scrape().await;
    for family in ["test_route_requests_total", "test_balance_total"] {
        let written = lines(&compared, family);
        assert_eq!(written, lines(&first, family), "{family}");
        assert!(!written.is_empty());
    }
    let openmetrics = |snapshot: &MetricSnapshot| Format::OpenMetrics.encode(snapshot);
    let json = |snapshot: &MetricSnapshot| {
        let document: serde_json::Value =
            serde_json::from_slice(&Format::Json.encode(snapshot)).expect("valid JSON");
        document["families"]
            .as_array()
            .expect("families")
            .iter()
            .filter(|f| f["name"].as_str().is_some_and(|n| n.starts_with("test_")))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(json(&compared), json(&first));
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .filter(|l| l.starts_with("test_"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(text(openmetrics(&compared)), text(openmetrics(&first)));
    // Protobuf keeps each declared series' encoded label pairs: read back with the
    // official schema, the replayed scrape holds what the model holds.
    let ours = |samples: Vec<common::ParsedSample>| {
        let mut ours: Vec<_> = common::normalize(samples)
            .into_iter()
            .filter(|(name, _, _)| name.starts_with("test_"))
            .collect();
        ours.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        ours
    };
    let protobuf = |snapshot: &MetricSnapshot| {
        let families =
            protobuf_reader::decode(&Format::Protobuf.encode(snapshot)).expect("decodes");
        ours(protobuf_reader::samples(&families))
    };
    assert_eq!(protobuf(&compared), protobuf(&first));
    assert!(!protobuf(&compared).is_empty());
    common::assert_same_samples(
        protobuf(&compared),
        ours(common::expected_samples(&compared, false)),
    );
}
