//! The per-request cost of request-metrics middleware, measured in process: an actix-web
//! `App` called through `actix_web::test::call_service`, with no middleware, with
//! ActorScope's `RequestMetrics` and with actix-web-prom's, in the same run.
//!
//! `cargo bench --bench middleware`

use std::time::{Duration, Instant};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::{test, web, App};
use actix_web_prom::PrometheusMetricsBuilder;
use actorscope::registry::MetricsRegistry;
use actorscope::RequestMetrics;
use criterion::{criterion_group, criterion_main, Criterion};

async fn hello() -> &'static str {
    "hello, world"
}

fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(hello))
        .route("/items/{id}", web::get().to(hello))
        .route("/users/{id}/orders", web::get().to(hello));
}

/// Times `iterations` calls of `app` with GET `/items/7`.
async fn time_calls<S, B>(app: &S, iterations: u64) -> Duration
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let started = Instant::now();
    for _ in 0..iterations {
        let request = test::TestRequest::get().uri("/items/7").to_request();
        let response = test::call_service(app, request).await;
        std::hint::black_box(response.status());
    }
    started.elapsed()
}

fn middleware(c: &mut Criterion) {
    let system = actix_web::rt::System::new();
    let mut group = c.benchmark_group("middleware_per_request");
    group.bench_function("no middleware", |b| {
        let app = system.block_on(test::init_service(App::new().configure(routes)));
        b.iter_custom(|iterations| system.block_on(time_calls(&app, iterations)));
    });
    group.bench_function("ActorScope RequestMetrics", |b| {
        let metrics = RequestMetrics::builder()
            .register(&MetricsRegistry::new())
            .expect("register");
        let app = system.block_on(test::init_service(
            App::new().wrap(metrics).configure(routes),
        ));
        b.iter_custom(|iterations| system.block_on(time_calls(&app, iterations)));
    });
    group.bench_function("actix-web-prom 0.10", |b| {
        let prometheus = PrometheusMetricsBuilder::new("bench")
            .endpoint("/prom-metrics")
            .build()
            .expect("actix-web-prom builds");
        let app = system.block_on(test::init_service(
            App::new().wrap(prometheus).configure(routes),
        ));
        b.iter_custom(|iterations| system.block_on(time_calls(&app, iterations)));
    });
    group.finish();
}

criterion_group!(benches, middleware);
criterion_main!(benches);
