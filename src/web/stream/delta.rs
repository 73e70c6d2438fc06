//! What changed between two snapshots: the samples whose value changed or that are new,
//! and the series and families that went away (slot maps included: they are families).

use crate::model::{LabelSet, MetricFamily, MetricSnapshot, Value};

/// The change from one snapshot to the next.
#[derive(Debug)]
pub(crate) struct Delta {
    /// New and changed samples, in families with their full declaration.
    pub(crate) changed: MetricSnapshot,
    /// Series that went away: (family, labels), or (family, `None`) for a whole family.
    pub(crate) removed: Vec<(String, Option<LabelSet>)>,
}

impl Delta {
    /// Whether nothing changed but, perhaps, the errors.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Two readings are the same (NaN is the same as NaN: a gauge stuck at NaN is no change).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

/// Whether `family` means what `before` meant (else every sample counts as new).
fn same_declaration(family: &MetricFamily, before: &MetricFamily) -> bool {
    family.kind() == before.kind()
        && family.help() == before.help()
        && family.unit() == before.unit()
}

/// The delta from `before` to `after`.
pub(crate) fn diff(before: &MetricSnapshot, after: &MetricSnapshot) -> Delta {
    let changed = after.filtered(
        |family| match before.get(family.name()) {
            // An empty family that was there, empty, already: nothing to say.
            Some(old) => !(family.is_empty() && old.is_empty() && same_declaration(family, old)),
            None => true,
        },
        |family, labels, value| match before.get(family.name()) {
            Some(old) if same_declaration(family, old) => {
                old.value_of(labels).is_none_or(|old| !same(old, value))
            }
            _ => true,
        },
    );
    let mut removed = Vec::new();
    for old in before.families() {
        match after.get(old.name()) {
            None => removed.push((old.name().to_owned(), None)),
            Some(family) => removed.extend(
                old.samples()
                    .filter(|(labels, _)| family.value_of(labels).is_none())
                    .map(|(labels, _)| (old.name().to_owned(), Some(labels.clone()))),
            ),
        }
    }
    Delta { changed, removed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MetricKind, SlotStates};

    fn snapshot(requests: &[(&str, f64)], with_queue: bool) -> MetricSnapshot {
        let mut snapshot = MetricSnapshot::new();
        let family = snapshot
            .family("requests_total", "Requests.", MetricKind::Counter)
            .unwrap();
        for (worker, value) in requests {
            family.add([("worker", *worker)], *value).unwrap();
        }
        if with_queue {
            snapshot
                .family("queue_depth", "Queue.", MetricKind::Gauge)
                .unwrap()
                .add((), f64::NAN)
                .unwrap();
        }
        snapshot
    }

    fn changed(delta: &Delta) -> Vec<(String, String, f64)> {
        delta
            .changed
            .families()
            .flat_map(|f| {
                f.samples().map(|(labels, value)| {
                    (
                        f.name().to_owned(),
                        labels.to_string(),
                        value.as_f64().unwrap_or(-1.0),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn only_changed_and_new_samples_are_sent() {
        let before = snapshot(&[("0", 1.0), ("1", 5.0)], true);
        let after = snapshot(&[("0", 2.0), ("1", 5.0), ("2", 1.0)], true);
        let delta = diff(&before, &after);
        assert_eq!(
            changed(&delta),
            [
                ("requests_total".into(), "{worker=\"0\"}".into(), 2.0),
                ("requests_total".into(), "{worker=\"2\"}".into(), 1.0)
            ],
            "worker 1 did not change, and NaN staying NaN is no change"
        );
        assert!(delta.removed.is_empty());
        assert!(diff(&after, &after).is_empty());
    }

    #[test]
    fn series_and_families_that_went_away_are_listed() {
        let before = snapshot(&[("0", 1.0), ("1", 5.0)], true);
        let after = snapshot(&[("0", 1.0)], false);
        let removed: Vec<String> = diff(&before, &after)
            .removed
            .iter()
            .map(|(name, labels)| {
                format!(
                    "{name}{}",
                    labels.as_ref().map(ToString::to_string).unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(removed, ["queue_depth", "requests_total{worker=\"1\"}"]);
    }

    #[test]
    fn a_changed_slot_map_is_a_changed_sample_like_any_other() {
        let slots = |states: &str| {
            let mut snapshot = snapshot(&[], false);
            snapshot
                .family("pool_slots", "Slots.", MetricKind::Slots)
                .unwrap()
                .add([("pool", "db")], SlotStates::new(states).unwrap())
                .unwrap();
            snapshot
        };
        let delta = diff(&slots("ff"), &slots("af"));
        let family = delta
            .changed
            .get("pool_slots")
            .expect("the slot map changed");
        let value = family.value([("pool", "db")]).and_then(|v| v.as_slots());
        assert_eq!(value.map(SlotStates::as_str), Some("af"));
        assert!(diff(&slots("af"), &slots("af")).is_empty());
    }

    mod round_trip {
        use std::collections::BTreeMap;

        use proptest::prelude::*;

        use super::super::diff;
        use crate::model::{MetricKind, MetricSnapshot};

        /// A family: kind (counter or gauge) and samples by worker.
        type Spec = BTreeMap<String, (bool, BTreeMap<u8, f64>)>;

        fn spec() -> impl Strategy<Value = Spec> {
            let value = prop_oneof![
                Just(0.0),
                Just(1.0),
                Just(2.0),
                Just(f64::NAN),
                0.0..100.0f64
            ];
            let family = (
                any::<bool>(),
                prop::collection::btree_map(0u8..6, value, 0..5),
            );
            prop::collection::btree_map(
                prop::sample::select(vec!["a_total", "b_total", "c", "d"]).prop_map(str::to_owned),
                family,
                0..4,
            )
        }

        fn build(spec: &Spec) -> MetricSnapshot {
            let mut snapshot = MetricSnapshot::new();
            for (name, (counter_like, samples)) in spec {
                let counter = name.ends_with("_total");
                let help = if *counter_like {
                    "One meaning."
                } else {
                    "Another."
                };
                let kind = if counter {
                    MetricKind::Counter
                } else {
                    MetricKind::Gauge
                };
                let family = snapshot.family(name, help, kind).unwrap();
                for (worker, value) in samples {
                    let value = if counter && value.is_nan() {
                        0.0
                    } else {
                        *value
                    };
                    family.add([("worker", worker.to_string())], value).unwrap();
                }
            }
            snapshot
        }

        /// What a client holds: family → (declaration, label set → value bits).
        type View = BTreeMap<String, (String, BTreeMap<String, u64>)>;

        fn view(snapshot: &MetricSnapshot) -> View {
            snapshot
                .families()
                .map(|f| {
                    let samples = f
                        .samples()
                        .map(|(labels, value)| {
                            (
                                labels.to_string(),
                                value
                                    .as_f64()
                                    .map_or(0, |v| if v.is_nan() { 1 } else { v.to_bits() }),
                            )
                        })
                        .collect();
                    (f.name().to_owned(), (f.help().to_owned(), samples))
                })
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn applying_the_delta_to_the_old_snapshot_gives_the_new_one(before in spec(), after in spec()) {
                let (before, after) = (build(&before), build(&after));
                let delta = diff(&before, &after);
                let mut held = view(&before);
                for family in delta.changed.families() {
                    let entry = held.entry(family.name().to_owned()).or_default();
                    if entry.0 != family.help() {
                        *entry = (family.help().to_owned(), BTreeMap::new());
                    }
                    for (labels, value) in view(&delta.changed)[family.name()].1.iter().map(|(l, v)| (l.clone(), *v)) {
                        entry.1.insert(labels, value);
                    }
                }
                for (name, labels) in &delta.removed {
                    match labels {
                        None => {
                            held.remove(name);
                        }
                        Some(labels) => {
                            if let Some(family) = held.get_mut(name) {
                                family.1.remove(&labels.to_string());
                            }
                        }
                    }
                }
                prop_assert_eq!(held, view(&after));
            }
        }
    }

    /// A registry whose every scrape writes the same series (values change): every delta
    /// between consecutive scrapes removes nothing, whichever way the samples were built.
    #[actix::test]
    async fn consecutive_scrapes_of_the_same_series_remove_nothing() {
        use crate::registry::{collector_fn, MetricsRegistry};
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::Arc;

        let registry = MetricsRegistry::new();
        let ticks = Arc::new(AtomicU64::new(0));
        registry
            .register(
                "fixture",
                collector_fn(move |out| {
                    let n = ticks.fetch_add(1, Ordering::Relaxed) + 1;
                    out.counter("app_hostile_total", "Hostile.")
                        .add([("value", "<img src=x>"), ("worker", "0")], n)?;
                    let mut wide = out.gauge("app_wide", "Wide.").declare()?;
                    for i in 0..200 {
                        wide.add([("series", format!("s{i:04}"))], n + i)?;
                    }
                    Ok(())
                }),
            )
            .unwrap();
        let mut before = registry.scrape().await;
        for _ in 0..200 {
            let after = registry.scrape().await;
            let delta = diff(&before, &after);
            assert!(delta.removed.is_empty(), "{:?}", delta.removed);
            assert!(delta.changed.get("app_hostile_total").is_some());
            before = after;
        }
    }
}
