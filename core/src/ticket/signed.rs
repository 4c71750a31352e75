//! A signed policy: base64, signature, date and credential, and its auth form fields.

use crate::policy::write_credential;
use crate::sign::{Signature, V4Params};
use crate::time::ISO_BASIC_LEN;
use crate::{Error, MAX_CREDENTIAL_LEN, Scheme, Target, UnixTime};

/// The output of signing: what goes into the `policy`, auth and token form fields.
#[derive(Clone, Debug)]
pub struct SignedPolicy<'t> {
    scheme: Scheme,
    access_key_id: &'t str,
    token: Option<&'t str>,
    policy_b64: &'t [u8],
    signature: Signature,
    date: [u8; ISO_BASIC_LEN],
    credential: heapless::Vec<u8, MAX_CREDENTIAL_LEN>,
}

impl<'t> SignedPolicy<'t> {
    pub(crate) fn new(
        target: Target<'t>,
        access_key_id: &'t str,
        token: Option<&'t str>,
        now: UnixTime,
        policy_b64: &'t [u8],
        signature: Signature,
    ) -> Result<Self, Error> {
        let mut credential = heapless::Vec::new();
        let params = match target.scheme {
            Scheme::OssV4 => Some(V4Params::OSS),
            Scheme::S3V4 => Some(V4Params::S3),
            Scheme::OssV1 => None,
        };
        if let Some(params) = params {
            write_credential(
                &mut credential,
                &params,
                access_key_id,
                &now.date(),
                target.region,
            )?;
        }
        Ok(SignedPolicy {
            scheme: target.scheme,
            access_key_id,
            token,
            policy_b64,
            signature,
            date: now.iso_basic(),
            credential,
        })
    }

    /// The scheme it was signed for.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The `policy` form field: standard base64 of the policy JSON.
    pub fn policy_b64(&self) -> &'t [u8] {
        self.policy_b64
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// `YYYYMMDDTHHMMSSZ` of the signing instant (`x-oss-date` / `x-amz-date`).
    pub fn date(&self) -> &[u8; ISO_BASIC_LEN] {
        &self.date
    }

    /// The V4 credential scope (empty for OSS V1).
    pub fn credential(&self) -> &[u8] {
        &self.credential
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &'t str {
        self.access_key_id
    }

    /// The STS security token, if any.
    pub fn security_token(&self) -> Option<&'t str> {
        self.token
    }
}
