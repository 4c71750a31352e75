//! A small HTTP/1.1 server on `std::net`: one thread per connection (bounded), one request per
//! connection, routes PostObject and object reads to the store.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::config::Shared;
use super::error::{StoreError, xml_escape};
use super::post;

/// Most connections served at once; more get 503 `SlowDown`.
const MAX_CONNECTIONS: usize = 32;
/// Bytes of the request line plus headers.
const MAX_HEAD: usize = 16 * 1024;
/// Header lines.
const MAX_HEADERS: usize = 64;
/// How much of an unread body is drained after an error so that the client sees the answer.
const MAX_DRAIN: u64 = 8 * 1024 * 1024;
/// Idle time after which a connection is dropped.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn error(error: &StoreError, resource: &str, request_id: &str) -> Self {
        Self {
            status: error.status,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: error.to_xml(resource, request_id).into_bytes(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Accepts connections until `stop` is set (and a connection wakes the loop).
pub fn serve(listener: TcpListener, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    let active = Arc::new(AtomicUsize::new(0));
    let ids = Arc::new(AtomicU64::new(1));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let request_id = format!("{:016X}", ids.fetch_add(1, Ordering::Relaxed));
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let busy = StoreError::new(503, "SlowDown", "Please reduce your request rate.");
            let _ = write_response(&stream, &Response::error(&busy, "/", &request_id), false);
            continue;
        }
        let (shared, counter) = (Arc::clone(&shared), Arc::clone(&active));
        let spawned = thread::Builder::new()
            .name("upticket-store-conn".into())
            .spawn(move || {
                let _ = connection(stream, &shared, &request_id);
                counter.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // The closure, and the decrement in it, went with the failed spawn.
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut total = 0usize;
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader
            .by_ref()
            .take((MAX_HEAD - total + 1) as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if total > MAX_HEAD || lines.len() > MAX_HEADERS || !line.ends_with(b"\n") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        let text = String::from_utf8(line)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "request head is not UTF-8"))?;
        let text = text.trim_end_matches(['\r', '\n']).to_owned();
        if text.is_empty() {
            break;
        }
        lines.push(text);
    }
    let mut lines = lines.into_iter();
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "bad request line");
    let request_line = lines.next().ok_or_else(bad)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad());
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(bad)?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let path = target.split('?').next().unwrap_or_default().to_owned();
    Ok(Some(Request {
        method: method.to_owned(),
        path,
        headers,
    }))
}

/// Cross-origin headers on every answer (successes and errors alike), so that a browser page
/// served from another origin (the gateway's upload page) may read what the store said. Real OSS
/// and S3 send these when a bucket CORS rule matches; the simulator allows every origin.
const CORS_HEADERS: &[(&str, &str)] = &[
    ("Access-Control-Allow-Origin", "*"),
    (
        "Access-Control-Expose-Headers",
        "ETag, Location, x-oss-request-id, x-amz-request-id",
    ),
];

/// The answer to a CORS preflight (`OPTIONS`), in case a browser sends one.
fn preflight() -> Response {
    Response {
        status: 204,
        headers: vec![
            (
                "Access-Control-Allow-Methods".into(),
                "POST, GET, HEAD".into(),
            ),
            ("Access-Control-Allow-Headers".into(), "*".into()),
            ("Access-Control-Max-Age".into(), "600".into()),
        ],
        body: Vec::new(),
    }
}

fn write_response(mut stream: &TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nServer: upticket-sim\r\nConnection: close\r\nContent-Length: {}\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in CORS_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

/// Decodes `%XX` escapes of a URL path; `None` for bad escapes or non-UTF-8 results.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Where a request points: bucket (if any), key (may be empty) and the bucket's base URL.
struct Target {
    bucket: Option<String>,
    key: String,
    base: String,
}

fn route(shared: &Shared, request: &Request) -> Option<Target> {
    let host = request.header("host").unwrap_or("127.0.0.1");
    let host_name = host
        .rsplit_once(':')
        .map_or(host, |(h, _)| h)
        .to_ascii_lowercase();
    let path = percent_decode(&request.path)?;
    let path = path.strip_prefix('/')?;
    let virtual_bucket = shared.domain.as_deref().and_then(|domain| {
        host_name
            .strip_suffix(domain)
            .and_then(|b| b.strip_suffix('.'))
            .filter(|b| !b.is_empty())
    });
    Some(match virtual_bucket {
        Some(bucket) => Target {
            bucket: Some(bucket.to_owned()),
            key: path.to_owned(),
            base: format!("http://{host}"),
        },
        None => {
            let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
            Target {
                bucket: (!bucket.is_empty()).then(|| bucket.to_owned()),
                key: key.to_owned(),
                base: format!("http://{host}/{bucket}"),
            }
        }
    })
}

fn get_object(shared: &Shared, bucket: &str, key: &str) -> Result<Response, StoreError> {
    if !shared.objects.has_bucket(bucket) {
        return Err(StoreError::new(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        ));
    }
    let object = shared
        .objects
        .get(bucket, key)
        .map_err(|e| StoreError::new(500, "InternalError", e.to_string()))?
        .ok_or_else(|| StoreError::new(404, "NoSuchKey", "The specified key does not exist."))?;
    let mut headers = vec![
        ("Content-Type".to_owned(), object.content_type),
        ("ETag".to_owned(), object.etag),
    ];
    headers.extend(object.metadata);
    Ok(Response {
        status: 200,
        headers,
        body: object.data,
    })
}

fn list_buckets(shared: &Shared) -> Response {
    let buckets: String = shared
        .objects
        .buckets()
        .iter()
        .map(|b| format!("<Bucket><Name>{}</Name></Bucket>", xml_escape(b)))
        .collect();
    Response {
        status: 200,
        headers: vec![("Content-Type".into(), "application/xml".into())],
        body: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult><Buckets>{buckets}</Buckets></ListAllMyBucketsResult>"
        )
        .into_bytes(),
    }
}

fn connection(stream: TcpStream, shared: &Shared, request_id: &str) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(&stream);
    let request = match read_head(&mut reader) {
        Ok(Some(request)) => request,
        Ok(None) => return Ok(()),
        Err(e) => {
            let error = StoreError::new(400, "BadRequest", e.to_string());
            return write_response(&stream, &Response::error(&error, "/", request_id), false);
        }
    };
    let resource = request.path.clone();
    let head_only = request.method == "HEAD";
    let length = match request.header("content-length").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            let error = StoreError::new(400, "BadRequest", "Content-Length is not a number.");
            return write_response(
                &stream,
                &Response::error(&error, &resource, request_id),
                false,
            );
        }
    };
    if request.header("transfer-encoding").is_some() {
        let error = StoreError::new(
            411,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
        );
        return write_response(
            &stream,
            &Response::error(&error, &resource, request_id),
            false,
        );
    }
    let max_body = shared.limits.max_file_bytes + shared.limits.max_form_bytes as u64 + 64 * 1024;
    let mut body = reader.take(length.min(max_body));
    let result = match (request.method.as_str(), route(shared, &request)) {
        (_, None) => Err(StoreError::invalid_argument(
            "The request path is not a valid URL path.",
        )),
        (_, _) if length > max_body => Err(StoreError::new(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        )),
        (
            "POST",
            Some(Target {
                bucket: Some(bucket),
                key,
                base,
            }),
        ) if key.is_empty() => {
            if request
                .header("expect")
                .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
            {
                (&stream).write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            }
            let content_type = request.header("content-type").unwrap_or_default();
            post::handle(shared, &bucket, content_type, &mut body, &base).map(|accepted| Response {
                status: accepted.status,
                headers: if accepted.body.is_empty() {
                    accepted.headers
                } else {
                    let mut h = accepted.headers;
                    h.push(("Content-Type".into(), "application/xml".into()));
                    h
                },
                body: accepted.body.into_bytes(),
            })
        }
        ("OPTIONS", Some(_)) => Ok(preflight()),
        ("GET" | "HEAD", Some(Target { bucket: None, .. })) => Ok(list_buckets(shared)),
        (
            "GET" | "HEAD",
            Some(Target {
                bucket: Some(bucket),
                key,
                ..
            }),
        ) if !key.is_empty() => get_object(shared, &bucket, &key),
        (
            "GET" | "HEAD",
            Some(Target {
                bucket: Some(bucket),
                ..
            }),
        ) => {
            if shared.objects.has_bucket(&bucket) {
                Ok(Response {
                    status: 200,
                    headers: Vec::new(),
                    body: Vec::new(),
                })
            } else {
                Err(StoreError::new(
                    404,
                    "NoSuchBucket",
                    "The specified bucket does not exist.",
                ))
            }
        }
        _ => Err(StoreError::new(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )),
    };
    // Let the client finish sending before it reads the answer (bounded).
    let _ = io::copy(&mut body.take(MAX_DRAIN), &mut io::sink());
    let mut response = result.unwrap_or_else(|e| Response::error(&e, &resource, request_id));
    response
        .headers
        .push(("x-amz-request-id".into(), request_id.to_owned()));
    response
        .headers
        .push(("x-oss-request-id".into(), request_id.to_owned()));
    write_response(&stream, &response, head_only)
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;

    use crate::store::{Credential, RunningStore, Store, StoreConfig};

    struct Dir(std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn start() -> (RunningStore, Dir) {
        let dir = std::env::temp_dir().join(format!("upticket-store-cors-{}", std::process::id()));
        let mut config = StoreConfig::new(&dir, &["demo"], vec![Credential::new("ak", "sk")]);
        config.domain = Some("localhost".into());
        (Store::start(config).expect("store starts"), Dir(dir))
    }

    /// Sends `head` (+ `body`) and returns the status and the lower-cased header lines.
    fn exchange(store: &RunningStore, head: &str, body: &[u8]) -> (u16, Vec<String>) {
        let mut stream = TcpStream::connect(store.addr()).expect("connect");
        stream.write_all(head.as_bytes()).expect("write head");
        stream.write_all(body).expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw);
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        let status = head[9..12].parse().expect("status");
        let lines = head.lines().skip(1).map(str::to_ascii_lowercase).collect();
        (status, lines)
    }

    fn has(lines: &[String], line: &str) -> bool {
        lines.iter().any(|l| l == line)
    }

    #[test]
    fn every_answer_allows_any_origin_and_a_preflight_is_answered() {
        let (store, _dir) = start();
        let port = store.addr().port();

        // A preflight, virtual-hosted as a browser sends it.
        let (status, lines) = exchange(
            &store,
            &format!(
                "OPTIONS / HTTP/1.1\r\nHost: demo.localhost:{port}\r\nOrigin: http://127.0.0.1:8080\r\n\
                 Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n"
            ),
            b"",
        );
        assert_eq!(status, 204, "{lines:?}");
        assert!(has(&lines, "access-control-allow-origin: *"), "{lines:?}");
        assert!(
            has(&lines, "access-control-allow-methods: post, get, head"),
            "{lines:?}"
        );
        assert!(has(&lines, "access-control-allow-headers: *"), "{lines:?}");

        // A refused POST (no signature fields): an XML error the page must be able to read.
        let boundary = "cors-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk.png\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"k.png\"\r\n\r\nx\r\n\
             --{boundary}--\r\n"
        );
        let (status, lines) = exchange(
            &store,
            &format!(
                "POST / HTTP/1.1\r\nHost: demo.localhost:{port}\r\nOrigin: http://127.0.0.1:8080\r\n\
                 Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            ),
            body.as_bytes(),
        );
        assert!((400..500).contains(&status), "{status} {lines:?}");
        assert!(has(&lines, "access-control-allow-origin: *"), "{lines:?}");

        // A request refused before routing (bad Content-Length) and a plain read.
        let (status, lines) = exchange(
            &store,
            "POST /demo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: many\r\n\r\n",
            b"",
        );
        assert_eq!(status, 400, "{lines:?}");
        assert!(has(&lines, "access-control-allow-origin: *"), "{lines:?}");
        let (status, lines) = exchange(
            &store,
            "GET /demo/missing.png HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"",
        );
        assert_eq!(status, 404, "{lines:?}");
        assert!(has(&lines, "access-control-allow-origin: *"), "{lines:?}");
    }
}
