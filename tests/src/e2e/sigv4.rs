//! Header-signed SigV4 requests (bucket creation and read-back), following the recipe in
//! `e2e-servers.md` §10. Independent of `upticket` and of the embedded store.

use std::io;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::http_client::{self, HttpResponse};

/// An access key for header signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// Access key id.
    pub access_key: String,
    /// Secret.
    pub secret: String,
    /// STS token, sent (and signed) as `x-amz-security-token`.
    pub token: Option<String>,
    /// Region of the credential scope.
    pub region: String,
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `YYYYMMDDTHHMMSSZ` of Unix seconds.
pub fn amz_date(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(0);
    let rem = unix % 86_400;
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Percent-encodes an object key for a path (`/` and `~` kept), as SigV4 canonical URIs want.
pub fn encode_key(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends `method path` to `addr` signed with SigV4 headers (`host;x-amz-content-sha256;x-amz-date`
/// and, with a token, `x-amz-security-token`). `path` must already be percent-encoded.
pub fn signed_request(
    addr: SocketAddr,
    keys: &Keys,
    method: &str,
    path: &str,
    body: &[u8],
) -> io::Result<HttpResponse> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = amz_date(now);
    let day = &date[..8];
    let host = addr.to_string();
    let payload = hex::encode(Sha256::digest(body));
    let mut signed: Vec<(String, String)> = vec![
        ("host".into(), host.clone()),
        ("x-amz-content-sha256".into(), payload.clone()),
        ("x-amz-date".into(), date.clone()),
    ];
    if let Some(token) = &keys.token {
        signed.push(("x-amz-security-token".into(), token.clone()));
    }
    let names: Vec<&str> = signed.iter().map(|(n, _)| n.as_str()).collect();
    let names = names.join(";");
    let canonical_headers: String = signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let canonical = format!("{method}\n{path}\n\n{canonical_headers}\n{names}\n{payload}");
    let scope = format!("{day}/{}/s3/aws4_request", keys.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{}", keys.secret).as_bytes(), day.as_bytes());
    for part in [keys.region.as_str(), "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
    let mut headers: Vec<(String, String)> = signed.into_iter().skip(1).collect();
    headers.push((
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={names}, Signature={signature}",
            keys.access_key
        ),
    ));
    http_client::send(addr, method, &host, path, &headers, body)
}
