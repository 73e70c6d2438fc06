//! The `actorscope_actor_*` families, written from each type's summed counts.

use super::actor_type::{ActorType, Group, Lifetime};
use super::stats::{MessageStats, TickHistogram};
use crate::model::{ModelError, Unit};
use crate::stats::{Counter, Gauge, Histogram};
use crate::write::{Metric, Writer};

const HANDLED: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_messages_handled_total",
    "Messages an instrumented actor handled, by actor type and message type.",
);
const HANDLING: Metric<'static, Histogram> = Metric::histogram(
    "actorscope_actor_message_handling_seconds",
    "Time in the message handler (until it returned its response), by actor and message type.",
)
.unit(Unit::Seconds);
const WAITING: Metric<'static, Histogram> = Metric::histogram(
    "actorscope_actor_mailbox_wait_seconds",
    "Time from the send to the start of the handler, by actor and message type.",
)
.unit(Unit::Seconds);
const SLOW: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_slow_handlings_total",
    "Handlings longer than the collector's slow threshold (50 µs by default).",
);
const PANICS: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_handler_panics_total",
    "Handlers that panicked (each stopped its actor), by actor and message type.",
);
const BUSY: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_busy_seconds_total",
    "Time spent in instrumented handlers; its rate is the actor's utilisation.",
)
.unit(Unit::Seconds);
const DEPTH: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_actor_mailbox_depth",
    "Messages sent through instrumented addresses and not yet taken by the actor.",
);
const RESTARTS: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_restarts_total",
    "Supervisor restarts of instrumented actors.",
);
const STARTED: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_started_total",
    "Instrumented actors made, by actor type.",
);
const STOPPED: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_stopped_total",
    "Instrumented actors dropped (stopped, or unwound by a panic), by actor type.",
);
const ACTIVE: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_actor_active",
    "Instrumented actors alive, by actor type.",
);
const UNRESPONSIVE: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_actor_unresponsive",
    "Live actors that did not answer this scrape in time (reported with their latest counts).",
);
const SEND_FAILURES: Metric<'static, Counter> = Metric::counter(
    "actorscope_actor_send_failures_total",
    "Sends through instrumented addresses that failed, by reason (full, closed, timeout).",
);

type Written<'a> = (&'a ActorType, Vec<Group>, Lifetime);
type CountFamily<T> = (Metric<'static, Counter>, fn(&T) -> u64);
type HistogramFamily = (
    Metric<'static, Histogram>,
    fn(&MessageStats) -> &TickHistogram,
);

/// The labels of one group: `actor`, and `instance` in per-instance mode.
fn group_labels<'a>(kind: &'a ActorType, group: &'a Group) -> Vec<(&'static str, &'a str)> {
    let mut labels = vec![("actor", kind.name.as_str())];
    if !group.label.is_empty() {
        labels.push(("instance", group.label.as_str()));
    }
    labels
}

/// Writes every family, one after the other, each with all types' series.
pub(crate) fn write(types: &[Written<'_>], out: &mut Writer<'_>) -> Result<(), ModelError> {
    write_per_message(types, out)?;
    write_per_group(types, out)?;
    write_lifetime(types, out)
}

fn write_per_message(types: &[Written<'_>], out: &mut Writer<'_>) -> Result<(), ModelError> {
    let mut rows: Vec<(Vec<(&str, &str)>, &MessageStats)> = Vec::new();
    for (kind, groups, _) in types {
        for group in groups {
            for (name, stats) in kind.messages.iter().zip(&group.counts.messages) {
                let mut labels = group_labels(kind, group);
                labels.push(("message", name.as_str()));
                rows.push((labels, stats));
            }
        }
    }
    let counts: [CountFamily<MessageStats>; 3] = [
        (HANDLED, |m| m.handled),
        (SLOW, |m| m.slow),
        (PANICS, |m| m.panics),
    ];
    for (metric, value) in counts {
        let mut family = out.family(metric).declare()?;
        for (labels, stats) in &rows {
            family.add(labels.as_slice(), value(stats))?;
        }
    }
    let histograms: [HistogramFamily; 2] = [(HANDLING, |m| &m.handling), (WAITING, |m| &m.waiting)];
    for (metric, histogram) in histograms {
        let mut family = out.family(metric).declare()?;
        for (labels, stats) in &rows {
            family.add(labels.as_slice(), histogram(stats).value()?)?;
        }
    }
    Ok(())
}

fn write_per_group(types: &[Written<'_>], out: &mut Writer<'_>) -> Result<(), ModelError> {
    let mut family = out.family(BUSY).declare()?;
    for (kind, groups, _) in types {
        for group in groups {
            family.add(group_labels(kind, group), group.counts.busy_seconds())?;
        }
    }
    let mut family = out.family(DEPTH).declare()?;
    for (kind, groups, _) in types {
        for group in groups {
            family.add(group_labels(kind, group), group.depth)?;
        }
    }
    let mut family = out.family(RESTARTS).declare()?;
    for (kind, groups, _) in types {
        for group in groups {
            family.add(group_labels(kind, group), group.counts.restarts)?;
        }
    }
    Ok(())
}

fn write_lifetime(types: &[Written<'_>], out: &mut Writer<'_>) -> Result<(), ModelError> {
    let by_type: [CountFamily<Lifetime>; 2] = [(STARTED, |l| l.started), (STOPPED, |l| l.stopped)];
    for (metric, value) in by_type {
        let mut family = out.family(metric).declare()?;
        for (kind, _, lifetime) in types {
            family.add([("actor", kind.name.as_str())], value(lifetime))?;
        }
    }
    let mut family = out.family(ACTIVE).declare()?;
    for (kind, _, lifetime) in types {
        family.add(
            [("actor", kind.name.as_str())],
            lifetime.started.saturating_sub(lifetime.stopped),
        )?;
    }
    let mut family = out.family(UNRESPONSIVE).declare()?;
    for (kind, _, lifetime) in types {
        family.add([("actor", kind.name.as_str())], lifetime.unanswered)?;
    }
    let mut family = out.family(SEND_FAILURES).declare()?;
    for (kind, _, lifetime) in types {
        for (reason, count) in lifetime.failures {
            family.add(
                [("actor", kind.name.as_str()), ("reason", reason.as_str())],
                count,
            )?;
        }
    }
    Ok(())
}
