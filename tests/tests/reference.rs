//! The std reference checked against docs/policy.md by hand-written expectations, and the claims
//! it rests on (serde_json escapes as §2.1; the civil-time algorithm) checked independently.

use proptest::prelude::*;
use upticket_tests::reference::Error::{
    Duplicate, Empty, InvalidCharacter, InvalidLifetime, InvalidRange, OutsideCondition,
    TimeOutOfRange, TooLong, TooMany, Unsupported,
};
use upticket_tests::reference::model::{
    Callback, CallbackBodyType, Conditioned, Credentials, PolicySpec, PrefixRule, Protocol, Rule,
    Scheme, SuccessStatus, Target, Time, UrlStyle,
};
use upticket_tests::reference::{Error, Field, Shape, civil, issue, ticket_json, validate};

/// §2.1, transcribed: the escape of one character inside a JSON string.
fn doc_escape(c: char) -> String {
    match c {
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        '\u{8}' => "\\b".into(),
        '\u{c}' => "\\f".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        c if u32::from(c) < 0x20 => format!("\\u{:04x}", u32::from(c)),
        c => c.to_string(),
    }
}

fn doc_string(s: &str) -> String {
    format!("\"{}\"", s.chars().map(doc_escape).collect::<String>())
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serialises")
}

#[test]
fn serde_json_escapes_every_low_character_as_section_2_1() {
    for c in (0u32..=0x2FF).filter_map(char::from_u32) {
        let s = c.to_string();
        assert_eq!(json_string(&s), doc_string(&s), "U+{:04X}", u32::from(c));
    }
    assert_eq!(
        json_string("\u{1f}\u{7f}/"),
        "\"\\u001f\u{7f}/\"",
        "lower-case hex, DEL and / as is"
    );
    for s in [
        "é",
        "中",
        "\u{2028}",
        "\u{FEFF}",
        "😀",
        "\u{10FFFF}",
        "\u{E000}",
    ] {
        assert_eq!(json_string(s), format!("\"{s}\""), "{s:?} copied as is");
    }
}

#[test]
fn civil_time_known_instants() {
    let cases = [
        (0, "1970-01-01T00:00:00.000Z", "19700101T000000Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z", "20000229T000000Z"),
        (
            1_701_605_532,
            "2023-12-03T12:12:12.000Z",
            "20231203T121212Z",
        ),
        (
            1_702_743_657,
            "2023-12-16T16:20:57.000Z",
            "20231216T162057Z",
        ),
        (
            4_107_542_399,
            "2100-02-28T23:59:59.000Z",
            "21000228T235959Z",
        ),
        (
            4_107_542_400,
            "2100-03-01T00:00:00.000Z",
            "21000301T000000Z",
        ),
        (
            253_402_300_799,
            "9999-12-31T23:59:59.000Z",
            "99991231T235959Z",
        ),
    ];
    for (unix, expiration, basic) in cases {
        assert_eq!(civil::expiration(unix), expiration);
        assert_eq!(civil::iso_basic(unix), basic);
        assert_eq!(civil::date(unix), basic[..8]);
    }
}

/// A second, naive civil-time algorithm: count whole years, then whole months.
fn naive_civil(unix: u64) -> (i64, u32, u32, u64) {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = unix / 86_400;
    let mut year = 1970;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 1;
    for len in months {
        if days < len {
            break;
        }
        days -= len;
        month += 1;
    }
    let day = u32::try_from(days).expect("under 31") + 1;
    (year, month, day, unix % 86_400)
}

proptest! {
    #[test]
    fn civil_time_agrees_with_naive_counting(unix in 0u64..=civil::MAX_UNIX) {
        let c = civil::civil(unix);
        let (year, month, day, secs) = naive_civil(unix);
        prop_assert_eq!((c.year, c.month, c.day), (year, month, day));
        prop_assert_eq!(u64::from(c.hour) * 3600 + u64::from(c.minute) * 60 + u64::from(c.second), secs);
    }

    #[test]
    fn serde_json_escapes_any_string_as_section_2_1(s in any::<String>()) {
        prop_assert_eq!(json_string(&s), doc_string(&s));
    }
}

fn target(scheme: Scheme) -> Target {
    Target::new(
        scheme,
        "cam-bucket",
        "oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
    )
}

fn creds() -> Credentials {
    Credentials::new("AKID", "secret")
}

fn exact_key(key: &str) -> PolicySpec {
    PolicySpec::new(Conditioned::new(key, PrefixRule::Exact))
}

const NOW: Time = Time {
    now: 1_701_605_532,
    lifetime: 600,
};

/// A spec that uses every condition of §2.2 an OSS scheme allows.
fn full_oss_spec() -> PolicySpec {
    let mut spec = exact_key("cam/1/a\"b\\c\u{1}.jpg");
    spec.content_length_range = Some((0, 5 * 1024 * 1024 * 1024));
    spec.content_type = Some(Conditioned::new(
        "image/jpeg",
        Rule::In(vec!["image/jpeg".into(), "image/png".into()]),
    ));
    spec.cache_control = Some(Conditioned::new(
        "max-age=60",
        Rule::NotIn(vec!["no-cache".into()]),
    ));
    spec.content_disposition = Some(Conditioned::new(
        "inline",
        PrefixRule::StartsWith("in".into()),
    ));
    spec.success_action_status = Some(SuccessStatus::Created201);
    spec.success_action_redirect = Some(Conditioned::new("https://h/ok", PrefixRule::Exact));
    spec.meta = vec![
        ("cam-id".into(), Conditioned::new("0001", PrefixRule::Exact)),
        (
            "tag".into(),
            Conditioned::new("t/1", PrefixRule::StartsWith("t/".into())),
        ),
    ];
    spec.forbid_overwrite = true;
    spec.callback = Some(Callback {
        url: "https://cb/x".into(),
        host: None,
        body: "k=${object}".into(),
        body_type: CallbackBodyType::FormUrlEncoded,
    });
    spec.vars = vec![("my_var".into(), "v\n".into())];
    spec
}

const CB64: &str = "eyJjYWxsYmFja1VybCI6Imh0dHBzOi8vY2IveCIsImNhbGxiYWNrQm9keSI6Ims9JHtvYmplY3R9IiwiY2FsbGJhY2tCb2R5VHlwZSI6ImFwcGxpY2F0aW9uL3gtd3d3LWZvcm0tdXJsZW5jb2RlZCJ9";

#[test]
fn callback_base64_decodes_to_section_2_3() {
    use base64::Engine as _;
    let json = base64::engine::general_purpose::STANDARD
        .decode(CB64)
        .expect("base64");
    assert_eq!(
        String::from_utf8(json).expect("utf-8"),
        r#"{"callbackUrl":"https://cb/x","callbackBody":"k=${object}","callbackBodyType":"application/x-www-form-urlencoded"}"#
    );
}

#[test]
fn full_oss_v4_policy_is_written_in_section_2_2_order() {
    let mut credentials = creds();
    credentials.security_token = Some("TOKEN".into());
    let t = issue(&target(Scheme::OssV4), &credentials, &full_oss_spec(), NOW).expect("valid");
    let expected = concat!(
        r#"{"expiration":"2023-12-03T12:22:12.000Z","conditions":["#,
        r#"{"bucket":"cam-bucket"},"#,
        r#"{"x-oss-signature-version":"OSS4-HMAC-SHA256"},"#,
        r#"{"x-oss-credential":"AKID/20231203/cn-hangzhou/oss/aliyun_v4_request"},"#,
        r#"{"x-oss-date":"20231203T121212Z"},"#,
        r#"{"x-oss-security-token":"TOKEN"},"#,
        r#"["content-length-range",0,5368709120],"#,
        r#"{"key":"cam/1/a\"b\\c\u0001.jpg"},"#,
        r#"["in","$Content-Type",["image/jpeg","image/png"]],"#,
        r#"["not-in","$Cache-Control",["no-cache"]],"#,
        r#"["starts-with","$Content-Disposition","in"],"#,
        r#"{"success_action_status":"201"},"#,
        r#"{"success_action_redirect":"https://h/ok"},"#,
        r#"{"x-oss-meta-cam-id":"0001"},"#,
        r#"["starts-with","$x-oss-meta-tag","t/"],"#,
        r#"{"x-oss-forbid-overwrite":"true"},"#,
        r#"{"callback":"eyJjYWxsYmFja1VybCI6Imh0dHBzOi8vY2IveCIsImNhbGxiYWNrQm9keSI6Ims9JHtvYmplY3R9IiwiY2FsbGJhY2tCb2R5VHlwZSI6ImFwcGxpY2F0aW9uL3gtd3d3LWZvcm0tdXJsZW5jb2RlZCJ9"},"#,
        r#"{"x:my_var":"v\n"}]}"#,
    );
    assert_eq!(t.policy_json, expected);
    let names: Vec<&str> = t.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "policy",
            "x-oss-signature-version",
            "x-oss-credential",
            "x-oss-date",
            "x-oss-signature",
            "x-oss-security-token",
            "Content-Type",
            "Cache-Control",
            "Content-Disposition",
            "success_action_status",
            "success_action_redirect",
            "x-oss-meta-cam-id",
            "x-oss-meta-tag",
            "x-oss-forbid-overwrite",
            "callback",
            "x:my_var",
        ]
    );
    assert_eq!(t.field("callback"), Some(CB64));
    assert_eq!(t.field("x:my_var"), Some("v\n"));
    assert_eq!(t.field("x-oss-meta-tag"), Some("t/1"));
    assert_eq!(t.signature.len(), 64);
    assert_eq!(t.field("x-oss-signature"), Some(t.signature.as_str()));
}

#[test]
fn s3_policy_uses_amz_names_and_path_style_url() {
    let mut tgt = Target::new(Scheme::S3V4, "my.bucket", "127.0.0.1:9000", "us-east-1");
    tgt.style = UrlStyle::Path;
    tgt.protocol = Protocol::Http;
    let mut credentials = creds();
    credentials.security_token = Some("T".into());
    let mut spec = exact_key("a.jpg");
    spec.meta = vec![(
        "m".into(),
        Conditioned::new("", PrefixRule::StartsWith(String::new())),
    )];
    let t = issue(&tgt, &credentials, &spec, NOW).expect("valid");
    assert_eq!(t.url, "http://127.0.0.1:9000/my.bucket");
    assert_eq!(
        t.policy_json,
        concat!(
            r#"{"expiration":"2023-12-03T12:22:12.000Z","conditions":[{"bucket":"my.bucket"},"#,
            r#"{"x-amz-algorithm":"AWS4-HMAC-SHA256"},"#,
            r#"{"x-amz-credential":"AKID/20231203/us-east-1/s3/aws4_request"},"#,
            r#"{"x-amz-date":"20231203T121212Z"},{"x-amz-security-token":"T"},"#,
            r#"{"key":"a.jpg"},["starts-with","$x-amz-meta-m",""]]}"#
        )
    );
    let names: Vec<&str> = t.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "policy",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-signature",
            "x-amz-security-token",
            "x-amz-meta-m",
        ]
    );
    tgt.style = UrlStyle::VirtualHosted;
    assert_eq!(
        issue(&tgt, &credentials, &spec, NOW).expect("valid").url,
        "http://my.bucket.127.0.0.1:9000"
    );
}

#[test]
fn oss_is_virtual_hosted_even_when_path_style_is_asked() {
    let mut tgt = target(Scheme::OssV1);
    tgt.style = UrlStyle::Path;
    let t = issue(&tgt, &creds(), &exact_key("k"), NOW).expect("valid");
    assert_eq!(t.url, "https://cam-bucket.oss-cn-hangzhou.aliyuncs.com");
    let names: Vec<&str> = t.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["key", "policy", "OSSAccessKeyId", "Signature"]);
    assert_eq!(t.field("OSSAccessKeyId"), Some("AKID"));
    assert_eq!(t.signature.len(), 28);
}

#[test]
fn ticket_json_shapes() {
    let mut spec = exact_key("cam/7/x.jpg");
    spec.callback = Some(Callback {
        url: "https://cb/x".into(),
        host: Some("h".into()),
        body: "b".into(),
        body_type: CallbackBodyType::Json,
    });
    let t1 = issue(&target(Scheme::OssV1), &creds(), &spec, NOW).expect("valid");
    let cb = t1.field("callback").expect("callback field").to_owned();
    assert_eq!(
        ticket_json(&t1, Shape::AppServerV1),
        Ok(format!(
            r#"{{"accessid":"AKID","host":"https://cam-bucket.oss-cn-hangzhou.aliyuncs.com","policy":"{}","signature":"{}","expire":1701606132,"dir":"cam/7/","callback":"{cb}"}}"#,
            t1.policy_b64, t1.signature
        ))
    );
    assert_eq!(
        ticket_json(&t1, Shape::AppServerV4),
        Err(Error::UnsupportedShape)
    );
    let fields: String = t1
        .fields
        .iter()
        .map(|(n, v)| format!(r#"["{n}","{v}"]"#))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        ticket_json(&t1, Shape::Upticket),
        Ok(format!(
            r#"{{"url":"https://cam-bucket.oss-cn-hangzhou.aliyuncs.com","key":"cam/7/x.jpg","expires":1701606132,"expiration":"2023-12-03T12:22:12.000Z","fields":[{fields}]}}"#
        ))
    );

    let mut credentials = creds();
    credentials.security_token = Some("TK".into());
    let mut spec4 = PolicySpec::new(Conditioned::starts_with("u/1/x", "u/"));
    let t4 = issue(&target(Scheme::OssV4), &credentials, &spec4, NOW).expect("valid");
    assert_eq!(
        ticket_json(&t4, Shape::AppServerV4),
        Ok(format!(
            r#"{{"policy":"{}","security_token":"TK","x_oss_signature_version":"OSS4-HMAC-SHA256","x_oss_credential":"AKID/20231203/cn-hangzhou/oss/aliyun_v4_request","x_oss_date":"20231203T121212Z","signature":"{}","host":"https://cam-bucket.oss-cn-hangzhou.aliyuncs.com","dir":"u/"}}"#,
            t4.policy_b64, t4.signature
        ))
    );
    assert_eq!(
        ticket_json(&t4, Shape::AppServerV1),
        Err(Error::UnsupportedShape)
    );
    spec4.content_length_range = Some((1, 2));
    let ranged = issue(&target(Scheme::OssV4), &credentials, &spec4, NOW).expect("valid");
    assert!(
        ticket_json(&ranged, Shape::AppServerV4).is_ok(),
        "a range adds no form field"
    );
    spec4.success_action_status = Some(SuccessStatus::Ok200);
    let with_status = issue(&target(Scheme::OssV4), &credentials, &spec4, NOW).expect("valid");
    assert_eq!(
        ticket_json(&with_status, Shape::AppServerV4),
        Err(Error::UnsupportedShape)
    );

    let v1_token =
        issue(&target(Scheme::OssV1), &credentials, &exact_key("k"), NOW).expect("valid");
    assert_eq!(
        ticket_json(&v1_token, Shape::AppServerV1),
        Err(Error::UnsupportedShape)
    );
    let s3 = issue(&target(Scheme::S3V4), &creds(), &exact_key("k"), NOW).expect("valid");
    assert_eq!(
        ticket_json(&s3, Shape::AppServerV4),
        Err(Error::UnsupportedShape)
    );
    assert!(ticket_json(&s3, Shape::Upticket).is_ok());
}

/// The violations of a valid OSS V4 input after `change`.
fn broken(
    change: impl FnOnce(&mut Target, &mut Credentials, &mut PolicySpec, &mut Time),
) -> Vec<Error> {
    let (mut t, mut c, mut s, mut time) = (target(Scheme::OssV4), creds(), exact_key("k"), NOW);
    change(&mut t, &mut c, &mut s, &mut time);
    validate::violations(&t, &c, &s, time)
}

/// The violations after setting the spec's key rule.
fn key_rule(key: &str, prefix: &str) -> Vec<Error> {
    broken(|_, _, s, _| s.key = Conditioned::starts_with(key, prefix))
}

#[test]
fn credential_rules() {
    assert_eq!(broken(|_, _, _, _| {}), []);
    assert_eq!(
        broken(|_, c, _, _| c.access_key_id = "AK+".into()),
        [InvalidCharacter(Field::AccessKeyId)]
    );
    assert_eq!(broken(|_, c, _, _| c.access_key_id = "K".repeat(128)), []);
    assert_eq!(
        broken(|_, c, _, _| c.access_key_id = "K".repeat(129)),
        [TooLong(Field::AccessKeyId)]
    );
    assert_eq!(
        broken(|_, c, _, _| c.access_key_id.clear()),
        [Empty(Field::AccessKeyId)]
    );
    assert_eq!(broken(|_, c, _, _| c.secret = vec![0xff; 128]), []);
    assert_eq!(
        broken(|_, c, _, _| c.secret = vec![0xff; 129]),
        [TooLong(Field::Secret)]
    );
    assert_eq!(
        broken(|_, c, _, _| c.secret.clear()),
        [Empty(Field::Secret)]
    );
    assert_eq!(
        broken(|_, c, _, _| c.security_token = Some("~!".repeat(1024))),
        []
    );
    assert_eq!(
        broken(|_, c, _, _| c.security_token = Some("~".repeat(2049))),
        [TooLong(Field::SecurityToken)]
    );
    assert_eq!(
        broken(|_, c, _, _| c.security_token = Some(String::new())),
        [Empty(Field::SecurityToken)]
    );
    for token in ["a b", "a$b", "é", "a\u{7f}"] {
        let got = broken(|_, c, _, _| c.security_token = Some(token.into()));
        assert_eq!(got, [InvalidCharacter(Field::SecurityToken)], "{token:?}");
    }
}

#[test]
fn target_rules() {
    assert_eq!(broken(|t, _, _, _| t.bucket = "a".repeat(63)), []);
    assert_eq!(
        broken(|t, _, _, _| t.bucket = "a".repeat(64)),
        [TooLong(Field::Bucket)]
    );
    assert_eq!(
        broken(|t, _, _, _| t.bucket.clear()),
        [Empty(Field::Bucket)]
    );
    assert_eq!(
        broken(|t, _, _, _| t.bucket = "ab".into()),
        [Empty(Field::Bucket), InvalidCharacter(Field::Bucket)],
        "the page gives no error for 1..=2 bytes: either reading is accepted"
    );
    for bucket in ["-ab", "ab-", "a.b", "aBc", "a_b"] {
        assert_eq!(
            broken(|t, _, _, _| t.bucket = bucket.into()),
            [InvalidCharacter(Field::Bucket)],
            "{bucket}"
        );
    }
    let s3_dots = broken(|t, _, _, _| {
        t.scheme = Scheme::S3V4;
        t.bucket = "a.b".into();
    });
    assert_eq!(s3_dots, []);
    for endpoint in ["h:1", "H-1.x:65535", "h:99999", "1.2.3.4"] {
        assert_eq!(
            broken(|t, _, _, _| t.endpoint = endpoint.into()),
            [],
            "{endpoint}"
        );
    }
    for endpoint in [
        "h:", "h:123456", ":80", "h:8a", "h/x", "h:1:2", "[::1]", "h_1", "é",
    ] {
        let got = broken(|t, _, _, _| t.endpoint = endpoint.into());
        assert_eq!(got, [InvalidCharacter(Field::Endpoint)], "{endpoint}");
    }
    assert_eq!(
        broken(|t, _, _, _| t.endpoint.clear()),
        [Empty(Field::Endpoint)]
    );
    assert_eq!(broken(|t, _, _, _| t.endpoint = "h".repeat(253)), []);
    assert_eq!(
        broken(|t, _, _, _| t.endpoint = "h".repeat(254)),
        [TooLong(Field::Endpoint)]
    );
    assert_eq!(
        broken(|t, _, _, _| t.region = "cn_hangzhou".into()),
        [InvalidCharacter(Field::Region)]
    );
    assert_eq!(broken(|t, _, _, _| t.region = "r".repeat(32)), []);
    assert_eq!(
        broken(|t, _, _, _| t.region = "r".repeat(33)),
        [TooLong(Field::Region)]
    );
    assert_eq!(
        broken(|t, _, _, _| t.region.clear()),
        [Empty(Field::Region)]
    );
}

#[test]
fn key_rules() {
    let key = |k: &str| broken(|_, _, s, _| s.key.value = k.into());
    assert_eq!(key(&"k".repeat(1023)), []);
    assert_eq!(
        key(&format!("{}é", "k".repeat(1021))),
        [],
        "1023 bytes of UTF-8"
    );
    assert_eq!(
        key(&format!("{}é", "k".repeat(1022))),
        [TooLong(Field::Key)],
        "1024 bytes"
    );
    assert_eq!(key(""), [Empty(Field::Key)]);
    for k in ["/a", "\\a", "a${filename}", "$"] {
        assert_eq!(key(k), [InvalidCharacter(Field::Key)], "{k}");
    }
    assert_eq!(key("a/\\\"\u{0}😀"), []);
    assert_eq!(key_rule("a", ""), [Empty(Field::KeyPrefix)]);
    assert_eq!(key_rule("ba", "a"), [OutsideCondition(Field::Key)]);
    assert_eq!(
        key_rule("a$", "a$"),
        [
            InvalidCharacter(Field::Key),
            InvalidCharacter(Field::KeyPrefix)
        ]
    );
    assert_eq!(
        key_rule("a", &"a".repeat(1025)),
        [TooLong(Field::KeyPrefix), OutsideCondition(Field::Key)]
    );
    assert_eq!(key_rule("cam/1.jpg", "cam/"), []);
}

#[test]
fn value_and_list_rules() {
    let content_type = |value: &str, rule: Rule| {
        broken(|_, _, s, _| s.content_type = Some(Conditioned::new(value, rule)))
    };
    let items = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
    assert_eq!(content_type(&"v".repeat(1024), Rule::Exact), []);
    assert_eq!(
        content_type(&"v".repeat(1025), Rule::Exact),
        [TooLong(Field::ContentType)]
    );
    assert_eq!(content_type("", Rule::Exact), []);
    assert_eq!(
        content_type("a$", Rule::Exact),
        [InvalidCharacter(Field::ContentType)]
    );
    assert_eq!(
        content_type("image/png", Rule::StartsWith(String::new())),
        []
    );
    assert_eq!(
        content_type("image/png", Rule::StartsWith("image/".into())),
        []
    );
    assert_eq!(
        content_type("text/html", Rule::StartsWith("image/".into())),
        [OutsideCondition(Field::ContentType)]
    );
    assert_eq!(content_type("7", Rule::In(items(8))), []);
    assert_eq!(
        content_type("x", Rule::In(items(9))),
        [
            TooMany(Field::ContentType),
            OutsideCondition(Field::ContentType)
        ]
    );
    assert_eq!(
        content_type("x", Rule::NotIn(vec![])),
        [Empty(Field::ContentType)]
    );
    assert_eq!(
        content_type("x", Rule::NotIn(vec!["x".into()])),
        [OutsideCondition(Field::ContentType)]
    );
    assert_eq!(
        content_type("x", Rule::NotIn(vec!["$".into()])),
        [InvalidCharacter(Field::ContentType)]
    );
    let on_s3 = broken(|t, _, s, _| {
        t.scheme = Scheme::S3V4;
        s.cache_control = Some(Conditioned::new("x", Rule::In(vec!["x".into()])));
    });
    assert_eq!(on_s3, [Unsupported(Field::CacheControl)]);
    let disposition = broken(|_, _, s, _| {
        s.content_disposition = Some(Conditioned::new("a", PrefixRule::StartsWith("b".into())))
    });
    assert_eq!(disposition, [OutsideCondition(Field::ContentDisposition)]);
    let redirect = broken(|_, _, s, _| {
        s.success_action_redirect = Some(Conditioned::new(&"r".repeat(1025), PrefixRule::Exact))
    });
    assert_eq!(redirect, [TooLong(Field::SuccessActionRedirect)]);
}

#[test]
fn meta_and_var_rules() {
    let meta = |m: Vec<(&str, Conditioned<PrefixRule>)>| {
        broken(|_, _, s, _| s.meta = m.into_iter().map(|(n, v)| (n.to_owned(), v)).collect())
    };
    let v = || Conditioned::new("v", PrefixRule::Exact);
    let names = ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
    assert_eq!(meta(names[..8].iter().map(|&n| (n, v())).collect()), []);
    assert_eq!(
        meta(names.iter().map(|&n| (n, v())).collect()),
        [TooMany(Field::MetaName)]
    );
    assert_eq!(
        meta(vec![("a", v()), ("a", v())]),
        [Duplicate(Field::MetaName)]
    );
    assert_eq!(meta(vec![("", v())]), [Empty(Field::MetaName)]);
    assert_eq!(
        meta(vec![(&"m".repeat(65), v())]),
        [TooLong(Field::MetaName)]
    );
    let starts = Conditioned::new("v", PrefixRule::StartsWith("w".into()));
    assert_eq!(
        meta(vec![("A", starts)]),
        [
            InvalidCharacter(Field::MetaName),
            OutsideCondition(Field::MetaValue)
        ]
    );

    let vars = |list: &[(&str, &str)]| {
        broken(|_, _, s, _| {
            s.vars = list
                .iter()
                .map(|&(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        })
    };
    assert_eq!(vars(&[("a_1", "v"), ("b", "")]), []);
    for name in ["1a", "_a", "aB", "a-b"] {
        assert_eq!(
            vars(&[(name, "v")]),
            [InvalidCharacter(Field::VarName)],
            "{name}"
        );
    }
    assert_eq!(
        vars(&[(&"a".repeat(33), "$")]),
        [TooLong(Field::VarName), InvalidCharacter(Field::VarValue)]
    );
    assert_eq!(vars(&[("a", "1"), ("a", "2")]), [Duplicate(Field::VarName)]);
    let on_s3 = broken(|t, _, s, _| {
        t.scheme = Scheme::S3V4;
        s.vars = vec![("a".into(), "v".into())];
        s.forbid_overwrite = true;
    });
    assert_eq!(
        on_s3,
        [
            Unsupported(Field::ForbidOverwrite),
            Unsupported(Field::VarName)
        ]
    );
}

#[test]
fn callback_range_and_time_rules() {
    let callback = |url: &str, host: Option<&str>, body: &str| {
        broken(|_, _, s, _| {
            s.callback = Some(Callback {
                url: url.into(),
                host: host.map(str::to_owned),
                body: body.into(),
                body_type: CallbackBodyType::Json,
            });
        })
    };
    assert_eq!(
        callback("https://cb", Some("h"), "${object}"),
        [],
        "`$` is allowed in the body"
    );
    assert_eq!(
        callback("", Some("$"), "b"),
        [
            Empty(Field::CallbackUrl),
            InvalidCharacter(Field::CallbackHost)
        ]
    );
    assert_eq!(
        callback("u", Some(&"h".repeat(256)), ""),
        [TooLong(Field::CallbackHost), Empty(Field::CallbackBody)]
    );
    assert_eq!(
        callback("u", None, &"b".repeat(1025)),
        [TooLong(Field::CallbackBody)]
    );
    let on_s3 = broken(|t, _, s, _| {
        t.scheme = Scheme::S3V4;
        s.callback = Some(Callback {
            url: "u".into(),
            host: None,
            body: "b".into(),
            body_type: CallbackBodyType::Json,
        });
    });
    assert_eq!(on_s3, [Unsupported(Field::Callback)]);

    let range = |r: (u64, u64)| broken(|_, _, s, _| s.content_length_range = Some(r));
    assert_eq!(range((0, 5 << 30)), []);
    assert_eq!(range((7, 7)), []);
    assert_eq!(range((2, 1)), [InvalidRange]);
    assert_eq!(range((0, (5 << 30) + 1)), [InvalidRange]);

    let time = |now: u64, lifetime: u64| broken(|_, _, _, t| *t = Time { now, lifetime });
    assert_eq!(time(0, 1), []);
    assert_eq!(time(0, 604_800), []);
    assert_eq!(time(0, 0), [InvalidLifetime]);
    assert_eq!(time(0, 604_801), [InvalidLifetime]);
    assert_eq!(time(civil::MAX_UNIX - 1, 1), []);
    assert_eq!(time(civil::MAX_UNIX, 1), [TimeOutOfRange]);
    assert_eq!(time(u64::MAX, 1), [TimeOutOfRange]);
    assert_eq!(time(u64::MAX, u64::MAX), [InvalidLifetime, TimeOutOfRange]);
    let first = issue(
        &target(Scheme::OssV4),
        &creds(),
        &exact_key("k"),
        Time {
            now: u64::MAX,
            lifetime: 0,
        },
    );
    assert_eq!(
        first,
        Err(InvalidLifetime),
        "issue reports the first violation"
    );
}
