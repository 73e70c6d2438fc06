//! The demo's HTTP API: `GET|PUT|DELETE /kv/{key}` routed to the key's shard.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use actix::MailboxError;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use actorscope::actor::InsightAddr;
use actorscope::stats::Exemplar;

use crate::shard::{Command, Op, Outcome, Shard};

/// Longest key accepted, in bytes.
const MAX_KEY_LEN: usize = 250;
/// Largest value accepted by PUT.
pub(crate) const MAX_VALUE_LEN: usize = 1 << 20;
/// How long a request waits for its shard.
const SHARD_TIMEOUT: Duration = Duration::from_secs(2);

/// The shard actors; a key always goes to the same one.
#[derive(Clone)]
pub(crate) struct Shards {
    /// Their instrumented addresses.
    pub(crate) addresses: Vec<InsightAddr<Shard>>,
    /// Whether requests go through them (`--plain-shards`: through the plain `Addr`).
    pub(crate) instrumented: bool,
}

impl Shards {
    fn route(&self, key: &str) -> (usize, &InsightAddr<Shard>) {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        // The modulo keeps the value below the shard count, which is a usize.
        #[allow(clippy::cast_possible_truncation)]
        let index = (hasher.finish() % self.addresses.len() as u64) as usize;
        (index, &self.addresses[index])
    }
}

/// Mounts the routes.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_VALUE_LEN))
        .service(
            web::resource("/kv/{key}")
                .route(web::get().to(get))
                .route(web::put().to(put))
                .route(web::delete().to(delete)),
        );
}

/// Why a request was not carried out; becomes a 4xx or 5xx with the message.
enum Refusal {
    BadRequest(String),
    Unavailable(String),
}

/// Keys are 1 to 250 printable ASCII characters (no spaces).
fn check_key(key: &str) -> Result<(), Refusal> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        let shown: String = key.chars().take(40).collect();
        return Err(Refusal::BadRequest(format!(
            "invalid key {shown:?}: keys are 1 to {MAX_KEY_LEN} printable ASCII characters, without spaces"
        )));
    }
    Ok(())
}

/// Sends `op` to its key's shard, with the request's exemplar (the middleware puts one
/// in the request's extensions).
async fn run(
    request: &HttpRequest,
    shards: &Shards,
    key: &str,
    op: Op,
) -> Result<Outcome, Refusal> {
    check_key(key)?;
    let (index, shard) = shards.route(key);
    let unavailable = |why: &str| Refusal::Unavailable(format!("shard {index} {why}; try again"));
    let exemplar = request.extensions().get::<Exemplar>().copied();
    let command = Command { op, exemplar };
    // Through the shard's instrumented address: the wait in its mailbox is measured,
    // and a timeout or a stopped shard is counted as a failed send.
    let answer = if shards.instrumented {
        shard.send_timeout(command, SHARD_TIMEOUT).await
    } else {
        shard.addr().send(command).timeout(SHARD_TIMEOUT).await
    };
    match answer {
        Ok(outcome) => Ok(outcome),
        Err(MailboxError::Closed) => Err(unavailable("is not running")),
        Err(MailboxError::Timeout) => Err(unavailable("did not answer in time")),
    }
}

fn answer(outcome: Result<Outcome, Refusal>) -> HttpResponse {
    let text = |mut response: actix_web::HttpResponseBuilder, message: String| {
        response
            .content_type("text/plain; charset=utf-8")
            .body(message + "\n")
    };
    match outcome {
        Ok(Outcome::Found(value)) => HttpResponse::Ok()
            .content_type("application/octet-stream")
            .body(value),
        Ok(Outcome::Missing) => text(HttpResponse::NotFound(), "no such key".to_owned()),
        Ok(Outcome::Stored(true)) => HttpResponse::Created().finish(),
        Ok(Outcome::Stored(false) | Outcome::Deleted) => HttpResponse::NoContent().finish(),
        Err(Refusal::BadRequest(message)) => text(HttpResponse::BadRequest(), message),
        Err(Refusal::Unavailable(message)) => text(HttpResponse::ServiceUnavailable(), message),
    }
}

async fn get(
    request: HttpRequest,
    key: web::Path<String>,
    shards: web::Data<Shards>,
) -> HttpResponse {
    let key = key.into_inner();
    answer(run(&request, &shards, &key, Op::Get(key.clone())).await)
}

async fn put(
    request: HttpRequest,
    key: web::Path<String>,
    body: web::Bytes,
    shards: web::Data<Shards>,
) -> HttpResponse {
    if body.is_empty() {
        let refusal =
            Refusal::BadRequest("empty value: PUT needs a body of 1 byte to 1 MiB".to_owned());
        return answer(Err(refusal));
    }
    let key = key.into_inner();
    answer(run(&request, &shards, &key, Op::Put(key.clone(), body)).await)
}

async fn delete(
    request: HttpRequest,
    key: web::Path<String>,
    shards: web::Data<Shards>,
) -> HttpResponse {
    let key = key.into_inner();
    answer(run(&request, &shards, &key, Op::Delete(key.clone())).await)
}
