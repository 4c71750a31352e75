//! `upticket-sim demo`: the whole world on loopback. An object store that enforces policies,
//! the gateway, a fleet of cameras uploading generated images, and a rogue camera whose every
//! trick must be refused. Ends with a summary; exits non-zero if anything went wrong.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use upticket::{Scheme, UnixTime};

use crate::camera::{self, Camera, Response};
use crate::server::{Clock, Observer, Server};
use crate::store::{Credential, RunningStore, Store, StoreConfig};
use crate::{config, png, upload};

/// Options of `upticket-sim demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Simulated cameras.
    #[arg(long, default_value_t = 8)]
    pub cameras: usize,
    /// Uploads per camera.
    #[arg(long, default_value_t = 5)]
    pub uploads: usize,
    /// Signature scheme: oss-v4 (default), oss-v1 or s3-v4.
    #[arg(long, default_value = "oss-v4")]
    pub scheme: String,
    /// Post to a real S3-compatible endpoint (path style, e.g. http://127.0.0.1:8333) instead of
    /// the embedded store; needs --scheme s3-v4 and the secret in UPTICKET_ACCESS_KEY_SECRET.
    #[arg(long)]
    pub store: Option<String>,
    /// Bucket name.
    #[arg(long, default_value = "demo")]
    pub bucket: String,
    /// Region (default: cn-hangzhou for OSS, us-east-1 for S3).
    #[arg(long)]
    pub region: Option<String>,
    /// Access key id.
    #[arg(long, default_value = "demoaccess")]
    pub access_key_id: String,
}

/// Rewrites a ticket's form fields before posting (the rogue camera's tricks).
type Tamper = dyn Fn(&mut Vec<(String, String)>);

/// Lifetime of the demo's tickets.
const LIFETIME_SECS: i64 = 120;

/// Shared tallies.
#[derive(Default)]
struct Tally {
    gateway: Mutex<BTreeMap<String, usize>>,
    store: Mutex<BTreeMap<String, usize>>,
    ticket_latency: Mutex<Vec<Duration>>,
    upload_latency: Mutex<Vec<Duration>>,
    tickets: AtomicUsize,
    accepted: AtomicUsize,
    verified: AtomicUsize,
    failures: Mutex<Vec<String>>,
}

/// The world the cameras live in.
struct World {
    gateway: SocketAddr,
    store_addr: Option<SocketAddr>,
    store: Option<RunningStore>,
    bucket: String,
    offset: Arc<AtomicI64>,
    tally: Arc<Tally>,
}

fn now_secs(offset: &AtomicI64) -> u64 {
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (real + offset.load(Ordering::SeqCst)).max(0) as u64
}

/// Runs the demo. With `--store`, the secret comes from `UPTICKET_ACCESS_KEY_SECRET`; the
/// embedded store gets a fresh random one.
pub fn run(args: &DemoArgs) -> Result<(), String> {
    let secret = match &args.store {
        Some(_) => std::env::var("UPTICKET_ACCESS_KEY_SECRET")
            .map_err(|_| "--store needs the secret in UPTICKET_ACCESS_KEY_SECRET".to_string())?,
        None => camera::nonce() + &camera::nonce(),
    };
    run_with_secret(args, &secret)
}

/// Runs the demo with the store's secret given; `Err` if any upload failed or any rogue
/// attempt was not refused.
pub fn run_with_secret(args: &DemoArgs, secret: &str) -> Result<(), String> {
    let scheme =
        Scheme::from_name(&args.scheme).ok_or_else(|| format!("unknown scheme {}", args.scheme))?;
    let region = args.region.clone().unwrap_or_else(|| {
        if scheme.is_oss() {
            "cn-hangzhou"
        } else {
            "us-east-1"
        }
        .to_string()
    });
    let dir = std::env::temp_dir().join(format!("upticket-demo-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(dir.clone());
    let (endpoint, style, store) = match &args.store {
        None => {
            let mut cfg = StoreConfig::new(
                &dir,
                &[&args.bucket],
                vec![Credential::new(&args.access_key_id, secret)],
            );
            cfg.region = region.clone();
            cfg.domain = Some("localhost".into());
            let store = Store::start(cfg).map_err(|e| format!("embedded store: {e}"))?;
            let port = store.addr().port();
            let (endpoint, style) = if scheme.is_oss() {
                (format!("localhost:{port}"), "virtual-hosted")
            } else {
                (format!("127.0.0.1:{port}"), "path")
            };
            (endpoint, style, Some(store))
        }
        Some(url) => {
            if scheme != Scheme::S3V4 {
                return Err("--store needs --scheme s3-v4 (no local server speaks OSS)".into());
            }
            let host = upload::HttpUrl::parse(url)?.host;
            (host, "path", None)
        }
    };
    let mut cameras: Vec<Camera> = (1..=args.cameras.max(1))
        .map(|i| {
            let mut key = [0u8; 32];
            camera::fill_random(&mut key);
            Camera {
                id: format!("cam-{i:04}"),
                key,
            }
        })
        .collect();
    let mut rogue_key = [0u8; 32];
    camera::fill_random(&mut rogue_key);
    let rogue = Camera {
        id: "cam-rogue".into(),
        key: rogue_key,
    };
    cameras.push(rogue.clone());
    let document = json!({
        "scheme": scheme.name(),
        "bucket": args.bucket,
        "endpoint": endpoint,
        "region": region,
        "url_style": style,
        "protocol": "http",
        "access_key_id": args.access_key_id,
        "access_key_secret": secret,
        "lifetime_secs": LIFETIME_SECS,
        "rate_limit": { "burst": 1000, "per_minute": 60000 },
        "cameras": cameras.iter().map(|c| json!({
            "id": c.id,
            "key": camera::hex(&c.key),
            "prefix": format!("cam/{}/", c.id.trim_start_matches("cam-")),
            "max_size": 1_048_576,
            "content_types": ["image/png", "image/jpeg"],
        })).collect::<Vec<_>>(),
    });
    cameras.pop();
    let config = config::parse(document.to_string().into_bytes().leak())?;
    let gateway = config::gateway(config, None)?;
    let offset = Arc::new(AtomicI64::new(0));
    let clock: Clock = {
        let offset = offset.clone();
        Arc::new(move || UnixTime::from_secs(now_secs(&offset)).ok())
    };
    let tally = Arc::new(Tally::default());
    let observer: Observer = {
        let tally = tally.clone();
        Arc::new(move |o| {
            if o.status.code() != 200 {
                *tally
                    .gateway
                    .lock()
                    .unwrap()
                    .entry(format!("{} {}", o.status.code(), o.reason))
                    .or_default() += 1;
            }
        })
    };
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let srv = Server::start(listener, gateway, clock, Some(observer)).map_err(|e| e.to_string())?;
    let world = Arc::new(World {
        gateway: srv.addr(),
        store_addr: store.as_ref().map(RunningStore::addr),
        store,
        bucket: args.bucket.clone(),
        offset,
        tally: tally.clone(),
    });
    let where_to = match &world.store_addr {
        Some(a) => format!("embedded store http://{a}"),
        None => format!("store {}", args.store.as_deref().unwrap_or_default()),
    };
    println!(
        "upticket demo: {} tickets for bucket {} on {where_to}",
        scheme.name(),
        args.bucket
    );
    println!(
        "gateway http://{} (browser page: http://{}/#camera={}&key={})",
        srv.addr(),
        srv.addr(),
        cameras[0].id,
        camera::hex(&cameras[0].key)
    );
    println!(
        "{} cameras x {} uploads, ticket lifetime {LIFETIME_SECS} s\n",
        cameras.len(),
        args.uploads
    );

    let started = Instant::now();
    let total = cameras.len() * args.uploads;
    let handles: Vec<_> = cameras
        .into_iter()
        .enumerate()
        .map(|(n, cam)| {
            let (world, uploads) = (world.clone(), args.uploads);
            std::thread::spawn(move || fleet_camera(&world, &cam, n as u32, uploads))
        })
        .collect();
    let mut last = usize::MAX;
    while handles.iter().any(|h| !h.is_finished()) {
        let done = tally.accepted.load(Ordering::Relaxed);
        if done != last {
            println!(
                "  [{:>6.2} s] tickets {:>4}  uploads accepted {:>4}/{total}",
                started.elapsed().as_secs_f64(),
                tally.tickets.load(Ordering::Relaxed),
                done
            );
            last = done;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for h in handles {
        h.join()
            .map_err(|_| "a camera thread panicked".to_string())?;
    }
    let fleet_time = started.elapsed();
    println!("  [{:>6.2} s] fleet done\n", fleet_time.as_secs_f64());

    let rogue_rows = rogue_camera(&world, &rogue);
    summary(&world, total, fleet_time, &rogue_rows)
}

/// One camera of the fleet: `uploads` tickets and uploads.
fn fleet_camera(world: &World, cam: &Camera, n: u32, uploads: usize) {
    for i in 0..uploads {
        let image = png::image(
            64 + 16 * (i as u32 % 8),
            48 + 8 * (n % 8),
            n * 100 + i as u32,
        );
        let name = format!("frame-{i:03}.png");
        let t0 = Instant::now();
        let resp = request_ticket(world, cam, &name, image.len() as u64, "image/png", 0);
        world
            .tally
            .ticket_latency
            .lock()
            .unwrap()
            .push(t0.elapsed());
        let ticket = match resp {
            Ok(r) if r.status == 200 => r,
            Ok(r) => {
                fail(
                    world,
                    format!("{}: ticket refused {} {}", cam.id, r.status, r.text()),
                );
                continue;
            }
            Err(e) => {
                fail(world, format!("{}: ticket request failed: {e}", cam.id));
                continue;
            }
        };
        world.tally.tickets.fetch_add(1, Ordering::Relaxed);
        let Ok(ticket) = serde_json::from_slice::<Value>(&ticket.body) else {
            fail(world, format!("{}: ticket is not JSON", cam.id));
            continue;
        };
        let t1 = Instant::now();
        match post_with(world, &ticket, &image, None) {
            Ok(r) if (200..300).contains(&r.status) => {
                world
                    .tally
                    .upload_latency
                    .lock()
                    .unwrap()
                    .push(t1.elapsed());
                world.tally.accepted.fetch_add(1, Ordering::Relaxed);
                let key = ticket["key"].as_str().unwrap_or_default();
                if let Some(store) = &world.store {
                    match store.object(&world.bucket, key) {
                        Ok(Some(obj)) if obj.data == image => {
                            world.tally.verified.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => fail(world, format!("{}: {key} not stored byte for byte", cam.id)),
                    }
                }
            }
            Ok(r) => {
                *world
                    .tally
                    .store
                    .lock()
                    .unwrap()
                    .entry(format!("{} {}", r.status, store_code(&r)))
                    .or_default() += 1;
                fail(
                    world,
                    format!("{}: upload refused {} {}", cam.id, r.status, r.text()),
                );
            }
            Err(e) => fail(world, format!("{}: upload failed: {e}", cam.id)),
        }
    }
}

fn fail(world: &World, what: String) {
    world.tally.failures.lock().unwrap().push(what);
}

/// Asks the gateway for a ticket, with the camera's clock `skew` seconds off.
fn request_ticket(
    world: &World,
    cam: &Camera,
    name: &str,
    size: u64,
    content_type: &str,
    skew: i64,
) -> std::io::Result<Response> {
    let body = camera::ticket_body(name, size, content_type);
    let ts = (now_secs(&world.offset) as i64 + skew).max(0) as u64;
    let req = cam.ticket_request(
        &world.gateway.to_string(),
        "/v1/tickets",
        &body,
        ts,
        &camera::nonce(),
    );
    camera::exchange(world.gateway, &req)
}

/// The ticket's URL and ordered fields.
fn form(ticket: &Value) -> (String, Vec<(String, String)>) {
    let url = ticket["url"].as_str().unwrap_or_default().to_string();
    let fields = ticket["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| Some((f[0].as_str()?.to_string(), f[1].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    (url, fields)
}

/// Posts `data` with `ticket`, optionally rewriting fields first.
fn post_with(
    world: &World,
    ticket: &Value,
    data: &[u8],
    tamper: Option<&Tamper>,
) -> Result<Response, String> {
    let (url, mut fields) = form(ticket);
    if let Some(tamper) = tamper {
        tamper(&mut fields);
    }
    let content_type = fields
        .iter()
        .find(|(k, _)| k == "Content-Type")
        .map_or("image/png".to_string(), |(_, v)| v.clone());
    upload::post(
        &url,
        world.store_addr,
        &fields,
        "frame.png",
        &content_type,
        data,
    )
}

/// The `<Code>` of an XML error answer, or the status text.
fn store_code(r: &Response) -> String {
    let text = r.text();
    text.split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .map_or_else(|| "(no code)".to_string(), str::to_string)
}

/// One rogue attempt's result.
struct Attempt {
    what: &'static str,
    refused_by: &'static str,
    status: u16,
    detail: String,
    refused: bool,
}

fn gateway_attempt(what: &'static str, resp: std::io::Result<Response>) -> Attempt {
    match resp {
        Ok(r) => Attempt {
            what,
            refused_by: "gateway",
            status: r.status,
            detail: serde_json::from_slice::<Value>(&r.body)
                .ok()
                .and_then(|v| v["reason"].as_str().map(str::to_string))
                .unwrap_or_else(|| r.text()),
            refused: r.status >= 400,
        },
        Err(e) => Attempt {
            what,
            refused_by: "gateway",
            status: 0,
            detail: e.to_string(),
            refused: false,
        },
    }
}

fn store_attempt(
    world: &World,
    what: &'static str,
    ticket: &Value,
    resp: Result<Response, String>,
) -> Attempt {
    let key = ticket["key"].as_str().unwrap_or_default();
    let stored = world
        .store
        .as_ref()
        .and_then(|s| s.object(&world.bucket, key).ok().flatten())
        .is_some();
    match resp {
        Ok(r) => Attempt {
            what,
            refused_by: "store",
            status: r.status,
            detail: format!(
                "{}{}",
                store_code(&r),
                if stored {
                    " (but the object was stored!)"
                } else {
                    ""
                }
            ),
            refused: r.status >= 400 && !stored,
        },
        Err(e) => Attempt {
            what,
            refused_by: "store",
            status: 0,
            detail: e,
            refused: false,
        },
    }
}

/// A valid ticket for the rogue camera.
fn rogue_ticket(world: &World, rogue: &Camera, size: usize) -> Option<Value> {
    let r = request_ticket(world, rogue, "evil.png", size as u64, "image/png", 0).ok()?;
    (r.status == 200)
        .then(|| serde_json::from_slice(&r.body).ok())
        .flatten()
}

/// Every trick a rogue camera (or someone who stole a ticket) might try.
fn rogue_camera(world: &World, rogue: &Camera) -> Vec<Attempt> {
    let image = png::image(32, 32, 666);
    let mut rows = Vec::new();

    // First, as if three minutes ago: a ticket that will have expired when it is used. (The
    // camera's later requests move its timestamp mark, after which the gateway would refuse a
    // request dated three minutes back.)
    let back = LIFETIME_SECS + 60;
    world.offset.store(-back, Ordering::SeqCst);
    let stale = rogue_ticket(world, rogue, image.len());
    world.offset.store(0, Ordering::SeqCst);

    let mut forged = rogue.clone();
    forged.id = "cam-0001".into();
    rows.push(gateway_attempt(
        "forged MAC (cam-0001 without its key)",
        request_ticket(world, &forged, "x.png", 100, "image/png", 0),
    ));

    let mut unknown = rogue.clone();
    unknown.id = "cam-9999".into();
    rows.push(gateway_attempt(
        "unknown camera",
        request_ticket(world, &unknown, "x.png", 100, "image/png", 0),
    ));

    let body = camera::ticket_body("x.png", 100, "image/png");
    let req = rogue.ticket_request(
        &world.gateway.to_string(),
        "/v1/tickets",
        &body,
        now_secs(&world.offset),
        &camera::nonce(),
    );
    let first = camera::exchange(world.gateway, &req);
    if !first.is_ok_and(|r| r.status == 200) {
        fail(world, "replay: the original request was not served".into());
    }
    rows.push(gateway_attempt(
        "replayed request",
        camera::exchange(world.gateway, &req),
    ));
    rows.push(gateway_attempt(
        "stale timestamp (10 min old)",
        request_ticket(world, rogue, "x.png", 100, "image/png", -600),
    ));
    rows.push(gateway_attempt(
        "ask for more than its size limit",
        request_ticket(world, rogue, "x.png", 50 << 20, "image/png", 0),
    ));
    rows.push(gateway_attempt(
        "content type not allowed",
        request_ticket(world, rogue, "x.html", 100, "text/html", 0),
    ));

    if let Some(t) = rogue_ticket(world, rogue, image.len()) {
        let into_other: &Tamper = &|f| {
            for (k, v) in f.iter_mut() {
                if k == "key" {
                    *v = "cam/0001/planted.png".into();
                }
            }
        };
        let resp = post_with(world, &t, &image, Some(into_other));
        let planted = world
            .store
            .as_ref()
            .and_then(|s| {
                s.object(&world.bucket, "cam/0001/planted.png")
                    .ok()
                    .flatten()
            })
            .is_some();
        let mut row = store_attempt(world, "key outside its prefix", &t, resp);
        row.refused &= !planted;
        rows.push(row);
    }
    if let Some(t) = rogue_ticket(world, rogue, image.len()) {
        let mut bigger = image.clone();
        bigger.extend(std::iter::repeat_n(0u8, 4096));
        rows.push(store_attempt(
            world,
            "file larger than the ticket",
            &t,
            post_with(world, &t, &bigger, None),
        ));
    }
    if let Some(t) = rogue_ticket(world, rogue, image.len()) {
        let widen: &Tamper = &|f| {
            for (k, v) in f.iter_mut() {
                if k == "policy" {
                    *v = widened_policy(v);
                }
            }
        };
        let mut bigger = image.clone();
        bigger.extend(std::iter::repeat_n(0u8, 4096));
        rows.push(store_attempt(
            world,
            "tampered policy (range widened)",
            &t,
            post_with(world, &t, &bigger, Some(widen)),
        ));
    }
    if let Some(t) = rogue_ticket(world, rogue, image.len()) {
        let resign: &Tamper = &|f| {
            for (k, v) in f.iter_mut() {
                if k.ends_with("signature") || k == "Signature" {
                    let flipped = if v.starts_with('0') { '1' } else { '0' };
                    v.replace_range(0..1, &flipped.to_string());
                }
            }
        };
        rows.push(store_attempt(
            world,
            "tampered signature",
            &t,
            post_with(world, &t, &image, Some(resign)),
        ));
    }
    match stale {
        Some(t) => rows.push(store_attempt(
            world,
            "expired ticket (issued 3 min ago)",
            &t,
            post_with(world, &t, &image, None),
        )),
        None => fail(world, "expired-ticket attempt: no ticket".into()),
    }
    rows
}

/// The policy with its `content-length-range` maximum multiplied by 100 (signature unchanged).
fn widened_policy(b64: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let Ok(mut policy) = engine
        .decode(b64)
        .map_err(|_| ())
        .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|_| ()))
    else {
        return b64.to_string();
    };
    if let Some(conds) = policy["conditions"].as_array_mut() {
        for c in conds {
            if c[0] == "content-length-range" {
                c[2] = json!(c[2].as_u64().unwrap_or(0) * 100);
            }
        }
    }
    engine.encode(policy.to_string())
}

fn percentiles(mut v: Vec<Duration>) -> String {
    if v.is_empty() {
        return "n/a".into();
    }
    v.sort();
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    format!(
        "p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    )
}

fn summary(
    world: &World,
    total: usize,
    fleet_time: Duration,
    rogue: &[Attempt],
) -> Result<(), String> {
    let t = &world.tally;
    let accepted = t.accepted.load(Ordering::Relaxed);
    println!("Summary");
    println!(
        "  tickets issued        {}",
        t.tickets.load(Ordering::Relaxed)
    );
    let verified = match world.store {
        Some(_) => format!(
            " ({} read back byte for byte)",
            t.verified.load(Ordering::Relaxed)
        ),
        None => String::new(),
    };
    println!("  uploads accepted      {accepted}/{total}{verified}");
    println!(
        "  fleet throughput      {:.0} uploads/s",
        accepted as f64 / fleet_time.as_secs_f64().max(1e-9)
    );
    println!(
        "  ticket latency        {}",
        percentiles(t.ticket_latency.lock().unwrap().clone())
    );
    println!(
        "  upload latency        {}",
        percentiles(t.upload_latency.lock().unwrap().clone())
    );
    println!("\nRogue camera");
    let mut all_refused = true;
    for a in rogue {
        all_refused &= a.refused;
        println!(
            "  {:<40} {:<4} {:<7} {} {}",
            a.what,
            if a.refused { "ok" } else { "FAIL" },
            a.refused_by,
            a.status,
            a.detail
        );
    }
    println!(
        "  {}",
        if all_refused {
            "every attempt refused"
        } else {
            "SOME ATTEMPTS WERE NOT REFUSED"
        }
    );
    println!("\nRejections by reason");
    for (reason, n) in t.gateway.lock().unwrap().iter() {
        println!("  gateway {reason:<44} {n}");
    }
    for (reason, n) in t.store.lock().unwrap().iter() {
        println!("  store   {reason:<44} {n}");
    }
    let failures = t.failures.lock().unwrap();
    for f in failures.iter() {
        println!("  problem: {f}");
    }
    if accepted == total && all_refused && failures.is_empty() {
        Ok(())
    } else {
        Err("the demo saw failures (listed above)".into())
    }
}

/// Removes the demo's temporary directory.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
