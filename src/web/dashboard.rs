//! `GET /debug/`: the dashboard page.

use actix_web::http::header;
use actix_web::HttpResponse;

/// The page; it names only fixed routes, so nothing in it comes from a request.
const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ActorScope</title></head>
<body><h1>ActorScope</h1>
<ul><li><a href="metrics">metrics</a> (JSON; filters: ?name=, ?worker=, ?server=, ?label=key:value)</li>
<li><a href="../metrics">/metrics</a> (Prometheus text)</li></ul>
</body></html>
"#;

/// Serves the page.
pub(crate) async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'self'"))
        .body(PAGE)
}
