//! Server child processes that always stop: each runs under `timeout` (a hard upper bound on its
//! life even if the test process dies) in its own process group, which is killed on drop (also
//! when a test panics).

use std::fs::File;
use std::io::{self, Read as _};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Longest a server may live, whatever happens to the test process.
pub const MAX_SERVER_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Reserves `n` distinct free TCP ports on 127.0.0.1 (bound together, then released).
pub fn free_ports(n: usize) -> io::Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

/// A running server process; killed (with its whole process group) on drop.
#[derive(Debug)]
pub struct ServerProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `program args..` with `env` (on top of a cleared environment that keeps only
    /// `PATH`), in `dir`, stdout and stderr to `log`.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, String)],
        dir: &Path,
        log: &Path,
    ) -> io::Result<Self> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let mut command = Command::new("timeout");
        command
            .arg("--kill-after=5")
            .arg(MAX_SERVER_LIFETIME.as_secs().to_string())
            .arg(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("TMPDIR", dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command.spawn()?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    /// The last `max` bytes of the server's log.
    pub fn log_tail(&self, max: usize) -> String {
        let mut text = Vec::new();
        if let Ok(mut f) = File::open(&self.log) {
            let _ = f.read_to_end(&mut text);
        }
        let start = text.len().saturating_sub(max);
        String::from_utf8_lossy(&text[start..]).into_owned()
    }

    /// Polls `ready` until it returns true, failing early if the process exits or after
    /// `timeout`.
    pub fn wait_until(
        &mut self,
        timeout: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<Duration, String> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited before it was ready ({status}); log tail:\n{}",
                    self.name,
                    self.log_tail(4000)
                ));
            }
            if ready() {
                return Ok(start.elapsed());
            }
            if start.elapsed() > timeout {
                return Err(format!(
                    "{} not ready after {timeout:?}; log tail:\n{}",
                    self.name,
                    self.log_tail(4000)
                ));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // The child is the leader of its own process group: kill the group, by its id.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `127.0.0.1:port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::e2e::tempdir::TempDir;

    fn alive(pid: u32) -> bool {
        // A killed child of `timeout` may linger as a zombie until reaped; count it as gone.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.split(' ').nth(2).is_none_or(|state| state != "Z"))
    }

    #[test]
    fn a_panicking_test_still_kills_the_whole_process_group() {
        let dir = TempDir::new("process").expect("temp dir");
        let pid_file = dir.path().join("pid");
        let script = format!("sleep 600 & echo $! > {}; wait", pid_file.display());
        let result = std::panic::catch_unwind(|| {
            let mut server = ServerProcess::spawn(
                "sleeper",
                Path::new("/bin/sh"),
                &["-c".to_owned(), script.clone()],
                &[],
                dir.path(),
                &dir.path().join("log"),
            )
            .expect("spawn");
            server
                .wait_until(Duration::from_secs(10), || {
                    std::fs::read_to_string(&pid_file).is_ok_and(|s| s.ends_with('\n'))
                })
                .expect("the grandchild started");
            panic!("a test fails while its server runs");
        });
        assert!(result.is_err());
        let grandchild: u32 = std::fs::read_to_string(&pid_file)
            .expect("pid")
            .trim()
            .parse()
            .expect("a pid");
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(grandchild) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        assert!(
            !alive(grandchild),
            "the server's own child {grandchild} survived the drop"
        );
    }
}
