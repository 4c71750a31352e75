//! On-target tests on the emulated Cortex-M4 (QEMU mps2-an386): the LAN9118 driver against
//! QEMU's controller model, and the board's clock. Run with `cargo test` in `firmware/`.
#![no_std]
#![no_main]

use board_mps2_an386 as _;

#[defmt_test::tests]
mod tests {
    use board_mps2_an386::{Board, Clock, Delay, Utc};
    use defmt::{assert, assert_eq, unwrap};
    use gateway_app::Timebase;
    use lan9118::{Lan9118, Mmio};
    use smoltcp::phy::{Device, RxToken, TxToken};
    use smoltcp::time::Instant;

    /// 2024-01-01T00:00:00Z: any host clock in CI is past it.
    const PLAUSIBLE_UNIX: u64 = 1_704_067_200;

    struct State {
        clock: Clock,
        eth: Lan9118<Mmio>,
        delay: Delay,
    }

    #[init]
    fn init() -> State {
        let Board {
            clock,
            eth,
            mut delay,
            ..
        } = unwrap!(Board::take(Utc::Semihosting));
        let eth = unwrap!(Lan9118::new(eth, &mut delay, None));
        State { clock, eth, delay }
    }

    #[test]
    fn lan9118_identifies_itself(s: &mut State) {
        assert_eq!(s.eth.chip_id(), 0x0118);
        // QEMU's default NIC address.
        assert_eq!(s.eth.mac(), [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert!(!s.eth.rx_pending());
    }

    #[test]
    fn lan9118_phy_loopback_round_trips_frames(s: &mut State) {
        unwrap!(s.eth.set_phy_loopback(&mut s.delay, true));
        let mac = s.eth.mac();
        for len in [60usize, 61, 62, 63, 64, 333, 1514] {
            let tx = unwrap!(s.eth.transmit(Instant::ZERO));
            tx.consume(len, |frame| {
                for (i, b) in frame.iter_mut().enumerate() {
                    *b = (i as u8).wrapping_mul(31).wrapping_add(len as u8);
                }
                frame[..6].copy_from_slice(&mac);
            });
            assert!(s.eth.rx_pending());
            let (rx, _tx) = unwrap!(s.eth.receive(Instant::ZERO));
            rx.consume(|frame| {
                assert_eq!(frame.len(), len);
                assert_eq!(&frame[..6], &mac[..]);
                for (i, &b) in frame.iter().enumerate().skip(6) {
                    assert_eq!(b, (i as u8).wrapping_mul(31).wrapping_add(len as u8));
                }
            });
        }
        unwrap!(s.eth.set_phy_loopback(&mut s.delay, false));
        let stats = s.eth.stats();
        assert_eq!(
            (stats.tx_frames, stats.rx_frames, stats.rx_dropped),
            (7, 7, 0)
        );
    }

    #[test]
    fn lan9118_drops_frames_for_other_stations(s: &mut State) {
        unwrap!(s.eth.set_phy_loopback(&mut s.delay, true));
        let tx = unwrap!(s.eth.transmit(Instant::ZERO));
        tx.consume(60, |frame| {
            frame[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1])
        });
        assert!(!s.eth.rx_pending(), "address filter passed a foreign frame");
        unwrap!(s.eth.set_phy_loopback(&mut s.delay, false));
    }

    #[test]
    fn utc_comes_from_semihosting(s: &mut State) {
        let now = unwrap!(s.clock.unix_time());
        assert!(now > PLAUSIBLE_UNIX, "implausible UTC {=u64}", now);
    }

    #[test]
    fn systick_clock_advances_while_idle(s: &mut State) {
        s.eth.clear_interrupts();
        let start = s.clock.now_ms();
        let utc = unwrap!(s.clock.unix_time());
        while s.clock.now_ms() < start + 1_100 {
            s.clock.idle(Some(start + 1_100));
        }
        let end = s.clock.now_ms();
        assert!(
            end >= start + 1_100 && end < start + 2_000,
            "idle took {=u64} ms",
            end - start
        );
        let later = unwrap!(s.clock.unix_time());
        assert!(
            later > utc && later <= utc + 2,
            "UTC {=u64} -> {=u64}",
            utc,
            later
        );
    }
}
