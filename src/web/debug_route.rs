//! `/debug/*`: the JSON snapshot with filters, the redirect to `/debug/`, and 404s.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::error::WebError;
use super::filter::DebugFilter;
use super::query;
use super::scrape::{finish, Endpoints};
use crate::encode::Format;

/// `GET|HEAD /debug/metrics`: the JSON document (see [`crate::encode::Json`]), filtered.
pub(crate) async fn debug_metrics(request: HttpRequest, endpoints: Arc<Endpoints>) -> HttpResponse {
    match serve(&request, &endpoints).await {
        Ok(response) => response,
        Err(error) => error.json_response(),
    }
}

async fn serve(
    request: &HttpRequest,
    endpoints: &Arc<Endpoints>,
) -> Result<HttpResponse, WebError> {
    let filter = DebugFilter::from_query(&query::parse(request.query_string())?)?;
    let gzip = endpoints.gzip(request.headers());
    let timeout = endpoints.timeout(request.headers())?;
    let _permit = endpoints.admit()?;
    let snapshot = endpoints.snapshot(timeout).await;
    let body = if filter.is_empty() {
        Format::Json.encode(&snapshot)
    } else {
        Format::Json.encode(&filter.apply(&snapshot))
    };
    Ok(finish(
        HttpResponse::Ok(),
        Format::Json.content_type(),
        body,
        gzip,
    ))
}

/// `/debug` → `/debug/` (relative, so it works under any prefix).
pub(crate) async fn redirect_to_dashboard() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "debug/"))
        .finish()
}

/// Any other `/debug/*` path.
pub(crate) async fn not_found(request: HttpRequest) -> HttpResponse {
    let message = format!(
        "no debug page at {:?}; see /debug/ (dashboard) and /debug/metrics (JSON)",
        super::error::shown(request.path())
    );
    HttpResponse::NotFound()
        .content_type("application/json")
        .body(serde_json::json!({ "error": message }).to_string())
}

/// A method the resource does not take: `405` with `Allow`.
pub(crate) fn method_not_allowed(request: &HttpRequest, allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .content_type("text/plain; charset=utf-8")
        .body(format!(
            "method {} is not allowed on {}; use {allow}\n",
            request.method(),
            super::error::shown(request.path())
        ))
}
