//! HMAC with the key prepared as RFC 2104 says, so construction cannot fail.

use hmac::digest::{Digest, KeyInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroize;

/// Block size of SHA-1 and SHA-256.
const BLOCK: usize = 64;

/// The HMAC key block: `key` zero-padded, or `H(key)` zero-padded when longer than a block.
fn key_block<D: Digest>(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let mut digest = D::digest(key);
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
    let mut block = key_block::<Sha1>(key);
    let mut mac = <Hmac<Sha1> as KeyInit>::new(&block.into());
    block.zeroize();
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256(key, concatenation of `parts`).
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = key_block::<Sha256>(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    block.zeroize();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}
