//! The V4 signing-key chain, shared by OSS V4 and S3 SigV4, and its per-day cache.

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::mac::hmac_sha256;
use super::sha256::HmacKey;
use crate::{MAX_REGION_LEN, MAX_SECRET_LEN, UnixTime};

/// Longest [`V4Params::key_prefix`] (`aliyun_v4`).
const MAX_KEY_PREFIX_LEN: usize = 9;

/// The constants that tell OSS V4 and S3 SigV4 apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct V4Params {
    /// Prepended to the secret: `aliyun_v4` or `AWS4`.
    pub key_prefix: &'static str,
    /// Service in the credential scope: `oss` or `s3`.
    pub service: &'static str,
    /// Last element of the scope: `aliyun_v4_request` or `aws4_request`.
    pub terminator: &'static str,
    /// Algorithm name: `OSS4-HMAC-SHA256` or `AWS4-HMAC-SHA256`.
    pub algorithm: &'static str,
}

impl V4Params {
    /// OSS V4 (`OSS4-HMAC-SHA256`).
    pub const OSS: V4Params = V4Params {
        key_prefix: "aliyun_v4",
        service: "oss",
        terminator: "aliyun_v4_request",
        algorithm: "OSS4-HMAC-SHA256",
    };
    /// S3 SigV4 (`AWS4-HMAC-SHA256`).
    pub const S3: V4Params = V4Params {
        key_prefix: "AWS4",
        service: "s3",
        terminator: "aws4_request",
        algorithm: "AWS4-HMAC-SHA256",
    };
}

/// A derived V4 signing key (kSigning): wiped on drop, redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// kSigning = HMAC(HMAC(HMAC(HMAC(prefix + secret, YYYYMMDD), region), service), terminator).
    pub fn derive(params: &V4Params, secret: &[u8], date: &[u8], region: &str) -> Self {
        let mut first = [0u8; MAX_KEY_PREFIX_LEN + MAX_SECRET_LEN];
        let mut len = 0usize;
        for (slot, b) in first
            .iter_mut()
            .zip(params.key_prefix.as_bytes().iter().chain(secret))
        {
            *slot = *b;
            len = len.saturating_add(1);
        }
        let mut k = hmac_sha256(first.get(..len).unwrap_or_default(), &[date]);
        first.zeroize();
        for part in [region, params.service, params.terminator] {
            let next = hmac_sha256(&k, &[part.as_bytes()]);
            k.zeroize();
            k = next;
        }
        SigningKey(k)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key absorbed into HMAC-SHA256, ready to sign.
    pub fn prepare(&self) -> HmacKey {
        HmacKey::new(&self.0)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// The last derived key, absorbed into HMAC-SHA256, valid for one (UTC day, region).
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    entry: Option<(u64, heapless::String<MAX_REGION_LEN>, HmacKey)>,
}

impl KeyCache {
    /// The key for `now`'s UTC day and `region`, derived only when the day or region changed.
    pub(crate) fn get(
        &mut self,
        params: &V4Params,
        secret: &[u8],
        now: UnixTime,
        region: &str,
    ) -> HmacKey {
        let day = now.day();
        if let Some((d, r, key)) = &self.entry
            && *d == day
            && r.as_str() == region
        {
            return key.clone();
        }
        let key = SigningKey::derive(params, secret, &now.date(), region).prepare();
        self.entry = heapless::String::try_from(region)
            .ok()
            .map(|r| (day, r, key.clone()));
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OSS-V4-K of protocol.md §13: kSigning for (`sk`, 20231216, cn-hangzhou, oss).
    const K_SIGNING: &str = "b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f";

    /// A prepared key's MAC of a fixed message, to compare prepared keys.
    fn probe(k: &HmacKey) -> [u8; 32] {
        k.mac(&[b"probe"])
    }

    fn hex(k: &SigningKey) -> heapless::String<64> {
        let mut s = heapless::String::new();
        for b in k.as_bytes() {
            for d in [b >> 4, b & 15] {
                let _ = s.push(char::from_digit(u32::from(d), 16).unwrap());
            }
        }
        s
    }

    #[test]
    fn the_cache_derives_again_when_day_or_region_changes() {
        let t = UnixTime::from_secs(1_702_743_657).unwrap(); // 2023-12-16T16:20:57Z
        let key = |date: &[u8], region| SigningKey::derive(&V4Params::OSS, b"sk", date, region);
        assert_eq!(hex(&key(b"20231216", "cn-hangzhou")), K_SIGNING);
        let hangzhou = probe(&key(b"20231216", "cn-hangzhou").prepare());
        let mut cache = KeyCache::default();
        assert_eq!(
            probe(&cache.get(&V4Params::OSS, b"sk", t, "cn-hangzhou")),
            hangzhou
        );
        // Same day, same region: the cached key.
        let later = t.add_secs(3600).unwrap();
        assert_eq!(
            probe(&cache.get(&V4Params::OSS, b"sk", later, "cn-hangzhou")),
            hangzhou
        );
        // Another region the same day, then back: each region's own key.
        let beijing = probe(&cache.get(&V4Params::OSS, b"sk", t, "cn-beijing"));
        assert_eq!(beijing, probe(&key(b"20231216", "cn-beijing").prepare()));
        assert_ne!(beijing, hangzhou);
        assert_eq!(
            probe(&cache.get(&V4Params::OSS, b"sk", t, "cn-hangzhou")),
            hangzhou
        );
        // Past midnight UTC: the next day's key.
        let next_day = t.add_secs(8 * 3600).unwrap(); // 2023-12-17T00:20:57Z
        let next = probe(&cache.get(&V4Params::OSS, b"sk", next_day, "cn-hangzhou"));
        assert_eq!(next, probe(&key(b"20231217", "cn-hangzhou").prepare()));
        assert_ne!(next, hangzhou);
    }
}
