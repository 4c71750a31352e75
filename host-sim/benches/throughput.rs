//! Tickets per second the host gateway sustains with 100 concurrent cameras, against a plain
//! HTTP handler measured in the same run, as a ratio.
//!
//! * **Gateway**: one real [`Server`] per phase (thread per connection, the sans-IO `Gateway`
//!   behind a mutex, the system clock), 100 cameras, per scheme (oss-v4, s3-v4, oss-v1), the
//!   rate limit out of the way (a huge `rate_limit`).
//! * **Baseline**: one server per phase with the connection handling of
//!   `host-sim/src/server.rs` (accept thread, bounded thread per connection, `http::framing`,
//!   the browser-page check, a mutex), copying a fixed response instead of calling
//!   `Gateway::handle`: a real oss-v4 ticket response captured at start, the same bytes.
//! * **Clients**: 100 threads, one per camera, each signing a fresh request (system-clock
//!   timestamp, new nonce, correct MAC, `docs/api.md` §2) and exchanging it over a fresh TCP
//!   connection, back to back, for a fixed time. Phases alternate round after round, baseline
//!   first in odd rounds and last in even ones, against drift. CPU per request is the
//!   process's CPU time (clients and server together) over the requests answered.
//! * **In process**: `Gateway::handle` on one thread without TCP, on the system clock, for a
//!   valid ticket request per scheme, `GET /health` and a bad MAC.
//!
//! The gateway keeps, per camera, the newest accepted timestamp and at most [`SIM_REPLAY`]
//! nonces within [`REORDER_SECS`] of it, so a camera may send about `SIM_REPLAY /
//! (REORDER_SECS + 1)` requests per second before it is answered `429`: about 12,800 per
//! second for the 100 cameras. Against the gateway each client counts its own live nonces and
//! waits for the next second rather than go over (`waits`: then that budget, not the request
//! path, capped the rate); the baseline has no such limit. The in-process loop takes the
//! cameras in turn, on a fresh gateway per pass.
//!
//! Nothing here asserts on timing; the program exits non-zero only on functional errors (an
//! answer other than 200, or an I/O error), which it lists. About 45 s with the defaults.
//!
//! ```text
//! cargo bench -p upticket-sim --bench throughput
//! UPTICKET_BENCH_SECS=1 UPTICKET_BENCH_ROUNDS=2 cargo bench -p upticket-sim --bench throughput
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::hint::black_box;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use upticket::Scheme;
use upticket::gateway::MAX_RESPONSE_LEN;
use upticket::gateway::replay::REORDER_SECS;
use upticket_sim::camera::{self, Camera};
use upticket_sim::server::{self, MAX_CONNECTIONS, SIM_REPLAY, Server, SimGateway};
use upticket_sim::{config, web};

/// Concurrent cameras (one client thread each).
const CAMERAS: usize = 100;
/// The schemes measured; the first gives the baseline's response.
const SCHEMES: [Scheme; 3] = [Scheme::OssV4, Scheme::S3V4, Scheme::OssV1];
/// Default seconds per phase and rounds of (baseline + each scheme).
const PHASE_SECS: f64 = 2.5;
const ROUNDS: usize = 4;
/// In process: requests per pass (the cameras in turn, a fresh gateway), passes per case.
const IN_PROCESS_REQUESTS: usize = 10_000;
const IN_PROCESS_PASSES: usize = 5;
// A pass fits in every camera's replay guard, however fast `handle` is.
const _: () = assert!(IN_PROCESS_REQUESTS.div_ceil(CAMERAS) <= SIM_REPLAY);
const BASELINE: &str = "baseline";
const HOST: &str = "127.0.0.1:40000";

fn main() -> ExitCode {
    let env = |name, default| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let phase = Duration::from_secs_f64(env("UPTICKET_BENCH_SECS", PHASE_SECS).max(0.1));
    let rounds = (env("UPTICKET_BENCH_ROUNDS", ROUNDS as f64) as usize).max(1);
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cameras: Vec<Camera> = (1..=CAMERAS)
        .map(|i| {
            Camera::from_hex(
                &format!("cam-{i:04}"),
                &(camera::nonce() + &camera::nonce()),
            )
        })
        .collect::<Result<_, _>>()
        .expect("random camera keys");
    let docs: Vec<_> = SCHEMES
        .iter()
        .map(|&s| (s, document(s, &cameras)))
        .collect();
    // The baseline's answer: a real ticket response of the first scheme.
    let mut fixed = vec![0u8; MAX_RESPONSE_LEN];
    let req = signed_request(&cameras[0], now_secs());
    let o = new_gateway(docs[0].1).handle(&req, server::system_clock()(), &mut fixed);
    assert_eq!(o.status.code(), 200, "{}", o.reason);
    fixed.truncate(o.len);
    let mut failed = false;

    let (load, len, first) = (load_average(), fixed.len(), SCHEMES[0].name());
    println!("upticket gateway throughput: {CAMERAS} cameras, one client thread each");
    println!("  machine: {cpus} logical CPU(s), load average {load} at start; other work may");
    println!("  be running, and the clients share the CPUs with the server: TCP numbers are");
    println!("  both together, absolute rates vary from run to run, the ratios less so");
    println!("  each request: fresh nonce and MAC, system-clock timestamp, fresh TCP connection");
    println!("  baseline: host-sim's connection handling (thread per connection, framing, mutex)");
    println!("  answering a fixed {len}-byte response (a captured {first} ticket), no gateway");
    let per_sec = SIM_REPLAY as u64 / (REORDER_SECS + 1);
    println!(
        "  replay guard: {SIM_REPLAY} nonces per camera within {REORDER_SECS} s of its newest"
    );
    println!("  request (~{per_sec}/s): a gateway client about to go over waits for the next");
    println!("  second (`waits`); the baseline has no such limit");

    println!("\nIn process, one thread, system clock (best of {IN_PROCESS_PASSES} passes)");
    println!("{:<44} {:>10} {:>8}", "case", "calls/s", "µs/call");
    let in_process = in_process(&docs, &cameras, &mut failed);
    for (case, rate) in &in_process {
        println!("{case:<44} {rate:>10.0} {:>8.2}", 1e6 / rate);
    }

    let mut kinds = vec![(BASELINE, None)];
    kinds.extend(docs.iter().map(|&(s, d)| (s.name(), Some(d))));
    println!(
        "\nOver TCP: {rounds} round(s) of {:.2} s phases, one fresh server each, baseline first in \
         odd rounds, last in even",
        phase.as_secs_f64()
    );
    let warm = run_phase(None, &fixed, &cameras, Duration::from_millis(500));
    failed |= report_errors("warm-up", &warm);
    println!(
        "  warm-up (baseline, not counted): {:.0} req/s",
        warm.rate()
    );
    let mut all: BTreeMap<&str, Phase> = BTreeMap::new();
    for round in 1..=rounds {
        let mut order = kinds.clone();
        if round % 2 == 0 {
            order.reverse();
        }
        let mut line = format!("  round {round}:");
        for (name, doc) in order {
            let p = run_phase(doc, &fixed, &cameras, phase);
            failed |= report_errors(&format!("round {round} {name}"), &p);
            line += &format!(" {name} {:.0}/s", p.rate());
            all.entry(name).or_default().add(p);
        }
        println!("{line}");
    }

    println!(
        "\nAll rounds together                                                             \
         in process\nserver    requests   req/s  errors  waits CPU-µs/rq  p50 ms  p99 ms  \
         req/s ratio  CPU ratio  handle/s"
    );
    let base = &all[BASELINE];
    for (i, (name, _)) in kinds.iter().enumerate() {
        let t = &all[name];
        let (p50, p99) = (t.percentile(0.5), t.percentile(0.99));
        // The first in-process rows are the valid tickets, in the order of `SCHEMES`.
        let alone = (i > 0).then(|| format!("{:.0}", in_process[i - 1].1));
        let alone = alone.unwrap_or_default();
        println!(
            "{name:<9} {:>8} {:>7.0} {:>7} {:>6} {:>9.1} {p50:>7.2} {p99:>7.2} {:>12.3} {:>10.3} \
             {alone:>9}",
            t.ok,
            t.rate(),
            t.errors.values().sum::<usize>(),
            t.waits,
            t.cpu_us(),
            t.rate() / base.rate(),
            base.cpu_us() / t.cpu_us(),
        );
    }
    if all.values().any(|t| t.waits > 0) {
        println!(
            "  waits > 0: the replay budget, not the request path, capped that gateway's rate"
        );
    }
    println!(
        "  req/s ratio: gateway / baseline throughput; CPU ratio: baseline / gateway CPU-µs per \
         request\n  (CPU: the whole process, clients included; steadier than req/s when other \
         work shares the\n  machine); handle/s: Gateway::handle alone on one thread, valid \
         ticket\n  load average at the end: {}",
        load_average()
    );
    if failed {
        println!("\nFAILED: some requests were not answered 200 (listed above)");
        return ExitCode::FAILURE;
    }
    println!("\nall requests answered 200");
    ExitCode::SUCCESS
}

/// `/proc/loadavg`'s three averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// CPU time of this process so far: user and system, every thread, from `/proc/self/stat`
/// (in USER_HZ = 100 ticks per second; zero where it is missing).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, a)| a);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The configuration document for `scheme`, held for the rest of the process.
fn document(scheme: Scheme, cameras: &[Camera]) -> &'static [u8] {
    let cameras: Vec<_> = cameras
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "key": camera::hex(&c.key), "prefix": format!("cam/{}/", &c.id[4..]),
                "max_size": 10_485_760, "content_types": ["image/jpeg", "image/png"],
            })
        })
        .collect();
    let oss = scheme.is_oss();
    let doc = json!({
        "scheme": scheme.name(), "bucket": "bench-bucket",
        "endpoint": if oss { "oss-cn-hangzhou.aliyuncs.com" } else { "s3.us-east-1.amazonaws.com" },
        "region": if oss { "cn-hangzhou" } else { "us-east-1" },
        "url_style": if oss { "virtual-hosted" } else { "path" },
        "access_key_id": "BENCHACCESSKEYID0001",
        "access_key_secret": "benchSecretbenchSecretbenchSecret0123456", "lifetime_secs": 300,
        "success_action_status": 204, "cameras": cameras,
        "rate_limit": { "burst": 100_000, "per_minute": 6_000_000 },
    });
    doc.to_string().into_bytes().leak()
}

fn new_gateway(doc: &'static [u8]) -> Box<SimGateway> {
    config::gateway(config::parse(doc).expect("bench config"), None).expect("bench gateway")
}

/// A ticket request of `cam`, stamped `ts`, with a fresh nonce.
fn signed_request(cam: &Camera, ts: u64) -> Vec<u8> {
    let body = camera::ticket_body("front-door.jpg", 245_760, "image/jpeg");
    cam.ticket_request(HOST, "/v1/tickets", &body, ts, &camera::nonce())
}

/// Single-threaded `Gateway::handle` on the system clock: rows of (case, calls per second),
/// best of the passes. Errors are printed and set `failed`.
fn in_process(
    docs: &[(Scheme, &'static [u8])],
    cameras: &[Camera],
    failed: &mut bool,
) -> Vec<(String, f64)> {
    let clock = server::system_clock();
    let mut out = vec![0u8; MAX_RESPONSE_LEN];
    let (mut rows, mut errors) = (Vec::new(), BTreeMap::<String, usize>::new());
    // Passes of a fresh gateway for `doc` answering `requests()`, each expected `want`.
    let mut case = |name: String, doc, want, requests: &dyn Fn() -> Vec<Vec<u8>>| {
        let mut best = 0.0f64;
        for _ in 0..IN_PROCESS_PASSES {
            let (requests, mut gw) = (requests(), new_gateway(doc));
            let t = Instant::now();
            for req in &requests {
                let o = gw.handle(black_box(req), clock(), &mut out);
                if o.status.code() != want {
                    *errors
                        .entry(format!("{name}: {} {}", o.status.code(), o.reason))
                        .or_default() += 1;
                }
            }
            best = best.max(requests.len() as f64 / t.elapsed().as_secs_f64().max(1e-9));
        }
        rows.push((name, best));
    };
    // Valid tickets signed just before the pass (in timestamp order), the cameras in turn.
    for &(scheme, doc) in docs {
        let name = format!("Gateway::handle, valid ticket {} (200)", scheme.name());
        case(name, doc, 200, &|| {
            (0..IN_PROCESS_REQUESTS)
                .map(|i| signed_request(&cameras[i % CAMERAS], now_secs()))
                .collect()
        });
    }
    let health = format!("GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n").into_bytes();
    let name = "Gateway::handle, GET /health (200)".to_string();
    case(name, docs[0].1, 200, &|| {
        vec![health.clone(); IN_PROCESS_REQUESTS]
    });
    // Signed with another key than the one configured.
    let forger = Camera {
        key: [7; 32],
        ..cameras[0].clone()
    };
    let forged = signed_request(&forger, now_secs());
    let name = format!("Gateway::handle, bad MAC {} (401)", SCHEMES[0].name());
    case(name, docs[0].1, 401, &|| {
        vec![forged.clone(); IN_PROCESS_REQUESTS]
    });
    for (e, n) in &errors {
        println!("  ERROR in process {e}: {n} times");
        *failed = true;
    }
    rows
}

/// One phase's results, or several phases added together.
#[derive(Default)]
struct Phase {
    ok: usize,
    errors: BTreeMap<String, usize>,
    latencies: Vec<Duration>,
    elapsed: Duration,
    /// CPU time of the whole process while the clients ran.
    cpu: Duration,
    /// Times a client waited for the next second to stay within its replay guard.
    waits: usize,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn cpu_us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.ok.max(1) as f64
    }

    /// The `p` latency quantile in milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.latencies.clone();
        v.sort_unstable();
        let i = (v.len().saturating_sub(1) as f64 * p).round() as usize;
        v.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    }

    fn add(&mut self, p: Phase) {
        self.ok += p.ok;
        self.waits += p.waits;
        self.elapsed += p.elapsed;
        self.cpu += p.cpu;
        self.latencies.extend(p.latencies);
        for (e, n) in p.errors {
            *self.errors.entry(e).or_default() += n;
        }
    }
}

fn report_errors(what: &str, p: &Phase) -> bool {
    for (e, n) in &p.errors {
        println!("  ERROR {what}: {n} x {e}");
    }
    !p.errors.is_empty()
}

/// Runs the 100 clients for `time` against a fresh gateway server for `doc`, or a fresh
/// baseline answering `fixed` if `None`. Elapsed and CPU time: from the clients' start until
/// the last one is done.
fn run_phase(doc: Option<&'static [u8]>, fixed: &[u8], cams: &[Camera], time: Duration) -> Phase {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let (stop, barrier) = (AtomicBool::new(false), Barrier::new(cams.len() + 1));
    std::thread::scope(|s| {
        let server = match doc {
            Some(doc) => Some(
                Server::start(listener, new_gateway(doc), server::system_clock(), None)
                    .expect("gateway server"),
            ),
            None => {
                s.spawn(|| baseline(listener, fixed, &stop));
                None
            }
        };
        let barrier = &barrier;
        let clients: Vec<_> = cams
            .iter()
            .map(|cam| s.spawn(move || client(cam, addr, barrier, time, doc.is_some())))
            .collect();
        barrier.wait();
        let (start, cpu) = (Instant::now(), process_cpu());
        let mut phase = Phase::default();
        for c in clients {
            phase.add(c.join().expect("client thread"));
        }
        (phase.elapsed, phase.cpu) = (start.elapsed(), process_cpu().saturating_sub(cpu));
        drop(server);
        stop.store(true, Ordering::Relaxed);
        // Wake the baseline's blocking accept so that it sees the flag.
        let _ = TcpStream::connect(addr);
        phase
    })
}

/// One camera: signed requests back to back until `time` is up; if `paced`, never more than
/// `SIM_REPLAY` stamped within `REORDER_SECS` of the newest.
fn client(cam: &Camera, addr: SocketAddr, barrier: &Barrier, time: Duration, paced: bool) -> Phase {
    let body = camera::ticket_body("front-door.jpg", 245_760, "image/jpeg");
    let (host, mut p, mut checked) = (addr.to_string(), Phase::default(), false);
    // Requests sent per timestamp, for the timestamps still live in the camera's guard.
    let mut sent: VecDeque<(u64, usize)> = VecDeque::new();
    barrier.wait();
    let start = Instant::now();
    while start.elapsed() < time {
        let ts = now_secs();
        while sent.front().is_some_and(|&(t, _)| t + REORDER_SECS < ts) {
            sent.pop_front();
        }
        if paced && sent.iter().map(|&(_, n)| n).sum::<usize>() >= SIM_REPLAY {
            let into = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            std::thread::sleep(Duration::from_nanos(
                1_000_000_000 - u64::from(into.subsec_nanos()),
            ));
            p.waits += 1;
            continue;
        }
        match sent.back_mut() {
            Some((t, n)) if *t == ts => *n += 1,
            _ => sent.push_back((ts, 1)),
        }
        let req = cam.ticket_request(&host, "/v1/tickets", &body, ts, &camera::nonce());
        let t0 = Instant::now();
        let problem = match camera::exchange(addr, &req) {
            Ok(r) if r.status != 200 => Some(format!("{} {}", r.status, r.text())),
            // Once per camera and phase: the answer is a ticket.
            Ok(r) if !checked => {
                checked = true;
                let ticket =
                    r.text().contains("\"key\":\"cam/") && r.text().contains("\"fields\":[");
                (!ticket).then(|| format!("200 without a ticket: {}", r.text()))
            }
            Ok(_) => None,
            Err(e) => Some(format!("I/O: {e}")),
        };
        match problem {
            None => {
                p.ok += 1;
                p.latencies.push(t0.elapsed());
            }
            Some(e) => *p.errors.entry(e).or_default() += 1,
        }
    }
    p
}

/// The baseline server: the accept loop of `Server::start` (bounded thread per connection)
/// serving with [`serve_fixed`], until `stop` is set and a connection wakes it.
fn baseline(listener: TcpListener, fixed: &[u8], stop: &AtomicBool) {
    let (active, lock) = (AtomicUsize::new(0), Mutex::new(()));
    std::thread::scope(|s| {
        while !stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok(_) if stop.load(Ordering::Relaxed) => break,
                Ok((stream, _)) => {
                    while active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    active.fetch_add(1, Ordering::AcqRel);
                    let (active, lock) = (&active, &lock);
                    let spawned = std::thread::Builder::new()
                        .name("baseline-conn".into())
                        .spawn_scoped(s, move || {
                            serve_fixed(stream, fixed, lock);
                            active.fetch_sub(1, Ordering::AcqRel);
                        });
                    if spawned.is_err() {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
}

/// `serve_connection` of host-sim's server, copying `fixed` under a mutex where it calls the
/// gateway.
fn serve_fixed(mut stream: TcpStream, fixed: &[u8], lock: &Mutex<()>) {
    let Some(request) = server::read_request(&mut stream) else {
        return;
    };
    if let Some(page) = web::page(&request) {
        let _ = stream.write_all(&page);
        return;
    }
    let mut out = vec![0u8; MAX_RESPONSE_LEN];
    {
        let _held = lock.lock().unwrap_or_else(|p| p.into_inner());
        out[..fixed.len()].copy_from_slice(black_box(fixed));
    }
    let _ = stream.write_all(&out[..fixed.len()]);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}
