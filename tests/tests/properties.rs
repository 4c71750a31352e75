//! Property suites: `upticket` against the std reference, over every scheme, condition kind,
//! rule and hostile input the strategies generate. Cases: `PROPTEST_CASES` (proptest's default
//! config reads it; CI runs 10000).

#[path = "common/adapter.rs"]
mod adapter;
#[path = "common/strategies.rs"]
mod strategies;

use adapter::SHAPES;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::FileFailurePersistence;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use strategies::Input;
use upticket::wire::SliceWriter;
use upticket_tests::reference::model::{PrefixRule, Rule, Scheme};
use upticket_tests::reference::{self, civil, sign, validate};

/// A core error as a test failure.
fn core<T>(result: Result<T, upticket::Error>) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(format!("core: {e:?}")))
}

/// Whether core's refusal `e` is one the reference expects: one of the rules it finds broken
/// (the page does not rank simultaneous violations).
fn expected_refusal(input: &Input, e: upticket::Error) -> bool {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let broken = validate::violations(target, credentials, spec, *time);
    adapter::error(e).is_some_and(|m| broken.contains(&m))
}

/// Core and reference both issue the same ticket, or both refuse; core's error is one of the
/// rules the reference finds broken (the page does not rank simultaneous violations).
fn agree(input: &Input) -> Result<(), TestCaseError> {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let r = reference::issue(target, credentials, spec, *time);
    let c = adapter::issue(target, credentials, spec, *time);
    match (r, c) {
        (Ok(r), Ok(c)) => adapter::compare(&r, &c),
        (Err(_), Err(e)) => {
            let broken = validate::violations(target, credentials, spec, *time);
            prop_assert!(
                expected_refusal(input, e),
                "core refused with {:?}; the reference finds {:?}",
                e,
                broken
            );
            Ok(())
        }
        (Ok(_), Err(e)) => Err(TestCaseError::fail(format!(
            "core refused a valid input: {e:?}"
        ))),
        (Err(e), Ok(_)) => Err(TestCaseError::fail(format!(
            "core accepted an input that breaks {e:?}"
        ))),
    }
}

/// The conditions the spec means, as JSON values built field by field (not from any writer).
fn intended_conditions(input: &Input) -> Vec<Value> {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let scheme = target.scheme;
    let fp = scheme.field_prefix();
    let date = civil::date(time.now);
    let iso = civil::iso_basic(time.now);
    let ak = &credentials.access_key_id;
    let region = &target.region;
    let one = |name: String, value: &str| {
        let mut map = serde_json::Map::new();
        map.insert(name, Value::String(value.to_owned()));
        Value::Object(map)
    };
    let prefixed = |name: String, value: &str, rule: &PrefixRule| match rule {
        PrefixRule::Exact => one(name, value),
        PrefixRule::StartsWith(p) => json!(["starts-with", format!("${name}"), p]),
    };
    let ruled = |name: &str, value: &str, rule: &Rule| match rule {
        Rule::Exact => one(name.to_owned(), value),
        Rule::StartsWith(p) => json!(["starts-with", format!("${name}"), p]),
        Rule::In(items) => json!(["in", format!("${name}"), items]),
        Rule::NotIn(items) => json!(["not-in", format!("${name}"), items]),
    };
    let mut c = vec![json!({ "bucket": target.bucket })];
    match scheme {
        Scheme::OssV4 => c.extend([
            json!({ "x-oss-signature-version": "OSS4-HMAC-SHA256" }),
            json!({ "x-oss-credential": format!("{ak}/{date}/{region}/oss/aliyun_v4_request") }),
            json!({ "x-oss-date": iso }),
        ]),
        Scheme::S3V4 => c.extend([
            json!({ "x-amz-algorithm": "AWS4-HMAC-SHA256" }),
            json!({ "x-amz-credential": format!("{ak}/{date}/{region}/s3/aws4_request") }),
            json!({ "x-amz-date": iso }),
        ]),
        Scheme::OssV1 => {}
    }
    if let Some(token) = &credentials.security_token {
        c.push(one(format!("{fp}security-token"), token));
    }
    if let Some((min, max)) = spec.content_length_range {
        c.push(json!(["content-length-range", min, max]));
    }
    c.push(prefixed("key".into(), &spec.key.value, &spec.key.rule));
    if let Some(f) = &spec.content_type {
        c.push(ruled("Content-Type", &f.value, &f.rule));
    }
    if let Some(f) = &spec.cache_control {
        c.push(ruled("Cache-Control", &f.value, &f.rule));
    }
    if let Some(f) = &spec.content_disposition {
        c.push(prefixed("Content-Disposition".into(), &f.value, &f.rule));
    }
    if let Some(s) = spec.success_action_status {
        c.push(json!({ "success_action_status": s.as_str() }));
    }
    if let Some(f) = &spec.success_action_redirect {
        c.push(prefixed(
            "success_action_redirect".into(),
            &f.value,
            &f.rule,
        ));
    }
    for (name, f) in &spec.meta {
        c.push(prefixed(format!("{fp}meta-{name}"), &f.value, &f.rule));
    }
    if spec.forbid_overwrite {
        c.push(json!({ "x-oss-forbid-overwrite": "true" }));
    }
    if let Some(cb) = &spec.callback {
        let mut body = json!({ "callbackUrl": cb.url, "callbackBody": cb.body, "callbackBodyType": cb.body_type.as_str() });
        if let Some(host) = &cb.host {
            body["callbackHost"] = json!(host);
        }
        c.push(body);
    }
    for (name, value) in &spec.vars {
        c.push(one(format!("x:{name}"), value));
    }
    c
}

/// Core's policy parses back to exactly the intended conditions: nothing a value holds can add,
/// drop or widen one, and every form field is bound. The callback condition is compared decoded.
fn reads_back(input: &Input) -> Result<(), TestCaseError> {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let Ok(c) = adapter::issue(target, credentials, spec, *time) else {
        return Ok(());
    };
    let policy: Value =
        serde_json::from_str(&c.policy_json).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(
        STANDARD.decode(&c.policy_b64).ok(),
        Some(c.policy_json.clone().into_bytes())
    );
    let top = policy
        .as_object()
        .ok_or_else(|| TestCaseError::fail("policy is not an object"))?;
    prop_assert_eq!(top.len(), 2);
    prop_assert_eq!(
        &top["expiration"],
        &json!(civil::expiration(time.now + time.lifetime))
    );
    let mut got = top["conditions"].as_array().cloned().unwrap_or_default();
    // §4.2: every form field is covered by a condition, except `policy` and the signature (and
    // V1's `OSSAccessKeyId`, which §2.2 gives no condition).
    let covered: Vec<&str> = got
        .iter()
        .filter_map(|c| match c {
            Value::Object(map) => map.keys().next().map(String::as_str),
            Value::Array(items) => items
                .get(1)
                .and_then(Value::as_str)
                .map(|n| n.trim_start_matches('$')),
            _ => None,
        })
        .collect();
    let unconditioned = [
        "policy",
        "Signature",
        "OSSAccessKeyId",
        "x-oss-signature",
        "x-amz-signature",
    ];
    for (name, _) in &c.fields {
        prop_assert!(
            unconditioned.contains(&name.as_str()) || covered.contains(&name.as_str()),
            "form field {} has no condition",
            name
        );
    }
    if spec.callback.is_some() {
        // The callback condition is the one before the `x:` variables; decode its base64 JSON.
        let at = got.len() - 1 - spec.vars.len();
        let b64 = got[at]["callback"].as_str().unwrap_or_default().to_owned();
        prop_assert_eq!(
            Some(b64.as_str()),
            c.fields
                .iter()
                .find(|(n, _)| n == "callback")
                .map(|(_, v)| v.as_str())
        );
        let decoded = STANDARD
            .decode(&b64)
            .map_err(|e| TestCaseError::fail(format!("callback: {e}")))?;
        got[at] = serde_json::from_slice(&decoded)
            .map_err(|e| TestCaseError::fail(format!("callback: {e}")))?;
    }
    prop_assert_eq!(got, intended_conditions(input));
    Ok(())
}

/// Every undersized buffer gives `BufferTooSmall` for a valid input (and never hides a broken
/// rule of an invalid one); the `*_len` functions are exact.
fn buffers(input: &Input, cuts: &[Index]) -> Result<(), TestCaseError> {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let (lists, parts) = (adapter::Lists::new(spec), adapter::Parts::new(spec));
    if reference::issue(target, credentials, spec, *time).is_err() {
        // "Every rule is checked before anything is written": a broken rule, not the empty
        // buffer, is what an invalid input reports.
        let built = adapter::signer(target, credentials).and_then(|signer| {
            let spec = adapter::spec(spec, &lists, &parts)?;
            Ok((signer, spec, upticket::UnixTime::from_secs(time.now)?))
        });
        if let Ok((mut signer, core_spec, now)) = built {
            let e = signer.issue(&core_spec, now, time.lifetime, &mut []).err();
            let broken = validate::violations(target, credentials, spec, *time);
            prop_assert!(
                e.is_some_and(|e| expected_refusal(input, e)),
                "empty scratch gave {:?}; broken: {:?}",
                e,
                broken
            );
        }
        return Ok(());
    }
    let mut signer = core(adapter::signer(target, credentials))?;
    let core_spec = core(adapter::spec(spec, &lists, &parts))?;
    let now = core(upticket::UnixTime::from_secs(time.now))?;
    let needed = core(signer.scratch_len(&core_spec))?;
    // Sampled sizes below `n`: always 0 and `n - 1`, plus the drawn cuts.
    let sizes = |n: usize| {
        let mut s: Vec<usize> = cuts.iter().map(|i| i.index(n.max(1))).collect();
        s.extend([0, n.saturating_sub(1)]);
        s.retain(|&k| k < n);
        s
    };
    let too_small = Some(upticket::Error::BufferTooSmall);
    for k in sizes(needed) {
        let mut small = vec![0u8; k];
        let r = signer.issue(&core_spec, now, time.lifetime, &mut small);
        prop_assert_eq!(r.err(), too_small, "scratch of {} < {}", k, needed);
    }
    let mut scratch = vec![0u8; needed];
    let ticket = core(signer.issue(&core_spec, now, time.lifetime, &mut scratch))?;
    let used = ticket.policy_json().len() + ticket.signed().policy_b64().len();
    prop_assert_eq!(needed, used);
    for &(_, shape) in &SHAPES {
        let Ok(len) = ticket.json_len(shape) else {
            continue;
        };
        for k in sizes(len) {
            let mut small = vec![0u8; k];
            prop_assert_eq!(ticket.write_json(shape, &mut small).err(), too_small);
        }
        let mut roomy = vec![0u8; len + 7];
        prop_assert_eq!(core(ticket.write_json(shape, &mut roomy))?.len(), len);
    }
    let url_len = adapter::copy(&ticket).url.len();
    for k in sizes(url_len) {
        let mut small = vec![0u8; k];
        let mut sink = SliceWriter::new(&mut small);
        prop_assert_eq!(ticket.write_url(&mut sink).err(), too_small);
    }
    Ok(())
}

/// One signer, whose V4 key cache carries over, signs like a fresh signer and like the
/// reference at every instant of a walk across day boundaries, back and forth.
fn cache(input: &Input, steps: &[i64]) -> Result<(), TestCaseError> {
    let Input {
        target,
        credentials,
        spec,
        time,
    } = input;
    let mut warm = core(adapter::signer(target, credentials))?;
    let (lists, parts) = (adapter::Lists::new(spec), adapter::Parts::new(spec));
    let core_spec = core(adapter::spec(spec, &lists, &parts))?;
    let params = if target.scheme == Scheme::S3V4 {
        sign::S3_V4
    } else {
        sign::OSS_V4
    };
    // Start one second before a midnight so small steps cross it.
    let mut now = time.now - time.now % 86_400 + 86_399;
    for &step in steps {
        now = now
            .saturating_add_signed(step)
            .min(civil::MAX_UNIX - time.lifetime);
        let at = core(upticket::UnixTime::from_secs(now))?;
        let mut scratch = vec![0u8; core(warm.scratch_len(&core_spec))?];
        let mut cold_scratch = scratch.clone();
        let w = core(warm.issue(&core_spec, at, time.lifetime, &mut scratch))?;
        let mut cold = core(adapter::signer(target, credentials))?;
        let c = core(cold.issue(&core_spec, at, time.lifetime, &mut cold_scratch))?;
        let b64 = String::from_utf8_lossy(w.signed().policy_b64()).into_owned();
        let date = civil::date(now);
        let expected = sign::v4(params, &credentials.secret, &date, &target.region, &b64);
        let warm_sig = w.signed().signature().as_bytes();
        prop_assert_eq!(warm_sig, c.signed().signature().as_bytes(), "at {}", now);
        prop_assert_eq!(warm_sig, expected.as_bytes(), "at {}", now);
    }
    Ok(())
}

proptest! {
    // Cases from `PROPTEST_CASES` (CI: 10000); shrunk failures are saved beside this file.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn core_and_reference_agree(input in strategies::input()) {
        agree(&input)?;
    }

    #[test]
    fn policies_read_back_to_the_intended_conditions(input in strategies::input()) {
        reads_back(&input)?;
    }

    #[test]
    fn undersized_buffers_are_refused(input in strategies::input(), cuts in proptest::collection::vec(any::<Index>(), 4)) {
        buffers(&input, &cuts)?;
    }

    #[test]
    fn cached_signing_key_matches_a_cold_derivation(
        input in strategies::valid_v4(),
        steps in proptest::collection::vec(prop_oneof![
            Just(0i64), Just(1), Just(-1), Just(86_400), Just(-86_400), -200_000i64..200_000
        ], 1..8),
    ) {
        cache(&input, &steps)?;
    }
}

/// The generator reaches what the properties claim to cover: valid tickets of every scheme
/// with tokens, callbacks, variables, meta fields and every rule, and every rule of §1.1 broken.
#[test]
fn strategies_reach_every_feature_and_every_error() {
    let mut runner = TestRunner::deterministic();
    let strategy = strategies::input();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for _ in 0..2000 {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let Input {
            target,
            credentials,
            spec,
            time,
        } = tree.current();
        match reference::issue(&target, &credentials, &spec, time) {
            Ok(t) => {
                seen.insert(format!("ok {:?}", t.scheme));
                let rules =
                    [&spec.content_type, &spec.cache_control].map(|f| f.as_ref().map(|f| &f.rule));
                for rule in rules.into_iter().flatten() {
                    let name = match rule {
                        Rule::Exact => "Exact",
                        Rule::StartsWith(_) => "StartsWith",
                        Rule::In(_) => "In",
                        Rule::NotIn(_) => "NotIn",
                    };
                    seen.insert(format!("ok rule {name}"));
                }
                if matches!(spec.key.rule, PrefixRule::StartsWith(_)) {
                    seen.insert("ok key prefix".into());
                }
                let extras = [
                    ("token", credentials.security_token.is_some()),
                    ("callback", spec.callback.is_some()),
                    ("vars", !spec.vars.is_empty()),
                    ("meta", !spec.meta.is_empty()),
                    ("range", spec.content_length_range.is_some()),
                    ("long value", t.fields.iter().any(|(_, v)| v.len() > 1000)),
                    ("control character", t.policy_json.contains("\\u00")),
                    (
                        "4-byte UTF-8",
                        t.policy_json.chars().any(|c| c.len_utf8() == 4),
                    ),
                ];
                for (name, present) in extras {
                    if present {
                        seen.insert(format!("ok {name}"));
                    }
                }
            }
            Err(_) => {
                for e in validate::violations(&target, &credentials, &spec, time) {
                    seen.insert(format!("{e:?}"));
                }
            }
        }
    }
    let wanted = [
        "ok OssV4",
        "ok OssV1",
        "ok S3V4",
        "ok rule Exact",
        "ok rule StartsWith",
        "ok rule In",
        "ok rule NotIn",
        "ok key prefix",
        "ok token",
        "ok callback",
        "ok vars",
        "ok meta",
        "ok range",
        "ok long value",
        "ok control character",
        "ok 4-byte UTF-8",
        "Empty(AccessKeyId)",
        "Empty(Secret)",
        "Empty(SecurityToken)",
        "Empty(Region)",
        "Empty(Bucket)",
        "Empty(Endpoint)",
        "Empty(Key)",
        "Empty(KeyPrefix)",
        "Empty(ContentType)",
        "Empty(CacheControl)",
        "Empty(MetaName)",
        "Empty(VarName)",
        "Empty(CallbackUrl)",
        "Empty(CallbackHost)",
        "Empty(CallbackBody)",
        "TooLong(AccessKeyId)",
        "TooLong(Secret)",
        "TooLong(SecurityToken)",
        "TooLong(Region)",
        "TooLong(Bucket)",
        "TooLong(Endpoint)",
        "TooLong(Key)",
        "TooLong(KeyPrefix)",
        "TooLong(ContentType)",
        "TooLong(CacheControl)",
        "TooLong(SuccessActionRedirect)",
        "TooLong(MetaName)",
        "TooLong(MetaValue)",
        "TooLong(VarName)",
        "TooLong(VarValue)",
        "TooLong(CallbackUrl)",
        "TooLong(CallbackHost)",
        "TooLong(CallbackBody)",
        "InvalidCharacter(AccessKeyId)",
        "InvalidCharacter(SecurityToken)",
        "InvalidCharacter(Region)",
        "InvalidCharacter(Bucket)",
        "InvalidCharacter(Endpoint)",
        "InvalidCharacter(Key)",
        "InvalidCharacter(KeyPrefix)",
        "InvalidCharacter(ContentType)",
        "InvalidCharacter(CacheControl)",
        "InvalidCharacter(ContentDisposition)",
        "InvalidCharacter(SuccessActionRedirect)",
        "InvalidCharacter(MetaName)",
        "InvalidCharacter(MetaValue)",
        "InvalidCharacter(VarName)",
        "InvalidCharacter(VarValue)",
        "InvalidCharacter(CallbackUrl)",
        "InvalidCharacter(CallbackHost)",
        "TooMany(ContentType)",
        "TooMany(CacheControl)",
        "TooMany(MetaName)",
        "TooMany(VarName)",
        "Duplicate(MetaName)",
        "Duplicate(VarName)",
        "Unsupported(ContentType)",
        "Unsupported(CacheControl)",
        "Unsupported(ForbidOverwrite)",
        "Unsupported(Callback)",
        "Unsupported(VarName)",
        "OutsideCondition(Key)",
        "OutsideCondition(ContentType)",
        "OutsideCondition(CacheControl)",
        "OutsideCondition(ContentDisposition)",
        "OutsideCondition(SuccessActionRedirect)",
        "OutsideCondition(MetaValue)",
        "InvalidRange",
        "TimeOutOfRange",
        "InvalidLifetime",
    ];
    let missing: Vec<&str> = wanted.into_iter().filter(|w| !seen.contains(*w)).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}
