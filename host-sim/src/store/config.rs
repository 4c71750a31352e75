//! What a store is started with, and the state its connection threads share.

use std::path::PathBuf;

use super::clock::Clock;
use super::multipart::FormLimits;
use super::objects::ObjectStore;

/// An access key the store accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Access key id (`OSSAccessKeyId`, `AWSAccessKeyId`, first element of `x-*-credential`).
    pub access_key_id: String,
    /// Secret access key.
    pub secret: String,
    /// STS security token: when set, forms signed with this key must carry exactly it
    /// (`x-oss-security-token` / `x-amz-security-token`); when unset, they must carry none.
    pub security_token: Option<String>,
}

impl Credential {
    /// A long-term key without a security token.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
            security_token: None,
        }
    }

    /// The same key bound to an STS security token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(token.into());
        self
    }
}

/// How to start a store.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// Address to listen on; must be a loopback address (`127.0.0.1:0` picks a free port).
    pub bind: String,
    /// Directory for the buckets' objects (created if missing).
    pub root_dir: PathBuf,
    /// Buckets that exist (each a directory under `root_dir`).
    pub buckets: Vec<String>,
    /// Accepted keys.
    pub credentials: Vec<Credential>,
    /// The store's region: V4 credential scopes must name it.
    pub region: String,
    /// Virtual-hosted domain: `Host: BUCKET.DOMAIN[:PORT]` addresses `BUCKET`. Other hosts are
    /// path-style (`/BUCKET/KEY`).
    pub domain: Option<String>,
    /// Source of "now" for expiration and V4 date checks.
    pub clock: Clock,
    /// Bounds on forms and files.
    pub limits: FormLimits,
}

impl StoreConfig {
    /// A config on `127.0.0.1:0` with region `us-east-1`, no domain, the system clock and the
    /// default limits.
    pub fn new(
        root_dir: impl Into<PathBuf>,
        buckets: &[&str],
        credentials: Vec<Credential>,
    ) -> Self {
        Self {
            bind: "127.0.0.1:0".to_owned(),
            root_dir: root_dir.into(),
            buckets: buckets.iter().map(|b| (*b).to_owned()).collect(),
            credentials,
            region: "us-east-1".to_owned(),
            domain: None,
            clock: Clock::system(),
            limits: FormLimits::default(),
        }
    }
}

/// State shared by the server's threads.
#[derive(Debug)]
pub struct Shared {
    /// Accepted keys.
    pub credentials: Vec<Credential>,
    /// The store's region.
    pub region: String,
    /// Virtual-hosted domain, lower-case.
    pub domain: Option<String>,
    /// "Now".
    pub clock: Clock,
    /// Form bounds.
    pub limits: FormLimits,
    /// The objects on disk.
    pub objects: ObjectStore,
}
