//! The policy JSON (`docs/policy.md` §2) and the callback JSON (§2.3), serialised by `serde_json`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::civil;
use super::model::{Callback, Conditioned, PolicySpec, PrefixRule, Rule, Scheme, Target};

/// One element of `conditions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `{"NAME":"VALUE"}`.
    Exact(String, String),
    /// `["starts-with","$NAME","PREFIX"]`.
    StartsWith(String, String),
    /// `["in","$NAME",[ITEMS]]`.
    In(String, Vec<String>),
    /// `["not-in","$NAME",[ITEMS]]`.
    NotIn(String, Vec<String>),
    /// `["content-length-range",MIN,MAX]`.
    ContentLengthRange(u64, u64),
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Condition::Exact(name, value) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(name, value)?;
                map.end()
            }
            Condition::StartsWith(name, prefix) => {
                ("starts-with", format!("${name}"), prefix).serialize(serializer)
            }
            Condition::In(name, items) => ("in", format!("${name}"), items).serialize(serializer),
            Condition::NotIn(name, items) => {
                ("not-in", format!("${name}"), items).serialize(serializer)
            }
            Condition::ContentLengthRange(min, max) => {
                let mut seq = serializer.serialize_seq(Some(3))?;
                seq.serialize_element("content-length-range")?;
                seq.serialize_element(min)?;
                seq.serialize_element(max)?;
                seq.end()
            }
        }
    }
}

/// The whole policy document, in `expiration`, `conditions` order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    /// `YYYY-MM-DDTHH:MM:SS.000Z`.
    pub expiration: String,
    /// The conditions in §2.2 order.
    pub conditions: Vec<Condition>,
}

impl PolicyDocument {
    /// The compact JSON text (no whitespace).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| unreachable!("strings and integers only: {e}"))
    }
}

#[derive(Serialize)]
struct CallbackJson<'a> {
    #[serde(rename = "callbackUrl")]
    url: &'a str,
    #[serde(rename = "callbackHost", skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(rename = "callbackBody")]
    body: &'a str,
    #[serde(rename = "callbackBodyType")]
    body_type: &'a str,
}

/// The callback JSON of §2.3.
pub fn callback_json(callback: &Callback) -> String {
    let json = CallbackJson {
        url: &callback.url,
        host: callback.host.as_deref(),
        body: &callback.body,
        body_type: callback.body_type.as_str(),
    };
    serde_json::to_string(&json).unwrap_or_else(|e| unreachable!("strings only: {e}"))
}

/// `CB64`: standard base64 of [`callback_json`].
pub fn callback_b64(callback: &Callback) -> String {
    STANDARD.encode(callback_json(callback))
}

/// The credential scope of a V4 scheme: `AK/YYYYMMDD/REGION/SERVICE/TERMINATOR`.
pub fn credential(scheme: Scheme, access_key_id: &str, date: &str, region: &str) -> Option<String> {
    match scheme {
        Scheme::OssV4 => Some(format!(
            "{access_key_id}/{date}/{region}/oss/aliyun_v4_request"
        )),
        Scheme::S3V4 => Some(format!("{access_key_id}/{date}/{region}/s3/aws4_request")),
        Scheme::OssV1 => None,
    }
}

fn prefix_rule(name: &str, field: &Conditioned<PrefixRule>) -> Condition {
    match &field.rule {
        PrefixRule::Exact => Condition::Exact(name.to_owned(), field.value.clone()),
        PrefixRule::StartsWith(p) => Condition::StartsWith(name.to_owned(), p.clone()),
    }
}

fn rule(name: &str, field: &Conditioned<Rule>) -> Condition {
    match &field.rule {
        Rule::Exact => Condition::Exact(name.to_owned(), field.value.clone()),
        Rule::StartsWith(p) => Condition::StartsWith(name.to_owned(), p.clone()),
        Rule::In(items) => Condition::In(name.to_owned(), items.clone()),
        Rule::NotIn(items) => Condition::NotIn(name.to_owned(), items.clone()),
    }
}

/// The policy document for already validated inputs (§2.2 order).
pub fn document(
    target: &Target,
    access_key_id: &str,
    security_token: Option<&str>,
    spec: &PolicySpec,
    now: u64,
    expires: u64,
) -> PolicyDocument {
    let scheme = target.scheme;
    let fp = scheme.field_prefix();
    let date = civil::date(now);
    let mut c = vec![Condition::Exact("bucket".into(), target.bucket.clone())];
    let exact = |n: &str, v: &str| Condition::Exact(n.to_owned(), v.to_owned());
    let iso = civil::iso_basic(now);
    if let Some(cred) = credential(scheme, access_key_id, &date, &target.region) {
        if scheme == Scheme::OssV4 {
            c.push(exact("x-oss-signature-version", "OSS4-HMAC-SHA256"));
            c.push(exact("x-oss-credential", &cred));
            c.push(exact("x-oss-date", &iso));
        } else {
            c.push(exact("x-amz-algorithm", "AWS4-HMAC-SHA256"));
            c.push(exact("x-amz-credential", &cred));
            c.push(exact("x-amz-date", &iso));
        }
    }
    if let Some(token) = security_token {
        c.push(exact(&format!("{fp}security-token"), token));
    }
    if let Some((min, max)) = spec.content_length_range {
        c.push(Condition::ContentLengthRange(min, max));
    }
    c.push(prefix_rule("key", &spec.key));
    if let Some(f) = &spec.content_type {
        c.push(rule("Content-Type", f));
    }
    if let Some(f) = &spec.cache_control {
        c.push(rule("Cache-Control", f));
    }
    if let Some(f) = &spec.content_disposition {
        c.push(prefix_rule("Content-Disposition", f));
    }
    if let Some(s) = spec.success_action_status {
        c.push(exact("success_action_status", s.as_str()));
    }
    if let Some(f) = &spec.success_action_redirect {
        c.push(prefix_rule("success_action_redirect", f));
    }
    for (name, f) in &spec.meta {
        c.push(prefix_rule(&format!("{fp}meta-{name}"), f));
    }
    if spec.forbid_overwrite {
        c.push(exact("x-oss-forbid-overwrite", "true"));
    }
    if let Some(cb) = &spec.callback {
        c.push(exact("callback", &callback_b64(cb)));
    }
    for (name, value) in &spec.vars {
        c.push(exact(&format!("x:{name}"), value));
    }
    PolicyDocument {
        expiration: civil::expiration(expires),
        conditions: c,
    }
}
