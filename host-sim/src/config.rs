//! Loading the gateway configuration (`docs/config.md`) from a file.

use upticket::UnixTime;
use upticket::gateway::DEFAULT_TIME_FLOOR;
use upticket::gateway::config::Config;

use crate::server::{SIM_CAMERAS, SimGateway};

/// Reads and checks the configuration at `path`. The bytes live for the rest of the process:
/// the gateway borrows from them, as the firmware borrows from flash.
pub fn load(path: &std::path::Path) -> Result<Config<'static, SIM_CAMERAS>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(bytes.leak()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks a configuration document held for the rest of the process.
pub fn parse(bytes: &'static [u8]) -> Result<Config<'static, SIM_CAMERAS>, String> {
    Config::parse(bytes).map_err(|e| e.to_string())
}

/// Stack for building the simulator's gateway: it keeps its replay state inline (about 512 KiB
/// for 128 cameras x 256 nonces; the firmware's is 1 KiB), more than a test thread's 2 MiB
/// stack holds once moves copy it.
const BUILD_STACK: usize = 16 << 20;

/// A gateway for `config`, trusting clocks from [`DEFAULT_TIME_FLOOR`] on (or from `floor`).
/// It is built on a thread with room for it and handed back on the heap.
pub fn gateway(
    config: Config<'static, SIM_CAMERAS>,
    floor: Option<u64>,
) -> Result<Box<SimGateway>, String> {
    let floor =
        UnixTime::from_secs(floor.unwrap_or(DEFAULT_TIME_FLOOR)).map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("gateway-build".into())
        .stack_size(BUILD_STACK)
        .spawn(move || {
            SimGateway::new(config, floor)
                .map(Box::new)
                .map_err(|e| e.to_string())
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "building the gateway panicked".to_string())?
}
