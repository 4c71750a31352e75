//! The ticket: URL, ordered form fields, key and expiry, borrowed from the signer's output.

mod fields;
mod json;
mod signed;

pub use fields::{FieldName, Fields, FormField};
pub use json::Shape;
pub use signed::SignedPolicy;

use crate::policy::{PolicySpec, Rule, Spans};
use crate::time::EXPIRATION_LEN;
use crate::wire::Sink;
use crate::{Error, Target, UnixTime};

/// One upload ticket: everything a camera needs for a single PostObject.
///
/// It borrows the spec it was issued for and the scratch buffer that holds the policy JSON and
/// its base64. Write it out with [`Ticket::write_json`] or walk [`Ticket::fields`].
#[derive(Clone, Debug)]
pub struct Ticket<'t> {
    target: Target<'t>,
    spec: &'t PolicySpec<'t>,
    signed: SignedPolicy<'t>,
    policy_json: &'t [u8],
    callback_b64: &'t [u8],
    expires: UnixTime,
    expiration: [u8; EXPIRATION_LEN],
}

impl<'t> Ticket<'t> {
    pub(crate) fn new(
        target: Target<'t>,
        spec: &'t PolicySpec<'t>,
        signed: SignedPolicy<'t>,
        policy_json: &'t [u8],
        spans: Spans,
        expires: UnixTime,
        expiration: [u8; EXPIRATION_LEN],
    ) -> Self {
        let callback_b64 = spans
            .callback
            .and_then(|r| policy_json.get(r))
            .unwrap_or_default();
        Ticket {
            target,
            spec,
            signed,
            policy_json,
            callback_b64,
            expires,
            expiration,
        }
    }

    /// The store this ticket uploads to.
    pub fn target(&self) -> &Target<'t> {
        &self.target
    }

    /// The object key (the `key` form field).
    pub fn key(&self) -> &'t str {
        self.spec.key.value
    }

    /// The spec the ticket was issued for.
    pub fn spec(&self) -> &'t PolicySpec<'t> {
        self.spec
    }

    /// The signed policy: its base64, signature and auth fields.
    pub fn signed(&self) -> &SignedPolicy<'t> {
        &self.signed
    }

    /// The policy JSON exactly as signed (before base64).
    pub fn policy_json(&self) -> &'t [u8] {
        self.policy_json
    }

    /// When the policy expires.
    pub fn expires(&self) -> UnixTime {
        self.expires
    }

    /// The ordered form fields (`docs/policy.md` §4.2); the client appends `file` last.
    pub fn fields(&self) -> Fields<'_, 't> {
        Fields::new(self)
    }

    /// The base64 of the callback JSON (empty without a callback).
    pub(crate) fn callback_b64(&self) -> &'t [u8] {
        self.callback_b64
    }

    /// Writes the URL to post to.
    pub fn write_url<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Error> {
        self.target.write_url(sink)
    }

    /// The `dir` of the app-server shapes: a starts-with prefix, or an exact key's folder.
    pub fn dir(&self) -> &'t str {
        let key = self.spec.key;
        match key.rule {
            Rule::StartsWith(prefix) => prefix,
            Rule::Exact | Rule::In(_) | Rule::NotIn(_) => match key.value.rfind('/') {
                Some(at) => key.value.get(..=at).unwrap_or_default(),
                None => "",
            },
        }
    }
}
