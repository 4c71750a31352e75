//! The demo against real servers: tickets issued by the gateway over TCP to a fleet of
//! simulated cameras are accepted by SeaweedFS and MiniStack, and every rogue-camera trick that
//! reaches the store (key outside the prefix, oversize file, tampered policy and signature,
//! expired ticket) is refused by the real server.

use upticket_sim::demo::{DemoArgs, run_with_secret};
use upticket_tests::e2e::servers::{ACCESS_KEY, MiniStack, REGION, SECRET, SeaweedFs, Server};

fn args(server: &dyn Server) -> DemoArgs {
    DemoArgs {
        cameras: 4,
        uploads: 3,
        scheme: "s3-v4".into(),
        store: Some(format!("http://{}", server.endpoint())),
        bucket: "demo".into(),
        region: Some(REGION.into()),
        access_key_id: ACCESS_KEY.into(),
    }
}

#[test]
fn the_demo_passes_against_seaweedfs() {
    let server = SeaweedFs::start(&["demo"]);
    let result = run_with_secret(&args(&server), SECRET);
    assert!(result.is_ok(), "{result:?}\n{}", server.log_tail());
}

#[test]
fn the_demo_passes_against_ministack() {
    let server = MiniStack::start(&["demo"], None);
    let result = run_with_secret(&args(&server), SECRET);
    assert!(result.is_ok(), "{result:?}\n{}", server.log_tail());
}
