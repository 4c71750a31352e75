//! The known-answer vectors of `tests/vectors/*.json` (protocol.md §13), as typed data.

use serde::Deserialize;

/// A vector that signs a given policy (OSS-V1-1, OSS-V1-2, OSS-V4-1, S3-V4-1).
#[derive(Debug, Deserialize)]
pub struct PolicyVector {
    pub id: String,
    pub scheme: String,
    pub access_key_id: String,
    pub secret: String,
    pub date: Option<String>,
    pub datetime: Option<String>,
    pub region: Option<String>,
    pub policy_json: Option<String>,
    pub policy_json_len: usize,
    pub policy_json_crlf_count: Option<usize>,
    pub policy_b64: String,
    pub policy_b64_len: Option<usize>,
    pub k_date: Option<String>,
    pub k_region: Option<String>,
    pub k_service: Option<String>,
    pub k_signing: Option<String>,
    pub signature: String,
    pub v1_signature: Option<String>,
    #[serde(default)]
    pub form_fields: Vec<(String, String)>,
}

/// OSS-V4-K: an SDK header-signing test that pins the `aliyun_v4` key chain.
#[derive(Debug, Deserialize)]
pub struct HeaderKeyVector {
    pub id: String,
    pub secret: String,
    pub unix_time: u64,
    pub date: String,
    pub datetime: String,
    pub region: String,
    pub service: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub header_signature: String,
    pub k_signing: String,
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("tests/vectors/{name}: {e}"))
}

pub fn oss_v1_1() -> PolicyVector {
    parse("oss-v1-1.json", include_str!("../../vectors/oss-v1-1.json"))
}

pub fn oss_v1_2() -> PolicyVector {
    parse("oss-v1-2.json", include_str!("../../vectors/oss-v1-2.json"))
}

pub fn oss_v4_1() -> PolicyVector {
    parse("oss-v4-1.json", include_str!("../../vectors/oss-v4-1.json"))
}

pub fn s3_v4_1() -> PolicyVector {
    parse("s3-v4-1.json", include_str!("../../vectors/s3-v4-1.json"))
}

pub fn oss_v4_k() -> HeaderKeyVector {
    parse("oss-v4-k.json", include_str!("../../vectors/oss-v4-k.json"))
}

/// Every policy vector.
pub fn policy_vectors() -> [PolicyVector; 4] {
    [oss_v1_1(), oss_v1_2(), oss_v4_1(), s3_v4_1()]
}
