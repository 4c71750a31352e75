//! The gateway service against hostile and honest requests: every status of `docs/api.md`.

extern crate std;

use std::format;
use std::string::String;
use std::vec::Vec;

use super::auth::{Signed, hex32};
use super::config::{CameraProblem, Config, ConfigError};
use super::http::{self, Framing, Status};
use super::*;

const CONFIG: &str = r#"{
  "scheme": "oss-v4", "bucket": "examplebucket", "endpoint": "oss-cn-hangzhou.aliyuncs.com",
  "region": "cn-hangzhou", "access_key_id": "44CF9590006BF252F707",
  "access_key_secret": "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV",
  "rate_limit": {"burst": 3, "per_minute": 60},
  "cameras": [
    {"id": "cam-0001", "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "prefix": "cam/0001/", "max_size": 1000, "content_types": ["image/jpeg"]}
  ]
}"#;
const KEY: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31,
];
const NOW: u64 = 1_780_000_000;

fn gateway() -> Gateway<'static> {
    let config = Config::parse(CONFIG.as_bytes()).unwrap();
    Gateway::new(config, UnixTime::from_secs(DEFAULT_TIME_FLOOR).unwrap()).unwrap()
}

fn request(
    camera: &str,
    key: &[u8; 32],
    ts: u64,
    nonce: &str,
    target: &str,
    body: &str,
) -> Vec<u8> {
    let ts_s = format!("{ts}");
    let signed = Signed {
        method: "POST",
        target,
        camera,
        timestamp: &ts_s,
        nonce,
        body: body.as_bytes(),
    };
    let sig = hex32(&signed.mac(key));
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: gw\r\nContent-Length: {}\r\nX-Upticket-Camera: {camera}\r\n\
         X-Upticket-Timestamp: {ts}\r\nX-Upticket-Nonce: {nonce}\r\nX-Upticket-Signature: {}\r\n\r\n{body}",
        body.len(),
        core::str::from_utf8(&sig).unwrap()
    );
    head.into_bytes()
}

const BODY: &str = r#"{"name":"front door.jpg","size":500,"content_type":"image/jpeg"}"#;

fn call(gw: &mut Gateway<'static>, req: &[u8], now: Option<u64>) -> (Outcome, String) {
    let mut out = [0u8; MAX_RESPONSE_LEN];
    let now = now.map(|n| UnixTime::from_secs(n).unwrap());
    let outcome = gw.handle(req, now, &mut out);
    let text = String::from_utf8(out[..outcome.len].to_vec()).unwrap();
    assert!(
        text.starts_with(&format!("HTTP/1.1 {} ", outcome.status.code())),
        "{text}"
    );
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains(&format!("Content-Length: {}\r\n", body.len()))
            || head.ends_with(&format!("Content-Length: {}", body.len())),
        "{head}"
    );
    (outcome, String::from(body))
}

fn nonce(i: u32) -> String {
    format!("nonce-{i:016}")
}

#[test]
fn issues_a_ticket_that_binds_key_size_and_type() {
    let mut gw = gateway();
    let (o, body) = call(
        &mut gw,
        &request("cam-0001", &KEY, NOW, &nonce(1), "/v1/tickets", BODY),
        Some(NOW),
    );
    assert_eq!(o.status, Status::Ok, "{body}");
    assert_eq!(o.camera, Some(0));
    assert!(body.starts_with("{\"url\":\"https://examplebucket.oss-cn-hangzhou.aliyuncs.com\",\"key\":\"cam/0001/2026/05/28/"), "{body}");
    assert!(
        body.contains("-nonce-0000000000-front_door.jpg\""),
        "{body}"
    );
    assert!(body.contains("[\"Content-Type\",\"image/jpeg\"]"), "{body}");
    assert!(
        body.contains("[\"x-oss-forbid-overwrite\",\"true\"]"),
        "{body}"
    );
    assert_eq!(gw.issued(), 1);
}

#[test]
fn refuses_while_the_clock_is_untrusted() {
    let mut gw = gateway();
    let req = request("cam-0001", &KEY, NOW, &nonce(1), "/v1/tickets", BODY);
    assert_eq!(
        call(&mut gw, &req, None).0.status,
        Status::ServiceUnavailable
    );
    let (o, body) = call(&mut gw, &req, Some(DEFAULT_TIME_FLOOR - 1));
    assert_eq!(o.status, Status::ServiceUnavailable);
    assert_eq!(
        body,
        "{\"error\":\"clock_untrusted\",\"reason\":\"clock earlier than the build's time floor\"}"
    );
    let (o, health) = call(&mut gw, b"GET /health HTTP/1.1\r\n\r\n", None);
    assert_eq!(o.status, Status::Ok);
    assert!(health.contains("\"clock\":\"untrusted\""), "{health}");
}

#[test]
fn authentication_failures_are_401() {
    let mut gw = gateway();
    let mut wrong = KEY;
    wrong[0] ^= 1;
    let cases: [(Vec<u8>, &str); 5] = [
        (
            request("cam-0001", &wrong, NOW, &nonce(1), "/v1/tickets", BODY),
            "authentication failed",
        ),
        (
            request("cam-0002", &KEY, NOW, &nonce(2), "/v1/tickets", BODY),
            "authentication failed",
        ),
        (
            request("cam-0001", &KEY, NOW - 301, &nonce(3), "/v1/tickets", BODY),
            "stale timestamp",
        ),
        (
            request("cam-0001", &KEY, NOW + 301, &nonce(4), "/v1/tickets", BODY),
            "stale timestamp",
        ),
        (
            request("cam-0001", &KEY, NOW, "short", "/v1/tickets", BODY),
            "bad nonce",
        ),
    ];
    for (req, reason) in cases {
        let (o, _) = call(&mut gw, &req, Some(NOW));
        assert_eq!((o.status, o.reason), (Status::Unauthorized, reason));
    }
    let no_headers = b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
    assert_eq!(
        call(&mut gw, no_headers, Some(NOW)).0.status,
        Status::Unauthorized
    );
    // A body changed after signing breaks the MAC.
    let mut req = request("cam-0001", &KEY, NOW, &nonce(5), "/v1/tickets", BODY);
    let at = req.len() - 5;
    req[at] = b'9';
    assert_eq!(
        call(&mut gw, &req, Some(NOW)).0.reason,
        "authentication failed"
    );
    assert_eq!(gw.issued(), 0);
}

#[test]
fn a_replayed_request_is_refused() {
    let mut gw = gateway();
    let req = request("cam-0001", &KEY, NOW, &nonce(1), "/v1/tickets", BODY);
    assert_eq!(call(&mut gw, &req, Some(NOW)).0.status, Status::Ok);
    let (o, _) = call(&mut gw, &req, Some(NOW + 10));
    assert_eq!(
        (o.status, o.reason),
        (Status::Unauthorized, "replayed nonce")
    );
}

#[test]
fn the_rate_limit_answers_429_and_recovers() {
    let mut gw = gateway();
    for i in 0..3 {
        let req = request("cam-0001", &KEY, NOW, &nonce(i), "/v1/tickets", BODY);
        assert_eq!(call(&mut gw, &req, Some(NOW)).0.status, Status::Ok);
    }
    let req = request("cam-0001", &KEY, NOW, &nonce(10), "/v1/tickets", BODY);
    assert_eq!(call(&mut gw, &req, Some(NOW)).0.reason, "rate limit");
    let req = request("cam-0001", &KEY, NOW + 2, &nonce(11), "/v1/tickets", BODY);
    assert_eq!(call(&mut gw, &req, Some(NOW + 2)).0.status, Status::Ok);
}

#[test]
fn limits_and_bodies() {
    let mut gw = gateway();
    let mut n = 0;
    let mut ask = |gw: &mut Gateway<'static>, target: &str, body: &str| {
        n += 1;
        call(
            gw,
            &request("cam-0001", &KEY, NOW + n, &nonce(n as u32), target, body),
            Some(NOW + n),
        )
        .0
    };
    let big = r#"{"name":"a.jpg","size":1001,"content_type":"image/jpeg"}"#;
    assert_eq!(
        ask(&mut gw, "/v1/tickets", big).status,
        Status::PayloadTooLarge
    );
    let html = r#"{"name":"a.html","size":10,"content_type":"text/html"}"#;
    assert_eq!(ask(&mut gw, "/v1/tickets", html).status, Status::Forbidden);
    for bad in [
        "not json",
        r#"{"size":10,"content_type":"image/jpeg"}"#,
        r#"{"name":"a","extension":"jpg","size":10,"content_type":"image/jpeg"}"#,
        r#"{"name":"a.jpg","size":0,"content_type":"image/jpeg"}"#,
        r#"{"name":"a.jpg","size":10,"content_type":"image/jpeg","key":"cam/0002/x"}"#,
        r#"{"extension":"j.pg","size":10,"content_type":"image/jpeg"}"#,
    ] {
        assert_eq!(
            ask(&mut gw, "/v1/tickets", bad).status,
            Status::BadRequest,
            "{bad}"
        );
    }
    let ok = r#"{"extension":"JPG","size":10,"content_type":"image/jpeg"}"#;
    assert_eq!(ask(&mut gw, "/v1/tickets", ok).status, Status::Ok);
    assert_eq!(
        ask(&mut gw, "/v1/tickets?shape=nope", ok).status,
        Status::BadRequest
    );
    assert_eq!(
        ask(&mut gw, "/v1/tickets?shape=oss-app-server", ok).status,
        Status::Ok
    );
}

#[test]
fn http_errors() {
    let mut gw = gateway();
    let cases: [(&[u8], Status); 8] = [
        (b"GET /nope HTTP/1.1\r\n\r\n", Status::NotFound),
        (
            b"DELETE /v1/tickets HTTP/1.1\r\n\r\n",
            Status::MethodNotAllowed,
        ),
        (b"POST /health HTTP/1.1\r\n\r\n", Status::MethodNotAllowed),
        (b"GET /health HTTP/2.0\r\n\r\n", Status::BadRequest),
        (b"\x00\xff garbage\r\n\r\n", Status::BadRequest),
        (
            b"POST /v1/tickets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            Status::BadRequest,
        ),
        (
            b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 2000\r\n\r\n",
            Status::PayloadTooLarge,
        ),
        (
            b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
            Status::BadRequest,
        ),
    ];
    for (req, status) in cases {
        assert_eq!(
            call(&mut gw, req, Some(NOW)).0.status,
            status,
            "{:?}",
            String::from_utf8_lossy(req)
        );
    }
    let (_, body) = call(&mut gw, b"DELETE /v1/tickets HTTP/1.1\r\n\r\n", Some(NOW));
    assert_eq!(
        body,
        "{\"error\":\"method_not_allowed\",\"reason\":\"use POST\"}"
    );
}

#[test]
fn framing_tells_complete_from_incomplete() {
    let req = b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
    for cut in 0..req.len() {
        assert_eq!(
            http::framing(&req[..cut]),
            Framing::Incomplete,
            "cut at {cut}"
        );
    }
    assert_eq!(http::framing(req), Framing::Complete(req.len()));
    assert_eq!(http::framing(b"BAD\r\n\r\n"), Framing::Invalid);
    assert_eq!(
        http::framing(&[b'a'; http::MAX_REQUEST_LEN]),
        Framing::Invalid
    );
}

#[test]
fn a_tiny_output_buffer_gets_nothing_and_no_panic() {
    let mut gw = gateway();
    for size in 0..64 {
        let mut out = [0u8; 64];
        let o = gw.handle(b"GET /nope HTTP/1.1\r\n\r\n", None, &mut out[..size]);
        assert_eq!(o.len, 0);
        assert_eq!(o.status, Status::NotFound);
    }
}

#[test]
fn configuration_errors_name_the_problem() {
    let cases: [(&str, ConfigError); 5] = [
        ("{", ConfigError::Syntax),
        (
            &CONFIG.replace("oss-v4", "oss-v9"),
            ConfigError::UnknownName(super::config::Setting::Scheme),
        ),
        (
            &CONFIG.replace("\"prefix\": \"cam/0001/\"", "\"prefix\": \"cam/0001\""),
            ConfigError::Camera {
                index: 0,
                problem: CameraProblem::Prefix,
            },
        ),
        (
            &CONFIG.replace("1c1d1e1f\"", "1c1d1e1g\""),
            ConfigError::Camera {
                index: 0,
                problem: CameraProblem::Key,
            },
        ),
        (
            &CONFIG.replace("\"region\"", "\"regoin\""),
            ConfigError::Syntax,
        ),
    ];
    for (doc, expected) in cases {
        assert_eq!(
            Config::<16>::parse(doc.as_bytes()).err(),
            Some(expected),
            "{doc}"
        );
    }
    let debug = format!("{:?}", Config::<16>::parse(CONFIG.as_bytes()).unwrap());
    assert!(
        !debug.contains("OtxrzxIsfp") && !debug.contains("0001020304"),
        "{debug}"
    );
}
