//! The input rules of `docs/policy.md` §1.1, one function per kind of value.

use crate::target::Scheme;
use crate::{Error, Field};

/// An inclusive length range in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    pub min: usize,
    pub max: usize,
}

impl Limit {
    pub const ACCESS_KEY_ID: Limit = Limit {
        min: 1,
        max: crate::MAX_ACCESS_KEY_ID_LEN,
    };
    pub const SECRET: Limit = Limit {
        min: 1,
        max: crate::MAX_SECRET_LEN,
    };
    pub const TOKEN: Limit = Limit {
        min: 1,
        max: crate::MAX_SECURITY_TOKEN_LEN,
    };
    pub const REGION: Limit = Limit {
        min: 1,
        max: crate::MAX_REGION_LEN,
    };
    pub const BUCKET: Limit = Limit {
        min: 3,
        max: crate::MAX_BUCKET_LEN,
    };
    pub const ENDPOINT: Limit = Limit {
        min: 1,
        max: crate::MAX_ENDPOINT_LEN,
    };
    pub const KEY: Limit = Limit {
        min: 1,
        max: crate::MAX_KEY_LEN,
    };
    pub const VALUE: Limit = Limit {
        min: 0,
        max: crate::MAX_VALUE_LEN,
    };
    pub const META_NAME: Limit = Limit {
        min: 1,
        max: crate::MAX_META_NAME_LEN,
    };
    pub const VAR_NAME: Limit = Limit {
        min: 1,
        max: crate::MAX_VAR_NAME_LEN,
    };
    pub const CALLBACK_URL: Limit = Limit {
        min: 1,
        max: crate::MAX_VALUE_LEN,
    };
    pub const CALLBACK_HOST: Limit = Limit {
        min: 1,
        max: crate::MAX_CALLBACK_HOST_LEN,
    };
    pub const CALLBACK_BODY: Limit = Limit {
        min: 1,
        max: crate::MAX_VALUE_LEN,
    };
}

/// Checks the length of `bytes` against `limit`.
pub(crate) fn length(bytes: &[u8], field: Field, limit: Limit) -> Result<(), Error> {
    if bytes.len() < limit.min {
        Err(Error::Empty(field))
    } else if bytes.len() > limit.max {
        Err(Error::TooLong(field))
    } else {
        Ok(())
    }
}

/// Checks length, then that every byte passes `allowed`.
pub(crate) fn charset(
    value: &str,
    field: Field,
    limit: Limit,
    allowed: impl Fn(u8) -> bool,
) -> Result<(), Error> {
    length(value.as_bytes(), field, limit)?;
    if value.bytes().all(allowed) {
        Ok(())
    } else {
        Err(Error::InvalidCharacter(field))
    }
}

/// A value that lands in the policy or a form field: any UTF-8 but `$`.
pub(crate) fn value(value: &str, field: Field, limit: Limit) -> Result<(), Error> {
    charset(value, field, limit, |b| b != b'$')
}

/// An object key: a [`value`] that does not start with `/` or `\`.
pub(crate) fn key(key: &str, field: Field) -> Result<(), Error> {
    value(key, field, Limit::KEY)?;
    match key.as_bytes().first() {
        Some(b'/' | b'\\') => Err(Error::InvalidCharacter(field)),
        _ => Ok(()),
    }
}

/// A bucket name: `a-z 0-9 -` (S3 also `.`), alphanumeric at both ends.
pub(crate) fn bucket(bucket: &str, scheme: Scheme) -> Result<(), Error> {
    let dots = matches!(scheme, Scheme::S3V4);
    charset(bucket, Field::Bucket, Limit::BUCKET, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (dots && b == b'.')
    })?;
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if edge_ok(bucket.as_bytes().first()) && edge_ok(bucket.as_bytes().last()) {
        Ok(())
    } else {
        Err(Error::InvalidCharacter(Field::Bucket))
    }
}

/// An endpoint: a host of `A-Z a-z 0-9 . -`, optionally `:PORT` with 1 to 5 digits.
pub(crate) fn endpoint(endpoint: &str) -> Result<(), Error> {
    length(endpoint.as_bytes(), Field::Endpoint, Limit::ENDPOINT)?;
    let (host, port) = match endpoint.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (endpoint, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(Error::InvalidCharacter(Field::Endpoint))
    }
}

/// A region id: `a-z 0-9 -`.
pub(crate) fn region(region: &str) -> Result<(), Error> {
    charset(region, Field::Region, Limit::REGION, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
    })
}
