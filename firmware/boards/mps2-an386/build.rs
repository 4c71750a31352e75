//! Puts `memory.x` on the linker search path, passes the linker scripts of cortex-m-rt and
//! defmt to every binary and test of this board, and copies the gateway's configuration
//! document (`UPTICKET_CONFIG`, default: the repository's `config/sample.json`) to
//! `OUT_DIR/config.json` for `include_bytes!`. `UPTICKET_SNTP_PORT` (a UDP port on the host)
//! makes the firmware take UTC from an SNTP server at 10.0.2.2:PORT instead of semihosting.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rustc-link-arg=-Tlink.x");
    println!("cargo:rustc-link-arg=-Tdefmt.x");

    println!("cargo:rerun-if-env-changed=UPTICKET_CONFIG");
    let config = match env::var_os("UPTICKET_CONFIG") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../config/sample.json"),
    };
    println!("cargo:rerun-if-changed={}", config.display());
    let document =
        fs::read(&config).unwrap_or_else(|e| panic!("UPTICKET_CONFIG {}: {e}", config.display()));
    fs::write(out.join("config.json"), document).expect("write config.json");

    println!("cargo:rerun-if-env-changed=UPTICKET_SNTP_PORT");
    let sntp_port = match env::var("UPTICKET_SNTP_PORT") {
        Ok(port) => {
            let port: u16 = port.parse().expect("UPTICKET_SNTP_PORT is a UDP port");
            format!("Some({port})")
        }
        Err(_) => "None".to_string(),
    };
    fs::write(
        out.join("time_source.rs"),
        format!(
            "/// Host UDP port of the SNTP server, when UTC comes from the network.
const SNTP_PORT: Option<u16> = {sntp_port};
"
        ),
    )
    .expect("write time_source.rs");
}
