//! The browser upload page end to end, in headless Chromium: a person picks a file on the page
//! the gateway serves, the page gets a ticket from the gateway and posts the file straight to the
//! store (another origin), then shows the result.
//!
//! Each test starts the embedded store (virtual-hosted, `http://demo.localhost:PORT`, which
//! Chromium resolves to loopback itself), a gateway server in-process and its own headless
//! Chromium. Needs Debian's `chromium` and `chromium-driver` (`scripts/setup.sh`); fails, never
//! skips, without them. The tests take turns: one browser at a time.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::json;
use upticket_sim::server::{Server, system_clock};
use upticket_sim::store::{Credential, RunningStore, Store, StoreConfig};
use upticket_sim::{camera, config, png};
use upticket_tests::browser::Browser;
use upticket_tests::e2e::tempdir::TempDir;

const BUCKET: &str = "demo";
const CAMERA: &str = "web-0001";
const PREFIX: &str = "web/0001/";
/// How long the page may take from the click to its outcome.
const OUTCOME_TIMEOUT: Duration = Duration::from_secs(30);

/// One browser at a time (a 2-core machine; each test starts its own Chromium).
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The embedded store and a gateway in front of it; stops when dropped.
struct World {
    // Field order is drop order: servers first, then their directory.
    gateway: Server,
    store: RunningStore,
    key_hex: String,
    dir: TempDir,
}

impl World {
    /// `scheme` is `oss-v4` or `oss-v1`.
    fn start(scheme: &str) -> Self {
        let dir = TempDir::new("browser-world").expect("temp dir");
        let secret = camera::nonce() + &camera::nonce();
        let mut cfg = StoreConfig::new(
            dir.path().join("store"),
            &[BUCKET],
            vec![Credential::new("browseraccess", &secret)],
        );
        cfg.region = "cn-hangzhou".into();
        cfg.domain = Some("localhost".into());
        let store = Store::start(cfg).expect("embedded store starts");
        let mut key = [0u8; 32];
        camera::fill_random(&mut key);
        let key_hex = camera::hex(&key);
        let document = json!({
            "scheme": scheme,
            "bucket": BUCKET,
            "endpoint": format!("localhost:{}", store.addr().port()),
            "region": "cn-hangzhou",
            "url_style": "virtual-hosted",
            "protocol": "http",
            "access_key_id": "browseraccess",
            "access_key_secret": secret,
            "lifetime_secs": 120,
            "cameras": [{
                "id": CAMERA,
                "key": key_hex,
                "prefix": PREFIX,
                "max_size": 1_048_576,
                "content_types": ["image/png", "image/jpeg"],
            }],
        });
        let parsed = config::parse(document.to_string().into_bytes().leak()).expect("config");
        let gateway = config::gateway(parsed, None).expect("gateway");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind gateway");
        let gateway =
            Server::start(listener, gateway, system_clock(), None).expect("gateway starts");
        Self {
            gateway,
            store,
            key_hex,
            dir,
        }
    }

    /// The store's URL as tickets name it.
    fn store_url(&self) -> String {
        format!("http://{BUCKET}.localhost:{}", self.store.addr().port())
    }

    /// The page's address with the camera (and `key_hex`) prefilled.
    fn page_url(&self, key_hex: &str, shape: Option<&str>) -> String {
        let mut url = format!(
            "http://{}/#camera={CAMERA}&key={key_hex}",
            self.gateway.addr()
        );
        if let Some(shape) = shape {
            url.push_str("&shape=");
            url.push_str(shape);
        }
        url
    }

    /// A real PNG on disk, named `name`; returns its path and bytes.
    fn png_file(&self, name: &str, seed: u32) -> (PathBuf, Vec<u8>) {
        let bytes = png::image(96, 64, seed);
        let path = self.dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write the PNG");
        (path, bytes)
    }

    /// Every file stored in the bucket's directory.
    fn stored_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.store.root_dir().join(BUCKET), &mut out);
        out
    }
}

/// What the page showed after the click.
#[derive(Debug)]
struct PageResult {
    outcome: String,
    log: String,
}

impl PageResult {
    /// The key and URL from the page's "ticket for KEY, posting to URL" line.
    fn ticket(&self) -> Option<(String, String)> {
        self.log.lines().find_map(|line| {
            let (key, url) = line
                .strip_prefix("ticket for ")?
                .split_once(", posting to ")?;
            Some((key.to_owned(), url.to_owned()))
        })
    }
}

/// Opens `url`, picks `file`, clicks Upload and waits for `#outcome`.
fn upload_with_page(browser: &Browser, url: &str, file: &Path) -> PageResult {
    let page = browser.session();
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        panic!(
            "{what}: {e}\nchromedriver log tail:\n{}",
            browser.log_tail(3000)
        )
    };
    page.navigate(url)
        .unwrap_or_else(|e| fail("open the page", &e));
    let title = page.title().unwrap_or_else(|e| fail("title", &e));
    assert!(
        title.contains("upticket"),
        "unexpected page title {title:?}"
    );
    let input = page
        .find("#file")
        .unwrap_or_else(|e| fail("find #file", &e));
    page.send_keys(&input, &file.display().to_string())
        .unwrap_or_else(|e| fail("pick the file", &e));
    let picked = page
        .execute("return document.getElementById('file').files[0].name;", &[])
        .unwrap_or_else(|e| fail("read the picked file", &e));
    assert_eq!(
        picked.as_str(),
        file.file_name().and_then(|n| n.to_str()),
        "the file input did not take the file"
    );
    let button = page
        .find("#upload")
        .unwrap_or_else(|e| fail("find #upload", &e));
    page.click(&button)
        .unwrap_or_else(|e| fail("click Upload", &e));
    let outcome = page.wait_for("#outcome", OUTCOME_TIMEOUT);
    let log = page
        .find("#log")
        .and_then(|el| page.text(&el))
        .unwrap_or_default();
    let outcome = outcome
        .and_then(|el| page.text(&el))
        .unwrap_or_else(|e| fail(&format!("the page's outcome (log: {log:?})"), &e));
    PageResult { outcome, log }
}

fn start_browser() -> Browser {
    Browser::start().unwrap_or_else(|e| panic!("{e}"))
}

/// Uploads a PNG named `name` through the page with `shape`, then checks the answer and that the
/// store holds the very bytes under the key the page reported. Returns the key.
fn upload_is_stored(world: &World, browser: &Browser, shape: Option<&str>, name: &str) -> String {
    let (file, bytes) = world.png_file(name, 7);
    let result = upload_with_page(browser, &world.page_url(&world.key_hex, shape), &file);
    assert_eq!(result.outcome, "Uploaded: 204", "page log:\n{}", result.log);
    let (key, url) = result
        .ticket()
        .unwrap_or_else(|| panic!("no ticket line in the page log:\n{}", result.log));
    assert_eq!(url, world.store_url(), "page log:\n{}", result.log);
    assert!(
        key.starts_with(PREFIX),
        "key {key} outside the camera's prefix"
    );
    let object = world
        .store
        .object(BUCKET, &key)
        .expect("read the store")
        .unwrap_or_else(|| panic!("{key} is not in the store; page log:\n{}", result.log));
    assert!(
        object.data == bytes,
        "{key}: stored bytes differ from the file"
    );
    assert_eq!(object.content_type, "image/png");
    key
}

#[test]
fn upticket_shape_uploads_through_the_page() {
    let _turn = serial();
    let world = World::start("oss-v4");
    let browser = start_browser();
    // A name the gateway would refuse as it is (over 64 bytes): the page sends a sanitised,
    // shortened one that keeps the extension.
    let name = "front door at night, driveway camera snapshot 2026-12-04 15.42.33 (1).png";
    assert!(name.len() > 64);
    let key = upload_is_stored(&world, &browser, None, name);
    // PREFIX/YYYY/MM/DD/HHMMSS-NONCE16-NAME
    let sent = key.rsplit('/').next().unwrap_or_default();
    let sent = sent.splitn(3, '-').nth(2).unwrap_or_default();
    assert!(
        sent.len() <= 64
            && sent.starts_with("front_door_at_night__driveway")
            && sent.ends_with(".png"),
        "{key}"
    );

    // One screenshot of the page with its result.
    let shot = browser.session().screenshot().expect("screenshot");
    let path = browser.dir().join("upload-page.png");
    std::fs::write(&path, &shot).expect("write the screenshot");
    let written = std::fs::read(&path).expect("read the screenshot back");
    assert!(
        written.len() > 1000 && written.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG ({} bytes)",
        written.len()
    );
    let width = u32::from_be_bytes(written[16..20].try_into().expect("IHDR width"));
    let height = u32::from_be_bytes(written[20..24].try_into().expect("IHDR height"));
    assert!(width > 0 && height > 0, "screenshot of {width}x{height}");
}

#[test]
fn oss_v4_app_server_shape_uploads_through_the_page() {
    let _turn = serial();
    let world = World::start("oss-v4");
    let browser = start_browser();
    let key = upload_is_stored(&world, &browser, Some("oss-app-server"), "back yard.png");
    // The page builds the key as dir + its own sanitised file name.
    assert!(key.ends_with("/back_yard.png"), "{key}");
}

#[test]
fn oss_v1_app_server_shape_uploads_through_the_page() {
    let _turn = serial();
    let world = World::start("oss-v1");
    let browser = start_browser();
    let key = upload_is_stored(&world, &browser, Some("oss-app-server"), "garage.png");
    assert!(key.ends_with("/garage.png"), "{key}");
}

#[test]
fn a_wrong_camera_key_is_refused_and_nothing_is_stored() {
    let _turn = serial();
    let world = World::start("oss-v4");
    let browser = start_browser();
    let mut wrong = [0u8; 32];
    camera::fill_random(&mut wrong);
    let (file, _) = world.png_file("intruder.png", 9);
    let result = upload_with_page(&browser, &world.page_url(&camera::hex(&wrong), None), &file);
    assert_eq!(
        result.outcome, "Ticket refused: 401",
        "page log:\n{}",
        result.log
    );
    assert!(
        result.log.contains("unauthenticated"),
        "page log:\n{}",
        result.log
    );
    assert_eq!(world.stored_files(), Vec::<PathBuf>::new());
}
