//! The upticket gateway firmware for the ST Nucleo-F429ZI.
//!
//! * Ethernet: the STM32F429's MAC with DMA (stm32-eth) and the board's LAN8742A PHY over
//!   RMII; static IPv4 address [`IP`] (edit for your LAN).
//! * Time: SysTick at 1 kHz for the monotonic clock; UTC from the SNTP server
//!   [`TIME_SERVER`]. Until it answers the gateway answers tickets with 503, as the service
//!   defines.
//! * Status LED: LD1 (green, PB0) through `embedded_hal::digital::OutputPin`.
//! * Logging: defmt over RTT (probe-rs); panics log and reset the MCU.
//!
//! Flash with `cargo run --release` from this folder (probe-rs runner).
#![no_std]
#![no_main]

use core::cell::Cell;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m::peripheral::{NVIC, SCB, SYST, syst::SystClkSource};
use cortex_m_rt::{entry, exception};
use critical_section::Mutex;
use defmt_rtt as _;
use embedded_hal::digital::OutputPin;
use gateway_app::{Gateway, NetConfig, Storage, TimeServer, Timebase, Upticket};
use static_cell::{ConstStaticCell, StaticCell};
use stm32_eth::dma::{RxRingEntry, TxRingEntry};
use stm32_eth::{EthPins, Parts, PartsIn};
use stm32f4xx_hal::gpio::GpioExt;
use stm32f4xx_hal::pac::{self, Interrupt, interrupt};
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::RccExt;

/// Concurrent TCP connections (each about 13 KiB of buffers).
const CONNECTIONS: usize = 8;
/// Core clock.
const SYSCLK_HZ: u32 = 168_000_000;
/// The gateway's IPv4 address, prefix and default gateway.
const IP: [u8; 4] = [192, 168, 1, 50];
const PREFIX_LEN: u8 = 24;
const ROUTER: [u8; 4] = [192, 168, 1, 1];
/// The SNTP server UTC comes from (the router, as on most LANs).
const TIME_SERVER: TimeServer = TimeServer {
    ip: [192, 168, 1, 1],
    port: 123,
};

/// The configuration document (the simulator's JSON), chosen at build time with
/// `UPTICKET_CONFIG`.
static CONFIG: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/config.json"));

static STORAGE: ConstStaticCell<Storage<CONNECTIONS, { CONNECTIONS + 1 }>> =
    ConstStaticCell::new(Storage::new());
static SERVICE: StaticCell<Upticket<'static>> = StaticCell::new();
static RX_RING: ConstStaticCell<[RxRingEntry; 4]> =
    ConstStaticCell::new([const { RxRingEntry::new() }; 4]);
static TX_RING: ConstStaticCell<[TxRingEntry; 4]> =
    ConstStaticCell::new([const { TxRingEntry::new() }; 4]);

static MILLIS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));
static ETH_FIRED: AtomicBool = AtomicBool::new(false);

defmt::timestamp!(
    "{=u64:ms}",
    critical_section::with(|cs| MILLIS.borrow(cs).get())
);

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ms = MILLIS.borrow(cs);
        ms.set(ms.get().wrapping_add(1));
    });
}

#[interrupt]
fn ETH() {
    stm32_eth::eth_interrupt_handler();
    ETH_FIRED.store(true, Ordering::Release);
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(at) => defmt::error!("panicked at {=str}:{=u32}; resetting", at.file(), at.line()),
        None => defmt::error!("panicked; resetting"),
    }
    SCB::sys_reset()
}

/// SysTick milliseconds; UTC comes from the network (the gateway's SNTP client).
struct Clock;

impl Clock {
    fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(SYSCLK_HZ / 1000 - 1);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Clock
    }
}

impl Timebase for Clock {
    fn now_ms(&self) -> u64 {
        critical_section::with(|cs| MILLIS.borrow(cs).get())
    }

    fn unix_time(&self) -> Option<u64> {
        None
    }

    fn idle(&mut self, deadline_ms: Option<u64>) {
        while deadline_ms.is_none_or(|d| self.now_ms() < d)
            && !ETH_FIRED.swap(false, Ordering::Acquire)
        {
            // SysTick wakes the core every millisecond, the Ethernet DMA on every frame.
            cortex_m::asm::wfi();
        }
    }
}

#[entry]
fn main() -> ! {
    let (Some(dp), Some(cp)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        SCB::sys_reset()
    };
    // 8 MHz from the ST-LINK's MCO (HSE bypass).
    let clocks = dp
        .RCC
        .constrain()
        .cfgr
        .use_hse(8.MHz())
        .bypass_hse_oscillator()
        .sysclk(SYSCLK_HZ.Hz())
        .hclk(SYSCLK_HZ.Hz())
        .freeze();
    let mut clock = Clock::start(cp.SYST);
    defmt::info!("upticket gateway on Nucleo-F429ZI");
    let service = SERVICE.init_with(|| Upticket::from_config(CONFIG));

    let gpioa = dp.GPIOA.split();
    let gpiob = dp.GPIOB.split();
    let gpioc = dp.GPIOC.split();
    let gpiog = dp.GPIOG.split();
    let mut led = gpiob.pb0.into_push_pull_output();
    let pins = EthPins {
        ref_clk: gpioa.pa1,
        crs: gpioa.pa7,
        tx_en: gpiog.pg11,
        tx_d0: gpiog.pg13,
        tx_d1: gpiob.pb13,
        rx_d0: gpioc.pc4,
        rx_d1: gpioc.pc5,
    };
    let parts = PartsIn {
        dma: dp.ETHERNET_DMA,
        mac: dp.ETHERNET_MAC,
        mmc: dp.ETHERNET_MMC,
    };
    let Ok(Parts { mut dma, .. }) = stm32_eth::new(
        parts,
        &mut RX_RING.take()[..],
        &mut TX_RING.take()[..],
        clocks,
        pins,
    ) else {
        defmt::error!("Ethernet: HCLK too slow");
        SCB::sys_reset()
    };
    dma.enable_interrupt();
    // SAFETY: the ETH handler only acknowledges the DMA and sets an atomic flag; no critical
    // section relies on this line being masked.
    unsafe { NVIC::unmask(Interrupt::ETH) };

    let mac = locally_administered_mac();
    let net = NetConfig {
        mac,
        ip: IP,
        prefix_len: PREFIX_LEN,
        gateway: ROUTER,
        port: 80,
        seed: u64::from(u32::from_le_bytes([mac[2], mac[3], mac[4], mac[5]])),
        time_server: Some(TIME_SERVER),
    };
    let mut device = &mut dma;
    let mut gateway = Gateway::new(&mut device, &net, STORAGE.take(), clock.now_ms());
    defmt::info!(
        "listening on {=[u8]}:{=u16}, mac {=[u8]:02x}",
        net.ip,
        net.port,
        mac
    );

    loop {
        let deadline = gateway.poll(&mut device, service, &clock);
        // Status LED: on while tickets can be issued.
        let ready = service.is_serving() && gateway.unix_time(&clock).is_some();
        if OutputPin::set_state(&mut led, ready.into()).is_err() {
            defmt::warn!("status LED");
        }
        clock.idle(deadline);
    }
}

/// A stable, locally administered unicast address from the MCU's unique id.
fn locally_administered_mac() -> [u8; 6] {
    let uid = stm32f4xx_hal::signature::Uid::get();
    let [x0, x1] = uid.x().to_le_bytes();
    let [y0, y1] = uid.y().to_le_bytes();
    [0x02, uid.waf_num(), x0, x1, y0, y1]
}
