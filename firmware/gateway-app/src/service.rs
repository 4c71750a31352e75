//! The core's gateway as the firmware's [`Service`], with a safe state for a bad configuration.

use upticket::UnixTime;
use upticket::gateway::config::{Config, ConfigError};
use upticket::gateway::http::{self, Status};
use upticket::gateway::{DEFAULT_TIME_FLOOR, Gateway};

use crate::Service;
use crate::log::{error, info};

/// Camera-table capacity of the firmware's gateway.
pub const CAMERAS: usize = 16;

/// Clocks before this are not trusted (the core's default floor).
const TIME_FLOOR: UnixTime = match UnixTime::from_secs(DEFAULT_TIME_FLOOR) {
    Ok(floor) => floor,
    Err(_) => panic!("DEFAULT_TIME_FLOOR is a valid time"),
};

/// The gateway service built from the configuration block, or the safe state.
#[allow(
    clippy::large_enum_variant,
    reason = "one instance, in a static; there is no heap to box the gateway into"
)]
pub enum Upticket<'a> {
    /// Serving tickets.
    Serving(Gateway<'a, CAMERAS>),
    /// The configuration was rejected: nothing is signed and every request gets
    /// `500 {"error":"internal","reason":"gateway configuration invalid"}`.
    Unconfigured(ConfigError),
}

impl<'a> Upticket<'a> {
    /// Parses and checks the configuration document (the simulator's JSON) and builds the
    /// gateway; logs the reason (never a secret) and enters the safe state when it is invalid.
    pub fn from_config(document: &'a [u8]) -> Self {
        match Config::<CAMERAS>::parse(document).and_then(|config| Gateway::new(config, TIME_FLOOR))
        {
            Ok(gateway) => {
                let config = gateway.config();
                info!(
                    "configuration: {=str} bucket {=str} region {=str}, {=usize} cameras",
                    config.target.scheme.name(),
                    config.target.bucket,
                    config.target.region,
                    config.cameras.len()
                );
                Upticket::Serving(gateway)
            }
            Err(e) => {
                error!("configuration rejected, serving errors only: {}", e);
                Upticket::Unconfigured(e)
            }
        }
    }

    /// Whether tickets can be issued (the configuration is valid).
    pub fn is_serving(&self) -> bool {
        matches!(self, Upticket::Serving(_))
    }
}

impl Service for Upticket<'_> {
    fn handle(&mut self, request: &[u8], now_unix: Option<u64>, response: &mut [u8]) -> usize {
        match self {
            Upticket::Serving(gateway) => {
                let now = now_unix.and_then(|secs| UnixTime::from_secs(secs).ok());
                let outcome = gateway.handle(request, now, response);
                info!(
                    "{=u16} {=str} camera {}",
                    outcome.status.code(),
                    outcome.reason,
                    outcome.camera
                );
                outcome.len
            }
            Upticket::Unconfigured(_) => http::error(
                response,
                Status::InternalServerError,
                "gateway configuration invalid",
                None,
            )
            .unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../../../config/sample.json");

    fn body(response: &[u8]) -> &str {
        let text = core::str::from_utf8(response).unwrap();
        text.split_once("\r\n\r\n").unwrap().1
    }

    #[test]
    fn sample_configuration_serves() {
        let mut service = Upticket::from_config(SAMPLE);
        assert!(service.is_serving());
        let mut out = [0u8; upticket::gateway::MAX_RESPONSE_LEN];
        let n = service.handle(b"GET /health HTTP/1.1\r\n\r\n", None, &mut out);
        assert!(out[..n].starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert!(body(&out[..n]).contains("\"clock\":\"untrusted\""));
    }

    #[test]
    fn untrusted_time_gets_503() {
        let mut service = Upticket::from_config(SAMPLE);
        let mut out = [0u8; upticket::gateway::MAX_RESPONSE_LEN];
        let req = b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
        let n = service.handle(req, None, &mut out);
        assert!(out[..n].starts_with(b"HTTP/1.1 503 "));
    }

    #[test]
    fn invalid_configuration_is_a_safe_state() {
        for doc in [&b"{"[..], b"{\"scheme\":\"oss-v9\"}", b""] {
            let mut service = Upticket::from_config(doc);
            assert!(!service.is_serving());
            let mut out = [0u8; 512];
            let n = service.handle(
                b"GET /health HTTP/1.1\r\n\r\n",
                Some(1_800_000_000),
                &mut out,
            );
            assert!(out[..n].starts_with(b"HTTP/1.1 500 Internal Server Error\r\n"));
            assert_eq!(
                body(&out[..n]),
                r#"{"error":"internal","reason":"gateway configuration invalid"}"#
            );
        }
    }
}
