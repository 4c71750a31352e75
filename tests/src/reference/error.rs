//! The reference's errors: the names `docs/policy.md` §1.1 uses, as a separate enum.

use std::fmt;

/// Which input an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The access key id.
    AccessKeyId,
    /// The access key secret.
    Secret,
    /// The STS security token.
    SecurityToken,
    /// The region id.
    Region,
    /// The bucket name.
    Bucket,
    /// The endpoint host, with its optional port.
    Endpoint,
    /// The object key (the value of the `key` form field).
    Key,
    /// The prefix of a starts-with key rule.
    KeyPrefix,
    /// `Content-Type`: its value, prefix or list items.
    ContentType,
    /// `Cache-Control`: its value, prefix or list items.
    CacheControl,
    /// `Content-Disposition`: its value or prefix.
    ContentDisposition,
    /// `success_action_redirect`: its value or prefix.
    SuccessActionRedirect,
    /// The name of a meta field, and the meta fields as a list (count, duplicates).
    MetaName,
    /// The value or prefix of a meta field.
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
    /// The name of an `x:` variable, and the variables as a list (count, duplicates, scheme).
    VarName,
    /// The value of an `x:` variable.
    VarValue,
}

/// A rule of `docs/policy.md` that an input breaks, or a shape a ticket cannot take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Error {
    /// A value that must not be empty is empty.
    Empty(Field),
    /// A value is longer than its limit.
    TooLong(Field),
    /// A value holds a byte its field does not allow.
    InvalidCharacter(Field),
    /// More items than the limit (list items, meta fields, `x:` variables).
    TooMany(Field),
    /// The same meta or variable name twice.
    Duplicate(Field),
    /// The scheme does not support this condition or feature.
    Unsupported(Field),
    /// A value does not satisfy its own rule.
    OutsideCondition(Field),
    /// `content-length-range` with `min > max` or `max` above 5 GiB.
    InvalidRange,
    /// `now` or `now + lifetime` after 9999-12-31T23:59:59Z.
    TimeOutOfRange,
    /// A lifetime of zero or more than seven days.
    InvalidLifetime,
    /// The ticket cannot be written in the requested JSON shape.
    UnsupportedShape,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}
