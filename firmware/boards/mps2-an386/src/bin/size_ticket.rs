//! The core's ticket code: `Signer::issue` (policy JSON, base64, signature) for all three schemes and the ticket
//! JSON, on the same runtime as `size-baseline`. Inputs pass through `black_box` so nothing is
//! folded at compile time.
#![no_std]
#![no_main]

use board_mps2_an386::exit;
use core::hint::black_box;
use cortex_m_rt::entry;
use upticket::{
    ContentLengthRange, Credentials, FieldSpec, PolicySpec, Protocol, Scheme, Secret, Shape,
    Signer, Target, UnixTime, UrlStyle,
};

#[entry]
fn main() -> ! {
    let mut total = 0usize;
    for scheme in [Scheme::OssV4, Scheme::OssV1, Scheme::S3V4] {
        total += issue(black_box(scheme)).unwrap_or(0);
    }
    defmt::info!("signed {=usize} bytes", total);
    exit(0)
}

fn issue(scheme: Scheme) -> Result<usize, upticket::Error> {
    let target = Target {
        scheme,
        bucket: black_box("examplebucket"),
        endpoint: black_box("oss-cn-hangzhou.aliyuncs.com"),
        region: black_box("cn-hangzhou"),
        style: UrlStyle::VirtualHosted,
        protocol: Protocol::Https,
    };
    let secret = Secret::new(black_box(b"OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"))?;
    let credentials = Credentials::new(black_box("44CF9590006BF252F707"), secret, None)?;
    let mut signer = Signer::new(target, credentials)?;
    let spec = PolicySpec {
        content_length: Some(ContentLengthRange::new(1, black_box(10 << 20))?),
        content_type: Some(FieldSpec::exact(black_box("image/jpeg"))),
        ..PolicySpec::new(FieldSpec::exact(black_box("cam/0001/2026/12/04/x.jpg")))
    };
    let mut scratch = [0u8; 2048];
    let now = UnixTime::from_secs(black_box(1_796_000_000))?;
    let ticket = signer.issue(&spec, now, 300, &mut scratch)?;
    let mut out = [0u8; 4096];
    Ok(black_box(ticket.write_json(Shape::Upticket, &mut out)?).len())
}
