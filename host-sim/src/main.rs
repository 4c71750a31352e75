//! upticket-sim (skeleton)
fn main() {}
