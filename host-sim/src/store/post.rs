//! PostObject: from a multipart body to a stored object or a rejection, checking the form the way
//! OSS (V1, V4) and S3 (V2, SigV4) do.

use std::io::Read;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::config::{Credential, Shared};
use super::error::{StoreError, xml_escape};
use super::multipart::{self, MultipartError};
use super::objects::ObjectMeta;
use super::policy::{self, Dialect, FormView};
use super::signature::{self, OSS_V4, S3_V4, V4Params};
use super::time::parse_amz_date;

/// How a form is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    /// `OSSAccessKeyId` + `Signature` (HMAC-SHA1).
    OssV1,
    /// `x-oss-signature-version` + `x-oss-credential` + `x-oss-date` + `x-oss-signature`.
    OssV4,
    /// `AWSAccessKeyId` + `signature` (HMAC-SHA1).
    S3V2,
    /// `x-amz-algorithm` + `x-amz-credential` + `x-amz-date` + `x-amz-signature`.
    S3V4,
}

impl Scheme {
    fn dialect(self) -> Dialect {
        match self {
            Self::OssV1 | Self::OssV4 => Dialect::Oss,
            Self::S3V2 | Self::S3V4 => Dialect::S3,
        }
    }

    fn token_field(self) -> &'static str {
        match self.dialect() {
            Dialect::Oss => "x-oss-security-token",
            Dialect::S3 => "x-amz-security-token",
        }
    }
}

/// A successful PostObject, ready to be written as an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// 200, 201, 203 (OSS callback not performed), 204 or 303 (redirect).
    pub status: u16,
    /// Extra response headers (`ETag`, `Location`).
    pub headers: Vec<(String, String)>,
    /// Response body (`PostResponse` XML for 201, the error XML for 203, else empty).
    pub body: String,
}

/// The form after multipart parsing, names lower-case.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A required field: present and non-empty.
    fn required(&self, name: &str) -> Result<&str, StoreError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            StoreError::invalid_argument(format!(
                "Bucket POST must contain a field named '{name}'."
            ))
        })
    }
}

fn detect(fields: &Fields) -> Result<Scheme, StoreError> {
    let oss_v4 = [
        "x-oss-signature-version",
        "x-oss-credential",
        "x-oss-date",
        "x-oss-signature",
    ]
    .iter()
    .any(|n| fields.has(n));
    let oss_v1 = fields.has("ossaccesskeyid");
    let s3_v4 = [
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-signature",
    ]
    .iter()
    .any(|n| fields.has(n));
    let s3_v2 = fields.has("awsaccesskeyid");
    match (oss_v1, oss_v4, s3_v2, s3_v4) {
        (true, false, false, false) => Ok(Scheme::OssV1),
        (false, true, false, false) => Ok(Scheme::OssV4),
        (false, false, true, false) => Ok(Scheme::S3V2),
        (false, false, false, true) => Ok(Scheme::S3V4),
        (false, false, false, false) if fields.has("policy") || fields.has("signature") => {
            Err(StoreError::invalid_argument(
                "The form has a policy or signature but no access key id.",
            ))
        }
        (false, false, false, false) => Err(StoreError::new(
            403,
            "AccessDenied",
            "Anonymous access is forbidden for this operation.",
        )),
        _ => Err(StoreError::invalid_argument(
            "The form mixes the fields of more than one signature scheme.",
        )),
    }
}

/// A checked V4 credential scope.
struct Scope<'a> {
    access_key: &'a str,
    day: &'a str,
}

/// Checks algorithm, credential scope and date of a V4 form: `AK/YYYYMMDD/REGION/SERVICE/TERM`
/// with the day of the `x-*-date` field, this store's region and the scheme's service and
/// terminator.
fn v4_scope<'a>(
    fields: &'a Fields,
    shared: &Shared,
    params: V4Params,
    prefix: &str,
) -> Result<(Scope<'a>, i64), StoreError> {
    let (algorithm_field, algorithm) = match prefix {
        "x-oss-" => ("x-oss-signature-version", "OSS4-HMAC-SHA256"),
        _ => ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
    };
    let sent_algorithm = fields.required(algorithm_field)?;
    let credential = fields.required(&format!("{prefix}credential"))?;
    let date = fields.required(&format!("{prefix}date"))?;
    fields.required(&format!("{prefix}signature"))?;
    if sent_algorithm != algorithm {
        return Err(StoreError::invalid_argument(format!(
            "{algorithm_field} must be {algorithm}."
        )));
    }
    let date_ms = parse_amz_date(date).ok_or_else(|| {
        StoreError::invalid_argument(format!("{prefix}date must be YYYYMMDDTHHMMSSZ."))
    })?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, day, region, service, terminator] = parts.as_slice() else {
        return Err(StoreError::invalid_argument(format!(
            "{prefix}credential must be AK/YYYYMMDD/REGION/{}/{}.",
            params.service, params.terminator
        )));
    };
    if access_key.is_empty() {
        return Err(StoreError::invalid_argument(format!(
            "{prefix}credential has no access key id."
        )));
    }
    if Some(*day) != date.get(..8) {
        return Err(StoreError::invalid_argument(format!(
            "The credential date {day} is not the day of {prefix}date {date}."
        )));
    }
    if *region != shared.region {
        return Err(StoreError::invalid_argument(format!(
            "The credential region '{region}' is wrong; expecting '{}'.",
            shared.region
        )));
    }
    if *service != params.service || *terminator != params.terminator {
        return Err(StoreError::invalid_argument(format!(
            "The credential scope must end with /{}/{}.",
            params.service, params.terminator
        )));
    }
    Ok((Scope { access_key, day }, date_ms))
}

fn token_error(dialect: Dialect) -> StoreError {
    match dialect {
        Dialect::S3 => StoreError::new(
            400,
            "InvalidToken",
            "The provided token is malformed or otherwise invalid.",
        ),
        Dialect::Oss => StoreError::new(
            403,
            "InvalidAccessKeyId",
            "The Security Token is missing or does not belong to the access key id.",
        ),
    }
}

/// The security token rule: with a configured token the form must carry exactly it; without
/// one the form must carry none.
fn check_token(fields: &Fields, scheme: Scheme, credential: &Credential) -> Result<(), StoreError> {
    let sent = fields.get(scheme.token_field());
    let ok = match (&credential.security_token, sent) {
        (Some(expected), Some(sent)) => signature::secret_eq(expected, sent),
        (None, None) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(token_error(scheme.dialect()))
    }
}

/// How the expected signature is computed once the credential is known.
enum Expected<'a> {
    /// Base64 HMAC-SHA1 (OSS V1, S3 V2).
    V1,
    /// Hex HMAC-SHA256 with the key chain of `params` for `day`.
    V4 { params: V4Params, day: &'a str },
}

/// Checks the scheme's auth fields; returns the access key id and how to sign.
fn auth_fields<'a>(
    fields: &'a Fields,
    shared: &Shared,
    scheme: Scheme,
) -> Result<(&'a str, Expected<'a>), StoreError> {
    fields.required("policy")?;
    let (params, prefix) = match scheme {
        Scheme::OssV1 | Scheme::S3V2 => {
            let id_field = if scheme == Scheme::OssV1 {
                "ossaccesskeyid"
            } else {
                "awsaccesskeyid"
            };
            let id = fields.required(id_field)?;
            fields.required("signature")?;
            return Ok((id, Expected::V1));
        }
        Scheme::OssV4 => (OSS_V4, "x-oss-"),
        Scheme::S3V4 => (S3_V4, "x-amz-"),
    };
    let (scope, date_ms) = v4_scope(fields, shared, params, prefix)?;
    if scheme == Scheme::OssV4 {
        // OSS: x-oss-date may be at most 15 minutes ahead, and a request is valid for at most
        // 7 days after it.
        let now_ms = shared.clock.now_ms();
        if date_ms > now_ms + 15 * 60 * 1000 {
            return Err(StoreError::new(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ));
        }
        if now_ms > date_ms + 7 * 24 * 3600 * 1000 {
            return Err(StoreError::new(403, "AccessDenied", "Request has expired."));
        }
    }
    Ok((
        scope.access_key,
        Expected::V4 {
            params,
            day: scope.day,
        },
    ))
}

/// Finds the credential, checks the token and the signature; returns the policy text.
fn authenticate<'a>(
    fields: &'a Fields,
    shared: &Shared,
    scheme: Scheme,
) -> Result<&'a str, StoreError> {
    let (access_key, expected) = auth_fields(fields, shared, scheme)?;
    let credential = shared
        .credentials
        .iter()
        .find(|c| signature::secret_eq(&c.access_key_id, access_key))
        .ok_or_else(StoreError::access_key)?;
    check_token(fields, scheme, credential)?;
    let policy = fields.required("policy")?;
    let matches = match (expected, scheme) {
        (Expected::V1, _) => signature::v1_matches(
            &signature::v1_signature(&credential.secret, policy),
            fields.required("signature")?,
        ),
        (Expected::V4 { params, day }, _) => {
            let computed =
                signature::v4_signature(params, &credential.secret, day, &shared.region, policy);
            let field = if scheme == Scheme::OssV4 {
                "x-oss-signature"
            } else {
                "x-amz-signature"
            };
            signature::v4_matches(&computed, fields.required(field)?)
        }
    };
    if matches {
        Ok(policy)
    } else {
        Err(StoreError::signature())
    }
}

/// The fields a V4 policy must pin exactly (the signing fields, and the token when sent).
fn required_exact(scheme: Scheme) -> &'static [&'static str] {
    match scheme {
        Scheme::OssV4 => &["x-oss-signature-version", "x-oss-credential", "x-oss-date"],
        Scheme::S3V4 => &["x-amz-algorithm", "x-amz-credential", "x-amz-date"],
        Scheme::OssV1 | Scheme::S3V2 => &[],
    }
}

/// AWS: "The form data and boundaries (excluding the contents of the file) cannot exceed 20KB";
/// counted here as the bytes of field names and values.
const S3_MAX_FORM_BYTES: usize = 20 * 1024;

fn form_too_large() -> StoreError {
    StoreError::new(
        400,
        "MaxPostPreDataLengthExceeded",
        "Your POST request fields preceding the upload file were too large.",
    )
}

fn multipart_error(e: MultipartError) -> StoreError {
    match e {
        MultipartError::Malformed(why) => StoreError::malformed(why),
        MultipartError::FormTooLarge => form_too_large(),
        MultipartError::FileTooLarge => StoreError::new(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        ),
        MultipartError::Io(e) => StoreError::new(
            400,
            "IncompleteBody",
            format!("Reading the body failed: {e}"),
        ),
    }
}

/// Checks the `callback` field (OSS): base64 of a JSON object with `callbackUrl` and
/// `callbackBody`.
fn check_callback(value: &str) -> Result<(), StoreError> {
    let bad = || {
        StoreError::invalid_argument(
            "The callback configuration is not valid base64 JSON with callbackUrl and callbackBody.",
        )
    };
    let json = STANDARD.decode(value).map_err(|_| bad())?;
    let doc: serde_json::Value = serde_json::from_slice(&json).map_err(|_| bad())?;
    let non_empty = |k: &str| {
        doc.get(k)
            .and_then(|v| v.as_str())
            .is_some_and(|s| !s.is_empty())
    };
    if non_empty("callbackUrl") && non_empty("callbackBody") {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Percent-encodes an object key for a URL path (`/` kept).
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Handles one PostObject to `bucket`. `location_base` is the bucket's URL (no trailing slash),
/// used for `Location`.
pub fn handle(
    shared: &Shared,
    bucket: &str,
    content_type: &str,
    body: impl Read,
    location_base: &str,
) -> Result<Accepted, StoreError> {
    let boundary = multipart::boundary_of(content_type).ok_or_else(|| {
        StoreError::malformed("Content-Type must be multipart/form-data with a boundary")
    })?;
    if !shared.objects.has_bucket(bucket) {
        return Err(StoreError::new(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        ));
    }
    let mut upload = shared
        .objects
        .incoming()
        .map_err(|e| StoreError::new(500, "InternalError", e.to_string()))?;
    let form =
        multipart::parse(body, &boundary, &shared.limits, &mut upload).map_err(multipart_error)?;

    let mut lowered: Vec<(String, String)> = Vec::with_capacity(form.fields.len());
    for (name, value) in form.fields {
        let name = name.to_ascii_lowercase();
        if lowered.iter().any(|(n, _)| *n == name) {
            return Err(StoreError::invalid_argument(format!(
                "The form field '{name}' appears more than once."
            )));
        }
        lowered.push((name, value));
    }
    let mut fields = Fields(lowered);
    let scheme = detect(&fields)?;
    let dialect = scheme.dialect();
    let form_bytes: usize = fields.0.iter().map(|(n, v)| n.len() + v.len()).sum();
    if dialect == Dialect::S3 && form_bytes > S3_MAX_FORM_BYTES {
        return Err(form_too_large());
    }
    let file = form.file.ok_or_else(|| {
        StoreError::new(
            400,
            "IncorrectNumberOfFilesInPOSTRequest",
            "POST requires exactly one file upload per request.",
        )
    })?;
    if dialect == Dialect::Oss && !form.after_file.is_empty() {
        return Err(StoreError::malformed(
            "the file must be the last form field",
        ));
    }
    let key = fields.required("key")?.to_owned();

    let policy_b64 = authenticate(&fields, shared, scheme)?;
    let policy_json = STANDARD
        .decode(policy_b64)
        .map_err(|_| StoreError::invalid_policy("the policy field is not base64"))?;
    let policy = policy::parse(&policy_json, dialect)?;
    if shared.clock.now_ms() >= policy.expiration_ms {
        return Err(StoreError::policy("Policy expired."));
    }

    // S3 expands ${filename} before checking the policy; OSS after.
    let filename = file.filename.clone().unwrap_or_default();
    let expanded = key.replace("${filename}", &filename);
    if dialect == Dialect::S3
        && let Some(slot) = fields.0.iter_mut().find(|(n, _)| n == "key")
    {
        slot.1.clone_from(&expanded);
    }
    policy::evaluate(
        &policy,
        dialect,
        &FormView {
            fields: &fields.0,
            bucket,
            file_size: file.size,
        },
    )?;
    let token_field = scheme.token_field();
    let pinned = required_exact(scheme).iter().copied().chain(
        fields
            .has(token_field)
            .then_some(token_field)
            .filter(|_| scheme != Scheme::OssV1),
    );
    for name in pinned {
        let value = fields.get(name).unwrap_or_default();
        if !policy.requires_exact(name, value) {
            return Err(StoreError::policy(format!(
                "Policy missing condition: {name}"
            )));
        }
    }
    if expanded.is_empty() {
        return Err(StoreError::invalid_argument("The object key is empty."));
    }
    if expanded.len() > 1023 {
        return Err(StoreError::new(
            400,
            "KeyTooLongError",
            "Your key is too long.",
        ));
    }
    if dialect == Dialect::Oss
        && fields
            .get("x-oss-forbid-overwrite")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        && shared.objects.exists(bucket, &expanded)
    {
        return Err(StoreError::new(
            409,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        ));
    }
    let callback = fields.get("callback").filter(|_| dialect == Dialect::Oss);
    if let Some(callback) = callback {
        check_callback(callback)?;
    }

    let meta_prefix = if dialect == Dialect::Oss {
        "x-oss-meta-"
    } else {
        "x-amz-meta-"
    };
    let metadata: Vec<(String, String)> = fields
        .0
        .iter()
        .filter(|(n, _)| n.starts_with(meta_prefix))
        .cloned()
        .collect();
    let content_type = fields
        .get("x-oss-content-type")
        .filter(|_| dialect == Dialect::Oss)
        .or_else(|| fields.get("content-type"))
        .or(file.content_type.as_deref())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let etag = shared
        .objects
        .commit(
            upload,
            bucket,
            &expanded,
            &ObjectMeta {
                content_type: &content_type,
                metadata: &metadata,
            },
        )
        .map_err(|e| StoreError::new(500, "InternalError", e.to_string()))?;

    let location = format!("{location_base}/{}", encode_key(&expanded));
    let mut headers = vec![("ETag".to_owned(), etag.clone())];
    if callback.is_some() {
        let error = StoreError::new(
            203,
            "CallbackFailed",
            "The object was stored, but the simulator does not perform upload callbacks.",
        );
        return Ok(Accepted {
            status: 203,
            headers,
            body: error.to_xml(&location, ""),
        });
    }
    let redirect = fields
        .get("success_action_redirect")
        .or_else(|| fields.get("redirect").filter(|_| dialect == Dialect::S3));
    if let Some(redirect) = redirect.filter(|r| !r.is_empty()) {
        let separator = if redirect.contains('?') { '&' } else { '?' };
        let target = format!(
            "{redirect}{separator}bucket={}&key={}&etag={}",
            encode_key(bucket),
            encode_key(&expanded).replace('/', "%2F"),
            encode_key(&etag)
        );
        headers.push(("Location".to_owned(), target));
        return Ok(Accepted {
            status: 303,
            headers,
            body: String::new(),
        });
    }
    headers.push(("Location".to_owned(), location.clone()));
    Ok(match fields.get("success_action_status") {
        Some("200") => Accepted {
            status: 200,
            headers,
            body: String::new(),
        },
        Some("201") => Accepted {
            status: 201,
            headers,
            body: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>{}</Location>\
                 <Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                xml_escape(&location),
                xml_escape(bucket),
                xml_escape(&expanded),
                xml_escape(&etag)
            ),
        },
        _ => Accepted {
            status: 204,
            headers,
            body: String::new(),
        },
    })
}
