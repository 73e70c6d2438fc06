//! Serializers: a snapshot in, bytes out. One file per format; escaping and number
//! formatting live in one place each.
//!
//! ```
//! use actorscope::encode::Format;
//! use actorscope::model::MetricSnapshot;
//! use actorscope::write::Writer;
//!
//! let mut snapshot = MetricSnapshot::new();
//! Writer::new(&mut snapshot).counter("jobs_total", "Jobs done.").add([("queue", "a")], 3)?;
//!
//! let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).unwrap();
//! assert_eq!(text, "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{queue=\"a\"} 3\n");
//!
//! let open = String::from_utf8(Format::OpenMetrics.encode(&snapshot)).unwrap();
//! assert_eq!(open, "# TYPE jobs counter\n# HELP jobs Jobs done.\njobs_total{queue=\"a\"} 3\n# EOF\n");
//! # Ok::<(), actorscope::model::ModelError>(())
//! ```

mod escape;
mod json;
mod negotiate;
mod number;
mod openmetrics;
mod prometheus;
mod proto;
mod protobuf;
mod text;

pub(crate) use json::encode_delta;
pub use json::{Json, JSON_SCHEMA_VERSION};
pub(crate) use negotiate::named_q;
pub use negotiate::{accepts_gzip, Escaping, Negotiated};
pub use openmetrics::OpenMetricsText;
pub use prometheus::PrometheusText;
pub use protobuf::Protobuf;
pub(crate) use protobuf::PROTOBUF_MEDIA;

use crate::model::MetricSnapshot;

/// A serialization format for snapshots. The built-in formats implement it, and so can
/// yours: mount it on the routes with
/// [`RouteOptions::with_encoder`](crate::RouteOptions::with_encoder) and `/metrics`
/// serves it to a client whose `Accept` names its media type.
pub trait Encoder: Send + Sync + std::fmt::Debug {
    /// The `Content-Type` of what [`Self::encode`] writes.
    fn content_type(&self) -> &'static str;

    /// Appends `snapshot`, serialized, to `out`.
    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>);
}

/// The formats ActorScope writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// Prometheus text exposition format 0.0.4 (what Prometheus asks for by default).
    #[default]
    Prometheus,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
    /// ActorScope's JSON document (see [`Json`] for the schema).
    Json,
    /// Prometheus' protobuf format, with native histograms (see [`Protobuf`]).
    Protobuf,
}

impl Format {
    /// The encoder for this format.
    #[must_use]
    pub fn encoder(self) -> &'static dyn Encoder {
        match self {
            Self::Prometheus => &PrometheusText,
            Self::OpenMetrics => &OpenMetricsText,
            Self::Json => &Json,
            Self::Protobuf => &Protobuf,
        }
    }

    /// The `Content-Type` header value for this format.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        self.encoder().content_type()
    }

    /// Serializes `snapshot` into a new buffer.
    #[must_use]
    pub fn encode(self, snapshot: &MetricSnapshot) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * snapshot.sample_count() + 256);
        self.encoder().encode(snapshot, &mut out);
        out
    }
}
