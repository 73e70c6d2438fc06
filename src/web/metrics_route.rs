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
use super::query;
use super::scrape::{finish, Endpoints};
use crate::encode::Negotiated;

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
    let format = negotiated.format();
    let gzip = endpoints.gzip(headers);
    let timeout = endpoints
        .timeout(headers)
        .unwrap_or_else(|_| endpoints.configured_timeout());
    let _permit = endpoints.admit()?;
    let snapshot = endpoints.snapshot(timeout).await;
    let body = match names.apply(&snapshot) {
        Some(filtered) => format.encode(&filtered),
        None => format.encode(&snapshot),
    };
    Ok(finish(
        HttpResponse::Ok(),
        negotiated.content_type(),
        body,
        gzip,
    ))
}
