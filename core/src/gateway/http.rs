//! Just enough HTTP/1.1 for the gateway: frame and parse one request, write one response.
//!
//! Bounded everywhere: at most [`MAX_HEADERS`] headers, a body only by `Content-Length` (no
//! chunked encoding) of at most [`MAX_BODY_LEN`] bytes, a request of at most
//! [`MAX_REQUEST_LEN`]. Every response closes the connection.

use crate::wire::{Counter, Sink, SliceWriter, json};

/// Largest request (head and body) the gateway reads.
pub const MAX_REQUEST_LEN: usize = 4096;
/// Largest request body.
pub const MAX_BODY_LEN: usize = 1024;
/// Most request headers.
pub const MAX_HEADERS: usize = 24;

/// Whether a buffer holds a whole request yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Framing {
    /// More bytes are needed.
    Incomplete,
    /// The first `n` bytes are one whole request: hand them to the gateway.
    Complete(usize),
    /// No more bytes can make this a request the gateway serves: hand the buffer to the
    /// gateway now, which answers with the error.
    Invalid,
}

/// Why a request could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HttpError {
    /// Bad request line, header or framing.
    Malformed,
    /// The head is larger than the buffer, or has too many headers.
    HeadTooLarge,
    /// The body is larger than [`MAX_BODY_LEN`].
    BodyTooLarge,
    /// Not HTTP/1.0 or HTTP/1.1.
    Version,
    /// `Transfer-Encoding` (chunked bodies are not served).
    TransferEncoding,
}

impl HttpError {
    /// A short reason for the JSON error body.
    pub const fn reason(self) -> &'static str {
        match self {
            HttpError::Malformed => "malformed HTTP request",
            HttpError::HeadTooLarge => "request head too large",
            HttpError::BodyTooLarge => "request body too large",
            HttpError::Version => "only HTTP/1.0 and HTTP/1.1 are served",
            HttpError::TransferEncoding => {
                "Transfer-Encoding is not supported; send Content-Length"
            }
        }
    }
}

/// A parsed request, borrowing the buffer.
#[derive(Clone, Debug)]
pub struct Request<'r> {
    /// The method, e.g. `GET`.
    pub method: &'r str,
    /// The target: path and query, e.g. `/v1/tickets?shape=upticket`.
    pub target: &'r str,
    headers: heapless::Vec<(&'r str, &'r [u8]), MAX_HEADERS>,
    /// The body (by `Content-Length`).
    pub body: &'r [u8],
}

impl<'r> Request<'r> {
    /// The path without the query.
    pub fn path(&self) -> &'r str {
        self.target.split_once('?').map_or(self.target, |(p, _)| p)
    }

    /// The value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&'r str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The value of header `name` (case-insensitive); `None` if absent or repeated.
    pub fn header(&self, name: &str) -> Option<&'r [u8]> {
        let mut found = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Some(v),
            _ => None,
        }
    }

    /// The value of header `name` as text.
    pub fn header_str(&self, name: &str) -> Option<&'r str> {
        self.header(name).and_then(|v| core::str::from_utf8(v).ok())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e.saturating_add(1));
    v.get(start..end).unwrap_or_default()
}

/// Says whether `buf` holds a whole request.
pub fn framing(buf: &[u8]) -> Framing {
    match parse(buf) {
        Ok((_, len)) => Framing::Complete(len),
        Err(None) if buf.len() >= MAX_REQUEST_LEN => Framing::Invalid,
        Err(None) => Framing::Incomplete,
        Err(Some(_)) => Framing::Invalid,
    }
}

/// Parses one request. `Err(None)`: incomplete; `Err(Some(e))`: invalid.
pub fn parse(buf: &[u8]) -> Result<(Request<'_>, usize), Option<HttpError>> {
    let head_end = match find(buf, b"\r\n\r\n") {
        Some(at) => at,
        None if buf.len() >= MAX_REQUEST_LEN => return Err(Some(HttpError::HeadTooLarge)),
        None => return Err(None),
    };
    let head = buf.get(..head_end).ok_or(Some(HttpError::Malformed))?;
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().ok_or(Some(HttpError::Malformed))?;
    let request_line =
        core::str::from_utf8(request_line).map_err(|_| Some(HttpError::Malformed))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Some(HttpError::Malformed));
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !target.starts_with('/')
    {
        return Err(Some(HttpError::Malformed));
    }
    if !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Some(HttpError::Malformed));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(Some(HttpError::Version));
    }
    let mut headers = heapless::Vec::new();
    for line in lines {
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(Some(HttpError::Malformed))?;
        let (name, value) = line.split_at(colon);
        let value = trim(value.get(1..).unwrap_or_default());
        let name = core::str::from_utf8(name).map_err(|_| Some(HttpError::Malformed))?;
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !name_ok || value.iter().any(|&b| b < 0x20 && b != b'\t') {
            return Err(Some(HttpError::Malformed));
        }
        headers
            .push((name, value))
            .map_err(|_| Some(HttpError::HeadTooLarge))?;
    }
    let request = Request {
        method,
        target,
        headers,
        body: &[],
    };
    if request
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
    {
        return Err(Some(HttpError::TransferEncoding));
    }
    let lengths = request
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .count();
    let body_len = match (lengths, request.header_str("content-length")) {
        (0, _) => 0,
        (1, Some(v)) if !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()) => {
            v.parse::<usize>().map_err(|_| Some(HttpError::Malformed))?
        }
        _ => return Err(Some(HttpError::Malformed)),
    };
    if body_len > MAX_BODY_LEN {
        return Err(Some(HttpError::BodyTooLarge));
    }
    let body_start = head_end.checked_add(4).ok_or(Some(HttpError::Malformed))?;
    let total = body_start
        .checked_add(body_len)
        .ok_or(Some(HttpError::Malformed))?;
    let body = match buf.get(body_start..total) {
        Some(body) => body,
        None => return Err(None),
    };
    Ok((Request { body, ..request }, total))
}

/// A response status the gateway sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status {
    /// 200
    Ok,
    /// 400
    BadRequest,
    /// 401
    Unauthorized,
    /// 403
    Forbidden,
    /// 404
    NotFound,
    /// 405
    MethodNotAllowed,
    /// 413
    PayloadTooLarge,
    /// 429
    TooManyRequests,
    /// 500
    InternalServerError,
    /// 503
    ServiceUnavailable,
}

impl Status {
    /// The numeric code.
    pub const fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::BadRequest => 400,
            Status::Unauthorized => 401,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::PayloadTooLarge => 413,
            Status::TooManyRequests => 429,
            Status::InternalServerError => 500,
            Status::ServiceUnavailable => 503,
        }
    }

    const fn line(self) -> &'static [u8] {
        match self {
            Status::Ok => b"200 OK",
            Status::BadRequest => b"400 Bad Request",
            Status::Unauthorized => b"401 Unauthorized",
            Status::Forbidden => b"403 Forbidden",
            Status::NotFound => b"404 Not Found",
            Status::MethodNotAllowed => b"405 Method Not Allowed",
            Status::PayloadTooLarge => b"413 Payload Too Large",
            Status::TooManyRequests => b"429 Too Many Requests",
            Status::InternalServerError => b"500 Internal Server Error",
            Status::ServiceUnavailable => b"503 Service Unavailable",
        }
    }

    /// The `error` word of the JSON error body.
    pub const fn error_word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::BadRequest => "malformed",
            Status::Unauthorized => "unauthenticated",
            Status::Forbidden => "forbidden",
            Status::NotFound => "not_found",
            Status::MethodNotAllowed => "method_not_allowed",
            Status::PayloadTooLarge => "too_large",
            Status::TooManyRequests => "too_many_requests",
            Status::InternalServerError => "internal",
            Status::ServiceUnavailable => "clock_untrusted",
        }
    }
}

/// Writes a whole response: status line, headers (with the exact `Content-Length`) and the
/// JSON body that `body` writes. `extra` is one more header line without CRLF, e.g. `Allow: GET`.
pub fn respond<F>(out: &mut [u8], status: Status, extra: Option<&str>, body: F) -> Option<usize>
where
    F: Fn(&mut dyn Sink) -> Result<(), crate::Error>,
{
    let mut counter = Counter::new();
    body(&mut counter).ok()?;
    let mut w = SliceWriter::new(out);
    let head: [&[u8]; 2] = [b"HTTP/1.1 ", status.line()];
    for part in head {
        w.put(part).ok()?;
    }
    w.put(b"\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: ").ok()?;
    json::number(&mut w, counter.len() as u64).ok()?;
    if let Some(extra) = extra {
        w.put(b"\r\n").ok()?;
        w.put(extra.as_bytes()).ok()?;
    }
    w.put(b"\r\n\r\n").ok()?;
    body(&mut w).ok()?;
    Some(w.len())
}

/// Writes a JSON error response `{"error":WORD,"reason":REASON}`.
pub fn error(out: &mut [u8], status: Status, reason: &str, extra: Option<&str>) -> Option<usize> {
    respond(out, status, extra, |s| {
        s.put(b"{\"error\":\"")?;
        s.put(status.error_word().as_bytes())?;
        s.put(b"\",\"reason\":")?;
        json::string(s, reason.as_bytes())?;
        s.put(b"}")
    })
}
