//! HMAC with the key prepared as RFC 2104 says, so construction cannot fail.
//!
//! HMAC-SHA1 (OSS V1) is the `hmac` crate's; HMAC-SHA256 is [`HmacKey`], whose absorbed key the
//! V4 signer caches.

use hmac::digest::{Digest, KeyInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use zeroize::Zeroize;

use super::sha256::HmacKey;

/// Block size of SHA-1 and SHA-256.
const BLOCK: usize = 64;

/// The HMAC-SHA1 key block: `key` zero-padded, or `SHA-1(key)` zero-padded when longer.
fn key_block(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let mut digest = Sha1::digest(key);
        for (b, d) in block.iter_mut().zip(digest.iter()) {
            *b = *d;
        }
        digest.as_mut_slice().zeroize();
    } else {
        for (b, k) in block.iter_mut().zip(key) {
            *b = *k;
        }
    }
    block
}

/// HMAC-SHA1(key, msg).
pub(crate) fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut block = key_block(key);
    let mut mac = <Hmac<Sha1> as KeyInit>::new(&block.into());
    block.zeroize();
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256(key, concatenation of `parts`).
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    HmacKey::new(key).mac(parts)
}
