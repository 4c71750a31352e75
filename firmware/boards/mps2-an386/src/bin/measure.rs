//! Measurements on the emulated Cortex-M4, for `tests/measure.sh`, which runs this under
//! `qemu-system-arm -icount shift=6,align=off`: every instruction then advances virtual time by
//! 64 ns and SysTick (25 MHz core clock, 40 ns per tick) counts instructions deterministically.
//!
//! Per scheme (the test configurations of `tests/config/`):
//! * instructions for `Signer::issue` alone, cold (V4 key derived) and with the cached V4 key;
//! * instructions for a whole signed `POST /v1/tickets` through the gateway service (parse,
//!   camera HMAC, replay cache, rate limit, naming, signing, ticket JSON), cold and cached;
//! * peak stack of that whole request, by stack painting.
#![no_std]
#![no_main]

use board_mps2_an386::exit;
use core::hint::black_box;
use core::sync::atomic::{Ordering, compiler_fence};
use cortex_m::peripheral::{SYST, syst::SystClkSource};
use cortex_m_rt::entry;
use upticket::gateway::auth::{self, Signed};
use upticket::gateway::config::Config;
use upticket::gateway::{DEFAULT_TIME_FLOOR, Gateway, MAX_RESPONSE_LEN, SCRATCH_LEN};
use upticket::sign::{SigningKey, V4Params, sign_v1, sign_v4_prepared};
use upticket::{ContentLengthRange, FieldSpec, PolicySpec, Signer, UnixTime};

/// The one member of a configuration document that the signature measurements need.
#[derive(serde::Deserialize)]
struct Secret<'a> {
    access_key_secret: &'a str,
}

fn v4_params(scheme: &str) -> Option<V4Params> {
    match scheme {
        "oss-v4" => Some(V4Params::OSS),
        "s3-v4" => Some(V4Params::S3),
        _ => None,
    }
}

/// `-icount shift` that `tests/measure.sh` passes to QEMU.
const ICOUNT_SHIFT: u32 = 6;
/// SysTick period at the 25 MHz core clock.
const NS_PER_TICK: u64 = 40;
/// The measured requests' time: 2026-11-30T07:33:20Z.
const NOW: u64 = 1_796_000_000;
/// Stack below the measuring frame that is painted before each request.
const PAINT_DEPTH: usize = 32 * 1024;
const PAINT: u32 = 0xCCCC_CCCC;

const CONFIGS: [(&str, &[u8]); 3] = [
    (
        "oss-v4",
        include_bytes!("../../../../tests/config/oss-v4.json"),
    ),
    (
        "oss-v1",
        include_bytes!("../../../../tests/config/oss-v1.json"),
    ),
    (
        "s3-v4",
        include_bytes!("../../../../tests/config/s3-v4.json"),
    ),
];
const BODY: &[u8] = br#"{"extension":"jpg","size":123456,"content_type":"image/jpeg"}"#;

#[entry]
fn main() -> ! {
    let Some(mut cp) = cortex_m::Peripherals::take() else {
        exit(2)
    };
    cp.SYST.set_clock_source(SystClkSource::Core);
    cp.SYST.set_reload(0x00FF_FFFF);
    cp.SYST.clear_current();
    cp.SYST.enable_counter();
    let overhead = ticks(|| ()).1;
    defmt::info!(
        "icount shift {=u32}; SysTick overhead {=u32} ticks",
        ICOUNT_SHIFT,
        overhead
    );

    let mut failures = 0u32;
    for (name, document) in CONFIGS {
        if measure(name, document, overhead).is_none() {
            defmt::error!("{=str}: measurement failed", name);
            failures += 1;
        }
    }
    exit(if failures == 0 { 0 } else { 1 })
}

fn measure(name: &str, document: &[u8], overhead: u32) -> Option<()> {
    let now = UnixTime::from_secs(NOW).ok()?;
    let floor = UnixTime::from_secs(DEFAULT_TIME_FLOOR).ok()?;
    let config = Config::<16>::parse(document).ok()?;
    let oss = config.target.scheme.is_oss();

    // The signer alone, with the spec the gateway builds for an upticket-shape ticket.
    let mut signer = Signer::new(config.target, config.credentials().ok()?).ok()?;
    let spec = PolicySpec {
        content_length: Some(ContentLengthRange::new(123_456, 123_456).ok()?),
        content_type: Some(FieldSpec::exact("image/jpeg")),
        success_action_status: config.success_action_status,
        forbid_overwrite: oss,
        ..PolicySpec::new(FieldSpec::exact(
            "cam/0001/2026/11/30/073320-0123456789abcdef.jpg",
        ))
    };
    let mut scratch = [0u8; SCRATCH_LEN];
    for phase in ["cold", "cached"] {
        let (ok, t) = ticks(|| signer.issue(&spec, now, 300, &mut scratch).is_ok());
        if !ok {
            return None;
        }
        defmt::info!(
            "{=str} signer {=str}: {=u32} instructions",
            name,
            phase,
            instructions(t, overhead)
        );
    }

    // The signature alone over that ticket's base64 policy: V4 key derivation, V4 HMAC with
    // the (cached) key, V1 HMAC.
    let ticket = signer.issue(&spec, now, 300, &mut scratch).ok()?;
    let b64 = ticket.signed().policy_b64();
    let (secret, _) = serde_json_core::from_slice::<Secret<'_>>(document).ok()?;
    let secret = secret.access_key_secret.as_bytes();
    if let Some(params) = v4_params(name) {
        let date = now.date();
        let region = config.target.region;
        // Derivation as the cache does it: the chain, then the key absorbed into HMAC-SHA256.
        let (key, t) = ticks(|| SigningKey::derive(&params, secret, &date, region).prepare());
        defmt::info!(
            "{=str} sign derive-key: {=u32} instructions",
            name,
            instructions(t, overhead)
        );
        let (_, t) = ticks(|| sign_v4_prepared(&key, b64));
        defmt::info!(
            "{=str} sign cached-key: {=u32} instructions ({=usize}-byte base64 policy)",
            name,
            instructions(t, overhead),
            b64.len()
        );
    } else {
        let (_, t) = ticks(|| sign_v1(secret, b64).is_ok());
        defmt::info!(
            "{=str} sign hmac-sha1: {=u32} instructions ({=usize}-byte base64 policy)",
            name,
            instructions(t, overhead),
            b64.len()
        );
    }

    // The whole request through the gateway service.
    let camera = config.cameras.first()?;
    let key = camera.key();
    let mut gateway: Gateway<'_, 16> = Gateway::new(config.clone(), floor).ok()?;
    let mut out = [0u8; MAX_RESPONSE_LEN];
    let mut request = [0u8; 1024];
    for (phase, nonce) in [
        ("cold", "measure-nonce-0001"),
        ("cached", "measure-nonce-0002"),
    ] {
        let len = signed_request(&mut request, camera.id, &key, nonce)?;
        let req = request.get(..len)?;
        let bottom = paint_stack();
        let sp = cortex_m::register::msp::read() as usize;
        let (outcome, t) = ticks(|| gateway.handle(req, Some(now), &mut out));
        let stack = sp.saturating_sub(lowest_used(bottom));
        if outcome.status.code() != 200 {
            defmt::error!(
                "{=str}: {=u16} {=str}",
                name,
                outcome.status.code(),
                outcome.reason
            );
            return None;
        }
        defmt::info!(
            "{=str} gateway {=str}: {=u32} instructions, stack {=usize} bytes, response {=usize} bytes",
            name,
            phase,
            instructions(t, overhead),
            stack,
            outcome.len
        );
    }
    Some(())
}

/// Runs `f` between two SysTick reads; returns its result and the ticks it took.
#[inline(never)]
fn ticks<R>(f: impl FnOnce() -> R) -> (R, u32) {
    compiler_fence(Ordering::SeqCst);
    let start = SYST::get_current();
    compiler_fence(Ordering::SeqCst);
    let result = black_box(f());
    compiler_fence(Ordering::SeqCst);
    let end = SYST::get_current();
    compiler_fence(Ordering::SeqCst);
    (result, start.wrapping_sub(end) & 0x00FF_FFFF)
}

fn instructions(ticks: u32, overhead: u32) -> u32 {
    let ns = u64::from(ticks.saturating_sub(overhead)) * NS_PER_TICK;
    u32::try_from(ns >> ICOUNT_SHIFT).unwrap_or(u32::MAX)
}

/// Paints `PAINT_DEPTH` bytes of free stack below the caller; returns the lowest painted address.
#[inline(never)]
fn paint_stack() -> usize {
    // Leave this function's own frame (and a margin) alone.
    let top = (cortex_m::register::msp::read() as usize - 256) & !3;
    let bottom = top - PAINT_DEPTH;
    cortex_m::interrupt::free(|_| {
        for addr in (bottom..top).step_by(4) {
            // SAFETY: `addr` lies in the main stack below the current stack pointer: memory no
            // live frame uses (interrupts are off, so no handler frame either). RAM is 512 KiB
            // and this binary's statics are small, so the range stays inside the stack region.
            unsafe { (addr as *mut u32).write_volatile(PAINT) };
        }
    });
    bottom
}

/// The lowest address above `bottom` whose paint was overwritten.
fn lowest_used(bottom: usize) -> usize {
    let top = bottom + PAINT_DEPTH;
    (bottom..top)
        .step_by(4)
        // SAFETY: reads of the stack range painted by `paint_stack`, below the current frame.
        .find(|&addr| unsafe { (addr as *const u32).read_volatile() } != PAINT)
        .unwrap_or(top)
}

/// Writes a signed `POST /v1/tickets` for `camera` into `buf`; returns its length.
fn signed_request(buf: &mut [u8], camera: &str, key: &[u8], nonce: &str) -> Option<usize> {
    let mut ts = [0u8; 20];
    let timestamp = decimal(NOW, &mut ts)?;
    let signed = Signed {
        method: "POST",
        target: "/v1/tickets",
        camera,
        timestamp,
        nonce,
        body: BODY,
    };
    let mac = auth::hex32(&signed.mac(key));
    let mut len_digits = [0u8; 20];
    let body_len = decimal(BODY.len() as u64, &mut len_digits)?;
    let parts: [&[u8]; 13] = [
        b"POST /v1/tickets HTTP/1.1\r\nHost: gateway\r\nX-Upticket-Camera: ",
        camera.as_bytes(),
        b"\r\nX-Upticket-Timestamp: ",
        timestamp.as_bytes(),
        b"\r\nX-Upticket-Nonce: ",
        nonce.as_bytes(),
        b"\r\nX-Upticket-Signature: ",
        &mac,
        b"\r\nContent-Type: application/json\r\nContent-Length: ",
        body_len.as_bytes(),
        b"\r\n\r\n",
        BODY,
        b"",
    ];
    let mut len = 0;
    for part in parts {
        buf.get_mut(len..len + part.len())?.copy_from_slice(part);
        len += part.len();
    }
    Some(len)
}

fn decimal(mut n: u64, buf: &mut [u8; 20]) -> Option<&str> {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    core::str::from_utf8(&buf[at..]).ok()
}
