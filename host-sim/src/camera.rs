//! A simulated camera: authenticates ticket requests as `docs/api.md` §2 describes and uploads
//! files with the ticket it gets.
//!
//! Written from `docs/api.md` with the std crypto crates, not with the core's code, so it
//! checks the documentation as much as the gateway.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How long any simulated network call may take.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A camera's identity: id and 32-byte key.
#[derive(Clone)]
pub struct Camera {
    /// Camera id.
    pub id: String,
    /// MAC key.
    pub key: [u8; 32],
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Camera {
    /// A camera from its id and hex key.
    pub fn from_hex(id: &str, key_hex: &str) -> Result<Self, String> {
        let bytes =
            hex_decode(key_hex).ok_or_else(|| format!("camera {id}: key must be 64 hex digits"))?;
        let key = bytes
            .try_into()
            .map_err(|_| format!("camera {id}: key must be 32 bytes"))?;
        Ok(Camera {
            id: id.to_string(),
            key,
        })
    }

    /// The lower-case hex MAC of one request (`docs/api.md` §2.2).
    pub fn signature(
        &self,
        method: &str,
        target: &str,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
    ) -> String {
        let body_hash = hex(&Sha256::digest(body));
        let string_to_sign = format!(
            "UPT1-HMAC-SHA256\n{method}\n{target}\n{}\n{timestamp}\n{nonce}\n{body_hash}",
            self.id
        );
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(string_to_sign.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The bytes of an authenticated ticket request.
    pub fn ticket_request(
        &self,
        host: &str,
        target: &str,
        body: &[u8],
        timestamp: u64,
        nonce: &str,
    ) -> Vec<u8> {
        let ts = timestamp.to_string();
        let sig = self.signature("POST", target, &ts, nonce, body);
        let mut req = format!(
            "POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             X-Upticket-Camera: {}\r\nX-Upticket-Timestamp: {ts}\r\nX-Upticket-Nonce: {nonce}\r\n\
             X-Upticket-Signature: {sig}\r\nConnection: close\r\n\r\n",
            body.len(),
            self.id
        )
        .into_bytes();
        req.extend_from_slice(body);
        req
    }
}

/// The JSON body of a ticket request.
pub fn ticket_body(name: &str, size: u64, content_type: &str) -> Vec<u8> {
    serde_json::json!({ "name": name, "size": size, "content_type": content_type })
        .to_string()
        .into_bytes()
}

/// A fresh random nonce (32 hex characters).
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    hex(&bytes)
}

/// Fills `buf` from the OS's random source.
pub fn fill_random(buf: &mut [u8]) {
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .expect("/dev/urandom is readable");
}

/// An HTTP response: status, headers (lower-case names) and body.
#[derive(Clone, Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw request bytes and reads the whole response (the server closes the connection).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    stream.write_all(request)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
}

/// Parses a whole HTTP/1.1 response with `Content-Length` or read-to-close framing.
pub fn parse_response(raw: &[u8]) -> std::io::Result<Response> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of head"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
    {
        body.truncate(len);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes hex (either case).
pub fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
