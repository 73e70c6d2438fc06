//! A fast, per-family seeded hasher for label sets.
//!
//! Correctness never depends on it: equal hashes are always confirmed by comparing the
//! label sets (see `MetricFamily::insert`). Seeding from `RandomState` keeps collisions
//! unpredictable from outside the process.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// The multiplier of rustc's FxHash (v2).
const MULTIPLIER: u64 = 0xf135_7aea_2e62_a9c5;

/// Builds [`LabelHasher`]s that start from this family's random seed.
#[derive(Debug, Clone)]
pub(crate) struct LabelHashSeed(u64);

impl LabelHashSeed {
    pub(crate) fn new() -> Self {
        Self(RandomState::new().hash_one(0x5eed_u64))
    }
}

impl BuildHasher for LabelHashSeed {
    type Hasher = LabelHasher;

    fn build_hasher(&self) -> LabelHasher {
        LabelHasher(self.0)
    }
}

/// Multiply-rotate over 8-byte words, with a final avalanche.
#[derive(Debug)]
pub(crate) struct LabelHasher(u64);

impl LabelHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.mix(value as u64);
    }

    fn finish(&self) -> u64 {
        let mut hash = self.0;
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^ (hash >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_input_hashes_equal_and_small_changes_differ() {
        let seed = LabelHashSeed::new();
        let hash = |text: &str| seed.hash_one(text);
        assert_eq!(hash("worker=3"), hash("worker=3"));
        let variants = [
            "worker=3",
            "worker=4",
            "worker=30",
            "worker=",
            "",
            "worker=3\0",
        ];
        let distinct: std::collections::HashSet<u64> = variants.iter().map(|v| hash(v)).collect();
        assert_eq!(distinct.len(), variants.len());
    }
}
