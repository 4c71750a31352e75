//! End-to-end differential suite: tickets issued by `upticket` are posted by a real HTTP form
//! client to SeaweedFS 4.48, MiniStack 1.5.33 (`AUTH=true`) and the embedded store, and every
//! server must give the outcome the services document, so all three agree.
//!
//! Needs `scripts/e2e/install.sh` (fails with that instruction otherwise). Prints a results
//! table (case × server → status / code / stored) to stdout; run with `--nocapture` to see it.

use std::thread;

use upticket::{ContentLengthRange, FieldSpec, PolicySpec, Scheme, SuccessStatus, UrlStyle};
use upticket_tests::e2e::servers::{ACCESS_KEY, DOMAIN, REGION, SECRET};
use upticket_tests::e2e::{
    Embedded, FilePart, Issue, IssuedTicket, MiniStack, SeaweedFs, Server, Table, issue, post_form,
    read_back, unix_now,
};

const BUCKET: &str = "e2e";
/// A second bucket the same keys may write to, for the bucket-condition case.
const OTHER_BUCKET: &str = "e2e-other";
const PREFIX: &str = "cam/0001/";
const MAX: u64 = 1024;
const TOKEN: &str = "FQoGZXIvYXdzE-e2e.session_token~0123456789abcdef";
const CONTENT_TYPE: &str = "image/jpeg";

/// What the services document for a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Accepted with this status; the object reads back identical.
    Stored(u16),
    /// Refused with this status and error code; nothing stored.
    Rejected(u16, &'static str),
}

/// Which server set a case runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    /// SeaweedFS, MiniStack, embedded (no token).
    Plain,
    /// MiniStack and embedded bound to an STS token (only MiniStack's binding is documented in
    /// e2e-servers.md §6; SeaweedFS is not run with a token).
    Sts,
}

/// A server that is documented to differ on a case (e2e-servers.md §4), and why.
type Gap = (&'static str, &'static str);

struct Case {
    id: &'static str,
    check: &'static str,
    group: Group,
    expect: Expect,
    gap: Option<Gap>,
    build: fn(&dyn Server) -> Attempt,
}

/// What is posted: a (possibly tampered) ticket and the file.
struct Attempt {
    ticket: IssuedTicket,
    file: Vec<u8>,
}

/// Deterministic file bytes that include CR, LF and `-` (so multipart framing is exercised).
fn file_bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed) | 0x9e37_0000;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            match i % 97 {
                0 => b'\r',
                1 => b'\n',
                2 | 3 => b'-',
                _ => x.to_le_bytes()[0],
            }
        })
        .collect()
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}.jpg")
}

fn range() -> Option<ContentLengthRange> {
    Some(ContentLengthRange::new(1, MAX).expect("valid range"))
}

/// Issues a ticket for `server` with the shared spec shape: key starts-with `cam/0001/`,
/// 1..=1024 bytes, Content-Type exactly image/jpeg.
fn ticket_for(server: &dyn Server, id: &str, shape: Shape<'_>) -> IssuedTicket {
    let key = key(id);
    let endpoint = match shape.style {
        UrlStyle::Path => server.endpoint(),
        UrlStyle::VirtualHosted => format!("{DOMAIN}:{}", server.addr().port()),
    };
    let keys = server.keys();
    let token = if shape.with_token {
        keys.token.as_deref()
    } else {
        None
    };
    let spec = PolicySpec {
        content_length: range(),
        content_type: Some(FieldSpec::exact(CONTENT_TYPE)),
        success_action_status: shape.status,
        ..PolicySpec::new(FieldSpec::starts_with(&key, PREFIX))
    };
    issue(
        &Issue {
            scheme: shape.scheme,
            bucket: BUCKET,
            endpoint: &endpoint,
            region: shape.region,
            style: shape.style,
            access_key: shape.access_key,
            secret: SECRET,
            token,
            now: shape.now.unwrap_or_else(unix_now),
            lifetime: shape.lifetime,
        },
        &spec,
    )
}

/// The knobs cases turn.
#[derive(Clone, Copy)]
struct Shape<'a> {
    scheme: Scheme,
    style: UrlStyle,
    region: &'a str,
    access_key: &'a str,
    with_token: bool,
    now: Option<u64>,
    lifetime: u64,
    status: Option<SuccessStatus>,
}

const S3: Shape<'static> = Shape {
    scheme: Scheme::S3V4,
    style: UrlStyle::Path,
    region: REGION,
    access_key: ACCESS_KEY,
    with_token: true,
    now: None,
    lifetime: 300,
    status: None,
};

/// OSS V1 math posted the S3 way: OSS tickets are virtual-hosted, and the key id goes under
/// `AWSAccessKeyId` (no local server knows `OSSAccessKeyId`, e2e-servers.md §2).
const V1: Shape<'static> = Shape {
    scheme: Scheme::OssV1,
    style: UrlStyle::VirtualHosted,
    ..S3
};

fn v1_ticket(server: &dyn Server, id: &str, shape: Shape<'_>) -> IssuedTicket {
    let mut ticket = ticket_for(server, id, shape);
    ticket.rename("OSSAccessKeyId", "AWSAccessKeyId");
    ticket
}

/// Flips one character of a signature (hex or base64) to another of the same alphabet.
fn flip(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    chars[5] = if chars[5] == 'a' { 'b' } else { 'a' };
    chars.into_iter().collect()
}

fn attempt(ticket: IssuedTicket, len: usize) -> Attempt {
    Attempt {
        file: file_bytes(len, ticket.key.len() as u8),
        ticket,
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn cases() -> Vec<Case> {
    use Expect::{Rejected, Stored};
    vec![
        Case {
            id: "s3-accepted",
            check: "SigV4 ticket, 700 B, path-style",
            group: Group::Plain,
            expect: Stored(204),
            gap: None,
            build: |s| attempt(ticket_for(s, "s3-accepted", S3), 700),
        },
        Case {
            id: "s3-vhost",
            check: "SigV4 ticket, virtual-hosted Host: e2e.s3.test",
            group: Group::Plain,
            expect: Stored(204),
            gap: None,
            build: |s| {
                attempt(
                    ticket_for(
                        s,
                        "s3-vhost",
                        Shape {
                            style: UrlStyle::VirtualHosted,
                            ..S3
                        },
                    ),
                    700,
                )
            },
        },
        Case {
            id: "s3-exact-max",
            check: "file of exactly max (1024 B)",
            group: Group::Plain,
            expect: Stored(204),
            gap: None,
            build: |s| attempt(ticket_for(s, "s3-exact-max", S3), 1024),
        },
        Case {
            id: "s3-status-201",
            check: "success_action_status=201 -> PostResponse",
            group: Group::Plain,
            expect: Stored(201),
            gap: None,
            build: |s| {
                attempt(
                    ticket_for(
                        s,
                        "s3-status-201",
                        Shape {
                            status: Some(SuccessStatus::Created),
                            ..S3
                        },
                    ),
                    10,
                )
            },
        },
        Case {
            id: "s3-oversize",
            check: "file of max+1 (1025 B)",
            group: Group::Plain,
            expect: Rejected(400, "EntityTooLarge"),
            gap: None,
            build: |s| attempt(ticket_for(s, "s3-oversize", S3), 1025),
        },
        Case {
            id: "s3-empty-file",
            check: "file of 0 B (min 1)",
            group: Group::Plain,
            expect: Rejected(400, "EntityTooSmall"),
            gap: None,
            build: |s| attempt(ticket_for(s, "s3-empty-file", S3), 0),
        },
        Case {
            id: "s3-other-bucket",
            check: "posted to another bucket than the policy's",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-other-bucket", S3);
                t.url = t
                    .url
                    .replace(&format!("/{BUCKET}"), &format!("/{OTHER_BUCKET}"));
                assert!(t.url.ends_with(OTHER_BUCKET), "{}", t.url);
                attempt(t, 100)
            },
        },
        Case {
            id: "s3-wrong-prefix",
            check: "key outside starts-with cam/0001/",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-wrong-prefix", S3);
                t.set("key", "cam/0002/s3-wrong-prefix.jpg");
                attempt(t, 100)
            },
        },
        Case {
            id: "s3-expired",
            check: "ticket expired 1 h ago",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                attempt(
                    ticket_for(
                        s,
                        "s3-expired",
                        Shape {
                            now: Some(unix_now() - 3660),
                            lifetime: 60,
                            ..S3
                        },
                    ),
                    100,
                )
            },
        },
        Case {
            id: "s3-bad-signature",
            check: "x-amz-signature with one char flipped",
            group: Group::Plain,
            expect: Rejected(403, "SignatureDoesNotMatch"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-bad-signature", S3);
                let sig = flip(t.field("x-amz-signature").expect("signature"));
                t.set("x-amz-signature", sig);
                attempt(t, 100)
            },
        },
        Case {
            id: "s3-widened-policy",
            check: "range widened to 1 MiB, old signature, 2048 B",
            group: Group::Plain,
            expect: Rejected(403, "SignatureDoesNotMatch"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-widened-policy", S3);
                let widened = t.policy_json.replace(
                    "[\"content-length-range\",1,1024]",
                    "[\"content-length-range\",1,1048576]",
                );
                assert_ne!(widened, t.policy_json, "the policy holds the range");
                t.set("policy", b64(widened.as_bytes()));
                attempt(t, 2048)
            },
        },
        Case {
            id: "s3-uncovered-field",
            check: "extra x-amz-meta-uncovered field",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-uncovered-field", S3);
                t.push("x-amz-meta-uncovered", "1");
                attempt(t, 100)
            },
        },
        Case {
            id: "s3-content-type",
            check: "Content-Type changed to text/html",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "s3-content-type", S3);
                t.set("Content-Type", "text/html");
                attempt(t, 100)
            },
        },
        Case {
            id: "s3-unknown-key",
            check: "signed with an unknown access key id",
            group: Group::Plain,
            expect: Rejected(403, "InvalidAccessKeyId"),
            gap: None,
            build: |s| {
                attempt(
                    ticket_for(
                        s,
                        "s3-unknown-key",
                        Shape {
                            access_key: "e2eunknown",
                            ..S3
                        },
                    ),
                    100,
                )
            },
        },
        Case {
            id: "s3-other-region",
            check: "credential scope region eu-west-3",
            group: Group::Plain,
            expect: Rejected(400, "InvalidArgument"),
            gap: Some((
                "SeaweedFS",
                "does not check the scope region (e2e-servers.md §4 row n)",
            )),
            build: |s| {
                attempt(
                    ticket_for(
                        s,
                        "s3-other-region",
                        Shape {
                            region: "eu-west-3",
                            ..S3
                        },
                    ),
                    100,
                )
            },
        },
        Case {
            id: "v1-accepted",
            check: "OSS V1 math under AWSAccessKeyId",
            group: Group::Plain,
            expect: Stored(204),
            gap: None,
            build: |s| attempt(v1_ticket(s, "v1-accepted", V1), 700),
        },
        Case {
            id: "v1-bad-signature",
            check: "OSS V1 Signature with one char flipped",
            group: Group::Plain,
            expect: Rejected(403, "SignatureDoesNotMatch"),
            gap: None,
            build: |s| {
                let mut t = v1_ticket(s, "v1-bad-signature", V1);
                let sig = flip(t.field("Signature").expect("Signature"));
                t.set("Signature", sig);
                attempt(t, 100)
            },
        },
        Case {
            id: "v1-oversize",
            check: "OSS V1, file of max+1",
            group: Group::Plain,
            expect: Rejected(400, "EntityTooLarge"),
            gap: None,
            build: |s| attempt(v1_ticket(s, "v1-oversize", V1), 1025),
        },
        Case {
            id: "v1-expired",
            check: "OSS V1, expired 1 h ago",
            group: Group::Plain,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                attempt(
                    v1_ticket(
                        s,
                        "v1-expired",
                        Shape {
                            now: Some(unix_now() - 3660),
                            lifetime: 60,
                            ..V1
                        },
                    ),
                    100,
                )
            },
        },
        Case {
            id: "sts-accepted",
            check: "STS: token in form and policy",
            group: Group::Sts,
            expect: Stored(204),
            gap: None,
            build: |s| attempt(ticket_for(s, "sts-accepted", S3), 700),
        },
        Case {
            id: "sts-no-token",
            check: "STS: token field removed",
            group: Group::Sts,
            expect: Rejected(400, "InvalidToken"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "sts-no-token", S3);
                t.remove("x-amz-security-token");
                attempt(t, 100)
            },
        },
        Case {
            id: "sts-wrong-token",
            check: "STS: another token in the form",
            group: Group::Sts,
            expect: Rejected(400, "InvalidToken"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(s, "sts-wrong-token", S3);
                t.set("x-amz-security-token", "FQoGZXIvYXdzE-another-token");
                attempt(t, 100)
            },
        },
        Case {
            id: "sts-token-unbound",
            check: "STS: token in form, not in policy",
            group: Group::Sts,
            expect: Rejected(403, "AccessDenied"),
            gap: None,
            build: |s| {
                let mut t = ticket_for(
                    s,
                    "sts-token-unbound",
                    Shape {
                        with_token: false,
                        ..S3
                    },
                );
                t.push("x-amz-security-token", TOKEN);
                attempt(t, 100)
            },
        },
    ]
}

/// What one server did with one case.
struct Outcome {
    status: u16,
    code: Option<String>,
    stored: bool,
    problems: Vec<String>,
}

impl Outcome {
    fn cell(&self) -> String {
        let what = match (&self.code, self.stored) {
            (Some(code), false) => format!("{} {code}", self.status),
            (None, true) => format!("{} stored", self.status),
            (Some(code), true) => format!("{} {code} STORED", self.status),
            (None, false) => format!("{} not stored", self.status),
        };
        if self.problems.is_empty() {
            format!("✔ {what}")
        } else {
            format!("✘ {what}")
        }
    }
}

fn run(case: &Case, server: &dyn Server) -> Outcome {
    let Attempt { ticket, file } = (case.build)(server);
    let part = FilePart {
        filename: "frame.jpg",
        content_type: CONTENT_TYPE,
        data: &file,
    };
    let response = post_form(server.addr(), &ticket.url, &ticket.fields, &part)
        .unwrap_or_else(|e| panic!("{}: POST {} failed: {e}", server.name(), ticket.url));
    let sent_key = ticket.field("key").expect("key field").to_owned();
    let mut problems = Vec::new();
    let mut stored = false;
    let places = [BUCKET, OTHER_BUCKET].map(|b| [(b, &sent_key), (b, &ticket.key)]);
    for (bucket, key) in places.into_iter().flatten() {
        match read_back(server, bucket, key) {
            Ok(Some(object)) => {
                stored = true;
                if object.body != file {
                    problems.push(format!(
                        "read-back of {bucket}/{key} differs ({} B vs {} B)",
                        object.body.len(),
                        file.len()
                    ));
                }
                if object.header("content-type") != Some(CONTENT_TYPE) {
                    problems.push(format!(
                        "stored Content-Type {:?}",
                        object.header("content-type")
                    ));
                }
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("read-back failed: {e}")),
        }
    }
    let code = response.error_code().filter(|_| response.status >= 300);
    match case.expect {
        Expect::Stored(status) => {
            if response.status != status || !stored {
                problems.push(format!(
                    "expected {status} and stored; got {}: {}",
                    response.status,
                    response.text()
                ));
            }
            if status == 201 {
                for (tag, want) in [("Bucket", BUCKET), ("Key", sent_key.as_str())] {
                    if response.xml(tag).as_deref() != Some(want) {
                        problems.push(format!(
                            "PostResponse <{tag}> is {:?}, expected {want}",
                            response.xml(tag)
                        ));
                    }
                }
                if response.xml("ETag").is_none() || response.xml("Location").is_none() {
                    problems.push(format!(
                        "PostResponse lacks ETag or Location: {}",
                        response.text()
                    ));
                }
            }
        }
        Expect::Rejected(status, want) => {
            if response.status != status || code.as_deref() != Some(want) {
                problems.push(format!(
                    "expected {status} {want}; got {}: {}",
                    response.status,
                    response.text()
                ));
            }
            if stored {
                problems.push("a rejected upload was stored".into());
            }
        }
    }
    Outcome {
        status: response.status,
        code,
        stored,
        problems,
    }
}

/// A started server, or the panic that stopped its start, re-raised.
fn joined<T>(result: thread::Result<T>) -> T {
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[test]
fn tickets_from_upticket_are_judged_alike_by_seaweedfs_ministack_and_the_embedded_store() {
    // Start everything at once: the real servers take a second or two each.
    let (seaweed, ministack, ministack_sts) = thread::scope(|scope| {
        let sw = scope.spawn(|| SeaweedFs::start(&[BUCKET, OTHER_BUCKET]));
        let ms = scope.spawn(|| MiniStack::start(&[BUCKET, OTHER_BUCKET], None));
        let ms_sts = scope.spawn(|| MiniStack::start(&[BUCKET, OTHER_BUCKET], Some(TOKEN)));
        (joined(sw.join()), joined(ms.join()), joined(ms_sts.join()))
    });
    let embedded = Embedded::start(&[BUCKET, OTHER_BUCKET], None);
    let embedded_sts = Embedded::start(&[BUCKET, OTHER_BUCKET], Some(TOKEN));

    let mut table = Table::new(&[
        "case",
        "check",
        "expected",
        "SeaweedFS 4.48",
        "MiniStack 1.5.33",
        "embedded",
        "agree",
    ]);
    let mut failures = Vec::new();
    for case in cases() {
        let servers: [Option<&dyn Server>; 3] = match case.group {
            Group::Plain => [Some(&seaweed), Some(&ministack), Some(&embedded)],
            Group::Sts => [None, Some(&ministack_sts), Some(&embedded_sts)],
        };
        let mut cells = Vec::new();
        let mut verdicts = Vec::new();
        for server in servers {
            let Some(server) = server else {
                cells.push("– (not run with a token)".to_owned());
                continue;
            };
            let outcome = run(&case, server);
            let gap = case.gap.filter(|(name, _)| *name == server.name());
            match (gap, outcome.problems.is_empty()) {
                (Some((_, why)), _) => cells.push(format!("{} (known gap: {why})", outcome.cell())),
                (None, true) => {
                    cells.push(outcome.cell());
                    verdicts.push((outcome.status, outcome.code.clone(), outcome.stored));
                }
                (None, false) => {
                    failures.push(format!(
                        "{} on {}: {}",
                        case.id,
                        server.name(),
                        outcome.problems.join("; ")
                    ));
                    cells.push(outcome.cell());
                    verdicts.push((outcome.status, outcome.code.clone(), outcome.stored));
                }
            }
        }
        let agree = verdicts.windows(2).all(|w| w[0] == w[1]);
        if !agree {
            failures.push(format!("{}: servers disagree: {verdicts:?}", case.id));
        }
        let expected = match case.expect {
            Expect::Stored(status) => format!("{status} stored"),
            Expect::Rejected(status, code) => format!("{status} {code}"),
        };
        let mut row = vec![case.id.to_owned(), case.check.to_owned(), expected];
        row.extend(cells);
        row.push(if agree { "yes" } else { "NO" }.to_owned());
        table.row(row);
    }
    println!("\nPostObject results (✔ = as documented; cells are HTTP status and error code)\n");
    println!("{}", table.render());
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}\nSeaweedFS log tail:\n{}\nMiniStack log tail:\n{}",
        failures.len(),
        failures.join("\n"),
        seaweed.log_tail(),
        ministack.log_tail()
    );
}
