//! HMAC signatures over a policy's base64 text, and the V4 signing-key chains (`docs/policy.md` §3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// The four keys of a V4 derivation, each an HMAC-SHA256 output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyChain {
    /// HMAC(prefix + secret, `YYYYMMDD`).
    pub k_date: [u8; 32],
    /// HMAC(kDate, region).
    pub k_region: [u8; 32],
    /// HMAC(kRegion, service).
    pub k_service: [u8; 32],
    /// HMAC(kService, terminator): the signing key.
    pub k_signing: [u8; 32],
}

/// The constants that tell OSS V4 and S3 SigV4 apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V4Params {
    /// Prepended to the secret: `aliyun_v4` or `AWS4`.
    pub key_prefix: &'static str,
    /// `oss` or `s3`.
    pub service: &'static str,
    /// `aliyun_v4_request` or `aws4_request`.
    pub terminator: &'static str,
}

/// OSS V4.
pub const OSS_V4: V4Params = V4Params {
    key_prefix: "aliyun_v4",
    service: "oss",
    terminator: "aliyun_v4_request",
};

/// S3 SigV4.
pub const S3_V4: V4Params = V4Params {
    key_prefix: "AWS4",
    service: "s3",
    terminator: "aws4_request",
};

/// HMAC-SHA256 of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 of `msg` under `key`.
pub fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Derives the V4 key chain for (`secret`, `date` as `YYYYMMDD`, `region`).
pub fn key_chain(params: V4Params, secret: &[u8], date: &str, region: &str) -> KeyChain {
    let mut first = params.key_prefix.as_bytes().to_vec();
    first.extend_from_slice(secret);
    let k_date = hmac_sha256(&first, date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, params.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, params.terminator.as_bytes());
    KeyChain {
        k_date,
        k_region,
        k_service,
        k_signing,
    }
}

/// The OSS V1 `Signature`: base64(HMAC-SHA1(secret, policy base64 text)).
pub fn oss_v1(secret: &[u8], policy_b64: &str) -> String {
    STANDARD.encode(hmac_sha1(secret, policy_b64.as_bytes()))
}

/// A V4 signature: lower-case hex(HMAC-SHA256(kSigning, policy base64 text)).
pub fn v4(params: V4Params, secret: &[u8], date: &str, region: &str, policy_b64: &str) -> String {
    let chain = key_chain(params, secret, date, region);
    hex::encode(hmac_sha256(&chain.k_signing, policy_b64.as_bytes()))
}
