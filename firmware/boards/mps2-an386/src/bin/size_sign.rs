//! The core's signing code alone: `sign_policy` (base64, OSS V1 HMAC-SHA1, V4 key derivation
//! and HMAC-SHA256) for all three schemes, on the same runtime as `size-baseline`. Inputs pass
//! through `black_box` so nothing is folded at compile time.
#![no_std]
#![no_main]

use board_mps2_an386::exit;
use core::hint::black_box;
use cortex_m_rt::entry;
use upticket::{Credentials, Scheme, Secret, UnixTime, sign_policy};

#[entry]
fn main() -> ! {
    let mut total = 0usize;
    for scheme in [Scheme::OssV4, Scheme::OssV1, Scheme::S3V4] {
        total += sign(black_box(scheme)).unwrap_or(0);
    }
    defmt::info!("signed {=usize} bytes", total);
    exit(0)
}

fn sign(scheme: Scheme) -> Result<usize, upticket::Error> {
    let secret = Secret::new(black_box(b"OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"))?;
    let credentials = Credentials::new(black_box("44CF9590006BF252F707"), secret, None)?;
    let policy = black_box(br#"{"expiration":"2026-12-04T16:12:46.000Z","conditions":[]}"#);
    let now = UnixTime::from_secs(black_box(1_796_000_000))?;
    let mut scratch = [0u8; 256];
    let signed = sign_policy(
        scheme,
        &credentials,
        "cn-hangzhou",
        now,
        policy,
        &mut scratch,
    )?;
    Ok(black_box(signed.signature().as_bytes()).len())
}
