//! A signed policy: base64, signature, date and credential, and its auth form fields.

use super::{FieldName, FormField};
use crate::policy::write_credential;
use crate::sign::{Signature, V4Params};
use crate::time::ISO_BASIC_LEN;
use crate::time::day;
use crate::{Error, MAX_CREDENTIAL_LEN, Scheme};

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
        scheme: Scheme,
        region: &str,
        access_key_id: &'t str,
        token: Option<&'t str>,
        date: [u8; ISO_BASIC_LEN],
        policy_b64: &'t [u8],
        signature: Signature,
    ) -> Result<Self, Error> {
        let mut credential = heapless::Vec::new();
        let params = match scheme {
            Scheme::OssV4 => Some(V4Params::OSS),
            Scheme::S3V4 => Some(V4Params::S3),
            Scheme::OssV1 => None,
        };
        if let Some(params) = params {
            write_credential(&mut credential, &params, access_key_id, &day(&date), region)?;
        }
        Ok(SignedPolicy {
            scheme,
            access_key_id,
            token,
            policy_b64,
            signature,
            date,
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

    /// The form field at `index` of the signed part: `policy`, the scheme's auth fields, then
    /// the security token. `None` past the end.
    pub fn field(&self, index: usize) -> Option<FormField<'_>> {
        // Everything here but the token comes from a safe alphabet (base64, hex, digits,
        // validated ids and regions, constants), so it is written into JSON verbatim.
        let plain = |name: &'static str, value| FormField::verbatim(FieldName::plain(name), value);
        let prefix = self.scheme.field_prefix();
        let own =
            |name: &'static str, value| FormField::verbatim(FieldName { prefix, name }, value);
        let sig = self.signature.as_bytes();
        let token_index = match self.scheme {
            Scheme::OssV1 => 3,
            Scheme::OssV4 | Scheme::S3V4 => 5,
        };
        let field = match (self.scheme, index) {
            (_, 0) => plain("policy", self.policy_b64),
            (Scheme::OssV1, 1) => plain("OSSAccessKeyId", self.access_key_id.as_bytes()),
            (Scheme::OssV1, 2) => plain("Signature", sig),
            (Scheme::OssV4, 1) => plain("x-oss-signature-version", b"OSS4-HMAC-SHA256"),
            (Scheme::S3V4, 1) => plain("x-amz-algorithm", b"AWS4-HMAC-SHA256"),
            (Scheme::OssV4 | Scheme::S3V4, 2) => own("credential", &self.credential),
            (Scheme::OssV4 | Scheme::S3V4, 3) => own("date", &self.date),
            (Scheme::OssV4 | Scheme::S3V4, 4) => own("signature", sig),
            (_, i) if i == token_index => FormField::new(
                FieldName {
                    prefix,
                    name: "security-token",
                },
                self.token?.as_bytes(),
            ),
            _ => return None,
        };
        Some(field)
    }

    /// The signed part's form fields in order (see [`SignedPolicy::field`]).
    pub fn fields(&self) -> impl Iterator<Item = FormField<'_>> {
        (0..).map_while(|i| self.field(i))
    }
}
