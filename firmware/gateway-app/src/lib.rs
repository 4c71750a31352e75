//! The upticket gateway, independent of any board.
//!
//! A board brings a network device ([`smoltcp::phy::Device`]), a status LED
//! ([`embedded_hal::digital::OutputPin`]) and a [`Timebase`]; this crate runs the smoltcp
//! interface and a pool of TCP connections on one port, frames each HTTP/1.1 request with the
//! core's [`framing`](upticket::gateway::http::framing) and hands its bytes to a [`Service`],
//! which writes the response bytes. Every connection carries one request and is closed after
//! the response, exactly as the host simulator serves it.
//!
//! No heap: all buffers live in a [`Storage`] the board places in a `static`.
#![cfg_attr(not(test), no_std)]

mod log;

mod server;
mod service;
pub mod sntp;

pub use server::{Gateway, NetConfig, Storage, TimeServer};
pub use service::{CAMERAS, Upticket};

/// The gateway's request handler: request bytes and the time in, response bytes out.
pub trait Service {
    /// Handles one HTTP request (complete, or what arrived of an invalid or truncated one) and
    /// writes the complete HTTP response into `response`, returning its length. `now_unix` is
    /// UTC Unix seconds, or `None` while the board's time is not trusted yet.
    fn handle(&mut self, request: &[u8], now_unix: Option<u64>, response: &mut [u8]) -> usize;
}

/// Time as the board knows it, and how it waits.
pub trait Timebase {
    /// Monotonic milliseconds since boot.
    fn now_ms(&self) -> u64;
    /// UTC Unix seconds, once the board trusts its time source (RTC, network time,
    /// or semihosting in QEMU).
    fn unix_time(&self) -> Option<u64>;
    /// Sleeps until `deadline_ms` (never past it) or until the network device may have
    /// something to do, whichever comes first. `None`: no deadline.
    fn idle(&mut self, deadline_ms: Option<u64>);
}
