//! The upticket gateway on std: the library half of `upticket-sim`.
//!
//! * [`server`]: the core's sans-IO gateway service on real TCP, plus the browser page ([`web`]).
//! * [`camera`]: simulated cameras that authenticate ticket requests as `docs/api.md` says.
//! * [`upload`]: a multipart/form-data client that posts a file with a ticket.
//! * [`store`]: an object store that enforces PostObject policies the way OSS and S3 do.
//! * [`config`]: loading a configuration file for the gateway.
//! * [`demo`]: `upticket-sim demo`, the whole world on loopback.
//! * [`png`]: generated images for the simulated cameras.
pub mod camera;
pub mod config;
pub mod demo;
pub mod png;
pub mod server;
pub mod store;
pub mod upload;
pub mod web;
