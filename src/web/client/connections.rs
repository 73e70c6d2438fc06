//! Counting the connections a client's pool opens: awc calls its TCP connector only when
//! the pool has no idle connection to reuse, so each successful connect is one
//! connection opened.

use std::rc::Rc;

use actix_tls::connect::{ConnectError, ConnectInfo, Connection, ConnectorService};
use actix_web::dev::Service;
use actix_web::rt::net::TcpStream;
use awc::http::Uri;
use futures::future::LocalBoxFuture;

use super::stats::HttpClientStats;
use super::ClientMetrics;
use crate::web::local::LocalStats;

/// awc's default TCP connector (DNS through the system resolver, then TCP), counting
/// each connection it opens in `http_client_connections_opened_total`. Made by
/// [`ClientMetrics::connector`].
#[derive(Clone)]
pub struct CountingConnector {
    inner: ConnectorService,
    stats: Rc<LocalStats<HttpClientStats>>,
}

impl std::fmt::Debug for CountingConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountingConnector").finish_non_exhaustive()
    }
}

// Always ready, like the connector it wraps (actix-tls's `ConnectorService`).
impl Service<ConnectInfo<Uri>> for CountingConnector {
    type Response = Connection<Uri, TcpStream>;
    type Error = ConnectError;
    /// Boxed: a connect is rare next to the requests it serves.
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, request: ConnectInfo<Uri>) -> Self::Future {
        let connecting = self.inner.call(request);
        let stats = Rc::clone(&self.stats);
        Box::pin(async move {
            let connected = connecting.await;
            if connected.is_ok() {
                stats.update(HttpClientStats::connection_opened);
            }
            connected
        })
    }
}

impl ClientMetrics {
    /// awc's default connector with its TCP connections counted
    /// (`http_client_connections_opened_total`), for `awc::ClientBuilder::connector`. Call
    /// it on the thread that builds the client, as `wrap` is:
    ///
    /// ```no_run
    /// # fn build(metrics: actorscope::ClientMetrics) -> awc::Client {
    /// awc::Client::builder()
    ///     .connector(metrics.connector())
    ///     .wrap(metrics)
    ///     .finish()
    /// # }
    /// ```
    ///
    /// Without it the family is not written: awc's middleware API does not show the pool.
    ///
    /// # Panics
    /// Outside an actix system: the stats' reporting actor needs this thread's arbiter.
    #[must_use]
    pub fn connector(&self) -> awc::Connector<CountingConnector> {
        let stats = self.local_stats();
        stats.update(HttpClientStats::count_connections);
        awc::Connector::new().connector(CountingConnector {
            inner: ConnectorService::default(),
            stats,
        })
    }
}
