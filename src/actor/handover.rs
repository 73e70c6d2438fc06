//! How a `SyncArbiter` worker hands a copy of its stats to a scrape.
//!
//! A `SyncArbiter` pool shares one mailbox, so a scrape message reaches whichever worker
//! is free, not a chosen one. Instead each such worker's [`Tracked`](super::Tracked)
//! holds a [`Handover`]: the scrape raises its flag and sends a wake-up naming that
//! worker into the shared mailbox. Every worker checks its own flag when it takes any
//! wake-up and whenever its stats are updated, and hands over a copy when it is raised.
//! A worker that takes a wake-up meant for another one still waiting puts it back and
//! pauses for [`PASS_ON_PAUSE`], so that an idle worker, not the same one again, takes
//! it next.
//!
//! Costs: on the hot path, one relaxed load of a flag nobody writes between scrapes. While
//! a scrape waits for a busy worker, each wake-up for it circles through the free
//! workers, each pausing 200 µs per pass. A worker busy past the deadline without touching
//! its stats misses the scrape, as a busy actor with its own mailbox does; its flag is
//! then lowered, and the wake-ups stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures::channel::oneshot;

/// How long a worker that passes on a wake-up meant for another waits before it takes
/// messages again, so that an idle worker takes the wake-up.
pub(crate) const PASS_ON_PAUSE: Duration = Duration::from_micros(200);

/// One worker's flag and the scrapes waiting for its copy.
#[derive(Debug)]
pub(crate) struct Handover<S> {
    wanted: AtomicBool,
    waiting: Mutex<Vec<oneshot::Sender<S>>>,
}

impl<S: Clone> Handover<S> {
    pub(crate) fn new() -> Self {
        Self {
            wanted: AtomicBool::new(false),
            waiting: Mutex::new(Vec::new()),
        }
    }

    /// Asks for the worker's next copy.
    pub(crate) fn request(&self) -> oneshot::Receiver<S> {
        let (sender, receiver) = oneshot::channel();
        self.lock().push(sender);
        self.wanted.store(true, Ordering::Release);
        receiver
    }

    /// Whether a scrape is waiting for this worker's copy.
    pub(crate) fn is_wanted(&self) -> bool {
        self.wanted.load(Ordering::Acquire)
    }

    /// A scrape stopped waiting (it dropped its receiver): lowers the flag when nobody
    /// else waits, so the wake-ups for this worker stop.
    pub(crate) fn withdraw(&self) {
        let mut waiting = self.lock();
        waiting.retain(|sender| !sender.is_canceled());
        if waiting.is_empty() {
            self.wanted.store(false, Ordering::Release);
        }
    }

    /// Called by the worker (on its own thread) with its current stats.
    #[inline]
    pub(crate) fn offer(&self, stats: &S) {
        if self.wanted.load(Ordering::Relaxed) {
            self.hand_over(stats);
        }
    }

    #[cold]
    fn hand_over(&self, stats: &S) {
        if self.wanted.swap(false, Ordering::AcqRel) {
            for sender in self.lock().drain(..) {
                // A scrape that gave up has dropped its receiver; nothing to do.
                let _ = sender.send(stats.clone());
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<oneshot::Sender<S>>> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_handed_over_only_when_asked_and_to_every_asker() {
        let handover = Handover::new();
        handover.offer(&1);
        let mut first = handover.request();
        let mut second = handover.request();
        handover.offer(&7);
        handover.offer(&8);
        assert_eq!(first.try_recv(), Ok(Some(7)));
        assert_eq!(second.try_recv(), Ok(Some(7)));
        let mut third = handover.request();
        assert_eq!(third.try_recv(), Ok(None), "nothing offered since");
        assert!(handover.is_wanted());
        drop(third);
        handover.withdraw();
        assert!(!handover.is_wanted(), "nobody waits any more");
    }
}
