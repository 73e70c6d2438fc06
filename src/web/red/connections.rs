//! Counting connections: `HttpServer::on_connect` runs on the worker thread that will
//! serve the connection, and what it stores in the connection's extensions is dropped
//! when the connection closes.

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

use actix_web::dev::Extensions;

use super::local_stats;
use super::stats::HttpWorkerStats;
use super::RequestMetrics;
use crate::web::local::LocalStats;

/// Lives as long as its connection; counts it out of `http_server_connections_active`
/// and frees its slot. Requests find it with `conn_data` to mark the slot active.
pub(crate) struct OpenConnection {
    stats: Rc<LocalStats<HttpWorkerStats>>,
    pub(crate) server: usize,
    pub(crate) slot: Option<usize>,
    /// Requests that reached the app over this connection.
    pub(crate) requests: Cell<u64>,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.stats
            .update(|stats| stats.connection_closed(self.server, self.slot, self.requests.get()));
    }
}

impl RequestMetrics {
    /// The callback for `HttpServer::on_connect` that counts connections
    /// (`http_server_connections_opened_total`, `http_server_connections_active`).
    ///
    /// An unnamed server's connections are matched to it by the local port; connections
    /// on a socket that is not TCP (a Unix socket) count under the port 0.
    pub fn on_connect(&self) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync + 'static {
        let shared = std::sync::Arc::clone(&self.shared);
        move |io, extensions| {
            let stats = local_stats(&shared);
            let server = match shared.server.as_deref() {
                Some(name) => stats.update(|s| s.server_named(name)),
                None => {
                    let port = local_port(io);
                    stats.update(|s| s.server_on_port(port, None))
                }
            };
            let slot = stats.update(|s| s.connection_opened(server));
            extensions.insert(OpenConnection {
                stats,
                server,
                slot,
                requests: Cell::new(0),
            });
        }
    }
}

fn local_port(io: &dyn Any) -> u16 {
    io.downcast_ref::<actix_web::rt::net::TcpStream>()
        .and_then(|stream| stream.local_addr().ok())
        .map_or(0, |address| address.port())
}
