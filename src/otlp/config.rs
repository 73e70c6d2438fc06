//! Where and how often to export: the builder's settings over the standard
//! `OTEL_*` variables over the defaults.

use std::time::Duration;

/// The default collector endpoint (OTLP/HTTP).
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318";
/// The default export interval (`OTEL_METRIC_EXPORT_INTERVAL`).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// The default per-request timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A setting that cannot be used, naming where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An endpoint that is not an `http://` URL with a host.
    #[error("{source_name}: {value:?} is not an http:// URL with a host")]
    Endpoint {
        /// The variable (or `endpoint` for the builder's setting).
        source_name: String,
        /// What it held.
        value: String,
    },
    /// An `https://` endpoint: this exporter is built without TLS.
    #[error("{source_name}: {value:?} needs TLS, which this exporter does not have; send to an OpenTelemetry Collector or agent over http:// (on loopback or a trusted network), which can forward over TLS")]
    Tls {
        /// The variable (or `endpoint`).
        source_name: String,
        /// What it held.
        value: String,
    },
    /// Headers or attributes not in the `key=value,key2=value2` form.
    #[error("{source_name}: {entry:?} is not key=value (the list is key=value pairs separated by commas, values percent-encoded)")]
    Pairs {
        /// The variable.
        source_name: String,
        /// The entry that did not parse.
        entry: String,
    },
    /// A compression other than `gzip` or `none`.
    #[error("{source_name}: {value:?} is not a compression this exporter has (gzip or none)")]
    Compression {
        /// The variable.
        source_name: String,
        /// What it held.
        value: String,
    },
    /// A duration that is not a whole number of milliseconds above zero.
    #[error("{source_name}: {value:?} is not a whole number of milliseconds above 0")]
    Millis {
        /// The variable.
        source_name: String,
        /// What it held.
        value: String,
    },
}

/// The settings an exporter runs with, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpConfig {
    /// The full URL exports are posted to (ending in `/v1/metrics` unless a
    /// metrics-specific endpoint said otherwise).
    pub url: String,
    /// Extra request headers (e.g. an API key).
    pub headers: Vec<(String, String)>,
    /// How long one request may take.
    pub timeout: Duration,
    /// How often to export.
    pub interval: Duration,
    /// `service.name`.
    pub service_name: String,
    /// Further resource attributes (`OTEL_RESOURCE_ATTRIBUTES` and the builder's).
    pub resource: Vec<(String, String)>,
    /// Whether bodies are gzipped.
    pub gzip: bool,
}

/// What the builder set; `None` falls back to the environment, then the default.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) endpoint: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) interval: Option<Duration>,
    pub(crate) service_name: Option<String>,
    pub(crate) resource: Vec<(String, String)>,
    pub(crate) gzip: Option<bool>,
}

fn check_url(source_name: &str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("https://") {
        return Err(ConfigError::Tls {
            source_name: source_name.to_owned(),
            value: url.to_owned(),
        });
    }
    let rest = url.strip_prefix("http://");
    let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(()),
        _ => Err(ConfigError::Endpoint {
            source_name: source_name.to_owned(),
            value: url.to_owned(),
        }),
    }
}

/// `key=value,key2=value2`, values (and keys) percent-decoded, blanks trimmed.
fn pairs(source_name: &str, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part.trim())
            .decode_utf8()
            .map(|text| text.into_owned())
    };
    text.split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let bad = || ConfigError::Pairs {
                source_name: source_name.to_owned(),
                entry: entry.to_owned(),
            };
            let (key, value) = entry.split_once('=').ok_or_else(bad)?;
            let key = decode(key).map_err(|_| bad())?;
            if key.is_empty() {
                return Err(bad());
            }
            Ok((key, decode(value).map_err(|_| bad())?))
        })
        .collect()
}

fn millis(source_name: &str, text: &str) -> Result<Duration, ConfigError> {
    match text.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::Millis {
            source_name: source_name.to_owned(),
            value: text.to_owned(),
        }),
    }
}

/// `unknown_service:<executable name>`, as the resource conventions say.
fn default_service_name() -> String {
    let exe = std::env::current_exe().ok();
    let name = exe
        .as_deref()
        .and_then(std::path::Path::file_name)
        .map(|name| name.to_string_lossy().into_owned());
    match name {
        Some(name) => format!("unknown_service:{name}"),
        None => "unknown_service".to_owned(),
    }
}

/// Whether to gzip, from the compression variables (metrics-specific first).
fn compression(var: &impl Fn(&str) -> Option<String>) -> Result<bool, ConfigError> {
    let names = [
        "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
    ];
    let Some((name, value)) = names.iter().find_map(|name| Some((*name, var(name)?))) else {
        return Ok(false);
    };
    match value.trim() {
        "gzip" => Ok(true),
        "none" => Ok(false),
        _ => Err(ConfigError::Compression {
            source_name: name.to_owned(),
            value,
        }),
    }
}

impl OtlpConfig {
    /// Resolves the builder's `overrides` over the variables `env` gives (the process
    /// environment in use; a map in tests), over the defaults.
    ///
    /// Precedence, per setting: the builder; then the metrics-specific variable
    /// (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, used as the full URL, and `_HEADERS`,
    /// `_TIMEOUT`); then the generic one (`OTEL_EXPORTER_OTLP_ENDPOINT`, to which
    /// `/v1/metrics` is appended); then the default. `service.name` comes from
    /// `OTEL_SERVICE_NAME`, else `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service:<executable>`.
    /// Compression: `OTEL_EXPORTER_OTLP_METRICS_COMPRESSION`, then
    /// `OTEL_EXPORTER_OTLP_COMPRESSION` (`gzip`, or `none`: the default).
    pub(crate) fn resolve(
        overrides: &Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let url = if let Some(endpoint) = &overrides.endpoint {
            check_url("endpoint", endpoint)?;
            endpoint.clone()
        } else if let Some(url) = var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") {
            check_url("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", &url)?;
            url
        } else {
            let base = var("OTEL_EXPORTER_OTLP_ENDPOINT");
            let name = "OTEL_EXPORTER_OTLP_ENDPOINT";
            let base = base.unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
            check_url(name, &base)?;
            format!("{}/v1/metrics", base.trim_end_matches('/'))
        };
        let mut headers = Vec::new();
        for name in [
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        ] {
            if let Some(text) = var(name) {
                for (key, value) in pairs(name, &text)? {
                    headers.retain(|(k, _): &(String, String)| !k.eq_ignore_ascii_case(&key));
                    headers.push((key, value));
                }
            }
        }
        for (key, value) in &overrides.headers {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            headers.push((key.clone(), value.clone()));
        }
        let timeout = match overrides.timeout {
            Some(timeout) => timeout,
            None => match (
                var("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT"),
                var("OTEL_EXPORTER_OTLP_TIMEOUT"),
            ) {
                (Some(text), _) => millis("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", &text)?,
                (None, Some(text)) => millis("OTEL_EXPORTER_OTLP_TIMEOUT", &text)?,
                (None, None) => DEFAULT_TIMEOUT,
            },
        };
        let interval = match overrides.interval {
            Some(interval) => interval,
            None => match var("OTEL_METRIC_EXPORT_INTERVAL") {
                Some(text) => millis("OTEL_METRIC_EXPORT_INTERVAL", &text)?,
                None => DEFAULT_INTERVAL,
            },
        };
        let gzip = match overrides.gzip {
            Some(gzip) => gzip,
            None => compression(&var)?,
        };
        let mut resource = match var("OTEL_RESOURCE_ATTRIBUTES") {
            Some(text) => pairs("OTEL_RESOURCE_ATTRIBUTES", &text)?,
            None => Vec::new(),
        };
        for (key, value) in &overrides.resource {
            resource.retain(|(k, _)| k != key);
            resource.push((key.clone(), value.clone()));
        }
        let from_attributes = resource
            .iter()
            .find(|(key, _)| key == "service.name")
            .map(|(_, value)| value.clone());
        let service_name = overrides
            .service_name
            .clone()
            .or_else(|| var("OTEL_SERVICE_NAME"))
            .or(from_attributes)
            .unwrap_or_else(default_service_name);
        resource.retain(|(key, _)| key != "service.name");
        Ok(Self {
            url,
            headers,
            timeout,
            interval,
            service_name,
            resource,
            gzip,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn defaults_then_generic_then_specific_then_the_builder() {
        let none = Overrides::default();
        let config = OtlpConfig::resolve(&none, env(&[])).expect("defaults");
        assert_eq!(config.url, "http://localhost:4318/v1/metrics");
        assert_eq!(
            (config.interval, config.timeout),
            (DEFAULT_INTERVAL, DEFAULT_TIMEOUT)
        );
        assert!(
            config.service_name.starts_with("unknown_service"),
            "{}",
            config.service_name
        );

        let generic = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b, tenant=t1"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-attributes,deployment.environment=prod",
            ),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
        ];
        let config = OtlpConfig::resolve(&none, env(&generic)).expect("generic");
        assert_eq!(config.url, "http://collector:4318/v1/metrics");
        assert_eq!(
            config.headers,
            [
                ("api-key".into(), "a b".into()),
                ("tenant".into(), "t1".into())
            ]
        );
        assert_eq!(config.timeout, Duration::from_millis(2500));
        assert_eq!(config.interval, Duration::from_secs(15));
        assert_eq!(config.service_name, "from-attributes");
        assert_eq!(
            config.resource,
            [("deployment.environment".into(), "prod".into())]
        );
        assert!(config.gzip);

        let mut specific = generic.to_vec();
        specific.push((
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "http://metrics.example/otlp",
        ));
        specific.push(("OTEL_SERVICE_NAME", "kv"));
        let config = OtlpConfig::resolve(&none, env(&specific)).expect("specific");
        assert_eq!(config.url, "http://metrics.example/otlp", "used as given");
        assert_eq!(config.service_name, "kv");

        let builder = Overrides {
            endpoint: Some("http://127.0.0.1:9/v1/metrics".into()),
            interval: Some(Duration::from_secs(1)),
            ..Overrides::default()
        };
        let config = OtlpConfig::resolve(&builder, env(&specific)).expect("builder");
        assert_eq!(config.url, "http://127.0.0.1:9/v1/metrics");
        assert_eq!(config.interval, Duration::from_secs(1));
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let none = Overrides::default();
        let cases = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "no-equals-sign"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            ("OTEL_RESOURCE_ATTRIBUTES", "=value"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318"),
        ];
        for (name, value) in cases {
            let error = OtlpConfig::resolve(&none, env(&[(name, value)]))
                .expect_err(&format!("{name}={value} is refused"));
            let message = error.to_string();
            assert!(message.starts_with(name), "{message}");
            assert!(
                message.contains(&format!("{value:?}").replace('"', "")) || message.contains(value),
                "{message}"
            );
        }
    }
}
