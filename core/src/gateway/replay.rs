//! A bounded replay cache: every nonce seen within the timestamp window, per camera.
//!
//! Entries are a 16-byte digest of (camera, nonce) and the request timestamp. An entry whose
//! timestamp has left the window can be reused: a replay of it would be refused as stale anyway.
//! When every slot holds a live entry the cache refuses new requests (429) rather than forget
//! one, so a replay can never slip through.

use sha2::{Digest, Sha256};

use super::auth::MAX_CLOCK_SKEW_SECS;

/// How many live nonces the gateway remembers.
pub const REPLAY_CACHE_LEN: usize = 128;

/// What happened to a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Admission {
    /// First use: remembered.
    Fresh,
    /// Seen before within the window.
    Replayed,
    /// Every slot is live; try later.
    Full,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entry {
    digest: [u8; 16],
    timestamp: u64,
    used: bool,
}

/// The cache; `N` slots.
#[derive(Clone, Debug)]
pub struct ReplayCache<const N: usize = REPLAY_CACHE_LEN> {
    entries: [Entry; N],
}

impl<const N: usize> Default for ReplayCache<N> {
    fn default() -> Self {
        ReplayCache {
            entries: [Entry::default(); N],
        }
    }
}

impl<const N: usize> ReplayCache<N> {
    /// Admits (camera, nonce) sent at `timestamp`, seen by a gateway whose clock says `now`.
    pub fn admit(&mut self, camera: &str, nonce: &str, timestamp: u64, now: u64) -> Admission {
        let mut hasher = Sha256::new();
        hasher.update(camera.as_bytes());
        hasher.update([0u8]);
        hasher.update(nonce.as_bytes());
        let full = hasher.finalize();
        let mut digest = [0u8; 16];
        for (d, f) in digest.iter_mut().zip(full.iter()) {
            *d = *f;
        }
        let live = |e: &Entry| e.used && e.timestamp.saturating_add(2 * MAX_CLOCK_SKEW_SECS) >= now;
        if self.entries.iter().any(|e| live(e) && e.digest == digest) {
            return Admission::Replayed;
        }
        match self.entries.iter_mut().find(|e| !live(e)) {
            Some(slot) => {
                *slot = Entry {
                    digest,
                    timestamp,
                    used: true,
                };
                Admission::Fresh
            }
            None => Admission::Full,
        }
    }
}
