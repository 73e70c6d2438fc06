//! One instrumented actor type as its collector knows it: its instances, the totals of
//! the ones that stopped, and the counts kept on the sending side. Cold path only.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use actix::WeakRecipient;

use super::stats::InsightCopy;
use super::ReportInsight;
use crate::stats::Padded;

/// The label of an instance past the per-instance cap, and of the totals they leave.
pub(crate) const OVERFLOW: &str = "overflow";
/// The label of the totals of stopped instances in per-instance mode.
pub(crate) const RETIRED: &str = "retired";

/// One instance's mailbox, as its senders and the actor itself count it.
#[derive(Debug, Default)]
pub(crate) struct MailboxCounters {
    /// Messages handed to the mailbox by instrumented senders. Senders only.
    pub(crate) sent: Padded<AtomicU64>,
    /// Messages the actor has taken out of the mailbox: stored (never read-modify-write)
    /// by the actor alone, on a line of its own, so a blocked actor's depth can be read.
    pub(crate) taken: Padded<AtomicU64>,
    /// Messages whose sender stopped waiting for them or saw them fail (dropped request,
    /// timeout, closed mailbox, full mailbox). Senders only.
    pub(crate) abandoned: AtomicU64,
}

impl MailboxCounters {
    /// What is in the mailbox now, given how many abandoned messages the actor took anyway.
    pub(crate) fn depth(&self, taken_anyway: u64) -> u64 {
        // Taken first: every message is counted as sent before it can be taken, so a
        // `sent` read afterwards is never behind it.
        let taken = self.taken.load(Ordering::Relaxed);
        let abandoned = self.abandoned.load(Ordering::Relaxed);
        let sent = self.sent.load(Ordering::Relaxed);
        (sent + taken_anyway).saturating_sub(taken + abandoned)
    }
}

/// Why a send failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SendFailure {
    Full,
    Closed,
    Timeout,
}

impl SendFailure {
    pub(crate) const ALL: [Self; 3] = [Self::Full, Self::Closed, Self::Timeout];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Closed => "closed",
            Self::Timeout => "timeout",
        }
    }
}

/// An actor type's entry: made once per collector and type, and kept for the life of
/// the process (an instrumented message's reply refers to it without counting a
/// reference), so it costs one small allocation per actor type.
#[derive(Debug)]
pub(crate) struct ActorType {
    pub(crate) name: String,
    pub(crate) messages: Vec<String>,
    pub(crate) per_instance: bool,
    pub(crate) instance_cap: usize,
    pub(crate) slow_ticks: u64,
    failures: [AtomicU64; 3],
    state: Mutex<TypeState>,
}

#[derive(Debug, Default)]
struct TypeState {
    instances: Vec<Instance>,
    /// Totals of stopped instances, by the label their series get.
    retired: BTreeMap<String, InsightCopy>,
    started: u64,
    stopped: u64,
    next_id: u64,
    /// Per instance: abandoned messages it took anyway (see `MailboxCounters::depth`).
    taken_anyway: HashMap<u64, u64>,
}

#[derive(Debug)]
struct Instance {
    id: u64,
    label: String,
    mailbox: Arc<MailboxCounters>,
    route: Option<WeakRecipient<ReportInsight>>,
    /// Its latest answer (or all zeros): what a scrape it misses reports for it.
    latest: InsightCopy,
}

/// An instance to ask at a scrape.
pub(crate) struct Asked {
    pub(crate) id: u64,
    pub(crate) route: Option<WeakRecipient<ReportInsight>>,
}

/// One series group of a type at a scrape: its label (empty when aggregated), its
/// counts, and its mailbox depth.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) label: String,
    pub(crate) counts: InsightCopy,
    pub(crate) depth: u64,
}

/// A type's lifetime counts at a scrape.
#[derive(Debug)]
pub(crate) struct Lifetime {
    pub(crate) started: u64,
    pub(crate) stopped: u64,
    pub(crate) unanswered: usize,
    pub(crate) failures: [(SendFailure, u64); 3],
}

impl ActorType {
    pub(crate) fn new(
        name: String,
        messages: Vec<String>,
        per_instance: bool,
        instance_cap: usize,
        slow_ticks: u64,
    ) -> Self {
        Self {
            name,
            messages,
            per_instance,
            instance_cap,
            slow_ticks,
            failures: Default::default(),
            state: Mutex::new(TypeState::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TypeState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new instance: its id and mailbox counters.
    pub(crate) fn join(&self) -> (u64, Arc<MailboxCounters>) {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.started += 1;
        let label = if !self.per_instance {
            String::new()
        } else if state
            .instances
            .iter()
            .filter(|i| i.label != OVERFLOW)
            .count()
            < self.instance_cap
        {
            (0..)
                .map(|n: usize| n.to_string())
                .find(|label| state.instances.iter().all(|i| i.label != *label))
                .unwrap_or_default()
        } else {
            OVERFLOW.to_owned()
        };
        let mailbox = Arc::new(MailboxCounters::default());
        state.instances.push(Instance {
            id,
            label,
            mailbox: Arc::clone(&mailbox),
            route: None,
            latest: InsightCopy::new(self.messages.len()),
        });
        (id, mailbox)
    }

    /// Instance `id` is asked through `route` from now on.
    pub(crate) fn attach(&self, id: u64, route: WeakRecipient<ReportInsight>) {
        if let Some(instance) = self.lock().instances.iter_mut().find(|i| i.id == id) {
            instance.route = Some(route);
        }
    }

    /// Instance `id` stopped with `last` counted: fold it into the retired totals.
    pub(crate) fn retire(&self, id: u64, last: &InsightCopy) {
        let mut state = self.lock();
        state.stopped += 1;
        state.taken_anyway.remove(&id);
        let Some(at) = state.instances.iter().position(|i| i.id == id) else {
            return;
        };
        let instance = state.instances.remove(at);
        let label = match instance.label.as_str() {
            "" | OVERFLOW => instance.label,
            _ => RETIRED.to_owned(),
        };
        state
            .retired
            .entry(label)
            .or_insert_with(|| InsightCopy::new(self.messages.len()))
            .add(last);
    }

    /// An abandoned message that instance `id` took anyway (a reply nobody waited for).
    pub(crate) fn taken_anyway(&self, id: u64) {
        *self.lock().taken_anyway.entry(id).or_default() += 1;
    }

    /// A send that failed, counted on the sending side.
    pub(crate) fn send_failed(&self, failure: SendFailure) {
        self.failures[failure as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The instances to ask at a scrape.
    pub(crate) fn asked(&self) -> Vec<Asked> {
        self.lock()
            .instances
            .iter()
            .map(|i| Asked {
                id: i.id,
                route: i.route.clone(),
            })
            .collect()
    }

    /// Takes the scrape's answers (instance id, copy), and sums each series group: the
    /// live instances' latest counts (a fresh answer, or the one before for an instance
    /// that did not answer), plus the totals of the stopped ones.
    pub(crate) fn groups(&self, answers: Vec<(u64, InsightCopy)>) -> (Vec<Group>, Lifetime) {
        let mut state = self.lock();
        let mut answered = 0;
        for (id, copy) in answers {
            if let Some(instance) = state.instances.iter_mut().find(|i| i.id == id) {
                instance.latest = copy;
                answered += 1;
            }
        }
        let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
        let empty = || InsightCopy::new(self.messages.len());
        for instance in &state.instances {
            let group = groups.entry(&instance.label).or_insert_with(|| Group {
                label: instance.label.clone(),
                counts: empty(),
                depth: 0,
            });
            group.counts.add(&instance.latest);
            let anyway = state.taken_anyway.get(&instance.id).copied().unwrap_or(0);
            group.depth += instance.mailbox.depth(anyway);
        }
        for (label, retired) in &state.retired {
            groups
                .entry(label)
                .or_insert_with(|| Group {
                    label: label.clone(),
                    counts: empty(),
                    depth: 0,
                })
                .counts
                .add(retired);
        }
        if groups.is_empty() && !self.per_instance {
            groups.insert(
                "",
                Group {
                    label: String::new(),
                    counts: empty(),
                    depth: 0,
                },
            );
        }
        let lifetime = Lifetime {
            started: state.started,
            stopped: state.stopped,
            unanswered: state.instances.len().saturating_sub(answered),
            failures: SendFailure::ALL
                .map(|f| (f, self.failures[f as usize].load(Ordering::Relaxed))),
        };
        (groups.into_values().collect(), lifetime)
    }
}
