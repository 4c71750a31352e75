//! Replay protection per camera: a high-water mark and the nonces of the last moments.
//!
//! Each camera's newest accepted timestamp is remembered. A request more than
//! [`REORDER_SECS`] older than that is refused outright, so only requests near the mark can be
//! replays, and only their nonces need remembering: at most `K` per camera (a digest and the
//! timestamp each). Memory is `CAMERAS × K` entries however long the gateway runs and however
//! wide the clock-skew window is. When a camera has `K` live nonces the gateway answers 429
//! rather than forget one, so a replay can never slip through.
//!
//! The state is in RAM: after a restart, a request captured within the skew window before the
//! restart could be replayed once. Tickets are short-lived and bound to one exact key, which
//! limits what such a replay can do.

use sha2::{Digest, Sha256};

/// How far a camera's requests may arrive out of timestamp order.
pub const REORDER_SECS: u64 = 1;
/// Default nonces remembered per camera (the firmware's value): eight requests within
/// `REORDER_SECS`.
pub const REPLAY_PER_CAMERA: usize = 8;

/// What happened to a request's nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Admission {
    /// First use: remembered.
    Fresh,
    /// The same nonce was accepted before.
    Replayed,
    /// Older than the camera's newest accepted request by more than [`REORDER_SECS`].
    OutOfOrder,
    /// The camera has `K` live nonces; it must slow down.
    Full,
}

/// One remembered nonce: its digest and timestamp (`timestamp == 0`: empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entry {
    digest: u64,
    timestamp: u64,
}

/// One camera's replay state, `K` nonces.
#[derive(Clone, Copy, Debug)]
pub struct ReplayGuard<const K: usize = REPLAY_PER_CAMERA> {
    newest: u64,
    entries: [Entry; K],
}

impl<const K: usize> Default for ReplayGuard<K> {
    fn default() -> Self {
        ReplayGuard {
            newest: 0,
            entries: [Entry::default(); K],
        }
    }
}

fn digest(nonce: &str) -> u64 {
    let full = Sha256::digest(nonce.as_bytes());
    let mut first = [0u8; 8];
    for (d, f) in first.iter_mut().zip(full.iter()) {
        *d = *f;
    }
    u64::from_le_bytes(first)
}

impl<const K: usize> ReplayGuard<K> {
    /// Admits `nonce` sent at `timestamp` (Unix seconds, at least 1).
    pub fn admit(&mut self, nonce: &str, timestamp: u64) -> Admission {
        if timestamp.saturating_add(REORDER_SECS) < self.newest {
            return Admission::OutOfOrder;
        }
        let digest = digest(nonce);
        let newest = self.newest.max(timestamp);
        let live =
            |e: &Entry| e.timestamp != 0 && e.timestamp.saturating_add(REORDER_SECS) >= newest;
        if self.entries.iter().any(|e| live(e) && e.digest == digest) {
            return Admission::Replayed;
        }
        match self.entries.iter_mut().find(|e| !live(e)) {
            Some(slot) => {
                *slot = Entry { digest, timestamp };
                self.newest = newest;
                Admission::Fresh
            }
            None => Admission::Full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_while_it_could_be_replayed() {
        let mut g = ReplayGuard::<4>::default();
        assert_eq!(g.admit("aaaaaaaaaaaaaaaa", 1000), Admission::Fresh);
        assert_eq!(g.admit("aaaaaaaaaaaaaaaa", 1000), Admission::Replayed);
        assert_eq!(g.admit("bbbbbbbbbbbbbbbb", 1001), Admission::Fresh);
        assert_eq!(g.admit("aaaaaaaaaaaaaaaa", 1000), Admission::Replayed);
        // Once the mark has moved on, the old request is out of order, never accepted again.
        assert_eq!(g.admit("cccccccccccccccc", 1005), Admission::Fresh);
        assert_eq!(g.admit("aaaaaaaaaaaaaaaa", 1000), Admission::OutOfOrder);
        assert_eq!(g.admit("bbbbbbbbbbbbbbbb", 1001), Admission::OutOfOrder);
        // A slightly late request within the slack is fine.
        assert_eq!(g.admit("dddddddddddddddd", 1004), Admission::Fresh);
    }

    #[test]
    fn a_full_guard_refuses_rather_than_forgets() {
        let mut g = ReplayGuard::<2>::default();
        assert_eq!(g.admit("n1n1n1n1n1n1n1n1", 50), Admission::Fresh);
        assert_eq!(g.admit("n2n2n2n2n2n2n2n2", 50), Admission::Fresh);
        assert_eq!(g.admit("n3n3n3n3n3n3n3n3", 50), Admission::Full);
        assert_eq!(g.admit("n1n1n1n1n1n1n1n1", 50), Admission::Replayed);
        // Two seconds later both entries have aged out of the slack; their requests are now
        // refused as out of order, so their slots can be reused.
        assert_eq!(g.admit("n3n3n3n3n3n3n3n3", 52), Admission::Fresh);
        assert_eq!(g.admit("n1n1n1n1n1n1n1n1", 50), Admission::OutOfOrder);
    }
}
