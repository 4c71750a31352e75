//! The signer: holds the credential, checks specs, and issues tickets into caller buffers.

use base64::Engine as _;

use crate::policy::{self, AuthConditions, PolicySpec};
use crate::sign::{self, KeyCache, Signature, V4Params};
use crate::ticket::{SignedPolicy, Ticket};
use crate::wire::{Counter, SliceWriter, base64_len};
use crate::{Credentials, Error, MAX_LIFETIME_SECS, Scheme, Target, UnixTime};

/// Issues tickets for one target with one credential.
///
/// The V4 signing key is derived once per (UTC day, region) and cached; the secret and the cached
/// key are wiped when the signer is dropped.
#[derive(Debug)]
pub struct Signer<'a> {
    target: Target<'a>,
    credentials: Credentials<'a>,
    cache: KeyCache,
}

impl<'a> Signer<'a> {
    /// A signer for `target`, after checking the target.
    pub fn new(target: Target<'a>, credentials: Credentials<'a>) -> Result<Self, Error> {
        target.validate()?;
        Ok(Signer {
            target,
            credentials,
            cache: KeyCache::default(),
        })
    }

    /// The target tickets upload to.
    pub fn target(&self) -> &Target<'a> {
        &self.target
    }

    /// The access key id tickets carry.
    pub fn access_key_id(&self) -> &'a str {
        self.credentials.access_key_id
    }

    /// Exact scratch bytes [`Signer::issue`] needs for `spec`: the policy JSON plus its base64.
    /// Checks `spec` too, so a bad spec is refused before any buffer is sized.
    pub fn scratch_len(&self, spec: &PolicySpec<'_>) -> Result<usize, Error> {
        policy::check(spec, self.target.scheme)?;
        // Every instant writes dates of the same length, so the epoch stands in for `now`.
        let json = self.policy_len(spec, UnixTime::from_secs(0)?)?;
        base64_len(json)
            .and_then(|b64| b64.checked_add(json))
            .ok_or(Error::BufferTooSmall)
    }

    fn auth(&self, now: UnixTime, expires: UnixTime) -> AuthConditions<'a> {
        AuthConditions {
            scheme: self.target.scheme,
            bucket: self.target.bucket,
            access_key_id: self.credentials.access_key_id,
            region: self.target.region,
            now,
            expires,
            token: self.credentials.security_token,
        }
    }

    fn policy_len(&self, spec: &PolicySpec<'_>, now: UnixTime) -> Result<usize, Error> {
        let mut counter = Counter::new();
        policy::emit(&mut counter, spec, &self.auth(now, now))?;
        Ok(counter.len())
    }

    /// Issues a ticket for `spec`, valid from `now` for `lifetime_secs` (1 s to 7 days).
    ///
    /// The policy JSON and its base64 are written into `scratch`, which must hold at least
    /// [`Signer::scratch_len`] bytes; the ticket borrows it.
    pub fn issue<'t>(
        &mut self,
        spec: &'t PolicySpec<'t>,
        now: UnixTime,
        lifetime_secs: u64,
        scratch: &'t mut [u8],
    ) -> Result<Ticket<'t>, Error>
    where
        'a: 't,
    {
        if lifetime_secs == 0 || lifetime_secs > MAX_LIFETIME_SECS {
            return Err(Error::InvalidLifetime);
        }
        let expires = now.add_secs(lifetime_secs)?;
        let needed = self.scratch_len(spec)?;
        if scratch.len() < needed {
            return Err(Error::BufferTooSmall);
        }
        let json_len = self.policy_len(spec, now)?;
        let b64_len = needed.checked_sub(json_len).ok_or(Error::BufferTooSmall)?;
        let (b64_buf, json_buf) = scratch.split_at_mut(b64_len);
        let mut writer = SliceWriter::new(json_buf);
        let spans = policy::emit(&mut writer, spec, &self.auth(now, expires))?;
        let json: &'t [u8] = writer.into_written();
        let signed = self.sign_into(json, now, b64_buf)?;
        Ok(Ticket::new(self.target, spec, signed, json, spans, expires))
    }

    /// Signs policy JSON exactly as given (no re-serialisation), for `now`'s date.
    ///
    /// Its base64 goes into `scratch` (at least `base64_len(policy_json.len())` bytes). The
    /// caller is responsible for the policy's auth conditions; [`Signer::issue`] adds them itself.
    pub fn sign_policy<'t>(
        &mut self,
        policy_json: &'t [u8],
        now: UnixTime,
        scratch: &'t mut [u8],
    ) -> Result<SignedPolicy<'t>, Error>
    where
        'a: 't,
    {
        self.sign_into(policy_json, now, scratch)
    }

    fn sign_into<'t>(
        &mut self,
        json: &[u8],
        now: UnixTime,
        b64_buf: &'t mut [u8],
    ) -> Result<SignedPolicy<'t>, Error>
    where
        'a: 't,
    {
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(json, b64_buf)
            .map_err(|_| Error::BufferTooSmall)?;
        let (b64, _) = b64_buf.split_at_mut(n);
        let b64: &'t [u8] = b64;
        let secret = self.credentials.secret.expose();
        let signature: Signature = match self.target.scheme {
            Scheme::OssV1 => sign::sign_v1(secret, b64)?,
            Scheme::OssV4 | Scheme::S3V4 => {
                let params = self.v4_params();
                let key = self.cache.get(&params, secret, now, self.target.region);
                sign::sign_v4(&key, b64)
            }
        };
        SignedPolicy::new(
            self.target,
            self.credentials.access_key_id,
            self.credentials.security_token,
            now,
            b64,
            signature,
        )
    }

    const fn v4_params(&self) -> V4Params {
        if self.target.scheme.is_oss() {
            V4Params::OSS
        } else {
            V4Params::S3
        }
    }
}
