//! The Server-Sent-Events wire format (WHATWG HTML, "server-sent events").
//!
//! An event is an optional `id:` line, an optional `event:` line and one `data:` line per
//! line of its data, then a blank line. A line of data may not hold a line break, so data
//! is split at every `\r\n`, `\n` and `\r`, which the browser joins back with `\n`; an
//! id or event name with a line break would end its field early, so the breaks are
//! dropped from them. `retry:`, comments and the bare heartbeat (`:` alone) are fields
//! of their own, each followed by a blank line so that a browser dispatches nothing.

use actix_web::web::Bytes;

/// One event to write: `data`, with an optional `id` and `name` (the `event:` field;
/// without it the browser fires a plain `message` event).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Event<'a> {
    pub(crate) id: Option<u64>,
    pub(crate) name: Option<&'a str>,
    pub(crate) data: &'a str,
}

impl Event<'_> {
    /// The event's bytes, ending with the blank line that dispatches it.
    pub(crate) fn to_bytes(self) -> Bytes {
        let mut out = Vec::with_capacity(self.data.len() + 48);
        if let Some(id) = self.id {
            out.extend_from_slice(b"id: ");
            out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
            out.push(b'\n');
        }
        if let Some(name) = self.name {
            out.extend_from_slice(b"event: ");
            push_one_line(&mut out, name);
            out.push(b'\n');
        }
        for line in lines(self.data) {
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        Bytes::from(out)
    }
}

/// One event with an id and a name, ready to send.
pub(crate) fn event(id: u64, name: &str, data: &str) -> Bytes {
    Event {
        id: Some(id),
        name: Some(name),
        data,
    }
    .to_bytes()
}

/// `text` without its line breaks.
fn push_one_line(out: &mut Vec<u8>, text: &str) {
    for line in lines(text) {
        out.extend_from_slice(line.as_bytes());
    }
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
/// An empty `text` is the bare heartbeat, `:` alone.
pub(crate) fn comment(text: &str) -> Bytes {
    let mut out = Vec::with_capacity(text.len() + 4);
    out.push(b':');
    if !text.is_empty() {
        out.push(b' ');
        push_one_line(&mut out, text);
    }
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).expect("UTF-8")
    }

    fn data(data: &str) -> Event<'_> {
        Event {
            data,
            ..Event::default()
        }
    }

    #[test]
    fn data_only() {
        assert_eq!(text(&data("hello").to_bytes()), "data: hello\n\n");
    }

    #[test]
    fn multi_line_data_is_split_at_every_kind_of_line_break() {
        assert_eq!(
            text(&data("one\ntwo\r\nthree\rfour").to_bytes()),
            "data: one\ndata: two\ndata: three\ndata: four\n\n"
        );
        assert_eq!(
            text(&data("end\n").to_bytes()),
            "data: end\ndata: \n\n",
            "a trailing line break is an empty last line"
        );
    }

    #[test]
    fn empty_data_is_one_empty_data_line() {
        assert_eq!(text(&data("").to_bytes()), "data: \n\n");
    }

    #[test]
    fn event_and_data() {
        let event = Event {
            name: Some("delta"),
            ..data(r#"{"a":1}"#)
        };
        assert_eq!(text(&event.to_bytes()), "event: delta\ndata: {\"a\":1}\n\n");
    }

    #[test]
    fn id_and_data() {
        let event = Event {
            id: Some(7),
            ..data("x")
        };
        assert_eq!(text(&event.to_bytes()), "id: 7\ndata: x\n\n");
    }

    #[test]
    fn id_event_and_data() {
        assert_eq!(
            text(&event(7, "delta", r#"{"a":1}"#)),
            "id: 7\nevent: delta\ndata: {\"a\":1}\n\n"
        );
        assert_eq!(
            text(&event(u64::MAX, "snapshot", "")),
            "id: 18446744073709551615\nevent: snapshot\ndata: \n\n"
        );
    }

    #[test]
    fn an_event_name_cannot_break_its_line() {
        assert_eq!(
            text(&event(1, "bad\nname", "x")),
            "id: 1\nevent: badname\ndata: x\n\n"
        );
    }

    #[test]
    fn retry_alone() {
        assert_eq!(text(&retry(2000)), "retry: 2000\n\n");
        assert_eq!(text(&retry(0)), "retry: 0\n\n");
    }

    #[test]
    fn comments_cannot_break_the_stream() {
        assert_eq!(text(&comment("keep-alive")), ": keep-alive\n\n");
        assert_eq!(text(&comment("keep\nalive\r\n")), ": keepalive\n\n");
    }

    #[test]
    fn the_bare_heartbeat_is_an_empty_comment() {
        assert_eq!(text(&comment("")), ":\n\n");
    }
}
