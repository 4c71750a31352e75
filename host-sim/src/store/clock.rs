//! The store's notion of "now", injectable so that tests can expire tickets deterministically.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the store reads the current time from.
///
/// Cloning a manual clock shares it: [`Clock::set`] on any clone moves every clone.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The host's system clock.
    pub fn system() -> Self {
        Self { manual_ms: None }
    }

    /// A clock that stands still at `unix` seconds until [`Clock::set`] moves it.
    pub fn manual(unix: i64) -> Self {
        Self {
            manual_ms: Some(Arc::new(AtomicI64::new(unix.saturating_mul(1000)))),
        }
    }

    /// Moves a manual clock to `unix` seconds; a system clock ignores it and returns `false`.
    pub fn set(&self, unix: i64) -> bool {
        match &self.manual_ms {
            Some(ms) => {
                ms.store(unix.saturating_mul(1000), Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual_ms {
            Some(ms) => ms.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
        }
    }
}
