//! The std side of upticket's test suites.
//!
//! * [`reference`](mod@reference): an independent std implementation of the policy, signature and ticket format
//!   of `docs/policy.md`, written from that page alone (no calls into `upticket`).
//! * [`e2e`](mod@e2e): harness for end-to-end uploads against real S3-compatible servers.
pub mod e2e;
pub mod reference;
