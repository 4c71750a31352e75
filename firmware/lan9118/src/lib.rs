//! A `no_std`, heap-free driver for the SMSC (Microchip) LAN9118 / LAN9220 Ethernet controller,
//! exposed as a [`smoltcp::phy::Device`].
//!
//! The chip is programmed through 32-bit registers in a 256-byte window. All register access goes
//! through the small [`Registers`] trait, so the frame logic (TX command words, RX status parsing,
//! FIFO word packing) runs against a simulated chip on the host; [`Mmio`] is the memory-mapped
//! implementation used on target (QEMU's mps2 boards map the part at `0x4020_0000`).
//!
//! The driver uses programmed I/O only: no DMA, no interrupts of its own. A board may route the
//! chip's IRQ line to the NVIC to wake the CPU ([`Lan9118::enable_rx_interrupt`],
//! [`Lan9118::clear_interrupts`]).
#![cfg_attr(not(test), no_std)]

mod frame;
pub mod regs;

use embedded_hal::delay::DelayNs;
use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

pub use frame::{RxStatus, tx_command_a, tx_command_b, words_for};
pub use regs::{Mmio, Reg, Registers};

/// Largest Ethernet frame handled, without FCS (1500-byte MTU + 14-byte header).
pub const MAX_FRAME: usize = 1514;

/// Bytes of TX data FIFO space one frame may need: the frame, rounded up to words, plus the two
/// command words.
const TX_SPACE_NEEDED: u32 = (MAX_FRAME as u32).div_ceil(4) * 4 + 8;

/// Why the controller could not be brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// `BYTE_TEST` did not read `0x8765_4321`: no chip, wrong address or wrong bus width.
    NotFound,
    /// The soft reset or the power-management `READY` bit did not complete in time.
    ResetTimeout,
    /// A MAC CSR or PHY (MII) access stayed busy.
    BusTimeout,
}

/// Counters kept by the driver, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Frames handed to smoltcp.
    pub rx_frames: u32,
    /// Frames dropped (error summary, filter failure, bad length).
    pub rx_dropped: u32,
    /// Frames written to the TX FIFO.
    pub tx_frames: u32,
}

/// The controller behind a register interface `R`.
pub struct Lan9118<R: Registers> {
    regs: R,
    mac: [u8; 6],
    chip_id: u16,
    rx_buf: [u8; MAX_FRAME + 4],
    tx_buf: [u8; MAX_FRAME],
    stats: Stats,
}

// MAC CSR indices (through MAC_CSR_CMD / MAC_CSR_DATA).
const MAC_CR: u8 = 1;
const MAC_ADDRH: u8 = 2;
const MAC_ADDRL: u8 = 3;
const MAC_MII_ACC: u8 = 6;
const MAC_MII_DATA: u8 = 7;

const MAC_CR_FDPX: u32 = 1 << 20;
const MAC_CR_TXEN: u32 = 1 << 3;
const MAC_CR_RXEN: u32 = 1 << 2;

const CSR_BUSY: u32 = 1 << 31;
const CSR_READ: u32 = 1 << 30;

const MII_BUSY: u32 = 1 << 0;
const MII_WRITE: u32 = 1 << 1;
/// The internal PHY's MII address.
const PHY_ADDR: u32 = 1;
const PHY_BMCR: u32 = 0;
const BMCR_RESET: u32 = 1 << 15;
const BMCR_ANEG_ENABLE: u32 = 1 << 12;
const BMCR_ANEG_RESTART: u32 = 1 << 9;
const BMCR_LOOPBACK: u32 = 1 << 14;

const HW_CFG_SRST: u32 = 1 << 0;
const PMT_CTRL_READY: u32 = 1 << 0;
const TX_CFG_TX_ON: u32 = 1 << 1;
/// TX status FIFO may overrun: the driver never reads TX statuses.
const TX_CFG_TXSAO: u32 = 1 << 2;
/// IRQ pin: push-pull (bit 0), active high (bit 4).
const IRQ_CFG_PUSH_PULL_HIGH: u32 = (1 << 4) | (1 << 0);
/// IRQ pin enable.
const IRQ_CFG_EN: u32 = 1 << 8;
/// RX status FIFO level interrupt.
const INT_RSFL: u32 = 1 << 3;

const BYTE_TEST_VALUE: u32 = 0x8765_4321;

/// Polls of a busy bit before giving up; each poll waits [`POLL_US`].
const POLL_LIMIT: u32 = 10_000;
const POLL_US: u32 = 10;

impl<R: Registers> Lan9118<R> {
    /// Resets and configures the controller: soft reset, MAC address, PHY auto-negotiation,
    /// TX and RX on, no promiscuous mode.
    ///
    /// `mac` overrides the address the chip loaded from its EEPROM; with `None` the chip's own
    /// address is kept (QEMU fills it in from `-nic ...,mac=`).
    pub fn new(mut regs: R, delay: &mut impl DelayNs, mac: Option<[u8; 6]>) -> Result<Self, Error> {
        if regs.read(Reg::ByteTest) != BYTE_TEST_VALUE {
            return Err(Error::NotFound);
        }
        regs.write(Reg::HwCfg, HW_CFG_SRST);
        wait_clear(&mut regs, delay, Reg::HwCfg, HW_CFG_SRST).map_err(|_| Error::ResetTimeout)?;
        wait_set(&mut regs, delay, Reg::PmtCtrl, PMT_CTRL_READY)?;
        let chip_id = (regs.read(Reg::IdRev) >> 16) as u16;
        // IRQ pin disabled and driven inactive (low) until `enable_rx_interrupt`.
        regs.write(Reg::IrqCfg, IRQ_CFG_PUSH_PULL_HIGH);

        let mut dev = Self {
            regs,
            mac: [0; 6],
            chip_id,
            rx_buf: [0; MAX_FRAME + 4],
            tx_buf: [0; MAX_FRAME],
            stats: Stats::default(),
        };
        match mac {
            Some(mac) => dev.set_mac(delay, mac)?,
            None => dev.mac = dev.read_mac(delay)?,
        }
        dev.phy_write(delay, PHY_BMCR, BMCR_RESET)?;
        dev.phy_write(delay, PHY_BMCR, BMCR_ANEG_ENABLE | BMCR_ANEG_RESTART)?;
        dev.regs.write(Reg::TxCfg, TX_CFG_TX_ON | TX_CFG_TXSAO);
        dev.regs.write(Reg::RxCfg, 0);
        dev.mac_write(delay, MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX)?;
        Ok(dev)
    }

    /// The station address in use.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// The chip id from `ID_REV` (`0x0118` for QEMU's model, `0x9220` for a LAN9220).
    pub fn chip_id(&self) -> u16 {
        self.chip_id
    }

    /// Frame counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Routes "a frame was received" to the chip's IRQ pin (push-pull, active high).
    pub fn enable_rx_interrupt(&mut self) {
        self.regs
            .write(Reg::IrqCfg, IRQ_CFG_EN | IRQ_CFG_PUSH_PULL_HIGH);
        self.regs.write(Reg::IntEn, INT_RSFL);
    }

    /// Acknowledges every pending interrupt source, releasing the IRQ line.
    pub fn clear_interrupts(&mut self) {
        self.regs.write(Reg::IntSts, u32::MAX);
    }

    /// Whether a received frame is waiting in the RX FIFO.
    pub fn rx_pending(&mut self) -> bool {
        frame::rx_status_count(self.regs.read(Reg::RxFifoInf)) > 0
    }

    /// Turns the PHY's loopback on (transmitted frames come back to the receiver; self-test)
    /// or back to normal operation with auto-negotiation.
    pub fn set_phy_loopback(&mut self, delay: &mut impl DelayNs, on: bool) -> Result<(), Error> {
        let bmcr = if on {
            BMCR_LOOPBACK
        } else {
            BMCR_ANEG_ENABLE | BMCR_ANEG_RESTART
        };
        self.phy_write(delay, PHY_BMCR, bmcr)
    }

    /// Gives the register interface back.
    pub fn release(self) -> R {
        self.regs
    }

    /// Pops one frame into `rx_buf`; returns its length without FCS, or `None` when the FIFO is
    /// empty. Frames with errors are drained and dropped.
    fn pop_frame(&mut self) -> Option<usize> {
        loop {
            if !self.rx_pending() {
                return None;
            }
            let status = RxStatus(self.regs.read(Reg::RxStatusFifo));
            let len = status.length();
            let words = words_for(len);
            let accept = status.is_good() && len >= 18 && len <= self.rx_buf.len();
            for i in 0..words {
                let word = self.regs.read(Reg::RxDataFifo).to_le_bytes();
                if accept {
                    let at = i * 4;
                    let n = (len - at).min(4);
                    if let (Some(dst), Some(src)) = (self.rx_buf.get_mut(at..at + n), word.get(..n))
                    {
                        dst.copy_from_slice(src);
                    }
                }
            }
            if accept {
                self.stats.rx_frames = self.stats.rx_frames.wrapping_add(1);
                return Some(len - 4);
            }
            self.stats.rx_dropped = self.stats.rx_dropped.wrapping_add(1);
        }
    }

    fn tx_space(&mut self) -> bool {
        frame::tx_free_bytes(self.regs.read(Reg::TxFifoInf)) >= TX_SPACE_NEEDED
    }

    fn set_mac(&mut self, delay: &mut impl DelayNs, mac: [u8; 6]) -> Result<(), Error> {
        let [a0, a1, a2, a3, a4, a5] = mac;
        self.mac_write(delay, MAC_ADDRL, u32::from_le_bytes([a0, a1, a2, a3]))?;
        self.mac_write(delay, MAC_ADDRH, u32::from_le_bytes([a4, a5, 0, 0]))?;
        self.mac = mac;
        Ok(())
    }

    fn read_mac(&mut self, delay: &mut impl DelayNs) -> Result<[u8; 6], Error> {
        let [a0, a1, a2, a3] = self.mac_read(delay, MAC_ADDRL)?.to_le_bytes();
        let [a4, a5, _, _] = self.mac_read(delay, MAC_ADDRH)?.to_le_bytes();
        Ok([a0, a1, a2, a3, a4, a5])
    }

    fn mac_write(&mut self, delay: &mut impl DelayNs, index: u8, value: u32) -> Result<(), Error> {
        wait_clear(&mut self.regs, delay, Reg::MacCsrCmd, CSR_BUSY)?;
        self.regs.write(Reg::MacCsrData, value);
        self.regs.write(Reg::MacCsrCmd, CSR_BUSY | u32::from(index));
        wait_clear(&mut self.regs, delay, Reg::MacCsrCmd, CSR_BUSY)
    }

    fn mac_read(&mut self, delay: &mut impl DelayNs, index: u8) -> Result<u32, Error> {
        wait_clear(&mut self.regs, delay, Reg::MacCsrCmd, CSR_BUSY)?;
        self.regs
            .write(Reg::MacCsrCmd, CSR_BUSY | CSR_READ | u32::from(index));
        wait_clear(&mut self.regs, delay, Reg::MacCsrCmd, CSR_BUSY)?;
        Ok(self.regs.read(Reg::MacCsrData))
    }

    fn phy_write(&mut self, delay: &mut impl DelayNs, reg: u32, value: u32) -> Result<(), Error> {
        self.mii_wait(delay)?;
        self.mac_write(delay, MAC_MII_DATA, value & 0xffff)?;
        self.mac_write(
            delay,
            MAC_MII_ACC,
            (PHY_ADDR << 11) | ((reg & 0x1f) << 6) | MII_WRITE | MII_BUSY,
        )?;
        self.mii_wait(delay)
    }

    fn mii_wait(&mut self, delay: &mut impl DelayNs) -> Result<(), Error> {
        poll(delay, Error::BusTimeout, |delay| {
            Ok(self.mac_read(delay, MAC_MII_ACC)? & MII_BUSY == 0)
        })
    }
}

/// Polls `done` every `POLL_US` up to `POLL_LIMIT` times; `timeout` when it never holds.
fn poll<D: DelayNs>(
    delay: &mut D,
    timeout: Error,
    mut done: impl FnMut(&mut D) -> Result<bool, Error>,
) -> Result<(), Error> {
    for _ in 0..POLL_LIMIT {
        if done(delay)? {
            return Ok(());
        }
        delay.delay_us(POLL_US);
    }
    Err(timeout)
}

fn wait_clear<R: Registers>(
    regs: &mut R,
    delay: &mut impl DelayNs,
    reg: Reg,
    mask: u32,
) -> Result<(), Error> {
    poll(delay, Error::BusTimeout, |_| Ok(regs.read(reg) & mask == 0))
}

fn wait_set<R: Registers>(
    regs: &mut R,
    delay: &mut impl DelayNs,
    reg: Reg,
    mask: u32,
) -> Result<(), Error> {
    poll(delay, Error::ResetTimeout, |_| {
        Ok(regs.read(reg) & mask == mask)
    })
}

/// Receive token: one frame already copied out of the RX FIFO.
pub struct RxToken<'a> {
    frame: &'a [u8],
}

/// Transmit token: writes one frame into the TX FIFO when consumed.
pub struct TxToken<'a, R: Registers> {
    regs: &'a mut R,
    buf: &'a mut [u8; MAX_FRAME],
    stats: &'a mut Stats,
}

impl phy::RxToken for RxToken<'_> {
    fn consume<T, F: FnOnce(&[u8]) -> T>(self, f: F) -> T {
        f(self.frame)
    }
}

impl<R: Registers> phy::TxToken for TxToken<'_, R> {
    fn consume<T, F: FnOnce(&mut [u8]) -> T>(self, len: usize, f: F) -> T {
        let len = len.min(MAX_FRAME);
        let frame = self.buf.get_mut(..len).unwrap_or_default();
        let result = f(frame);
        let tag = self.stats.tx_frames as u16;
        self.regs.write(Reg::TxDataFifo, tx_command_a(len));
        self.regs.write(Reg::TxDataFifo, tx_command_b(len, tag));
        for chunk in frame.chunks(4) {
            let mut word = [0u8; 4];
            if let Some(dst) = word.get_mut(..chunk.len()) {
                dst.copy_from_slice(chunk);
            }
            self.regs.write(Reg::TxDataFifo, u32::from_le_bytes(word));
        }
        self.stats.tx_frames = self.stats.tx_frames.wrapping_add(1);
        result
    }
}

impl<R: Registers> phy::Device for Lan9118<R> {
    type RxToken<'a>
        = RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, R>
    where
        Self: 'a;

    fn receive(&mut self, _timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        if !self.tx_space() {
            return None;
        }
        let len = self.pop_frame()?;
        let frame = self.rx_buf.get(..len)?;
        Some((
            RxToken { frame },
            TxToken {
                regs: &mut self.regs,
                buf: &mut self.tx_buf,
                stats: &mut self.stats,
            },
        ))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<Self::TxToken<'_>> {
        if !self.tx_space() {
            return None;
        }
        Some(TxToken {
            regs: &mut self.regs,
            buf: &mut self.tx_buf,
            stats: &mut self.stats,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MAX_FRAME;
        caps.max_burst_size = Some(1);
        caps
    }
}

#[cfg(test)]
mod tests;
