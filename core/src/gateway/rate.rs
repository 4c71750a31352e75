//! Per-camera rate limiting: a token bucket refilled from the request clock.

/// Requests a camera may make at once.
pub const DEFAULT_BURST: u32 = 10;
/// Requests a camera may make per minute, sustained.
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// Tokens are counted in 1/60 to keep per-minute refills exact with whole seconds.
const SCALE: u64 = 60;

/// One camera's bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Scaled tokens left.
    tokens: u64,
    /// Last refill, Unix seconds (`None`: never used, full).
    last: Option<u64>,
}

/// A rate: burst size and sustained requests per minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rate {
    /// Bucket size.
    pub burst: u32,
    /// Refill per minute.
    pub per_minute: u32,
}

impl Default for Rate {
    fn default() -> Self {
        Rate {
            burst: DEFAULT_BURST,
            per_minute: DEFAULT_PER_MINUTE,
        }
    }
}

impl Bucket {
    /// Takes one token at time `now`; `false` when the camera is over its rate.
    pub fn take(&mut self, rate: Rate, now: u64) -> bool {
        let cap = u64::from(rate.burst).saturating_mul(SCALE);
        let tokens = match self.last {
            None => cap,
            Some(last) => {
                // `per_minute` tokens per 60 s: (elapsed * per_minute / 60) tokens, scaled by 60.
                let refill = now
                    .saturating_sub(last)
                    .saturating_mul(u64::from(rate.per_minute));
                self.tokens.saturating_add(refill).min(cap)
            }
        };
        self.last = Some(now.max(self.last.unwrap_or(0)));
        match tokens.checked_sub(SCALE) {
            Some(left) => {
                self.tokens = left;
                true
            }
            None => {
                self.tokens = tokens;
                false
            }
        }
    }
}
