//! HMAC-SHA256 with its key absorbed once: the SHA-256 states after the inner and outer key
//! blocks, kept as plain words so that they can be cached and wiped.
//!
//! A V4 signature with a cached signing key then costs the policy's blocks plus two, instead of
//! four more for absorbing the key again. The compression function is the `sha2` crate's; this
//! module only feeds it blocks and pads (FIPS 180-4 §5.1.1).

use sha2::compress256;
use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes per SHA-256 block.
const BLOCK: usize = 64;
/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A running SHA-256: state, a partial block and the length so far.
struct Sha256 {
    state: [u32; 8],
    buf: [u8; BLOCK],
    fill: usize,
    bytes: u64,
}

impl Sha256 {
    fn resume(state: [u32; 8], bytes: u64) -> Self {
        Sha256 {
            state,
            buf: [0; BLOCK],
            fill: 0,
            bytes,
        }
    }

    fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
        compress256(state, &[(*block).into()]);
    }

    fn update(&mut self, mut data: &[u8]) {
        self.bytes = self.bytes.wrapping_add(data.len() as u64);
        if self.fill == 0 {
            // Whole blocks go straight from the input to the compression function.
            let mut blocks = data.chunks_exact(BLOCK);
            for block in &mut blocks {
                compress256(
                    &mut self.state,
                    core::slice::from_ref(GenericArray::from_slice(block)),
                );
            }
            data = blocks.remainder();
        }
        while !data.is_empty() {
            let room = BLOCK.saturating_sub(self.fill);
            let (head, rest) = data.split_at(room.min(data.len()));
            if let Some(dst) = self
                .buf
                .get_mut(self.fill..self.fill.saturating_add(head.len()))
            {
                dst.copy_from_slice(head);
            }
            self.fill = self.fill.saturating_add(head.len());
            if self.fill == BLOCK {
                Self::compress(&mut self.state, &self.buf);
                self.fill = 0;
            }
            data = rest;
        }
    }

    fn finish(mut self) -> [u8; 32] {
        let bits = self.bytes.wrapping_mul(8);
        // 0x80, zeros to 56 mod 64, then the 64-bit big-endian bit length.
        const ZEROS_BASE: usize = BLOCK + 56 - 1;
        let mut pad = [0u8; BLOCK];
        if let Some(first) = pad.first_mut() {
            *first = 0x80;
        }
        let zeros = ZEROS_BASE.saturating_sub(self.fill) % BLOCK;
        self.update(pad.get(..zeros.saturating_add(1)).unwrap_or_default());
        self.update(&bits.to_be_bytes());
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state.iter()) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        self.buf.zeroize();
        self.state.zeroize();
        out
    }
}

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::resume(IV, 0);
    for part in parts {
        h.update(part);
    }
    h.finish()
}

/// An HMAC-SHA256 key, absorbed: wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl core::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

impl HmacKey {
    /// Absorbs `key` (hashed first when longer than a block, as RFC 2104 says).
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut digest = sha256(&[key]);
            for (b, d) in block.iter_mut().zip(digest.iter()) {
                *b = *d;
            }
            digest.zeroize();
        } else {
            for (b, k) in block.iter_mut().zip(key) {
                *b = *k;
            }
        }
        let pad = |byte: u8| {
            let mut padded = block;
            padded.iter_mut().for_each(|b| *b ^= byte);
            let mut state = IV;
            Sha256::compress(&mut state, &padded);
            padded.zeroize();
            state
        };
        let key = HmacKey {
            inner: pad(0x36),
            outer: pad(0x5c),
        };
        block.zeroize();
        key
    }

    /// HMAC of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut inner = Sha256::resume(self.inner, BLOCK as u64);
        for part in parts {
            inner.update(part);
        }
        let mut inner_hash = inner.finish();
        let mut outer = Sha256::resume(self.outer, BLOCK as u64);
        outer.update(&inner_hash);
        inner_hash.zeroize();
        outer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> heapless::String<64> {
        let mut s = heapless::String::new();
        for b in bytes {
            for d in [b >> 4, b & 15] {
                s.push(char::from_digit(u32::from(d), 16).unwrap()).unwrap();
            }
        }
        s
    }

    /// FIPS 180-2 examples and the lengths around every padding boundary against `sha2` itself.
    #[test]
    fn sha256_matches_the_standard_and_the_crate() {
        assert_eq!(
            hex(&sha256(&[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let data: [u8; 300] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for n in 0..data.len() {
            let ours = sha256(&[&data[..n / 3], &data[n / 3..n]]);
            let theirs: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&data[..n]).into();
            assert_eq!(ours, theirs, "length {n}");
        }
    }

    /// RFC 4231 test cases 1, 2, 4 and 6 (a key longer than a block).
    #[test]
    fn hmac_matches_rfc_4231() {
        let cases: [(&[u8], &[u8], &str); 4] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                    23, 24, 25,
                ],
                &[0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, data, mac) in cases {
            assert_eq!(hex(&HmacKey::new(key).mac(&[data])), mac);
        }
    }
}
