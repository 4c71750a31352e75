//! The reference's input model: plain owned structs for the four inputs of `docs/policy.md` §1.

/// The signature scheme of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// OSS PostObject V4 (`OSS4-HMAC-SHA256`).
    OssV4,
    /// OSS PostObject V1 (HMAC-SHA1).
    OssV1,
    /// S3 SigV4 POST (`AWS4-HMAC-SHA256`).
    S3V4,
}

impl Scheme {
    /// Whether this is one of the two OSS schemes.
    pub fn is_oss(self) -> bool {
        matches!(self, Scheme::OssV4 | Scheme::OssV1)
    }

    /// The prefix of header-like field names: `x-oss-` or `x-amz-`.
    pub fn field_prefix(self) -> &'static str {
        if self.is_oss() { "x-oss-" } else { "x-amz-" }
    }
}

/// How the URL names the bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlStyle {
    /// `PROTO://BUCKET.ENDPOINT`.
    VirtualHosted,
    /// `PROTO://ENDPOINT/BUCKET` (S3 only; OSS is always virtual-hosted).
    Path,
}

/// The URL scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `http`.
    Http,
    /// `https`.
    Https,
}

/// Where the camera uploads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The signature scheme.
    pub scheme: Scheme,
    /// The bucket name.
    pub bucket: String,
    /// The endpoint host, optionally with `:PORT`.
    pub endpoint: String,
    /// The region id (signed by the V4 schemes only, required by all).
    pub region: String,
    /// Virtual-hosted or path style.
    pub style: UrlStyle,
    /// `http` or `https`.
    pub protocol: Protocol,
}

impl Target {
    /// A virtual-hosted `https` target.
    pub fn new(scheme: Scheme, bucket: &str, endpoint: &str, region: &str) -> Self {
        Target {
            scheme,
            bucket: bucket.to_owned(),
            endpoint: endpoint.to_owned(),
            region: region.to_owned(),
            style: UrlStyle::VirtualHosted,
            protocol: Protocol::Https,
        }
    }
}

/// The signing credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret; any bytes.
    pub secret: Vec<u8>,
    /// The STS security token, if the credentials are temporary.
    pub security_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials (no security token).
    pub fn new(access_key_id: &str, secret: &str) -> Self {
        Credentials {
            access_key_id: access_key_id.to_owned(),
            secret: secret.as_bytes().to_vec(),
            security_token: None,
        }
    }
}

/// The rules `key`, `Content-Disposition`, `success_action_redirect` and meta fields may carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixRule {
    /// `{"NAME":"VALUE"}`.
    Exact,
    /// `["starts-with","$NAME","P"]`.
    StartsWith(String),
}

/// The rules `Content-Type` and `Cache-Control` may carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `{"NAME":"VALUE"}`.
    Exact,
    /// `["starts-with","$NAME","P"]`.
    StartsWith(String),
    /// `["in","$NAME",[..]]` (OSS only).
    In(Vec<String>),
    /// `["not-in","$NAME",[..]]` (OSS only).
    NotIn(Vec<String>),
}

/// A form field value with the rule the policy applies to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conditioned<R> {
    /// What the ticket's form field holds.
    pub value: String,
    /// The policy's condition on it.
    pub rule: R,
}

impl Conditioned<PrefixRule> {
    /// `value` under a starts-with `prefix` rule.
    pub fn starts_with(value: &str, prefix: &str) -> Self {
        Conditioned {
            value: value.to_owned(),
            rule: PrefixRule::StartsWith(prefix.to_owned()),
        }
    }
}

impl<R> Conditioned<R> {
    /// `value` under `rule`.
    pub fn new(value: &str, rule: R) -> Self {
        Conditioned {
            value: value.to_owned(),
            rule,
        }
    }
}

/// `success_action_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuccessStatus {
    /// `200`, empty body.
    Ok200,
    /// `201`, XML body.
    Created201,
    /// `204`, empty body.
    NoContent204,
}

impl SuccessStatus {
    /// The decimal text of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            SuccessStatus::Ok200 => "200",
            SuccessStatus::Created201 => "201",
            SuccessStatus::NoContent204 => "204",
        }
    }
}

/// `callbackBodyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallbackBodyType {
    /// `application/x-www-form-urlencoded`.
    FormUrlEncoded,
    /// `application/json`.
    Json,
}

impl CallbackBodyType {
    /// The media type text.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackBodyType::FormUrlEncoded => "application/x-www-form-urlencoded",
            CallbackBodyType::Json => "application/json",
        }
    }
}

/// An OSS upload callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// `callbackUrl`.
    pub url: String,
    /// `callbackHost`, left out of the JSON when `None`.
    pub host: Option<String>,
    /// `callbackBody`; may hold `$`.
    pub body: String,
    /// `callbackBodyType`.
    pub body_type: CallbackBodyType,
}

/// The typed conditions of a policy (`docs/policy.md` §1.2, §2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySpec {
    /// The object key and its rule.
    pub key: Conditioned<PrefixRule>,
    /// `content-length-range` as `(min, max)`.
    pub content_length_range: Option<(u64, u64)>,
    /// `Content-Type`.
    pub content_type: Option<Conditioned<Rule>>,
    /// `Cache-Control`.
    pub cache_control: Option<Conditioned<Rule>>,
    /// `Content-Disposition`.
    pub content_disposition: Option<Conditioned<PrefixRule>>,
    /// `success_action_status` (always exact).
    pub success_action_status: Option<SuccessStatus>,
    /// `success_action_redirect`.
    pub success_action_redirect: Option<Conditioned<PrefixRule>>,
    /// Meta fields: the name after `x-oss-meta-` / `x-amz-meta-`, and the value with its rule.
    pub meta: Vec<(String, Conditioned<PrefixRule>)>,
    /// `x-oss-forbid-overwrite: true` (OSS only).
    pub forbid_overwrite: bool,
    /// The upload callback (OSS only).
    pub callback: Option<Callback>,
    /// `x:` variables: the name after `x:` and the value, always exact (OSS only).
    pub vars: Vec<(String, String)>,
}

impl PolicySpec {
    /// A policy with only the key condition.
    pub fn new(key: Conditioned<PrefixRule>) -> Self {
        PolicySpec {
            key,
            content_length_range: None,
            content_type: None,
            cache_control: None,
            content_disposition: None,
            success_action_status: None,
            success_action_redirect: None,
            meta: Vec::new(),
            forbid_overwrite: false,
            callback: None,
            vars: Vec::new(),
        }
    }
}

/// When the ticket is issued and for how long it is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    /// Unix seconds, UTC.
    pub now: u64,
    /// Seconds of validity.
    pub lifetime: u64,
}
