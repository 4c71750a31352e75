//! The OSS upload callback, written as the JSON that the `callback` field carries in base64.

use crate::validate::{self, Limit};
use crate::wire::{Sink, json};
use crate::{Error, Field};

/// How OSS encodes `callbackBody` when it calls back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallbackBodyType {
    /// `application/x-www-form-urlencoded` (OSS's default).
    FormUrlEncoded,
    /// `application/json`.
    Json,
}

impl CallbackBodyType {
    /// The MIME type written as `callbackBodyType`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CallbackBodyType::FormUrlEncoded => "application/x-www-form-urlencoded",
            CallbackBodyType::Json => "application/json",
        }
    }
}

/// The OSS upload callback (`docs/policy.md` §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Callback<'a> {
    /// `callbackUrl`: where OSS posts after the upload.
    pub url: &'a str,
    /// `callbackHost`: the `Host` header of that post, when not the URL's.
    pub host: Option<&'a str>,
    /// `callbackBody`: the template, e.g. `object=${object}&size=${size}`.
    pub body: &'a str,
    /// `callbackBodyType`.
    pub body_type: CallbackBodyType,
}

impl Callback<'_> {
    /// Checks URL, host and body (`$` is allowed in the body only).
    pub(crate) fn check(&self) -> Result<(), Error> {
        validate::value(self.url, Field::CallbackUrl, Limit::CALLBACK_URL)?;
        if let Some(host) = self.host {
            validate::value(host, Field::CallbackHost, Limit::CALLBACK_HOST)?;
        }
        validate::length(
            self.body.as_bytes(),
            Field::CallbackBody,
            Limit::CALLBACK_BODY,
        )
    }

    /// Writes the callback JSON (before base64).
    pub(crate) fn emit<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Error> {
        sink.put(b"{\"callbackUrl\":")?;
        json::string(sink, self.url.as_bytes())?;
        if let Some(host) = self.host {
            sink.put(b",\"callbackHost\":")?;
            json::string(sink, host.as_bytes())?;
        }
        sink.put(b",\"callbackBody\":")?;
        json::string(sink, self.body.as_bytes())?;
        sink.put(b",\"callbackBodyType\":")?;
        json::string(sink, self.body_type.as_str().as_bytes())?;
        sink.put(b"}")
    }
}
