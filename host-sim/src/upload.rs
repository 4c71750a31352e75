//! Posting a file with a ticket: `multipart/form-data`, the ticket's fields in order, `file` last.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};

use crate::camera::{IO_TIMEOUT, Response, fill_random, hex, parse_response};

/// An `http://` URL split into what a request needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host[:port]` for the `Host` header.
    pub host: String,
    /// Path (at least `/`).
    pub path: String,
}

impl HttpUrl {
    /// Parses an `http://` URL; `https://` is refused (the simulator speaks plain HTTP only).
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("{url}: only http:// URLs can be posted to from the simulator")
        })?;
        let (host, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        Ok(HttpUrl {
            host: host.to_string(),
            path: path.to_string(),
        })
    }

    /// The socket address to connect to (`connect_to` overrides the host's own address, as a
    /// LAN's DNS would for a virtual-hosted bucket name).
    pub fn addr(&self, connect_to: Option<SocketAddr>) -> Result<SocketAddr, String> {
        if let Some(addr) = connect_to {
            return Ok(addr);
        }
        let with_port = if self.host.contains(':') {
            self.host.clone()
        } else {
            format!("{}:80", self.host)
        };
        with_port
            .to_socket_addrs()
            .map_err(|e| format!("{}: {e}", self.host))?
            .next()
            .ok_or_else(|| format!("{}: no address", self.host))
    }
}

/// The multipart body: `fields` in order, then the `file` part.
pub fn multipart(
    fields: &[(String, String)],
    file_name: &str,
    content_type: &str,
    data: &[u8],
) -> (String, Vec<u8>) {
    let mut rnd = [0u8; 12];
    fill_random(&mut rnd);
    let boundary = format!("----upticket{}", hex(&rnd));
    let mut body = Vec::with_capacity(data.len() + 4096);
    for (name, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .expect("writing to a Vec");
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .expect("writing to a Vec");
    body.extend_from_slice(data);
    write!(body, "\r\n--{boundary}--\r\n").expect("writing to a Vec");
    (boundary, body)
}

/// Posts `data` to `url` with the ticket's `fields` and reads the store's answer.
pub fn post(
    url: &str,
    connect_to: Option<SocketAddr>,
    fields: &[(String, String)],
    file_name: &str,
    content_type: &str,
    data: &[u8],
) -> Result<Response, String> {
    let url = HttpUrl::parse(url)?;
    let (boundary, body) = multipart(fields, file_name, content_type, data);
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        url.path,
        url.host,
        body.len()
    );
    let addr = url.addr(connect_to)?;
    let mut stream =
        TcpStream::connect_timeout(&addr, IO_TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(IO_TIMEOUT))
        .map_err(|e| e.to_string())?;
    // A store may refuse early and close while the body is still going out; its answer is
    // what matters, so a failed write is only reported if no answer follows.
    let sent = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body));
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut raw = Vec::new();
    let read = std::io::Read::read_to_end(&mut stream, &mut raw);
    if raw.is_empty() {
        return Err(match (sent, read) {
            (Err(e), _) | (_, Err(e)) => format!("{addr}: {e}"),
            _ => format!("{addr}: empty answer"),
        });
    }
    parse_response(&raw).map_err(|e| e.to_string())
}
