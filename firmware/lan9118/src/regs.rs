//! The register window and the access trait.

/// The registers the driver uses, as byte offsets into the 256-byte window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum Reg {
    /// RX data FIFO port (read).
    RxDataFifo = 0x00,
    /// TX data FIFO port (write): command A, command B, then the frame's words.
    TxDataFifo = 0x20,
    /// RX status FIFO port (read, pops).
    RxStatusFifo = 0x40,
    /// Chip id (bits 31:16) and revision.
    IdRev = 0x50,
    /// IRQ pin configuration.
    IrqCfg = 0x54,
    /// Interrupt status (write 1 to clear).
    IntSts = 0x58,
    /// Interrupt enable.
    IntEn = 0x5c,
    /// Reads `0x8765_4321`.
    ByteTest = 0x64,
    /// RX configuration (data offset, end alignment).
    RxCfg = 0x6c,
    /// TX configuration (TX on, status overrun).
    TxCfg = 0x70,
    /// Hardware configuration (soft reset).
    HwCfg = 0x74,
    /// RX FIFO information: status words used (23:16), data bytes used (15:0).
    RxFifoInf = 0x7c,
    /// TX FIFO information: status words used (23:16), free data bytes (15:0).
    TxFifoInf = 0x80,
    /// Power management control (`READY`).
    PmtCtrl = 0x84,
    /// MAC CSR command: busy, read/write, index.
    MacCsrCmd = 0xa4,
    /// MAC CSR data.
    MacCsrData = 0xa8,
}

/// 32-bit access to the controller's registers.
///
/// On target this is [`Mmio`]; host tests implement it with a simulated chip.
pub trait Registers {
    /// Reads a register (FIFO ports pop).
    fn read(&mut self, reg: Reg) -> u32;
    /// Writes a register (FIFO ports push).
    fn write(&mut self, reg: Reg, value: u32);
}

/// The controller mapped at a fixed address on the system bus (32-bit mode).
pub struct Mmio {
    base: usize,
}

impl Mmio {
    /// # Safety
    ///
    /// `base` must be the address of a LAN9118-compatible register window (256 bytes, 32-bit
    /// accesses) that nothing else accesses while this value exists.
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    fn ptr(&self, reg: Reg) -> *mut u32 {
        (self.base + reg as usize) as *mut u32
    }
}

impl Registers for Mmio {
    fn read(&mut self, reg: Reg) -> u32 {
        // SAFETY: `Mmio::new`'s contract: `base` is this device's register window, owned by this
        // value; every `Reg` offset is inside the window and 4-byte aligned.
        unsafe { self.ptr(reg).read_volatile() }
    }

    fn write(&mut self, reg: Reg, value: u32) {
        // SAFETY: as in `read`.
        unsafe { self.ptr(reg).write_volatile(value) }
    }
}
