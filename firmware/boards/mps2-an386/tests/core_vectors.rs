//! The core's known-answer vectors (`tests/vectors/*.json` of the repository) on the emulated
//! Cortex-M4: V4 signing keys, V4 and V1 signatures, and one whole OSS V4 ticket issued from
//! typed input. Run with `cargo test` in `firmware/`.
#![no_std]
#![no_main]

use board_mps2_an386 as _;
use defmt::unwrap;
use serde::Deserialize;
use upticket::sign::V4Params;

/// The members of a vector file that the checks use (strings without JSON escapes).
#[derive(Deserialize)]
struct Vector<'a> {
    id: &'a str,
    scheme: &'a str,
    secret: &'a str,
    date: Option<&'a str>,
    region: Option<&'a str>,
    policy_b64: Option<&'a str>,
    k_signing: Option<&'a str>,
    signature: Option<&'a str>,
    v1_signature: Option<&'a str>,
}

const VECTORS: [&[u8]; 5] = [
    include_bytes!("../../../../tests/vectors/oss-v1-1.json"),
    include_bytes!("../../../../tests/vectors/oss-v1-2.json"),
    include_bytes!("../../../../tests/vectors/oss-v4-k.json"),
    include_bytes!("../../../../tests/vectors/oss-v4-1.json"),
    include_bytes!("../../../../tests/vectors/s3-v4-1.json"),
];

fn vector(document: &[u8]) -> Vector<'_> {
    unwrap!(serde_json_core::from_slice::<Vector<'_>>(document).ok()).0
}

fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    let digits = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = digits[usize::from(b >> 4)];
        out[2 * i + 1] = digits[usize::from(b & 15)];
    }
    out
}

fn params(scheme: &str) -> V4Params {
    if scheme == "s3-v4" {
        V4Params::S3
    } else {
        V4Params::OSS
    }
}

#[defmt_test::tests]
mod tests {
    use super::{VECTORS, hex, params, vector};
    use defmt::{assert_eq, unwrap};
    use upticket::sign::SigningKey;
    use upticket::sign::{sign_v1, sign_v4};
    use upticket::{
        ContentLengthRange, Credentials, FieldSpec, PolicySpec, Protocol, Scheme, Secret, Signer,
        Target, UnixTime, UrlStyle,
    };

    #[test]
    fn v4_signing_keys() {
        let mut checked = 0;
        for v in VECTORS.iter().map(|d| vector(d)) {
            let (Some(expected), Some(date), Some(region)) = (v.k_signing, v.date, v.region) else {
                continue;
            };
            let key = SigningKey::derive(
                &params(v.scheme),
                v.secret.as_bytes(),
                date.as_bytes(),
                region,
            );
            assert_eq!(
                &hex(key.as_bytes())[..],
                expected.as_bytes(),
                "{=str}",
                v.id
            );
            checked += 1;
        }
        assert_eq!(checked, 3);
    }

    #[test]
    fn policy_signatures() {
        let mut checked = 0;
        for v in VECTORS.iter().map(|d| vector(d)) {
            let Some(policy) = v.policy_b64 else { continue };
            if v.scheme == "oss-v1" {
                let sig = unwrap!(sign_v1(v.secret.as_bytes(), policy.as_bytes()).ok());
                assert_eq!(
                    sig.as_bytes(),
                    unwrap!(v.signature).as_bytes(),
                    "{=str}",
                    v.id
                );
                checked += 1;
            } else {
                let (date, region) = (unwrap!(v.date), unwrap!(v.region));
                let key = SigningKey::derive(
                    &params(v.scheme),
                    v.secret.as_bytes(),
                    date.as_bytes(),
                    region,
                );
                let sig = sign_v4(&key, policy.as_bytes());
                assert_eq!(
                    sig.as_bytes(),
                    unwrap!(v.signature).as_bytes(),
                    "{=str}",
                    v.id
                );
                checked += 1;
            }
            if let Some(v1) = v.v1_signature {
                let sig = unwrap!(sign_v1(v.secret.as_bytes(), policy.as_bytes()).ok());
                assert_eq!(sig.as_bytes(), v1.as_bytes(), "{=str} (V1)", v.id);
                checked += 1;
            }
        }
        assert_eq!(checked, 5);
    }

    /// OSS-V4-1 from typed input: `Signer::issue` writes the vector's policy and signature.
    #[test]
    fn oss_v4_ticket_from_typed_input() {
        let v = vector(VECTORS[3]);
        let target = Target {
            scheme: Scheme::OssV4,
            bucket: "examplebucket",
            endpoint: "oss-cn-hangzhou.aliyuncs.com",
            region: "cn-hangzhou",
            style: UrlStyle::VirtualHosted,
            protocol: Protocol::Https,
        };
        let secret = unwrap!(Secret::new(v.secret.as_bytes()).ok());
        let credentials = unwrap!(Credentials::new("44CF9590006BF252F707", secret, None).ok());
        let mut signer = unwrap!(Signer::new(target, credentials).ok());
        let spec = PolicySpec {
            content_length: Some(unwrap!(ContentLengthRange::new(1, 10_485_760).ok())),
            ..PolicySpec::new(FieldSpec::starts_with("cam/0001/x.jpg", "cam/0001/"))
        };
        // 2023-12-03T12:12:12Z, expiring 13:00:00.
        let now = unwrap!(UnixTime::from_secs(1_701_605_532).ok());
        let mut scratch = [0u8; 1024];
        let ticket = unwrap!(signer.issue(&spec, now, 2_868, &mut scratch).ok());
        assert_eq!(
            ticket.signed().policy_b64(),
            unwrap!(v.policy_b64).as_bytes()
        );
        assert_eq!(
            ticket.signed().signature().as_bytes(),
            unwrap!(v.signature).as_bytes()
        );
    }
}
