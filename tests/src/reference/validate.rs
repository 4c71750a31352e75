//! The validation rules of `docs/policy.md` §1.1 and §1.2.
//!
//! [`violations`] checks every rule and returns every violation, in table order; an input is
//! valid when the list is empty. Where one input breaks several rules (an over-long value that
//! also holds `$`), each is listed, because the page does not rank them: an implementation that
//! stops at the first error may report any of them.

use super::civil::MAX_UNIX;
use super::error::{Error, Field};
use super::model::{Conditioned, Credentials, PolicySpec, PrefixRule, Rule, Scheme, Target, Time};

/// Largest `content-length-range` bound: 5 GiB.
pub const MAX_CONTENT_LENGTH: u64 = 5 * 1024 * 1024 * 1024;
/// Longest lifetime: 7 days.
pub const MAX_LIFETIME: u64 = 7 * 24 * 3600;
/// Longest "other value" (and list item, starts-with prefix).
pub const MAX_VALUE: usize = 1024;
/// Most items in an `in` / `not-in` list, meta fields, or `x:` variables.
pub const MAX_ITEMS: usize = 8;

/// Collects violations.
#[derive(Default)]
struct Violations(Vec<Error>);

impl Violations {
    fn push(&mut self, e: Error) {
        if !self.0.contains(&e) {
            self.0.push(e);
        }
    }

    /// `Empty` below one byte (when `min` is 1) and `TooLong` above `max`.
    fn len(&mut self, field: Field, s: &[u8], min: usize, max: usize) {
        if s.len() < min {
            self.push(Error::Empty(field));
        }
        if s.len() > max {
            self.push(Error::TooLong(field));
        }
    }

    fn chars(&mut self, field: Field, ok: bool) {
        if !ok {
            self.push(Error::InvalidCharacter(field));
        }
    }

    /// An "other value": 0..=1024 bytes, no `$`.
    fn other(&mut self, field: Field, s: &str) {
        self.len(field, s.as_bytes(), 0, MAX_VALUE);
        self.chars(field, !s.contains('$'));
    }

    fn prefix_rule(&mut self, field: Field, f: &Conditioned<PrefixRule>) {
        self.other(field, &f.value);
        if let PrefixRule::StartsWith(p) = &f.rule {
            self.other(field, p);
            if !f.value.starts_with(p.as_str()) {
                self.push(Error::OutsideCondition(field));
            }
        }
    }

    fn rule(&mut self, scheme: Scheme, field: Field, f: &Conditioned<Rule>) {
        self.other(field, &f.value);
        match &f.rule {
            Rule::Exact => {}
            Rule::StartsWith(p) => {
                self.other(field, p);
                if !f.value.starts_with(p.as_str()) {
                    self.push(Error::OutsideCondition(field));
                }
            }
            Rule::In(items) | Rule::NotIn(items) => {
                if !scheme.is_oss() {
                    self.push(Error::Unsupported(field));
                }
                if items.is_empty() {
                    self.push(Error::Empty(field));
                }
                if items.len() > MAX_ITEMS {
                    self.push(Error::TooMany(field));
                }
                for item in items {
                    self.other(field, item);
                }
                let listed = items.contains(&f.value);
                if listed != matches!(f.rule, Rule::In(_)) {
                    self.push(Error::OutsideCondition(field));
                }
            }
        }
    }

    fn names<'a>(&mut self, field: Field, names: impl Iterator<Item = &'a str>) {
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                self.push(Error::Duplicate(field));
            }
            seen.push(name);
        }
        if seen.len() > MAX_ITEMS {
            self.push(Error::TooMany(field));
        }
    }
}

fn lower_digit_hyphen(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// `A-Z a-z 0-9 .  -` host, then optionally `:` and 1..=5 digits.
fn endpoint_ok(endpoint: &str) -> bool {
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
    host_ok && port_ok
}

fn bucket(v: &mut Violations, scheme: Scheme, bucket: &str) {
    let b = bucket.as_bytes();
    v.len(Field::Bucket, b, 1, 63);
    if (1..3).contains(&b.len()) {
        // The page gives 3..=63 but no error for a non-empty name below 3 bytes; both readings
        // ("too short is empty", "not a valid bucket name") are accepted.
        v.push(Error::Empty(Field::Bucket));
        v.push(Error::InvalidCharacter(Field::Bucket));
    }
    let body_ok = b
        .iter()
        .all(|&c| lower_digit_hyphen(c) || (c == b'.' && scheme == Scheme::S3V4));
    let edge = |c: Option<&u8>| c.is_none_or(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    v.chars(Field::Bucket, body_ok && edge(b.first()) && edge(b.last()));
}

/// Every rule of §1.1 and §1.2 the inputs break, in table order; empty when they are valid.
pub fn violations(
    target: &Target,
    credentials: &Credentials,
    spec: &PolicySpec,
    time: Time,
) -> Vec<Error> {
    let mut v = Violations::default();
    let scheme = target.scheme;

    let ak = credentials.access_key_id.as_bytes();
    v.len(Field::AccessKeyId, ak, 1, 128);
    v.chars(
        Field::AccessKeyId,
        ak.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')),
    );
    v.len(Field::Secret, &credentials.secret, 1, 128);
    if let Some(token) = &credentials.security_token {
        v.len(Field::SecurityToken, token.as_bytes(), 1, 2048);
        v.chars(
            Field::SecurityToken,
            token
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'$'),
        );
    }

    let region = target.region.as_bytes();
    v.len(Field::Region, region, 1, 32);
    v.chars(Field::Region, region.iter().all(|&b| lower_digit_hyphen(b)));
    bucket(&mut v, scheme, &target.bucket);
    v.len(Field::Endpoint, target.endpoint.as_bytes(), 1, 253);
    if !target.endpoint.is_empty() {
        v.chars(Field::Endpoint, endpoint_ok(&target.endpoint));
    }

    let key = &spec.key.value;
    v.len(Field::Key, key.as_bytes(), 1, 1023);
    v.chars(
        Field::Key,
        !key.contains('$') && !key.starts_with(['/', '\\']),
    );
    if let PrefixRule::StartsWith(p) = &spec.key.rule {
        v.len(Field::KeyPrefix, p.as_bytes(), 1, 1023);
        v.chars(Field::KeyPrefix, !p.contains('$'));
        if !key.starts_with(p.as_str()) {
            v.push(Error::OutsideCondition(Field::Key));
        }
    }
    if let Some((min, max)) = spec.content_length_range
        && (min > max || max > MAX_CONTENT_LENGTH)
    {
        v.push(Error::InvalidRange);
    }
    if let Some(f) = &spec.content_type {
        v.rule(scheme, Field::ContentType, f);
    }
    if let Some(f) = &spec.cache_control {
        v.rule(scheme, Field::CacheControl, f);
    }
    if let Some(f) = &spec.content_disposition {
        v.prefix_rule(Field::ContentDisposition, f);
    }
    if let Some(f) = &spec.success_action_redirect {
        v.prefix_rule(Field::SuccessActionRedirect, f);
    }

    v.names(Field::MetaName, spec.meta.iter().map(|(n, _)| n.as_str()));
    for (name, f) in &spec.meta {
        v.len(Field::MetaName, name.as_bytes(), 1, 64);
        v.chars(Field::MetaName, name.bytes().all(lower_digit_hyphen));
        v.prefix_rule(Field::MetaValue, f);
    }

    if spec.forbid_overwrite && !scheme.is_oss() {
        v.push(Error::Unsupported(Field::ForbidOverwrite));
    }
    if let Some(cb) = &spec.callback {
        if !scheme.is_oss() {
            v.push(Error::Unsupported(Field::Callback));
        }
        v.len(Field::CallbackUrl, cb.url.as_bytes(), 1, MAX_VALUE);
        v.chars(Field::CallbackUrl, !cb.url.contains('$'));
        if let Some(host) = &cb.host {
            v.len(Field::CallbackHost, host.as_bytes(), 1, 255);
            v.chars(Field::CallbackHost, !host.contains('$'));
        }
        v.len(Field::CallbackBody, cb.body.as_bytes(), 1, MAX_VALUE);
    }

    if !spec.vars.is_empty() && !scheme.is_oss() {
        v.push(Error::Unsupported(Field::VarName));
    }
    v.names(Field::VarName, spec.vars.iter().map(|(n, _)| n.as_str()));
    for (name, value) in &spec.vars {
        let n = name.as_bytes();
        v.len(Field::VarName, n, 1, 32);
        v.chars(
            Field::VarName,
            n.first().is_none_or(u8::is_ascii_lowercase)
                && n.iter()
                    .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        );
        v.other(Field::VarValue, value);
    }

    if time.lifetime == 0 || time.lifetime > MAX_LIFETIME {
        v.push(Error::InvalidLifetime);
    }
    if time
        .now
        .checked_add(time.lifetime)
        .is_none_or(|end| end > MAX_UNIX)
    {
        v.push(Error::TimeOutOfRange);
    }
    v.0
}
