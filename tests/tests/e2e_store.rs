//! The embedded store's OSS side, which no local real server speaks: OSS V4 forms, `in` /
//! `not-in`, the callback condition, `x-oss-forbid-overwrite`, the OSS field names, STS on OSS
//! and an injected clock. Tickets come from `upticket`; expectations come from protocol.md.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use upticket::{
    Callback, CallbackBodyType, ContentLengthRange, FieldSpec, Meta, PolicySpec, Scheme,
    SuccessStatus, UrlStyle,
};
use upticket_sim::store::{Clock, Credential, RunningStore, Store, StoreConfig};
use upticket_tests::e2e::http_client::{self, HttpResponse, multipart_body, parse_url};
use upticket_tests::e2e::tempdir::TempDir;
use upticket_tests::e2e::{FilePart, Issue, IssuedTicket, issue, post_form};

const BUCKET: &str = "camera-uploads";
const REGION: &str = "cn-hangzhou";
const DOMAIN: &str = "oss-cn-hangzhou.test";
const AK: &str = "LTAI5tE2eAccessKey";
const SK: &str = "e2e-oss-secret-0123456789";
const TOKEN: &str = "CAIS-e2e-sts-token.0123456789";
/// 2026-12-04T12:00:00Z: the store's clock stands here unless a test moves it.
const T0: u64 = 1_796_385_600;
const JPEG: &str = "image/jpeg";
const CONTENT_TYPES: [&str; 2] = ["image/jpeg", "image/png"];
const NO_CACHE: [&str; 2] = ["no-cache", "no-store"];

struct Oss {
    store: RunningStore,
    _dir: TempDir,
}

impl Oss {
    fn start(token: Option<&str>) -> Self {
        let dir = TempDir::new("oss-store").expect("temp dir");
        let mut credential = Credential::new(AK, SK);
        if let Some(token) = token {
            credential = credential.with_token(token);
        }
        let mut config = StoreConfig::new(dir.path().join("root"), &[BUCKET], vec![credential]);
        config.region = REGION.to_owned();
        config.domain = Some(DOMAIN.to_owned());
        config.clock = Clock::manual(T0 as i64);
        let store = Store::start(config).expect("store starts");
        Self { store, _dir: dir }
    }

    fn endpoint(&self) -> String {
        format!("{DOMAIN}:{}", self.store.addr().port())
    }

    fn post(&self, ticket: &IssuedTicket, data: &[u8]) -> HttpResponse {
        let file = FilePart {
            filename: "frame.jpg",
            content_type: "application/octet-stream",
            data,
        };
        post_form(self.store.addr(), &ticket.url, &ticket.fields, &file).expect("POST")
    }

    fn stored(&self, key: &str) -> Option<Vec<u8>> {
        self.store
            .object(BUCKET, key)
            .expect("read store")
            .map(|o| o.data)
    }
}

/// The knobs of a ticket in this suite.
#[derive(Clone, Copy)]
struct Knobs<'a> {
    scheme: Scheme,
    region: &'a str,
    access_key: &'a str,
    token: Option<&'a str>,
    now: u64,
    lifetime: u64,
}

const V4: Knobs<'static> = Knobs {
    scheme: Scheme::OssV4,
    region: REGION,
    access_key: AK,
    token: None,
    now: T0,
    lifetime: 600,
};

fn base_spec(key: &str) -> PolicySpec<'_> {
    PolicySpec {
        content_length: Some(ContentLengthRange::new(1, 4096).expect("range")),
        content_type: Some(FieldSpec::exact(JPEG)),
        ..PolicySpec::new(FieldSpec::starts_with(key, "cam/0001/"))
    }
}

fn ticket(oss: &Oss, knobs: Knobs<'_>, spec: &PolicySpec<'_>) -> IssuedTicket {
    let endpoint = oss.endpoint();
    issue(
        &Issue {
            scheme: knobs.scheme,
            bucket: BUCKET,
            endpoint: &endpoint,
            region: knobs.region,
            style: UrlStyle::VirtualHosted,
            access_key: knobs.access_key,
            secret: SK,
            token: knobs.token,
            now: knobs.now,
            lifetime: knobs.lifetime,
        },
        spec,
    )
}

fn assert_rejected(
    oss: &Oss,
    ticket: &IssuedTicket,
    data: &[u8],
    status: u16,
    code: &str,
    what: &str,
) {
    let response = oss.post(ticket, data);
    assert_eq!(
        (response.status, response.error_code().as_deref()),
        (status, Some(code)),
        "{what}: {}",
        response.text()
    );
    let sent = ticket.field("key").expect("key");
    assert_eq!(
        oss.stored(sent),
        None,
        "{what}: a rejected upload was stored"
    );
    assert_eq!(
        oss.stored(&ticket.key),
        None,
        "{what}: a rejected upload was stored"
    );
}

fn flip_hex(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    chars[0] = if chars[0] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

#[test]
fn oss_v4_ticket_is_stored_with_its_metadata_and_reads_back() {
    let oss = Oss::start(None);
    let key = "cam/0001/20261204-120000.jpg";
    let meta = [Meta {
        name: "camera",
        value: FieldSpec::exact("0001"),
    }];
    let spec = PolicySpec {
        meta: &meta,
        ..base_spec(key)
    };
    let t = ticket(&oss, V4, &spec);
    assert_eq!(t.url, format!("http://{BUCKET}.{}", oss.endpoint()));
    assert_eq!(t.field("x-oss-signature-version"), Some("OSS4-HMAC-SHA256"));
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 256) as u8).collect();
    let response = oss.post(&t, &data);
    assert_eq!(response.status, 204, "{}", response.text());
    let object = oss
        .store
        .object(BUCKET, key)
        .expect("read")
        .expect("stored");
    assert_eq!(object.data, data);
    assert_eq!(
        object.content_type, JPEG,
        "the Content-Type form field wins over the part's"
    );
    assert_eq!(
        object.metadata,
        vec![("x-oss-meta-camera".to_owned(), "0001".to_owned())]
    );
    // Read back over HTTP too (unauthenticated GET on loopback, virtual-hosted).
    let url = parse_url(&t.url).expect("URL");
    let got = http_client::send(
        oss.store.addr(),
        "GET",
        &url.authority,
        &format!("/{key}"),
        &[],
        b"",
    )
    .expect("GET");
    assert_eq!((got.status, got.body.as_slice()), (200, data.as_slice()));
    assert_eq!(got.header("etag"), response.header("etag"));
}

#[test]
fn oss_v4_forms_that_break_a_rule_are_refused_and_not_stored() {
    let oss = Oss::start(None);
    let ok = |id: &str| -> (String, Vec<u8>) { (format!("cam/0001/{id}.jpg"), vec![0x5a; 100]) };

    let (key, data) = ok("bad-signature");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    let sig = flip_hex(t.field("x-oss-signature").expect("sig"));
    t.set("x-oss-signature", sig);
    assert_rejected(
        &oss,
        &t,
        &data,
        403,
        "SignatureDoesNotMatch",
        "flipped x-oss-signature",
    );

    let (key, _) = ok("widened");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    let widened = t.policy_json.replace(
        "[\"content-length-range\",1,4096]",
        "[\"content-length-range\",1,1048576]",
    );
    assert_ne!(widened, t.policy_json);
    t.set("policy", STANDARD.encode(widened));
    assert_rejected(
        &oss,
        &t,
        &[1; 8000],
        403,
        "SignatureDoesNotMatch",
        "policy widened after signing",
    );

    let (key, data) = ok("prefix");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    t.set("key", "cam/0002/prefix.jpg");
    assert_rejected(
        &oss,
        &t,
        &data,
        403,
        "AccessDenied",
        "key outside starts-with",
    );

    let (key, _) = ok("oversize");
    let t = ticket(&oss, V4, &base_spec(&key));
    assert_rejected(
        &oss,
        &t,
        &[7; 4097],
        400,
        "EntityTooLarge",
        "4097 B with max 4096",
    );

    let (key, _) = ok("empty");
    let t = ticket(&oss, V4, &base_spec(&key));
    assert_rejected(&oss, &t, &[], 400, "EntityTooSmall", "0 B with min 1");

    let (key, data) = ok("date-time");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    let date = t.field("x-oss-date").expect("date").to_owned();
    t.set("x-oss-date", format!("{}T000001Z", &date[..8]));
    assert_rejected(
        &oss,
        &t,
        &data,
        403,
        "AccessDenied",
        "x-oss-date differs from the policy's",
    );

    let (key, data) = ok("date-day");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    t.set("x-oss-date", "20261203T120000Z");
    assert_rejected(
        &oss,
        &t,
        &data,
        400,
        "InvalidArgument",
        "x-oss-date of another day than the scope",
    );

    let (key, data) = ok("region");
    let t = ticket(
        &oss,
        Knobs {
            region: "cn-shanghai",
            ..V4
        },
        &base_spec(&key),
    );
    assert_rejected(
        &oss,
        &t,
        &data,
        400,
        "InvalidArgument",
        "scope region cn-shanghai",
    );

    let (key, data) = ok("unknown-key");
    let t = ticket(
        &oss,
        Knobs {
            access_key: "LTAI5tUnknown",
            ..V4
        },
        &base_spec(&key),
    );
    assert_rejected(
        &oss,
        &t,
        &data,
        403,
        "InvalidAccessKeyId",
        "unknown access key id",
    );

    let (key, data) = ok("no-date");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    t.remove("x-oss-date");
    assert_rejected(
        &oss,
        &t,
        &data,
        400,
        "InvalidArgument",
        "x-oss-date missing",
    );

    let (key, data) = ok("anonymous");
    let mut t = ticket(&oss, V4, &base_spec(&key));
    t.fields.retain(|(n, _)| n == "key" || n == "Content-Type");
    assert_rejected(
        &oss,
        &t,
        &data,
        403,
        "AccessDenied",
        "no policy and no signature",
    );
}

#[test]
fn oss_in_and_not_in_conditions_are_enforced() {
    let oss = Oss::start(None);
    let key = "cam/0001/lists.jpg";
    let spec = PolicySpec {
        content_type: Some(FieldSpec::one_of(JPEG, &CONTENT_TYPES)),
        cache_control: Some(FieldSpec::none_of("max-age=60", &NO_CACHE)),
        ..base_spec(key)
    };
    let t = ticket(&oss, V4, &spec);
    assert!(
        t.policy_json
            .contains(r#"["in","$Content-Type",["image/jpeg","image/png"]]"#),
        "{}",
        t.policy_json
    );

    let mut png = t.clone();
    png.set("Content-Type", "image/png");
    let response = oss.post(&png, b"png bytes");
    assert_eq!(
        response.status,
        204,
        "another listed type is in the list: {}",
        response.text()
    );
    assert_eq!(
        oss.store
            .object(BUCKET, key)
            .expect("read")
            .expect("stored")
            .content_type,
        "image/png"
    );

    let other = "cam/0001/lists-2.jpg";
    let spec = PolicySpec {
        key: FieldSpec::starts_with(other, "cam/0001/"),
        ..spec
    };
    let t = ticket(&oss, V4, &spec);
    let mut html = t.clone();
    html.set("Content-Type", "text/html");
    assert_rejected(
        &oss,
        &html,
        b"x",
        403,
        "AccessDenied",
        "Content-Type not in the list",
    );
    let mut no_cache = t.clone();
    no_cache.set("Cache-Control", "no-cache");
    assert_rejected(
        &oss,
        &no_cache,
        b"x",
        403,
        "AccessDenied",
        "Cache-Control in the not-in list",
    );
    let mut missing = t.clone();
    missing.remove("Cache-Control");
    assert_rejected(
        &oss,
        &missing,
        b"x",
        403,
        "AccessDenied",
        "a field a condition names is missing (OSS)",
    );
}

#[test]
fn oss_accepts_a_field_no_condition_covers() {
    let oss = Oss::start(None);
    let key = "cam/0001/extra.jpg";
    let mut t = ticket(&oss, V4, &base_spec(key));
    t.push("x-oss-meta-uncovered", "1");
    let response = oss.post(&t, b"extra");
    assert_eq!(
        response.status,
        204,
        "OSS accepts fields without a condition: {}",
        response.text()
    );
    assert!(oss.stored(key).is_some());
}

#[test]
fn the_callback_is_bound_by_the_policy_and_never_performed() {
    let oss = Oss::start(None);
    let key = "cam/0001/callback.jpg";
    let spec = PolicySpec {
        callback: Some(Callback {
            url: "http://gateway.lan/uploaded",
            host: None,
            body: "object=${object}&size=${size}",
            body_type: CallbackBodyType::FormUrlEncoded,
        }),
        ..base_spec(key)
    };
    let t = ticket(&oss, V4, &spec);
    let mut redirected = t.clone();
    let evil = STANDARD
        .encode(r#"{"callbackUrl":"http://evil.example/x","callbackBody":"object=${object}"}"#);
    redirected.set("callback", evil);
    assert_rejected(
        &oss,
        &redirected,
        b"x",
        403,
        "AccessDenied",
        "callback changed by the camera",
    );

    let response = oss.post(&t, b"with callback");
    assert_eq!(
        (response.status, response.error_code().as_deref()),
        (203, Some("CallbackFailed")),
        "OSS's answer when the object is stored but the callback fails: {}",
        response.text()
    );
    assert_eq!(
        oss.stored(key).as_deref(),
        Some(b"with callback".as_slice())
    );
}

#[test]
fn forbid_overwrite_keeps_the_first_object() {
    let oss = Oss::start(None);
    let key = "cam/0001/once.jpg";
    let spec = PolicySpec {
        key: FieldSpec::exact(key),
        forbid_overwrite: true,
        ..base_spec(key)
    };
    let t = ticket(&oss, V4, &spec);
    assert_eq!(oss.post(&t, b"first").status, 204);
    let response = oss.post(&t, b"second");
    assert_eq!(
        (response.status, response.error_code().as_deref()),
        (409, Some("FileAlreadyExists"))
    );
    assert_eq!(oss.stored(key).as_deref(), Some(b"first".as_slice()));
}

#[test]
fn expiration_follows_the_injected_clock() {
    let oss = Oss::start(None);
    let key = "cam/0001/clock.jpg";
    let t = ticket(&oss, Knobs { lifetime: 60, ..V4 }, &base_spec(key));
    oss.store.clock().set(T0 as i64 + 60);
    assert_rejected(
        &oss,
        &t,
        b"late",
        403,
        "AccessDenied",
        "at the expiration instant",
    );
    let response = oss.post(&t, b"late");
    assert!(
        response.text().contains("Policy expired"),
        "{}",
        response.text()
    );
    oss.store.clock().set(T0 as i64 + 59);
    assert_eq!(oss.post(&t, b"in time").status, 204);
}

#[test]
fn oss_sts_token_must_be_sent_and_match() {
    let oss = Oss::start(Some(TOKEN));
    let key = "cam/0001/sts.jpg";
    let with_token = Knobs {
        token: Some(TOKEN),
        ..V4
    };
    let t = ticket(&oss, with_token, &base_spec(key));
    assert!(
        t.policy_json
            .contains(&format!(r#"{{"x-oss-security-token":"{TOKEN}"}}"#))
    );
    let mut missing = t.clone();
    missing.remove("x-oss-security-token");
    assert_rejected(
        &oss,
        &missing,
        b"x",
        403,
        "InvalidAccessKeyId",
        "token missing",
    );
    let mut wrong = t.clone();
    wrong.set("x-oss-security-token", "CAIS-another-token");
    assert_rejected(
        &oss,
        &wrong,
        b"x",
        403,
        "InvalidAccessKeyId",
        "another token",
    );
    let mut unbound = ticket(&oss, V4, &base_spec(key));
    unbound.push("x-oss-security-token", TOKEN);
    assert_rejected(
        &oss,
        &unbound,
        b"x",
        403,
        "AccessDenied",
        "token sent but not in the policy (V4)",
    );
    assert_eq!(oss.post(&t, b"sts").status, 204);
}

#[test]
fn oss_v1_with_its_own_field_names_and_status_200() {
    let oss = Oss::start(None);
    let key = "cam/0001/v1.jpg";
    let spec = PolicySpec {
        success_action_status: Some(SuccessStatus::Ok),
        ..base_spec(key)
    };
    let t = ticket(
        &oss,
        Knobs {
            scheme: Scheme::OssV1,
            ..V4
        },
        &spec,
    );
    assert!(t.field("OSSAccessKeyId").is_some() && t.field("Signature").is_some());
    let mut bad = t.clone();
    let sig = t.field("Signature").expect("sig");
    let flipped = match sig.strip_prefix('A') {
        Some(rest) => format!("B{rest}"),
        None => format!("A{}", &sig[1..]),
    };
    bad.set("Signature", flipped);
    assert_rejected(
        &oss,
        &bad,
        b"v1",
        403,
        "SignatureDoesNotMatch",
        "flipped V1 Signature",
    );
    let response = oss.post(&t, b"v1");
    assert_eq!(
        (response.status, response.body.len()),
        (200, 0),
        "{}",
        response.text()
    );
    assert_eq!(oss.stored(key).as_deref(), Some(b"v1".as_slice()));
}

#[test]
fn oss_requires_file_to_be_the_last_part() {
    let oss = Oss::start(None);
    let key = "cam/0001/order.jpg";
    let t = ticket(&oss, V4, &base_spec(key));
    let file = FilePart {
        filename: "a.jpg",
        content_type: JPEG,
        data: b"abc",
    };
    let (mut body, boundary) = multipart_body(&t.fields, &file);
    let closing = format!("--{boundary}--\r\n");
    body.truncate(body.len() - closing.len());
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"submit\"\r\n\r\nUpload\r\n{closing}").as_bytes(),
    );
    let url = parse_url(&t.url).expect("URL");
    let headers = [(
        "Content-Type".to_owned(),
        format!("multipart/form-data; boundary={boundary}"),
    )];
    let response = http_client::send(
        oss.store.addr(),
        "POST",
        &url.authority,
        &url.path,
        &headers,
        &body,
    )
    .expect("POST");
    assert_eq!(
        (response.status, response.error_code().as_deref()),
        (400, Some("MalformedPOSTRequest"))
    );
    assert_eq!(oss.stored(key), None);
}

#[test]
fn form_size_limit_is_s3s_20_kib_not_osss() {
    let oss = Oss::start(None);
    let big = "b".repeat(30 * 1024);
    let key = "cam/0001/big-form.jpg";
    let mut t = ticket(&oss, V4, &base_spec(key));
    t.push("x-oss-meta-big", &big);
    let response = oss.post(&t, b"big form");
    assert_eq!(
        response.status,
        204,
        "OSS takes 30 KiB of fields: {}",
        response.text()
    );

    let key = "cam/0001/big-form-s3.jpg";
    let mut t = ticket(
        &oss,
        Knobs {
            scheme: Scheme::S3V4,
            ..V4
        },
        &base_spec(key),
    );
    t.push("x-amz-meta-big", &big);
    assert_rejected(
        &oss,
        &t,
        b"big form",
        400,
        "MaxPostPreDataLengthExceeded",
        "30 KiB of S3 fields",
    );
}
