//! The ticket: URL, ordered form fields, and the three JSON shapes (`docs/policy.md` §4).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::error::Error;
use super::model::{Credentials, PolicySpec, PrefixRule, Protocol, Scheme, Target, Time, UrlStyle};
use super::{civil, policy, sign, validate};

/// Everything a ticket carries, as owned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The scheme it was signed with.
    pub scheme: Scheme,
    /// Where the camera posts.
    pub url: String,
    /// The object key (the `key` form field).
    pub key: String,
    /// The `dir` of the app-server shapes.
    pub dir: String,
    /// `now + lifetime`, Unix seconds.
    pub expires: u64,
    /// `expires` as `YYYY-MM-DDTHH:MM:SS.000Z`.
    pub expiration: String,
    /// The policy JSON text.
    pub policy_json: String,
    /// Its standard base64.
    pub policy_b64: String,
    /// The signature form field's value.
    pub signature: String,
    /// The form fields, in order, without `file`.
    pub fields: Vec<(String, String)>,
}

impl Ticket {
    /// The value of the first form field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The JSON shapes of §4.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `{"url":..,"key":..,"expires":..,"expiration":..,"fields":[[..],..]}`.
    Upticket,
    /// The legacy OSS app-server sample (`oss-v1` only).
    AppServerV1,
    /// The current OSS app-server sample (`oss-v4` only).
    AppServerV4,
}

/// `PROTO://BUCKET.ENDPOINT`, or `PROTO://ENDPOINT/BUCKET` for S3 path style.
pub fn url(target: &Target) -> String {
    let proto = match target.protocol {
        Protocol::Http => "http",
        Protocol::Https => "https",
    };
    let (bucket, endpoint) = (&target.bucket, &target.endpoint);
    if target.scheme == Scheme::S3V4 && target.style == UrlStyle::Path {
        format!("{proto}://{endpoint}/{bucket}")
    } else {
        format!("{proto}://{bucket}.{endpoint}")
    }
}

/// The `dir` of §4.3: the key prefix of a starts-with rule, or the exact key up to its last `/`.
pub fn dir(spec: &PolicySpec) -> String {
    match &spec.key.rule {
        PrefixRule::StartsWith(p) => p.clone(),
        PrefixRule::Exact => {
            let key = &spec.key.value;
            let folder = key.rfind('/').and_then(|i| key.get(..=i));
            folder.unwrap_or_default().to_owned()
        }
    }
}

/// Issues a ticket, or returns the first violated rule of [`validate::violations`].
pub fn issue(
    target: &Target,
    credentials: &Credentials,
    spec: &PolicySpec,
    time: Time,
) -> Result<Ticket, Error> {
    if let Some(&first) = validate::violations(target, credentials, spec, time).first() {
        return Err(first);
    }
    let scheme = target.scheme;
    let ak = credentials.access_key_id.as_str();
    let token = credentials.security_token.as_deref();
    let expires = time.now + time.lifetime;
    let doc = policy::document(target, ak, token, spec, time.now, expires);
    let policy_json = doc.to_json();
    let policy_b64 = STANDARD.encode(&policy_json);
    let date = civil::date(time.now);
    let iso = civil::iso_basic(time.now);
    let secret = credentials.secret.as_slice();
    let region = target.region.as_str();

    let mut fields: Vec<(String, String)> = Vec::new();
    let mut put = |n: &str, v: &str| fields.push((n.to_owned(), v.to_owned()));
    put("key", &spec.key.value);
    put("policy", &policy_b64);
    let signature = match scheme {
        Scheme::OssV1 => {
            let sig = sign::oss_v1(secret, &policy_b64);
            put("OSSAccessKeyId", ak);
            put("Signature", &sig);
            sig
        }
        Scheme::OssV4 => {
            let sig = sign::v4(sign::OSS_V4, secret, &date, region, &policy_b64);
            let cred = format!("{ak}/{date}/{region}/oss/aliyun_v4_request");
            put("x-oss-signature-version", "OSS4-HMAC-SHA256");
            put("x-oss-credential", &cred);
            put("x-oss-date", &iso);
            put("x-oss-signature", &sig);
            sig
        }
        Scheme::S3V4 => {
            let sig = sign::v4(sign::S3_V4, secret, &date, region, &policy_b64);
            let cred = format!("{ak}/{date}/{region}/s3/aws4_request");
            put("x-amz-algorithm", "AWS4-HMAC-SHA256");
            put("x-amz-credential", &cred);
            put("x-amz-date", &iso);
            put("x-amz-signature", &sig);
            sig
        }
    };
    let fp = scheme.field_prefix();
    if let Some(token) = token {
        put(&format!("{fp}security-token"), token);
    }
    let optional = [
        ("Content-Type", spec.content_type.as_ref().map(|f| &f.value)),
        (
            "Cache-Control",
            spec.cache_control.as_ref().map(|f| &f.value),
        ),
        (
            "Content-Disposition",
            spec.content_disposition.as_ref().map(|f| &f.value),
        ),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            put(name, value);
        }
    }
    if let Some(status) = spec.success_action_status {
        put("success_action_status", status.as_str());
    }
    if let Some(f) = &spec.success_action_redirect {
        put("success_action_redirect", &f.value);
    }
    for (name, f) in &spec.meta {
        put(&format!("{fp}meta-{name}"), &f.value);
    }
    if spec.forbid_overwrite {
        put("x-oss-forbid-overwrite", "true");
    }
    if let Some(cb) = &spec.callback {
        put("callback", &policy::callback_b64(cb));
    }
    for (name, value) in &spec.vars {
        put(&format!("x:{name}"), value);
    }

    Ok(Ticket {
        scheme,
        url: url(target),
        key: spec.key.value.clone(),
        dir: dir(spec),
        expires,
        expiration: civil::expiration(expires),
        policy_json,
        policy_b64,
        signature,
        fields,
    })
}

#[derive(Serialize)]
struct UpticketJson<'a> {
    url: &'a str,
    key: &'a str,
    expires: u64,
    expiration: &'a str,
    fields: &'a [(String, String)],
}

#[derive(Serialize)]
struct AppServerV1Json<'a> {
    accessid: &'a str,
    host: &'a str,
    policy: &'a str,
    signature: &'a str,
    expire: u64,
    dir: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

#[derive(Serialize)]
struct AppServerV4Json<'a> {
    policy: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_token: Option<&'a str>,
    x_oss_signature_version: &'a str,
    x_oss_credential: &'a str,
    x_oss_date: &'a str,
    signature: &'a str,
    host: &'a str,
    dir: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a str>,
}

/// The form fields an app-server client sends: key, policy, auth, token, callback.
const APP_SERVER_FIELDS: [&str; 10] = [
    "key",
    "policy",
    "OSSAccessKeyId",
    "Signature",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-signature",
    "x-oss-security-token",
    "callback",
];

/// The ticket as JSON in `shape`, or [`Error::UnsupportedShape`].
///
/// The V1 app-server shape has no key for a security token, so a V1 ticket with a token cannot
/// be written in it (the page says a field the shape cannot carry gives `UnsupportedShape`).
pub fn ticket_json(ticket: &Ticket, shape: Shape) -> Result<String, Error> {
    let json = match shape {
        Shape::Upticket => serde_json::to_string(&UpticketJson {
            url: &ticket.url,
            key: &ticket.key,
            expires: ticket.expires,
            expiration: &ticket.expiration,
            fields: &ticket.fields,
        }),
        Shape::AppServerV1 | Shape::AppServerV4 => {
            let wanted = if shape == Shape::AppServerV1 {
                Scheme::OssV1
            } else {
                Scheme::OssV4
            };
            let expressible = ticket
                .fields
                .iter()
                .all(|(n, _)| APP_SERVER_FIELDS.contains(&n.as_str()));
            let token = ticket.field("x-oss-security-token");
            if ticket.scheme != wanted
                || !expressible
                || (shape == Shape::AppServerV1 && token.is_some())
            {
                return Err(Error::UnsupportedShape);
            }
            let f = |name: &str| ticket.field(name).unwrap_or_default();
            if shape == Shape::AppServerV1 {
                serde_json::to_string(&AppServerV1Json {
                    accessid: f("OSSAccessKeyId"),
                    host: &ticket.url,
                    policy: &ticket.policy_b64,
                    signature: &ticket.signature,
                    expire: ticket.expires,
                    dir: &ticket.dir,
                    callback: ticket.field("callback"),
                })
            } else {
                serde_json::to_string(&AppServerV4Json {
                    policy: &ticket.policy_b64,
                    security_token: token,
                    x_oss_signature_version: f("x-oss-signature-version"),
                    x_oss_credential: f("x-oss-credential"),
                    x_oss_date: f("x-oss-date"),
                    signature: &ticket.signature,
                    host: &ticket.url,
                    dir: &ticket.dir,
                    callback: ticket.field("callback"),
                })
            }
        }
    };
    json.map_err(|e| unreachable!("strings, integers and string pairs only: {e}"))
}
