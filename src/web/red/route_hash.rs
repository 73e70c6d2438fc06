//! A fast, unkeyed hasher for the route table. Its keys are route patterns, which come
//! from the application's own resource definitions, never from a client, so there is
//! no flooding to defend against and SipHash's cost buys nothing.

use std::hash::{BuildHasherDefault, Hasher};

/// rustc's FxHash: multiply-rotate over 8-byte words.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RouteHasher(u64);

/// The `BuildHasher` of the route table.
pub(crate) type BuildRouteHasher = BuildHasherDefault<RouteHasher>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl RouteHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for RouteHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut tail = [0; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn different_routes_hash_differently() {
        let build = BuildRouteHasher::default();
        let routes = [
            "/",
            "/a",
            "/b",
            "/items/{id}",
            "/items/{id}/",
            "/users/{id}/orders",
        ];
        let hashes: std::collections::HashSet<u64> =
            routes.iter().map(|r| build.hash_one(r)).collect();
        assert_eq!(hashes.len(), routes.len());
    }
}
