//! Board support for QEMU's `mps2-an386` (ARM MPS2 FPGA image AN386: Cortex-M4F at 25 MHz).
//!
//! * Ethernet: the LAN9118-compatible controller at [`ETH_BASE`] on NVIC line [`ETH_IRQ`].
//! * Time: SysTick at 1 kHz for the monotonic clock; UTC from semihosting `SYS_TIME` once at boot
//!   ([`Clock`]).
//! * Status LED: FPGA IO `LED0` bit 0 ([`Led`], an `embedded_hal::digital::OutputPin`).
//! * Logging: defmt over semihosting (QEMU's stdout, decoded by `defmt-print`).
//! * Panics and hard faults log and end QEMU with a non-zero semihosting exit status.
#![no_std]

use core::cell::Cell;
use core::convert::Infallible;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::{NVIC, SYST, syst::SystClkSource};
use cortex_m_rt::{ExceptionFrame, exception};
use critical_section::Mutex;
use defmt_semihosting as _;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType, OutputPin};
use gateway_app::Timebase;

/// Base address of the LAN9118 register window (QEMU `hw/arm/mps2.c`).
pub const ETH_BASE: usize = 0x4020_0000;
/// NVIC line of the LAN9118.
pub const ETH_IRQ: u16 = 13;
/// Core clock: SysTick counts it.
pub const CORE_HZ: u32 = 25_000_000;
/// FPGA IO block: `LED0` register at offset 0.
const FPGAIO_LED0: usize = 0x4002_8000;

/// Milliseconds since boot, counted by SysTick.
static MILLIS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

defmt::timestamp!(
    "{=u64:ms}",
    critical_section::with(|cs| MILLIS.borrow(cs).get())
);
/// Set when the Ethernet line fired; the line stays masked until [`Clock::idle`] re-arms it.
static ETH_FIRED: AtomicBool = AtomicBool::new(false);

/// The Ethernet controller's NVIC line.
#[derive(Debug, Clone, Copy)]
pub struct EthInterrupt;

// SAFETY: `number` returns the LAN9118's line, a valid interrupt of this device (cortex-m-rt's
// default vector table has 240 lines, all routed to `DefaultHandler`).
unsafe impl InterruptNumber for EthInterrupt {
    fn number(self) -> u16 {
        ETH_IRQ
    }
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ms = MILLIS.borrow(cs);
        ms.set(ms.get().wrapping_add(1));
    });
}

/// Every device interrupt lands here. The level-triggered Ethernet line is masked (the main
/// loop acknowledges the chip and re-arms it); any other line is unexpected and masked too.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == ETH_IRQ as i16 {
        NVIC::mask(EthInterrupt);
        ETH_FIRED.store(true, Ordering::Release);
    } else {
        defmt::warn!("unexpected interrupt {}", irqn);
        if let Ok(line) = u16::try_from(irqn) {
            NVIC::mask(AnyLine(line));
        }
    }
}

#[derive(Clone, Copy)]
struct AnyLine(u16);

// SAFETY: only built from the `irqn` cortex-m-rt reports for a device interrupt that fired,
// which is therefore a valid line.
unsafe impl InterruptNumber for AnyLine {
    fn number(self) -> u16 {
        self.0
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    defmt::error!("hard fault at pc={=u32:#x}", frame.pc());
    exit(3)
}

#[defmt::panic_handler]
fn defmt_panic() -> ! {
    exit(1)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(at) => defmt::error!("panicked at {=str}:{=u32}", at.file(), at.line()),
        None => defmt::error!("panicked"),
    }
    exit(1)
}

/// Ends the emulation with `code` as QEMU's exit status.
pub fn exit(code: i32) -> ! {
    semihosting::process::exit(code)
}

/// Where the board's UTC comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum Utc {
    /// Read once from the host through semihosting `SYS_TIME` at boot.
    Semihosting,
    /// None of the board's own: the gateway takes it from an SNTP server.
    Network,
}

/// Monotonic time from SysTick plus, with [`Utc::Semihosting`], UTC from the host read once at
/// boot.
pub struct Clock {
    /// `(unix seconds, ms since boot)` when `SYS_TIME` was read.
    utc_at: Option<(u64, u64)>,
}

impl Clock {
    /// Starts SysTick at 1 kHz and, with [`Utc::Semihosting`], reads the host's UTC time via
    /// semihosting `SYS_TIME`.
    pub fn start(mut syst: SYST, utc: Utc) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(CORE_HZ / 1000 - 1);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        let mut clock = Self { utc_at: None };
        if utc == Utc::Semihosting {
            match semihosting::sys::arm_compat::sys_time() {
                Ok(secs) if secs > 0 => clock.utc_at = Some((secs as u64, clock.now_ms())),
                _ => defmt::warn!("semihosting SYS_TIME unavailable: time not trusted"),
            }
        }
        clock
    }

    /// Re-arms the Ethernet line and sleeps until any interrupt is pending (SysTick wakes the
    /// core every millisecond). Returns whether the Ethernet line fired.
    fn wait_for_interrupt() -> bool {
        cortex_m::interrupt::disable();
        // SAFETY: unmasking the Ethernet line cannot break a critical section: none relies on
        // it being masked, and its handler only masks it again and sets an atomic flag.
        unsafe { NVIC::unmask(EthInterrupt) };
        // With PRIMASK set, WFI still returns as soon as an interrupt is pending, so an
        // interrupt that arrived before it is never slept through.
        cortex_m::asm::wfi();
        // SAFETY: re-enables interrupts disabled just above; no critical section is open here.
        unsafe { cortex_m::interrupt::enable() };
        ETH_FIRED.swap(false, Ordering::Acquire)
    }
}

impl Timebase for Clock {
    fn now_ms(&self) -> u64 {
        critical_section::with(|cs| MILLIS.borrow(cs).get())
    }

    fn unix_time(&self) -> Option<u64> {
        let (secs, at_ms) = self.utc_at?;
        Some(secs.saturating_add(self.now_ms().saturating_sub(at_ms) / 1000))
    }

    fn idle(&mut self, deadline_ms: Option<u64>) {
        loop {
            if deadline_ms.is_some_and(|d| self.now_ms() >= d) || Self::wait_for_interrupt() {
                return;
            }
        }
    }
}

/// Busy-wait delays calibrated to the 25 MHz core clock.
pub struct Delay;

impl DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        // 25 cycles per microsecond; at least one cycle.
        cortex_m::asm::delay((ns / 40).max(1));
    }
}

/// The FPGA IO user LED 0 as a push-pull output.
pub struct Led {
    _private: (),
}

impl Led {
    fn new() -> Self {
        let mut led = Self { _private: () };
        led.write(false);
        led
    }

    fn write(&mut self, on: bool) {
        let reg = FPGAIO_LED0 as *mut u32;
        // SAFETY: FPGAIO LED0 is a 32-bit read/write register of the MPS2 FPGA IO block; only
        // this type writes it, from the thread that owns it.
        unsafe { reg.write_volatile((reg.read_volatile() & !1) | u32::from(on)) };
    }
}

impl ErrorType for Led {
    type Error = Infallible;
}

impl OutputPin for Led {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(true);
        Ok(())
    }
}

/// The board's peripherals, taken once.
pub struct Board {
    /// Monotonic clock and UTC.
    pub clock: Clock,
    /// The LAN9118's register window, for [`lan9118::Lan9118::new`].
    pub eth: lan9118::Mmio,
    /// The status LED.
    pub led: Led,
    /// Busy-wait delays.
    pub delay: Delay,
}

impl Board {
    /// Takes the board's peripherals and starts the clock with UTC from `utc`; `None` on a
    /// second call.
    pub fn take(utc: Utc) -> Option<Self> {
        let cp = cortex_m::Peripherals::take()?;
        // SAFETY: ETH_BASE is the LAN9118 window of this board, and this is the only place that
        // creates an `Mmio` for it: `Peripherals::take` above succeeds once.
        let eth = unsafe { lan9118::Mmio::new(ETH_BASE) };
        Some(Self {
            clock: Clock::start(cp.SYST, utc),
            eth,
            led: Led::new(),
            delay: Delay,
        })
    }
}
