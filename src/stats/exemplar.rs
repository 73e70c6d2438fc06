//! Exemplars: a trace that produced an observation, kept beside the bucket it fell in.

use std::fmt;

/// A W3C id of `$len` bytes: made from bytes or hex (all zeros refused, as W3C Trace
/// Context forbids it), written as lower-case hex.
macro_rules! w3c_id {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name([u8; $len]);

        impl $name {
            #[doc = concat!("A ", $what, " from its bytes (all zeros is not a valid id: `None`).")]
            #[must_use]
            pub fn from_bytes(bytes: [u8; $len]) -> Option<Self> {
                bytes.iter().any(|byte| *byte != 0).then_some(Self(bytes))
            }

            #[doc = concat!("A ", $what, " from ", stringify!($len), " bytes written as hex digits, two per byte (either case).")]
            #[must_use]
            pub fn from_hex(text: &str) -> Option<Self> {
                decode_hex(text).and_then(Self::from_bytes)
            }

            /// The bytes.
            #[must_use]
            pub fn to_bytes(self) -> [u8; $len] {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
        }
    };
}

w3c_id!(
    /// A W3C trace id: 16 bytes, written as 32 lower-case hex digits.
    ///
    /// ```
    /// use actorscope::stats::TraceId;
    ///
    /// let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!(TraceId::from_hex("00000000000000000000000000000000").is_none()); // invalid per W3C
    /// assert!(TraceId::from_hex("4bf9").is_none());
    /// ```
    TraceId, 16, "trace id"
);

w3c_id!(
    /// A W3C span (parent) id: 8 bytes, written as 16 lower-case hex digits.
    ///
    /// ```
    /// use actorscope::stats::SpanId;
    ///
    /// assert_eq!(SpanId::from_hex("00f067aa0ba902b7").unwrap().to_string(), "00f067aa0ba902b7");
    /// ```
    SpanId, 8, "span id"
);

/// Decodes exactly `N` bytes of hex; `None` for another length or a non-hex digit.
fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(bytes)
}

impl TraceId {
    /// A new random trace id, from a per-thread generator seeded by the standard
    /// library's random hash keys: unique enough to find a request again, not secret.
    #[must_use]
    pub fn random() -> Self {
        thread_local! {
            static STATE: std::cell::Cell<u64> = std::cell::Cell::new(random_seed());
        }
        let mut bytes = [0u8; 16];
        STATE.with(|state| {
            for half in bytes.chunks_exact_mut(8) {
                let next = splitmix64(state.get());
                state.set(next);
                half.copy_from_slice(&mix(next).to_le_bytes());
            }
        });
        // All zeros is one chance in 2^128; make it valid anyway.
        if bytes == [0; 16] {
            bytes[15] = 1;
        }
        Self(bytes)
    }
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// splitmix64's step and output function.
fn splitmix64(state: u64) -> u64 {
    state.wrapping_add(0x9e37_79b9_7f4a_7c15)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The trace of one observation: its trace id, optionally its span id, and optionally
/// when it happened (seconds since the Unix epoch). `Copy` and fixed-size, so a histogram
/// keeps the latest one per bucket in place, with no allocation per observation.
///
/// Written as OpenMetrics `# {trace_id="…",span_id="…"} value timestamp` and as protobuf
/// exemplars; never in Prometheus text 0.0.4, which has no syntax for them.
///
/// ```
/// use actorscope::stats::{Exemplar, TraceId};
///
/// let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// let exemplar = Exemplar::new(trace).at(1_700_000_000.25);
/// assert_eq!(exemplar.trace_id(), trace);
/// assert_eq!(exemplar.timestamp(), Some(1_700_000_000.25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exemplar {
    trace_id: TraceId,
    span_id: Option<SpanId>,
    timestamp: Option<f64>,
}

impl Exemplar {
    /// An exemplar of the trace `trace_id`, without span or time.
    #[must_use]
    pub fn new(trace_id: TraceId) -> Self {
        Self {
            trace_id,
            span_id: None,
            timestamp: None,
        }
    }

    /// The trace and parent span of a W3C `traceparent` header value
    /// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`), or `None` if it is not
    /// one. Later versions may append fields, which are ignored as the spec asks.
    ///
    /// ```
    /// use actorscope::stats::Exemplar;
    ///
    /// let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /// let exemplar = Exemplar::from_traceparent(header).unwrap();
    /// assert_eq!(exemplar.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert_eq!(exemplar.span_id().unwrap().to_string(), "00f067aa0ba902b7");
    /// assert!(Exemplar::from_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_none());
    /// assert!(Exemplar::from_traceparent("00-4bf92f35-00f067aa0ba902b7-01").is_none());
    /// ```
    #[must_use]
    pub fn from_traceparent(header: &str) -> Option<Self> {
        let mut fields = header.trim().split('-');
        let two_hex =
            |field: &str| field.len() == 2 && field.bytes().all(|b| b.is_ascii_hexdigit());
        let version = fields.next().filter(|field| two_hex(field))?;
        if version.eq_ignore_ascii_case("ff") {
            return None;
        }
        let trace_id = TraceId::from_hex(fields.next()?)?;
        let span_id = SpanId::from_hex(fields.next()?)?;
        fields.next().filter(|field| two_hex(field))?;
        if version == "00" && fields.next().is_some() {
            return None;
        }
        Some(Self::new(trace_id).with_span(span_id))
    }

    /// With the span that made the observation.
    #[must_use]
    pub fn with_span(mut self, span_id: SpanId) -> Self {
        self.span_id = Some(span_id);
        self
    }

    /// With the time of the observation, in seconds since the Unix epoch (left out if
    /// not finite).
    #[must_use]
    pub fn at(mut self, unix_seconds: f64) -> Self {
        self.timestamp = unix_seconds.is_finite().then_some(unix_seconds);
        self
    }

    /// With the current wall-clock time.
    #[must_use]
    pub fn now(self) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(f64::NAN, |elapsed| elapsed.as_secs_f64());
        self.at(now)
    }

    /// The trace id.
    #[must_use]
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The span id, if given.
    #[must_use]
    pub fn span_id(&self) -> Option<SpanId> {
        self.span_id
    }

    /// The time of the observation, if given.
    #[must_use]
    pub fn timestamp(&self) -> Option<f64> {
        self.timestamp
    }
}

/// An exemplar with the value it was observed with, as a histogram keeps it per bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservedExemplar {
    /// The trace.
    pub exemplar: Exemplar,
    /// The observed value.
    pub value: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_read_back_and_bad_ones_are_refused() {
        let id = TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").unwrap();
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for bad in [
            "",
            "4bf92f3577b34da6a3ce929d0e0e473",
            "zbf92f3577b34da6a3ce929d0e0e4736",
        ] {
            assert!(TraceId::from_hex(bad).is_none(), "{bad}");
        }
        assert!(SpanId::from_hex("0000000000000000").is_none());
        assert!(Exemplar::new(id).at(f64::NAN).timestamp().is_none());
    }
}
