//! An independent std implementation of `docs/policy.md`, written from that page alone.
//!
//! It shares no code with `upticket`: its own input model ([`model`]), validation ([`validate`]),
//! civil time ([`civil`]), policy and callback JSON built with `serde_json` ([`policy`]), the
//! HMAC key chains ([`sign`]) and the ticket with its URL, form fields and JSON shapes
//! ([`ticket`]). It favours plainness over speed: every output is an owned `String`.
//!
//! ```
//! use upticket_tests::reference::{issue, model::*};
//!
//! let ticket = issue(
//!     &Target::new(Scheme::OssV4, "examplebucket", "oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
//!     &Credentials::new("44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"),
//!     &PolicySpec::new(Conditioned::starts_with("cam/0001/x.jpg", "cam/0001/")),
//!     Time { now: 1_701_605_532, lifetime: 2_868 },
//! )
//! .unwrap();
//! assert_eq!(ticket.url, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com");
//! assert_eq!(ticket.expiration, "2023-12-03T13:00:00.000Z");
//! ```

pub mod civil;
pub mod error;
pub mod model;
pub mod policy;
pub mod sign;
pub mod ticket;
pub mod validate;

pub use error::{Error, Field};
pub use ticket::{Shape, Ticket, issue, ticket_json};
