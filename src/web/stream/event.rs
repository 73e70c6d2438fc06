//! The Server-Sent-Events wire format (WHATWG HTML, "server-sent events").
//!
//! An event is `id:`, `event:` and one `data:` line per line of its data, then a blank
//! line. A line of data may not hold a line break, so data is split at every `\r\n`,
//! `\n` and `\r`, which the browser joins back with `\n`.

use actix_web::web::Bytes;

/// One event, ready to send.
pub(crate) fn event(id: u64, name: &str, data: &str) -> Bytes {
    let mut out = Vec::with_capacity(data.len() + 48);
    out.extend_from_slice(b"id: ");
    out.extend_from_slice(id.to_string().as_bytes());
    out.extend_from_slice(b"\nevent: ");
    out.extend_from_slice(name.as_bytes());
    out.push(b'\n');
    for line in lines(data) {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    Bytes::from(out)
}

/// The lines of `data`, split at `\r\n`, `\n` or `\r` (an empty string is one empty line).
fn lines(data: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\r', '\n']) {
            Some(at) => {
                let skip = if text[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&text[at + skip..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// How long the browser waits before reconnecting, in milliseconds.
pub(crate) fn retry(milliseconds: u64) -> Bytes {
    Bytes::from(format!("retry: {milliseconds}\n\n"))
}

/// A comment line: ignored by the browser, but it keeps the connection (and any proxy
/// in between) from going idle, and turns a half-open connection into a write error.
pub(crate) fn comment(text: &str) -> Bytes {
    let text: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    Bytes::from(format!(": {text}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn an_event_has_id_name_and_data() {
        assert_eq!(
            text(&event(7, "delta", r#"{"a":1}"#)),
            "id: 7\nevent: delta\ndata: {\"a\":1}\n\n"
        );
    }

    #[test]
    fn multi_line_data_is_split_at_every_kind_of_line_break() {
        assert_eq!(
            text(&event(1, "snapshot", "one\ntwo\r\nthree\rfour")),
            "id: 1\nevent: snapshot\ndata: one\ndata: two\ndata: three\ndata: four\n\n"
        );
        assert_eq!(text(&event(2, "x", "")), "id: 2\nevent: x\ndata: \n\n");
        assert_eq!(
            text(&event(3, "x", "end\n")),
            "id: 3\nevent: x\ndata: end\ndata: \n\n"
        );
    }

    #[test]
    fn retry_and_comments_cannot_break_the_stream() {
        assert_eq!(text(&retry(2000)), "retry: 2000\n\n");
        assert_eq!(text(&comment("keep\nalive")), ": keepalive\n\n");
    }
}
