//! Frame-level encoding of the controller's FIFO words, independent of any register access.

/// TX command A bit: first segment of a frame.
const TX_CMD_A_FIRST: u32 = 1 << 13;
/// TX command A bit: last segment of a frame.
const TX_CMD_A_LAST: u32 = 1 << 12;

/// TX command A for a frame sent as one segment of `len` bytes, data starting word-aligned.
pub fn tx_command_a(len: usize) -> u32 {
    TX_CMD_A_FIRST | TX_CMD_A_LAST | (len as u32 & 0x7ff)
}

/// TX command B: the frame's `tag` (echoed in the TX status) and its total length.
pub fn tx_command_b(len: usize, tag: u16) -> u32 {
    (u32::from(tag) << 16) | (len as u32 & 0x7ff)
}

/// FIFO words holding `len` bytes that start word-aligned.
pub fn words_for(len: usize) -> usize {
    len.div_ceil(4)
}

/// Entries in the RX status FIFO, from `RX_FIFO_INF`.
pub(crate) fn rx_status_count(rx_fifo_inf: u32) -> u32 {
    (rx_fifo_inf >> 16) & 0xff
}

/// Free bytes in the TX data FIFO, from `TX_FIFO_INF`.
pub(crate) fn tx_free_bytes(tx_fifo_inf: u32) -> u32 {
    tx_fifo_inf & 0xffff
}

/// One RX status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RxStatus(pub u32);

impl RxStatus {
    /// Error summary (CRC, runt, too long, collision, ...).
    pub const ERROR_SUMMARY: u32 = 1 << 15;
    /// The frame failed the address filter (only delivered with receive-all).
    pub const FILTER_FAIL: u32 = 1 << 30;

    /// Frame length in the data FIFO, including the 4-byte FCS.
    pub fn length(self) -> usize {
        ((self.0 >> 16) & 0x3fff) as usize
    }

    /// Whether the frame is free of errors and passed the address filter.
    pub fn is_good(self) -> bool {
        self.0 & (Self::ERROR_SUMMARY | Self::FILTER_FAIL) == 0
    }
}
