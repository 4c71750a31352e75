//! The std side of upticket's test suites.
//!
//! * [`reference`](mod@reference): an independent std implementation of the policy, signature and ticket format
//!   of `docs/policy.md`, written from that page alone (no calls into `upticket`).
//! * [`browser`](mod@browser): headless Chromium driven over chromedriver's W3C WebDriver API.
//! * [`e2e`](mod@e2e): harness for end-to-end uploads against real S3-compatible servers.
pub mod browser;
pub mod e2e;
pub mod reference;
