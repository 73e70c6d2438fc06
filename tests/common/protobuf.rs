#![allow(unreachable_pub)]
//! Reads the protobuf exposition back (for the root package's tests, whose dev-dependencies
//! have `prometheus` and `protobuf`; include it with `#[path]`) with the message types the `prometheus` crate
//! generated from the official `metrics.proto` (with rust-protobuf: a decoder that shares
//! nothing with our prost-based writer), as the samples Prometheus would store from the
//! classic parts. That schema predates native histograms and exemplars, which its
//! decoder skips as unknown fields; the real Prometheus test reads those.

use prometheus::proto::{MetricFamily, MetricType};
use protobuf::CodedInputStream;

use crate::common::ParsedSample;

/// Families decoded from a length-delimited stream.
pub fn decode(body: &[u8]) -> Result<Vec<MetricFamily>, String> {
    let mut input = CodedInputStream::from_bytes(body);
    let mut families = Vec::new();
    while !input.eof().map_err(|error| error.to_string())? {
        families.push(
            input
                .read_message::<MetricFamily>()
                .map_err(|error| format!("family {}: {error}", families.len()))?,
        );
    }
    Ok(families)
}

/// Every sample of `families`, named and labelled as in Prometheus text (`_bucket` with
/// `le` and `+Inf` from the count, `_sum`, `_count`, summary `quantile`s), `le` and
/// `quantile` written as `{:?}` of their float (as `normalize` leaves them).
pub fn samples(families: &[MetricFamily]) -> Vec<ParsedSample> {
    let mut out = Vec::new();
    for family in families {
        let name = family.name();
        for metric in &family.metric {
            let base: Vec<(String, String)> = metric
                .label
                .iter()
                .map(|pair| (pair.name().to_owned(), pair.value().to_owned()))
                .collect();
            let with = |key: &str, bound: f64| crate::common::with_bound(&base, key, bound);
            let mut sorted = base.clone();
            sorted.sort();
            let mut push = |suffix: &str, labels: Vec<(String, String)>, value: f64| {
                out.push((format!("{name}{suffix}"), labels, value));
            };
            match family.type_() {
                MetricType::COUNTER => push("", sorted, metric.counter.value()),
                MetricType::GAUGE => push("", sorted, metric.gauge.value()),
                MetricType::UNTYPED => push("", sorted, metric.untyped.value()),
                MetricType::SUMMARY => {
                    let summary = &metric.summary;
                    for quantile in &summary.quantile {
                        push("", with("quantile", quantile.quantile()), quantile.value());
                    }
                    push("_sum", sorted.clone(), summary.sample_sum());
                    push("_count", sorted, summary.sample_count() as f64);
                }
                MetricType::HISTOGRAM => {
                    let histogram = &metric.histogram;
                    for bucket in &histogram.bucket {
                        // An explicit +Inf bucket (written to carry an exemplar) is the
                        // count again; Prometheus takes the count.
                        if bucket.upper_bound().is_finite() {
                            push(
                                "_bucket",
                                with("le", bucket.upper_bound()),
                                bucket.cumulative_count() as f64,
                            );
                        }
                    }
                    let count = histogram.sample_count() as f64;
                    push("_bucket", with("le", f64::INFINITY), count);
                    push("_sum", sorted.clone(), histogram.sample_sum());
                    push("_count", sorted, count);
                }
            }
        }
    }
    out
}
