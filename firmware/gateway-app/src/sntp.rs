//! Network time: a minimal SNTPv4 client (RFC 4330) for boards without a trusted clock.
//!
//! Unauthenticated, like every SNTP on a LAN; the core's time floor still refuses clocks that
//! were never set, and the camera requests' own timestamps must agree within the core's skew.

/// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
/// Length of an SNTP packet without extensions.
pub const PACKET_LEN: usize = 48;
/// How often to ask until the first answer.
pub const RETRY_MS: u64 = 2_000;
/// How often to ask again once synchronised (the crystal drifts).
pub const RESYNC_MS: u64 = 3_600_000;

/// A client request whose transmit timestamp is `nonce` (echoed by the server as the
/// originate timestamp, which ties the answer to this request).
pub fn request(nonce: u64) -> [u8; PACKET_LEN] {
    let mut packet = [0u8; PACKET_LEN];
    // LI 0, version 4, mode 3 (client).
    packet[0] = 0x23;
    packet[40..48].copy_from_slice(&nonce.to_be_bytes());
    packet
}

/// Why an answer was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SntpError {
    /// Shorter than an SNTP packet.
    Short,
    /// Not a server answer (mode 4) or the server is unsynchronised (leap indicator 3,
    /// stratum 0 "kiss-o'-death", or stratum above 15).
    NotServer,
    /// The originate timestamp is not our request's.
    NotOurs,
    /// The transmit timestamp is before 1970 or past 2106.
    BadTime,
}

/// UTC Unix seconds from a server's answer to [`request`]`(nonce)`.
pub fn parse(answer: &[u8], nonce: u64) -> Result<u64, SntpError> {
    let packet: &[u8; PACKET_LEN] = answer
        .get(..PACKET_LEN)
        .and_then(|p| p.try_into().ok())
        .ok_or(SntpError::Short)?;
    let leap = packet[0] >> 6;
    let mode = packet[0] & 0x07;
    let stratum = packet[1];
    if mode != 4 || leap == 3 || stratum == 0 || stratum > 15 {
        return Err(SntpError::NotServer);
    }
    let originate = u64::from_be_bytes([
        packet[24], packet[25], packet[26], packet[27], packet[28], packet[29], packet[30],
        packet[31],
    ]);
    if originate != nonce {
        return Err(SntpError::NotOurs);
    }
    let seconds = u64::from(u32::from_be_bytes([
        packet[40], packet[41], packet[42], packet[43],
    ]));
    seconds
        .checked_sub(NTP_UNIX_OFFSET)
        .filter(|&s| s > 0)
        .ok_or(SntpError::BadTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(nonce: u64, unix: u64) -> [u8; PACKET_LEN] {
        let mut p = [0u8; PACKET_LEN];
        p[0] = 0x24; // LI 0, version 4, mode 4 (server)
        p[1] = 2;
        p[24..32].copy_from_slice(&nonce.to_be_bytes());
        p[40..44].copy_from_slice(&((unix + NTP_UNIX_OFFSET) as u32).to_be_bytes());
        p
    }

    #[test]
    fn request_is_a_v4_client_packet_carrying_the_nonce() {
        let r = request(0x0102_0304_0506_0708);
        assert_eq!(r[0], 0x23);
        assert_eq!(&r[40..48], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(r[1..40].iter().all(|&b| b == 0));
    }

    #[test]
    fn parses_the_transmit_time() {
        assert_eq!(parse(&answer(7, 1_796_400_000), 7), Ok(1_796_400_000));
    }

    #[test]
    fn refuses_bad_answers() {
        assert_eq!(
            parse(&answer(7, 1_796_400_000)[..47], 7),
            Err(SntpError::Short)
        );
        assert_eq!(parse(&answer(8, 1_796_400_000), 7), Err(SntpError::NotOurs));
        let mut kiss = answer(7, 1_796_400_000);
        kiss[1] = 0;
        assert_eq!(parse(&kiss, 7), Err(SntpError::NotServer));
        let mut client = answer(7, 1_796_400_000);
        client[0] = 0x23;
        assert_eq!(parse(&client, 7), Err(SntpError::NotServer));
        let mut unsynced = answer(7, 1_796_400_000);
        unsynced[0] |= 0xc0;
        assert_eq!(parse(&unsynced, 7), Err(SntpError::NotServer));
        let mut early = answer(7, 0);
        early[40..44].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(parse(&early, 7), Err(SntpError::BadTime));
    }
}
