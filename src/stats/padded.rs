use std::ops::{Deref, DerefMut};

/// Aligns one worker's stats to 128 bytes so two workers' stats never share a cache line.
///
/// Two cores writing to the same cache line slow each other down ("false sharing") even
/// though they never touch the same bytes. 128 bytes covers x86's adjacent-line
/// prefetcher as well as the 64-byte line itself.
///
/// ```
/// use actorscope::stats::{Counter, Padded};
///
/// #[derive(Default)]
/// struct ShardStats {
///     gets: Counter,
/// }
///
/// let mut stats = Padded::new(ShardStats::default());
/// stats.gets.inc();
/// assert_eq!(stats.gets.get(), 1);
/// assert_eq!(std::mem::align_of::<Padded<ShardStats>>(), 128);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(align(128))]
pub struct Padded<T>(T);

impl<T> Padded<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Padded<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
