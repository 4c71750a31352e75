//! The typed policy spec.

use crate::{Error, MAX_CONTENT_LENGTH};

use super::Callback;

/// How the policy constrains a form field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rule<'a> {
    /// The field must equal the ticket's value: `{"NAME":"VALUE"}`.
    Exact,
    /// The field must start with this prefix: `["starts-with","$NAME","P"]`.
    StartsWith(&'a str),
    /// The field must be one of these (OSS only): `["in","$NAME",[...]]`.
    In(&'a [&'a str]),
    /// The field must be none of these (OSS only): `["not-in","$NAME",[...]]`.
    NotIn(&'a [&'a str]),
}

/// A form field's value in the ticket, and the rule the policy applies to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FieldSpec<'a> {
    /// The value the ticket tells the camera to send.
    pub value: &'a str,
    /// What the policy accepts for this field.
    pub rule: Rule<'a>,
}

impl<'a> FieldSpec<'a> {
    /// The field must be exactly `value`.
    pub const fn exact(value: &'a str) -> Self {
        FieldSpec {
            value,
            rule: Rule::Exact,
        }
    }

    /// The ticket sends `value`; the policy accepts anything starting with `prefix`.
    pub const fn starts_with(value: &'a str, prefix: &'a str) -> Self {
        FieldSpec {
            value,
            rule: Rule::StartsWith(prefix),
        }
    }

    /// The ticket sends `value`; the policy accepts any of `list` (OSS only).
    pub const fn one_of(value: &'a str, list: &'a [&'a str]) -> Self {
        FieldSpec {
            value,
            rule: Rule::In(list),
        }
    }

    /// The ticket sends `value`; the policy refuses every item of `list` (OSS only).
    pub const fn none_of(value: &'a str, list: &'a [&'a str]) -> Self {
        FieldSpec {
            value,
            rule: Rule::NotIn(list),
        }
    }
}

/// `success_action_status`: what the store answers on success.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SuccessStatus {
    /// `200`, empty body.
    Ok,
    /// `201`, XML `PostResponse`.
    Created,
    /// `204`, empty body (the stores' default).
    NoContent,
}

impl SuccessStatus {
    /// The field value: `"200"`, `"201"` or `"204"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SuccessStatus::Ok => "200",
            SuccessStatus::Created => "201",
            SuccessStatus::NoContent => "204",
        }
    }
}

/// `["content-length-range",MIN,MAX]`, inclusive, `MIN <= MAX <= 5 GiB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ContentLengthRange {
    min: u64,
    max: u64,
}

impl ContentLengthRange {
    /// A range, or [`Error::InvalidRange`] unless `min <= max <= 5 GiB`.
    pub const fn new(min: u64, max: u64) -> Result<Self, Error> {
        if min <= max && max <= MAX_CONTENT_LENGTH {
            Ok(ContentLengthRange { min, max })
        } else {
            Err(Error::InvalidRange)
        }
    }

    /// Smallest accepted size in bytes.
    pub const fn min(self) -> u64 {
        self.min
    }

    /// Largest accepted size in bytes.
    pub const fn max(self) -> u64 {
        self.max
    }
}

/// One user-metadata field, `x-oss-meta-NAME` / `x-amz-meta-NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Meta<'a> {
    /// The name after the `x-…-meta-` prefix: `a-z 0-9 -`.
    pub name: &'a str,
    /// Value and rule (exact or starts-with).
    pub value: FieldSpec<'a>,
}

/// One OSS callback custom variable, form field `x:NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Var<'a> {
    /// The name after `x:`: `a-z 0-9 _`, starting with a letter.
    pub name: &'a str,
    /// The value, bound exactly in the policy.
    pub value: &'a str,
}

/// What a ticket allows: the typed conditions of `docs/policy.md` §1.2 and §2.2.
///
/// Build it with [`PolicySpec::new`] and struct update syntax; every field but the key is
/// optional. The signer adds bucket, credential, date and token conditions itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PolicySpec<'a> {
    /// The object key (exact or starts-with; a ticket always carries a key condition).
    pub key: FieldSpec<'a>,
    /// Accepted file sizes.
    pub content_length: Option<ContentLengthRange>,
    /// `Content-Type`.
    pub content_type: Option<FieldSpec<'a>>,
    /// `Cache-Control`.
    pub cache_control: Option<FieldSpec<'a>>,
    /// `Content-Disposition` (exact or starts-with).
    pub content_disposition: Option<FieldSpec<'a>>,
    /// `success_action_status`.
    pub success_action_status: Option<SuccessStatus>,
    /// `success_action_redirect` (exact or starts-with).
    pub success_action_redirect: Option<FieldSpec<'a>>,
    /// User metadata, at most [`MAX_META_FIELDS`](crate::MAX_META_FIELDS).
    pub meta: &'a [Meta<'a>],
    /// `x-oss-forbid-overwrite: true` (OSS only).
    pub forbid_overwrite: bool,
    /// Upload callback (OSS only), base64-encoded and bound exactly.
    pub callback: Option<Callback<'a>>,
    /// Callback variables (OSS only), at most [`MAX_VARS`](crate::MAX_VARS).
    pub vars: &'a [Var<'a>],
}

impl<'a> PolicySpec<'a> {
    /// A spec that allows only `key` (plus what the signer adds).
    pub const fn new(key: FieldSpec<'a>) -> Self {
        PolicySpec {
            key,
            content_length: None,
            content_type: None,
            cache_control: None,
            content_disposition: None,
            success_action_status: None,
            success_action_redirect: None,
            meta: &[],
            forbid_overwrite: false,
            callback: None,
            vars: &[],
        }
    }
}
