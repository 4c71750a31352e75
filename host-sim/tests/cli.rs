//! `upticket-sim` as a user runs it: `sign` reproduces the known-answer vectors from their data
//! files (exact policy bytes in, the published signature out), `ticket` issues from the shipped
//! sample configuration, and secrets are never taken from the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_upticket-sim"))
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn vector(name: &str) -> Value {
    let text = std::fs::read_to_string(repo(&format!("tests/vectors/{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs `sign` with the policy bytes on stdin and the secret in the environment.
fn sign(args: &[&str], secret: &str, policy: &[u8]) -> Output {
    let mut child = bin()
        .arg("sign")
        .args(args)
        .arg("-")
        .env("UPTICKET_ACCESS_KEY_SECRET", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(policy).unwrap();
    child.wait_with_output().unwrap()
}

fn fields(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn policy_bytes(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["policy_b64"].as_str().unwrap())
        .unwrap()
}

#[test]
fn sign_reproduces_oss_v4_1() {
    let v = vector("oss-v4-1");
    let out = sign(
        &[
            "--scheme",
            "oss-v4",
            "--access-key-id",
            v["access_key_id"].as_str().unwrap(),
            "--region",
            "cn-hangzhou",
            "--date",
            v["datetime"].as_str().unwrap(),
        ],
        v["secret"].as_str().unwrap(),
        &policy_bytes(&v),
    );
    let f = fields(&out);
    assert_eq!(f["policy"], v["policy_b64"]);
    assert_eq!(f["x-oss-signature"], v["signature"]);
    assert_eq!(f["x-oss-signature-version"], "OSS4-HMAC-SHA256");
    assert_eq!(f["x-oss-date"], v["datetime"]);
    assert_eq!(
        f.as_object().unwrap().len(),
        5,
        "policy and four auth fields"
    );
}

#[test]
fn sign_reproduces_the_v1_vectors() {
    for name in ["oss-v1-1", "oss-v1-2"] {
        let v = vector(name);
        let out = sign(
            &[
                "--scheme",
                "oss-v1",
                "--access-key-id",
                v["access_key_id"].as_str().unwrap(),
            ],
            v["secret"].as_str().unwrap(),
            &policy_bytes(&v),
        );
        let f = fields(&out);
        assert_eq!(f["Signature"], v["signature"], "{name}");
        assert_eq!(f["OSSAccessKeyId"], v["access_key_id"], "{name}");
    }
}

#[test]
fn sign_reproduces_s3_v4_1_with_its_crlf_policy() {
    let v = vector("s3-v4-1");
    let out = sign(
        &[
            "--scheme",
            "s3-v4",
            "--access-key-id",
            v["access_key_id"].as_str().unwrap(),
            "--region",
            "us-east-1",
            "--date",
            "20151229T000000Z",
            "--security-token",
            "TOKEN-1",
        ],
        v["secret"].as_str().unwrap(),
        &policy_bytes(&v),
    );
    let f = fields(&out);
    assert_eq!(f["policy"], v["policy_b64"]);
    assert_eq!(f["x-amz-signature"], v["signature"]);
    assert_eq!(
        f["x-amz-credential"],
        "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"
    );
    assert_eq!(f["x-amz-security-token"], "TOKEN-1");
}

#[test]
fn sign_refuses_without_a_secret_and_on_a_bad_date() {
    let out = bin()
        .args(["sign", "--scheme", "oss-v4", "--access-key-id", "AK", "-"])
        .env_remove("UPTICKET_ACCESS_KEY_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("UPTICKET_ACCESS_KEY_SECRET"));
    let out = sign(
        &[
            "--scheme",
            "oss-v4",
            "--access-key-id",
            "AK",
            "--date",
            "2023-12-03",
        ],
        "sk",
        b"{}",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYYMMDDTHHMMSSZ"));
}

#[test]
fn ticket_from_the_sample_configuration() {
    let out = bin()
        .args(["ticket", "--config"])
        .arg(repo("config/sample.json"))
        .args([
            "--camera",
            "cam-0001",
            "--name",
            "../front door.jpg",
            "--size",
            "48213",
            "--now",
            "1780000000",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        t["url"],
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com"
    );
    assert_eq!(t["expires"], 1_780_000_300);
    let key = t["key"].as_str().unwrap();
    assert!(
        key.starts_with("cam/0001/2026/05/28/202640-") && key.ends_with("-front_door.jpg"),
        "{key}"
    );
    let fields = t["fields"].as_array().unwrap();
    assert_eq!(fields[0][0], "key");
    assert_eq!(fields[0][1], key);
    let policy = base64::engine::general_purpose::STANDARD
        .decode(fields[1][1].as_str().unwrap())
        .unwrap();
    let policy: Value = serde_json::from_slice(&policy).unwrap();
    assert!(
        policy["conditions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["content-length-range", 48213, 48213]))
    );
    // A camera the configuration does not know, and a content type it does not allow.
    let out = bin()
        .args(["ticket", "--config"])
        .arg(repo("config/sample.json"))
        .args(["--camera", "cam-9"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = bin()
        .args(["ticket", "--config"])
        .arg(repo("config/sample.json"))
        .args([
            "--camera",
            "cam-0002",
            "--content-type",
            "video/mp4",
            "--now",
            "1780000000",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"error\":\"forbidden\""));
}
