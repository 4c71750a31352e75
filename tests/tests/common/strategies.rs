//! proptest strategies for the reference's input model: mostly valid inputs, with hostile
//! strings, limits and OSS-only features mixed in at rates that keep about half the cases valid.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use upticket_tests::reference::civil::MAX_UNIX;
use upticket_tests::reference::model::{
    Callback, CallbackBodyType, Conditioned, Credentials, PolicySpec, PrefixRule, Protocol, Rule,
    Scheme, SuccessStatus, Target, Time, UrlStyle,
};

/// One generated case: the four inputs of `docs/policy.md` §1.
#[derive(Clone, Debug)]
pub struct Input {
    pub target: Target,
    pub credentials: Credentials,
    pub spec: PolicySpec,
    pub time: Time,
}

/// Characters that stress escaping and validation: JSON metacharacters, every control
/// character, DEL, `$`, and 2-, 3- and 4-byte UTF-8 (U+2028 included).
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(vec!['"', '\\', '/', '{', '}', '[', ']', ',', ':', ' ', '\u{7f}', 'é', '中', '\u{2028}', '😀', '\u{10FFFF}']),
        3 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
        4 => proptest::char::range('a', 'z'),
        2 => any::<char>(),
    ]
}

/// Values written to break out of a JSON string or condition (the Java SDK's escape test first).
const INJECTIONS: [&str; 6] = [
    "1.png\"},{\"key\":\"2.png\"}]}//",
    "a\",\"b",
    "\"],[\"starts-with\",\"\\u0024key\",\"",
    "\\\"}",
    "x\u{0}\u{1f}\n\r\t\u{8}\u{c}\u{7f}",
    "\u{2028}\u{2029}😀é中",
];

/// A string of hostile characters without `$`, 0..=`max` characters.
fn dollar_free(max: usize) -> impl Strategy<Value = String> {
    vec(hostile_char(), 0..=max).prop_map(|cs| cs.into_iter().filter(|&c| c != '$').collect())
}

/// A string whose UTF-8 length is within a few bytes of `limit`, ending in a multi-byte
/// character so the limit can fall inside it.
fn near(limit: usize) -> impl Strategy<Value = String> {
    (
        limit.saturating_sub(4)..=limit + 2,
        select(vec!["", "é", "中", "😀"]),
    )
        .prop_map(|(n, tail)| {
            let mut s = "a".repeat(n.saturating_sub(tail.len()));
            s.push_str(tail);
            s
        })
}

/// An "other value" (`0..=1024` bytes, no `$`), hostile, sometimes empty, long or with `$`.
pub fn other_value() -> impl Strategy<Value = String> {
    prop_oneof![
        200 => dollar_free(12),
        8 => Just(String::new()),
        8 => select(INJECTIONS.to_vec()).prop_map(str::to_owned),
        1 => near(1024),
        1 => (dollar_free(4), dollar_free(4)).prop_map(|(a, b)| format!("{a}${{filename}}{b}")),
    ]
}

/// An object key: mostly a camera path with hostile characters, sometimes at the limits.
fn key_value() -> impl Strategy<Value = String> {
    prop_oneof![
        120 => ("cam/[0-9]{1,3}/", dollar_free(10)).prop_map(|(a, b)| format!("{a}{b}")),
        30 => dollar_free(8).prop_filter("a key", |k| !k.is_empty() && !k.starts_with(['/', '\\'])),
        5 => select(INJECTIONS.to_vec()).prop_map(str::to_owned),
        2 => near(1023),
        3 => select(vec!["/abs", "\\abs", "", "a$b", "${filename}"]).prop_map(str::to_owned),
    ]
}

/// A value with a rule (any of the four) it mostly satisfies.
fn ruled_value() -> impl Strategy<Value = Conditioned<Rule>> {
    let items = vec(other_value(), 0..=9);
    (other_value(), 0usize..=12, items, 0..60u8).prop_flat_map(|(value, cut, items, dice)| {
        let prefix = prefix_of(&value, cut, dice);
        let mut listed = items.clone();
        if dice > 1 && !listed.contains(&value) && !listed.is_empty() {
            let at = usize::from(dice) % listed.len();
            listed[at] = value.clone();
        }
        let unlisted: Vec<String> = if dice > 1 {
            items.iter().filter(|i| **i != value).cloned().collect()
        } else {
            items
        };
        prop_oneof![
            4 => Just(Rule::Exact),
            3 => Just(Rule::StartsWith(prefix)),
            3 => Just(Rule::In(listed.clone())),
            3 => Just(Rule::NotIn(unlisted.clone())),
        ]
        .prop_map(move |rule| Conditioned {
            value: value.clone(),
            rule,
        })
    })
}

/// A prefix of `value` at a char boundary near `cut`, or (rarely) something else.
fn prefix_of(value: &str, cut: usize, dice: u8) -> String {
    match dice {
        0 => format!("{value}x"),
        1 => "$".to_owned(),
        _ => value.chars().take(cut).collect(),
    }
}

fn prefix_ruled(
    value: impl Strategy<Value = String>,
) -> impl Strategy<Value = Conditioned<PrefixRule>> {
    (value, 0usize..=12, 0..60u8, any::<bool>()).prop_map(|(value, cut, dice, exact)| {
        let rule = if exact {
            PrefixRule::Exact
        } else {
            PrefixRule::StartsWith(prefix_of(&value, cut, dice))
        };
        Conditioned { value, rule }
    })
}

fn key() -> impl Strategy<Value = Conditioned<PrefixRule>> {
    (key_value(), 0usize..=12, 0..60u8, any::<bool>()).prop_map(|(value, cut, dice, exact)| {
        let rule = if exact {
            PrefixRule::Exact
        } else if dice == 59 {
            PrefixRule::StartsWith(String::new())
        } else if dice == 58 {
            PrefixRule::StartsWith("p".repeat(1025))
        } else {
            PrefixRule::StartsWith(prefix_of(&value, cut.max(1), dice))
        };
        Conditioned { value, rule }
    })
}

fn lower_name(
    first: &'static str,
    rest: &'static str,
    max_rest: usize,
) -> impl Strategy<Value = String> {
    let re = format!("{first}{rest}{{0,{max_rest}}}");
    proptest::string::string_regex(&re).unwrap_or_else(|e| panic!("bad regex {re}: {e}"))
}

fn meta_name() -> impl Strategy<Value = String> {
    prop_oneof![
        100 => lower_name("[a-z0-9-]", "[a-z0-9-]", 6),
        1 => Just(String::new()),
        1 => select(vec!["Tag", "a_b", "a.b", "é"]).prop_map(str::to_owned),
        1 => (63usize..=65).prop_map(|n| "m".repeat(n)),
    ]
}

fn var_name() -> impl Strategy<Value = String> {
    prop_oneof![
        100 => lower_name("[a-z]", "[a-z0-9_]", 6),
        1 => Just(String::new()),
        1 => select(vec!["1a", "_a", "aB", "a-b"]).prop_map(str::to_owned),
        1 => (31usize..=33).prop_map(|n| "v".repeat(n)),
    ]
}

/// 0..=3 items usually, 8 or 9 sometimes; the name of an item is sometimes repeated.
fn few<S: Strategy<Value: Clone>>(item: impl Fn() -> S) -> impl Strategy<Value = Vec<S::Value>> {
    (
        prop_oneof![40 => vec(item(), 0..=3), 1 => vec(item(), 8..=9)],
        0..60u8,
    )
        .prop_map(|(mut items, dice)| {
            if dice == 0 && !items.is_empty() {
                items.push(items[0].clone());
            }
            items
        })
}

fn callback() -> impl Strategy<Value = Callback> {
    let url = prop_oneof![
        40 => "https://cb\\.example/[a-z]{0,8}",
        2 => other_value(),
        1 => near(1024),
        1 => Just("https://cb.example/${bucket}".to_owned()),
    ];
    let host = proptest::option::of(prop_oneof![
        40 => "[a-z.]{1,12}",
        2 => other_value(),
        1 => near(255),
        1 => Just("cb$.example".to_owned()),
    ]);
    let body = prop_oneof![
        40 => Just("object=${object}&size=${size}&v=${x:my_var}".to_owned()),
        20 => vec(hostile_char(), 1..=16).prop_map(|cs| cs.into_iter().collect()),
        1 => Just(String::new()),
        3 => near(1024),
    ];
    let body_type = select(vec![
        CallbackBodyType::FormUrlEncoded,
        CallbackBodyType::Json,
    ]);
    (url, host, body, body_type).prop_map(|(url, host, body, body_type)| Callback {
        url,
        host,
        body,
        body_type,
    })
}

const GIB5: u64 = 5 * 1024 * 1024 * 1024;

fn range() -> impl Strategy<Value = (u64, u64)> {
    prop_oneof![
        30 => (0u64..=GIB5).prop_flat_map(|max| (0..=max, Just(max))),
        3 => Just((0, GIB5)),
        1 => (1u64..=GIB5, 0u64..=GIB5).prop_map(|(a, b)| (a.max(b), a.min(b).saturating_sub(1))),
        1 => (GIB5 + 1..=u64::MAX).prop_map(|max| (0, max)),
    ]
}

fn spec(scheme: Scheme) -> BoxedStrategy<PolicySpec> {
    let oss = scheme != Scheme::S3V4;
    // OSS-only features appear on S3 rarely, to hit `Unsupported`.
    let oss_rate = if oss { 4 } else { 1 };
    let status = proptest::option::of(select(vec![
        SuccessStatus::Ok200,
        SuccessStatus::Created201,
        SuccessStatus::NoContent204,
    ]));
    let plain = (
        key(),
        proptest::option::of(range()),
        proptest::option::of(ruled_value()),
        proptest::option::of(ruled_value()),
        proptest::option::of(prefix_ruled(other_value())),
        status,
        proptest::option::of(prefix_ruled(other_value())),
        few(|| (meta_name(), prefix_ruled(other_value()))),
    );
    let extra = (
        proptest::bool::weighted(f64::from(oss_rate) / 8.0),
        proptest::option::weighted(f64::from(oss_rate) / 8.0, callback()),
        prop_oneof![8 - oss_rate => Just(Vec::new()), oss_rate => few(|| (var_name(), other_value()))],
    );
    (plain, extra, 0..4u8)
        .prop_map(move |(p, (forbid_overwrite, callback, vars), lists)| {
            let (
                key,
                content_length_range,
                content_type,
                cache_control,
                content_disposition,
                status,
                redirect,
                meta,
            ) = p;
            // `in` / `not-in` on S3: in a quarter of the cases that drew one.
            let no_lists = |keep: bool| {
                move |mut f: Conditioned<Rule>| {
                    if !oss && !keep && matches!(f.rule, Rule::In(_) | Rule::NotIn(_)) {
                        f.rule = Rule::Exact;
                    }
                    f
                }
            };
            let content_type = content_type.map(no_lists(lists == 0));
            let cache_control = cache_control.map(no_lists(lists == 1));
            PolicySpec {
                key,
                content_length_range,
                content_type,
                cache_control,
                content_disposition,
                success_action_status: status,
                success_action_redirect: redirect,
                meta,
                forbid_overwrite,
                callback,
                vars,
            }
        })
        .boxed()
}

fn bucket(scheme: Scheme) -> impl Strategy<Value = String> {
    let valid = if scheme == Scheme::S3V4 {
        "[a-z0-9][a-z0-9.-]{1,12}[a-z0-9]"
    } else {
        "[a-z0-9][a-z0-9-]{1,12}[a-z0-9]"
    };
    prop_oneof![
        80 => proptest::string::string_regex(valid).unwrap_or_else(|e| panic!("{e}")),
        1 => select(vec!["", "a", "ab", "-ab", "ab-", "a.b", "aBc", "a_b", "a b", "é12"]).prop_map(str::to_owned),
        1 => (62usize..=64).prop_map(|n| "b".repeat(n)),
    ]
}

fn endpoint() -> impl Strategy<Value = String> {
    prop_oneof![
        80 => "[a-z0-9-]{1,10}(\\.[a-zA-Z0-9-]{1,10}){0,3}(:[0-9]{1,5})?",
        1 => select(vec!["", "h:", ":80", "h:123456", "h:8a", "h/x", "h:1:2", "h_1", "[::1]:80", "é.com"]).prop_map(str::to_owned),
        1 => (252usize..=254).prop_map(|n| "e".repeat(n)),
    ]
}

fn region() -> impl Strategy<Value = String> {
    prop_oneof![
        80 => "[a-z]{2}-[a-z]{1,10}(-[0-9])?",
        1 => select(vec!["", "cn_hangzhou", "CN", "oss cn"]).prop_map(str::to_owned),
        1 => (31usize..=33).prop_map(|n| "r".repeat(n)),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    select(vec![Scheme::OssV4, Scheme::OssV1, Scheme::S3V4]).prop_flat_map(|scheme| {
        (
            bucket(scheme),
            endpoint(),
            region(),
            select(vec![UrlStyle::VirtualHosted, UrlStyle::Path]),
            select(vec![Protocol::Http, Protocol::Https]),
        )
            .prop_map(move |(bucket, endpoint, region, style, protocol)| Target {
                scheme,
                bucket,
                endpoint,
                region,
                style,
                protocol,
            })
    })
}

fn credentials() -> impl Strategy<Value = Credentials> {
    let ak = prop_oneof![
        80 => "[A-Za-z0-9._-]{1,24}",
        1 => select(vec!["", "AK+1", "AK 1", "AK$"]).prop_map(str::to_owned),
        1 => (127usize..=129).prop_map(|n| "K".repeat(n)),
    ];
    let secret = prop_oneof![
        80 => vec(any::<u8>(), 1..=40),
        1 => Just(Vec::new()),
        1 => (127usize..=129).prop_flat_map(|n| vec(any::<u8>(), n)),
    ];
    let token = proptest::option::of(prop_oneof![
        80 => "[!-#%-~]{1,64}",
        1 => select(vec!["", "a b", "a$b", "é"]).prop_map(str::to_owned),
        1 => (2047usize..=2049).prop_map(|n| "t".repeat(n)),
    ]);
    (ak, secret, token).prop_map(|(access_key_id, secret, security_token)| Credentials {
        access_key_id,
        secret,
        security_token,
    })
}

/// Instants over all of 1970..=9999 and past it; lifetimes from 0 to over 7 days.
pub fn time() -> impl Strategy<Value = Time> {
    let now = prop_oneof![
        40 => 0u64..=MAX_UNIX,
        2 => (MAX_UNIX - 700_000)..=MAX_UNIX,
        1 => (MAX_UNIX + 1)..=u64::MAX,
    ];
    let lifetime = prop_oneof![
        40 => 1u64..=604_800,
        2 => select(vec![0, 1, 604_800, 604_801]),
        1 => 604_801u64..=u64::MAX,
    ];
    (now, lifetime).prop_map(|(now, lifetime)| Time { now, lifetime })
}

/// Every scheme, target, credential and policy shape.
pub fn input() -> BoxedStrategy<Input> {
    (target(), credentials(), time())
        .prop_flat_map(|(target, credentials, time)| {
            spec(target.scheme).prop_map(move |spec| Input {
                target: target.clone(),
                credentials: credentials.clone(),
                spec,
                time,
            })
        })
        .boxed()
}

/// A valid V4 (OSS or S3) input with a plain spec, for the signing-key cache property.
pub fn valid_v4() -> BoxedStrategy<Input> {
    (
        select(vec![Scheme::OssV4, Scheme::S3V4]),
        "[a-z]{2}-[a-z]{1,10}(-[0-9])?",
        "[A-Za-z0-9]{1,24}",
        vec(any::<u8>(), 1..=40),
        proptest::option::of("[!-#%-~]{1,32}"),
        "cam/[0-9]{1,4}/[a-z0-9.]{1,12}",
        0u64..=MAX_UNIX - 10 * 86_400,
        1u64..=604_800,
    )
        .prop_map(
            |(scheme, region, ak, secret, token, key, now, lifetime)| Input {
                target: Target {
                    scheme,
                    bucket: "cam-bucket".into(),
                    endpoint: "store.example:9000".into(),
                    region,
                    style: UrlStyle::Path,
                    protocol: Protocol::Http,
                },
                credentials: Credentials {
                    access_key_id: ak,
                    secret,
                    security_token: token,
                },
                spec: PolicySpec::new(Conditioned {
                    value: key,
                    rule: PrefixRule::Exact,
                }),
                time: Time { now, lifetime },
            },
        )
        .boxed()
}
