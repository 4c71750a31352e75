//! The signature math of the three POST schemes, written from protocol.md §5, and constant-time
//! comparison of what a form carries against what the store computes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Parameters of a V4 key chain: OSS V4 and S3 SigV4 differ only in these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V4Params {
    /// Prefixed to the secret for the first HMAC (`aliyun_v4` / `AWS4`).
    pub key_prefix: &'static str,
    /// Service in the credential scope (`oss` / `s3`).
    pub service: &'static str,
    /// Last element of the credential scope (`aliyun_v4_request` / `aws4_request`).
    pub terminator: &'static str,
}

/// OSS V4 (`OSS4-HMAC-SHA256`).
pub const OSS_V4: V4Params = V4Params {
    key_prefix: "aliyun_v4",
    service: "oss",
    terminator: "aliyun_v4_request",
};

/// S3 SigV4 (`AWS4-HMAC-SHA256`).
pub const S3_V4: V4Params = V4Params {
    key_prefix: "AWS4",
    service: "s3",
    terminator: "aws4_request",
};

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The V4 signing key for `secret` on day `date` (`YYYYMMDD`) in `region`.
pub fn v4_signing_key(params: V4Params, secret: &str, date: &str, region: &str) -> [u8; 32] {
    let first = format!("{}{secret}", params.key_prefix);
    let k_date = hmac_sha256(first.as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, params.service.as_bytes());
    hmac_sha256(&k_service, params.terminator.as_bytes())
}

/// Lower-case hex of HMAC-SHA256(kSigning, policy): `x-oss-signature` / `x-amz-signature`.
pub fn v4_signature(
    params: V4Params,
    secret: &str,
    date: &str,
    region: &str,
    policy: &str,
) -> String {
    let key = v4_signing_key(params, secret, date, region);
    hex(&hmac_sha256(&key, policy.as_bytes()))
}

/// Base64 of HMAC-SHA1(secret, policy): OSS V1 `Signature` and S3 V2 `signature`.
pub fn v1_signature(secret: &str, policy: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(policy.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether a V4 signature from a form matches: it must be exactly 64 lower-case hex digits and
/// equal the expected one, compared in constant time.
pub fn v4_matches(expected: &str, provided: &str) -> bool {
    let well_formed = provided.len() == 64
        && provided
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed && bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

/// Whether a base64 V1/V2 signature from a form matches the expected one (constant time).
pub fn v1_matches(expected: &str, provided: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

/// Constant-time equality of two secrets-adjacent strings (security tokens).
pub fn secret_eq(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Known-answer vectors of protocol.md §13.
    use super::*;

    const V1_AK_SECRET: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const OSS_V1_1_POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAyMC0wMy0xOVQwMzo0NDowNi40NzZaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZ2VuLXBvc3QtcG9saWN5In0sWyJlcSIsIiRrZXkiLCJ1c2VyXC9lcmljXC9cXCR7ZmlsZW5hbWV9Il0sWyJzdGFydHMtd2l0aCIsIiRrZXkiLCJ1c2VyXC9lcmljIl0sWyJzdGFydHMtd2l0aCIsIiR4LW9zcy1tZXRhLXRhZyIsImR1bW15X2V0YWciXSxbImNvbnRlbnQtbGVuZ3RoLXJhbmdlIiwxLDEwMjRdXX0=";
    const OSS_V1_2_POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAyMC0wMy0xOVQwMzo0NDowNi40NzZaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZ2VuLXBvc3QtcG9saWN5In0sWyJzdGFydHMtd2l0aCIsIiRrZXkiLCJ1c2VyXC9lcmljIl0sWyJzdGFydHMtd2l0aCIsIiR4LW9zcy1tZXRhLXRhZyIsImR1bW15X2V0YWciXSxbImNvbnRlbnQtbGVuZ3RoLXJhbmdlIiwxLDEwMjRdLFsiaW4iLCIkY29udGVudC10eXBlIixbImltYWdlXC9qcGciLCJpbWFnZVwvcG5nIl1dLFsibm90LWluIiwiJGNhY2hlLWNvbnRyb2wiLFsibm8tY2FjaGUiXV1dfQ==";
    const OSS_V4_1_SECRET: &str = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";
    const OSS_V4_1_POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAyMy0xMi0wM1QxMzowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZXhhbXBsZWJ1Y2tldCJ9LHsieC1vc3Mtc2lnbmF0dXJlLXZlcnNpb24iOiJPU1M0LUhNQUMtU0hBMjU2In0seyJ4LW9zcy1jcmVkZW50aWFsIjoiNDRDRjk1OTAwMDZCRjI1MkY3MDcvMjAyMzEyMDMvY24taGFuZ3pob3Uvb3NzL2FsaXl1bl92NF9yZXF1ZXN0In0seyJ4LW9zcy1kYXRlIjoiMjAyMzEyMDNUMTIxMjEyWiJ9LFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDEsMTA0ODU3NjBdLFsic3RhcnRzLXdpdGgiLCIka2V5IiwiY2FtLzAwMDEvIl1dfQ==";
    const OSS_V4_1_SIG: &str = "baef2061988ee44ec5567f9b07d469dcb001bfcb37489698b350b7aa0336d02e";
    const S3_V4_1_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const S3_V4_1_POLICY: &str = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
    const S3_V4_1_SIG: &str = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";

    /// Flips one bit of the byte at `index`, keeping the text ASCII.
    fn flip(text: &str, index: usize) -> String {
        let mut bytes = text.as_bytes().to_vec();
        bytes[index] ^= 0x01;
        String::from_utf8(bytes).expect("ASCII stays UTF-8")
    }

    #[test]
    fn oss_v1_vectors_verify_and_a_flipped_byte_fails() {
        for (policy, sig) in [
            (OSS_V1_1_POLICY, "9fs2TRS2W2k5hV8mLsvqZBnlC2M="),
            (OSS_V1_2_POLICY, "/yrk/7alTmdIh9a3YOkkIcKYlbA="),
            (OSS_V4_1_POLICY, "7E82lkKZC+ncXKsVN1c+gmtminA="),
        ] {
            let secret = if policy == OSS_V4_1_POLICY {
                OSS_V4_1_SECRET
            } else {
                V1_AK_SECRET
            };
            let expected = v1_signature(secret, policy);
            assert!(v1_matches(&expected, sig));
            assert!(!v1_matches(&expected, &flip(sig, 3)));
            assert!(!v1_matches(&v1_signature(secret, &flip(policy, 40)), sig));
            assert!(!v1_matches(&v1_signature(&flip(secret, 0), policy), sig));
        }
    }

    #[test]
    fn oss_v4_1_key_chain_and_signature() {
        let key = v4_signing_key(OSS_V4, OSS_V4_1_SECRET, "20231203", "cn-hangzhou");
        assert_eq!(
            hex(&key),
            "cd78710bb370331da6c492cb4349517e2572cfde284ba9e7badaa84ecd6e43c7"
        );
        let expected = v4_signature(
            OSS_V4,
            OSS_V4_1_SECRET,
            "20231203",
            "cn-hangzhou",
            OSS_V4_1_POLICY,
        );
        assert!(v4_matches(&expected, OSS_V4_1_SIG));
        assert!(!v4_matches(&expected, &flip(OSS_V4_1_SIG, 10)));
        assert!(!v4_matches(&expected, &OSS_V4_1_SIG.to_uppercase()));
        let tampered = v4_signature(
            OSS_V4,
            OSS_V4_1_SECRET,
            "20231203",
            "cn-hangzhou",
            &flip(OSS_V4_1_POLICY, 100),
        );
        assert!(!v4_matches(&tampered, OSS_V4_1_SIG));
        let other_day = v4_signature(
            OSS_V4,
            OSS_V4_1_SECRET,
            "20231204",
            "cn-hangzhou",
            OSS_V4_1_POLICY,
        );
        assert!(!v4_matches(&other_day, OSS_V4_1_SIG));
    }

    #[test]
    fn oss_v4_k_signing_key() {
        let key = v4_signing_key(OSS_V4, "sk", "20231216", "cn-hangzhou");
        assert_eq!(
            hex(&key),
            "b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f"
        );
    }

    #[test]
    fn s3_v4_1_key_chain_and_signature() {
        let key = v4_signing_key(S3_V4, S3_V4_1_SECRET, "20151229", "us-east-1");
        assert_eq!(
            hex(&key),
            "cbcef1ebeaefc82cce6530b9f0a9ae598846065f5c5bae0674bd5ebc4ba52d28"
        );
        let expected = v4_signature(
            S3_V4,
            S3_V4_1_SECRET,
            "20151229",
            "us-east-1",
            S3_V4_1_POLICY,
        );
        assert!(v4_matches(&expected, S3_V4_1_SIG));
        assert!(!v4_matches(&expected, &flip(S3_V4_1_SIG, 63)));
        let other_region = v4_signature(
            S3_V4,
            S3_V4_1_SECRET,
            "20151229",
            "eu-west-3",
            S3_V4_1_POLICY,
        );
        assert!(!v4_matches(&other_region, S3_V4_1_SIG));
        let oss_chain = v4_signature(
            OSS_V4,
            S3_V4_1_SECRET,
            "20151229",
            "us-east-1",
            S3_V4_1_POLICY,
        );
        assert!(!v4_matches(&oss_chain, S3_V4_1_SIG));
    }
}
