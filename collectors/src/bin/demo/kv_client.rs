//! A small HTTP/1.1 keep-alive client for the demo's key-value API: the request mix and
//! one request-response exchange. The demo's `--load` drives it, and so does the soak
//! test (`collectors/tests/soak.rs` includes this file).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// An endless, reproducible mix of about 60% GET, 30% PUT (16 B to 4 KiB values) and
/// 10% DELETE over 1,000 keys.
pub(crate) struct RequestMix {
    /// xorshift64 state; never zero.
    state: u64,
}

impl RequestMix {
    /// A mix of its own for each `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed | 1 }
    }

    /// The next call: a method, a key and, for a PUT, a value.
    pub(crate) fn next_call(&mut self) -> Call {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let random = self.state;
        // Key and kind from different bits: `random % 1000` and `random % 10` would tie
        // every key to one kind, and no GET would ever find what a PUT wrote.
        let key = format!("key-{}", (random >> 32) % 1000);
        match random % 10 {
            0..=5 => Call::Get(key),
            6..=8 => Call::Put(key, "v".repeat(16 + (random >> 20) as usize % 4096)),
            _ => Call::Delete(key),
        }
    }

    /// The next request, ready to write to the connection.
    #[allow(dead_code)] // the soak test's; the demo's load sends calls through awc
    pub(crate) fn next_request(&mut self) -> String {
        match self.next_call() {
            Call::Get(key) => format!("GET /kv/{key} HTTP/1.1\r\nHost: demo\r\n\r\n"),
            Call::Put(key, value) => format!(
                "PUT /kv/{key} HTTP/1.1\r\nHost: demo\r\nContent-Length: {}\r\n\r\n{value}",
                value.len()
            ),
            Call::Delete(key) => format!("DELETE /kv/{key} HTTP/1.1\r\nHost: demo\r\n\r\n"),
        }
    }
}

/// One call of the mix, by key (`key-<n>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call {
    /// `GET /kv/<key>`.
    Get(String),
    /// `PUT /kv/<key>` with the value as its body.
    Put(String, String),
    /// `DELETE /kv/<key>`.
    Delete(String),
}

/// Sends one request on a keep-alive connection and reads the answer (status line,
/// headers, `Content-Length` body); its status, or `None` if the connection failed.
#[allow(dead_code)] // the soak test's; the demo's load sends calls through awc
pub(crate) fn exchange(connection: &mut BufReader<TcpStream>, request: &[u8]) -> Option<u16> {
    connection.get_mut().write_all(request).ok()?;
    let mut line = String::new();
    connection.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        line.clear();
        connection.read_line(&mut line).ok().filter(|n| *n > 0)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    connection.read_exact(&mut body).ok()?;
    Some(status)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::RequestMix;

    fn key_of(request: &str) -> &str {
        request.split(' ').nth(1).unwrap_or_default()
    }

    #[test]
    fn gets_and_deletes_meet_keys_that_puts_wrote() {
        let mut mix = RequestMix::new(7);
        let mut put = HashSet::new();
        let (mut gets, mut found, mut deletes) = (0, 0, 0);
        for _ in 0..20_000 {
            let request = mix.next_request();
            let key = key_of(&request).to_owned();
            if request.starts_with("PUT") {
                put.insert(key);
            } else {
                gets += usize::from(request.starts_with("GET"));
                deletes += usize::from(request.starts_with("DELETE"));
                found += usize::from(put.contains(&key));
            }
        }
        assert!(
            gets > 10_000 && deletes > 1_000,
            "{gets} GETs, {deletes} DELETEs"
        );
        assert!(
            put.len() > 900,
            "PUTs reach most of the 1,000 keys: {}",
            put.len()
        );
        assert!(
            found > (gets + deletes) / 2,
            "{found} of {} found a written key",
            gets + deletes
        );
    }
}
