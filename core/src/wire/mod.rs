//! Bytes out: sinks, JSON and base64 writers.
//!
//! Every emitter in the crate is written once, generic over [`Sink`]. Run it into a [`Counter`]
//! and you get the exact length; run it into a [`SliceWriter`] and you get the bytes. The two can
//! never disagree, which is what makes "size the buffer first" exact.

pub mod base64;
pub mod json;
pub mod sink;

pub use sink::{Counter, Sink, SliceWriter};

/// Standard base64 length (with `=` padding) of `n` input bytes, or `None` on overflow.
pub const fn base64_len(n: usize) -> Option<usize> {
    match n.checked_add(2) {
        Some(m) => (m / 3).checked_mul(4),
        None => None,
    }
}
