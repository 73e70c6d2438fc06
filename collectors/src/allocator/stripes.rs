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
//! on two threads. Instead each stripe publishes its net bytes (allocated − freed) to one
//! global live total from time to time, raising the high-water mark (`fetch_max`) as it
//! does, and never holds back [`PUBLISH_BYTES`] or more: so the total is never further
//! from the exact live bytes than 64 KiB per thread that allocates, and the high-water
//! mark, the highest that total has been, is within 64 KiB per allocating thread of the
//! exact one. A read also raises it to the exact live bytes it sums.
//!
//! An owned stripe keeps this bound without a counter of its own on the allocation
//! path: it notes how far its allocated bytes may grow, and its freed bytes, before the
//! unpublished net could reach 64 KiB either way, and only when one of them gets there
//! does it look (`Stripe::settle`): it publishes if the net has reached 32 KiB either
//! way, and notes the next two limits. So each allocation costs two plain additions and
//! one comparison, a stripe looks at least every 32 KiB of allocation or of freeing, and
//! churn that leaves the net where it is never publishes.
//!
//! A shared stripe keeps its unpublished net in a counter (`fetch_add`) and publishes it
//! at 64 KiB.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};

/// Stripes a thread can own.
pub(super) const OWNED: usize = 64;
/// Stripes shared, with `fetch_add`, by the threads that own none.
pub(super) const SHARED: usize = 8;
/// A stripe never holds back this many net bytes (allocated − freed) from the live total.
pub(super) const PUBLISH_BYTES: u64 = 64 * 1024;
/// The net bytes at which an owned stripe publishes when it looks.
const SETTLE_BYTES: u64 = PUBLISH_BYTES / 2;

/// One thread's counters, alone on its cache lines.
#[repr(align(128))]
pub(super) struct Stripe {
    pub(super) allocations: AtomicU64,
    pub(super) deallocations: AtomicU64,
    pub(super) reallocations: AtomicU64,
    pub(super) allocated_bytes: AtomicU64,
    pub(super) freed_bytes: AtomicU64,
    /// Owned: when `allocated_bytes` reaches this, the stripe settles.
    settle_allocated: AtomicU64,
    /// Owned: when `freed_bytes` reaches this, the stripe settles.
    settle_freed: AtomicU64,
    /// Owned: the net bytes this stripe has added to [`LIVE`].
    published: AtomicI64,
    /// Shared: net bytes (allocated − freed) not yet added to [`LIVE`].
    unpublished: AtomicI64,
    /// Whether a thread owns this stripe (owned stripes only).
    taken: AtomicBool,
}

/// Adds `amount` to a counter only this thread writes (a plain load and store); returns
/// the new value.
#[inline]
fn bump(counter: &AtomicU64, amount: u64) -> u64 {
    let value = counter.load(Ordering::Relaxed).wrapping_add(amount);
    counter.store(value, Ordering::Relaxed);
    value
}

impl Stripe {
    const fn new() -> Self {
        Self {
            allocations: AtomicU64::new(0),
            deallocations: AtomicU64::new(0),
            reallocations: AtomicU64::new(0),
            allocated_bytes: AtomicU64::new(0),
            freed_bytes: AtomicU64::new(0),
            settle_allocated: AtomicU64::new(0),
            settle_freed: AtomicU64::new(0),
            published: AtomicI64::new(0),
            unpublished: AtomicI64::new(0),
            taken: AtomicBool::new(false),
        }
    }

    /// Counts an allocation on this thread's own stripe; returns whether the stripe
    /// must now [`settle`](Self::settle).
    #[inline]
    fn owned_allocation(&self, size: u64) -> bool {
        bump(&self.allocations, 1);
        bump(&self.allocated_bytes, size) >= self.settle_allocated.load(Ordering::Relaxed)
    }

    /// Counts a deallocation on this thread's own stripe; returns whether the stripe
    /// must now [`settle`](Self::settle).
    #[inline]
    fn owned_deallocation(&self, size: u64) -> bool {
        bump(&self.deallocations, 1);
        bump(&self.freed_bytes, size) >= self.settle_freed.load(Ordering::Relaxed)
    }

    /// Counts a reallocation that grew by `grown` bytes (shrank, if negative) on this
    /// thread's own stripe; returns whether the stripe must now [`settle`](Self::settle).
    #[inline]
    fn owned_reallocation(&self, grown: i64) -> bool {
        bump(&self.reallocations, 1);
        if grown >= 0 {
            bump(&self.allocated_bytes, grown.unsigned_abs())
                >= self.settle_allocated.load(Ordering::Relaxed)
        } else {
            bump(&self.freed_bytes, grown.unsigned_abs())
                >= self.settle_freed.load(Ordering::Relaxed)
        }
    }

    /// Owned: publishes the unpublished net once it has reached [`SETTLE_BYTES`] either
    /// way, then notes how far allocated and freed bytes may grow before it could reach
    /// [`PUBLISH_BYTES`] either way.
    fn settle(&self) {
        self.settle_with(SETTLE_BYTES);
    }

    /// [`settle`](Self::settle), publishing once the net has reached `at` bytes.
    fn settle_with(&self, at: u64) {
        let allocated = self.allocated_bytes.load(Ordering::Relaxed);
        let freed = self.freed_bytes.load(Ordering::Relaxed);
        let published = self.published.load(Ordering::Relaxed);
        let mut net = (allocated.wrapping_sub(freed) as i64).wrapping_sub(published);
        if net.unsigned_abs() >= at {
            publish(net);
            self.published
                .store(published.wrapping_add(net), Ordering::Relaxed);
            net = 0;
        }
        // |net| < 32 KiB here, so both limits are at least 32 KiB away.
        let limit = PUBLISH_BYTES as i64;
        self.settle_allocated.store(
            allocated.wrapping_add((limit - net) as u64),
            Ordering::Relaxed,
        );
        self.settle_freed
            .store(freed.wrapping_add((limit + net) as u64), Ordering::Relaxed);
    }

    /// Counts `change` on this thread's own stripe; returns whether the stripe must now
    /// [`settle`](Self::settle).
    #[inline]
    fn owned_change(&self, change: Change) -> bool {
        match change {
            Change::Allocation(size) => self.owned_allocation(size),
            Change::Deallocation(size) => self.owned_deallocation(size),
            Change::Reallocation(grown) => self.owned_reallocation(grown),
        }
    }

    /// Counts `change` on this thread's own stripe, settling it when that is due.
    fn owned_count(&self, change: Change) {
        if self.owned_change(change) {
            self.settle();
        }
    }

    /// Counts `change` on a shared stripe: `fetch_add` on each counter, and the net
    /// change into `unpublished`, published at [`PUBLISH_BYTES`] either way.
    fn shared(&self, change: Change) {
        let (count, allocated, freed) = match change {
            Change::Allocation(size) => (&self.allocations, size, 0),
            Change::Deallocation(size) => (&self.deallocations, 0, size),
            Change::Reallocation(grown) if grown >= 0 => {
                (&self.reallocations, grown.unsigned_abs(), 0)
            }
            Change::Reallocation(shrunk) => (&self.reallocations, 0, shrunk.unsigned_abs()),
        };
        count.fetch_add(1, Ordering::Relaxed);
        if allocated > 0 {
            self.allocated_bytes.fetch_add(allocated, Ordering::Relaxed);
        }
        if freed > 0 {
            self.freed_bytes.fetch_add(freed, Ordering::Relaxed);
        }
        let net = (allocated as i64).wrapping_sub(freed as i64);
        let held = self
            .unpublished
            .fetch_add(net, Ordering::Relaxed)
            .wrapping_add(net);
        if held.unsigned_abs() >= PUBLISH_BYTES {
            publish(self.unpublished.swap(0, Ordering::Relaxed));
        }
    }
}

/// The owned stripes, then the shared ones.
pub(super) static STRIPES: [Stripe; OWNED + SHARED] = [const { Stripe::new() }; OWNED + SHARED];
/// Where a thread that owns no stripe points its fast path: its settle limits stay 0, so
/// every count there goes on to [`count_slow`], which counts it where it belongs; what
/// the fast path wrote here is never read. It spares the fast path a test for "no stripe".
static SCRATCH: Stripe = Stripe::new();
static NEXT_SHARED: AtomicUsize = AtomicUsize::new(0);
/// Live bytes as published by the stripes (behind the exact figure by what they hold).
static LIVE: AtomicI64 = AtomicI64::new(0);
/// The highest [`LIVE`] (or exact live reading) since start or the last reset.
static PEAK: AtomicI64 = AtomicI64::new(0);

/// `SHARED_STRIPE` before the thread's first allocation.
const UNCLAIMED: usize = usize::MAX;

thread_local! {
    // Both `const` and `Cell`s of plain values: no lazy initialisation and no destructor,
    // so they are always there, even while the thread's other locals are torn down, and
    // using them never allocates.
    /// The stripe this thread owns, once it has claimed one (and until it exits); until
    /// then, and after, [`SCRATCH`].
    static OWN_STRIPE: Cell<&'static Stripe> = const { Cell::new(&SCRATCH) };
    /// Where the thread counts while it owns no stripe: [`UNCLAIMED`] before its first
    /// allocation, then the index of a shared stripe.
    static SHARED_STRIPE: Cell<usize> = const { Cell::new(UNCLAIMED) };
    // Gives the owned stripe back when the thread exits. Touched once, when the stripe
    // is claimed: registering its destructor may allocate, which then counts on a shared
    // stripe (see `claim`), never here.
    static GIVE_BACK: GiveBack = const { GiveBack };
}

struct GiveBack;

impl Drop for GiveBack {
    fn drop(&mut self) {
        // From here on the thread counts on a shared stripe (its last frees included):
        // `claim` left `SHARED_STRIPE` naming one.
        let own = OWN_STRIPE.try_with(|own| own.replace(&SCRATCH));
        if let Some(stripe) = own.ok().filter(|stripe| !std::ptr::eq(*stripe, &SCRATCH)) {
            // Publishes every net byte, and leaves the limits right for the next owner.
            stripe.settle_with(0);
            // Release: the next owner starts from everything this thread wrote.
            stripe.taken.store(false, Ordering::Release);
        }
    }
}

/// This thread's own stripe, if it has one.
#[inline]
fn owned() -> Option<&'static Stripe> {
    OWN_STRIPE
        .try_with(Cell::get)
        .ok()
        .filter(|stripe| !std::ptr::eq(*stripe, &SCRATCH))
}

/// The stripe of a thread that owns none yet (it claims one now) or shares one, and
/// whether the thread now owns it.
#[cold]
#[inline(never)]
fn not_owned() -> (&'static Stripe, bool) {
    let index = SHARED_STRIPE
        .try_with(|shared| match shared.get() {
            UNCLAIMED => claim(shared),
            index => index,
        })
        .unwrap_or(OWNED);
    (&STRIPES[index], index < OWNED)
}

/// One allocator call to count: bytes allocated or freed, or by how many bytes a
/// reallocation grew (negative: shrank). Two words, so the out-of-line path takes it in
/// registers and the fast path builds nothing in memory.
#[derive(Debug, Clone, Copy)]
pub(super) enum Change {
    Allocation(u64),
    Deallocation(u64),
    Reallocation(i64),
}

/// Counts `change` for this thread.
#[inline]
pub(super) fn count(change: Change) {
    if !count_fast(change) {
        count_slow(change);
    }
}

/// Counts `change` on this thread's own stripe and returns true, when the thread owns one
/// that need not settle now. Otherwise returns false, and [`count_slow`] with the same
/// `change` finishes the count: it settles the stripe (the change is counted) or counts
/// the change elsewhere (the thread owns no stripe: nothing was counted). Split so that a
/// caller can make its slow path a separate call, leaving its fast path with no frame.
#[inline]
pub(super) fn count_fast(change: Change) -> bool {
    let stripe = OWN_STRIPE.try_with(Cell::get).unwrap_or(&SCRATCH);
    !stripe.owned_change(change)
}

/// Finishes what [`count_fast`] left (it returned false for the same `change`).
#[cold]
#[inline(never)]
pub(super) fn count_slow(change: Change) {
    match owned() {
        Some(stripe) => stripe.settle(),
        None => match not_owned() {
            (stripe, true) => stripe.owned_count(change),
            (stripe, false) => stripe.shared(change),
        },
    }
}

/// Claims a free owned stripe for this thread and returns its index, or picks a shared
/// one (noted in `shared`) and returns that.
#[cold]
fn claim(shared: &Cell<usize>) -> usize {
    // While claiming (registering `GIVE_BACK` may allocate), and once the thread exits,
    // count on a shared stripe.
    shared.set(OWNED);
    for (index, stripe) in STRIPES[..OWNED].iter().enumerate() {
        // Acquire: this thread starts from everything the stripe's last owner wrote.
        if stripe
            .taken
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            if GIVE_BACK.try_with(|_| ()).is_ok()
                && OWN_STRIPE.try_with(|own| own.set(stripe)).is_ok()
            {
                return index;
            }
            // The thread's locals are being torn down: it could not give the stripe back.
            stripe.taken.store(false, Ordering::Release);
            return OWNED;
        }
    }
    let index = OWNED + NEXT_SHARED.fetch_add(1, Ordering::Relaxed) % SHARED;
    shared.set(index);
    index
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

    /// This thread's stripe (claimed now if it has none), and whether it owns it.
    fn mine() -> (&'static Stripe, bool) {
        owned().map_or_else(not_owned, |stripe| (stripe, true))
    }

    /// The net bytes `stripe` has counted and not published.
    fn unpublished(stripe: &Stripe) -> i64 {
        let allocated = stripe.allocated_bytes.load(Ordering::Relaxed);
        let freed = stripe.freed_bytes.load(Ordering::Relaxed);
        (allocated.wrapping_sub(freed) as i64)
            .wrapping_sub(stripe.published.load(Ordering::Relaxed))
    }

    #[test]
    fn an_owned_stripe_never_holds_back_64_kib_and_churn_publishes_nothing() {
        // A stripe of the test's own (not one of `STRIPES`), counted as its owner would.
        let stripe = Stripe::new();
        let count = |change| stripe.owned_count(change);
        let limit = PUBLISH_BYTES as i64;
        let mut held: Vec<u64> = Vec::new();
        let mut seed = 0x9e37_79b9_u64;
        // Phases: growth (to 3,000 blocks), mixed churn, shrinking, mixed churn.
        for phase in 0..4 {
            for _ in 0..20_000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let size = 1 + seed % 4096;
                match (phase, seed % 3) {
                    (0, _) | (1, 0) | (3, 0) if held.len() < 3000 => {
                        count(Change::Allocation(size));
                        held.push(size);
                    }
                    (1 | 3, 1) if !held.is_empty() => {
                        let old = held.pop().unwrap_or(0);
                        count(Change::Reallocation(size as i64 - old as i64));
                        held.push(size);
                    }
                    _ => {
                        if let Some(size) = held.pop() {
                            count(Change::Deallocation(size));
                        }
                    }
                }
                let net = unpublished(&stripe);
                assert!(net.abs() < limit, "phase {phase}: {net} bytes unpublished");
            }
        }
        // Churn that leaves the net where it is: it looks now and then, never publishes.
        stripe.settle_with(0);
        let published = stripe.published.load(Ordering::Relaxed);
        for round in 0..100_000u64 {
            let size = 16 + round % 4096;
            count(Change::Allocation(size));
            count(Change::Deallocation(size));
            let now = stripe.published.load(Ordering::Relaxed);
            assert_eq!(now, published, "churn published, at pair {round}");
        }
        // Giving the stripe back publishes all of it.
        stripe.settle_with(0);
        assert_eq!(unpublished(&stripe), 0);
    }

    #[test]
    fn a_threads_counts_before_it_owns_a_stripe_are_not_lost() {
        // Only the tests here count, and this one alone counts bytes into `STRIPES`.
        let totals = || {
            STRIPES.iter().fold((0, 0), |(allocated, freed), stripe| {
                (
                    allocated + stripe.allocated_bytes.load(Ordering::Relaxed),
                    freed + stripe.freed_bytes.load(Ordering::Relaxed),
                )
            })
        };
        let before = totals();
        let owned_none_first = std::thread::spawn(|| {
            let owned_none = owned().is_none();
            // The fast path counts on `SCRATCH` and leaves it to the slow path, which
            // claims a stripe (or a shared one, if another test holds them all).
            count(Change::Allocation(1000));
            count(Change::Reallocation(500));
            count(Change::Deallocation(1500));
            owned_none
        })
        .join()
        .expect("the thread ran");
        assert!(
            owned_none_first,
            "the thread owned a stripe before it counted"
        );
        let after = totals();
        assert_eq!(after.0 - before.0, 1500, "bytes allocated");
        assert_eq!(after.1 - before.1, 1500, "bytes freed");
    }

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
