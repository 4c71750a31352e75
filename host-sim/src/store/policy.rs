//! The POST policy document: parsing (shape rules of OSS and S3) and evaluation of its conditions
//! against a form.

use serde_json::Value;

use super::error::StoreError;
use super::time::parse_iso8601;

/// Which service's policy language applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Alibaba Cloud OSS: adds `in` / `not-in`; does not require every form field to be covered,
    /// but every field a condition names must be in the form.
    Oss,
    /// Amazon S3: every form field except the exempt ones must be covered by a condition.
    S3,
}

/// How a field condition compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// Exact equality (`{"name": "v"}` or `["eq", "$name", "v"]`).
    Eq(String),
    /// `["starts-with", "$name", "prefix"]`.
    StartsWith(String),
    /// `["in", "$name", [..]]` (OSS only).
    In(Vec<String>),
    /// `["not-in", "$name", [..]]` (OSS only).
    NotIn(Vec<String>),
}

/// One condition of a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// A condition on a form field (or on `bucket`, which is the request's bucket).
    Field {
        /// Field name, lower-case, without `$`.
        field: String,
        /// The comparison.
        rule: Match,
        /// The condition as quoted in error messages: `["eq", "$key", "a"]`.
        text: String,
    },
    /// `["content-length-range", min, max]`, inclusive.
    LengthRange {
        /// Smallest accepted file size in bytes.
        min: u64,
        /// Largest accepted file size in bytes.
        max: u64,
    },
}

/// A parsed policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// `expiration`, in milliseconds since the epoch.
    pub expiration_ms: i64,
    /// `conditions`, in document order.
    pub conditions: Vec<Condition>,
}

impl Policy {
    /// Whether some condition requires `field` (lower-case) to equal `value` exactly.
    pub fn requires_exact(&self, field: &str, value: &str) -> bool {
        self.conditions.iter().any(|c| {
            matches!(c, Condition::Field { field: f, rule: Match::Eq(v), .. } if f == field && v == value)
        })
    }

    /// Whether some condition names `field` (lower-case).
    pub fn names(&self, field: &str) -> bool {
        self.conditions
            .iter()
            .any(|c| matches!(c, Condition::Field { field: f, .. } if f == field))
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn quote(op: &str, field: &str, value: &str) -> String {
    format!("[{}, {}, {}]", json_str(op), json_str(field), value)
}

fn length_bound(value: &Value, dialect: Dialect) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        // AWS accepts numeric strings; OSS refuses them (0006-00000221).
        Value::String(s) if dialect == Dialect::S3 => s.parse().ok(),
        _ => None,
    }
}

fn parse_array(items: &[Value], dialect: Dialect) -> Result<Condition, StoreError> {
    let bad = |why: &str| StoreError::invalid_policy(why);
    let [op, name, value] = items else {
        return Err(bad("a condition array must have exactly 3 elements"));
    };
    let op = op
        .as_str()
        .ok_or_else(|| bad("condition operator must be a string"))?
        .to_ascii_lowercase();
    if op == "content-length-range" {
        let (min, max) = (length_bound(name, dialect), length_bound(value, dialect));
        return match (min, max) {
            (Some(min), Some(max)) if min <= max => Ok(Condition::LengthRange { min, max }),
            _ => Err(bad("content-length-range needs integers 0 <= min <= max")),
        };
    }
    let field_ref = name
        .as_str()
        .ok_or_else(|| bad("condition field must be a string"))?;
    let field = field_ref
        .strip_prefix('$')
        .filter(|f| !f.is_empty())
        .ok_or_else(|| bad("condition field must start with $"))?
        .to_ascii_lowercase();
    let list = |v: &Value| -> Result<Vec<String>, StoreError> {
        let items = v.as_array().ok_or_else(|| bad("in/not-in needs a list"))?;
        if items.is_empty() {
            return Err(bad("in/not-in needs a non-empty list"));
        }
        items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad("list items must be strings"))
            })
            .collect()
    };
    let string = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad("condition value must be a string"))
    };
    let text_value = serde_json::to_string(value).unwrap_or_default();
    let rule = match (op.as_str(), dialect) {
        ("eq", _) => Match::Eq(string(value)?),
        ("starts-with", _) => Match::StartsWith(string(value)?),
        ("in", Dialect::Oss) => Match::In(list(value)?),
        ("not-in", Dialect::Oss) => Match::NotIn(list(value)?),
        _ => return Err(bad(format!("unknown condition operator {op}").as_str())),
    };
    Ok(Condition::Field {
        text: quote(&op, field_ref, &text_value),
        field,
        rule,
    })
}

/// Parses the decoded policy JSON. Shape errors give 400 `InvalidPolicyDocument`.
///
/// Rules (both dialects): a JSON object with exactly the keys `expiration` (an ISO 8601 UTC
/// string) and `conditions` (a non-empty list of objects and arrays); map conditions have string
/// values; array conditions have 3 elements.
pub fn parse(json: &[u8], dialect: Dialect) -> Result<Policy, StoreError> {
    let bad = |why: &str| StoreError::invalid_policy(why);
    let doc: Value =
        serde_json::from_slice(json).map_err(|_| bad("the policy is not valid JSON"))?;
    let Value::Object(top) = doc else {
        return Err(bad("the policy must be a JSON object"));
    };
    if let Some(other) = top
        .keys()
        .find(|k| *k != "expiration" && *k != "conditions")
    {
        return Err(bad(&format!("unexpected policy key {}", json_str(other))));
    }
    let expiration = top
        .get("expiration")
        .ok_or_else(|| bad("expiration is missing"))?
        .as_str()
        .ok_or_else(|| bad("expiration must be a string"))?;
    let expiration_ms =
        parse_iso8601(expiration).ok_or_else(|| bad("expiration is not an ISO 8601 UTC time"))?;
    let list = top
        .get("conditions")
        .ok_or_else(|| bad("conditions is missing"))?
        .as_array()
        .ok_or_else(|| bad("conditions must be a list"))?;
    if list.is_empty() {
        return Err(bad("conditions is an empty list"));
    }
    let mut conditions = Vec::with_capacity(list.len());
    for item in list {
        match item {
            Value::Object(map) if !map.is_empty() => {
                for (name, value) in map {
                    let value = value
                        .as_str()
                        .ok_or_else(|| bad("a map condition value must be a string"))?;
                    conditions.push(Condition::Field {
                        field: name.to_ascii_lowercase(),
                        rule: Match::Eq(value.to_owned()),
                        text: quote("eq", &format!("${name}"), &json_str(value)),
                    });
                }
            }
            Value::Array(items) => conditions.push(parse_array(items, dialect)?),
            _ => return Err(bad("each condition must be a non-empty object or an array")),
        }
    }
    Ok(Policy {
        expiration_ms,
        conditions,
    })
}

/// The form as the evaluator sees it: field names lower-case, in form order.
pub struct FormView<'a> {
    /// `(lower-case name, value)` of every text field before `file`.
    pub fields: &'a [(String, String)],
    /// The bucket the request addressed.
    pub bucket: &'a str,
    /// Size of the `file` part in bytes.
    pub file_size: u64,
}

impl FormView<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        if name == "bucket" {
            return Some(self.bucket);
        }
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Fields S3 does not require a condition for (besides `x-ignore-*`).
const S3_EXEMPT: [&str; 5] = [
    "policy",
    "x-amz-signature",
    "awsaccesskeyid",
    "signature",
    "file",
];

/// Checks every condition in order, then (S3) that every form field is covered.
///
/// A failed field condition is 403 `AccessDenied` "Invalid according to Policy: Policy Condition
/// failed: [...]"; a size outside `content-length-range` is 400 `EntityTooSmall` /
/// `EntityTooLarge`; an uncovered field (S3) is 403 "Extra input fields: a, b".
pub fn evaluate(policy: &Policy, dialect: Dialect, form: &FormView<'_>) -> Result<(), StoreError> {
    if let Some(sent) = form.fields.iter().find(|(n, _)| n == "bucket")
        && sent.1 != form.bucket
    {
        return Err(StoreError::policy(format!(
            "Policy Condition failed: {}",
            quote("eq", "$bucket", &json_str(form.bucket))
        )));
    }
    for condition in &policy.conditions {
        match condition {
            Condition::LengthRange { min, max } => {
                if form.file_size < *min {
                    return Err(StoreError::new(
                        400,
                        "EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed object size.",
                    ));
                }
                if form.file_size > *max {
                    return Err(StoreError::new(
                        400,
                        "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size.",
                    ));
                }
            }
            Condition::Field { field, rule, text } => {
                let ok = form.get(field).is_some_and(|actual| match rule {
                    Match::Eq(v) => actual == v,
                    Match::StartsWith(p) if dialect == Dialect::S3 && field == "content-type" => {
                        actual.split(',').all(|part| part.starts_with(p.as_str()))
                    }
                    Match::StartsWith(p) => actual.starts_with(p.as_str()),
                    Match::In(list) => list.iter().any(|v| v == actual),
                    Match::NotIn(list) => list.iter().all(|v| v != actual),
                });
                if !ok {
                    return Err(StoreError::policy(format!(
                        "Policy Condition failed: {text}"
                    )));
                }
            }
        }
    }
    if dialect == Dialect::S3 {
        let extra: Vec<&str> = form
            .fields
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !S3_EXEMPT.contains(n) && !n.starts_with("x-ignore-") && !policy.names(n))
            .collect();
        if !extra.is_empty() {
            return Err(StoreError::policy(format!(
                "Extra input fields: {}",
                extra.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn check(
        json: &str,
        dialect: Dialect,
        pairs: &[(&str, &str)],
        size: u64,
    ) -> Result<(), StoreError> {
        let policy = parse(json.as_bytes(), dialect)?;
        let fields = fields(pairs);
        evaluate(
            &policy,
            dialect,
            &FormView {
                fields: &fields,
                bucket: "b1",
                file_size: size,
            },
        )
    }

    const BASE: &str = r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b1"},["content-length-range",1,10],["starts-with","$key","cam/"]]}"#;

    #[test]
    fn shape_rules() {
        for bad in [
            "[]",
            "{}",
            r#"{"expiration":"2030-01-01T00:00:00.000Z"}"#,
            r#"{"conditions":[{"bucket":"b"}]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"}],"x":1}"#,
            r#"{"expiration":1893456000,"conditions":[{"bucket":"b"}]}"#,
            r#"{"expiration":"2030-01-01 00:00:00","conditions":[{"bucket":"b"}]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":["bucket"]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{}]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":1}]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["eq","$key"]]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["eq","key","a"]]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["ends-with","$key","a"]]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range",5,1]]}"#,
            r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range",-1,1]]}"#,
        ] {
            let err = parse(bad.as_bytes(), Dialect::Oss).expect_err(bad);
            assert_eq!(
                (err.status, err.code),
                (400, "InvalidPolicyDocument"),
                "{bad}"
            );
        }
        let s3_only_strings = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range","1","5"]]}"#;
        assert!(parse(s3_only_strings.as_bytes(), Dialect::S3).is_ok());
        assert!(parse(s3_only_strings.as_bytes(), Dialect::Oss).is_err());
        let in_list = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["in","$content-type",["image/png"]]]}"#;
        assert!(parse(in_list.as_bytes(), Dialect::Oss).is_ok());
        assert_eq!(
            parse(in_list.as_bytes(), Dialect::S3)
                .expect_err("S3 has no in")
                .code,
            "InvalidPolicyDocument"
        );
    }

    #[test]
    fn conditions_and_range_are_inclusive() {
        let form = [("key", "cam/1.jpg"), ("policy", "p")];
        assert!(check(BASE, Dialect::Oss, &form, 1).is_ok());
        assert!(check(BASE, Dialect::Oss, &form, 10).is_ok());
        assert_eq!(
            check(BASE, Dialect::Oss, &form, 11)
                .expect_err("too large")
                .code,
            "EntityTooLarge"
        );
        assert_eq!(
            check(BASE, Dialect::Oss, &form, 0)
                .expect_err("too small")
                .code,
            "EntityTooSmall"
        );
        let err = check(BASE, Dialect::Oss, &[("key", "other/1.jpg")], 5).expect_err("prefix");
        assert_eq!((err.status, err.code), (403, "AccessDenied"));
        assert_eq!(
            err.message,
            r#"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "cam/"]"#
        );
        // A condition on a missing field fails.
        assert!(check(BASE, Dialect::Oss, &[("policy", "p")], 5).is_err());
        // A bucket field that disagrees with the URL fails.
        assert!(check(BASE, Dialect::Oss, &[("key", "cam/a"), ("bucket", "b2")], 5).is_err());
        let other_bucket = BASE.replace(r#"{"bucket":"b1"}"#, r#"{"bucket":"b2"}"#);
        assert!(check(&other_bucket, Dialect::Oss, &form, 5).is_err());
    }

    #[test]
    fn s3_requires_every_field_covered_oss_does_not() {
        let form = [
            ("key", "cam/1"),
            ("policy", "p"),
            ("x-amz-signature", "s"),
            ("x-amz-meta-a", "1"),
            ("x-ignore-z", "z"),
            ("content-type", "x"),
        ];
        assert!(check(BASE, Dialect::Oss, &form, 5).is_ok());
        let err = check(BASE, Dialect::S3, &form, 5).expect_err("extra");
        assert_eq!(
            err.message,
            "Invalid according to Policy: Extra input fields: x-amz-meta-a, content-type"
        );
    }

    #[test]
    fn oss_in_and_not_in() {
        let policy = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["in","$content-type",["image/jpeg","image/png"]],["not-in","$cache-control",["no-cache"]]]}"#;
        assert!(
            check(
                policy,
                Dialect::Oss,
                &[
                    ("content-type", "image/png"),
                    ("cache-control", "max-age=1")
                ],
                1
            )
            .is_ok()
        );
        assert!(
            check(
                policy,
                Dialect::Oss,
                &[
                    ("content-type", "text/html"),
                    ("cache-control", "max-age=1")
                ],
                1
            )
            .is_err()
        );
        assert!(
            check(
                policy,
                Dialect::Oss,
                &[("content-type", "image/png"), ("cache-control", "no-cache")],
                1
            )
            .is_err()
        );
        assert!(check(policy, Dialect::Oss, &[("content-type", "image/png")], 1).is_err());
    }

    #[test]
    fn s3_starts_with_content_type_checks_each_value() {
        let policy = r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$Content-Type","image/"]]}"#;
        assert!(
            check(
                policy,
                Dialect::S3,
                &[("content-type", "image/png,image/jpeg")],
                1
            )
            .is_ok()
        );
        assert!(
            check(
                policy,
                Dialect::S3,
                &[("content-type", "image/png,text/html")],
                1
            )
            .is_err()
        );
    }
}
