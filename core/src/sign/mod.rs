//! Signatures over the base64 policy: OSS V1 (HMAC-SHA1), OSS V4 and S3 SigV4 (HMAC-SHA256).
//!
//! POST signatures have no canonical request: the string to sign is the base64 policy itself.
//! The two V4 schemes are one key chain with different constants ([`V4Params`]).

pub(crate) mod mac;
mod sha256;
mod v4;

pub use sha256::HmacKey;
pub(crate) use v4::KeyCache;
pub use v4::{SigningKey, V4Params};

use crate::Error;

/// Length of an OSS V1 `Signature`: base64 of 20 bytes.
pub const V1_SIGNATURE_LEN: usize = 28;
/// Length of a V4 signature: lower-case hex of 32 bytes.
pub const V4_SIGNATURE_LEN: usize = 64;

/// A finished signature, as the ASCII text of its form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Signature {
    /// OSS V1: standard base64 with padding.
    V1([u8; V1_SIGNATURE_LEN]),
    /// OSS V4 / S3 SigV4: lower-case hex.
    V4([u8; V4_SIGNATURE_LEN]),
}

impl Signature {
    /// The form-field text.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Signature::V1(b) => b,
            Signature::V4(b) => b,
        }
    }
}

/// OSS V1: `base64(HMAC-SHA1(secret, policy_b64))`.
pub fn sign_v1(secret: &[u8], policy_b64: &[u8]) -> Result<Signature, Error> {
    use base64::Engine as _;
    let mac = mac::hmac_sha1(secret, policy_b64);
    let mut out = [0u8; V1_SIGNATURE_LEN];
    base64::engine::general_purpose::STANDARD
        .encode_slice(mac, &mut out)
        .map_err(|_| Error::BufferTooSmall)?;
    Ok(Signature::V1(out))
}

/// V4: `hex(HMAC-SHA256(signing_key, policy_b64))`.
pub fn sign_v4(key: &SigningKey, policy_b64: &[u8]) -> Signature {
    sign_v4_prepared(&key.prepare(), policy_b64)
}

/// V4 with the signing key already absorbed (as the signer caches it).
pub fn sign_v4_prepared(key: &HmacKey, policy_b64: &[u8]) -> Signature {
    Signature::V4(hex(&key.mac(&[policy_b64])))
}

fn hex(bytes: &[u8; 32]) -> [u8; V4_SIGNATURE_LEN] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; V4_SIGNATURE_LEN];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    out
}
