//! The gateway service, sans-IO: the bytes of one HTTP request and the current time in, the bytes
//! of one response out. The firmware and the host simulator run exactly this code; only the
//! sockets differ.
//!
//! The API is documented in `docs/api.md`, the configuration in `docs/config.md`.
//!
//! ```text
//!  socket bytes ─► http::framing ─► Gateway::handle(request, now) ─► response bytes ─► socket
//!                                      │ route ─ clock ─ auth ─ replay ─ rate ─ body
//!                                      └ naming ─► PolicySpec ─► Signer::issue ─► Ticket JSON
//! ```

pub mod auth;
pub mod config;
pub mod http;
pub mod naming;
pub mod rate;
pub mod replay;
#[cfg(test)]
mod tests;

use serde::Deserialize;

use self::config::{Camera, Config, ConfigError, MAX_CAMERAS};
use self::http::{Request, Status};
use self::naming::FileName;
use self::rate::Bucket;
use self::replay::{Admission, REPLAY_PER_CAMERA, ReplayGuard};
use crate::wire::{Sink, json};
use crate::{
    ContentLengthRange, Error, FieldSpec, PolicySpec, Scheme, Shape, Signer, Ticket, UnixTime,
};

/// Bytes of scratch for one ticket's policy JSON and base64.
pub const SCRATCH_LEN: usize = 8192;
/// A response buffer that holds any response the gateway writes.
pub const MAX_RESPONSE_LEN: usize = 8192;
/// The earliest time the gateway trusts by default: 2026-01-01T00:00:00Z. A clock before its
/// floor has not been set (no RTC battery, no network time yet), and tickets signed with it would
/// be expired or not yet valid.
pub const DEFAULT_TIME_FLOOR: u64 = 1_767_225_600;

/// What a request came to, for logs and statistics. Never holds secrets or request bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Outcome {
    /// Status sent.
    pub status: Status,
    /// Response bytes written (0 only if `out` could not hold even an error).
    pub len: usize,
    /// Why, in a few words (`"ticket issued"`, `"replayed nonce"`, ...).
    pub reason: &'static str,
    /// Index of the authenticated camera in the configuration, if any.
    pub camera: Option<usize>,
}

/// The ticket request body.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketRequest<'r> {
    name: Option<&'r str>,
    extension: Option<&'r str>,
    size: u64,
    content_type: &'r str,
}

/// The gateway: configuration, signer, and per-camera replay guards (`REPLAY` nonces each) and
/// rate limits.
pub struct Gateway<'a, const CAMERAS: usize = MAX_CAMERAS, const REPLAY: usize = REPLAY_PER_CAMERA>
{
    config: Config<'a, CAMERAS>,
    signer: Signer<'a>,
    replay: [ReplayGuard<REPLAY>; CAMERAS],
    buckets: [Bucket; CAMERAS],
    time_floor: UnixTime,
    issued: u64,
    scratch: [u8; SCRATCH_LEN],
}

impl<const CAMERAS: usize, const REPLAY: usize> core::fmt::Debug for Gateway<'_, CAMERAS, REPLAY> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gateway")
            .field("config", &self.config)
            .field("time_floor", &self.time_floor)
            .field("issued", &self.issued)
            .finish_non_exhaustive()
    }
}

/// A request that passed authentication.
struct Authenticated<'r> {
    camera: usize,
    nonce: &'r str,
}

/// An early answer: status and reason.
type Refusal = (Status, &'static str);

impl<'a, const CAMERAS: usize, const REPLAY: usize> Gateway<'a, CAMERAS, REPLAY> {
    /// A gateway for `config`, trusting clocks at or after `time_floor`.
    pub fn new(config: Config<'a, CAMERAS>, time_floor: UnixTime) -> Result<Self, ConfigError> {
        let credentials = config.credentials().map_err(ConfigError::Invalid)?;
        let signer = Signer::new(config.target, credentials).map_err(ConfigError::Invalid)?;
        Ok(Gateway {
            config,
            signer,
            replay: [ReplayGuard::default(); CAMERAS],
            buckets: [Bucket::default(); CAMERAS],
            time_floor,
            issued: 0,
            scratch: [0; SCRATCH_LEN],
        })
    }

    /// The configuration it serves.
    pub fn config(&self) -> &Config<'a, CAMERAS> {
        &self.config
    }

    /// Tickets issued since start.
    pub fn issued(&self) -> u64 {
        self.issued
    }

    /// Answers one request. `now` is the gateway's UTC clock, `None` while it has none.
    /// Writes the whole response (status line, headers, JSON body) into `out`.
    pub fn handle(&mut self, request: &[u8], now: Option<UnixTime>, out: &mut [u8]) -> Outcome {
        let refuse =
            |out: &mut [u8], (status, reason): Refusal, extra: Option<&str>, camera| Outcome {
                status,
                len: http::error(out, status, reason, extra).unwrap_or(0),
                reason,
                camera,
            };
        let req = match http::parse(request) {
            Ok((req, _)) => req,
            Err(e) => {
                let (status, reason) = match e {
                    None => (Status::BadRequest, "incomplete HTTP request"),
                    Some(http::HttpError::BodyTooLarge) => (
                        Status::PayloadTooLarge,
                        http::HttpError::BodyTooLarge.reason(),
                    ),
                    Some(e) => (Status::BadRequest, e.reason()),
                };
                return refuse(out, (status, reason), None, None);
            }
        };
        match (req.path(), req.method) {
            ("/health", "GET") => self.health(now, out),
            ("/health", _) => refuse(
                out,
                (Status::MethodNotAllowed, "use GET"),
                Some("Allow: GET"),
                None,
            ),
            ("/v1/tickets", "POST") => self.ticket(&req, now, out),
            ("/v1/tickets", _) => refuse(
                out,
                (Status::MethodNotAllowed, "use POST"),
                Some("Allow: POST"),
                None,
            ),
            _ => refuse(out, (Status::NotFound, "no such endpoint"), None, None),
        }
    }

    fn trusted(&self, now: Option<UnixTime>) -> Result<UnixTime, Refusal> {
        match now {
            None => Err((Status::ServiceUnavailable, "clock not set")),
            Some(now) if now < self.time_floor => Err((
                Status::ServiceUnavailable,
                "clock earlier than the build's time floor",
            )),
            Some(now) => Ok(now),
        }
    }

    fn health(&self, now: Option<UnixTime>, out: &mut [u8]) -> Outcome {
        let trusted = self.trusted(now).is_ok();
        let config = &self.config;
        let issued = self.issued;
        let len = http::respond(out, Status::Ok, None, |s| {
            s.put(b"{\"status\":\"ok\",\"clock\":")?;
            s.put(if trusted {
                b"\"trusted\""
            } else {
                b"\"untrusted\""
            })?;
            s.put(b",\"scheme\":\"")?;
            s.put(config.target.scheme.name().as_bytes())?;
            s.put(b"\",\"bucket\":")?;
            json::string(s, config.target.bucket.as_bytes())?;
            s.put(b",\"cameras\":")?;
            json::number(s, config.cameras.len() as u64)?;
            s.put(b",\"issued\":")?;
            json::number(s, issued)?;
            s.put(b"}")
        });
        Outcome {
            status: Status::Ok,
            len: len.unwrap_or(0),
            reason: "health",
            camera: None,
        }
    }

    fn authenticate<'r>(
        &mut self,
        req: &Request<'r>,
        now: UnixTime,
    ) -> Result<Authenticated<'r>, Refusal> {
        const FAILED: Refusal = (Status::Unauthorized, "authentication failed");
        let (Some(camera), Some(timestamp), Some(nonce), Some(signature)) = (
            req.header_str(auth::CAMERA_HEADER),
            req.header_str(auth::TIMESTAMP_HEADER),
            req.header_str(auth::NONCE_HEADER),
            req.header(auth::SIGNATURE_HEADER),
        ) else {
            return Err((
                Status::Unauthorized,
                "missing X-Upticket-Camera, -Timestamp, -Nonce or -Signature",
            ));
        };
        let (index, cam) = self.config.camera(camera).ok_or(FAILED)?;
        let ts = (timestamp.len() <= 12
            && !timestamp.is_empty()
            && timestamp.bytes().all(|b| b.is_ascii_digit()))
        .then(|| timestamp.parse::<u64>().ok())
        .flatten()
        .ok_or((Status::Unauthorized, "bad timestamp"))?;
        if ts.abs_diff(now.as_secs()) > auth::MAX_CLOCK_SKEW_SECS {
            return Err((Status::Unauthorized, "stale timestamp"));
        }
        if !auth::nonce_ok(nonce) {
            return Err((Status::Unauthorized, "bad nonce"));
        }
        let signed = auth::Signed {
            method: req.method,
            target: req.target,
            camera,
            timestamp,
            nonce,
            body: req.body,
        };
        let mut key = cam.key();
        let ok = signed.verify(&key, signature);
        zeroize::Zeroize::zeroize(&mut key);
        if !ok {
            return Err(FAILED);
        }
        let guard = self.replay.get_mut(index).ok_or(FAILED)?;
        match guard.admit(nonce, ts) {
            Admission::Fresh => {}
            Admission::Replayed => return Err((Status::Unauthorized, "replayed nonce")),
            Admission::OutOfOrder => {
                return Err((
                    Status::Unauthorized,
                    "timestamp older than this camera's last request",
                ));
            }
            Admission::Full => return Err((Status::TooManyRequests, "too many requests at once")),
        }
        let rate = self.config.rate;
        let bucket = self.buckets.get_mut(index).ok_or(FAILED)?;
        if !bucket.take(rate, now.as_secs()) {
            return Err((Status::TooManyRequests, "rate limit"));
        }
        Ok(Authenticated {
            camera: index,
            nonce,
        })
    }

    fn ticket(&mut self, req: &Request<'_>, now: Option<UnixTime>, out: &mut [u8]) -> Outcome {
        let mut camera = None;
        let result = self.trusted(now).and_then(|now| {
            let who = self.authenticate(req, now)?;
            camera = Some(who.camera);
            self.issue(req, now, &who, out)
        });
        match result {
            Ok(len) => {
                self.issued = self.issued.saturating_add(1);
                Outcome {
                    status: Status::Ok,
                    len,
                    reason: "ticket issued",
                    camera,
                }
            }
            Err((status, reason)) => Outcome {
                status,
                len: http::error(out, status, reason, None).unwrap_or(0),
                reason,
                camera,
            },
        }
    }

    fn issue(
        &mut self,
        req: &Request<'_>,
        now: UnixTime,
        who: &Authenticated<'_>,
        out: &mut [u8],
    ) -> Result<usize, Refusal> {
        let (body, _) =
            serde_json_core::from_slice::<TicketRequest<'_>>(req.body).map_err(|_| {
                (
                    Status::BadRequest,
                    "body must be JSON {\"name\" or \"extension\", \"size\", \"content_type\"}",
                )
            })?;
        let file = match (body.name, body.extension) {
            (Some(name), None) => FileName::Name(name),
            (None, Some(ext)) => FileName::Extension(ext),
            _ => return Err((Status::BadRequest, "give exactly one of name and extension")),
        };
        let cam: &Camera<'a> = self
            .config
            .cameras
            .get(who.camera)
            .ok_or((Status::Unauthorized, "authentication failed"))?;
        if body.size == 0 {
            return Err((Status::BadRequest, "size must be at least 1"));
        }
        if body.size > cam.max_size {
            return Err((Status::PayloadTooLarge, "size above this camera's limit"));
        }
        let content_type = cam
            .content_types
            .iter()
            .find(|t| **t == body.content_type)
            .copied()
            .ok_or((
                Status::Forbidden,
                "content type not allowed for this camera",
            ))?;
        let shape = match req.query("shape") {
            None | Some("upticket") => Shape::Upticket,
            Some("oss-app-server") => match self.config.target.scheme {
                Scheme::OssV4 => Shape::OssAppServerV4,
                Scheme::OssV1 => Shape::OssAppServerV1,
                Scheme::S3V4 => {
                    return Err((
                        Status::BadRequest,
                        "the oss-app-server shape needs an OSS scheme",
                    ));
                }
            },
            Some(_) => {
                return Err((
                    Status::BadRequest,
                    "unknown shape; use upticket or oss-app-server",
                ));
            }
        };
        let key = naming::object_key(cam.prefix, now, who.nonce, file).map_err(|e| match e {
            naming::NameError::Invalid => (Status::BadRequest, "invalid name or extension"),
            naming::NameError::TooLong => (Status::BadRequest, "object key would be too long"),
        })?;
        let folder = naming::folder(cam.prefix, now)
            .map_err(|_| (Status::BadRequest, "object key would be too long"))?;
        let range = ContentLengthRange::new(body.size, body.size)
            .map_err(|_| (Status::PayloadTooLarge, "size above 5 GiB"))?;
        let oss = self.config.target.scheme.is_oss();
        let spec = if shape == Shape::Upticket {
            PolicySpec {
                content_length: Some(range),
                content_type: Some(FieldSpec::exact(content_type)),
                success_action_status: self.config.success_action_status,
                forbid_overwrite: oss,
                callback: self.config.callback,
                ..PolicySpec::new(FieldSpec::exact(&key))
            }
        } else {
            PolicySpec {
                content_length: Some(range),
                callback: self.config.callback,
                ..PolicySpec::new(FieldSpec::starts_with(&key, &folder))
            }
        };
        let lifetime = self.config.lifetime_secs;
        let ticket = self
            .signer
            .issue(&spec, now, lifetime, &mut self.scratch)
            .map_err(internal)?;
        write_ticket(&ticket, shape, out)
    }
}

fn internal(e: Error) -> Refusal {
    match e {
        Error::BufferTooSmall => (
            Status::InternalServerError,
            "ticket larger than the gateway's buffers",
        ),
        _ => (
            Status::InternalServerError,
            "could not issue a ticket for this configuration",
        ),
    }
}

fn write_ticket(ticket: &Ticket<'_>, shape: Shape, out: &mut [u8]) -> Result<usize, Refusal> {
    http::respond(out, Status::Ok, None, |s: &mut dyn Sink| {
        ticket.emit_json(s, shape)
    })
    .ok_or((
        Status::InternalServerError,
        "response larger than the output buffer",
    ))
}
