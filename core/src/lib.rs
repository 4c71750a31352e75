//! # upticket
//!
//! Short-lived **upload tickets** for LAN cameras: a gateway that holds a cloud credential signs a
//! POST policy and hands the camera the exact `multipart/form-data` fields of one PostObject, so
//! the camera uploads straight to Alibaba Cloud OSS or an S3-compatible store without ever
//! holding a secret.
//!
//! `#![no_std]`, no heap, no panics, no `unsafe`. Every output goes into a caller buffer whose
//! exact size can be computed first; a buffer that is too small is an error, never truncation.
//!
//! ## Schemes
//!
//! | [`Scheme`] | signature | use |
//! |---|---|---|
//! | [`Scheme::OssV4`] | `OSS4-HMAC-SHA256`, hex | the default for OSS |
//! | [`Scheme::OssV1`] | HMAC-SHA1, base64 | legacy OSS accounts and buckets |
//! | [`Scheme::S3V4`] | `AWS4-HMAC-SHA256`, hex | AWS S3, SeaweedFS, MinIO, Ceph, ... |
//!
//! ## Layers
//!
//! * [`time`]: one UTC instant gives `expiration`, the credential date and `x-*-date`.
//! * [`policy`]: the typed [`PolicySpec`], its checks and its exact JSON.
//! * [`sign`]: V1 and the V4 key chain (cached per UTC day and region, already absorbed into
//!   HMAC-SHA256).
//! * [`Signer`]: holds the credential, issues a [`Ticket`] into a scratch buffer.
//! * [`ticket`]: URL, ordered form fields, and JSON [`Shape`]s, including the official OSS
//!   app-server samples' shapes.
//! * [`wire`]: sinks that count or write, JSON escaping, streaming base64.
//! * [`gateway`]: the gateway service, sans-IO (request bytes and the clock in, response bytes
//!   out): configuration, HTTP framing, camera authentication, replay guards, rate limits, key
//!   naming. The firmware and the host simulator both run it.
//!
//! The exact bytes are specified in `docs/policy.md`; an independent std reference in the
//! `upticket-tests` crate is held to this crate by property tests.
//!
//! ## Example
//!
//! ```
//! use upticket::{
//!     ContentLengthRange, Credentials, FieldSpec, PolicySpec, Protocol, Scheme, Secret, Shape,
//!     Signer, Target, UnixTime, UrlStyle,
//! };
//!
//! # fn main() -> Result<(), upticket::Error> {
//! let target = Target {
//!     scheme: Scheme::OssV4,
//!     bucket: "examplebucket",
//!     endpoint: "oss-cn-hangzhou.aliyuncs.com",
//!     region: "cn-hangzhou",
//!     style: UrlStyle::VirtualHosted,
//!     protocol: Protocol::Https,
//! };
//! let secret = Secret::new(b"OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV")?;
//! let mut signer = Signer::new(target, Credentials::new("44CF9590006BF252F707", secret, None)?)?;
//!
//! let spec = PolicySpec {
//!     content_length: Some(ContentLengthRange::new(1, 10 << 20)?),
//!     content_type: Some(FieldSpec::exact("image/jpeg")),
//!     ..PolicySpec::new(FieldSpec::exact("cam/0001/20231203/121212-0001.jpg"))
//! };
//! let mut scratch = [0u8; 1024];
//! let now = UnixTime::from_secs(1_701_605_532)?; // 2023-12-03T12:12:12Z
//! let ticket = signer.issue(&spec, now, 300, &mut scratch)?;
//!
//! let mut out = [0u8; 2048];
//! let json = ticket.write_json(Shape::Upticket, &mut out)?;
//! assert!(json.starts_with(b"{\"url\":\"https://examplebucket.oss-cn-hangzhou.aliyuncs.com\""));
//! # Ok(())
//! # }
//! ```
#![no_std]
// The panic-free rules hold for library code; unit tests may unwrap and index.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod credentials;
mod error;
pub mod gateway;
pub mod policy;
pub mod sign;
mod signer;
mod target;
pub mod ticket;
pub mod time;
mod validate;
pub mod wire;

pub use credentials::{Credentials, Secret};
pub use error::{Error, Field};
pub use policy::{
    Callback, CallbackBodyType, ContentLengthRange, FieldSpec, Meta, PolicySpec, Rule,
    SuccessStatus, Var,
};
pub use sign::Signature;
pub use signer::{Signer, sign_policy};
pub use target::{Protocol, Scheme, Target, UrlStyle};
pub use ticket::{FormField, Shape, SignedPolicy, Ticket};
pub use time::UnixTime;

/// Longest access key id.
pub const MAX_ACCESS_KEY_ID_LEN: usize = 128;
/// Longest access key secret.
pub const MAX_SECRET_LEN: usize = 128;
/// Longest STS security token.
pub const MAX_SECURITY_TOKEN_LEN: usize = 2048;
/// Longest region id.
pub const MAX_REGION_LEN: usize = 32;
/// Longest bucket name.
pub const MAX_BUCKET_LEN: usize = 63;
/// Longest endpoint (host and port).
pub const MAX_ENDPOINT_LEN: usize = 253;
/// Longest object key.
pub const MAX_KEY_LEN: usize = 1023;
/// Longest value of any other field (and callback URL and body).
pub const MAX_VALUE_LEN: usize = 1024;
/// Longest meta name (after `x-…-meta-`).
pub const MAX_META_NAME_LEN: usize = 64;
/// Longest `x:` variable name (after `x:`).
pub const MAX_VAR_NAME_LEN: usize = 32;
/// Longest `callbackHost`.
pub const MAX_CALLBACK_HOST_LEN: usize = 255;
/// Most items in an `in` / `not-in` list.
pub const MAX_LIST_ITEMS: usize = 8;
/// Most meta fields in one ticket.
pub const MAX_META_FIELDS: usize = 8;
/// Most `x:` variables in one ticket.
pub const MAX_VARS: usize = 8;
/// Largest `content-length-range` bound: 5 GiB, the PostObject limit.
pub const MAX_CONTENT_LENGTH: u64 = 5 << 30;
/// Longest ticket lifetime: 7 days, the V4 limit.
pub const MAX_LIFETIME_SECS: u64 = 7 * 24 * 3600;
/// Longest V4 credential scope: access key id, date, region, `oss`, `aliyun_v4_request` and
/// the four slashes.
pub const MAX_CREDENTIAL_LEN: usize =
    MAX_ACCESS_KEY_ID_LEN + 1 + 8 + 1 + MAX_REGION_LEN + 1 + 3 + 1 + 17;
