//! `upticket` against the reference at every limit of docs/policy.md §1.1, on inputs the
//! reference's typed model cannot express, and on two rules this suite found the page silent or
//! ambiguous about (`v1_app_server_shape_with_a_token_is_unsupported`,
//! `key_prefix_of_1024_bytes_is_too_long`), since settled in the page.

#[path = "common/adapter.rs"]
mod adapter;

use upticket::{FieldSpec, Meta, PolicySpec, Rule, UnixTime};
use upticket_tests::reference::model::{
    Conditioned, Credentials, PrefixRule, Scheme, Target, Time,
};
use upticket_tests::reference::{self, Error, Field};

const NOW: u64 = 1_701_605_532;

fn oss(scheme: Scheme) -> Target {
    Target::new(
        scheme,
        "cam-bucket",
        "oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
    )
}

/// §4.3: the V1 app-server shape has no key for a security token, and "a ticket with any other
/// form field cannot be expressed in these shapes". Writing it without the token would hand the
/// client a ticket whose STS upload fails, so this suite expects `UnsupportedShape`.
#[test]
fn v1_app_server_shape_with_a_token_is_unsupported() {
    let target = oss(Scheme::OssV1);
    let mut credentials = Credentials::new("STSKEY", "secret");
    credentials.security_token = Some("TOKEN".into());
    let spec = reference::model::PolicySpec::new(Conditioned::new("cam/1.jpg", PrefixRule::Exact));
    let time = Time {
        now: NOW,
        lifetime: 60,
    };
    let r = reference::issue(&target, &credentials, &spec, time).expect("valid");
    assert_eq!(
        reference::ticket_json(&r, reference::Shape::AppServerV1),
        Err(Error::UnsupportedShape)
    );
    let c = adapter::issue(&target, &credentials, &spec, time).expect("valid");
    assert_eq!(
        c.json[1].clone().map_err(adapter::error),
        Err(Some(Error::UnsupportedShape))
    );
}

/// §1.1 limits a key prefix to 1023 bytes, like the key it must be a prefix of: a 1024-byte
/// prefix is `TooLong(KeyPrefix)`.
#[test]
fn key_prefix_of_1024_bytes_is_too_long() {
    let target = oss(Scheme::OssV4);
    let credentials = Credentials::new("AKID", "secret");
    let key = "k".repeat(1023);
    let spec =
        reference::model::PolicySpec::new(Conditioned::starts_with(&key, &format!("{key}k")));
    let time = Time {
        now: NOW,
        lifetime: 60,
    };
    assert_eq!(
        reference::issue(&target, &credentials, &spec, time).err(),
        Some(Error::TooLong(Field::KeyPrefix))
    );
    let core = adapter::issue(&target, &credentials, &spec, time).err();
    assert_eq!(
        core.and_then(adapter::error),
        Some(Error::TooLong(Field::KeyPrefix))
    );
}

/// §1.2 allows `in` / `not-in` on Content-Type and Cache-Control only. Core's one `Rule` type
/// can put them on any field; it must refuse them there (the page names no error, so any
/// refusal passes) and never write such a condition.
#[test]
fn lists_are_refused_outside_content_type_and_cache_control() {
    let target = oss(Scheme::OssV4);
    let credentials = Credentials::new("AKID", "secret");
    let mut signer = adapter::signer(&target, &credentials).expect("valid");
    let list: &[&str] = &["a/b"];
    let now = UnixTime::from_secs(NOW).expect("in range");
    let exact_key = FieldSpec::exact("a/b");
    let lists = [
        FieldSpec {
            value: "a/b",
            rule: Rule::In(list),
        },
        FieldSpec {
            value: "c",
            rule: Rule::NotIn(list),
        },
    ];
    for listed in lists {
        let meta = [Meta {
            name: "m",
            value: listed,
        }];
        let specs = [
            PolicySpec::new(listed),
            PolicySpec {
                content_disposition: Some(listed),
                ..PolicySpec::new(exact_key)
            },
            PolicySpec {
                success_action_redirect: Some(listed),
                ..PolicySpec::new(exact_key)
            },
            PolicySpec {
                meta: &meta,
                ..PolicySpec::new(exact_key)
            },
        ];
        for spec in &specs {
            let mut scratch = [0u8; 4096];
            let issued = signer
                .issue(spec, now, 60, &mut scratch)
                .map(|t| t.policy_json().to_vec());
            assert!(
                issued.is_err(),
                "{spec:?} gave {:?}",
                issued.map(String::from_utf8)
            );
        }
    }
}

/// Each shape refuses a scheme it does not belong to, and a ticket with a field its clients do
/// not send; a bare ticket fits its own shape.
#[test]
fn app_server_shapes_match_their_scheme() {
    let credentials = Credentials::new("AKID", "secret");
    let time = Time {
        now: NOW,
        lifetime: 60,
    };
    let bare = reference::model::PolicySpec::new(Conditioned::starts_with("u/1.jpg", "u/"));
    for (scheme, fits) in [(Scheme::OssV1, 1), (Scheme::OssV4, 2), (Scheme::S3V4, 0)] {
        let c = adapter::issue(&oss(scheme), &credentials, &bare, time).expect("valid");
        let r = reference::issue(&oss(scheme), &credentials, &bare, time).expect("valid");
        adapter::compare(&r, &c).expect("core and reference agree");
        for (i, json) in c.json.iter().enumerate() {
            assert_eq!(
                json.is_ok(),
                i == 0 || i == fits,
                "{scheme:?} in shape {i}: {json:?}"
            );
        }
    }
    let mut with_type = bare.clone();
    with_type.content_type = Some(Conditioned::new(
        "image/jpeg",
        reference::model::Rule::Exact,
    ));
    let c = adapter::issue(&oss(Scheme::OssV4), &credentials, &with_type, time).expect("valid");
    assert_eq!(
        c.json[2].clone().err(),
        Some(upticket::Error::UnsupportedShape)
    );
}

type Spec = reference::model::PolicySpec;
type Change = Box<dyn Fn(&mut Target, &mut Credentials, &mut Spec, &mut Time)>;
type SetValue = fn(&mut Spec, &str);

/// One change per field that holds a free-form value, setting it to `value`.
fn value_changes(value: &str) -> Vec<(&'static str, Change)> {
    use reference::model::{Callback, CallbackBodyType, Rule};
    let setters: [(&str, SetValue); 10] = [
        ("key", |p, v| p.key.value = v.into()),
        ("key prefix", |p, v| p.key = Conditioned::starts_with(v, v)),
        ("content type", |p, v| {
            p.content_type = Some(Conditioned::new(v, Rule::Exact))
        }),
        ("cache control in", |p, v| {
            p.cache_control = Some(Conditioned::new(v, Rule::In(vec![v.into(), "x".into()])));
        }),
        ("disposition prefix", |p, v| {
            p.content_disposition = Some(Conditioned::new(v, PrefixRule::StartsWith(v.into())));
        }),
        ("redirect", |p, v| {
            p.success_action_redirect = Some(Conditioned::new(v, PrefixRule::Exact))
        }),
        ("meta value", |p, v| {
            p.meta = vec![("m".into(), Conditioned::new(v, PrefixRule::Exact))]
        }),
        ("var value", |p, v| p.vars = vec![("v".into(), v.into())]),
        ("callback url", |p, v| {
            let body_type = CallbackBodyType::Json;
            p.callback = Some(Callback {
                url: v.into(),
                host: None,
                body: "b".into(),
                body_type,
            });
        }),
        ("callback body", |p, v| {
            let (url, host, body_type) = (
                "u".into(),
                Some("h".into()),
                CallbackBodyType::FormUrlEncoded,
            );
            p.callback = Some(Callback {
                url,
                host,
                body: v.into(),
                body_type,
            });
        }),
    ];
    setters
        .into_iter()
        .map(|(name, set)| {
            let value = value.to_owned();
            let change: Change = Box::new(move |_, _, p, _| set(p, &value));
            (name, change)
        })
        .collect()
}

/// Every limit of §1.1 at, just below and just above its edge (in bytes of UTF-8, with the
/// edge inside a multi-byte character where it can be), on every scheme: core and reference
/// agree on the ticket, or core's error is one the reference finds.
#[test]
fn core_and_reference_agree_at_every_limit() {
    use reference::model::{Callback, CallbackBodyType};
    let mut cases: Vec<(&str, Change)> = Vec::new();
    for n in [1022, 1023, 1024, 1025] {
        for tail in ["", "é", "中", "😀"] {
            cases.extend(value_changes(&format!(
                "{}{tail}",
                "a".repeat(n - tail.len())
            )));
        }
    }
    let callback_host = |host: String| Callback {
        url: "u".into(),
        host: Some(host),
        body: "b".into(),
        body_type: CallbackBodyType::Json,
    };
    let fixed: Vec<(&str, Change)> = vec![
        ("nothing", Box::new(|_, _, _, _| {})),
        (
            "ak 128",
            Box::new(|_, c, _, _| c.access_key_id = "K".repeat(128)),
        ),
        (
            "ak 129",
            Box::new(|_, c, _, _| c.access_key_id = "K".repeat(129)),
        ),
        ("secret 128", Box::new(|_, c, _, _| c.secret = vec![0; 128])),
        ("secret 129", Box::new(|_, c, _, _| c.secret = vec![0; 129])),
        (
            "token 2048",
            Box::new(|_, c, _, _| c.security_token = Some("~".repeat(2048))),
        ),
        (
            "token 2049",
            Box::new(|_, c, _, _| c.security_token = Some("~".repeat(2049))),
        ),
        (
            "region 32",
            Box::new(|t, _, _, _| t.region = "r".repeat(32)),
        ),
        (
            "region 33",
            Box::new(|t, _, _, _| t.region = "r".repeat(33)),
        ),
        ("bucket 3", Box::new(|t, _, _, _| t.bucket = "abc".into())),
        ("bucket 2", Box::new(|t, _, _, _| t.bucket = "ab".into())),
        (
            "bucket 63",
            Box::new(|t, _, _, _| t.bucket = "b".repeat(63)),
        ),
        (
            "bucket 64",
            Box::new(|t, _, _, _| t.bucket = "b".repeat(64)),
        ),
        (
            "endpoint 253",
            Box::new(|t, _, _, _| t.endpoint = "e".repeat(253)),
        ),
        (
            "endpoint 254",
            Box::new(|t, _, _, _| t.endpoint = "e".repeat(254)),
        ),
        (
            "port of 5 digits",
            Box::new(|t, _, _, _| t.endpoint = "e:65535".into()),
        ),
        (
            "port of 6 digits",
            Box::new(|t, _, _, _| t.endpoint = "e:655350".into()),
        ),
        (
            "meta name 64",
            Box::new(|_, _, p, _| {
                p.meta = vec![("m".repeat(64), Conditioned::new("v", PrefixRule::Exact))]
            }),
        ),
        (
            "meta name 65",
            Box::new(|_, _, p, _| {
                p.meta = vec![("m".repeat(65), Conditioned::new("v", PrefixRule::Exact))]
            }),
        ),
        (
            "var name 32",
            Box::new(|_, _, p, _| p.vars = vec![("v".repeat(32), "x".into())]),
        ),
        (
            "var name 33",
            Box::new(|_, _, p, _| p.vars = vec![("v".repeat(33), "x".into())]),
        ),
        (
            "callback host 255",
            Box::new(move |_, _, p, _| p.callback = Some(callback_host("h".repeat(255)))),
        ),
        (
            "callback host 256",
            Box::new(move |_, _, p, _| p.callback = Some(callback_host("h".repeat(256)))),
        ),
        (
            "range to 5 GiB",
            Box::new(|_, _, p, _| p.content_length_range = Some((5 << 30, 5 << 30))),
        ),
        (
            "range past 5 GiB",
            Box::new(|_, _, p, _| p.content_length_range = Some((0, (5 << 30) + 1))),
        ),
        (
            "lifetime 7 days",
            Box::new(|_, _, _, t| t.lifetime = 604_800),
        ),
        (
            "lifetime 7 days + 1",
            Box::new(|_, _, _, t| t.lifetime = 604_801),
        ),
        (
            "expires 9999-12-31T23:59:59Z",
            Box::new(|_, _, _, t| t.now = 253_402_300_799 - t.lifetime),
        ),
        (
            "expires in year 10000",
            Box::new(|_, _, _, t| t.now = 253_402_300_800 - t.lifetime),
        ),
    ];
    cases.extend(fixed);
    let mut compared = 0;
    for scheme in [Scheme::OssV4, Scheme::OssV1, Scheme::S3V4] {
        for (name, change) in &cases {
            let mut target = oss(scheme);
            let mut credentials = Credentials::new("AKID", "secret");
            let mut spec = Spec::new(Conditioned::new("k", PrefixRule::Exact));
            let mut time = Time {
                now: NOW,
                lifetime: 60,
            };
            change(&mut target, &mut credentials, &mut spec, &mut time);
            let r = reference::issue(&target, &credentials, &spec, time);
            match (r, adapter::issue(&target, &credentials, &spec, time)) {
                (Ok(r), Ok(c)) => {
                    adapter::compare(&r, &c).unwrap_or_else(|e| panic!("{scheme:?} {name}: {e}"));
                    compared += 1;
                }
                (Err(_), Err(e)) => {
                    let broken =
                        reference::validate::violations(&target, &credentials, &spec, time);
                    // The known disagreement of `key_prefix_of_1024_bytes_is_too_long`.
                    let known = *name == "key prefix"
                        && e == upticket::Error::TooLong(upticket::Field::KeyPrefix);
                    let mapped = adapter::error(e);
                    assert!(
                        known || mapped.is_some_and(|m| broken.contains(&m)),
                        "{scheme:?} {name}: core {e:?}, reference {broken:?}"
                    );
                }
                (r, c) => panic!(
                    "{scheme:?} {name}: reference {:?}, core {:?}",
                    r.err(),
                    c.err()
                ),
            }
        }
    }
    assert!(compared > 200, "only {compared} valid cases");
}
