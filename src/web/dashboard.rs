//! The dashboard's files, embedded in the binary at build time (`include_str!`, so a
//! build never reads them from disk at run time), served under `/debug/` with their
//! content type, an `ETag`, and a Content-Security-Policy that allows only this origin's
//! scripts, styles and connections. The page is cross-origin isolated (`COOP:
//! same-origin`, `COEP: require-corp`; it loads nothing from elsewhere): browsers then
//! give it a clock precise to microseconds instead of 0.1 ms, which its frame and script
//! timings are read with. Browsers honour this on secure origins only (`https`, and
//! `http` on localhost); elsewhere the headers are ignored and nothing changes.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use once_cell::sync::Lazy;

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    /// Its path under `/debug/` (`""` is the page itself).
    pub(crate) path: &'static str,
    content_type: &'static str,
    body: &'static str,
    etag: String,
}

macro_rules! assets {
    ($($path:literal => $file:literal, $kind:literal;)*) => {
        [$(($path, $kind, include_str!(concat!("../../dashboard/", $file)))),*]
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file the page loads; `tests/dashboard_assets.rs` checks none is missing.
const FILES: [(&str, &str, &str); 33] = assets! {
    "" => "index.html", "html";
    "style.css" => "style.css", "css";
    "js/app.js" => "js/app.js", "js";
    "js/capacity.js" => "js/capacity.js", "js";
    "js/connection.js" => "js/connection.js", "js";
    "js/derive.js" => "js/derive.js", "js";
    "js/dom.js" => "js/dom.js", "js";
    "js/exchange.js" => "js/exchange.js", "js";
    "js/explain.js" => "js/explain.js", "js";
    "js/fold.js" => "js/fold.js", "js";
    "js/format.js" => "js/format.js", "js";
    "js/frames.js" => "js/frames.js", "js";
    "js/keyboard.js" => "js/keyboard.js", "js";
    "js/leaks.js" => "js/leaks.js", "js";
    "js/profiles.js" => "js/profiles.js", "js";
    "js/rings.js" => "js/rings.js", "js";
    "js/schedule.js" => "js/schedule.js", "js";
    "js/sparkline.js" => "js/sparkline.js", "js";
    "js/store.js" => "js/store.js", "js";
    "js/url.js" => "js/url.js", "js";
    "js/panels/actors.js" => "js/panels/actors.js", "js";
    "js/panels/common.js" => "js/panels/common.js", "js";
    "js/panels/endpoints.js" => "js/panels/endpoints.js", "js";
    "js/panels/errors.js" => "js/panels/errors.js", "js";
    "js/panels/families.js" => "js/panels/families.js", "js";
    "js/panels/histogram.js" => "js/panels/histogram.js", "js";
    "js/panels/leaks.js" => "js/panels/leaks.js", "js";
    "js/panels/memory.js" => "js/panels/memory.js", "js";
    "js/panels/overview.js" => "js/panels/overview.js", "js";
    "js/panels/planner.js" => "js/panels/planner.js", "js";
    "js/panels/pools.js" => "js/panels/pools.js", "js";
    "js/panels/slots.js" => "js/panels/slots.js", "js";
    "js/panels/workers.js" => "js/panels/workers.js", "js";
};

/// FNV-1a: a stable fingerprint of a file's bytes (not a defence, just a cache key).
fn fingerprint(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

static ASSETS: Lazy<Vec<Asset>> = Lazy::new(|| {
    FILES
        .iter()
        .map(|(path, kind, body)| Asset {
            path,
            content_type: match *kind {
                "html" => HTML,
                "css" => CSS,
                _ => JS,
            },
            body,
            etag: fingerprint(body),
        })
        .collect()
});

/// Every embedded file.
pub(crate) fn assets() -> &'static [Asset] {
    &ASSETS
}

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// Serves `asset`, or `304 Not Modified` when the browser has it already.
pub(crate) fn serve(request: &HttpRequest, asset: &Asset) -> HttpResponse {
    let cached = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == asset.etag || tag.trim() == "*")
        });
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if asset.content_type == HTML {
        response
            .insert_header((header::CONTENT_SECURITY_POLICY, POLICY))
            .insert_header((header::CROSS_ORIGIN_OPENER_POLICY, "same-origin"))
            .insert_header((header::CROSS_ORIGIN_EMBEDDER_POLICY, "require-corp"));
    }
    if cached {
        return response.finish();
    }
    response.content_type(asset.content_type).body(asset.body)
}

/// Mounts every file (GET and HEAD) into the `/debug` scope.
pub(crate) fn mount(scope: actix_web::Scope) -> actix_web::Scope {
    assets().iter().fold(scope, |scope, asset| {
        let handler = move |request: HttpRequest| async move { serve(&request, asset) };
        let not_allowed = |request: HttpRequest| async move {
            super::debug_route::method_not_allowed(&request, "GET, HEAD")
        };
        scope.service(
            web::resource(format!("/{}", asset.path))
                .route(web::get().to(handler))
                .route(web::head().to(handler))
                .default_service(web::to(not_allowed)),
        )
    })
}
