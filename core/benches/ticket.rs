//! Cost of one complete upload ticket per scheme, next to the raw HMAC over the same bytes.
//!
//! A ticket is `Signer::issue` (checks, policy JSON, base64, signature) plus
//! `Ticket::write_json(Shape::Upticket)`. The baseline is the bare HMAC over the exact base64
//! policy that ticket signs: HMAC-SHA1 with the secret (`oss-v1`), HMAC-SHA256 with the
//! already-derived 32-byte signing key (`oss-v4`, `s3-v4`), straight from the `hmac`, `sha1`
//! and `sha2` crates.
//!
//! Criterion measures every case and step; criterion does not print ratios, so after its groups
//! `main` times the ticket/HMAC pairs itself, interleaved round by round in the same process,
//! and prints `ticket / raw HMAC` against the 1.5x target of the issue, next to the "floor"
//! (base64 + raw HMAC, the least any ticket must do), then a per-step breakdown and the buffer
//! sizes. Nothing here asserts on timings: it only reports. Run with a filter that matches no
//! benchmark (`-- none`) to get just the tables.
//!
//! ```text
//! cargo bench -p upticket --bench ticket
//! cargo bench -p upticket --bench ticket -- --warm-up-time 1 --measurement-time 3   # quicker
//! cargo bench -p upticket --bench ticket --features force-soft-sha -- none   # portable SHA
//! ```
//!
//! Desktop CPUs with SHA instructions hash at about 1 ns/byte, so the fixed work of a ticket
//! weighs more there than on the Cortex-M4F, which hashes in software; `force-soft-sha` models
//! the board's ratio on a desktop (the firmware's instruction counts measure it on the target).
// A bench is std code that may stop on a broken setup; the library's panic-free lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;
use std::time::Instant;

use base64::Engine as _;
use criterion::{BatchSize, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use upticket::sign::{SigningKey, V4Params};
use upticket::{
    ContentLengthRange, Credentials, FieldSpec, PolicySpec, Protocol, Scheme, Secret, Shape,
    Signer, SuccessStatus, Target, Ticket, UnixTime, UrlStyle,
};

/// The object key a camera gets for one snapshot.
const KEY: &str = "cam/0001/2026/12/04/154233-a1b2c3d4-front-door.jpg";
/// 2026-12-04T15:42:33Z.
const NOW: u64 = 1_796_398_953;
/// One day later, same time: a different V4 signing key.
const NEXT_DAY: u64 = NOW + 86_400;
/// Ticket lifetime.
const LIFETIME: u64 = 300;
/// Scratch and output buffers, larger than any case needs (sizes are checked at setup).
const BUF: usize = 4096;

/// One benchmarked configuration: scheme, store and credential.
struct Case {
    name: &'static str,
    scheme: Scheme,
    target: Target<'static>,
    access_key_id: &'static str,
    secret: &'static [u8],
    token: Option<&'static str>,
}

impl Case {
    fn credentials(&self) -> Credentials<'static> {
        let secret = Secret::new(self.secret).expect("secret");
        Credentials::new(self.access_key_id, secret, self.token).expect("credentials")
    }

    fn signer(&self) -> Signer<'static> {
        Signer::new(self.target, self.credentials()).expect("target")
    }

    fn v4_params(&self) -> Option<V4Params> {
        match self.scheme {
            Scheme::OssV4 => Some(V4Params::OSS),
            Scheme::S3V4 => Some(V4Params::S3),
            Scheme::OssV1 => None,
        }
    }

    fn is_v4(&self) -> bool {
        self.v4_params().is_some()
    }

    /// The signing key for `NOW`'s day, derived through the crate's public API.
    fn signing_key(&self) -> Option<SigningKey> {
        let params = self.v4_params()?;
        let date = UnixTime::from_secs(NOW).expect("now").date();
        Some(SigningKey::derive(
            &params,
            self.secret,
            &date,
            self.target.region,
        ))
    }

    /// The camera's spec: exact key and Content-Type, a size range, status 200 and, on OSS,
    /// `x-oss-forbid-overwrite`.
    fn spec(&self) -> PolicySpec<'static> {
        PolicySpec {
            content_length: Some(ContentLengthRange::new(1, 20 << 20).expect("range")),
            content_type: Some(FieldSpec::exact("image/jpeg")),
            success_action_status: Some(SuccessStatus::Ok),
            forbid_overwrite: self.scheme.is_oss(),
            ..PolicySpec::new(FieldSpec::exact(KEY))
        }
    }
}

/// A 600-byte STS-like security token (ASCII, no `$`), deterministic.
fn sts_token() -> &'static str {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut token = String::from("CAIS");
    let mut x: u32 = 0x2545_f491;
    while token.len() < 600 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        token.push(char::from(ALPHABET[(x % 64) as usize]));
    }
    Box::leak(token.into_boxed_str())
}

fn cases() -> Vec<Case> {
    let oss = Target {
        scheme: Scheme::OssV4,
        bucket: "cam-uploads",
        endpoint: "oss-cn-hangzhou.aliyuncs.com",
        region: "cn-hangzhou",
        style: UrlStyle::VirtualHosted,
        protocol: Protocol::Https,
    };
    let s3 = Target {
        scheme: Scheme::S3V4,
        bucket: "cam-uploads",
        endpoint: "s3.eu-central-1.amazonaws.com",
        region: "eu-central-1",
        ..oss
    };
    let oss_ak = "LTAI5tQ9bXkVh1mW2sEqYz7P";
    let oss_secret: &[u8] = b"kZ3vQm8WcT1pLx6NhR0sYb4JdE9uFa";
    vec![
        Case {
            name: "oss-v4",
            scheme: Scheme::OssV4,
            target: oss,
            access_key_id: oss_ak,
            secret: oss_secret,
            token: None,
        },
        Case {
            name: "oss-v1",
            scheme: Scheme::OssV1,
            target: Target {
                scheme: Scheme::OssV1,
                ..oss
            },
            access_key_id: oss_ak,
            secret: oss_secret,
            token: None,
        },
        Case {
            name: "s3-v4",
            scheme: Scheme::S3V4,
            target: s3,
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret: b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            token: None,
        },
        Case {
            name: "oss-v4+sts",
            scheme: Scheme::OssV4,
            target: oss,
            access_key_id: "STS.NUgYrLnoC37mZZCNnAbez2KwK",
            secret: oss_secret,
            token: Some(sts_token()),
        },
    ]
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs).expect("time")
}

/// One complete ticket: issue, then the ticket JSON. Returns the JSON length.
fn issue_and_write(
    signer: &mut Signer<'static>,
    spec: &PolicySpec<'_>,
    now: UnixTime,
    scratch: &mut [u8],
    out: &mut [u8],
) -> usize {
    let ticket = signer.issue(spec, now, LIFETIME, scratch).expect("issue");
    ticket.write_json(Shape::Upticket, out).expect("json").len()
}

/// The baseline for V1: HMAC-SHA1(secret, policy base64).
fn raw_hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("hmac key");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The baseline for V4: HMAC-SHA256(kSigning, policy base64).
fn raw_hmac_sha256(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("hmac key");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What one case's ticket looks like, checked once before anything is timed.
struct Issued {
    /// The base64 policy the ticket signs (the baseline's message).
    policy_b64: Vec<u8>,
    policy_json: Vec<u8>,
    scratch_len: usize,
    ticket_json_len: usize,
    fields: usize,
}

/// Issues one ticket and checks that the raw-HMAC baseline reproduces its signature, so the
/// baseline provably runs over the same bytes with the same key.
fn issue_once(case: &Case) -> Issued {
    let mut signer = case.signer();
    let spec = case.spec();
    let scratch_len = signer.scratch_len(&spec).expect("scratch_len");
    assert!(
        scratch_len <= BUF,
        "{}: scratch_len {scratch_len}",
        case.name
    );
    let mut scratch = [0u8; BUF];
    let ticket = signer
        .issue(&spec, at(NOW), LIFETIME, &mut scratch)
        .expect("issue");
    let ticket_json_len = ticket.json_len(Shape::Upticket).expect("json_len");
    assert!(ticket_json_len <= BUF, "{}: json_len", case.name);
    let policy_b64 = ticket.signed().policy_b64().to_vec();
    let signature = ticket.signed().signature().as_bytes();
    match case.signing_key() {
        Some(key) => assert_eq!(
            hex(&raw_hmac_sha256(key.as_bytes(), &policy_b64)).as_bytes(),
            signature,
            "{}: baseline HMAC differs from the ticket's signature",
            case.name
        ),
        None => assert_eq!(
            {
                let mut b64 = [0u8; 28];
                base64::engine::general_purpose::STANDARD
                    .encode_slice(raw_hmac_sha1(case.secret, &policy_b64), &mut b64)
                    .expect("base64");
                b64
            }
            .as_slice(),
            signature,
            "{}: baseline HMAC differs from the ticket's signature",
            case.name
        ),
    }
    Issued {
        policy_json: ticket.policy_json().to_vec(),
        policy_b64,
        scratch_len,
        ticket_json_len,
        fields: ticket.fields().count(),
    }
}

/// Checks that the alternating-day signer gives, on each call, exactly what a fresh signer gives
/// for that day: its key cache holds one (day, region) entry, so every call derives the key.
fn check_cold_alternation(case: &Case) {
    let spec = case.spec();
    let mut alternating = case.signer();
    let (mut scratch, mut out) = ([0u8; BUF], [0u8; BUF]);
    for secs in [NOW, NEXT_DAY, NOW, NEXT_DAY] {
        let n = issue_and_write(&mut alternating, &spec, at(secs), &mut scratch, &mut out);
        let got = out[..n].to_vec();
        let (mut scratch2, mut out2) = ([0u8; BUF], [0u8; BUF]);
        let m = issue_and_write(
            &mut case.signer(),
            &spec,
            at(secs),
            &mut scratch2,
            &mut out2,
        );
        assert_eq!(
            got,
            &out2[..m],
            "{}: alternating-day ticket differs",
            case.name
        );
    }
}

/// A closure that runs one timed operation and returns something to keep the optimizer honest.
type Op<'a> = Box<dyn FnMut() -> usize + 'a>;

/// The warm ticket: one signer whose cached V4 key is for `NOW`'s day.
fn warm_ticket(case: &Case) -> Op<'static> {
    let mut signer = case.signer();
    let spec = case.spec();
    let (mut scratch, mut out) = (vec![0u8; BUF], vec![0u8; BUF]);
    // Warm the key cache.
    issue_and_write(&mut signer, &spec, at(NOW), &mut scratch, &mut out);
    Box::new(move || {
        issue_and_write(
            &mut signer,
            black_box(&spec),
            black_box(at(NOW)),
            &mut scratch,
            &mut out,
        )
    })
}

/// The cold V4 ticket: one signer, alternating between two UTC days, so its one-entry key
/// cache misses and the signing key is derived on every call.
fn cold_ticket(case: &Case) -> Op<'static> {
    let mut signer = case.signer();
    let spec = case.spec();
    let (mut scratch, mut out) = (vec![0u8; BUF], vec![0u8; BUF]);
    let days = [at(NOW), at(NEXT_DAY)];
    let mut i = 0usize;
    Box::new(move || {
        i ^= 1;
        issue_and_write(
            &mut signer,
            black_box(&spec),
            black_box(days[i]),
            &mut scratch,
            &mut out,
        )
    })
}

/// The raw HMAC over the ticket's base64 policy (key setup included, as in the ticket).
fn raw_hmac(case: &Case, policy_b64: &[u8]) -> Op<'static> {
    let msg = policy_b64.to_vec();
    match case.signing_key() {
        Some(key) => {
            let key = *key.as_bytes();
            Box::new(move || raw_hmac_sha256(black_box(&key), black_box(&msg))[0].into())
        }
        None => {
            let secret = case.secret;
            Box::new(move || raw_hmac_sha1(black_box(secret), black_box(&msg))[0].into())
        }
    }
}

/// The least any ticket can cost: base64 of the policy JSON, then the raw HMAC over it.
fn floor_op(case: &Case, issued: &Issued) -> Op<'static> {
    let json = issued.policy_json.clone();
    let mut b64 = vec![0u8; BUF];
    let key = case.signing_key().map(|k| *k.as_bytes());
    let secret = case.secret;
    Box::new(move || {
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(black_box(&json), &mut b64)
            .expect("base64");
        let msg = &b64[..n];
        match &key {
            Some(key) => raw_hmac_sha256(black_box(key), msg)[0].into(),
            None => raw_hmac_sha1(black_box(secret), msg)[0].into(),
        }
    })
}

fn hmac_name(case: &Case) -> &'static str {
    if case.is_v4() {
        "raw HMAC-SHA256(kSigning)"
    } else {
        "raw HMAC-SHA1(secret)"
    }
}

/// The sub-steps of a ticket, each timed alone, against one issued `ticket`.
fn steps<'a>(case: &'a Case, issued: &'a Issued, ticket: &'a Ticket<'a>) -> Vec<(String, Op<'a>)> {
    let mut steps: Vec<(String, Op<'a>)> = Vec::new();
    let spec = case.spec();
    let signer = case.signer();
    steps.push((
        "Signer::scratch_len (check + policy into Counter)".into(),
        Box::new(move || signer.scratch_len(black_box(&spec)).expect("scratch_len")),
    ));
    let mut signer = case.signer();
    let mut scratch = vec![0u8; BUF];
    signer
        .issue(&spec, at(NOW), LIFETIME, &mut scratch)
        .expect("issue");
    steps.push((
        "Signer::issue (warm)".into(),
        Box::new(move || {
            let t = signer
                .issue(black_box(&spec), at(NOW), LIFETIME, &mut scratch)
                .expect("issue");
            t.signed().policy_b64().len()
        }),
    ));
    let credentials = case.credentials();
    let mut b64 = vec![0u8; BUF];
    let json = issued.policy_json.as_slice();
    let label = if case.is_v4() {
        "upticket::sign_policy (base64 + derive + HMAC)"
    } else {
        "upticket::sign_policy (base64 + HMAC)"
    };
    steps.push((
        label.into(),
        Box::new(move || {
            let s = upticket::sign_policy(
                case.scheme,
                &credentials,
                case.target.region,
                at(NOW),
                black_box(json),
                &mut b64,
            )
            .expect("sign_policy");
            s.signature().as_bytes()[0].into()
        }),
    ));
    let mut b64 = vec![0u8; BUF];
    steps.push((
        "base64 of the policy JSON (base64 crate)".into(),
        Box::new(move || {
            base64::engine::general_purpose::STANDARD
                .encode_slice(black_box(json), &mut b64)
                .expect("base64")
        }),
    ));
    steps.push((hmac_name(case).into(), raw_hmac(case, &issued.policy_b64)));
    if let Some(params) = case.v4_params() {
        let date = at(NOW).date();
        steps.push((
            "SigningKey::derive (cold-only cost)".into(),
            Box::new(move || {
                let key =
                    SigningKey::derive(&params, black_box(case.secret), &date, case.target.region);
                key.as_bytes()[0].into()
            }),
        ));
    }
    steps.push((
        "Ticket::json_len (ticket JSON into Counter)".into(),
        Box::new(move || {
            black_box(ticket)
                .json_len(Shape::Upticket)
                .expect("json_len")
        }),
    ));
    let mut out = vec![0u8; BUF];
    steps.push((
        "Ticket::write_json (json_len + SliceWriter)".into(),
        Box::new(move || {
            black_box(ticket)
                .write_json(Shape::Upticket, &mut out)
                .expect("json")
                .len()
        }),
    ));
    steps.push((
        "Ticket::fields walk".into(),
        Box::new(move || black_box(ticket).fields().map(|f| f.value.len()).sum()),
    ));
    steps
}

/// Times `ops` round-robin: each round runs a batch of every op in turn (the order rotates
/// every round), so drift and noise hit all of them alike. Returns per op the median ns per
/// call, and per round the ns per call of every op (for per-round ratios).
fn round_robin(ops: &mut [Op<'_>], batch: u32, rounds: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    for op in ops.iter_mut() {
        for _ in 0..batch {
            black_box(op());
        }
    }
    let n = ops.len();
    let mut per_round = vec![vec![0f64; n]; rounds];
    for (r, row) in per_round.iter_mut().enumerate() {
        for k in 0..n {
            let i = (k + r) % n;
            let op = &mut ops[i];
            let start = Instant::now();
            for _ in 0..batch {
                black_box(op());
            }
            row[i] = start.elapsed().as_nanos() as f64 / f64::from(batch);
        }
    }
    let medians = (0..n)
        .map(|i| median(per_round.iter().map(|row| row[i]).collect()))
        .collect();
    (medians, per_round)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// How long the table measurements run.
#[derive(Clone, Copy)]
struct Effort {
    batch: u32,
    rounds: usize,
}

fn ratio_table(cases: &[Case], issued: &[Issued], effort: Effort) {
    println!();
    println!(
        "Ticket (issue + write_json(Upticket)) vs raw HMAC over the same base64 policy, same run"
    );
    println!(
        "SHA backend: {}",
        if cfg!(feature = "force-soft-sha") {
            "portable software (force-soft-sha), as on a Cortex-M4F"
        } else {
            "the CPU's fastest (SHA instructions where present)"
        }
    );
    println!(
        "(median ns/call of {} interleaved rounds x {} calls; ratio = ticket / raw HMAC;",
        effort.rounds, effort.batch
    );
    println!(" 'per-round' = median of the ratios taken round by round;");
    println!(" 'floor' = base64 of the policy JSON + raw HMAC, the least any ticket must do)");
    println!();
    println!(
        "| {:<19} | {:>10} | {:>12} | {:>7} | {:>9} | {:>6} | {:<10} |",
        "scheme", "ticket ns", "raw hmac ns", "ratio", "per-round", "target", "verdict"
    );
    println!(
        "|{:-<21}|{:->12}|{:->14}|{:->9}|{:->11}|{:->8}|{:-<12}|",
        "", "", "", "", "", "", ""
    );
    for (case, issued) in cases.iter().zip(issued) {
        let mut ops: Vec<Op<'static>> = vec![raw_hmac(case, &issued.policy_b64), warm_ticket(case)];
        ops.push(floor_op(case, issued));
        if case.is_v4() {
            ops.push(cold_ticket(case));
        }
        let (medians, rounds) = round_robin(&mut ops, effort.batch, effort.rounds);
        let hmac = medians[0];
        let row = |label: String, i: usize, target: Option<f64>| {
            let ratio = medians[i] / hmac;
            let per_round = median(rounds.iter().map(|r| r[i] / r[0]).collect());
            let (target, verdict) = match target {
                Some(t) if ratio <= t => (format!("{t:.1}x"), "meets"),
                Some(t) => (format!("{t:.1}x"), "MISSES"),
                None => ("-".to_owned(), "(info)"),
            };
            println!(
                "| {label:<19} | {:>10.0} | {hmac:>12.0} | {ratio:>6.2}x | {per_round:>8.2}x | {target:>6} | {verdict:<10} |",
                medians[i]
            );
        };
        // The 1.5x target applies to V1 and to cached-key V4; the STS variant is an extra.
        let target = case.token.is_none().then_some(1.5);
        if case.is_v4() {
            row(format!("{} warm key", case.name), 1, target);
            row(format!("{} cold key", case.name), 3, None);
        } else {
            row(case.name.to_owned(), 1, target);
        }
        row(format!("{} floor", case.name), 2, None);
    }
}

fn breakdown_table(cases: &[Case], issued: &[Issued], effort: Effort) {
    for (case, issued) in cases.iter().zip(issued).filter(|(c, _)| c.token.is_none()) {
        let spec = case.spec();
        let mut signer = case.signer();
        let mut scratch = [0u8; BUF];
        let ticket = signer
            .issue(&spec, at(NOW), LIFETIME, &mut scratch)
            .expect("issue");
        let (names, mut ops): (Vec<String>, Vec<Op<'_>>) =
            steps(case, issued, &ticket).into_iter().unzip();
        let (medians, _) = round_robin(&mut ops, effort.batch, effort.rounds);
        let hmac = names
            .iter()
            .position(|n| n.starts_with("raw HMAC"))
            .map_or(f64::NAN, |i| medians[i]);
        println!();
        println!(
            "Steps of a {} ticket (median ns/call, interleaved):",
            case.name
        );
        println!("| {:<50} | {:>8} | {:>10} |", "step", "ns", "x raw hmac");
        println!("|{:-<52}|{:->10}|{:->12}|", "", "", "");
        for (name, ns) in names.iter().zip(&medians) {
            println!("| {name:<50} | {ns:>8.0} | {:>9.2}x |", ns / hmac);
        }
    }
}

fn sizes_table(cases: &[Case], issued: &[Issued]) {
    println!();
    println!("Sizes for the camera spec (bytes):");
    println!(
        "| {:<10} | {:>11} | {:>11} | {:>11} | {:>11} | {:>6} |",
        "case", "policy JSON", "base64", "scratch_len", "ticket JSON", "fields"
    );
    println!(
        "|{:-<12}|{:->13}|{:->13}|{:->13}|{:->13}|{:->8}|",
        "", "", "", "", "", ""
    );
    for (case, i) in cases.iter().zip(issued) {
        println!(
            "| {:<10} | {:>11} | {:>11} | {:>11} | {:>11} | {:>6} |",
            case.name,
            i.policy_json.len(),
            i.policy_b64.len(),
            i.scratch_len,
            i.ticket_json_len,
            i.fields
        );
    }
}

fn bench_tickets(c: &mut Criterion, cases: &[Case], issued: &[Issued]) {
    for (case, issued) in cases.iter().zip(issued) {
        let mut group = c.benchmark_group(format!("ticket/{}", case.name));
        group.throughput(Throughput::Bytes(issued.policy_b64.len() as u64));
        let mut warm = warm_ticket(case);
        group.bench_function("issue+json warm", |b| b.iter(&mut warm));
        if case.is_v4() {
            let mut cold = cold_ticket(case);
            group.bench_function("issue+json cold (alternating day)", |b| b.iter(&mut cold));
            let spec = case.spec();
            let (mut scratch, mut out) = ([0u8; BUF], [0u8; BUF]);
            group.bench_function("issue+json cold (fresh signer)", |b| {
                b.iter_batched(
                    || case.signer(),
                    |mut signer| {
                        issue_and_write(&mut signer, &spec, at(NOW), &mut scratch, &mut out);
                        signer
                    },
                    BatchSize::SmallInput,
                );
            });
        }
        let mut hmac = raw_hmac(case, &issued.policy_b64);
        group.bench_function(hmac_name(case), |b| b.iter(&mut hmac));
        group.finish();
    }
}

fn bench_steps(c: &mut Criterion, cases: &[Case], issued: &[Issued]) {
    for (case, issued) in cases.iter().zip(issued).filter(|(c, _)| c.token.is_none()) {
        let spec = case.spec();
        let mut signer = case.signer();
        let mut scratch = [0u8; BUF];
        let ticket = signer
            .issue(&spec, at(NOW), LIFETIME, &mut scratch)
            .expect("issue");
        let mut group = c.benchmark_group(format!("steps/{}", case.name));
        for (name, mut op) in steps(case, issued, &ticket) {
            group.bench_function(name, |b| b.iter(&mut op));
        }
        group.finish();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let cases = cases();
    let issued: Vec<Issued> = cases.iter().map(issue_once).collect();
    for case in cases.iter().filter(|c| c.is_v4()) {
        check_cold_alternation(case);
    }

    let mut c = Criterion::default().configure_from_args();
    bench_tickets(&mut c, &cases, &issued);
    bench_steps(&mut c, &cases, &issued);
    c.final_summary();

    if has("--list") || args.iter().any(|a| a.starts_with("--profile-time")) {
        return;
    }
    // `cargo test --benches` (no `--bench`) or `-- --test`: a quick pass that only smoke-tests.
    let effort = if !has("--bench") || has("--test") {
        Effort {
            batch: 2,
            rounds: 3,
        }
    } else {
        Effort {
            batch: 500,
            rounds: 201,
        }
    };
    sizes_table(&cases, &issued);
    ratio_table(&cases, &issued, effort);
    breakdown_table(&cases, &issued, effort);
}
