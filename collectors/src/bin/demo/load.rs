//! `--load`: a bounded client load against the demo itself, so the numbers move.
//!
//! One thread, one keep-alive connection, about 60% GET, 30% PUT, 10% DELETE over 1,000
//! keys, paced to roughly `RATE` requests per second. It stops by itself after
//! `MAX_REQUESTS` or `MAX_DURATION`, or as soon as the server goes away.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Requests per second the load aims for.
const RATE: u64 = 2_000;
/// The load stops after this many requests...
const MAX_REQUESTS: u64 = 1_000_000;
/// ...or after this long, whichever comes first.
const MAX_DURATION: Duration = Duration::from_secs(600);

/// Starts the load in a background thread.
pub(crate) fn start(target: SocketAddr) {
    std::thread::spawn(move || {
        let done = run(target);
        // Whoever started the demo may have closed its stdout by now: not worth a panic.
        let _ = writeln!(std::io::stdout(), "load: stopped after {done} requests");
    });
}

/// Sends requests until a bound is reached or the server is gone; returns how many were answered.
fn run(target: SocketAddr) -> u64 {
    let started = Instant::now();
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    let mut connection: Option<(TcpStream, BufReader<TcpStream>)> = None;
    let mut done = 0;
    let mut failures_in_a_row = 0;
    while failures_in_a_row < 3 && done < MAX_REQUESTS && started.elapsed() < MAX_DURATION {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let key = format!("key-{}", random % 1000);
        let request = match random % 10 {
            0..=5 => format!("GET /kv/{key} HTTP/1.1\r\nHost: demo\r\n\r\n"),
            6..=8 => {
                let value = "v".repeat(16 + (random >> 20) as usize % 4096);
                format!(
                    "PUT /kv/{key} HTTP/1.1\r\nHost: demo\r\nContent-Length: {}\r\n\r\n{value}",
                    value.len()
                )
            }
            _ => format!("DELETE /kv/{key} HTTP/1.1\r\nHost: demo\r\n\r\n"),
        };
        if connection.is_none() {
            let Ok(stream) = TcpStream::connect(target) else {
                break;
            };
            let Ok(reader) = stream.try_clone().map(BufReader::new) else {
                break;
            };
            connection = Some((stream, reader));
        }
        let Some((stream, reader)) = connection.as_mut() else {
            break;
        };
        if stream.write_all(request.as_bytes()).is_err() || read_response(reader).is_none() {
            // The server closed the connection (shutting down, or keep-alive expired).
            connection = None;
            failures_in_a_row += 1;
            continue;
        }
        failures_in_a_row = 0;
        done += 1;
        let due = started + Duration::from_micros(done * 1_000_000 / RATE);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    done
}

/// Reads one response (status line, headers, `Content-Length` body); `None` if the
/// connection ended.
fn read_response(reader: &mut BufReader<TcpStream>) -> Option<()> {
    let mut line = String::new();
    let mut length = 0usize;
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    loop {
        line.clear();
        reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
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
    reader.read_exact(&mut body).ok()
}
