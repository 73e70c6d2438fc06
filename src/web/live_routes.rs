//! `GET /debug/stream` (Server-Sent Events) and `GET /debug/history`.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::error::{shown, WebError};
use super::filter::DebugFilter;
use super::history::Range;
use super::query;
use super::scrape::{finish, now_ms, Endpoints};
use super::stream::{retry, Refused};

/// Subscribes to the live stream (see [`super::stream`]). It takes no parameters; a
/// `Last-Event-ID` is welcome but every subscription starts from a full snapshot.
pub(crate) async fn stream(request: HttpRequest, endpoints: Arc<Endpoints>) -> HttpResponse {
    let params = match query::parse(request.query_string()) {
        Ok(params) => params,
        Err(error) => return error.json_response(),
    };
    if let Some((name, _)) = params.first() {
        let error = WebError::UnknownParameter {
            parameter: shown(name),
            known: "nothing (the stream sends everything; the dashboard filters)",
        };
        return error.json_response();
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Tells actix-web's `Compress` (and proxies) to leave the stream alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"));
    match endpoints.broadcaster.subscribe() {
        Ok(events) => response.streaming(events),
        // Any status but 200 would make the browser give up for good: answer 200, ask it
        // to come back later, and end.
        Err(refused) => {
            let reason = match refused {
                Refused::Full(limit) => {
                    format!(": too many subscribers (limit {limit}); retrying in 10 s\n\n")
                }
                Refused::Closed => ": the server is shutting down\n\n".to_owned(),
            };
            let mut body = retry(10_000).to_vec();
            body.extend_from_slice(reason.as_bytes());
            response.body(body)
        }
    }
}

/// `GET /debug/history?range=1m|5m|1h|10h` plus the `/debug/metrics` filters.
pub(crate) async fn history(request: HttpRequest, endpoints: Arc<Endpoints>) -> HttpResponse {
    match serve_history(&request, &endpoints) {
        Ok(response) => response,
        Err(error) => error.json_response(),
    }
}

fn serve_history(request: &HttpRequest, endpoints: &Endpoints) -> Result<HttpResponse, WebError> {
    let mut params = query::parse(request.query_string())?;
    let mut range = Range::FiveMinutes;
    if let Some(at) = params.iter().position(|(name, _)| name == "range") {
        let (_, value) = params.remove(at);
        range = Range::parse(&value).ok_or_else(|| WebError::InvalidParameter {
            parameter: "range",
            value: shown(&value),
            reason: Range::NAMES,
        })?;
    }
    let filter = DebugFilter::from_query(&params)?;
    let gzip = endpoints.gzip(request.headers());
    let body = endpoints.history().to_json(range, &filter, now_ms());
    Ok(finish(HttpResponse::Ok(), "application/json", body, gzip))
}
