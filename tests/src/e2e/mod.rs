//! End-to-end harness: real S3-compatible servers (SeaweedFS, MiniStack) and the embedded store,
//! a browser-style form client and header-signed SigV4 requests, all over loopback.
//!
//! The servers come from `scripts/e2e/install.sh` (a venv in `.e2e/venv`); when it is missing
//! the harness panics with that instruction instead of skipping. Every server process runs in
//! its own process group under `timeout`, is killed on drop, and binds 127.0.0.1 only.

pub mod http_client;
pub mod process;
pub mod report;
pub mod servers;
pub mod sigv4;
pub mod tempdir;
pub mod tickets;
pub mod venv;

pub use http_client::{FilePart, HttpResponse, post_form};
pub use report::Table;
pub use servers::{Embedded, MiniStack, SeaweedFs, Server, create_bucket, read_back};
pub use tickets::{Issue, IssuedTicket, issue, unix_now};
