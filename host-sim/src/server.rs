//! The gateway service on real TCP: one thread per connection (bounded), the sans-IO
//! [`Gateway`] behind a mutex, and the browser page on `/`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use upticket::UnixTime;
use upticket::gateway::http::{self, Framing, MAX_REQUEST_LEN};
use upticket::gateway::{Gateway, MAX_RESPONSE_LEN, Outcome};

use crate::web;

/// Camera-table capacity of the simulator's gateway.
pub const SIM_CAMERAS: usize = 128;
/// Most connections served at once; more wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Nonces the simulator remembers per camera: 256 requests per camera within the reorder slack
/// (the firmware keeps 8).
pub const SIM_REPLAY: usize = 256;

/// The simulator's gateway type.
pub type SimGateway = Gateway<'static, SIM_CAMERAS, SIM_REPLAY>;

/// Where the gateway's time comes from.
pub type Clock = Arc<dyn Fn() -> Option<UnixTime> + Send + Sync>;

/// The system clock (UTC).
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        UnixTime::from_secs(secs).ok()
    })
}

/// Called with every outcome (for progress and statistics).
pub type Observer = Arc<dyn Fn(&Outcome) + Send + Sync>;

/// A running gateway server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `gateway` on `listener`.
    pub fn start(
        listener: TcpListener,
        gateway: Box<SimGateway>,
        clock: Clock,
        observer: Option<Observer>,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let gateway = Arc::new(Mutex::new(gateway));
        let active = Arc::new(AtomicUsize::new(0));
        let stop2 = stop.clone();
        let accept = std::thread::Builder::new()
            .name("gateway-accept".into())
            .spawn(move || {
                while !stop2.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok(_) if stop2.load(Ordering::Relaxed) => break,
                        Ok((stream, _)) => {
                            while active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
                                std::thread::sleep(Duration::from_millis(1));
                            }
                            active.fetch_add(1, Ordering::AcqRel);
                            let (gateway, clock, observer, active) = (
                                gateway.clone(),
                                clock.clone(),
                                observer.clone(),
                                active.clone(),
                            );
                            let spawned = std::thread::Builder::new()
                                .name("gateway-conn".into())
                                .spawn(move || {
                                    serve_connection(stream, &gateway, &clock, observer.as_deref());
                                    active.fetch_sub(1, Ordering::AcqRel);
                                });
                            if spawned.is_err() {
                                std::thread::sleep(Duration::from_millis(10));
                            }
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })?;
        Ok(Server {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the blocking accept so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request from a fresh connection, as the firmware does: until [`http::framing`]
/// says it is whole or invalid, the buffer ([`MAX_REQUEST_LEN`]) is full, or the client stops
/// sending. `None` if it sent nothing.
pub fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; MAX_REQUEST_LEN];
    let mut len = 0;
    let request_len = loop {
        match http::framing(&buf[..len]) {
            Framing::Complete(n) => break n,
            Framing::Invalid => break len,
            Framing::Incomplete if len == buf.len() => break len,
            Framing::Incomplete => {}
        }
        match stream.read(&mut buf[len..]) {
            Ok(0) | Err(_) if len == 0 => return None,
            Ok(0) | Err(_) => break len,
            Ok(n) => len += n,
        }
    };
    buf.truncate(request_len);
    Some(buf)
}

/// Reads one request, answers it and closes.
fn serve_connection(
    mut stream: TcpStream,
    gateway: &Mutex<Box<SimGateway>>,
    clock: &Clock,
    observer: Option<&(dyn Fn(&Outcome) + Send + Sync)>,
) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    let request = &request[..];
    if let Some(page) = web::page(request) {
        let _ = stream.write_all(&page);
        return;
    }
    let mut out = vec![0u8; MAX_RESPONSE_LEN];
    let outcome = {
        let mut gw = gateway.lock().unwrap_or_else(|p| p.into_inner());
        gw.handle(request, clock(), &mut out)
    };
    if let Some(observer) = observer {
        observer(&outcome);
    }
    let _ = stream.write_all(&out[..outcome.len]);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}
