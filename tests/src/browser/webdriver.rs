//! Just enough of the W3C WebDriver HTTP protocol to drive chromedriver: JSON over HTTP/1.1 on a
//! std [`TcpStream`], one connection per command.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::{Value, json};

/// The key of a web element reference in W3C responses.
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Longest one command may take (a new session starts the browser).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest response accepted (screenshots are the big ones).
const MAX_RESPONSE: usize = 64 << 20;

/// A WebDriver error: the transport's, or the remote end's `error` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// HTTP status (0 when the request never got an answer).
    pub status: u16,
    /// The W3C error code (`no such element`, ...) or `transport`.
    pub error: String,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error, self.message)
    }
}

impl Error {
    fn transport(message: impl Into<String>) -> Self {
        Self {
            status: 0,
            error: "transport".into(),
            message: message.into(),
        }
    }
}

/// Sends one command and returns the response's `value`.
pub fn command(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, Error> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| Error::transport(format!("connect {addr}: {e}")))?;
    stream
        .set_read_timeout(Some(COMMAND_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(COMMAND_TIMEOUT)))
        .map_err(|e| Error::transport(e.to_string()))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| Error::transport(format!("{method} {path}: {e}")))?;
    let (status, raw) = read_response(&mut stream)
        .map_err(|e| Error::transport(format!("{method} {path}: {e}")))?;
    let parsed: Value = serde_json::from_slice(&raw).map_err(|e| {
        Error::transport(format!(
            "{method} {path}: {status} with a body that is not JSON ({e}): {}",
            String::from_utf8_lossy(&raw[..raw.len().min(300)])
        ))
    })?;
    let value = parsed.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    Err(Error {
        status,
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_owned(),
        message: value["message"].as_str().unwrap_or_default().to_owned(),
    })
}

/// Reads an HTTP/1.1 response: status and body (`Content-Length`, chunked, or up to EOF).
fn read_response(stream: &mut TcpStream) -> Result<(u16, Vec<u8>), String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the response head".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 64 * 1024 {
            return Err("response head too large".into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut rest = buf.split_off(head_end + 4);
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "content-length" {
            length = Some(value.parse::<usize>().map_err(|e| e.to_string())?);
        } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    if length.is_some_and(|n| n > MAX_RESPONSE) {
        return Err("response too large".into());
    }
    // Read everything the server sends (it closes: `Connection: close`), bounded.
    let complete = |rest: &[u8]| match length {
        Some(n) if !chunked => rest.len() >= n,
        _ => false,
    };
    while !complete(&rest) {
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        rest.extend_from_slice(&chunk[..n]);
        if rest.len() > MAX_RESPONSE {
            return Err("response too large".into());
        }
    }
    if chunked {
        return Ok((status, dechunk(&rest)?));
    }
    if let Some(n) = length {
        if rest.len() < n {
            return Err(format!("body cut short: {} of {n} bytes", rest.len()));
        }
        rest.truncate(n);
    }
    Ok((status, rest))
}

/// Decodes a chunked body.
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunk size line cut short")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|e| e.to_string())?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err("chunk cut short".into());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// One WebDriver session; deleted (closing its browser) on drop.
#[derive(Debug)]
pub struct Session {
    addr: SocketAddr,
    id: String,
}

impl Session {
    /// `POST /session` with `capabilities` (the `alwaysMatch` object).
    pub fn new(addr: SocketAddr, capabilities: Value) -> Result<Self, Error> {
        let value = command(
            addr,
            "POST",
            "/session",
            Some(&json!({ "capabilities": { "alwaysMatch": capabilities } })),
        )?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| Error::transport(format!("no sessionId in {value}")))?
            .to_owned();
        Ok(Self { addr, id })
    }

    /// The session id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Error> {
        command(
            self.addr,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )
    }

    /// Navigate To.
    pub fn navigate(&self, url: &str) -> Result<(), Error> {
        self.call("POST", "/url", Some(&json!({ "url": url })))
            .map(drop)
    }

    /// The current page's title.
    pub fn title(&self) -> Result<String, Error> {
        Ok(self
            .call("GET", "/title", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Find Element by CSS selector: the element's reference.
    pub fn find(&self, css: &str) -> Result<String, Error> {
        let value = self.call(
            "POST",
            "/element",
            Some(&json!({ "using": "css selector", "value": css })),
        )?;
        value[ELEMENT_KEY]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::transport(format!("no element reference in {value}")))
    }

    /// Polls [`Session::find`] until the element exists or `timeout` passes.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<String, Error> {
        let start = std::time::Instant::now();
        loop {
            match self.find(css) {
                Err(e) if e.error == "no such element" && start.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) if e.error == "no such element" => {
                    return Err(Error {
                        message: format!("{css} did not appear within {timeout:?}"),
                        ..e
                    });
                }
                other => return other,
            }
        }
    }

    /// Element Send Keys (for `<input type=file>`: the file's absolute path).
    pub fn send_keys(&self, element: &str, text: &str) -> Result<(), Error> {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(&json!({ "text": text })),
        )
        .map(drop)
    }

    /// Element Click.
    pub fn click(&self, element: &str) -> Result<(), Error> {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(&json!({})),
        )
        .map(drop)
    }

    /// Get Element Text (rendered text).
    pub fn text(&self, element: &str) -> Result<String, Error> {
        Ok(self
            .call("GET", &format!("/element/{element}/text"), None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Execute Script (synchronous): `script` is a function body; returns its value.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value, Error> {
        self.call(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Take Screenshot: the PNG bytes.
    pub fn screenshot(&self) -> Result<Vec<u8>, Error> {
        use base64::Engine as _;
        let value = self.call("GET", "/screenshot", None)?;
        let text = value
            .as_str()
            .ok_or_else(|| Error::transport("screenshot is not a string"))?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| Error::transport(format!("screenshot is not base64: {e}")))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = command(self.addr, "DELETE", &format!("/session/{}", self.id), None);
    }
}

#[cfg(test)]
mod tests {
    use super::dechunk;

    #[test]
    fn chunked_bodies_decode() {
        assert_eq!(
            dechunk(b"4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n").as_deref(),
            Ok(&b"{\"a\":1}"[..])
        );
        assert!(dechunk(b"9\r\nshort\r\n").is_err());
    }
}
