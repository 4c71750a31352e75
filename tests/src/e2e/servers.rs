//! The three servers a ticket is posted to: SeaweedFS (`weed mini`), MiniStack (`AUTH=true`,
//! optionally bound to an STS session token) and the embedded store of `upticket-sim`. Each binds
//! 127.0.0.1 on free ports, lives in a temporary directory and stops on drop.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use upticket_sim::store::{Credential, RunningStore, Store, StoreConfig};

use super::http_client::{self, HttpResponse};
use super::process::{ServerProcess, free_ports, loopback};
use super::sigv4::{self, Keys};
use super::tempdir::TempDir;
use super::venv::venv_bin;

/// Throw-away access key id of every server.
pub const ACCESS_KEY: &str = "e2eaccess";
/// Throw-away secret of every server.
pub const SECRET: &str = "e2esecret";
/// Region of every server.
pub const REGION: &str = "us-east-1";
/// Virtual-hosted domain (SeaweedFS `-s3.domainName`, the embedded store's `domain`).
pub const DOMAIN: &str = "s3.test";
/// How long a server may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The keys for header-signed requests, with an optional STS token.
pub fn keys(token: Option<&str>) -> Keys {
    Keys {
        access_key: ACCESS_KEY.to_owned(),
        secret: SECRET.to_owned(),
        token: token.map(str::to_owned),
        region: REGION.to_owned(),
    }
}

/// What the suites need from any server.
pub trait Server {
    /// Name for tables and messages.
    fn name(&self) -> &str;
    /// The S3 listener.
    fn addr(&self) -> SocketAddr;
    /// The keys it accepts (token included when it is bound to one).
    fn keys(&self) -> Keys;
    /// The endpoint to put in a ticket: `127.0.0.1:PORT`.
    fn endpoint(&self) -> String {
        self.addr().to_string()
    }
}

/// Reads an object back with a header-signed GET: `Some(bytes)` on 200, `None` on 404.
pub fn read_back(server: &dyn Server, bucket: &str, key: &str) -> io::Result<Option<HttpResponse>> {
    let path = format!("/{bucket}/{}", sigv4::encode_key(key));
    let response = sigv4::signed_request(server.addr(), &server.keys(), "GET", &path, b"")?;
    match response.status {
        200 => Ok(Some(response)),
        404 => Ok(None),
        other => Err(io::Error::other(format!(
            "{}: GET {path} answered {other}: {}",
            server.name(),
            response.text()
        ))),
    }
}

/// Creates `bucket` with a header-signed `PUT /bucket` (200, or 409 when it already exists).
pub fn create_bucket(server: &dyn Server, bucket: &str) -> io::Result<()> {
    let response = sigv4::signed_request(
        server.addr(),
        &server.keys(),
        "PUT",
        &format!("/{bucket}"),
        b"",
    )?;
    match response.status {
        200 | 409 => Ok(()),
        other => Err(io::Error::other(format!(
            "{}: PUT /{bucket} answered {other}: {}",
            server.name(),
            response.text()
        ))),
    }
}

/// Starts a server, retrying with fresh ports when an attempt fails (free ports are found by
/// binding and releasing them, so another process can take one in between).
fn retry_start<T>(name: &str, mut attempt: impl FnMut() -> Result<T, String>) -> T {
    const ATTEMPTS: usize = 3;
    let mut errors = Vec::new();
    for _ in 0..ATTEMPTS {
        match attempt() {
            Ok(server) => return server,
            Err(e) => errors.push(e),
        }
    }
    panic!(
        "{name} did not start in {ATTEMPTS} attempts:\n{}",
        errors.join("\n---\n")
    )
}

/// Whether anything answers HTTP on `addr`.
fn answers(addr: SocketAddr) -> bool {
    http_client::send(addr, "GET", &addr.to_string(), "/", &[], b"").is_ok()
}

/// SeaweedFS 4.48 `weed mini`: master, volume, filer and S3 gateway in one process.
pub struct SeaweedFs {
    s3: SocketAddr,
    process: ServerProcess,
    _dir: TempDir,
}

impl SeaweedFs {
    /// Starts it with `buckets` created at start and [`DOMAIN`] for virtual-hosted requests;
    /// returns once a signed `HEAD` of every bucket answers 200.
    ///
    /// # Panics
    ///
    /// When the venv is missing (run `scripts/e2e/install.sh`) or the server does not come up.
    pub fn start(buckets: &[&str]) -> Self {
        retry_start("SeaweedFS", || Self::try_start(buckets))
    }

    fn try_start(buckets: &[&str]) -> Result<Self, String> {
        let weed = venv_bin("weed");
        let dir = TempDir::new("seaweedfs").expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let p = free_ports(10).expect("free ports");
        let args: Vec<String> = [
            "mini".to_owned(),
            format!("-dir={}", data.display()),
            "-ip=127.0.0.1".into(),
            "-ip.bind=127.0.0.1".into(),
            "-master.telemetry=false".into(),
            "-admin.ui=false".into(),
            "-webdav=false".into(),
            "-s3.port.iceberg=0".into(),
            "-s3.port.lance=0".into(),
            format!("-s3.port={}", p[0]),
            format!("-s3.port.grpc={}", p[1]),
            format!("-filer.port={}", p[2]),
            format!("-filer.port.grpc={}", p[3]),
            format!("-master.port={}", p[4]),
            format!("-master.port.grpc={}", p[5]),
            format!("-volume.port={}", p[6]),
            format!("-volume.port.grpc={}", p[7]),
            format!("-admin.port={}", p[8]),
            format!("-admin.port.grpc={}", p[9]),
            format!("-bucket={}", buckets.join(",")),
            format!("-s3.domainName={DOMAIN}"),
        ]
        .into();
        let env = [
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ];
        let mut process = ServerProcess::spawn(
            "SeaweedFS",
            &weed,
            &args,
            &env,
            dir.path(),
            &dir.path().join("weed.log"),
        )
        .expect("spawn weed");
        let s3 = loopback(p[0]);
        let keys = keys(None);
        process.wait_until(READY_TIMEOUT, || {
            buckets.iter().all(|b| {
                sigv4::signed_request(s3, &keys, "HEAD", &format!("/{b}"), b"")
                    .is_ok_and(|r| r.status == 200)
            })
        })?;
        Ok(Self {
            s3,
            process,
            _dir: dir,
        })
    }

    /// The server log's tail, for failure messages.
    pub fn log_tail(&self) -> String {
        self.process.log_tail(4000)
    }
}

impl Server for SeaweedFs {
    fn name(&self) -> &str {
        "SeaweedFS"
    }
    fn addr(&self) -> SocketAddr {
        self.s3
    }
    fn keys(&self) -> Keys {
        keys(None)
    }
}

/// MiniStack 1.5.33 with `AUTH=true` and only S3.
pub struct MiniStack {
    addr: SocketAddr,
    token: Option<String>,
    name: String,
    process: ServerProcess,
    _dir: TempDir,
}

impl MiniStack {
    /// Starts it (with `AWS_SESSION_TOKEN=token` when given), waits until it answers and
    /// creates `buckets` with signed PUTs.
    ///
    /// # Panics
    ///
    /// When the venv is missing (run `scripts/e2e/install.sh`) or the server does not come up.
    pub fn start(buckets: &[&str], token: Option<&str>) -> Self {
        retry_start("MiniStack", || Self::try_start(buckets, token))
    }

    fn try_start(buckets: &[&str], token: Option<&str>) -> Result<Self, String> {
        let program = venv_bin("ministack");
        let dir = TempDir::new("ministack").expect("temp dir");
        let port = free_ports(1).expect("free port")[0];
        let mut env = vec![
            ("BIND_HOST", "127.0.0.1".to_owned()),
            ("GATEWAY_PORT", port.to_string()),
            ("AUTH", "true".to_owned()),
            ("SERVICES", "s3".to_owned()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
            ("MINISTACK_REGION", REGION.to_owned()),
        ];
        if let Some(token) = token {
            env.push(("AWS_SESSION_TOKEN", token.to_owned()));
        }
        let name = if token.is_some() {
            "MiniStack+STS"
        } else {
            "MiniStack"
        };
        let mut process = ServerProcess::spawn(
            name,
            &program,
            &[],
            &env,
            dir.path(),
            &dir.path().join("ministack.log"),
        )
        .expect("spawn ministack");
        let addr = loopback(port);
        process.wait_until(READY_TIMEOUT, || answers(addr))?;
        let server = Self {
            addr,
            token: token.map(str::to_owned),
            name: name.to_owned(),
            process,
            _dir: dir,
        };
        for bucket in buckets {
            create_bucket(&server, bucket)
                .map_err(|e| format!("{e}\nlog tail:\n{}", server.process.log_tail(4000)))?;
        }
        Ok(server)
    }

    /// The server log's tail, for failure messages.
    pub fn log_tail(&self) -> String {
        self.process.log_tail(4000)
    }
}

impl Server for MiniStack {
    fn name(&self) -> &str {
        &self.name
    }
    fn addr(&self) -> SocketAddr {
        self.addr
    }
    fn keys(&self) -> Keys {
        keys(self.token.as_deref())
    }
}

/// The embedded store of `upticket-sim`, in-process.
pub struct Embedded {
    store: RunningStore,
    token: Option<String>,
    name: String,
    _dir: TempDir,
}

impl Embedded {
    /// Starts it with `buckets`, [`ACCESS_KEY`]/[`SECRET`] (bound to `token` when given),
    /// [`REGION`] and [`DOMAIN`], on the system clock.
    pub fn start(buckets: &[&str], token: Option<&str>) -> Self {
        let dir = TempDir::new("store").expect("temp dir");
        let mut credential = Credential::new(ACCESS_KEY, SECRET);
        if let Some(token) = token {
            credential = credential.with_token(token);
        }
        let mut config = StoreConfig::new(dir.path().join("objects"), buckets, vec![credential]);
        config.region = REGION.to_owned();
        config.domain = Some(DOMAIN.to_owned());
        let store = Store::start(config).expect("start the embedded store");
        let name = if token.is_some() {
            "embedded+STS"
        } else {
            "embedded"
        };
        Self {
            store,
            token: token.map(str::to_owned),
            name: name.to_owned(),
            _dir: dir,
        }
    }

    /// The running store (direct object access, clock).
    pub fn store(&self) -> &RunningStore {
        &self.store
    }
}

impl Server for Embedded {
    fn name(&self) -> &str {
        &self.name
    }
    fn addr(&self) -> SocketAddr {
        self.store.addr()
    }
    fn keys(&self) -> Keys {
        keys(self.token.as_deref())
    }
}
