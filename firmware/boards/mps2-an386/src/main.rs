//! The upticket gateway firmware for QEMU's mps2-an386.
//!
//! Boots, builds the gateway service from the configuration block in flash, brings up the
//! LAN9118 with the static address QEMU user networking expects (10.0.2.15/24, gateway
//! 10.0.2.2) and serves the gateway API on TCP port 80.
#![no_std]
#![no_main]

use board_mps2_an386::{Board, Utc, exit};
use cortex_m_rt::entry;
use embedded_hal::digital::OutputPin;
use gateway_app::{Gateway, NetConfig, Storage, TimeServer, Timebase, Upticket};
use lan9118::Lan9118;
use static_cell::{ConstStaticCell, StaticCell};

/// Concurrent TCP connections.
const CONNECTIONS: usize = 16;

include!(concat!(env!("OUT_DIR"), "/time_source.rs"));

/// The configuration document (the simulator's JSON), chosen at build time with
/// `UPTICKET_CONFIG`.
static CONFIG: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/config.json"));

static STORAGE: ConstStaticCell<Storage<CONNECTIONS, { CONNECTIONS + 1 }>> =
    ConstStaticCell::new(Storage::new());
static SERVICE: StaticCell<Upticket<'static>> = StaticCell::new();

#[entry]
fn main() -> ! {
    let Some(Board {
        mut clock,
        eth,
        mut led,
        mut delay,
    }) = Board::take(if SNTP_PORT.is_some() {
        Utc::Network
    } else {
        Utc::Semihosting
    })
    else {
        exit(2)
    };
    defmt::info!("upticket gateway on mps2-an386");
    let service = SERVICE.init_with(|| Upticket::from_config(CONFIG));

    let mut eth = match Lan9118::new(eth, &mut delay, None) {
        Ok(eth) => eth,
        Err(e) => {
            defmt::error!("Ethernet controller: {}", e);
            exit(2)
        }
    };
    eth.enable_rx_interrupt();
    let mac = eth.mac();
    defmt::info!(
        "Ethernet chip {=u16:04x}, mac {=[u8]:02x}",
        eth.chip_id(),
        mac
    );

    let net = NetConfig {
        mac,
        ip: [10, 0, 2, 15],
        prefix_len: 24,
        gateway: [10, 0, 2, 2],
        port: 80,
        seed: clock.unix_time().unwrap_or(0)
            ^ u64::from(u32::from_le_bytes([mac[2], mac[3], mac[4], mac[5]])),
        // QEMU user networking: 10.0.2.2 is the host's loopback.
        time_server: SNTP_PORT.map(|port| TimeServer {
            ip: [10, 0, 2, 2],
            port,
        }),
    };
    let mut gateway = Gateway::new(&mut eth, &net, STORAGE.take(), clock.now_ms());
    match (clock.unix_time(), net.time_server) {
        (Some(now), _) => defmt::info!("UTC {=u64} (semihosting)", now),
        (None, Some(server)) => defmt::info!("UTC from SNTP {}", server),
        (None, None) => defmt::warn!("no trusted time: tickets get 503"),
    }
    defmt::info!("listening on {=[u8]}:{=u16}", net.ip, net.port);

    loop {
        let deadline = gateway.poll(&mut eth, service, &clock);
        // Status LED: on while tickets can be issued.
        let ready = service.is_serving() && gateway.unix_time(&clock).is_some();
        if led.set_state(ready.into()).is_err() {
            defmt::warn!("status LED");
        }
        eth.clear_interrupts();
        if !eth.rx_pending() {
            clock.idle(deadline);
        }
    }
}
