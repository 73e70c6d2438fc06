//! A Server-Sent-Events client over a plain `TcpStream`, for the tests: it decodes the
//! chunked body as it arrives and splits it into events.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// One event (or the `retry:` prelude / a comment, with empty `event`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    pub id: Option<u64>,
    pub event: String,
    pub data: String,
    pub retry: Option<u64>,
    pub comment: Option<String>,
}

impl Event {
    /// The data as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("event data is JSON")
    }
}

/// An open stream.
pub struct SseClient {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    reader: BufReader<TcpStream>,
    pending: String,
    chunked: bool,
    ended: bool,
    /// The body ended with its terminating empty chunk (not a cut connection).
    pub ended_cleanly: bool,
}

impl SseClient {
    /// `GET path` with `headers`, keeping the connection open.
    pub fn connect(address: SocketAddr, path: &str, headers: &[&str]) -> SseClient {
        let mut stream = TcpStream::connect(address).expect("connect");
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n");
        for header in headers {
            request.push_str(header);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let mut headers = Vec::new();
        loop {
            line.clear();
            reader.read_line(&mut line).expect("header");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        SseClient {
            status,
            headers,
            reader,
            pending: String::new(),
            chunked,
            ended: false,
            ended_cleanly: false,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads more of the body; `false` at its end.
    fn fill(&mut self) -> bool {
        if self.ended {
            return false;
        }
        if !self.chunked {
            let mut buffer = [0; 8192];
            return match self.reader.read(&mut buffer) {
                Ok(0) | Err(_) => {
                    self.ended = true;
                    false
                }
                Ok(n) => {
                    self.pending
                        .push_str(&String::from_utf8_lossy(&buffer[..n]));
                    true
                }
            };
        }
        let mut size_line = String::new();
        if self.reader.read_line(&mut size_line).unwrap_or(0) == 0 {
            self.ended = true;
            return false;
        }
        let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16)
            .unwrap_or(0);
        if size == 0 {
            self.ended = true;
            self.ended_cleanly = size_line.trim() == "0";
            return false;
        }
        let mut chunk = vec![0; size + 2];
        if self.reader.read_exact(&mut chunk).is_err() {
            self.ended = true;
            return false;
        }
        self.pending
            .push_str(&String::from_utf8_lossy(&chunk[..size]));
        true
    }

    /// The next event, comment or prelude; `None` when the stream ended.
    pub fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(at) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..at + 2).collect();
                return Some(parse(&block));
            }
            if !self.fill() {
                return None;
            }
        }
    }

    /// The next real event (skipping the prelude and comments), within `limit`.
    pub fn next_event(&mut self, limit: Duration) -> Option<Event> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            let event = self.next()?;
            if !event.event.is_empty() {
                return Some(event);
            }
        }
        None
    }
}

fn parse(block: &str) -> Event {
    let mut event = Event::default();
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            event.comment = Some(comment.trim().to_owned());
        } else if let Some((field, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => event.id = value.parse().ok(),
                "event" => event.event = value.to_owned(),
                "data" => data.push(value.to_owned()),
                "retry" => event.retry = value.parse().ok(),
                _ => {}
            }
        }
    }
    event.data = data.join("\n");
    event
}
