//! Choosing a format from an `Accept` header, and an encoding from `Accept-Encoding`.
//!
//! Both headers are lists of `value;param=x;q=0.5` entries. An entry's `q` (default 1)
//! says how much the client wants it; `q=0` means "not this". The most specific entry
//! that matches a candidate decides its `q` (`text/plain` beats `text/*` beats `*/*`); in
//! `Accept`, among equally specific entries (two versions of one format, say) the one
//! with the highest `q`, whose version and escaping then apply.
//!
//! Negotiation never fails, because a scraper whose request is refused marks the target
//! down: as client_golang's `promhttp` does, an entry that cannot be parsed (a `q` that
//! is not a number from 0 to 1) is ignored, and a header that accepts none of the
//! formats gets Prometheus text 0.0.4 without compression.
//!
//! Prometheus 3 asks for versions (`text/plain;version=1.0.0`) and name escaping schemes
//! (`escaping=allow-utf-8`); see [`Negotiated`].

use std::fmt;

use super::{Format, PROTOBUF_MEDIA};

/// One entry of a preference list: its lower-cased value, parameters and `q`.
struct Entry<'a> {
    value: String,
    params: Vec<(String, &'a str)>,
    q: f32,
}

/// Parses `header`, leaving out empty entries and entries whose `q` is not a number
/// from 0 to 1.
fn entries(header: &str) -> Vec<Entry<'_>> {
    header.split(',').filter_map(entry).collect()
}

fn entry(raw: &str) -> Option<Entry<'_>> {
    let mut parts = raw.split(';').map(str::trim);
    let value = parts.next().unwrap_or_default().to_ascii_lowercase();
    if value.is_empty() {
        return None;
    }
    let mut entry = Entry {
        value,
        params: Vec::new(),
        q: 1.0,
    };
    for param in parts.filter(|p| !p.is_empty()) {
        let (key, val) = param.split_once('=').unwrap_or((param, ""));
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim().trim_matches('"');
        if key == "q" {
            entry.q = val
                .parse::<f32>()
                .ok()
                .filter(|q| (0.0..=1.0).contains(q))?;
        } else {
            entry.params.push((key, val));
        }
    }
    Some(entry)
}

/// The entry `matches` ranks most specific, the highest `q` among those; with its `q` and
/// specificity.
fn best_entry<'l, 'a>(
    list: &'l [Entry<'a>],
    matches: impl Fn(&Entry<'_>) -> Option<u8>,
) -> Option<(&'l Entry<'a>, f32, u8)> {
    let mut best: Option<(&Entry<'_>, f32, u8)> = None;
    for entry in list {
        if let Some(specificity) = matches(entry) {
            if best.is_none_or(|(_, q, s)| (specificity, entry.q) > (s, q)) {
                best = Some((entry, entry.q, specificity));
            }
        }
    }
    best
}

/// The value of parameter `key` of `entry`.
fn param<'a>(entry: &Entry<'a>, key: &str) -> Option<&'a str> {
    entry
        .params
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| *value)
}

/// How a scraper wants names outside the legacy character set written: the `escaping=`
/// parameter of an `Accept` entry (Prometheus 3), `underscores` when it has none.
///
/// ActorScope's model accepts only legacy names (`[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics,
/// `[a-zA-Z_][a-zA-Z0-9_]*` for labels), which every scheme writes unchanged: the scheme
/// is honoured by writing the same text, and named in the answer's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Escaping {
    /// `allow-utf-8`: names are written as they are, quoted when they need it.
    AllowUtf8,
    /// `underscores`: each character outside the legacy set becomes `_` (the default).
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, others `__` + code point.
    Dots,
    /// `values`: a name that needs escaping gets `U__` and each such character its code.
    Values,
}

impl Escaping {
    /// The name Prometheus uses for the scheme.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AllowUtf8 => "allow-utf-8",
            Self::Underscores => "underscores",
            Self::Dots => "dots",
            Self::Values => "values",
        }
    }

    /// The scheme of an `Accept` entry; an unknown name is the default.
    fn of(entry: &Entry<'_>) -> Self {
        match param(entry, "escaping")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("allow-utf-8") => Self::AllowUtf8,
            Some("dots") => Self::Dots,
            Some("values") => Self::Values,
            _ => Self::Underscores,
        }
    }
}

impl fmt::Display for Escaping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a scrape's `Accept` header chose: the text format, the version of it to name,
/// and the escaping scheme; [`Negotiated::content_type`] is the answer's `Content-Type`.
///
/// ```
/// use actorscope::encode::{Escaping, Format, Negotiated};
///
/// // Prometheus 3's default header.
/// let prometheus_3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
///     application/openmetrics-text;version=0.0.1;q=0.5,\
///     text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
///     text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
/// let chosen = Negotiated::from_accept(Some(prometheus_3));
/// assert_eq!(chosen.format(), Format::OpenMetrics);
/// assert_eq!(chosen.escaping(), Escaping::AllowUtf8);
/// assert_eq!(
///     chosen.content_type(),
///     "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
/// );
///
/// let text_1 = Negotiated::from_accept(Some("text/plain;version=1.0.0"));
/// assert_eq!(text_1.content_type(), "text/plain; version=1.0.0; charset=utf-8; escaping=underscores");
/// let none = Negotiated::from_accept(None);
/// assert_eq!(none.content_type(), "text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Negotiated {
    format: Format,
    version: &'static str,
    escaping: Escaping,
    /// The `q` of the entry that chose it (0 for the fallback).
    q: f32,
}

impl Negotiated {
    /// The format, version and escaping an `Accept` header asks for. Never a refusal:
    /// entries that cannot be parsed are ignored, and a header that asks for nothing we
    /// write gets Prometheus text 0.0.4.
    #[must_use]
    pub fn from_accept(accept: Option<&str>) -> Self {
        let fallback = Self {
            format: Format::Prometheus,
            version: "0.0.4",
            escaping: Escaping::Underscores,
            q: 0.0,
        };
        let Some(accept) = accept else {
            return fallback;
        };
        let list = entries(accept);
        let text = best_entry(&list, |entry| media_match(entry, "text/plain"));
        let open = best_entry(&list, |entry| {
            let specificity = media_match(entry, "application/openmetrics-text")?;
            (specificity < 3 || openmetrics_version_ok(entry)).then_some(specificity)
        });
        let (text_q, text_specificity) = text.map_or((0.0, 0), |(_, q, s)| (q, s));
        if let Some((entry, proto_q, _)) = best_entry(&list, protobuf_match) {
            let named_q = |best: Option<(&Entry<'_>, f32, u8)>| {
                best.filter(|(_, _, s)| *s == 3).map_or(0.0, |(_, q, _)| q)
            };
            if proto_q > 0.0 && proto_q >= named_q(open).max(named_q(text)) {
                return Self {
                    format: Format::Protobuf,
                    version: "",
                    escaping: Escaping::of(entry),
                    q: proto_q,
                };
            }
        }
        let text_refused = text_q == 0.0 && text_specificity > 0;
        if let Some((entry, open_q, open_specificity)) = open {
            let open_named = open_specificity == 3;
            if open_q > 0.0 && (open_named && open_q >= text_q || text_refused) {
                let version = match param(entry, "version") {
                    Some("0.0.1") if open_named => "0.0.1",
                    _ => "1.0.0",
                };
                return Self {
                    format: Format::OpenMetrics,
                    version,
                    escaping: Escaping::of(entry),
                    q: open_q,
                };
            }
        }
        match text {
            Some((entry, q, 3)) if q > 0.0 => Self {
                version: if param(entry, "version") == Some("1.0.0") {
                    "1.0.0"
                } else {
                    "0.0.4"
                },
                escaping: Escaping::of(entry),
                q,
                ..fallback
            },
            _ => fallback,
        }
    }

    /// How much the client wanted what was chosen (its entry's `q`; 0 for the fallback).
    pub(crate) fn q(&self) -> f32 {
        self.q
    }

    /// The format to encode.
    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    /// The escaping scheme asked for (the same text for ActorScope's names; see
    /// [`Escaping`]).
    #[must_use]
    pub fn escaping(&self) -> Escaping {
        self.escaping
    }

    /// The answer's `Content-Type`: media type, version, charset and escaping, as
    /// client_golang writes them.
    #[must_use]
    pub fn content_type(&self) -> String {
        let media = match self.format {
            Format::OpenMetrics => "application/openmetrics-text",
            Format::Protobuf => return format!("{PROTOBUF_MEDIA}; escaping={}", self.escaping),
            Format::Prometheus | Format::Json => "text/plain",
        };
        format!(
            "{media}; version={}; charset=utf-8; escaping={}",
            self.version, self.escaping
        )
    }
}

/// The highest `q` of the entries of `accept` that name `media_type` exactly (0 when
/// none does): wildcards never choose a format a client did not name.
pub(crate) fn named_q(accept: &str, media_type: &str) -> f32 {
    entries(accept)
        .iter()
        .filter(|entry| entry.value.eq_ignore_ascii_case(media_type))
        .map(|entry| entry.q)
        .fold(0.0, f32::max)
}

/// The `q` of the most specific entry `matches` ranks above 0 (0 when none does).
/// `matches` returns the entry's specificity, or `None` if it does not apply.
fn best_q(list: &[Entry<'_>], matches: impl Fn(&Entry<'_>) -> Option<u8>) -> (f32, u8) {
    let mut best: Option<(u8, f32)> = None;
    for entry in list {
        if let Some(specificity) = matches(entry) {
            if best.is_none_or(|(s, _)| specificity > s) {
                best = Some((specificity, entry.q));
            }
        }
    }
    best.map_or((0.0, 0), |(specificity, q)| (q, specificity))
}

/// How specifically an `Accept` entry names `type/subtype` (3 exact, 2 `type/*`, 1 `*/*`).
fn media_match(entry: &Entry<'_>, media_type: &str) -> Option<u8> {
    let (kind, _) = media_type.split_once('/')?;
    match entry.value.as_str() {
        "*/*" | "*" => Some(1),
        value if value == media_type => Some(3),
        value => (value.strip_suffix("/*") == Some(kind)).then_some(2),
    }
}

/// Matches only an entry naming the protobuf format exactly, as client_golang does:
/// `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily` and
/// `encoding=delimited`.
fn protobuf_match(entry: &Entry<'_>) -> Option<u8> {
    let named = entry.value == "application/vnd.google.protobuf"
        && param(entry, "proto") == Some("io.prometheus.client.MetricFamily")
        && param(entry, "encoding")
            .map(str::to_ascii_lowercase)
            .as_deref()
            == Some("delimited");
    named.then_some(3)
}

/// Whether an exact OpenMetrics entry asks for a version we write (1.0.0; 0.0.1 is the
/// same text, and no version means any).
fn openmetrics_version_ok(entry: &Entry<'_>) -> bool {
    entry
        .params
        .iter()
        .find(|(key, _)| key == "version")
        .is_none_or(|(_, version)| matches!(*version, "1.0.0" | "0.0.1"))
}

impl Format {
    /// The text format an `Accept` header asks for: OpenMetrics when the client names
    /// `application/openmetrics-text` with a `q` above 0 and at least that of text,
    /// Prometheus text 0.0.4 otherwise. Never [`Format::Json`], and never a refusal:
    /// entries that cannot be parsed are ignored, and a header that refuses both text
    /// formats (`q=0`) still gets Prometheus text, as from client_golang.
    ///
    /// ```
    /// use actorscope::encode::Format;
    ///
    /// assert_eq!(Format::negotiate(None), Format::Prometheus);
    /// // What Prometheus 3 sends.
    /// let prometheus = "application/openmetrics-text;version=1.0.0;q=0.6,\
    ///                   text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    /// assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
    /// assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0")), Format::Prometheus);
    /// assert_eq!(Format::negotiate(Some("application/json")), Format::Prometheus);
    /// // Junk is ignored rather than refused.
    /// let junk = ";;,foo/bar;q=abc,*/*;q=,text/plain;version=9.9";
    /// assert_eq!(Format::negotiate(Some(junk)), Format::Prometheus);
    /// assert_eq!(Format::negotiate(Some("text/plain;q=0")), Format::Prometheus);
    /// ```
    #[must_use]
    pub fn negotiate(accept: Option<&str>) -> Format {
        Negotiated::from_accept(accept).format()
    }
}

/// Whether an `Accept-Encoding` header allows gzip (`gzip`, `x-gzip` or `*` with `q` > 0).
/// Entries that cannot be parsed are ignored, so junk means no compression.
///
/// ```
/// use actorscope::encode::accepts_gzip;
///
/// assert!(accepts_gzip(Some("gzip, deflate, br")));
/// assert!(!accepts_gzip(Some("gzip;q=0, *")));
/// assert!(!accepts_gzip(Some("gzip;q=lots")));
/// assert!(!accepts_gzip(None));
/// ```
#[must_use]
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let (q, _) = best_q(&entries(header), |entry| match entry.value.as_str() {
        "gzip" | "x-gzip" => Some(2),
        "*" => Some(1),
        _ => None,
    });
    q > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_choose_the_documented_format() {
        let cases: &[(&str, Option<Format>)] = &[
            ("", Some(Format::Prometheus)),
            ("*/*", Some(Format::Prometheus)),
            ("text/plain", Some(Format::Prometheus)),
            ("text/*", Some(Format::Prometheus)),
            ("application/openmetrics-text", Some(Format::OpenMetrics)),
            (
                "Application/OpenMetrics-Text; Version=1.0.0",
                Some(Format::OpenMetrics),
            ),
            (
                "application/openmetrics-text;version=0.0.1",
                Some(Format::OpenMetrics),
            ),
            (
                "application/openmetrics-text;version=2.0.0",
                Some(Format::Prometheus),
            ),
            (
                "application/openmetrics-text;version=2.0.0, */*;q=0.1",
                Some(Format::Prometheus),
            ),
            (
                "application/openmetrics-text;q=0.5,text/plain;q=0.4",
                Some(Format::OpenMetrics),
            ),
            (
                "application/openmetrics-text;q=0.4,text/plain;q=0.5",
                Some(Format::Prometheus),
            ),
            (
                "application/openmetrics-text, text/plain",
                Some(Format::OpenMetrics),
            ),
            ("application/openmetrics-text;q=0", Some(Format::Prometheus)),
            ("text/plain;q=0, */*", Some(Format::OpenMetrics)),
            (
                "text/plain;q=0, application/openmetrics-text;q=0",
                Some(Format::Prometheus),
            ),
            ("application/json", Some(Format::Prometheus)),
            ("text/plain;q=0", Some(Format::Prometheus)),
            ("text/*;q=0, application/*", Some(Format::OpenMetrics)),
            (
                "text/html, image/gif, *; q=.2, */*; q=.2",
                Some(Format::Prometheus),
            ),
        ];
        for (accept, expected) in cases {
            assert_eq!(
                Some(Format::negotiate(Some(accept))),
                *expected,
                "Accept: {accept}"
            );
        }
    }

    #[test]
    fn protobuf_is_chosen_only_when_named_exactly() {
        // Prometheus 2.42 with `--enable-feature=native-histograms`.
        let prometheus_2 = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        // Prometheus 3 with native histograms, escaping on every entry (3.3).
        let prometheus_3 = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2";
        let chosen = Negotiated::from_accept(Some(prometheus_2));
        assert_eq!(chosen.format(), Format::Protobuf);
        assert_eq!(
            chosen.content_type(),
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores"
        );
        let chosen = Negotiated::from_accept(Some(prometheus_3));
        assert_eq!(
            (chosen.format(), chosen.escaping()),
            (Format::Protobuf, Escaping::AllowUtf8)
        );
        for other in [
            "application/vnd.google.protobuf",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
            "application/vnd.google.protobuf;proto=other.Family;encoding=delimited",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.2,text/plain;q=0.3",
            "application/*",
        ] {
            assert_ne!(Format::negotiate(Some(other)), Format::Protobuf, "{other}");
        }
    }

    #[test]
    fn entries_that_cannot_be_parsed_are_ignored_not_refused() {
        let cases: &[(&str, Format)] = &[
            // The header the issue found answered with 400.
            (
                ";;,foo/bar;q=abc,*/*;q=,text/plain;version=9.9",
                Format::Prometheus,
            ),
            ("text/plain;q=abc", Format::Prometheus),
            ("text/plain;q=1.5", Format::Prometheus),
            ("*/*;q=-1", Format::Prometheus),
            ("*/*;q=NaN", Format::Prometheus),
            // A bad entry does not spoil the good ones beside it.
            (
                "text/plain;q=lots, application/openmetrics-text;q=0.5",
                Format::OpenMetrics,
            ),
            (
                "application/openmetrics-text;q=x, text/plain;q=0.1",
                Format::Prometheus,
            ),
            ("", Format::Prometheus),
            (",,,", Format::Prometheus),
        ];
        for (accept, expected) in cases {
            assert_eq!(
                Format::negotiate(Some(accept)),
                *expected,
                "Accept: {accept}"
            );
        }
    }

    #[test]
    fn accept_encoding_honours_q_zero_and_wildcards() {
        let cases: &[(&str, bool)] = &[
            ("gzip", true),
            ("GZIP", true),
            ("x-gzip", true),
            ("deflate, gzip;q=1.0, *;q=0.5", true),
            ("gzip;q=0", false),
            ("gzip;q=0, *", false),
            ("*", true),
            ("*;q=0", false),
            ("identity", false),
            ("br, deflate", false),
            ("", false),
        ];
        for (header, expected) in cases {
            assert_eq!(
                accepts_gzip(Some(header)),
                *expected,
                "Accept-Encoding: {header}"
            );
        }
        assert!(!accepts_gzip(Some("gzip;q=x")), "a bad entry is ignored");
        assert!(
            accepts_gzip(Some("gzip;q=x, *;q=0.5")),
            "the others still count"
        );
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn entry() -> impl Strategy<Value = String> {
        let media = prop_oneof![
            Just("text/plain"),
            Just("text/*"),
            Just("*/*"),
            Just("application/openmetrics-text"),
            Just("application/json"),
            Just("gzip"),
            Just("*"),
        ];
        let q = prop_oneof![
            Just(String::new()),
            (0u16..=1000).prop_map(|q| format!(";q={}", f64::from(q) / 1000.0)),
            any::<String>().prop_map(|s| format!(";q={s}"))
        ];
        (
            media,
            q,
            prop_oneof![Just(""), Just(";version=1.0.0"), Just(";version=0.0.4")],
        )
            .prop_map(|(m, q, v)| format!("{m}{v}{q}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_headers_never_panic(accept in any::<String>()) {
            let _ = Format::negotiate(Some(&accept));
            let _ = accepts_gzip(Some(&accept));
        }

        #[test]
        fn spacing_around_separators_changes_nothing(entries in prop::collection::vec(entry(), 0..5)) {
            let tight = entries.join(",");
            let loose = entries.iter().map(|e| e.replace(';', " ; ")).collect::<Vec<_>>().join(" ,  ");
            prop_assert_eq!(Format::negotiate(Some(&tight)), Format::negotiate(Some(&loose)));
            prop_assert_eq!(accepts_gzip(Some(&tight)), accepts_gzip(Some(&loose)));
        }
    }
}
