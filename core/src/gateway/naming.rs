//! Object keys chosen by the gateway: the camera's prefix, a UTC date path, the request time
//! and nonce, and the camera's file name as sanitised input only.
//!
//! `PREFIX/YYYY/MM/DD/HHMMSS-NONCE16-NAME` or, given only an extension,
//! `PREFIX/YYYY/MM/DD/HHMMSS-NONCE16.EXT`.

use heapless::String;

use crate::{MAX_KEY_LEN, UnixTime};

/// Longest file name a camera may send.
pub const MAX_NAME_LEN: usize = 64;
/// Longest extension a camera may send.
pub const MAX_EXTENSION_LEN: usize = 8;
/// How much of the nonce goes into the key.
const NONCE_CHARS: usize = 16;

/// What the camera said about the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileName<'r> {
    /// A file name (only its last path component is used, sanitised).
    Name(&'r str),
    /// Only an extension, e.g. `jpg`.
    Extension(&'r str),
}

/// Why a name was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NameError {
    /// Empty, too long, or (extension) not `A-Z a-z 0-9`.
    Invalid,
    /// The key would exceed [`MAX_KEY_LEN`].
    TooLong,
}

/// The date folder `PREFIX/YYYY/MM/DD/` for `now`.
pub fn folder(prefix: &str, now: UnixTime) -> Result<String<MAX_KEY_LEN>, NameError> {
    let d = now.iso_basic();
    let mut out = String::new();
    let mut push = |s: &[u8]| {
        for &b in s {
            out.push(char::from(b)).map_err(|_| NameError::TooLong)?;
        }
        Ok::<(), NameError>(())
    };
    push(prefix.as_bytes())?;
    let (year, rest) = d.split_at(4);
    let (month, rest) = rest.split_at(2);
    let (day, _) = rest.split_at(2);
    for part in [year, b"/", month, b"/", day, b"/"] {
        push(part)?;
    }
    Ok(out)
}

/// The full object key for one upload.
pub fn object_key(
    prefix: &str,
    now: UnixTime,
    nonce: &str,
    file: FileName<'_>,
) -> Result<String<MAX_KEY_LEN>, NameError> {
    let mut key = folder(prefix, now)?;
    let d = now.iso_basic();
    let time = d.get(9..15).unwrap_or_default();
    let push_str =
        |key: &mut String<MAX_KEY_LEN>, s: &str| key.push_str(s).map_err(|_| NameError::TooLong);
    for &b in time {
        key.push(char::from(b)).map_err(|_| NameError::TooLong)?;
    }
    push_str(&mut key, "-")?;
    push_str(&mut key, nonce.get(..NONCE_CHARS).unwrap_or(nonce))?;
    match file {
        FileName::Name(name) => {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            if base.is_empty() || name.len() > MAX_NAME_LEN {
                return Err(NameError::Invalid);
            }
            push_str(&mut key, "-")?;
            for (i, c) in base.chars().enumerate() {
                let keep = c.is_ascii_alphanumeric() || c == '-' || c == '_' || (c == '.' && i > 0);
                key.push(if keep { c } else { '_' })
                    .map_err(|_| NameError::TooLong)?;
            }
        }
        FileName::Extension(ext) => {
            let ok = (1..=MAX_EXTENSION_LEN).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(NameError::Invalid);
            }
            push_str(&mut key, ".")?;
            for c in ext.chars() {
                key.push(c.to_ascii_lowercase())
                    .map_err(|_| NameError::TooLong)?;
            }
        }
    }
    Ok(key)
}
