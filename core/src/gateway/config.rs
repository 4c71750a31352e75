//! The gateway's configuration: one JSON document, parsed with `serde-json-core` into bounded
//! types that borrow from the document (flash on the firmware, a file on the host).
//!
//! The format is documented in `docs/config.md`.

use core::fmt;

use heapless::Vec;
use serde::Deserialize;

use super::rate::Rate;
use crate::validate::{self, Limit};
use crate::{
    CallbackBodyType, Credentials, Error, Field, MAX_CONTENT_LENGTH, Protocol, Scheme, Secret,
    SuccessStatus, Target, UrlStyle,
};

/// Default camera-table capacity (the `CAMERAS` parameter of [`Config`]).
pub const MAX_CAMERAS: usize = 16;
/// Most content types one camera may upload.
pub const MAX_CONTENT_TYPES: usize = 8;
/// Longest camera id.
pub const MAX_CAMERA_ID_LEN: usize = 32;
/// Longest camera key prefix.
pub const MAX_PREFIX_LEN: usize = 128;
/// Length of a camera key: 32 bytes, written as 64 hex digits.
pub const CAMERA_KEY_LEN: usize = 32;
/// Longest ticket lifetime the gateway hands out: one hour.
pub const MAX_TICKET_LIFETIME_SECS: u64 = 3600;
/// Lifetime when the configuration names none.
pub const DEFAULT_TICKET_LIFETIME_SECS: u64 = 300;

/// What is wrong with a configuration. Never carries a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConfigError {
    /// Not JSON of the configuration's shape (syntax, a wrong type, an unknown or missing
    /// member, more items than a list holds, escapes in a string).
    Syntax,
    /// `scheme`, `url_style`, `protocol`, `success_action_status` or `callback.body_type`
    /// holds an unknown name.
    UnknownName(Setting),
    /// A target or credential value breaks the rules of `docs/policy.md` §1.1.
    Invalid(Error),
    /// `lifetime_secs` is 0 or above [`MAX_TICKET_LIFETIME_SECS`].
    Lifetime,
    /// No cameras.
    NoCameras,
    /// `rate_limit` with a zero `burst` or `per_minute`.
    RateLimit,
    /// Camera number `index` (from 0) is invalid.
    Camera {
        /// Position in `cameras`.
        index: usize,
        /// What is wrong with it.
        problem: CameraProblem,
    },
}

/// A named setting, for [`ConfigError::UnknownName`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Setting {
    /// `scheme`
    Scheme,
    /// `url_style`
    UrlStyle,
    /// `protocol`
    Protocol,
    /// `success_action_status`
    SuccessActionStatus,
    /// `callback.body_type`
    CallbackBodyType,
}

/// What is wrong with one camera entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CameraProblem {
    /// `id`: 1 to 32 bytes of `A-Z a-z 0-9 _ -`.
    Id,
    /// Another camera has the same id.
    DuplicateId,
    /// `key`: exactly 64 hex digits.
    Key,
    /// `prefix`: a valid key prefix ending in `/`, at most [`MAX_PREFIX_LEN`] bytes.
    Prefix,
    /// `max_size`: 1 to 5 GiB.
    MaxSize,
    /// `content_types`: 1 to 8 valid values.
    ContentTypes,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax => {
                f.write_str("configuration is not valid JSON of the documented shape")
            }
            ConfigError::UnknownName(s) => write!(f, "unknown value for {}", s.name()),
            ConfigError::Invalid(e) => write!(f, "invalid configuration: {e}"),
            ConfigError::Lifetime => f.write_str("lifetime_secs must be 1 to 3600"),
            ConfigError::NoCameras => f.write_str("cameras must list at least one camera"),
            ConfigError::RateLimit => f.write_str("rate_limit needs burst and per_minute above 0"),
            ConfigError::Camera { index, problem } => {
                write!(f, "cameras[{index}]: {}", problem.describe())
            }
        }
    }
}

impl Setting {
    const fn name(self) -> &'static str {
        match self {
            Setting::Scheme => "scheme (oss-v4, oss-v1, s3-v4)",
            Setting::UrlStyle => "url_style (virtual-hosted, path)",
            Setting::Protocol => "protocol (http, https)",
            Setting::SuccessActionStatus => "success_action_status (200, 201, 204)",
            Setting::CallbackBodyType => "callback.body_type (form, json)",
        }
    }
}

impl CameraProblem {
    const fn describe(self) -> &'static str {
        match self {
            CameraProblem::Id => "id must be 1 to 32 of A-Z a-z 0-9 _ -",
            CameraProblem::DuplicateId => "id is used twice",
            CameraProblem::Key => "key must be 64 hex digits",
            CameraProblem::Prefix => "prefix must be a valid object-key prefix ending in /",
            CameraProblem::MaxSize => "max_size must be 1 to 5 GiB",
            CameraProblem::ContentTypes => "content_types must list 1 to 8 valid types",
        }
    }
}

/// The callback section, as written in the document.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RawCallback<'a> {
    url: &'a str,
    host: Option<&'a str>,
    body: &'a str,
    body_type: Option<&'a str>,
}

/// One camera, as written in the document.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RawCamera<'a> {
    id: &'a str,
    key: &'a str,
    prefix: &'a str,
    max_size: u64,
    #[serde(borrow)]
    content_types: Vec<&'a str, MAX_CONTENT_TYPES>,
}

/// The whole document.
/// The rate-limit section.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RawRate {
    burst: u32,
    per_minute: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct RawConfig<'a, const CAMERAS: usize> {
    scheme: &'a str,
    bucket: &'a str,
    endpoint: &'a str,
    region: &'a str,
    url_style: Option<&'a str>,
    protocol: Option<&'a str>,
    access_key_id: &'a str,
    access_key_secret: &'a str,
    security_token: Option<&'a str>,
    lifetime_secs: Option<u64>,
    success_action_status: Option<u16>,
    #[serde(borrow)]
    callback: Option<RawCallback<'a>>,
    rate_limit: Option<RawRate>,
    #[serde(borrow)]
    cameras: Vec<RawCamera<'a>, CAMERAS>,
}

/// A camera the gateway serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Camera<'a> {
    /// Its id, as sent in `X-Upticket-Camera`.
    pub id: &'a str,
    /// Every object key it gets starts with this.
    pub prefix: &'a str,
    /// Largest upload in bytes.
    pub max_size: u64,
    /// Content types it may upload.
    pub content_types: Vec<&'a str, MAX_CONTENT_TYPES>,
    key_hex: Redacted<'a>,
}

/// A configuration string that holds a secret: `Debug` shows `<redacted>`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Redacted<'a>(&'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Camera<'_> {
    /// The camera's 32-byte MAC key (the caller wipes it after use).
    pub fn key(&self) -> [u8; CAMERA_KEY_LEN] {
        let mut key = [0u8; CAMERA_KEY_LEN];
        // Checked at parse time: 64 hex digits.
        let _ = decode_hex(self.key_hex.0, &mut key);
        key
    }
}

impl fmt::Display for Camera<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// The OSS upload callback every ticket carries, if configured.
pub type CallbackConfig<'a> = crate::Callback<'a>;

/// A checked configuration for at most `CAMERAS` cameras. `Debug` redacts the secret, the STS
/// token and the camera keys.
#[derive(Clone)]
pub struct Config<'a, const CAMERAS: usize = MAX_CAMERAS> {
    /// Where tickets upload to.
    pub target: Target<'a>,
    /// Access key id.
    pub access_key_id: &'a str,
    access_key_secret: Redacted<'a>,
    /// STS token, if the credential is temporary.
    pub security_token: Option<&'a str>,
    /// Ticket lifetime in seconds.
    pub lifetime_secs: u64,
    /// `success_action_status` bound in every ticket, if any.
    pub success_action_status: Option<SuccessStatus>,
    /// Upload callback (OSS only).
    pub callback: Option<CallbackConfig<'a>>,
    /// Per-camera request rate.
    pub rate: Rate,
    /// The camera table.
    pub cameras: Vec<Camera<'a>, CAMERAS>,
}

impl<const CAMERAS: usize> fmt::Debug for Config<'_, CAMERAS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.target)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token.map(Redacted))
            .field("lifetime_secs", &self.lifetime_secs)
            .field("success_action_status", &self.success_action_status)
            .field("callback", &self.callback)
            .field("rate", &self.rate)
            .field("cameras", &self.cameras)
            .finish()
    }
}

impl<'a, const CAMERAS: usize> Config<'a, CAMERAS> {
    /// Parses and checks a configuration document.
    pub fn parse(document: &'a [u8]) -> Result<Self, ConfigError> {
        let (raw, _) = serde_json_core::from_slice::<RawConfig<'a, CAMERAS>>(document)
            .map_err(|_| ConfigError::Syntax)?;
        let scheme =
            Scheme::from_name(raw.scheme).ok_or(ConfigError::UnknownName(Setting::Scheme))?;
        let style = match raw.url_style {
            None | Some("virtual-hosted") => UrlStyle::VirtualHosted,
            Some("path") => UrlStyle::Path,
            Some(_) => return Err(ConfigError::UnknownName(Setting::UrlStyle)),
        };
        let protocol = match raw.protocol {
            None | Some("https") => Protocol::Https,
            Some("http") => Protocol::Http,
            Some(_) => return Err(ConfigError::UnknownName(Setting::Protocol)),
        };
        let target = Target {
            scheme,
            bucket: raw.bucket,
            endpoint: raw.endpoint,
            region: raw.region,
            style,
            protocol,
        };
        target.validate().map_err(ConfigError::Invalid)?;
        let config = Config {
            target,
            access_key_id: raw.access_key_id,
            access_key_secret: Redacted(raw.access_key_secret),
            security_token: raw.security_token,
            lifetime_secs: raw.lifetime_secs.unwrap_or(DEFAULT_TICKET_LIFETIME_SECS),
            success_action_status: match raw.success_action_status {
                None => None,
                Some(200) => Some(SuccessStatus::Ok),
                Some(201) => Some(SuccessStatus::Created),
                Some(204) => Some(SuccessStatus::NoContent),
                Some(_) => return Err(ConfigError::UnknownName(Setting::SuccessActionStatus)),
            },
            callback: raw.callback.map(callback).transpose()?,
            rate: match raw.rate_limit {
                None => Rate::default(),
                Some(RawRate { burst, per_minute }) if burst > 0 && per_minute > 0 => {
                    Rate { burst, per_minute }
                }
                Some(_) => return Err(ConfigError::RateLimit),
            },
            cameras: cameras(&raw.cameras)?,
        };
        config.credentials().map_err(ConfigError::Invalid)?;
        if config.lifetime_secs == 0 || config.lifetime_secs > MAX_TICKET_LIFETIME_SECS {
            return Err(ConfigError::Lifetime);
        }
        if let Some(cb) = &config.callback {
            if !scheme.is_oss() {
                return Err(ConfigError::Invalid(Error::Unsupported(Field::Callback)));
            }
            cb.check().map_err(ConfigError::Invalid)?;
        }
        Ok(config)
    }

    /// The credential, with the secret copied into a wiped-on-drop [`Secret`].
    pub fn credentials(&self) -> Result<Credentials<'a>, Error> {
        Credentials::new(
            self.access_key_id,
            Secret::new(self.access_key_secret.0.as_bytes())?,
            self.security_token,
        )
    }

    /// The camera with id `id`.
    pub fn camera(&self, id: &str) -> Option<(usize, &Camera<'a>)> {
        self.cameras.iter().enumerate().find(|(_, c)| c.id == id)
    }
}

fn callback<'a>(raw: RawCallback<'a>) -> Result<CallbackConfig<'a>, ConfigError> {
    let body_type = match raw.body_type {
        None | Some("form") => CallbackBodyType::FormUrlEncoded,
        Some("json") => CallbackBodyType::Json,
        Some(_) => return Err(ConfigError::UnknownName(Setting::CallbackBodyType)),
    };
    Ok(crate::Callback {
        url: raw.url,
        host: raw.host,
        body: raw.body,
        body_type,
    })
}

fn cameras<'a, const CAMERAS: usize>(
    raw: &[RawCamera<'a>],
) -> Result<Vec<Camera<'a>, CAMERAS>, ConfigError> {
    if raw.is_empty() {
        return Err(ConfigError::NoCameras);
    }
    let mut out = Vec::new();
    for (index, cam) in raw.iter().enumerate() {
        let fail = |problem| ConfigError::Camera { index, problem };
        let id_ok = (1..=MAX_CAMERA_ID_LEN).contains(&cam.id.len())
            && cam
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(fail(CameraProblem::Id));
        }
        if raw.iter().take(index).any(|c| c.id == cam.id) {
            return Err(fail(CameraProblem::DuplicateId));
        }
        if decode_hex(cam.key, &mut [0u8; CAMERA_KEY_LEN]).is_err() {
            return Err(fail(CameraProblem::Key));
        }
        let prefix_ok = cam.prefix.len() <= MAX_PREFIX_LEN
            && cam.prefix.ends_with('/')
            && validate::key(cam.prefix, Field::KeyPrefix).is_ok();
        if !prefix_ok {
            return Err(fail(CameraProblem::Prefix));
        }
        if cam.max_size == 0 || cam.max_size > MAX_CONTENT_LENGTH {
            return Err(fail(CameraProblem::MaxSize));
        }
        let types_ok = !cam.content_types.is_empty()
            && cam.content_types.iter().all(|t| {
                validate::value(t, Field::ContentType, Limit::VALUE).is_ok() && !t.is_empty()
            });
        if !types_ok {
            return Err(fail(CameraProblem::ContentTypes));
        }
        out.push(Camera {
            id: cam.id,
            prefix: cam.prefix,
            max_size: cam.max_size,
            content_types: cam.content_types.clone(),
            key_hex: Redacted(cam.key),
        })
        .map_err(|_| ConfigError::Syntax)?;
    }
    Ok(out)
}

/// Decodes exactly `out.len()` bytes of hex (either case).
pub(crate) fn decode_hex(hex: &str, out: &mut [u8]) -> Result<(), ()> {
    if hex.len() != out.len().saturating_mul(2) {
        return Err(());
    }
    let nibble = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or(())
    };
    for (o, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        if let [hi, lo] = pair {
            *o = nibble(*hi)? << 4 | nibble(*lo)?;
        }
    }
    Ok(())
}
