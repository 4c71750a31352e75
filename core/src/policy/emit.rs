//! Writes the policy JSON of `docs/policy.md` §2, conditions in the documented order.

use core::ops::Range;

use crate::Error;
use crate::sign::V4Params;
use crate::target::Scheme;
use crate::time::{DATE_LEN, EXPIRATION_LEN, ISO_BASIC_LEN, day};
use crate::wire::base64::Base64Writer;
use crate::wire::{Sink, json};

use super::{FieldSpec, PolicySpec, Rule};

/// What the signer adds to the spec: bucket, times, credential scope and token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AuthConditions<'a> {
    pub scheme: Scheme,
    pub bucket: &'a str,
    pub access_key_id: &'a str,
    pub region: &'a str,
    /// `YYYYMMDDTHHMMSSZ` of the signing instant.
    pub date: [u8; ISO_BASIC_LEN],
    /// `YYYY-MM-DDTHH:MM:SS.000Z` of the expiry.
    pub expiration: [u8; EXPIRATION_LEN],
    pub token: Option<&'a str>,
}

/// Where the policy JSON holds values that are also form fields, written verbatim (base64
/// never needs escaping), so the ticket can point at them instead of storing them twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spans {
    /// The callback's base64.
    pub callback: Option<Range<usize>>,
}

/// Writes the V4 credential scope `AK/YYYYMMDD/REGION/SERVICE/TERMINATOR`.
pub(crate) fn credential<S: Sink + ?Sized>(
    sink: &mut S,
    params: &V4Params,
    access_key_id: &str,
    date: &[u8; DATE_LEN],
    region: &str,
) -> Result<(), Error> {
    for part in [
        access_key_id.as_bytes(),
        b"/",
        date,
        b"/",
        region.as_bytes(),
        b"/",
    ] {
        sink.put(part)?;
    }
    sink.put(params.service.as_bytes())?;
    sink.put(b"/")?;
    sink.put(params.terminator.as_bytes())
}

/// Writes `{"NAME":"` + what `value` writes + `"}` and returns where the value went.
fn verbatim_member<S: Sink + ?Sized>(
    sink: &mut S,
    name: &[u8],
    value: impl FnOnce(&mut S) -> Result<(), Error>,
) -> Result<Range<usize>, Error> {
    sink.put(b",{\"")?;
    sink.put(name)?;
    sink.put(b"\":\"")?;
    let start = sink.position();
    value(sink)?;
    let end = sink.position();
    sink.put(b"\"}")?;
    Ok(start..end)
}

/// Writes the whole policy JSON and returns the spans of the verbatim values.
pub(crate) fn emit<S: Sink + ?Sized>(
    sink: &mut S,
    spec: &PolicySpec<'_>,
    auth: &AuthConditions<'_>,
) -> Result<Spans, Error> {
    let mut spans = Spans::default();
    sink.put(b"{\"expiration\":\"")?;
    sink.put(&auth.expiration)?;
    sink.put(b"\",\"conditions\":[")?;
    json::member_object(sink, &[b"bucket"], auth.bucket.as_bytes())?;
    let prefix = auth.scheme.field_prefix().as_bytes();
    let v4 = match auth.scheme {
        Scheme::OssV4 => Some((V4Params::OSS, b"signature-version".as_slice())),
        Scheme::S3V4 => Some((V4Params::S3, b"algorithm".as_slice())),
        Scheme::OssV1 => None,
    };
    if let Some((params, algorithm_field)) = v4 {
        sink.put(b",{\"")?;
        sink.put(prefix)?;
        sink.put(algorithm_field)?;
        sink.put(b"\":\"")?;
        sink.put(params.algorithm.as_bytes())?;
        sink.put(b"\"}")?;
        let date = auth.date;
        let day = day(&date);
        let name: &[u8] = if auth.scheme.is_oss() {
            b"x-oss-credential"
        } else {
            b"x-amz-credential"
        };
        verbatim_member(sink, name, |s| {
            credential(s, &params, auth.access_key_id, &day, auth.region)
        })?;
        let name: &[u8] = if auth.scheme.is_oss() {
            b"x-oss-date"
        } else {
            b"x-amz-date"
        };
        verbatim_member(sink, name, |s| s.put(&date))?;
    }
    if let Some(token) = auth.token {
        sink.put(b",")?;
        json::member_object(sink, &[prefix, b"security-token"], token.as_bytes())?;
    }
    if let Some(range) = spec.content_length {
        sink.put(b",[\"content-length-range\",")?;
        json::number(sink, range.min())?;
        sink.put(b",")?;
        json::number(sink, range.max())?;
        sink.put(b"]")?;
    }
    condition(sink, &[b"key"], &spec.key)?;
    let optional = [
        ("Content-Type", spec.content_type),
        ("Cache-Control", spec.cache_control),
        ("Content-Disposition", spec.content_disposition),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            condition(sink, &[name.as_bytes()], &value)?;
        }
    }
    if let Some(status) = spec.success_action_status {
        sink.put(b",")?;
        json::member_object(
            sink,
            &[b"success_action_status"],
            status.as_str().as_bytes(),
        )?;
    }
    if let Some(redirect) = spec.success_action_redirect {
        condition(sink, &[b"success_action_redirect"], &redirect)?;
    }
    for meta in spec.meta {
        condition(sink, &[prefix, b"meta-", meta.name.as_bytes()], &meta.value)?;
    }
    if spec.forbid_overwrite {
        sink.put(b",{\"x-oss-forbid-overwrite\":\"true\"}")?;
    }
    if let Some(callback) = &spec.callback {
        spans.callback = Some(verbatim_member(sink, b"callback", |s| {
            let mut b64 = Base64Writer::new(s);
            callback.emit(&mut b64)?;
            b64.finish()
        })?);
    }
    for var in spec.vars {
        sink.put(b",")?;
        json::member_object(sink, &[b"x:", var.name.as_bytes()], var.value.as_bytes())?;
    }
    sink.put(b"]}")?;
    Ok(spans)
}

/// Writes `,` and one field condition in the form its rule asks for.
fn condition<S: Sink + ?Sized>(
    sink: &mut S,
    name: &[&[u8]],
    spec: &FieldSpec<'_>,
) -> Result<(), Error> {
    sink.put(b",")?;
    let (op, list): (&[u8], _) = match spec.rule {
        Rule::Exact => return json::member_object(sink, name, spec.value.as_bytes()),
        Rule::StartsWith(prefix) => {
            sink.put(b"[\"starts-with\",\"$")?;
            for part in name {
                json::escaped(sink, part)?;
            }
            sink.put(b"\",")?;
            json::string(sink, prefix.as_bytes())?;
            return sink.put(b"]");
        }
        Rule::In(list) => (b"in", list),
        Rule::NotIn(list) => (b"not-in", list),
    };
    sink.put(b"[\"")?;
    sink.put(op)?;
    sink.put(b"\",\"$")?;
    for part in name {
        json::escaped(sink, part)?;
    }
    sink.put(b"\",[")?;
    for (i, item) in list.iter().enumerate() {
        if i > 0 {
            sink.put(b",")?;
        }
        json::string(sink, item.as_bytes())?;
    }
    sink.put(b"]]")
}
