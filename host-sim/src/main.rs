//! `upticket-sim`: the upticket gateway on a desktop.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use upticket::{Credentials, Scheme, Secret, UnixTime, sign_policy};
use upticket_sim::{camera, config, server};

/// The upticket gateway on a desktop: sign policies, issue tickets, serve the gateway, run the demo.
#[derive(Parser, Debug)]
#[command(name = "upticket-sim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the whole world on loopback: object store, gateway, cameras, a rogue camera; print a summary.
    Demo(upticket_sim::demo::DemoArgs),
    /// Sign policy JSON exactly as given and print the form fields (the offline counterpart of
    /// the OSS console's PostObject signature tool). The secret comes from the environment
    /// variable UPTICKET_ACCESS_KEY_SECRET or --secret-file, never from the command line.
    Sign(SignArgs),
    /// Issue one ticket from a configuration file, as the gateway would for one camera request.
    Ticket(TicketArgs),
    /// Serve the gateway API (and the browser upload page on /) on TCP.
    Serve(ServeArgs),
    /// Run the embedded object store alone: PostObject checked the way OSS (V1, V4) and S3
    /// (SigV4, V2) check it, objects kept on disk, unauthenticated reads (loopback only). The
    /// secret comes from UPTICKET_ACCESS_KEY_SECRET.
    Store(StoreArgs),
}

#[derive(Parser, Debug)]
struct StoreArgs {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: String,
    /// Bucket to create (repeat for more).
    #[arg(long, required = true)]
    bucket: Vec<String>,
    /// Region the V4 credential scope must name.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// The one access key id the store accepts.
    #[arg(long)]
    access_key_id: String,
    /// STS token the key requires, if any.
    #[arg(long)]
    security_token: Option<String>,
    /// Domain for virtual-hosted addressing: `Host: BUCKET.DOMAIN` (e.g. localhost).
    #[arg(long)]
    domain: Option<String>,
    /// Directory for the buckets (created; default: a new one under the system's temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SchemeArg {
    #[value(name = "oss-v4")]
    OssV4,
    #[value(name = "oss-v1")]
    OssV1,
    #[value(name = "s3-v4")]
    S3V4,
}

impl From<SchemeArg> for Scheme {
    fn from(s: SchemeArg) -> Self {
        match s {
            SchemeArg::OssV4 => Scheme::OssV4,
            SchemeArg::OssV1 => Scheme::OssV1,
            SchemeArg::S3V4 => Scheme::S3V4,
        }
    }
}

#[derive(Parser, Debug)]
struct SignArgs {
    /// Signature scheme.
    #[arg(long, value_enum)]
    scheme: SchemeArg,
    /// Access key id (for STS credentials, the temporary one).
    #[arg(long)]
    access_key_id: String,
    /// Region id for the V4 credential scope, e.g. cn-hangzhou or us-east-1.
    #[arg(long, default_value = "cn-hangzhou")]
    region: String,
    /// Signing time as YYYYMMDDTHHMMSSZ (UTC); default: now.
    #[arg(long)]
    date: Option<String>,
    /// STS security token, added as a form field (the policy must already bind it).
    #[arg(long)]
    security_token: Option<String>,
    /// File holding the access key secret (trailing newline ignored).
    #[arg(long)]
    secret_file: Option<PathBuf>,
    /// Policy JSON file, or - for standard input. Its bytes are signed exactly as given.
    policy: String,
}

#[derive(Parser, Debug)]
struct TicketArgs {
    /// Gateway configuration (docs/config.md).
    #[arg(long)]
    config: PathBuf,
    /// Camera id from the configuration.
    #[arg(long)]
    camera: String,
    /// File name the camera reports.
    #[arg(long, default_value = "snapshot.jpg")]
    name: String,
    /// File size in bytes.
    #[arg(long, default_value_t = 65536)]
    size: u64,
    /// Content type; default: the camera's first allowed type.
    #[arg(long)]
    content_type: Option<String>,
    /// Time as Unix seconds (UTC); default: now. An explicit time is trusted as given.
    #[arg(long)]
    now: Option<u64>,
    /// Response shape: upticket or oss-app-server.
    #[arg(long, default_value = "upticket")]
    shape: String,
}

#[derive(Parser, Debug)]
struct ServeArgs {
    /// Gateway configuration (docs/config.md).
    #[arg(long)]
    config: PathBuf,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => upticket_sim::demo::run(&args),
        Command::Sign(args) => sign(&args),
        Command::Ticket(args) => ticket(&args),
        Command::Serve(args) => serve(&args),
        Command::Store(args) => store(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("upticket-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_secret(args: &SignArgs) -> Result<Vec<u8>, String> {
    let raw = match &args.secret_file {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => std::env::var("UPTICKET_ACCESS_KEY_SECRET")
            .map_err(|_| "set UPTICKET_ACCESS_KEY_SECRET or pass --secret-file".to_string())?
            .into_bytes(),
    };
    let end = raw
        .iter()
        .rposition(|b| !b"\r\n".contains(b))
        .map_or(0, |e| e + 1);
    Ok(raw[..end].to_vec())
}

fn parse_date(date: &str) -> Result<UnixTime, String> {
    let ms = upticket_sim::store::time::parse_amz_date(date)
        .ok_or_else(|| format!("--date {date}: expected YYYYMMDDTHHMMSSZ"))?;
    let secs = u64::try_from(ms / 1000).map_err(|_| format!("--date {date}: before 1970"))?;
    UnixTime::from_secs(secs).map_err(|e| format!("--date {date}: {e}"))
}

fn now() -> Result<UnixTime, String> {
    (server::system_clock())().ok_or_else(|| "system clock before 1970 or after 9999".to_string())
}

fn sign(args: &SignArgs) -> Result<(), String> {
    let policy = if args.policy == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("stdin: {e}"))?;
        buf
    } else {
        std::fs::read(&args.policy).map_err(|e| format!("{}: {e}", args.policy))?
    };
    let mut secret_bytes = read_secret(args)?;
    let secret = Secret::new(&secret_bytes).map_err(|e| e.to_string());
    secret_bytes.iter_mut().for_each(|b| *b = 0);
    let credentials =
        Credentials::new(&args.access_key_id, secret?, args.security_token.as_deref())
            .map_err(|e| e.to_string())?;
    let when = match &args.date {
        Some(d) => parse_date(d)?,
        None => now()?,
    };
    let mut scratch = vec![0u8; policy.len() / 3 * 4 + 8];
    let signed = sign_policy(
        args.scheme.into(),
        &credentials,
        &args.region,
        when,
        &policy,
        &mut scratch,
    )
    .map_err(|e| e.to_string())?;
    // Fields in wire order, one per line.
    let lines: Vec<String> = signed
        .fields()
        .map(|f| {
            let name = serde_json::to_string(&f.name.to_string()).unwrap_or_default();
            let value =
                serde_json::to_string(&String::from_utf8_lossy(f.value)).unwrap_or_default();
            format!("  {name}: {value}")
        })
        .collect();
    println!("{{\n{}\n}}", lines.join(",\n"));
    Ok(())
}

fn ticket(args: &TicketArgs) -> Result<(), String> {
    let config = config::load(&args.config)?;
    let (_, cam) = config
        .camera(&args.camera)
        .ok_or_else(|| format!("no camera {} in the configuration", args.camera))?;
    let content_type = match &args.content_type {
        Some(t) => t.clone(),
        None => cam
            .content_types
            .first()
            .map(|t| t.to_string())
            .unwrap_or_default(),
    };
    let key = cam.key();
    let camera = camera::Camera {
        id: cam.id.to_string(),
        key,
    };
    let (when, floor) = match args.now {
        Some(t) => (UnixTime::from_secs(t).map_err(|e| e.to_string())?, Some(t)),
        None => (now()?, None),
    };
    let mut gateway = config::gateway(config, floor)?;
    let target = match args.shape.as_str() {
        "upticket" => "/v1/tickets".to_string(),
        other => format!("/v1/tickets?shape={other}"),
    };
    let body = camera::ticket_body(&args.name, args.size, &content_type);
    let request =
        camera.ticket_request("gateway", &target, &body, when.as_secs(), &camera::nonce());
    let mut out = vec![0u8; upticket::gateway::MAX_RESPONSE_LEN];
    let outcome = gateway.handle(&request, Some(when), &mut out);
    let response = camera::parse_response(&out[..outcome.len]).map_err(|e| e.to_string())?;
    println!("{}", response.text());
    if response.status == 200 {
        Ok(())
    } else {
        Err(format!(
            "gateway answered {}: {}",
            response.status, outcome.reason
        ))
    }
}

fn serve(args: &ServeArgs) -> Result<(), String> {
    let config = config::load(&args.config)?;
    let gateway = config::gateway(config, None)?;
    let listener = TcpListener::bind(&args.listen).map_err(|e| format!("{}: {e}", args.listen))?;
    let observer: server::Observer = std::sync::Arc::new(|o| {
        println!("{} {}", o.status.code(), o.reason);
    });
    let srv = server::Server::start(listener, gateway, server::system_clock(), Some(observer))
        .map_err(|e| e.to_string())?;
    println!(
        "gateway on http://{}/ (API: POST /v1/tickets, GET /health); Ctrl-C stops",
        srv.addr()
    );
    loop {
        std::thread::park();
    }
}

fn store(args: &StoreArgs) -> Result<(), String> {
    use upticket_sim::store::{Credential, Store, StoreConfig};
    let secret = std::env::var("UPTICKET_ACCESS_KEY_SECRET")
        .map_err(|_| "set UPTICKET_ACCESS_KEY_SECRET to the store's secret".to_string())?;
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("upticket-store-{}", std::process::id()))
    });
    let buckets: Vec<&str> = args.bucket.iter().map(String::as_str).collect();
    let mut credential = Credential::new(&args.access_key_id, secret);
    if let Some(token) = &args.security_token {
        credential = credential.with_token(token);
    }
    let mut config = StoreConfig::new(&dir, &buckets, vec![credential]);
    config.bind = args.listen.clone();
    config.region = args.region.clone();
    config.domain = args.domain.clone();
    let running = Store::start(config).map_err(|e| format!("{}: {e}", args.listen))?;
    println!(
        "store on http://{} (buckets in {}); Ctrl-C stops",
        running.addr(),
        dir.display()
    );
    loop {
        std::thread::park();
    }
}
