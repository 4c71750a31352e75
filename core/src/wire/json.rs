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

/// Whether any of the 8 bytes of `w` may need escaping (SWAR "has a byte below 0x20" and "has a
/// byte equal to `"` or `\`"; exact for the question asked of the whole word).
const fn word_needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn has_zero(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGH
    }
    let below_space = w.wrapping_sub(ONES.wrapping_mul(0x20)) & !w & HIGH;
    let quote = has_zero(w ^ ONES.wrapping_mul(b'"' as u64));
    let backslash = has_zero(w ^ ONES.wrapping_mul(b'\\' as u64));
    below_space | quote | backslash != 0
}

/// Index of the first byte of `bytes` that must be escaped, checking 8 bytes at a time.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0usize;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if word_needs_escape(u64::from_le_bytes(word))
            && let Some(i) = chunk.iter().position(|&b| needs_escape(b))
        {
            return Some(base.saturating_add(i));
        }
        base = base.saturating_add(8);
    }
    let tail = chunks.remainder().iter().position(|&b| needs_escape(b))?;
    Some(base.saturating_add(tail))
}

/// Writes the body of a JSON string (no quotes) for `bytes`, escaping as the module says.
pub fn escaped<S: Sink + ?Sized>(sink: &mut S, bytes: &[u8]) -> Result<(), Error> {
    let mut rest = bytes;
    while let Some(at) = first_escape(rest) {
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

/// Writes `n` in decimal (in 32-bit arithmetic once it fits, which a Cortex-M4 divides in
/// hardware).
pub fn number<S: Sink + ?Sized>(sink: &mut S, n: u64) -> Result<(), Error> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut push = |d: u8| {
        at = at.saturating_sub(1);
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' | d;
        }
    };
    let mut wide = n;
    let mut v = loop {
        match u32::try_from(wide) {
            Ok(v) => break v,
            Err(_) => {
                push((wide % 10) as u8);
                wide /= 10;
            }
        }
    };
    loop {
        push((v % 10) as u8);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Counter;

    /// Every byte value at every position of a word: the fast scan finds exactly what the
    /// byte-wise rule finds.
    #[test]
    fn the_word_scan_agrees_with_the_byte_rule() {
        for b in 0..=255u8 {
            for at in 0..11 {
                let mut bytes = [b'a'; 11];
                bytes[at] = b;
                let expected = bytes.iter().position(|&x| needs_escape(x));
                assert_eq!(first_escape(&bytes), expected, "byte {b:#04x} at {at}");
            }
        }
        let mut c = Counter::new();
        escaped(&mut c, "\u{7f}\u{80}é\"\\\n\u{1}".as_bytes()).unwrap();
        assert_eq!(c.len(), 1 + 2 + 2 + 2 + 2 + 2 + 6);
    }

    #[test]
    fn numbers_on_both_sides_of_32_bits() {
        for n in [0, 7, 10, 4_294_967_295, 4_294_967_296, 5 << 30, u64::MAX] {
            let mut buf = [0u8; 20];
            let mut w = crate::wire::SliceWriter::new(&mut buf);
            number(&mut w, n).unwrap();
            let written = w.into_written();
            assert_eq!(
                core::str::from_utf8(written)
                    .unwrap()
                    .parse::<u64>()
                    .unwrap(),
                n
            );
        }
    }
}
