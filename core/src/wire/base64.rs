//! A streaming standard-base64 encoder (with `=` padding) in front of another [`Sink`].
//!
//! Used for the callback JSON, which is written straight into the policy as base64 without a
//! buffer of its own. Bulk encoding of whole buffers uses the `base64` crate.

use super::Sink;
use crate::Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes what is put into it and writes the base64 text to the inner sink.
pub struct Base64Writer<'s, S: Sink + ?Sized> {
    inner: &'s mut S,
    carry: [u8; 3],
    held: usize,
    written: usize,
}

fn sextet(v: u32) -> u8 {
    ALPHABET.get((v & 0x3f) as usize).copied().unwrap_or(b'=')
}

fn quad([a, b, c]: [u8; 3]) -> [u8; 4] {
    let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
    [sextet(v >> 18), sextet(v >> 12), sextet(v >> 6), sextet(v)]
}

impl<'s, S: Sink + ?Sized> Base64Writer<'s, S> {
    /// An encoder writing into `inner`.
    pub fn new(inner: &'s mut S) -> Self {
        Base64Writer {
            inner,
            carry: [0; 3],
            held: 0,
            written: 0,
        }
    }

    /// Writes the last partial group with its padding.
    pub fn finish(self) -> Result<(), Error> {
        let [a, b, c, _] = quad(self.carry);
        match self.held {
            1 => self.inner.put(&[a, b, b'=', b'=']),
            2 => self.inner.put(&[a, b, c, b'=']),
            _ => Ok(()),
        }
    }
}

impl<S: Sink + ?Sized> Sink for Base64Writer<'_, S> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for &b in bytes {
            if let Some(slot) = self.carry.get_mut(self.held) {
                *slot = b;
            }
            self.held = self.held.saturating_add(1);
            if self.held == 3 {
                self.inner.put(&quad(self.carry))?;
                self.carry = [0; 3];
                self.held = 0;
            }
        }
        self.written = self.written.saturating_add(bytes.len());
        Ok(())
    }

    fn position(&self) -> usize {
        self.written
    }
}
