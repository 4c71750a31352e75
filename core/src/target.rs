//! Where tickets upload to: scheme, bucket, endpoint, region and URL style.

use crate::Error;
use crate::validate;
use crate::wire::Sink;

/// How a ticket is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scheme {
    /// Alibaba Cloud OSS, `OSS4-HMAC-SHA256` (the default: OSS is retiring V1).
    OssV4,
    /// Alibaba Cloud OSS, legacy V1 (HMAC-SHA1), for old accounts and buckets only.
    OssV1,
    /// S3 Signature Version 4 POST (`AWS4-HMAC-SHA256`): AWS, SeaweedFS, MinIO, Ceph, ...
    S3V4,
}

impl Scheme {
    /// The name used in configuration and on the command line: `oss-v4`, `oss-v1`, `s3-v4`.
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::OssV4 => "oss-v4",
            Scheme::OssV1 => "oss-v1",
            Scheme::S3V4 => "s3-v4",
        }
    }

    /// The scheme called `name` (see [`Scheme::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [Scheme::OssV4, Scheme::OssV1, Scheme::S3V4]
            .into_iter()
            .find(|s| s.name() == name)
    }

    /// Whether this is one of Alibaba Cloud OSS's schemes (which allow `in`, callbacks, ...).
    pub const fn is_oss(self) -> bool {
        matches!(self, Scheme::OssV4 | Scheme::OssV1)
    }

    /// The prefix of this scheme's own form fields: `x-oss-` or `x-amz-`.
    pub const fn field_prefix(self) -> &'static str {
        if self.is_oss() { "x-oss-" } else { "x-amz-" }
    }
}

/// Virtual-hosted (`bucket.endpoint`) or path-style (`endpoint/bucket`) URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UrlStyle {
    /// `PROTO://BUCKET.ENDPOINT`; OSS always uses this.
    VirtualHosted,
    /// `PROTO://ENDPOINT/BUCKET`; S3 only (OSS ignores it).
    Path,
}

/// `http` or `https` in the upload URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocol {
    /// Plain HTTP (test stores on a LAN or loopback).
    Http,
    /// HTTPS (every cloud endpoint).
    Https,
}

impl Protocol {
    const fn scheme_prefix(self) -> &'static [u8] {
        match self {
            Protocol::Http => b"http://",
            Protocol::Https => b"https://",
        }
    }
}

/// The store a ticket uploads to. Check it with [`Target::validate`] (the signer does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Target<'a> {
    /// Signing scheme.
    pub scheme: Scheme,
    /// Bucket name.
    pub bucket: &'a str,
    /// Endpoint host, optionally with `:port`, e.g. `oss-cn-hangzhou.aliyuncs.com`.
    pub endpoint: &'a str,
    /// Region id as signed in V4 credentials, e.g. `cn-hangzhou` (not `oss-cn-hangzhou`).
    pub region: &'a str,
    /// URL style (S3 only; OSS is always virtual-hosted).
    pub style: UrlStyle,
    /// `http` or `https`.
    pub protocol: Protocol,
}

impl Target<'_> {
    /// Checks bucket, endpoint and region against `docs/policy.md` §1.1.
    pub fn validate(&self) -> Result<(), Error> {
        validate::bucket(self.bucket, self.scheme)?;
        validate::endpoint(self.endpoint)?;
        validate::region(self.region)
    }

    const fn virtual_hosted(&self) -> bool {
        self.scheme.is_oss() || matches!(self.style, UrlStyle::VirtualHosted)
    }

    /// Writes the URL the camera posts to (no trailing slash).
    pub fn write_url<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Error> {
        sink.put(self.protocol.scheme_prefix())?;
        if self.virtual_hosted() {
            sink.put(self.bucket.as_bytes())?;
            sink.put(b".")?;
            sink.put(self.endpoint.as_bytes())
        } else {
            sink.put(self.endpoint.as_bytes())?;
            sink.put(b"/")?;
            sink.put(self.bucket.as_bytes())
        }
    }
}
