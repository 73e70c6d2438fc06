//! `GET|HEAD /metrics`: Prometheus text, or OpenMetrics when `Accept` asks for it; the
//! `Content-Type` names the version and escaping scheme chosen (see `Negotiated`).
//!
//! No header can make a scrape fail (a scraper marks a target down on a 4xx): an
//! `Accept` or `Accept-Encoding` that cannot be honoured gets Prometheus text 0.0.4
//! without compression, and a bad `X-Prometheus-Scrape-Timeout-Seconds` leaves the
//! configured deadline. Only a bad query string is refused, with a message naming it.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::error::WebError;
use super::filter::NameFilter;
use super::options::media_type;
use super::query;
use super::scrape::{finish, Endpoints};
use crate::encode::{named_q, Encoder, Negotiated};

/// Answers one scrape; every refusal is `text/plain` naming what was wrong.
pub(crate) async fn metrics(request: HttpRequest, endpoints: Arc<Endpoints>) -> HttpResponse {
    match serve(&request, &endpoints).await {
        Ok(response) => response,
        Err(error) => error.text_response(),
    }
}

async fn serve(
    request: &HttpRequest,
    endpoints: &Arc<Endpoints>,
) -> Result<HttpResponse, WebError> {
    let headers = request.headers();
    let names = NameFilter::from_query(&query::parse(request.query_string())?)?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let negotiated = Negotiated::from_accept(accept);
    let custom = accept.and_then(|accept| chosen_encoder(endpoints, accept, negotiated.q()));
    let gzip = endpoints.gzip(headers);
    let timeout = endpoints
        .timeout(headers)
        .unwrap_or_else(|_| endpoints.configured_timeout());
    let _permit = endpoints.admit()?;
    let snapshot = endpoints.snapshot(timeout).await;
    let filtered = names.apply(&snapshot);
    let snapshot = filtered.as_ref().unwrap_or(&snapshot);
    let mut body = Vec::with_capacity(64 * snapshot.sample_count() + 256);
    let content_type = match custom {
        Some(encoder) => {
            encoder.encode(snapshot, &mut body);
            encoder.content_type().to_owned()
        }
        None => {
            negotiated.format().encoder().encode(snapshot, &mut body);
            negotiated.content_type()
        }
    };
    Ok(finish(HttpResponse::Ok(), content_type, body, gzip))
}

/// The mounted encoder `accept` names with the highest `q`, if that is above `built_in_q`
/// (a tie goes to the built-in format).
fn chosen_encoder<'e>(
    endpoints: &'e Endpoints,
    accept: &str,
    built_in_q: f32,
) -> Option<&'e dyn Encoder> {
    let mut best: Option<(&dyn Encoder, f32)> = None;
    for encoder in &endpoints.options.encoders {
        let q = named_q(accept, media_type(encoder.content_type()));
        if q > built_in_q && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((encoder.as_ref(), q));
        }
    }
    best.map(|(encoder, _)| encoder)
}
