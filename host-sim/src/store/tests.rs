//! The whole store over HTTP, driven by the published known-answer forms of protocol.md §13
//! (no upticket involved): each verifies end to end, and one flipped byte is refused.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::{Clock, Credential, RunningStore, Store, StoreConfig};

struct Dir(std::path::PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start(bucket: &str, region: &str, credential: Credential, now: i64) -> (RunningStore, Dir) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "upticket-store-unit-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut config = StoreConfig::new(&dir, &[bucket], vec![credential]);
    config.region = region.to_owned();
    config.clock = Clock::manual(now);
    (Store::start(config).expect("store starts"), Dir(dir))
}

/// Posts `fields` then a `file` part to `/bucket`; returns status line and body.
fn post(store: &RunningStore, bucket: &str, fields: &[(&str, &str)], file: &[u8]) -> (u16, String) {
    let boundary = "kat-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"frame.jpg\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut stream = TcpStream::connect(store.addr()).expect("connect");
    let head = format!(
        "POST /{bucket} HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        store.addr(),
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(&body).expect("write body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response[9..12].parse().expect("status");
    (status, response)
}

fn refs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

fn flip_last(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).expect("ASCII")
}

const S3_V4_1_POLICY: &str = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
const OSS_V4_1_POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAyMy0xMi0wM1QxMzowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZXhhbXBsZWJ1Y2tldCJ9LHsieC1vc3Mtc2lnbmF0dXJlLXZlcnNpb24iOiJPU1M0LUhNQUMtU0hBMjU2In0seyJ4LW9zcy1jcmVkZW50aWFsIjoiNDRDRjk1OTAwMDZCRjI1MkY3MDcvMjAyMzEyMDMvY24taGFuZ3pob3Uvb3NzL2FsaXl1bl92NF9yZXF1ZXN0In0seyJ4LW9zcy1kYXRlIjoiMjAyMzEyMDNUMTIxMjEyWiJ9LFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDEsMTA0ODU3NjBdLFsic3RhcnRzLXdpdGgiLCIka2V5IiwiY2FtLzAwMDEvIl1dfQ==";
const OSS_V1_1_POLICY: &str = "eyJleHBpcmF0aW9uIjoiMjAyMC0wMy0xOVQwMzo0NDowNi40NzZaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZ2VuLXBvc3QtcG9saWN5In0sWyJlcSIsIiRrZXkiLCJ1c2VyXC9lcmljXC9cXCR7ZmlsZW5hbWV9Il0sWyJzdGFydHMtd2l0aCIsIiRrZXkiLCJ1c2VyXC9lcmljIl0sWyJzdGFydHMtd2l0aCIsIiR4LW9zcy1tZXRhLXRhZyIsImR1bW15X2V0YWciXSxbImNvbnRlbnQtbGVuZ3RoLXJhbmdlIiwxLDEwMjRdXX0=";

#[test]
fn aws_sigv4_post_example_is_accepted_and_redirects() {
    // 2015-12-29T12:00:00Z, before the example's expiration 2015-12-30T12:00:00Z.
    let credential = Credential::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let (store, _dir) = start("sigv4examplebucket", "us-east-1", credential, 1_451_390_400);
    let signature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";
    let form = |sig: &str| {
        vec![
            ("key", "user/user1/${filename}".to_owned()),
            ("acl", "public-read".to_owned()),
            (
                "success_action_redirect",
                "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html".to_owned(),
            ),
            ("Content-Type", "image/jpeg".to_owned()),
            ("x-amz-meta-uuid", "14365123651274".to_owned()),
            ("x-amz-server-side-encryption", "AES256".to_owned()),
            (
                "X-Amz-Credential",
                "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request".to_owned(),
            ),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
            ("X-Amz-Date", "20151229T000000Z".to_owned()),
            ("x-amz-meta-tag", String::new()),
            ("Policy", S3_V4_1_POLICY.to_owned()),
            ("X-Amz-Signature", sig.to_owned()),
        ]
    };
    let bad = form(&flip_last(signature));
    let (status, text) = post(&store, "sigv4examplebucket", &refs(&bad), b"jpeg");
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    assert_eq!(
        store
            .object("sigv4examplebucket", "user/user1/frame.jpg")
            .expect("read"),
        None
    );

    let good = form(signature);
    let (status, text) = post(&store, "sigv4examplebucket", &refs(&good), b"jpeg");
    assert_eq!(status, 303, "{text}");
    assert!(
        text.contains("Location: http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html?bucket=sigv4examplebucket&key=user%2Fuser1%2Fframe.jpg&etag="),
        "{text}"
    );
    // S3 expands ${filename} before storing.
    let object = store
        .object("sigv4examplebucket", "user/user1/frame.jpg")
        .expect("read");
    assert_eq!(
        object.map(|o| (o.data, o.content_type)),
        Some((b"jpeg".to_vec(), "image/jpeg".to_owned()))
    );
}

#[test]
fn oss_v4_1_form_is_accepted() {
    // 2023-12-03T12:20:00Z: after x-oss-date 12:12:12, before the expiration 13:00.
    let credential = Credential::new(
        "44CF9590006BF252F707",
        "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV",
    );
    let (store, _dir) = start("examplebucket", "cn-hangzhou", credential, 1_701_606_000);
    let signature = "baef2061988ee44ec5567f9b07d469dcb001bfcb37489698b350b7aa0336d02e";
    let form = |sig: &str| {
        vec![
            ("key", "cam/0001/frame.jpg".to_owned()),
            ("policy", OSS_V4_1_POLICY.to_owned()),
            ("x-oss-signature-version", "OSS4-HMAC-SHA256".to_owned()),
            (
                "x-oss-credential",
                "44CF9590006BF252F707/20231203/cn-hangzhou/oss/aliyun_v4_request".to_owned(),
            ),
            ("x-oss-date", "20231203T121212Z".to_owned()),
            ("x-oss-signature", sig.to_owned()),
        ]
    };
    let bad = form(&flip_last(signature));
    let (status, text) = post(&store, "examplebucket", &refs(&bad), b"x");
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    let good = form(signature);
    let (status, text) = post(&store, "examplebucket", &refs(&good), b"x");
    assert_eq!(status, 204, "{text}");
    assert!(
        text.contains("\r\nAccess-Control-Allow-Origin: *\r\n"),
        "{text}"
    );
    assert!(
        store
            .object("examplebucket", "cam/0001/frame.jpg")
            .expect("read")
            .is_some()
    );
}

#[test]
fn oss_v1_1_form_is_accepted_with_the_policy_checked_before_expansion() {
    // 2020-03-19T03:00:00Z, before the expiration 03:44:06.476.
    let credential = Credential::new("AAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    let (store, _dir) = start("gen-post-policy", "cn-hangzhou", credential, 1_584_586_800);
    // The policy's eq condition is `user/eric/\${filename}` once JSON-decoded; OSS compares it
    // with the unexpanded key, then expands.
    let form = |sig: &'static str| {
        vec![
            ("key", r"user/eric/\${filename}"),
            ("policy", OSS_V1_1_POLICY),
            ("OSSAccessKeyId", "AAAAAAAAAAAAAAAA"),
            ("Signature", sig),
            ("x-oss-meta-tag", "dummy_etag_1"),
        ]
    };
    let (status, text) = post(
        &store,
        "gen-post-policy",
        &form("9fs2TRS2W2k5hV8mLsvqZBnlC2N="),
        b"v1",
    );
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    let (status, text) = post(
        &store,
        "gen-post-policy",
        &form("9fs2TRS2W2k5hV8mLsvqZBnlC2M="),
        b"v1",
    );
    assert_eq!(status, 204, "{text}");
    let object = store
        .object("gen-post-policy", r"user/eric/\frame.jpg")
        .expect("read");
    assert_eq!(object.map(|o| o.data), Some(b"v1".to_vec()));
}
