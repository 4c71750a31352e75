//! The cloud credential: access key id, secret and optional STS token.
//!
//! The secret lives in a fixed array that is wiped when dropped, and no `Debug` or `defmt`
//! output ever shows it (nor the token).

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::validate::{self, Limit};
use crate::{Error, Field, MAX_SECRET_LEN};

/// An access key secret: at most [`MAX_SECRET_LEN`] bytes, wiped on drop, redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    bytes: [u8; MAX_SECRET_LEN],
    len: usize,
}

impl Secret {
    /// Copies `secret` (1 to [`MAX_SECRET_LEN`] bytes). Wipe the caller's copy yourself.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        validate::length(secret, Field::Secret, Limit::SECRET)?;
        let mut bytes = [0u8; MAX_SECRET_LEN];
        bytes
            .get_mut(..secret.len())
            .ok_or(Error::TooLong(Field::Secret))?
            .copy_from_slice(secret);
        Ok(Secret {
            bytes,
            len: secret.len(),
        })
    }

    /// The secret bytes, for the signer only.
    pub(crate) fn expose(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Secret {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "Secret(<redacted>)")
    }
}

/// Access key id, secret and optional STS security token.
#[derive(Clone)]
pub struct Credentials<'a> {
    /// Access key id (for STS, the temporary one), sent in every ticket.
    pub access_key_id: &'a str,
    /// The secret; never leaves the gateway.
    pub secret: Secret,
    /// STS security token, sent in the form and bound in the policy.
    pub security_token: Option<&'a str>,
}

impl<'a> Credentials<'a> {
    /// Checks access key id and token against `docs/policy.md` §1.1.
    pub fn new(
        access_key_id: &'a str,
        secret: Secret,
        security_token: Option<&'a str>,
    ) -> Result<Self, Error> {
        let credentials = Credentials {
            access_key_id,
            secret,
            security_token,
        };
        credentials.validate()?;
        Ok(credentials)
    }

    /// Checks access key id and token (the fields are public, so the signer checks again).
    pub fn validate(&self) -> Result<(), Error> {
        validate::charset(
            self.access_key_id,
            Field::AccessKeyId,
            Limit::ACCESS_KEY_ID,
            |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'),
        )?;
        if let Some(token) = self.security_token {
            validate::charset(token, Field::SecurityToken, Limit::TOKEN, |b| {
                b.is_ascii_graphic() && b != b'$'
            })?;
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Credentials {{ access_key_id: {=str}, secret: <redacted>, security_token: {} }}",
            self.access_key_id,
            if self.security_token.is_some() {
                "<redacted>"
            } else {
                "none"
            }
        )
    }
}
