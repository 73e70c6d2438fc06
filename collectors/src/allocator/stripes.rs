//! Where the [`CountingAllocator`](super::CountingAllocator) counts: per-thread stripes,
//! and the live-heap high-water mark.
//!
//! **Stripes.** Each thread counts on a stripe of its own: one of [`OWNED`]
//! cache-line-padded counter blocks, claimed the first time the thread allocates and
//! given back when it exits (so a server that starts and stops threads keeps reusing
//! them). Only the owner writes an owned stripe, so it updates its counters with a plain
//! load and store (relaxed atomics: readers on other threads see each value whole), with
//! no locked instruction and no cache line shared with another thread. A thread that
//! finds every owned stripe taken (more than 64 threads allocating at once), and a thread
//! whose locals are being set up or torn down, counts on one of [`SHARED`] stripes with
//! `fetch_add` (round-robin): still exact, but there two threads may share a line.
//!
//! **High-water mark.** The exact peak of live bytes would need every allocation to
//! update one shared counter, which is what makes other counting allocators 10x slower
//! on two threads. Instead each stripe keeps the net bytes (allocated − freed) it has not
//! yet published, and publishes them to one global live total when they reach
//! [`PUBLISH_BYTES`] either way, raising the high-water mark (`fetch_max`) as it does. So
//! the global total moves in steps of at least 64 KiB and is never further from the exact
//! live bytes than 64 KiB per thread that allocates, and the high-water mark is the
//! highest that total has been: within 64 KiB per allocating thread of the exact
//! high-water mark. A read also raises it to the exact live bytes it sums.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};

/// Stripes a thread can own.
pub(super) const OWNED: usize = 64;
/// Stripes shared, with `fetch_add`, by the threads that own none.
pub(super) const SHARED: usize = 8;
/// The net bytes a stripe gathers before it publishes them to the live total.
pub(super) const PUBLISH_BYTES: u64 = 64 * 1024;

/// One thread's counters, alone on its cache lines.
#[repr(align(128))]
pub(super) struct Stripe {
    pub(super) allocations: AtomicU64,
    pub(super) deallocations: AtomicU64,
    pub(super) reallocations: AtomicU64,
    pub(super) allocated_bytes: AtomicU64,
    pub(super) freed_bytes: AtomicU64,
    /// Net bytes (allocated − freed) not yet added to [`LIVE`].
    unpublished: AtomicI64,
    /// Whether a thread owns this stripe (owned stripes only).
    taken: AtomicBool,
}

impl Stripe {
    const fn new() -> Self {
        Self {
            allocations: AtomicU64::new(0),
            deallocations: AtomicU64::new(0),
            reallocations: AtomicU64::new(0),
            allocated_bytes: AtomicU64::new(0),
            freed_bytes: AtomicU64::new(0),
            unpublished: AtomicI64::new(0),
            taken: AtomicBool::new(false),
        }
    }
}

/// The owned stripes, then the shared ones.
pub(super) static STRIPES: [Stripe; OWNED + SHARED] = [const { Stripe::new() }; OWNED + SHARED];
static NEXT_SHARED: AtomicUsize = AtomicUsize::new(0);
/// Live bytes as published by the stripes (behind the exact figure by what they hold).
static LIVE: AtomicI64 = AtomicI64::new(0);
/// The highest [`LIVE`] (or exact live reading) since start or the last reset.
static PEAK: AtomicI64 = AtomicI64::new(0);

/// `MY_STRIPE` before the thread's first allocation.
const UNCLAIMED: usize = usize::MAX;

thread_local! {
    // `const` and `Cell<usize>`: no lazy initialisation and no destructor, so it is
    // always there, even while the thread's other locals are torn down, and using it
    // never allocates.
    static MY_STRIPE: Cell<usize> = const { Cell::new(UNCLAIMED) };
    // Gives the owned stripe back when the thread exits. Touched once, when the stripe
    // is claimed: registering its destructor may allocate, which then counts on a shared
    // stripe (see `claim`), never here.
    static GIVE_BACK: GiveBack = const { GiveBack };
}

struct GiveBack;

impl Drop for GiveBack {
    fn drop(&mut self) {
        // From here on the thread counts on a shared stripe (its last frees included).
        let index = MY_STRIPE
            .try_with(|mine| mine.replace(OWNED))
            .unwrap_or(OWNED);
        if index < OWNED {
            let stripe = &STRIPES[index];
            publish(stripe.unpublished.swap(0, Ordering::Relaxed));
            // Release: the next owner starts from everything this thread wrote.
            stripe.taken.store(false, Ordering::Release);
        }
    }
}

/// This thread's stripe, and whether the thread owns it.
#[inline]
pub(super) fn mine() -> (&'static Stripe, bool) {
    let index = MY_STRIPE.try_with(Cell::get).unwrap_or(OWNED);
    if index < OWNED {
        return (&STRIPES[index], true);
    }
    not_owned(index)
}

/// The stripe of a thread that owns none yet (it claims one now) or shares one.
#[cold]
fn not_owned(index: usize) -> (&'static Stripe, bool) {
    let index = if index == UNCLAIMED {
        MY_STRIPE.try_with(claim).unwrap_or(OWNED)
    } else {
        index
    };
    (&STRIPES[index], index < OWNED)
}

/// Claims a free owned stripe for this thread, or picks a shared one.
#[cold]
fn claim(mine: &Cell<usize>) -> usize {
    // While claiming (registering `GIVE_BACK` may allocate), count on a shared stripe.
    mine.set(OWNED);
    for (index, stripe) in STRIPES[..OWNED].iter().enumerate() {
        // Acquire: this thread starts from everything the stripe's last owner wrote.
        if stripe
            .taken
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            if GIVE_BACK.try_with(|_| ()).is_ok() {
                mine.set(index);
                return index;
            }
            // The thread's locals are being torn down: it could not give the stripe back.
            stripe.taken.store(false, Ordering::Release);
            return OWNED;
        }
    }
    let index = OWNED + NEXT_SHARED.fetch_add(1, Ordering::Relaxed) % SHARED;
    mine.set(index);
    index
}

/// Adds `amount` to a counter of this thread's stripe: a plain load and store when the
/// thread owns it (no other thread writes it), `fetch_add` when it is shared.
#[inline]
pub(super) fn add(counter: &AtomicU64, amount: u64, owned: bool) {
    if owned {
        counter.store(
            counter.load(Ordering::Relaxed).wrapping_add(amount),
            Ordering::Relaxed,
        );
    } else {
        counter.fetch_add(amount, Ordering::Relaxed);
    }
}

/// Records a change of `net` live bytes on `stripe`; publishes what the stripe holds once
/// it reaches [`PUBLISH_BYTES`] either way.
#[inline]
pub(super) fn change_live(stripe: &Stripe, net: i64, owned: bool) {
    let held = if owned {
        let held = stripe.unpublished.load(Ordering::Relaxed).wrapping_add(net);
        stripe.unpublished.store(held, Ordering::Relaxed);
        held
    } else {
        stripe
            .unpublished
            .fetch_add(net, Ordering::Relaxed)
            .wrapping_add(net)
    };
    if held.unsigned_abs() >= PUBLISH_BYTES {
        publish(stripe.unpublished.swap(0, Ordering::Relaxed));
    }
}

/// Adds `net` bytes to the live total and raises the high-water mark to the new total.
#[cold]
fn publish(net: i64) {
    let live = LIVE.fetch_add(net, Ordering::Relaxed).wrapping_add(net);
    if net > 0 {
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

/// The high-water mark, raised first to `exact_live` (the live bytes a read just summed).
pub(super) fn peak(exact_live: u64) -> u64 {
    let exact = i64::try_from(exact_live).unwrap_or(i64::MAX);
    PEAK.fetch_max(exact, Ordering::Relaxed).max(exact).max(0) as u64
}

/// Starts the high-water mark again from `exact_live`.
pub(super) fn reset_peak(exact_live: u64) {
    PEAK.store(
        i64::try_from(exact_live).unwrap_or(i64::MAX),
        Ordering::Relaxed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test, not two: the second holds every owned stripe at once, which would make
    // the first find none if they ran side by side.
    #[test]
    fn stripes_are_given_back_and_shared_beyond_the_owned_ones() {
        exited_threads_give_their_stripes_back();
        threads_beyond_the_owned_stripes_share_the_rest();
    }

    fn exited_threads_give_their_stripes_back() {
        // More threads, one after another, than there are stripes: each finds one free.
        for round in 0..OWNED * 3 {
            let owned = std::thread::spawn(|| mine().1)
                .join()
                .expect("the thread ran");
            assert!(
                owned,
                "thread {round} found no free stripe: exited threads kept theirs"
            );
        }
    }

    fn threads_beyond_the_owned_stripes_share_the_rest() {
        use std::sync::{Arc, Barrier};
        // Every owned stripe held at once (by these threads, or any other test's): the
        // threads beyond count on shared stripes, and all of them hold one.
        let threads = OWNED + 4;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    let (stripe, owned) = mine();
                    barrier.wait(); // hold the stripe until every thread has one
                    (stripe as *const Stripe as usize, owned)
                })
            })
            .collect();
        let held: Vec<(usize, bool)> = handles
            .into_iter()
            .map(|h| h.join().expect("the thread ran"))
            .collect();
        let shared = held.iter().filter(|(_, owned)| !owned).count();
        assert!(shared >= 4, "{shared} threads on shared stripes");
        let mut owned: Vec<usize> = held
            .iter()
            .filter(|(_, owned)| *owned)
            .map(|(at, _)| *at)
            .collect();
        let count = owned.len();
        owned.sort_unstable();
        owned.dedup();
        assert_eq!(owned.len(), count, "no owned stripe is held by two threads");
    }
}
