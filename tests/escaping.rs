//! Every format under every name escaping scheme a scraper can ask for, over loopback
//! HTTP, plain and gzipped: the `Content-Type` names the version and scheme, and the body passes the real
//! parsers (promtool and Python `prometheus_client` for the text formats, the official
//! schema's decoder for protobuf) and our strict check of what they skip.
//!
//! ActorScope's names are legacy names, which every scheme writes unchanged, so the body
//! is the same under every scheme; this proves it stays valid whichever is asked for.

mod common;
#[path = "common/protobuf.rs"]
mod protobuf_reader;

use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope::RouteOptions;
use common::http::{get, gunzip, serve_routes};
use common::{
    build_rich, expected_samples, normalize, promtool_check, python_parse, rich_snapshot,
};

/// `(Accept media type and version, Content-Type before "; escaping=")`.
const MEDIA: [(&str, &str); 5] = [
    (
        "text/plain;version=0.0.4",
        "text/plain; version=0.0.4; charset=utf-8",
    ),
    (
        "text/plain;version=1.0.0",
        "text/plain; version=1.0.0; charset=utf-8",
    ),
    (
        "application/openmetrics-text;version=1.0.0",
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
    ),
    (
        "application/openmetrics-text;version=0.0.1",
        "application/openmetrics-text; version=0.0.1; charset=utf-8",
    ),
    (
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
    ),
];

/// `(escaping= parameter, the scheme the answer names)`.
const ESCAPINGS: [(Option<&str>, &str); 5] = [
    (None, "underscores"),
    (Some("allow-utf-8"), "allow-utf-8"),
    (Some("underscores"), "underscores"),
    (Some("dots"), "dots"),
    (Some("values"), "values"),
];

#[test]
fn every_format_under_every_escaping_passes_the_parsers_and_the_strict_check() {
    let registry = MetricsRegistry::new();
    registry
        .register("fixture", collector_fn(|out| Ok(build_rich(out)?)))
        .expect("register");
    let server = serve_routes(registry, RouteOptions::default(), 1);
    let snapshot = rich_snapshot();
    for (media, content_type) in MEDIA {
        for (parameter, scheme) in ESCAPINGS {
            let accept = match parameter {
                Some(escaping) => format!("Accept: {media};escaping={escaping}"),
                None => format!("Accept: {media}"),
            };
            let response = get(server.address(), "/metrics", &[&accept]);
            assert_eq!(response.status, 200, "{accept}");
            assert_eq!(
                response.header("content-type"),
                Some(format!("{content_type}; escaping={scheme}").as_str()),
                "{accept}"
            );
            let body = &response.body;
            // Compressed when asked, like every format: the same bytes once unzipped.
            let zipped = get(
                server.address(),
                "/metrics",
                &[&accept, "Accept-Encoding: gzip"],
            );
            assert_eq!(zipped.header("content-encoding"), Some("gzip"), "{accept}");
            let unzipped = gunzip(&zipped.body);
            assert!(!unzipped.is_empty(), "{accept}");
            let samples = if media.starts_with("application/vnd.google.protobuf") {
                let from_zipped = protobuf_reader::decode(&unzipped)
                    .unwrap_or_else(|error| panic!("{accept} gzipped: {error}"));
                assert_eq!(
                    protobuf_reader::samples(&from_zipped)
                        .iter()
                        .filter(|(name, _, _)| name.starts_with("app_"))
                        .count(),
                    expected_samples(&snapshot, false).len(),
                    "{accept} gzipped"
                );
                let families = protobuf_reader::decode(body)
                    .unwrap_or_else(|error| panic!("{accept}: {error}"));
                protobuf_reader::samples(&families)
            } else if media.starts_with("application/openmetrics-text") {
                python_parse("openmetrics", body)
                    .unwrap_or_else(|error| panic!("{accept}: {error}"))
                    .1
            } else {
                if let Err((code, report)) = promtool_check(body) {
                    panic!("{accept}: promtool exited {code}: {report}");
                }
                python_parse("prometheus", body)
                    .unwrap_or_else(|error| panic!("{accept}: {error}"))
                    .1
            };
            // Only the fixture's families (the registry adds its own, which change).
            let ours = samples
                .into_iter()
                .filter(|(name, _, _)| name.starts_with("app_"))
                .collect();
            let openmetrics = media.starts_with("application/openmetrics-text");
            common::assert_same_samples(normalize(ours), expected_samples(&snapshot, openmetrics));
        }
    }
}
