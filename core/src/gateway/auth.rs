//! Camera request authentication (`docs/api.md` §2): HMAC-SHA256 over the request with the
//! camera's own key, a timestamp window and a nonce.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::sign::mac::hmac_sha256;

/// The algorithm word that starts the string to sign.
pub const ALGORITHM: &str = "UPT1-HMAC-SHA256";
/// Header naming the camera.
pub const CAMERA_HEADER: &str = "X-Upticket-Camera";
/// Header with the request time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Upticket-Timestamp";
/// Header with the request's unique nonce.
pub const NONCE_HEADER: &str = "X-Upticket-Nonce";
/// Header with the lower-case hex MAC.
pub const SIGNATURE_HEADER: &str = "X-Upticket-Signature";
/// How far a request's timestamp may be from the gateway's clock, either way.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;
/// Shortest nonce.
pub const MIN_NONCE_LEN: usize = 16;
/// Longest nonce.
pub const MAX_NONCE_LEN: usize = 64;

/// Whether `nonce` has an allowed length and only `A-Z a-z 0-9 _ -`.
pub fn nonce_ok(nonce: &str) -> bool {
    (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The parts of a request that the MAC covers.
#[derive(Clone, Copy, Debug)]
pub struct Signed<'r> {
    /// Request method.
    pub method: &'r str,
    /// Request target (path and query) exactly as sent.
    pub target: &'r str,
    /// Camera id.
    pub camera: &'r str,
    /// Timestamp text exactly as sent.
    pub timestamp: &'r str,
    /// Nonce.
    pub nonce: &'r str,
    /// Request body.
    pub body: &'r [u8],
}

impl Signed<'_> {
    /// `HMAC-SHA256(key, ALGORITHM \n METHOD \n TARGET \n CAMERA \n TIMESTAMP \n NONCE \n hex(SHA-256(body)))`.
    pub fn mac(&self, key: &[u8]) -> [u8; 32] {
        let body_hash = hex32(&Sha256::digest(self.body).into());
        let nl: &[u8] = b"\n";
        hmac_sha256(
            key,
            &[
                ALGORITHM.as_bytes(),
                nl,
                self.method.as_bytes(),
                nl,
                self.target.as_bytes(),
                nl,
                self.camera.as_bytes(),
                nl,
                self.timestamp.as_bytes(),
                nl,
                self.nonce.as_bytes(),
                nl,
                &body_hash,
            ],
        )
    }

    /// Checks `signature_hex` against the MAC in constant time.
    pub fn verify(&self, key: &[u8], signature_hex: &[u8]) -> bool {
        let mut expected = hex32(&self.mac(key));
        let ok = expected.ct_eq(signature_hex).into();
        expected.zeroize();
        ok
    }
}

/// Lower-case hex of 32 bytes.
pub fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    out
}
