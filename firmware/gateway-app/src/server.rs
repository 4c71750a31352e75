//! The smoltcp interface and the TCP connection pool.

use core::mem::MaybeUninit;

use smoltcp::iface::{
    Config, Interface, PollIngressSingleResult, SocketHandle, SocketSet, SocketStorage,
};
use smoltcp::phy::Device;
use smoltcp::socket::{tcp, udp};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr, Ipv4Address};

use upticket::gateway::MAX_RESPONSE_LEN;
use upticket::gateway::http::{Framing, MAX_REQUEST_LEN, framing};

use crate::log::{debug, info, warning};
use crate::sntp;
use crate::{Service, Timebase};

/// Largest request (head and body) a connection reads: the core's limit.
const REQUEST_MAX: usize = MAX_REQUEST_LEN;
/// Largest response the service writes; also each socket's TX buffer, so a whole response is
/// always queued at once.
const RESPONSE_MAX: usize = MAX_RESPONSE_LEN;
/// Each socket's TCP receive window.
const RX_WINDOW: usize = 1024;

/// How long a camera may take to send its request (the simulator's read timeout).
const REQUEST_TIMEOUT_MS: u64 = 5_000;
/// How long a closing connection (response and FIN queued) may take before it is aborted.
const CLOSE_TIMEOUT_MS: u64 = 5_000;
/// Frames taken in per `poll` before the connections get their turn.
const INGRESS_BURST: usize = 32;
/// TCP retransmission give-up time.
const TCP_TIMEOUT: Duration = Duration::from_secs(10);

/// Static network settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NetConfig {
    /// The interface's Ethernet address.
    pub mac: [u8; 6],
    /// IPv4 address.
    pub ip: [u8; 4],
    /// Prefix length of the local network.
    pub prefix_len: u8,
    /// Default gateway.
    pub gateway: [u8; 4],
    /// TCP port the gateway service listens on.
    pub port: u16,
    /// Seed for TCP initial sequence numbers and ephemeral ports.
    pub seed: u64,
    /// SNTP server to take UTC from, for boards without a trusted clock of their own.
    pub time_server: Option<TimeServer>,
}

/// An SNTP server: IPv4 address and UDP port (123).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TimeServer {
    /// IPv4 address.
    pub ip: [u8; 4],
    /// UDP port.
    pub port: u16,
}

/// Local UDP port of the SNTP client.
const SNTP_LOCAL_PORT: u16 = 50_123;

/// All of the gateway's buffers for `N` concurrent connections; put it in a `static`
/// (about `N` × 13 KiB + 8 KiB). `SOCKETS` must be `N + 1` (the SNTP client's socket), which
/// `new` checks at compile time.
pub struct Storage<const N: usize, const SOCKETS: usize> {
    /// Written in [`Gateway::new`]; uninitialized until then so that a `static` of this type
    /// is all zero or undefined and lands in `.bss`, not in flash-backed `.data`.
    descriptors: MaybeUninit<Descriptors<SOCKETS>>,
    sntp_rx: [u8; 2 * sntp::PACKET_LEN],
    sntp_tx: [u8; sntp::PACKET_LEN],
    rx: [[u8; RX_WINDOW]; N],
    tx: [[u8; RESPONSE_MAX]; N],
    requests: [[u8; REQUEST_MAX]; N],
    response: [u8; RESPONSE_MAX],
}

impl<const N: usize, const SOCKETS: usize> Storage<N, SOCKETS> {
    /// Zeroed buffers (placed in `.bss`).
    pub const fn new() -> Self {
        assert!(SOCKETS == N + 1, "SOCKETS must be N + 1");
        Self {
            descriptors: MaybeUninit::uninit(),
            sntp_rx: [0; 2 * sntp::PACKET_LEN],
            sntp_tx: [0; sntp::PACKET_LEN],
            rx: [[0; RX_WINDOW]; N],
            tx: [[0; RESPONSE_MAX]; N],
            requests: [[0; REQUEST_MAX]; N],
            response: [0; RESPONSE_MAX],
        }
    }
}

/// The socket slots and UDP packet metadata: not all-zero when empty, so kept uninitialized in
/// [`Storage`] until [`Gateway::new`].
struct Descriptors<const SOCKETS: usize> {
    sockets: [SocketStorage<'static>; SOCKETS],
    sntp_rx_meta: [udp::PacketMetadata; 2],
    sntp_tx_meta: [udp::PacketMetadata; 1],
}

impl<const N: usize, const SOCKETS: usize> Default for Storage<N, SOCKETS> {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Listening, or a connection that has not sent anything yet.
    Idle,
    /// Bytes of a request are arriving.
    Receiving,
    /// The gateway has closed its side.
    Closing,
}

#[derive(Debug, Clone, Copy)]
struct Conn {
    handle: SocketHandle,
    phase: Phase,
    len: usize,
    since_ms: u64,
}

/// The SNTP client's state.
#[derive(Debug, Clone, Copy)]
struct NetworkTime {
    handle: SocketHandle,
    server: TimeServer,
    /// The outstanding request's transmit timestamp.
    nonce: u64,
    next_ms: u64,
    /// `(unix seconds, ms since boot)` of the last answer.
    synced: Option<(u64, u64)>,
}

/// The running gateway: one interface, `N` connection slots on one port, and an SNTP client
/// when the board asks for network time.
pub struct Gateway<const N: usize> {
    iface: Interface,
    sockets: SocketSet<'static>,
    conns: [Conn; N],
    requests: &'static mut [[u8; REQUEST_MAX]; N],
    response: &'static mut [u8; RESPONSE_MAX],
    port: u16,
    seed: u64,
    network_time: Option<NetworkTime>,
}

impl<const N: usize> Gateway<N> {
    /// Sets up the interface (static IPv4 address and default route) and `N` TCP sockets.
    pub fn new<D: Device + ?Sized, const SOCKETS: usize>(
        device: &mut D,
        net: &NetConfig,
        storage: &'static mut Storage<N, SOCKETS>,
        now_ms: u64,
    ) -> Self {
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(net.mac)));
        config.random_seed = net.seed;
        let mut iface = Interface::new(config, device, instant(now_ms));
        let [a, b, c, d] = net.ip;
        iface.update_ip_addrs(|addrs| {
            if addrs
                .push(IpCidr::new(
                    Ipv4Address::new(a, b, c, d).into(),
                    net.prefix_len,
                ))
                .is_err()
            {
                warning!("no room for the interface address");
            }
        });
        let [a, b, c, d] = net.gateway;
        if iface
            .routes_mut()
            .add_default_ipv4_route(Ipv4Address::new(a, b, c, d))
            .is_err()
        {
            warning!("no room for the default route");
        }

        let Storage {
            descriptors,
            sntp_rx,
            sntp_tx,
            rx,
            tx,
            requests,
            response,
        } = storage;
        let Descriptors {
            sockets: socket_storage,
            sntp_rx_meta,
            sntp_tx_meta,
        } = descriptors.write(Descriptors {
            sockets: [SocketStorage::EMPTY; SOCKETS],
            sntp_rx_meta: [udp::PacketMetadata::EMPTY; 2],
            sntp_tx_meta: [udp::PacketMetadata::EMPTY; 1],
        });
        let mut sockets = SocketSet::new(&mut socket_storage[..]);
        let mut conns = [Conn {
            handle: SocketHandle::default(),
            phase: Phase::Idle,
            len: 0,
            since_ms: now_ms,
        }; N];
        for ((conn, rx), tx) in conns.iter_mut().zip(rx.iter_mut()).zip(tx.iter_mut()) {
            let mut socket = tcp::Socket::new(
                tcp::SocketBuffer::new(&mut rx[..]),
                tcp::SocketBuffer::new(&mut tx[..]),
            );
            socket.set_nagle_enabled(false);
            socket.set_ack_delay(None);
            socket.set_timeout(Some(TCP_TIMEOUT));
            conn.handle = sockets.add(socket);
        }
        let network_time = net.time_server.and_then(|server| {
            let mut socket = udp::Socket::new(
                udp::PacketBuffer::new(&mut sntp_rx_meta[..], &mut sntp_rx[..]),
                udp::PacketBuffer::new(&mut sntp_tx_meta[..], &mut sntp_tx[..]),
            );
            if socket.bind(SNTP_LOCAL_PORT).is_err() {
                warning!("SNTP socket");
                return None;
            }
            Some(NetworkTime {
                handle: sockets.add(socket),
                server,
                nonce: 0,
                next_ms: now_ms,
                synced: None,
            })
        });
        Self {
            iface,
            sockets,
            conns,
            requests,
            response,
            port: net.port,
            seed: net.seed,
            network_time,
        }
    }

    /// UTC Unix seconds: the board's own trusted clock, else network time once an SNTP
    /// server has answered, else `None`.
    pub fn unix_time(&self, time: &impl Timebase) -> Option<u64> {
        time.unix_time().or_else(|| {
            let (secs, at_ms) = self.network_time?.synced?;
            Some(secs.saturating_add(time.now_ms().saturating_sub(at_ms) / 1000))
        })
    }

    /// Moves frames in and out, serves every complete request, and returns the time (in the
    /// timebase's milliseconds) by which `poll` must run again (`None`: only on network activity).
    pub fn poll<D: Device + ?Sized>(
        &mut self,
        device: &mut D,
        service: &mut impl Service,
        time: &impl Timebase,
    ) -> Option<u64> {
        let now_ms = time.now_ms();
        let now = instant(now_ms);
        // Frames one at a time, recycling finished connections in between: a camera's FIN
        // for its last connection and its SYN for the next often arrive in one burst.
        for _ in 0..INGRESS_BURST {
            let result = self
                .iface
                .poll_ingress_single(now, device, &mut self.sockets);
            if result == PollIngressSingleResult::None {
                break;
            }
            if result == PollIngressSingleResult::SocketStateChanged {
                // Egress first: a connection that just entered TIME-WAIT owes the peer the
                // ACK of its FIN.
                self.iface.poll_egress(now, device, &mut self.sockets);
                self.recycle(now_ms);
            }
        }
        self.poll_network_time(now_ms);
        let unix_time = self.unix_time(time);
        self.serve(now_ms, service, unix_time);
        self.iface.poll_egress(now, device, &mut self.sockets);
        self.recycle(now_ms);
        let net_deadline = self
            .iface
            .poll_delay(now, &self.sockets)
            .map(|d| now_ms.saturating_add(d.total_millis()));
        let conn_deadline = self
            .conns
            .iter()
            .filter_map(|c| match c.phase {
                Phase::Idle => None,
                Phase::Receiving => Some(c.since_ms.saturating_add(REQUEST_TIMEOUT_MS)),
                Phase::Closing => Some(c.since_ms.saturating_add(CLOSE_TIMEOUT_MS)),
            })
            .min();
        [
            net_deadline,
            conn_deadline,
            self.network_time.map(|t| t.next_ms),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Takes an SNTP answer in, or sends the next request when one is due.
    fn poll_network_time(&mut self, now_ms: u64) {
        let Some(state) = self.network_time.as_mut() else {
            return;
        };
        let socket = self.sockets.get_mut::<udp::Socket>(state.handle);
        while let Ok((answer, _)) = socket.recv() {
            match sntp::parse(answer, state.nonce) {
                Ok(unix) => {
                    info!("network time: UTC {=u64}", unix);
                    state.synced = Some((unix, now_ms));
                    state.next_ms = now_ms.saturating_add(sntp::RESYNC_MS);
                }
                Err(e) => warning!("SNTP answer ignored: {}", e),
            }
        }
        if now_ms >= state.next_ms {
            state.nonce = self.seed ^ now_ms.rotate_left(32);
            let [a, b, c, d] = state.server.ip;
            let server = (Ipv4Address::new(a, b, c, d), state.server.port);
            if socket
                .send_slice(&sntp::request(state.nonce), server)
                .is_err()
            {
                warning!("SNTP request not queued");
            }
            state.next_ms = now_ms.saturating_add(sntp::RETRY_MS);
        }
    }

    /// Puts finished connections back to listening.
    fn recycle(&mut self, now_ms: u64) {
        for conn in self.conns.iter_mut() {
            let socket = self.sockets.get_mut::<tcp::Socket>(conn.handle);
            match socket.state() {
                // The gateway closed first and the peer has closed too: everything was
                // delivered and acknowledged (the caller has sent the ACK of the peer's FIN),
                // so the slot is freed now rather than after TIME-WAIT's 2 MSL. (Were that ACK
                // lost, the peer's resent FIN gets a RST: it is closing anyway.)
                tcp::State::Closed | tcp::State::TimeWait => {
                    socket.abort();
                    if socket.listen(self.port).is_err() {
                        warning!("listen failed");
                    }
                    *conn = Conn {
                        phase: Phase::Idle,
                        len: 0,
                        since_ms: now_ms,
                        ..*conn
                    };
                }
                _ => {}
            }
        }
    }

    /// Advances every connection.
    fn serve(&mut self, now_ms: u64, service: &mut impl Service, unix_time: Option<u64>) {
        for (conn, request) in self.conns.iter_mut().zip(self.requests.iter_mut()) {
            let socket = self.sockets.get_mut::<tcp::Socket>(conn.handle);
            if conn.phase == Phase::Idle && socket.is_active() {
                conn.phase = Phase::Receiving;
                conn.since_ms = now_ms;
            }
            match conn.phase {
                Phase::Idle => {}
                Phase::Receiving => {
                    while socket.can_recv() && conn.len < REQUEST_MAX {
                        let free = request.get_mut(conn.len..).unwrap_or_default();
                        match socket.recv_slice(free) {
                            Ok(n) => conn.len = conn.len.saturating_add(n),
                            Err(_) => break,
                        }
                    }
                    let received = request.get(..conn.len).unwrap_or_default();
                    // The simulator's rules: a whole request, or whatever arrived once it is
                    // invalid, fills the buffer, or the camera stops sending (EOF or timeout).
                    let stopped = peer_closed(socket.state())
                        || now_ms.saturating_sub(conn.since_ms) > REQUEST_TIMEOUT_MS;
                    let request_len = match framing(received) {
                        Framing::Complete(n) => n,
                        Framing::Invalid => conn.len,
                        Framing::Incomplete
                            if conn.len == REQUEST_MAX || (stopped && conn.len > 0) =>
                        {
                            conn.len
                        }
                        Framing::Incomplete if stopped => {
                            debug!("connection closed without a request");
                            socket.close();
                            conn.phase = Phase::Closing;
                            conn.since_ms = now_ms;
                            continue;
                        }
                        Framing::Incomplete => continue,
                    };
                    let req = request.get(..request_len).unwrap_or_default();
                    let response_len = service.handle(req, unix_time, &mut self.response[..]);
                    let response = self.response.get(..response_len).unwrap_or_default();
                    match socket.send_slice(response) {
                        Ok(sent) if sent == response.len() && sent > 0 => {
                            // One request per connection: FIN right after the response.
                            socket.close();
                            conn.phase = Phase::Closing;
                        }
                        _ => {
                            warning!("response of {} bytes not queued", response_len);
                            socket.abort();
                        }
                    }
                    conn.since_ms = now_ms;
                }
                Phase::Closing => {
                    if now_ms.saturating_sub(conn.since_ms) > CLOSE_TIMEOUT_MS {
                        debug!("close timed out");
                        socket.abort();
                    }
                }
            }
        }
    }
}

/// Whether the peer has sent its FIN (a connection still in its handshake has not).
fn peer_closed(state: tcp::State) -> bool {
    matches!(
        state,
        tcp::State::CloseWait | tcp::State::LastAck | tcp::State::Closing | tcp::State::TimeWait
    )
}

fn instant(ms: u64) -> Instant {
    Instant::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}
