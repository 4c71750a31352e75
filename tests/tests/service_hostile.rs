//! The gateway service under hostile input: whatever bytes arrive, it answers with a well-formed
//! HTTP response carrying a JSON error from `docs/api.md`'s list, keeps serving honest cameras
//! afterwards, and never issues a ticket for a request whose signed parts were changed.

use proptest::prelude::*;
use upticket::UnixTime;
use upticket::gateway::config::Config;
use upticket::gateway::{Gateway, MAX_RESPONSE_LEN};
use upticket_sim::camera::{Camera, parse_response, ticket_body};

const CONFIG: &str = r#"{"scheme":"s3-v4","bucket":"e2e","endpoint":"127.0.0.1:9000","region":"us-east-1",
 "url_style":"path","protocol":"http","access_key_id":"AKID","access_key_secret":"secret",
 "rate_limit":{"burst":1000000,"per_minute":6000000},
 "cameras":[{"id":"cam-0001","key":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "prefix":"cam/0001/","max_size":1000000,"content_types":["image/jpeg"]}]}"#;
const NOW: u64 = 1_790_000_000;

fn gateway() -> Gateway<'static> {
    Gateway::new(
        Config::parse(CONFIG.as_bytes()).unwrap(),
        UnixTime::from_secs(0).unwrap(),
    )
    .unwrap()
}

fn camera() -> Camera {
    Camera::from_hex(
        "cam-0001",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    )
    .unwrap()
}

fn honest(nonce: u64) -> Vec<u8> {
    let body = ticket_body("a.jpg", 100, "image/jpeg");
    camera().ticket_request(
        "gw",
        "/v1/tickets",
        &body,
        NOW,
        &format!("honest-nonce-{nonce:016}"),
    )
}

/// Sends `req` and checks the answer is well-formed; returns the status.
fn answer(gw: &mut Gateway<'static>, req: &[u8]) -> u16 {
    let mut out = vec![0u8; MAX_RESPONSE_LEN];
    let outcome = gw.handle(req, Some(UnixTime::from_secs(NOW).unwrap()), &mut out);
    assert!(outcome.len > 0, "no response at all");
    let resp = parse_response(&out[..outcome.len]).expect("well-formed HTTP");
    assert_eq!(resp.status, outcome.status.code());
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&resp.body).expect("JSON body");
    if resp.status != 200 {
        assert!(
            [400, 401, 403, 404, 405, 413, 429, 500, 503].contains(&resp.status),
            "{}",
            resp.status
        );
        assert!(
            json["error"].is_string() && json["reason"].is_string(),
            "{json}"
        );
    }
    resp.status
}

proptest! {
    #[test]
    fn arbitrary_bytes_get_an_error_and_the_gateway_keeps_serving(bytes in proptest::collection::vec(any::<u8>(), 0..600), n in any::<u64>()) {
        // Random bytes cannot carry a valid camera MAC, so no ticket; only a health check is 200.
        let mut gw = gateway();
        let status = answer(&mut gw, &bytes);
        prop_assert!(status != 200 || bytes.starts_with(b"GET /health "), "{}", status);
        prop_assert_eq!(gw.issued(), 0);
        prop_assert_eq!(answer(&mut gw, &honest(n)), 200);
    }

    #[test]
    fn a_changed_body_or_signature_never_gets_a_ticket(at in any::<prop::sample::Index>(), flip in 1u8..=255, in_signature in any::<bool>(), n in any::<u64>()) {
        let mut gw = gateway();
        let mut req = honest(n);
        let region = if in_signature {
            let text = String::from_utf8_lossy(&req).into_owned();
            let start = text.find("X-Upticket-Signature: ").unwrap() + "X-Upticket-Signature: ".len();
            start..start + 64
        } else {
            let start = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            start..req.len()
        };
        let i = region.start + at.index(region.len());
        req[i] ^= flip;
        prop_assert_ne!(answer(&mut gw, &req), 200);
        prop_assert_eq!(gw.issued(), 0);
        prop_assert_eq!(answer(&mut gw, &honest(n.wrapping_add(1))), 200);
    }
}
