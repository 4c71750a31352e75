//! The one error type of the crate, and the field it names.

use core::fmt;

/// Which input an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Field {
    /// The access key id.
    AccessKeyId,
    /// The access key secret (its value never appears in any error).
    Secret,
    /// The STS security token.
    SecurityToken,
    /// The region id, e.g. `cn-hangzhou`.
    Region,
    /// The bucket name.
    Bucket,
    /// The endpoint host (and port).
    Endpoint,
    /// The object key.
    Key,
    /// The prefix of a starts-with key rule.
    KeyPrefix,
    /// `Content-Type`.
    ContentType,
    /// `Cache-Control`.
    CacheControl,
    /// `Content-Disposition`.
    ContentDisposition,
    /// `success_action_redirect`.
    SuccessActionRedirect,
    /// The name of an `x-oss-meta-*` / `x-amz-meta-*` field.
    MetaName,
    /// The value of a meta field.
    MetaValue,
    /// `x-oss-forbid-overwrite`.
    ForbidOverwrite,
    /// The upload callback as a whole.
    Callback,
    /// `callbackUrl`.
    CallbackUrl,
    /// `callbackHost`.
    CallbackHost,
    /// `callbackBody`.
    CallbackBody,
    /// The name of an `x:` callback variable.
    VarName,
    /// The value of an `x:` callback variable.
    VarValue,
}

impl Field {
    /// A short lower-case name, as used in JSON error reasons.
    pub const fn name(self) -> &'static str {
        match self {
            Field::AccessKeyId => "access_key_id",
            Field::Secret => "secret",
            Field::SecurityToken => "security_token",
            Field::Region => "region",
            Field::Bucket => "bucket",
            Field::Endpoint => "endpoint",
            Field::Key => "key",
            Field::KeyPrefix => "key_prefix",
            Field::ContentType => "content_type",
            Field::CacheControl => "cache_control",
            Field::ContentDisposition => "content_disposition",
            Field::SuccessActionRedirect => "success_action_redirect",
            Field::MetaName => "meta_name",
            Field::MetaValue => "meta_value",
            Field::ForbidOverwrite => "forbid_overwrite",
            Field::Callback => "callback",
            Field::CallbackUrl => "callback_url",
            Field::CallbackHost => "callback_host",
            Field::CallbackBody => "callback_body",
            Field::VarName => "var_name",
            Field::VarValue => "var_value",
        }
    }
}

/// Everything that can go wrong while building, signing or encoding a ticket.
///
/// Small and `Copy`; it never carries input bytes, so no secret can leak through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The output buffer is smaller than the exact length needed; nothing usable was written.
    BufferTooSmall,
    /// A value that must not be empty is empty.
    Empty(Field),
    /// A value is longer than its limit.
    TooLong(Field),
    /// A value holds a byte its field does not allow (e.g. `$`).
    InvalidCharacter(Field),
    /// More items than the field's limit (list items, meta fields, variables).
    TooMany(Field),
    /// The same meta or variable name twice.
    Duplicate(Field),
    /// The scheme does not support this condition or feature (e.g. `in` on S3).
    Unsupported(Field),
    /// The field's value does not satisfy its own rule.
    OutsideCondition(Field),
    /// `content-length-range` with `min > max` or `max` above 5 GiB.
    InvalidRange,
    /// An instant before 1970 or after 9999-12-31T23:59:59Z.
    TimeOutOfRange,
    /// A lifetime of zero or more than seven days.
    InvalidLifetime,
    /// The ticket cannot be written in the requested JSON shape.
    UnsupportedShape,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BufferTooSmall => f.write_str("output buffer too small"),
            Error::Empty(field) => write!(f, "{} must not be empty", field.name()),
            Error::TooLong(field) => write!(f, "{} is too long", field.name()),
            Error::InvalidCharacter(field) => {
                write!(f, "{} holds an invalid character", field.name())
            }
            Error::TooMany(field) => write!(f, "too many {} items", field.name()),
            Error::Duplicate(field) => write!(f, "duplicate {}", field.name()),
            Error::Unsupported(field) => {
                write!(f, "{} is not supported by this scheme", field.name())
            }
            Error::OutsideCondition(field) => {
                write!(f, "{} does not satisfy its own condition", field.name())
            }
            Error::InvalidRange => f.write_str("content-length-range needs min <= max <= 5 GiB"),
            Error::TimeOutOfRange => f.write_str("time outside 1970..=9999"),
            Error::InvalidLifetime => f.write_str("lifetime must be 1 s to 7 days"),
            Error::UnsupportedShape => f.write_str("ticket cannot be written in this shape"),
        }
    }
}

impl core::error::Error for Error {}
