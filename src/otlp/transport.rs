//! One OTLP/HTTP request, and what its answer means for a retry.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use prost::Message;

use super::config::OtlpConfig;

/// What the receiver said about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 2xx; with the points it refused in a partial success, if any.
    Taken { rejected_points: i64 },
    /// 429, 502, 503 or 504, or no answer (refused, reset, timed out): try again after
    /// the server's `Retry-After`, if it gave one.
    Retry {
        retry_after: Option<Duration>,
        why: String,
    },
    /// Anything else: sending it again would not help.
    Refused { why: String },
}

/// The statuses the OTLP specification says to retry.
const RETRYABLE: [u16; 4] = [429, 502, 503, 504];
/// The most of an answer's body that is read (a partial-success message is small).
const BODY_LIMIT: usize = 64 * 1024;

/// `Retry-After` as seconds or an HTTP date, from now.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// Posts `body` (a protobuf `ExportMetricsServiceRequest`, gzipped if configured).
pub(crate) async fn post(client: &awc::Client, config: &OtlpConfig, body: Vec<u8>) -> Answer {
    let mut request = client
        .post(&config.url)
        .insert_header(("content-type", "application/x-protobuf"));
    if config.gzip {
        request = request.insert_header(("content-encoding", "gzip"));
    }
    for (name, value) in &config.headers {
        request = request.insert_header((name.as_str(), value.as_str()));
    }
    let mut response = match request.send_body(body).await {
        Ok(response) => response,
        Err(error) => {
            return Answer::Retry {
                retry_after: None,
                why: format!("no answer from {}: {error}", config.url),
            }
        }
    };
    let status = response.status().as_u16();
    let after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(retry_after);
    let body = response.body().limit(BODY_LIMIT).await.unwrap_or_default();
    if (200..300).contains(&status) {
        let rejected_points = ExportMetricsServiceResponse::decode(body.as_ref())
            .ok()
            .and_then(|answer| answer.partial_success)
            .map_or(0, |partial| partial.rejected_data_points);
        return Answer::Taken { rejected_points };
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    let why = format!("{} answered {status}: {text}", config.url);
    if RETRYABLE.contains(&status) {
        Answer::Retry {
            retry_after: after,
            why,
        }
    } else {
        Answer::Refused { why }
    }
}

/// The wait before retry `attempt` (1, 2, ...): 1 s doubling to at most 32 s, with full
/// jitter of ±50% from `random` (a number in 0..1).
pub(crate) fn backoff(attempt: u32, random: f64) -> Duration {
    let base = Duration::from_secs(1 << attempt.saturating_sub(1).min(5));
    base.mul_f64(0.5 + random)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        let date = httpdate::fmt_http_date(later);
        let wait = retry_after(&date).expect("an HTTP date");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_growing() {
        assert_eq!(backoff(1, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(3, 0.5), Duration::from_secs(4));
        assert_eq!(backoff(30, 0.5), Duration::from_secs(32));
        assert_eq!(backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(3));
    }
}
