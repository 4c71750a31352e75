//! A minimal HTTP/1.1 client over `std::net::TcpStream`: one request per connection, and the
//! browser-style `multipart/form-data` POST a camera sends (fields in order, `file` last).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a request may take.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// A response: status, headers (names lower-case) and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Text of the first `<TAG>…</TAG>` element of an XML body.
    pub fn xml(&self, tag: &str) -> Option<String> {
        let text = self.text();
        let open = format!("<{tag}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&format!("</{tag}>"))?;
        Some(text[start..end].to_owned())
    }

    /// The `<Code>` of an XML error body.
    pub fn error_code(&self) -> Option<String> {
        self.xml("Code")
    }
}

/// The parts of an `http://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host[:port]`, as the `Host` header.
    pub authority: String,
    /// Path, `/` when empty.
    pub path: String,
}

/// Splits `http://authority/path`; `None` for other schemes.
pub fn parse_url(url: &str) -> Option<HttpUrl> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    (!authority.is_empty()).then(|| HttpUrl {
        authority: authority.to_owned(),
        path: path.to_owned(),
    })
}

fn decode_chunked(mut body: &[u8]) -> io::Result<Vec<u8>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "bad chunked body");
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
        let size_text = std::str::from_utf8(&body[..line_end]).map_err(|_| bad())?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad())?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(body.get(..size).ok_or_else(bad)?);
        body = body.get(size + 2..).ok_or_else(bad)?;
    }
}

/// Sends one request to `addr` (`Connection: close`) and reads the whole response.
///
/// `headers` come after `Host`; `Content-Length` is added for a non-empty body or a POST/PUT.
pub fn send(
    addr: SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<HttpResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    // A server may answer early and close (e.g. on an oversize body); still read its answer.
    let sent = stream.write_all(body).and_then(|()| stream.flush());
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    if raw.is_empty() {
        sent?;
        read?;
    }
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head_only: bool) -> io::Result<HttpResponse> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_owned());
    let mut rest = raw;
    // Skip interim 1xx responses.
    loop {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| bad("no response head"))?;
        let head = std::str::from_utf8(&rest[..end]).map_err(|_| bad("head is not UTF-8"))?;
        let body = &rest[end + 4..];
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        if (100..200).contains(&status) {
            rest = body;
            continue;
        }
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut response = HttpResponse {
            status,
            headers,
            body: Vec::new(),
        };
        if head_only {
            return Ok(response);
        }
        response.body = if response
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            decode_chunked(body)?
        } else if let Some(len) = response.header("content-length") {
            let len: usize = len.parse().map_err(|_| bad("bad Content-Length"))?;
            body.get(..len).ok_or_else(|| bad("short body"))?.to_vec()
        } else {
            body.to_vec()
        };
        return Ok(response);
    }
}

/// The `file` part of a form.
#[derive(Clone, Copy, Debug)]
pub struct FilePart<'a> {
    /// `filename` in its `Content-Disposition`.
    pub filename: &'a str,
    /// Its `Content-Type` header.
    pub content_type: &'a str,
    /// The object's bytes.
    pub data: &'a [u8],
}

/// A boundary that does not occur in `data`.
fn boundary_for(data: &[u8]) -> String {
    (0u32..)
        .map(|n| format!("----upticket-e2e-{n:08x}"))
        .find(|b| !data.windows(b.len()).any(|w| w == b.as_bytes()))
        .unwrap_or_default()
}

/// The multipart body: every field in order, then `file`; and its boundary.
pub fn multipart_body(fields: &[(String, String)], file: &FilePart<'_>) -> (Vec<u8>, String) {
    let boundary = boundary_for(file.data);
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
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            file.filename, file.content_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, boundary)
}

/// POSTs a form to `url` over a connection to `addr` (the URL's host is only the `Host`
/// header, so virtual-hosted names need no DNS).
pub fn post_form(
    addr: SocketAddr,
    url: &str,
    fields: &[(String, String)],
    file: &FilePart<'_>,
) -> io::Result<HttpResponse> {
    let url = parse_url(url).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not an http URL: {url}"),
        )
    })?;
    let (body, boundary) = multipart_body(fields, file);
    let headers = [(
        "Content-Type".to_owned(),
        format!("multipart/form-data; boundary={boundary}"),
    )];
    send(addr, "POST", &url.authority, &url.path, &headers, &body)
}
