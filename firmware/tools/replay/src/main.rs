//! `upticket-replay CONFIG TRANSCRIPT`: a host-side check that the firmware's answers are the
//! host's, byte for byte.
//!
//! Each transcript line is `NOW REQUEST_HEX RESPONSE_HEX`: a request the firmware answered, the
//! firmware's UTC time for it, and the firmware's response. Every request is handed to a fresh
//! host gateway ([`upticket::gateway::Gateway`], the code the simulator serves) built from the
//! same configuration document, at the same time; the responses must be identical.
//!
//! Build and run for the host, e.g.
//! `cargo run -p upticket-replay --target x86_64-unknown-linux-gnu -- CONFIG TRANSCRIPT`.

use std::process::ExitCode;

use upticket::UnixTime;
use upticket::gateway::config::Config;
use upticket::gateway::{DEFAULT_TIME_FLOOR, Gateway, MAX_RESPONSE_LEN};

/// The simulator's camera-table capacity (it does not change any answer).
const SIM_CAMERAS: usize = 128;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, config_path, transcript_path] = args.as_slice() else {
        eprintln!("usage: upticket-replay CONFIG TRANSCRIPT");
        return ExitCode::from(2);
    };
    match run(config_path, transcript_path) {
        Ok((same, 0)) if same > 0 => {
            println!("replay: {same} identical, 0 different");
            ExitCode::SUCCESS
        }
        Ok((same, different)) => {
            println!("replay: {same} identical, {different} different");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("replay: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(config_path: &str, transcript_path: &str) -> Result<(usize, usize), String> {
    let document = std::fs::read(config_path).map_err(|e| format!("{config_path}: {e}"))?;
    let transcript =
        std::fs::read_to_string(transcript_path).map_err(|e| format!("{transcript_path}: {e}"))?;
    let floor = UnixTime::from_secs(DEFAULT_TIME_FLOOR).map_err(|e| e.to_string())?;
    let (mut same, mut different) = (0, 0);
    for (number, line) in transcript.lines().enumerate() {
        let mut parts = line.split(' ');
        let (Some(now), Some(request), Some(expected), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "line {}: expected NOW REQUEST_HEX RESPONSE_HEX",
                number + 1
            ));
        };
        let now = now
            .parse::<u64>()
            .ok()
            .and_then(|s| UnixTime::from_secs(s).ok())
            .ok_or(format!("line {}: bad time", number + 1))?;
        let request = unhex(request).ok_or(format!("line {}: bad request hex", number + 1))?;
        let expected = unhex(expected).ok_or(format!("line {}: bad response hex", number + 1))?;

        let config = Config::<SIM_CAMERAS>::parse(&document).map_err(|e| e.to_string())?;
        let mut gateway: Gateway<'_, SIM_CAMERAS> =
            Gateway::new(config, floor).map_err(|e| e.to_string())?;
        let mut out = vec![0u8; MAX_RESPONSE_LEN];
        let outcome = gateway.handle(&request, Some(now), &mut out);
        let got = out.get(..outcome.len).unwrap_or_default();
        if got == expected.as_slice() {
            same += 1;
        } else {
            different += 1;
            println!(
                "line {}: differs\n  firmware: {}\n  host:     {}",
                number + 1,
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(got)
            );
        }
    }
    Ok((same, different))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
