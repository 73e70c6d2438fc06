//! Each request path's route pattern, remembered per worker and `App`, so that a path
//! seen before costs one hash lookup instead of `match_pattern()`, which walks the
//! resource map and builds a new `String` per request.
//!
//! The pattern is a function of the path alone (`match_pattern` ignores guards and
//! methods), and each `App` on each worker has its own cache, so an entry never goes
//! stale. Bounded: the first [`CAPACITY`] distinct paths of up to [`LONGEST_PATH`]
//! bytes are kept and later ones are looked up every time, so a path with an id in it
//! (`/items/7`, `/items/8`, ...) or a scan of random URLs costs memory only up to the
//! bound (about 300 KB at most) and is never wrong.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use actix_web::HttpRequest;

use crate::model::LabelHashSeed;

/// Paths one cache keeps.
const CAPACITY: usize = 1_024;
/// Longer paths are not kept.
const LONGEST_PATH: usize = 256;

/// The route pattern of each path seen (`None`: it matched no resource).
#[derive(Debug)]
pub(crate) struct RouteCache {
    patterns: RefCell<HashMap<Box<str>, Option<Rc<str>>, LabelHashSeed>>,
}

impl RouteCache {
    pub(crate) fn new() -> Self {
        Self {
            patterns: RefCell::new(HashMap::with_hasher(LabelHashSeed::new())),
        }
    }

    /// The pattern of the resource `request` matched, as `HttpRequest::match_pattern`.
    pub(crate) fn pattern(&self, request: &HttpRequest) -> Option<Rc<str>> {
        let path = request.path();
        if let Some(known) = self.patterns.borrow().get(path) {
            return known.clone();
        }
        let pattern: Option<Rc<str>> = request.match_pattern().map(Rc::from);
        let mut patterns = self.patterns.borrow_mut();
        if patterns.len() < CAPACITY && path.len() <= LONGEST_PATH {
            patterns.insert(path.into(), pattern.clone());
        }
        pattern
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.patterns.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use actix_web::dev::Service;
    use actix_web::{test, web, App, HttpRequest, HttpResponse};

    use super::*;

    /// Answers with the cached pattern of its own request, and the cache's size.
    async fn echo(request: HttpRequest, cache: web::Data<RouteCacheHolder>) -> HttpResponse {
        let pattern = cache.0.pattern(&request);
        let uncached = request.match_pattern();
        assert_eq!(pattern.as_deref(), uncached.as_deref(), "as match_pattern");
        HttpResponse::Ok().body(format!("{pattern:?} {}", cache.0.len()))
    }

    struct RouteCacheHolder(RouteCache);

    #[actix_web::test]
    async fn patterns_match_match_pattern_and_the_cache_is_bounded() {
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(RouteCacheHolder(RouteCache::new())))
                .service(web::scope("/api").route("/items/{id}", web::get().to(echo)))
                .route("/", web::get().to(echo))
                .default_service(web::to(echo)),
        )
        .await;
        let body = |uri: String| {
            let app = &app;
            async move {
                let response = app
                    .call(test::TestRequest::get().uri(&uri).to_request())
                    .await
                    .expect("served");
                String::from_utf8(test::read_body(response).await.to_vec()).expect("UTF-8")
            }
        };
        assert_eq!(
            body("/api/items/7".into()).await,
            r#"Some("/api/items/{id}") 1"#
        );
        assert_eq!(
            body("/api/items/7".into()).await,
            r#"Some("/api/items/{id}") 1"#
        );
        assert_eq!(body("/".into()).await, r#"Some("/") 2"#);
        assert_eq!(body("/nowhere".into()).await, "None 3");
        for n in 0..CAPACITY + 50 {
            body(format!("/api/items/{n}")).await;
        }
        let long = format!("/{}", "x".repeat(LONGEST_PATH));
        assert_eq!(body(long).await, format!("None {CAPACITY}"), "bounded");
    }
}
