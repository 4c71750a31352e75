//! RFC 8259 JSON text, written piecewise into a [`Sink`].
//!
//! Escaping is exactly `serde_json`'s: `"` and `\` get a backslash, U+0008, U+000C, U+000A,
//! U+000D and U+0009 their short escapes, every other control character `\u00xx` in lower-case
//! hex; everything else, `/` and all non-ASCII UTF-8 included, is copied. `\$` is never written.

use super::Sink;
use crate::Error;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `b` must be escaped inside a JSON string.
const fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Writes the body of a JSON string (no quotes) for `bytes`, escaping as the module says.
pub fn escaped<S: Sink + ?Sized>(sink: &mut S, bytes: &[u8]) -> Result<(), Error> {
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| needs_escape(b)) {
        let (run, tail) = rest.split_at(at);
        sink.put(run)?;
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        match b {
            b'"' => sink.put(b"\\\"")?,
            b'\\' => sink.put(b"\\\\")?,
            0x08 => sink.put(b"\\b")?,
            0x0c => sink.put(b"\\f")?,
            b'\n' => sink.put(b"\\n")?,
            b'\r' => sink.put(b"\\r")?,
            b'\t' => sink.put(b"\\t")?,
            _ => {
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
                sink.put(&[b'\\', b'u', b'0', b'0', hi, lo])?;
            }
        }
        rest = tail;
    }
    sink.put(rest)
}

/// Writes `"…"` with `bytes` escaped.
pub fn string<S: Sink + ?Sized>(sink: &mut S, bytes: &[u8]) -> Result<(), Error> {
    sink.put(b"\"")?;
    escaped(sink, bytes)?;
    sink.put(b"\"")
}

/// Writes `n` in decimal.
pub fn number<S: Sink + ?Sized>(sink: &mut S, n: u64) -> Result<(), Error> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n;
    loop {
        at = at.saturating_sub(1);
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' | (v % 10) as u8;
        }
        v /= 10;
        if v == 0 {
            break;
        }
    }
    sink.put(digits.get(at..).unwrap_or_default())
}

/// Writes `{"name":"value"}`: an exact-match condition, or one member object.
pub fn member_object<S: Sink + ?Sized>(
    sink: &mut S,
    name: &[&[u8]],
    value: &[u8],
) -> Result<(), Error> {
    sink.put(b"{\"")?;
    for part in name {
        escaped(sink, part)?;
    }
    sink.put(b"\":")?;
    string(sink, value)?;
    sink.put(b"}")
}
