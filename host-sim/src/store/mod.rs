//! A std object store that enforces browser-form uploads (PostObject) the way the real services
//! do, to judge upticket's tickets without a cloud account.
//!
//! It speaks OSS PostObject (V1 `OSSAccessKeyId` + `Signature` HMAC-SHA1; V4
//! `x-oss-signature-version` / `x-oss-credential` / `x-oss-date` / `x-oss-signature` with the
//! `aliyun_v4` key chain) and S3 POST (SigV4 `x-amz-*`; V2 `AWSAccessKeyId` + `signature`, so
//! that OSS V1 math can be posted the way real S3 servers take it). It is written from
//! `protocol.md`, not from upticket's code, and never calls `upticket`.
//!
//! What a POST must satisfy, in the order it is checked:
//!
//! 1. well-formed `multipart/form-data` within [`FormLimits`] (S3 also: at most 20 KiB of field
//!    names and values, `MaxPostPreDataLengthExceeded`); field names are case-insensitive and may
//!    not repeat; a `file` part is present (OSS: and last; S3: later parts are ignored); a `key`;
//! 2. one signature scheme's fields, all present (`InvalidArgument`); V4: algorithm, credential
//!    scope `AK/YYYYMMDD/REGION/SERVICE/TERMINATOR` whose day is the `x-*-date` day, whose region
//!    is the store's and whose service and terminator are the scheme's (`InvalidArgument`); OSS V4:
//!    `x-oss-date` at most 15 min ahead (`RequestTimeTooSkewed`) and at most 7 days old;
//! 3. a known access key (`InvalidAccessKeyId`); the security token, when the key has one, sent
//!    and equal, and none sent otherwise (S3 `InvalidToken`, OSS `InvalidAccessKeyId`);
//! 4. the signature, compared in constant time (`SignatureDoesNotMatch`);
//! 5. the policy: base64 JSON with exactly `expiration` and `conditions`, non-empty conditions of
//!    known kinds (`InvalidPolicyDocument`; `in`/`not-in` only for OSS);
//! 6. not expired against the injectable [`Clock`] (`AccessDenied` "Policy expired.");
//! 7. every condition in order: exact/`eq`, `starts-with`, `in`, `not-in` (a named field must be
//!    present; `bucket` is the addressed bucket), `content-length-range` inclusive
//!    (`EntityTooSmall` / `EntityTooLarge`); S3: every form field except `policy`, the signature,
//!    `AWSAccessKeyId`, `file` and `x-ignore-*` covered ("Extra input fields: …");
//! 8. V4: the policy pins the algorithm, credential and date fields exactly (so `x-*-date`
//!    equals the policy's); every scheme but OSS V1 pins a token that is sent ("Policy missing
//!    condition: …");
//! 9. a key of 1..=1023 bytes after `${filename}` expansion (S3 expands before step 7, OSS
//!    after); OSS `x-oss-forbid-overwrite: true` on an existing key (`FileAlreadyExists`); a
//!    well-formed `callback`.
//!
//! Accepted objects land on disk (a directory per bucket) and the answer follows
//! `success_action_status` (204 default, 200, 201 with a `PostResponse`) or
//! `success_action_redirect` (303). A form with an OSS `callback` is stored and answered with
//! 203 `CallbackFailed`: the simulator never calls out. Errors are the services' XML `<Error>`.
//!
//! Addressing is virtual-hosted (`Host: BUCKET.DOMAIN`, with [`StoreConfig::domain`]) or
//! path-style (`/BUCKET`). `GET`/`HEAD /BUCKET/KEY` read an object back **without
//! authentication**: acceptable for a simulator that only binds loopback addresses, which
//! [`Store::start`] enforces.

mod clock;
mod config;
mod error;
mod http;
mod multipart;
mod objects;
mod policy;
mod post;
mod signature;
#[cfg(test)]
mod tests;
pub mod time;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

pub use clock::Clock;
pub use config::{Credential, StoreConfig};
pub use error::StoreError;
pub use multipart::FormLimits;
pub use objects::StoredObject;

use config::Shared;
use objects::ObjectStore;

/// The store's entry point.
pub struct Store;

impl Store {
    /// Creates the bucket directories and starts serving on `config.bind`, which must be a
    /// loopback address.
    pub fn start(config: StoreConfig) -> io::Result<RunningStore> {
        let addr = config
            .bind
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no bind address"))?;
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the store serves unauthenticated reads and binds loopback addresses only",
            ));
        }
        let objects = ObjectStore::open(&config.root_dir, &config.buckets)?;
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            credentials: config.credentials,
            region: config.region,
            domain: config.domain.map(|d| d.to_ascii_lowercase()),
            clock: config.clock,
            limits: config.limits,
            objects,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = thread::Builder::new()
            .name("upticket-store".into())
            .spawn({
                let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
                move || http::serve(listener, shared, stop)
            })?;
        Ok(RunningStore {
            addr,
            root_dir: config.root_dir,
            shared,
            stop,
            thread: Some(thread),
        })
    }
}

/// A running store; dropping it stops the server.
pub struct RunningStore {
    addr: SocketAddr,
    root_dir: PathBuf,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RunningStore {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`, the endpoint to put in a ticket's target.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// The directory holding the buckets.
    pub fn root_dir(&self) -> &std::path::Path {
        &self.root_dir
    }

    /// The clock the store checks expiration against.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Reads an object straight from disk (no HTTP), `None` when it is not stored.
    pub fn object(&self, bucket: &str, key: &str) -> io::Result<Option<StoredObject>> {
        self.shared.objects.get(bucket, key)
    }
}

impl Drop for RunningStore {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
