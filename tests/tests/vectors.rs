//! Known-answer tests: every vector of protocol.md §13 (stored in `tests/vectors/`), against the
//! std reference and against `upticket`.

#[path = "common/adapter.rs"]
mod adapter;
#[path = "common/vectors.rs"]
mod vectors;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use upticket_tests::reference::model::{
    Conditioned, Credentials, PolicySpec, Scheme, Target, Time,
};
use upticket_tests::reference::{civil, sign};
use vectors::PolicyVector;

/// 2015-12-29T00:00:00Z, the `x-amz-date` of S3-V4-1.
const S3_V4_1_NOW: u64 = 1_451_347_200;
/// 2023-12-03T12:12:12Z, the `x-oss-date` of OSS-V4-1.
const OSS_V4_1_NOW: u64 = 1_701_605_532;
/// Until 2023-12-03T13:00:00Z, the `expiration` of OSS-V4-1.
const OSS_V4_1_LIFETIME: u64 = 2_868;

fn v4_params(v: &PolicyVector) -> sign::V4Params {
    match v.scheme.as_str() {
        "oss-v4" => sign::OSS_V4,
        "s3-v4" => sign::S3_V4,
        other => panic!("{}: not a V4 scheme: {other}", v.id),
    }
}

fn field<'a>(v: &'a PolicyVector, name: &str, value: &'a Option<String>) -> &'a str {
    value
        .as_deref()
        .unwrap_or_else(|| panic!("{}: no {name}", v.id))
}

/// The typed input that docs/policy.md §2.2 says reproduces OSS-V4-1.
fn oss_v4_1_input(v: &PolicyVector) -> (Target, Credentials, PolicySpec, Time) {
    let target = Target::new(
        Scheme::OssV4,
        "examplebucket",
        "oss-cn-hangzhou.aliyuncs.com",
        field(v, "region", &v.region),
    );
    let credentials = Credentials::new(&v.access_key_id, &v.secret);
    let mut spec = PolicySpec::new(Conditioned::starts_with("cam/0001/clip.jpg", "cam/0001/"));
    spec.content_length_range = Some((1, 10_485_760));
    let time = Time {
        now: OSS_V4_1_NOW,
        lifetime: OSS_V4_1_LIFETIME,
    };
    (target, credentials, spec, time)
}

#[test]
fn vector_files_hold_the_stated_lengths() {
    for v in vectors::policy_vectors() {
        if let Some(json) = &v.policy_json {
            assert_eq!(json.len(), v.policy_json_len, "{}", v.id);
            assert_eq!(STANDARD.encode(json), v.policy_b64, "{}", v.id);
        }
        let decoded = STANDARD
            .decode(&v.policy_b64)
            .expect("policy_b64 is standard base64");
        assert_eq!(decoded.len(), v.policy_json_len, "{}", v.id);
        if let Some(len) = v.policy_b64_len {
            assert_eq!(v.policy_b64.len(), len, "{}", v.id);
        }
    }
    let lens: Vec<usize> = vectors::policy_vectors()
        .iter()
        .map(|v| v.policy_json_len)
        .collect();
    assert_eq!(lens, [242, 292, 322, 648]);
}

#[test]
fn s3_v4_1_policy_keeps_its_crlf_line_ends() {
    let v = vectors::s3_v4_1();
    assert_eq!(v.policy_b64.len(), 864);
    let json = STANDARD.decode(&v.policy_b64).expect("standard base64");
    let crlf = json.windows(2).filter(|w| w == b"\r\n").count();
    assert_eq!(Some(crlf), v.policy_json_crlf_count);
    assert_eq!(
        json.iter().filter(|&&b| b == b'\n').count(),
        crlf,
        "every LF follows a CR"
    );
    assert!(!json.ends_with(b"\n"));
    assert!(
        json.windows(3).any(|w| w == b"\" }"),
        "the space before the last `}}`"
    );
    let parsed: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(parsed["conditions"].as_array().map(Vec::len), Some(11));
}

#[test]
fn reference_signs_v1_vectors() {
    for v in [vectors::oss_v1_1(), vectors::oss_v1_2()] {
        assert_eq!(
            sign::oss_v1(v.secret.as_bytes(), &v.policy_b64),
            v.signature,
            "{}",
            v.id
        );
        assert_eq!(v.signature.len(), 28, "{}", v.id);
    }
}

#[test]
fn reference_signs_v4_vectors_and_their_key_chains() {
    for v in [vectors::oss_v4_1(), vectors::s3_v4_1()] {
        let (date, region) = (field(&v, "date", &v.date), field(&v, "region", &v.region));
        let params = v4_params(&v);
        let chain = sign::key_chain(params, v.secret.as_bytes(), date, region);
        assert_eq!(Some(hex::encode(chain.k_signing)), v.k_signing, "{}", v.id);
        for (got, want) in [
            (chain.k_date, &v.k_date),
            (chain.k_region, &v.k_region),
            (chain.k_service, &v.k_service),
        ] {
            if let Some(want) = want {
                assert_eq!(&hex::encode(got), want, "{}", v.id);
            }
        }
        let sig = sign::v4(params, v.secret.as_bytes(), date, region, &v.policy_b64);
        assert_eq!(sig, v.signature, "{}", v.id);
    }
}

#[test]
fn reference_derived_v1_signature_of_oss_v4_1() {
    let v = vectors::oss_v4_1();
    let sig = sign::oss_v1(v.secret.as_bytes(), &v.policy_b64);
    assert_eq!(Some(sig), v.v1_signature);
}

#[test]
fn reference_pins_the_aliyun_v4_chain_with_the_sdk_header_signature() {
    let v = vectors::oss_v4_k();
    assert_eq!(civil::date(v.unix_time), v.date, "{}", v.id);
    assert_eq!(civil::iso_basic(v.unix_time), v.datetime, "{}", v.id);
    assert_eq!(v.service, "oss");
    let chain = sign::key_chain(sign::OSS_V4, v.secret.as_bytes(), &v.date, &v.region);
    assert_eq!(hex::encode(chain.k_signing), v.k_signing);
    let hashed = hex::encode(Sha256::digest(v.canonical_request.as_bytes()));
    let scope = format!("{}/{}/oss/aliyun_v4_request", v.date, v.region);
    let expected_sts = format!("OSS4-HMAC-SHA256\n{}\n{scope}\n{hashed}", v.datetime);
    assert_eq!(v.string_to_sign, expected_sts);
    let sig = sign::hmac_sha256(&chain.k_signing, v.string_to_sign.as_bytes());
    assert_eq!(hex::encode(sig), v.header_signature);
}

#[test]
fn reference_builds_oss_v4_1_from_typed_input() {
    let v = vectors::oss_v4_1();
    let (target, credentials, spec, time) = oss_v4_1_input(&v);
    let ticket = upticket_tests::reference::issue(&target, &credentials, &spec, time)
        .expect("OSS-V4-1 input is valid");
    assert_eq!(Some(&ticket.policy_json), v.policy_json.as_ref());
    assert_eq!(ticket.policy_b64, v.policy_b64);
    assert_eq!(ticket.signature, v.signature);
    for (name, value) in &v.form_fields {
        assert_eq!(
            ticket.field(name),
            Some(value.as_str()),
            "form field {name}"
        );
    }
    assert_eq!(ticket.field("key"), Some("cam/0001/clip.jpg"));
    assert_eq!(ticket.expiration, "2023-12-03T13:00:00.000Z");
}

fn core_params(v: &PolicyVector) -> upticket::sign::V4Params {
    match v.scheme.as_str() {
        "oss-v4" => upticket::sign::V4Params::OSS,
        "s3-v4" => upticket::sign::V4Params::S3,
        other => panic!("{}: not a V4 scheme: {other}", v.id),
    }
}

#[test]
fn core_signs_v1_vectors() {
    for v in [vectors::oss_v1_1(), vectors::oss_v1_2()] {
        let sig = upticket::sign::sign_v1(v.secret.as_bytes(), v.policy_b64.as_bytes())
            .expect("a 30-byte secret");
        assert_eq!(sig.as_bytes(), v.signature.as_bytes(), "{}", v.id);
    }
    let v = vectors::oss_v4_1();
    let sig =
        upticket::sign::sign_v1(v.secret.as_bytes(), v.policy_b64.as_bytes()).expect("secret");
    assert_eq!(
        Some(sig.as_bytes()),
        v.v1_signature.as_deref().map(str::as_bytes),
        "{}",
        v.id
    );
}

#[test]
fn core_signs_v4_vectors_with_the_derived_key() {
    for v in [vectors::oss_v4_1(), vectors::s3_v4_1()] {
        let (date, region) = (field(&v, "date", &v.date), field(&v, "region", &v.region));
        let key = upticket::sign::SigningKey::derive(
            &core_params(&v),
            v.secret.as_bytes(),
            date.as_bytes(),
            region,
        );
        assert_eq!(Some(hex::encode(key.as_bytes())), v.k_signing, "{}", v.id);
        let sig = upticket::sign::sign_v4(&key, v.policy_b64.as_bytes());
        assert_eq!(sig.as_bytes(), v.signature.as_bytes(), "{}", v.id);
    }
}

#[test]
fn core_derives_the_sdk_header_signing_key() {
    let v = vectors::oss_v4_k();
    let key = upticket::sign::SigningKey::derive(
        &upticket::sign::V4Params::OSS,
        v.secret.as_bytes(),
        v.date.as_bytes(),
        &v.region,
    );
    assert_eq!(hex::encode(key.as_bytes()), v.k_signing);
    let sig = sign::hmac_sha256(key.as_bytes(), v.string_to_sign.as_bytes());
    assert_eq!(hex::encode(sig), v.header_signature);
    let now = upticket::UnixTime::from_secs(v.unix_time).expect("2023");
    assert_eq!(now.iso_basic(), v.datetime.as_bytes());
    assert_eq!(now.date(), v.date.as_bytes());
}

/// Core signs each vector's exact policy bytes (no re-serialisation), CRLFs and all.
#[test]
fn core_signs_exact_policy_bytes() {
    let cases = [
        (
            vectors::oss_v1_1(),
            upticket::Scheme::OssV1,
            "cn-hangzhou",
            OSS_V4_1_NOW,
        ),
        (
            vectors::oss_v1_2(),
            upticket::Scheme::OssV1,
            "cn-hangzhou",
            OSS_V4_1_NOW,
        ),
        (
            vectors::oss_v4_1(),
            upticket::Scheme::OssV4,
            "cn-hangzhou",
            OSS_V4_1_NOW,
        ),
        (
            vectors::s3_v4_1(),
            upticket::Scheme::S3V4,
            "us-east-1",
            S3_V4_1_NOW,
        ),
    ];
    for (v, scheme, region, now) in cases {
        let reference_credentials = Credentials::new(&v.access_key_id, &v.secret);
        let credentials = adapter::credentials(&reference_credentials).expect("valid credentials");
        let json = STANDARD.decode(&v.policy_b64).expect("standard base64");
        let now = upticket::UnixTime::from_secs(now).expect("in range");
        let mut scratch = vec![0u8; v.policy_b64.len()];
        let signed = upticket::sign_policy(scheme, &credentials, region, now, &json, &mut scratch)
            .expect("scratch holds the base64");
        assert_eq!(signed.policy_b64(), v.policy_b64.as_bytes(), "{}", v.id);
        assert_eq!(
            signed.signature().as_bytes(),
            v.signature.as_bytes(),
            "{}",
            v.id
        );
        if let Some(datetime) = &v.datetime {
            assert_eq!(signed.date(), datetime.as_bytes(), "{}", v.id);
        }
        let mut short = vec![0u8; v.policy_b64.len() - 1];
        let refused = upticket::sign_policy(scheme, &credentials, region, now, &json, &mut short);
        assert_eq!(
            refused.err(),
            Some(upticket::Error::BufferTooSmall),
            "{}",
            v.id
        );
    }
}

#[test]
fn core_builds_oss_v4_1_from_typed_input() {
    let v = vectors::oss_v4_1();
    let (target, credentials, spec, time) = oss_v4_1_input(&v);
    let core = adapter::issue(&target, &credentials, &spec, time).expect("OSS-V4-1 input is valid");
    assert_eq!(Some(&core.policy_json), v.policy_json.as_ref());
    assert_eq!(core.policy_json.len(), 322);
    assert_eq!(core.policy_b64, v.policy_b64);
    assert_eq!(core.signature, v.signature);
    for (name, value) in &v.form_fields {
        let got = core.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        assert_eq!(got, Some(value), "form field {name}");
    }
    let names: Vec<&str> = core.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "policy",
            "x-oss-signature-version",
            "x-oss-credential",
            "x-oss-date",
            "x-oss-signature"
        ]
    );
    let reference =
        upticket_tests::reference::issue(&target, &credentials, &spec, time).expect("valid");
    adapter::compare(&reference, &core).expect("core and reference agree on every output");
}
