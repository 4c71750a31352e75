//! The signer: holds the credential, checks specs, and issues tickets into caller buffers.

use base64::Engine as _;

use crate::policy::{self, AuthConditions, PolicySpec};
use crate::sign::{self, KeyCache, Signature, V4Params};
use crate::ticket::{SignedPolicy, Ticket};
use crate::time::{EXPIRATION_LEN, ISO_BASIC_LEN, day};
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
    /// A signer for `target`, after checking the target and the credentials.
    pub fn new(target: Target<'a>, credentials: Credentials<'a>) -> Result<Self, Error> {
        target.validate()?;
        credentials.validate()?;
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
        let epoch = UnixTime::from_secs(0)?;
        let mut counter = Counter::new();
        policy::emit(
            &mut counter,
            spec,
            &self.auth(epoch.iso_basic(), epoch.expiration()),
        )?;
        let json = counter.len();
        base64_len(json)
            .and_then(|b64| b64.checked_add(json))
            .ok_or(Error::BufferTooSmall)
    }

    fn auth(
        &self,
        date: [u8; ISO_BASIC_LEN],
        expiration: [u8; EXPIRATION_LEN],
    ) -> AuthConditions<'a> {
        AuthConditions {
            scheme: self.target.scheme,
            bucket: self.target.bucket,
            access_key_id: self.credentials.access_key_id,
            region: self.target.region,
            date,
            expiration,
            token: self.credentials.security_token,
        }
    }

    /// Issues a ticket for `spec`, valid from `now` for `lifetime_secs` (1 s to 7 days).
    ///
    /// The policy JSON and then its base64 are written into `scratch`, which must hold at least
    /// [`Signer::scratch_len`] bytes (less is [`Error::BufferTooSmall`]); the ticket borrows it.
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
        policy::check(spec, self.target.scheme)?;
        // One calendar conversion per date for the whole ticket.
        let date = now.iso_basic();
        let expiration = expires.expiration();
        // The JSON goes first into scratch, its base64 right after it.
        let mut writer = SliceWriter::new(&mut *scratch);
        let spans = policy::emit(&mut writer, spec, &self.auth(date, expiration))?;
        let json_len = writer.len();
        let (json, b64_buf) = scratch.split_at_mut(json_len);
        let json: &'t [u8] = json;
        let signed = self.sign_into(json, now, date, b64_buf)?;
        Ok(Ticket::new(
            self.target,
            spec,
            signed,
            json,
            spans,
            expires,
            expiration,
        ))
    }

    fn sign_into<'t>(
        &mut self,
        json: &[u8],
        now: UnixTime,
        date: [u8; ISO_BASIC_LEN],
        b64_buf: &'t mut [u8],
    ) -> Result<SignedPolicy<'t>, Error>
    where
        'a: 't,
    {
        let params = self.v4_params();
        let secret = self.credentials.secret.expose();
        let (region, cache) = (self.target.region, &mut self.cache);
        sign_with(
            self.target.scheme,
            &self.credentials,
            region,
            date,
            json,
            b64_buf,
            |b64| {
                Ok(match params {
                    None => sign::sign_v1(secret, b64)?,
                    Some(params) => {
                        sign::sign_v4_prepared(&cache.get(&params, secret, now, region), b64)
                    }
                })
            },
        )
    }

    fn v4_params(&self) -> Option<V4Params> {
        v4_params(self.target.scheme)
    }
}

fn v4_params(scheme: Scheme) -> Option<V4Params> {
    match scheme {
        Scheme::OssV4 => Some(V4Params::OSS),
        Scheme::S3V4 => Some(V4Params::S3),
        Scheme::OssV1 => None,
    }
}

/// Signs policy JSON exactly as given (no re-serialisation) for `now`'s date: the offline
/// counterpart of the OSS console's signature tool.
///
/// Its base64 goes into `scratch` (at least [`wire::base64_len`](crate::wire::base64_len) of
/// the JSON's length). The caller is responsible for the policy's auth conditions; [`Signer::issue`]
/// adds them itself. `region` is checked for the V4 schemes only.
pub fn sign_policy<'t>(
    scheme: Scheme,
    credentials: &Credentials<'t>,
    region: &str,
    now: UnixTime,
    policy_json: &[u8],
    scratch: &'t mut [u8],
) -> Result<SignedPolicy<'t>, Error> {
    credentials.validate()?;
    let secret = credentials.secret.expose();
    let params = v4_params(scheme);
    if params.is_some() {
        crate::validate::region(region)?;
    }
    let date = now.iso_basic();
    sign_with(
        scheme,
        credentials,
        region,
        date,
        policy_json,
        scratch,
        |b64| {
            Ok(match params {
                None => sign::sign_v1(secret, b64)?,
                Some(params) => {
                    let key = sign::SigningKey::derive(&params, secret, &day(&date), region);
                    sign::sign_v4(&key, b64)
                }
            })
        },
    )
}

/// Base64-encodes `json` into `b64_buf`, signs the base64 with `sign`, and collects the result.
fn sign_with<'t>(
    scheme: Scheme,
    credentials: &Credentials<'t>,
    region: &str,
    date: [u8; ISO_BASIC_LEN],
    json: &[u8],
    b64_buf: &'t mut [u8],
    sign: impl FnOnce(&[u8]) -> Result<Signature, Error>,
) -> Result<SignedPolicy<'t>, Error> {
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(json, b64_buf)
        .map_err(|_| Error::BufferTooSmall)?;
    let (b64, _) = b64_buf.split_at_mut(n);
    let b64: &'t [u8] = b64;
    let signature = sign(b64)?;
    SignedPolicy::new(
        scheme,
        region,
        credentials.access_key_id,
        credentials.security_token,
        date,
        b64,
        signature,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Callback, CallbackBodyType, ContentLengthRange, FieldSpec, Meta, Protocol, Secret, Shape,
        SuccessStatus, UrlStyle, Var,
    };

    /// Every size of scratch and of JSON output below the exact need is `BufferTooSmall`, the
    /// exact need succeeds, for a rich ticket of every scheme and every shape it can take.
    #[test]
    fn every_short_buffer_is_refused_and_the_exact_one_is_enough() {
        let meta = [Meta {
            name: "tag",
            value: FieldSpec::starts_with("door-1", "door"),
        }];
        let vars = [Var {
            name: "cam",
            value: "0001 \"front\"",
        }];
        for scheme in [Scheme::OssV4, Scheme::OssV1, Scheme::S3V4] {
            let oss = scheme.is_oss();
            let target = Target {
                scheme,
                bucket: "bucket-1",
                endpoint: "127.0.0.1:9000",
                region: "us-east-1",
                style: UrlStyle::Path,
                protocol: Protocol::Http,
            };
            let token = "STS.token/with+chars==";
            let creds =
                Credentials::new("AKID", Secret::new(b"secret").unwrap(), Some(token)).unwrap();
            let mut signer = Signer::new(target, creds).unwrap();
            let spec = PolicySpec {
                content_length: Some(ContentLengthRange::new(1, 5 << 30).unwrap()),
                content_type: Some(FieldSpec::exact("image/jpeg")),
                success_action_status: Some(SuccessStatus::Created),
                meta: &meta,
                forbid_overwrite: oss,
                callback: oss.then_some(Callback {
                    url: "http://cb.example/up",
                    host: None,
                    body: "object=${object}",
                    body_type: CallbackBodyType::Json,
                }),
                vars: if oss { &vars } else { &[] },
                ..PolicySpec::new(FieldSpec::exact("cam/0001/a\u{7}b\"c.jpg"))
            };
            // The app-server shapes carry only key, auth, token and callback.
            let minimal = PolicySpec::new(FieldSpec::starts_with("cam/0001/x.jpg", "cam/0001/"));
            for spec in [&spec, &minimal] {
                short_buffers(&mut signer, spec, scheme);
            }
        }
    }

    fn short_buffers(signer: &mut Signer<'_>, spec: &PolicySpec<'_>, scheme: Scheme) {
        let now = UnixTime::from_secs(1_790_000_000).unwrap();
        let need = signer.scratch_len(spec).unwrap();
        let mut scratch = [0u8; 4096];
        for size in 0..need {
            assert_eq!(
                signer.issue(spec, now, 60, &mut scratch[..size]).err(),
                Some(Error::BufferTooSmall),
                "{scheme:?} scratch {size} of {need}"
            );
        }
        let ticket = signer.issue(spec, now, 60, &mut scratch[..need]).unwrap();
        let mut out = [0u8; 8192];
        for shape in [
            Shape::Upticket,
            Shape::OssAppServerV1,
            Shape::OssAppServerV4,
        ] {
            let Ok(len) = ticket.json_len(shape) else {
                assert_eq!(
                    ticket.write_json(shape, &mut out).err(),
                    Some(Error::UnsupportedShape)
                );
                continue;
            };
            for size in 0..len {
                assert_eq!(
                    ticket.write_json(shape, &mut out[..size]).err(),
                    Some(Error::BufferTooSmall),
                    "{scheme:?} {shape:?} {size} of {len}"
                );
            }
            assert_eq!(
                ticket.write_json(shape, &mut out[..len]).map(|w| w.len()),
                Ok(len)
            );
        }
    }
}
