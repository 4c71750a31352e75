//! Host tests against a simulated chip that follows QEMU's LAN9118 model: little-endian FIFO
//! words, an FCS word after every received frame, immediate MAC CSR and MII completion.

use super::*;
use smoltcp::phy::{Device, RxToken as _, TxToken as _};
use std::collections::VecDeque;

struct NoDelay;

impl DelayNs for NoDelay {
    fn delay_ns(&mut self, _ns: u32) {}
}

#[derive(Default)]
struct SimChip {
    absent: bool,
    stuck_reset: bool,
    mac: [u8; 6],
    mac_cr: u32,
    mac_data: u32,
    mii_data: u32,
    bmcr: u32,
    tx_cfg: u32,
    int_sts: u32,
    int_en: u32,
    rx_status: VecDeque<u32>,
    rx_data: VecDeque<u32>,
    tx_words: Vec<u32>,
    sent: Vec<Vec<u8>>,
}

impl SimChip {
    /// Queues a frame as the chip would receive it: data words, then the FCS.
    fn receive(&mut self, frame: &[u8], status_bits: u32) {
        let mut bytes = frame.to_vec();
        bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        for chunk in bytes.chunks(4) {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            self.rx_data.push_back(u32::from_le_bytes(w));
        }
        self.rx_status
            .push_back((((frame.len() + 4) as u32) << 16) | status_bits);
        self.int_sts |= INT_RSFL;
    }

    fn tx_push(&mut self, word: u32) {
        self.tx_words.push(word);
        let Some(&cmd_a) = self.tx_words.first() else {
            return;
        };
        let len = (cmd_a & 0x7ff) as usize;
        if self.tx_words.len() == 2 + words_for(len) {
            assert_eq!(cmd_a & 0x3000, 0x3000, "first and last segment");
            assert_eq!(self.tx_words[1] & 0x7ff, len as u32, "command B length");
            let mut frame: Vec<u8> = self.tx_words[2..]
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect();
            frame.truncate(len);
            self.sent.push(frame);
            self.tx_words.clear();
        }
    }

    fn mac_csr(&mut self, cmd: u32) {
        let index = (cmd & 0xff) as u8;
        if cmd & CSR_READ != 0 {
            self.mac_data = match index {
                MAC_CR => self.mac_cr,
                MAC_ADDRL => {
                    u32::from_le_bytes([self.mac[0], self.mac[1], self.mac[2], self.mac[3]])
                }
                MAC_ADDRH => u32::from_le_bytes([self.mac[4], self.mac[5], 0, 0]),
                MAC_MII_ACC => 0,
                MAC_MII_DATA => self.mii_data,
                _ => panic!("MAC CSR read {index}"),
            };
        } else {
            let v = self.mac_data;
            match index {
                MAC_CR => self.mac_cr = v,
                MAC_ADDRL => self.mac[..4].copy_from_slice(&v.to_le_bytes()),
                MAC_ADDRH => self.mac[4..].copy_from_slice(&v.to_le_bytes()[..2]),
                MAC_MII_DATA => self.mii_data = v,
                MAC_MII_ACC => {
                    assert_eq!((v >> 11) & 0x1f, PHY_ADDR);
                    if v & MII_WRITE != 0 && (v >> 6) & 0x1f == PHY_BMCR {
                        self.bmcr = self.mii_data;
                    }
                }
                _ => panic!("MAC CSR write {index}"),
            }
        }
    }
}

impl Registers for &mut SimChip {
    fn read(&mut self, reg: Reg) -> u32 {
        if self.absent {
            return 0xffff_ffff;
        }
        match reg {
            Reg::ByteTest => BYTE_TEST_VALUE,
            Reg::IdRev => 0x0118_0001,
            Reg::HwCfg => u32::from(self.stuck_reset),
            Reg::PmtCtrl => PMT_CTRL_READY,
            Reg::MacCsrCmd => 0,
            Reg::MacCsrData => self.mac_data,
            Reg::RxFifoInf => {
                ((self.rx_status.len() as u32) << 16) | (self.rx_data.len() as u32 * 4)
            }
            Reg::TxFifoInf => 4608 - self.tx_words.len() as u32 * 4,
            Reg::RxStatusFifo => self.rx_status.pop_front().expect("RX status underflow"),
            Reg::RxDataFifo => self.rx_data.pop_front().expect("RX data underflow"),
            Reg::IntSts => self.int_sts,
            Reg::IntEn => self.int_en,
            other => panic!("read of {other:?}"),
        }
    }

    fn write(&mut self, reg: Reg, value: u32) {
        match reg {
            Reg::HwCfg => assert_eq!(value, HW_CFG_SRST),
            Reg::MacCsrData => self.mac_data = value,
            Reg::MacCsrCmd => self.mac_csr(value),
            Reg::TxCfg => self.tx_cfg = value,
            Reg::RxCfg => assert_eq!(value, 0, "no RX data offset"),
            Reg::TxDataFifo => self.tx_push(value),
            Reg::IntSts => self.int_sts &= !value,
            Reg::IntEn => self.int_en = value,
            Reg::IrqCfg => {}
            other => panic!("write of {other:?}"),
        }
    }
}

fn frame(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn init_configures_mac_and_phy() {
    let mut chip = SimChip {
        mac: [0x52, 0x54, 0, 0x12, 0x34, 0x56],
        ..SimChip::default()
    };
    let dev = Lan9118::new(&mut chip, &mut NoDelay, None).unwrap();
    assert_eq!(dev.mac(), [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    assert_eq!(dev.chip_id(), 0x0118);
    dev.release();
    assert_eq!(
        chip.mac_cr,
        MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX,
        "RX/TX on, not promiscuous"
    );
    assert_eq!(chip.tx_cfg, TX_CFG_TX_ON | TX_CFG_TXSAO);
    assert_eq!(chip.bmcr, BMCR_ANEG_ENABLE | BMCR_ANEG_RESTART);
}

#[test]
fn init_overrides_mac() {
    let mut chip = SimChip::default();
    let mac = [0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc];
    let dev = Lan9118::new(&mut chip, &mut NoDelay, Some(mac)).unwrap();
    assert_eq!(dev.mac(), mac);
    dev.release();
    assert_eq!(chip.mac, mac);
}

#[test]
fn init_reports_missing_chip_and_stuck_reset() {
    let mut absent = SimChip {
        absent: true,
        ..SimChip::default()
    };
    assert_eq!(
        Lan9118::new(&mut absent, &mut NoDelay, None).err(),
        Some(Error::NotFound)
    );
    let mut stuck = SimChip {
        stuck_reset: true,
        ..SimChip::default()
    };
    assert_eq!(
        Lan9118::new(&mut stuck, &mut NoDelay, None).err(),
        Some(Error::ResetTimeout)
    );
}

#[test]
fn receives_frames_of_every_alignment() {
    let mut chip = SimChip::default();
    let mut dev = Lan9118::new(&mut chip, &mut NoDelay, None).unwrap();
    for len in [60, 61, 62, 63, 64, 100, 1513, MAX_FRAME] {
        let f = frame(len);
        // Reach the simulated chip through the driver's own register access.
        regs_of(&mut dev).receive(&f, 0);
        assert!(dev.rx_pending());
        let (rx, _tx) = dev.receive(Instant::ZERO).expect("a frame");
        rx.consume(|got| assert_eq!(got, &f[..], "len {len}"));
        assert!(!dev.rx_pending());
    }
    assert_eq!(dev.stats().rx_frames, 8);
    assert!(dev.receive(Instant::ZERO).is_none());
}

#[test]
fn drops_bad_frames_and_keeps_the_fifo_in_step() {
    let mut chip = SimChip::default();
    let mut dev = Lan9118::new(&mut chip, &mut NoDelay, None).unwrap();
    let good = frame(98);
    regs_of(&mut dev).receive(&frame(77), RxStatus::ERROR_SUMMARY);
    regs_of(&mut dev).receive(&frame(70), RxStatus::FILTER_FAIL);
    regs_of(&mut dev).receive(&frame(10), 0);
    regs_of(&mut dev).receive(&good, 0);
    let (rx, _tx) = dev.receive(Instant::ZERO).expect("the good frame");
    rx.consume(|got| assert_eq!(got, &good[..]));
    assert_eq!(dev.stats().rx_dropped, 3);
    dev.release();
    assert!(chip.rx_data.is_empty() && chip.rx_status.is_empty());
}

#[test]
fn transmits_frames_as_command_words_and_data() {
    let mut chip = SimChip::default();
    let mut dev = Lan9118::new(&mut chip, &mut NoDelay, None).unwrap();
    let lens = [42, 43, 44, 45, 600, MAX_FRAME];
    for len in lens {
        let f = frame(len);
        let tx = dev.transmit(Instant::ZERO).expect("TX space");
        tx.consume(len, |buf| buf.copy_from_slice(&f));
    }
    assert_eq!(dev.stats().tx_frames, lens.len() as u32);
    dev.release();
    let sent: Vec<usize> = chip.sent.iter().map(Vec::len).collect();
    assert_eq!(sent, lens);
    for (got, len) in chip.sent.iter().zip(lens) {
        assert_eq!(got, &frame(len));
    }
}

#[test]
fn interrupts_are_acknowledged() {
    let mut chip = SimChip::default();
    let mut dev = Lan9118::new(&mut chip, &mut NoDelay, None).unwrap();
    dev.enable_rx_interrupt();
    regs_of(&mut dev).receive(&frame(60), 0);
    dev.clear_interrupts();
    dev.release();
    assert_eq!(chip.int_en, INT_RSFL);
    assert_eq!(chip.int_sts, 0);
}

#[test]
fn command_words() {
    assert_eq!(tx_command_a(60), 0x3000 | 60);
    assert_eq!(tx_command_b(1514, 0xabcd), 0xabcd_0000 | 1514);
    assert_eq!(RxStatus(0x0040_0000).length(), 64);
    assert!(RxStatus(0x0040_0000).is_good());
    assert!(!RxStatus(0x0040_8000).is_good());
    assert_eq!(words_for(61), 16);
}

fn regs_of<'a>(dev: &'a mut Lan9118<&mut SimChip>) -> &'a mut SimChip {
    dev.regs
}
