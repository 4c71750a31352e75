//! Headless Chromium for the browser end-to-end suite, driven through chromedriver's W3C
//! WebDriver HTTP API by the small std client in [`webdriver`].
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `scripts/setup.sh`); when either
//! is missing, [`Browser::start`] fails with that instruction instead of letting a test skip.
//! chromedriver runs under `timeout` in its own process group (see
//! [`ServerProcess`]), so it and every Chromium process it
//! starts are killed when the [`Browser`] is dropped, also when a test panics. chromedriver
//! listens on loopback only (its default without `--allowed-ips`).

pub mod webdriver;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::e2e::process::{ServerProcess, free_ports, loopback};
use crate::e2e::tempdir::TempDir;
pub use webdriver::{Error, Session};

/// Chromium's flags: headless, and quiet on a closed network as root.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,800",
];

/// How long chromedriver may take to answer `/status`.
const DRIVER_START: Duration = Duration::from_secs(30);

/// Finds `program` on `PATH` (Debian installs both in `/usr/bin`).
fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `chromium` and `chromedriver`, or the instruction to install them.
pub fn programs() -> Result<(PathBuf, PathBuf), String> {
    let missing = |what: &str, package: &str| {
        format!(
            "{what} not found on PATH: run scripts/setup.sh (it installs Debian's chromium and \
             chromium-driver; or `apt-get install -y {package}`). The browser suite never skips."
        )
    };
    let chromium = find_program("chromium").ok_or_else(|| missing("chromium", "chromium"))?;
    let driver =
        find_program("chromedriver").ok_or_else(|| missing("chromedriver", "chromium-driver"))?;
    Ok((chromium, driver))
}

/// A headless Chromium behind chromedriver, with one WebDriver session. Dropping it deletes the
/// session, then kills chromedriver's process group, then removes the profile directory.
pub struct Browser {
    // Field order is drop order.
    session: Session,
    driver: ServerProcess,
    dir: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session with a fresh profile.
    /// Tries three times (a free port can be taken between finding and binding it).
    pub fn start() -> Result<Self, String> {
        let (chromium, driver) = programs()?;
        let mut errors = Vec::new();
        for _ in 0..3 {
            match Self::attempt(&chromium, &driver) {
                Ok(browser) => return Ok(browser),
                Err(e) => errors.push(e),
            }
        }
        Err(format!(
            "headless Chromium did not start:\n{}",
            errors.join("\n---\n")
        ))
    }

    fn attempt(chromium: &Path, driver: &Path) -> Result<Self, String> {
        let dir = TempDir::new("browser").map_err(|e| e.to_string())?;
        let profile = dir.path().join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let port = free_ports(1).map_err(|e| e.to_string())?[0];
        let addr = loopback(port);
        let mut process = ServerProcess::spawn(
            "chromedriver",
            driver,
            &[format!("--port={port}"), "--log-level=WARNING".to_owned()],
            &[],
            dir.path(),
            &dir.path().join("chromedriver.log"),
        )
        .map_err(|e| format!("spawn {}: {e}", driver.display()))?;
        process.wait_until(DRIVER_START, || {
            webdriver::command(addr, "GET", "/status", None)
                .is_ok_and(|v| v["ready"].as_bool() == Some(true))
        })?;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args,
            },
        });
        let session = webdriver::Session::new(addr, capabilities).map_err(|e| {
            format!(
                "new WebDriver session: {e}\nchromedriver log tail:\n{}",
                process.log_tail(4000)
            )
        })?;
        Ok(Self {
            session,
            driver: process,
            dir,
        })
    }

    /// The WebDriver session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// A directory that lives as long as the browser (for screenshots and the like).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last `max` bytes of chromedriver's log.
    pub fn log_tail(&self, max: usize) -> String {
        self.driver.log_tail(max)
    }
}
