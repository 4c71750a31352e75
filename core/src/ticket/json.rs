//! Ticket JSON in upticket's own shape and the official OSS app-server shapes (§4.3).

use super::Ticket;
use crate::wire::{Counter, Sink, SliceWriter, json};
use crate::{Error, Scheme};

/// The JSON shape a ticket is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Shape {
    /// `{"url","key","expires","expiration","fields":[[name,value],...]}` (the gateway API).
    Upticket,
    /// The legacy `aliyun-oss-appserver-*` samples (`oss-v1` tickets only).
    OssAppServerV1,
    /// The current OSS V4 server-signature sample (`oss-v4` tickets only).
    OssAppServerV4,
}

impl Ticket<'_> {
    /// Exact length of [`Ticket::write_json`]'s output.
    pub fn json_len(&self, shape: Shape) -> Result<usize, Error> {
        let mut counter = Counter::new();
        self.emit_json(&mut counter, shape)?;
        Ok(counter.len())
    }

    /// Writes the ticket as JSON in `shape` into `out`; returns the bytes written. On
    /// [`Error::BufferTooSmall`] the start of `out` may have been overwritten, but nothing is
    /// returned as written.
    pub fn write_json<'o>(&self, shape: Shape, out: &'o mut [u8]) -> Result<&'o mut [u8], Error> {
        let mut writer = SliceWriter::new(out);
        self.emit_json(&mut writer, shape)?;
        Ok(writer.into_written())
    }

    /// Writes the ticket as JSON in `shape` into any sink.
    pub fn emit_json<S: Sink + ?Sized>(&self, sink: &mut S, shape: Shape) -> Result<(), Error> {
        match shape {
            Shape::Upticket => self.emit_upticket(sink),
            Shape::OssAppServerV1 | Shape::OssAppServerV4 => self.emit_app_server(sink, shape),
        }
    }

    fn emit_upticket<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Error> {
        sink.put(b"{\"url\":\"")?;
        self.write_url(sink)?;
        sink.put(b"\",\"key\":")?;
        json::string(sink, self.key().as_bytes())?;
        sink.put(b",\"expires\":")?;
        json::number(sink, self.expires.as_secs())?;
        sink.put(b",\"expiration\":\"")?;
        sink.put(&self.expiration)?;
        sink.put(b"\",\"fields\":[")?;
        for (i, field) in self.fields().enumerate() {
            sink.put(if i == 0 { b"[\"" } else { b",[\"" })?;
            sink.put(field.name.prefix.as_bytes())?;
            json::escaped(sink, field.name.name.as_bytes())?;
            sink.put(b"\",")?;
            if field.is_verbatim() {
                sink.put(b"\"")?;
                sink.put(field.value)?;
                sink.put(b"\"")?;
            } else {
                json::string(sink, field.value)?;
            }
            sink.put(b"]")?;
        }
        sink.put(b"]}")
    }

    /// Whether every field is one the app-server clients send: key, policy, auth, token and
    /// callback.
    fn fits_app_server(&self) -> bool {
        let s = self.spec;
        s.content_type.is_none()
            && s.cache_control.is_none()
            && s.content_disposition.is_none()
            && s.success_action_status.is_none()
            && s.success_action_redirect.is_none()
            && s.meta.is_empty()
            && !s.forbid_overwrite
            && s.vars.is_empty()
    }

    fn emit_app_server<S: Sink + ?Sized>(&self, sink: &mut S, shape: Shape) -> Result<(), Error> {
        let scheme_fits = matches!(
            (shape, self.target.scheme),
            (Shape::OssAppServerV1, Scheme::OssV1) | (Shape::OssAppServerV4, Scheme::OssV4)
        );
        // The V1 shape has no key for a security token: dropping it would hand out a ticket
        // that cannot upload.
        let token_fits = shape == Shape::OssAppServerV4 || self.signed.security_token().is_none();
        if !scheme_fits || !token_fits || !self.fits_app_server() {
            return Err(Error::UnsupportedShape);
        }
        let signed = &self.signed;
        let member = |sink: &mut S, first: bool, name: &[u8], value: &[u8]| {
            sink.put(if first { b"{\"" } else { b",\"" })?;
            sink.put(name)?;
            sink.put(b"\":")?;
            json::string(sink, value)
        };
        if shape == Shape::OssAppServerV1 {
            member(sink, true, b"accessid", signed.access_key_id().as_bytes())?;
            sink.put(b",\"host\":\"")?;
            self.write_url(sink)?;
            sink.put(b"\"")?;
            member(sink, false, b"policy", signed.policy_b64())?;
            member(sink, false, b"signature", signed.signature().as_bytes())?;
            sink.put(b",\"expire\":")?;
            json::number(sink, self.expires.as_secs())?;
            member(sink, false, b"dir", self.dir().as_bytes())?;
        } else {
            member(sink, true, b"policy", signed.policy_b64())?;
            if let Some(token) = signed.security_token() {
                member(sink, false, b"security_token", token.as_bytes())?;
            }
            member(sink, false, b"x_oss_signature_version", b"OSS4-HMAC-SHA256")?;
            member(sink, false, b"x_oss_credential", signed.credential())?;
            member(sink, false, b"x_oss_date", signed.date())?;
            member(sink, false, b"signature", signed.signature().as_bytes())?;
            sink.put(b",\"host\":\"")?;
            self.write_url(sink)?;
            sink.put(b"\"")?;
            member(sink, false, b"dir", self.dir().as_bytes())?;
        }
        if self.spec.callback.is_some() {
            member(sink, false, b"callback", self.callback_b64())?;
        }
        sink.put(b"}")
    }
}
