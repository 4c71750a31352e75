#!/usr/bin/env bash
# Runs every test of the project: lints, the core on the Cortex-M4F target, the unit, property,
# known-answer, end-to-end and browser suites on the host, and the firmware in QEMU
# (docs/testing.md lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# 10,000 cases per property (docs/testing.md lists the suites).
export PROPTEST_CASES="${PROPTEST_CASES:-10000}"

step() { printf '\n==> %s\n' "$*"; }

step "setup"
bash scripts/setup.sh

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "core builds for thumbv7em-none-eabihf without alloc"
cargo build -p upticket --release --target thumbv7em-none-eabihf
cargo build -p upticket --release --target thumbv7em-none-eabihf --features defmt

step "host tests (unit, known-answer, property, end-to-end, browser)"
cargo nextest run --workspace --release --no-fail-fast
cargo test --workspace --release --doc

step "firmware: lints, host tests, real-board build, on-target tests and TCP end to end in QEMU, sizes"
bash firmware/tests/ci.sh
