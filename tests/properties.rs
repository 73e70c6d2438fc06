//! Property tests: arbitrary names, label values, HELP texts and values go in; the real
//! parsers must read the same values back out of both text formats, the official
//! protobuf schema's decoder out of the protobuf format, and `serde_json` out of the JSON
//! document.
//!
//! Each case builds one snapshot of several random families and runs each parser once,
//! so a case costs a few process launches, not one per sample.

mod common;
#[path = "common/protobuf.rs"]
mod protobuf_reader;

use std::collections::BTreeMap;

use actorscope::encode::Format;
use actorscope::model::{
    HistogramValue, IntoLabels, MetricKind, MetricSnapshot, ModelError, SummaryValue, Value,
};
use actorscope::write::Writer;
use common::{
    assert_same_samples, expected_samples, normalize, promtool_check, python_parse, ParsedSample,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
struct FamilySpec {
    name: String,
    help: String,
    kind: MetricKind,
    samples: Vec<(BTreeMap<String, String>, Value)>,
}

fn label_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,8}".prop_filter("reserved", |name| {
        !name.starts_with("__") && name != "le" && name != "quantile"
    })
}

/// Any string, biased towards what needs escaping: `any::<String>()` alone never yields
/// control characters such as the newline.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\\\\\"\n\r\t\x00-\x1f{}=,# a-zé✓]{0,16}",]
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(label_name(), hostile_string(), 0..4)
}

fn any_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        (0u64..1 << 53).prop_map(|n| n as f64),
        -1e6f64..1e6,
    ]
}

fn histogram() -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_set(-1_000_000i64..1_000_000, 0..6),
        -1e9f64..1e9,
    )
        .prop_flat_map(|(bounds, sum)| {
            let bounds: Vec<f64> = bounds.into_iter().map(|b| b as f64 / 1000.0).collect();
            let n = bounds.len() + 1;
            (
                Just(bounds),
                prop::collection::vec(0u64..1_000_000, n),
                Just(sum),
            )
        })
        .prop_map(|(bounds, counts, sum)| {
            Value::from(HistogramValue::from_bucket_counts(&bounds, &counts, sum).expect("valid"))
        })
}

fn summary() -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_set(0u32..=1000, 0..4),
        any::<u64>(),
        any_float(),
    )
        .prop_flat_map(|(quantiles, count, sum)| {
            let n = quantiles.len();
            let values = prop::collection::vec(prop_oneof![0.0f64..1e12, Just(f64::NAN)], n);
            (Just(quantiles), values, Just(count), Just(sum))
        })
        .prop_map(|(quantiles, values, count, sum)| {
            let pairs: Vec<(f64, f64)> = quantiles
                .into_iter()
                .map(|q| f64::from(q) / 1000.0)
                .zip(values)
                .collect();
            Value::from(SummaryValue::new(&pairs, count, sum).expect("valid"))
        })
}

fn family() -> impl Strategy<Value = FamilySpec> {
    let kind = prop_oneof![
        Just(MetricKind::Counter),
        Just(MetricKind::Gauge),
        Just(MetricKind::Histogram),
        Just(MetricKind::Summary),
        Just(MetricKind::Info),
    ];
    (kind, "[a-z][a-z0-9_:]{0,12}", hostile_string())
        .prop_flat_map(|(kind, name, help)| {
            let value: BoxedStrategy<Value> = match kind {
                MetricKind::Counter => prop_oneof![
                    (0u64..u64::MAX).prop_map(Value::from),
                    (0.0f64..1e300).prop_map(Value::Number),
                    Just(Value::Number(f64::INFINITY)),
                ]
                .boxed(),
                MetricKind::Gauge => any_float().prop_map(Value::Number).boxed(),
                MetricKind::Histogram => histogram().boxed(),
                MetricKind::Summary => summary().boxed(),
                _ => Just(Value::Info).boxed(),
            };
            let samples = prop::collection::vec((labels(), value), 0..5);
            (Just(kind), Just(name), Just(help), samples)
        })
        .prop_map(|(kind, name, help, samples)| FamilySpec {
            name,
            help,
            kind,
            samples,
        })
}

/// Declares family `name` of `kind` and, if given, adds one sample of `value` to it,
/// through the typed writer (the value's variant picks the sample type).
fn write(
    out: &mut Writer<'_>,
    (name, help, kind): (&str, &str, MetricKind),
    sample: Option<(impl IntoLabels, &Value)>,
) -> Result<(), ModelError> {
    match (kind, sample) {
        (MetricKind::Counter, None) => out.counter(name, help).declare().map(drop),
        (MetricKind::Gauge, None) => out.gauge(name, help).declare().map(drop),
        (MetricKind::Histogram, None) => out.histogram(name, help).declare().map(drop),
        (MetricKind::Summary, None) => out.summary(name, help).declare().map(drop),
        (MetricKind::Counter, Some((labels, Value::Number(n)))) => {
            out.counter(name, help).add(labels, *n).map(drop)
        }
        (MetricKind::Gauge, Some((labels, Value::Number(n)))) => {
            out.gauge(name, help).add(labels, *n).map(drop)
        }
        (MetricKind::Histogram, Some((labels, Value::Histogram(h)))) => {
            out.histogram(name, help).add(labels, &**h).map(drop)
        }
        (MetricKind::Summary, Some((labels, Value::Summary(v)))) => {
            out.summary(name, help).add(labels, &**v).map(drop)
        }
        (MetricKind::Info, Some((labels, _))) => out.info(name, help).add(labels, ()).map(drop),
        (MetricKind::Info, None) => out.info(name, help).declare().map(drop),
        (kind, Some((_, value))) => panic!("the strategy made a {value:?} for a {kind}"),
        (kind, None) => panic!("no such kind in the strategy: {kind}"),
    }
}

/// Builds the snapshot; a unique prefix per family keeps names from clashing, and a help
/// that is only whitespace gets a visible character (empty help is refused by design).
fn build(specs: &[FamilySpec]) -> Result<MetricSnapshot, ModelError> {
    let mut snapshot = MetricSnapshot::new();
    let mut out = Writer::new(&mut snapshot);
    for (i, spec) in specs.iter().enumerate() {
        let suffix = match spec.kind {
            MetricKind::Counter => "_total",
            MetricKind::Info => "_info",
            _ => "",
        };
        let name = format!("m{i}_{}{suffix}", spec.name);
        let help = format!("{}.", spec.help);
        let declaration = (name.as_str(), help.as_str(), spec.kind);
        write(&mut out, declaration, None::<((), &Value)>)?;
        for (labels, value) in &spec.samples {
            let pairs: Vec<(&str, &str)> = labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            match write(&mut out, declaration, Some((pairs, value))) {
                Ok(()) | Err(ModelError::DuplicateSeries { .. }) => {}
                Err(other) => return Err(other),
            }
        }
    }
    Ok(snapshot)
}

/// A JSON float: a number, or `"NaN"`, `"+Inf"`, `"-Inf"` (the documented schema).
fn json_float(value: &serde_json::Value) -> Result<f64, String> {
    match value {
        serde_json::Value::Number(number) => number.as_f64().ok_or("number out of range".into()),
        serde_json::Value::String(text) => match text.as_str() {
            "NaN" => Ok(f64::NAN),
            "+Inf" => Ok(f64::INFINITY),
            "-Inf" => Ok(f64::NEG_INFINITY),
            other => Err(format!("not a float: {other:?}")),
        },
        other => Err(format!("not a float: {other}")),
    }
}

/// Reads a JSON document's samples the way the text parsers report them (`_bucket` with
/// `le`, quantiles with `quantile`, `_sum` and `_count`), to compare with the model.
fn json_samples(doc: &serde_json::Value) -> Result<Vec<ParsedSample>, String> {
    let mut out = Vec::new();
    for family in doc["families"].as_array().ok_or("no families array")? {
        let name = family["name"].as_str().ok_or("family without a name")?;
        for sample in family["samples"].as_array().ok_or("no samples array")? {
            let mut labels: Vec<(String, String)> = Vec::new();
            for (key, value) in sample["labels"].as_object().ok_or("no labels object")? {
                let value = value.as_str().ok_or("label value not a string")?;
                labels.push((key.clone(), value.to_owned()));
            }
            let with = |key: &str, bound: &serde_json::Value| -> Result<_, String> {
                let mut labels = labels.clone();
                labels.push((key.to_owned(), format!("{:?}", json_float(bound)?)));
                Ok(labels)
            };
            let parts = [
                ("buckets", "le", "count"),
                ("quantiles", "quantile", "value"),
            ];
            match parts.iter().find(|(list, ..)| sample.get(*list).is_some()) {
                Some((list, key, field)) => {
                    for entry in sample[*list].as_array().ok_or("not an array")? {
                        let suffix = if *list == "buckets" { "_bucket" } else { "" };
                        let value = json_float(&entry[*field])?;
                        out.push((format!("{name}{suffix}"), with(key, &entry[*key])?, value));
                    }
                    let count = sample["count"].as_u64().ok_or("count not an integer")?;
                    out.push((
                        format!("{name}_sum"),
                        labels.clone(),
                        json_float(&sample["sum"])?,
                    ));
                    out.push((format!("{name}_count"), labels, count as f64));
                }
                None => out.push((name.to_owned(), labels, json_float(&sample["value"])?)),
            }
        }
    }
    Ok(out)
}

#[test]
fn parsers_read_back_arbitrary_names_labels_help_and_values() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(family(), 1..8), |specs| {
        let snapshot = build(&specs).map_err(|error| TestCaseError::fail(error.to_string()))?;

        let text = Format::Prometheus.encode(&snapshot);
        let (_, parsed) = python_parse("prometheus", &text).map_err(TestCaseError::fail)?;
        assert_same_samples(normalize(parsed), expected_samples(&snapshot, false));
        if let Err((code, report)) = promtool_check(&text) {
            // Exit 3 is lint advice about naming style (random names are not snake_case
            // words); anything else means promtool could not read the exposition.
            prop_assert!(
                code == 3 && !report.contains("error while linting"),
                "promtool: {report}"
            );
        }

        let open = Format::OpenMetrics.encode(&snapshot);
        let (_, parsed) = python_parse("openmetrics", &open).map_err(TestCaseError::fail)?;
        assert_same_samples(normalize(parsed), expected_samples(&snapshot, true));

        let families = protobuf_reader::decode(&Format::Protobuf.encode(&snapshot))
            .map_err(TestCaseError::fail)?;
        let parsed = protobuf_reader::samples(&families);
        assert_same_samples(normalize(parsed), expected_samples(&snapshot, false));

        let json: serde_json::Value = serde_json::from_slice(&Format::Json.encode(&snapshot))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            json["families"].as_array().map(Vec::len),
            Some(snapshot.len())
        );
        let parsed = json_samples(&json).map_err(TestCaseError::fail)?;
        assert_same_samples(normalize(parsed), expected_samples(&snapshot, false));
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn arbitrary_names_never_panic_and_bad_ones_are_refused() {
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(any::<String>(), any::<String>(), any::<String>()),
            |(name, label, help)| {
                let mut snapshot = MetricSnapshot::new();
                let mut out = Writer::new(&mut snapshot);
                match out.gauge(&name, &help).declare() {
                    Ok(mut family) => {
                        prop_assert!(actorscope::model::is_valid_metric_name(&name));
                        let added = family.add([(label.as_str(), "v")], 1.0).is_ok();
                        prop_assert_eq!(
                            added,
                            actorscope::model::is_valid_label_name(&label)
                                && !label.starts_with("__")
                        );
                    }
                    Err(error) => prop_assert!(!error.to_string().is_empty()),
                }
                Ok(())
            },
        )
        .unwrap_or_else(|failure| panic!("{failure}"));
}
