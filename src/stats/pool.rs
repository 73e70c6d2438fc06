/// What one slot of a [`Pool`] is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlotState {
    /// Nobody holds it.
    Free,
    /// Held and working (a connection handling a request).
    Active,
    /// Held but waiting (a keep-alive connection between requests).
    Idle,
    /// Held and being shut down.
    Closing,
}

impl SlotState {
    /// The letter the JSON slot map uses: `f`, `a`, `i` or `c`.
    #[must_use]
    pub fn letter(self) -> char {
        match self {
            Self::Free => 'f',
            Self::Active => 'a',
            Self::Idle => 'i',
            Self::Closing => 'c',
        }
    }
}

/// A fixed-capacity pool or slab seen from its owner: capacity, how much is in use, the
/// high-water mark, acquisitions, refused acquisitions (overflow) and, optionally, the
/// state of every slot. Plain fields, `&mut self`, no allocation after construction.
///
/// Count-only: [`acquire`](Self::acquire) / [`release`](Self::release). With slots
/// ([`with_slots`](Self::with_slots)): [`acquire_slot`](Self::acquire_slot) hands out a
/// slot number, [`set_state`](Self::set_state) moves it between active, idle and closing,
/// and [`release_slot`](Self::release_slot) frees it.
///
/// Unlike `Counter` and friends, a `Pool` keeps counting with the `metrics` feature off:
/// its owner may rely on the slot numbers it hands out.
///
/// ```
/// use actorscope::stats::{Pool, SlotState};
///
/// let mut connections = Pool::with_slots(2);
/// let first = connections.acquire_slot().unwrap();
/// let second = connections.acquire_slot().unwrap();
/// assert_eq!(connections.acquire_slot(), None); // full: counted as overflow
/// connections.set_state(second, SlotState::Idle);
/// connections.release_slot(first);
/// assert_eq!((connections.in_use(), connections.high_water(), connections.overflows()), (1, 2, 1));
/// assert_eq!(connections.slot_letters().collect::<String>(), "fi");
/// ```
#[derive(Debug, Clone)]
pub struct Pool {
    capacity: usize,
    in_use: usize,
    high_water: usize,
    acquisitions: u64,
    overflows: u64,
    slots: Vec<SlotState>,
    /// Free slot numbers, most recently freed last (slots mode only).
    free: Vec<usize>,
}

impl Default for Pool {
    /// An empty pool of capacity 0, counting only; give it a capacity with
    /// [`Pool::new`] or [`Pool::with_slots`].
    fn default() -> Self {
        Self::new(0)
    }
}

impl Pool {
    /// A pool of `capacity` that counts, without per-slot states.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            in_use: 0,
            high_water: 0,
            acquisitions: 0,
            overflows: 0,
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// A pool of `capacity` slots whose states are kept (for the dashboard's grid).
    #[must_use]
    pub fn with_slots(capacity: usize) -> Self {
        Self {
            slots: vec![SlotState::Free; capacity],
            free: (0..capacity).rev().collect(),
            ..Self::new(capacity)
        }
    }

    /// Takes one unit; `false` (and one overflow) when the pool is full.
    pub fn acquire(&mut self) -> bool {
        if self.in_use >= self.capacity {
            self.overflows += 1;
            return false;
        }
        self.take();
        true
    }

    /// Gives one unit back.
    pub fn release(&mut self) {
        self.in_use = self.in_use.saturating_sub(1);
    }

    /// Counts an acquisition the owner refused for its own reasons (e.g. a queue limit).
    pub fn refuse(&mut self) {
        self.overflows += 1;
    }

    /// Sets how much is in use (for owners that count it themselves).
    pub fn set_in_use(&mut self, in_use: usize) {
        self.in_use = in_use;
        self.high_water = self.high_water.max(in_use);
    }

    /// Takes a free slot, marked active; `None` (and one overflow) when none is free.
    /// Without slots it behaves as [`Self::acquire`] and returns slot 0.
    pub fn acquire_slot(&mut self) -> Option<usize> {
        if self.slots.is_empty() {
            return self.acquire().then_some(0);
        }
        let Some(slot) = self.free.pop() else {
            self.overflows += 1;
            return None;
        };
        self.slots[slot] = SlotState::Active;
        self.take();
        Some(slot)
    }

    /// Moves a held slot to `state` (use [`Self::release_slot`] to free it).
    pub fn set_state(&mut self, slot: usize, state: SlotState) {
        if let Some(current) = self.slots.get_mut(slot) {
            if *current != SlotState::Free && state != SlotState::Free {
                *current = state;
            }
        }
    }

    /// Frees a held slot. Without slots it behaves as [`Self::release`].
    pub fn release_slot(&mut self, slot: usize) {
        if self.slots.is_empty() {
            self.release();
            return;
        }
        if let Some(state) = self.slots.get_mut(slot) {
            if *state != SlotState::Free {
                *state = SlotState::Free;
                self.free.push(slot);
                self.release();
            }
        }
    }

    fn take(&mut self) {
        self.in_use += 1;
        self.acquisitions += 1;
        self.high_water = self.high_water.max(self.in_use);
    }

    /// Starts a new high-water mark from what is in use now.
    pub fn reset_high_water(&mut self) {
        self.high_water = self.in_use;
    }

    /// The capacity.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How much is in use.
    #[must_use]
    pub fn in_use(&self) -> usize {
        self.in_use
    }

    /// The most ever in use at once (since the last reset).
    #[must_use]
    pub fn high_water(&self) -> usize {
        self.high_water
    }

    /// Successful acquisitions.
    #[must_use]
    pub fn acquisitions(&self) -> u64 {
        self.acquisitions
    }

    /// Refused acquisitions.
    #[must_use]
    pub fn overflows(&self) -> u64 {
        self.overflows
    }

    /// Whether per-slot states are kept.
    #[must_use]
    pub fn has_slots(&self) -> bool {
        !self.slots.is_empty()
    }

    /// The state of each slot as its letter (empty without slots).
    pub fn slot_letters(&self) -> impl Iterator<Item = char> + '_ {
        self.slots.iter().map(|state| state.letter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_pool_refuses_past_capacity_and_keeps_the_high_water_mark() {
        let mut pool = Pool::new(2);
        assert!(pool.acquire() && pool.acquire());
        assert!(!pool.acquire());
        pool.release();
        pool.release();
        pool.release(); // one too many: stays at zero
        assert!(pool.acquire());
        assert_eq!(
            (
                pool.in_use(),
                pool.high_water(),
                pool.acquisitions(),
                pool.overflows()
            ),
            (1, 2, 3, 1)
        );
        pool.reset_high_water();
        assert_eq!(pool.high_water(), 1);
    }

    #[test]
    fn slots_are_reused_and_a_free_slot_cannot_change_state() {
        let mut pool = Pool::with_slots(3);
        let a = pool.acquire_slot().unwrap();
        let b = pool.acquire_slot().unwrap();
        assert_eq!((a, b), (0, 1));
        pool.release_slot(a);
        pool.release_slot(a); // twice: ignored
        pool.set_state(a, SlotState::Idle); // free: ignored
        assert_eq!(pool.slot_letters().collect::<String>(), "faf");
        assert_eq!(
            pool.acquire_slot(),
            Some(0),
            "the freed slot is reused first"
        );
        pool.set_state(b, SlotState::Closing);
        assert_eq!(pool.slot_letters().collect::<String>(), "acf");
        assert_eq!(pool.in_use(), 2);
    }
}
