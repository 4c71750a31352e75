#!/usr/bin/env bash
# Everything the firmware's CI runs, in order; exits non-zero on the first failure.
#
#   bash firmware/tests/ci.sh
#
# Needs: rustup with the thumbv7em-none-eabihf target and clippy/rustfmt, qemu-system-arm,
# defmt-print (installed here if missing), python3, curl, llvm (llvm-size, llvm-nm).
set -euo pipefail

cd "$(dirname "$0")/.."
HOST=$(rustc -vV | sed -n 's/^host: //p')

rustup target list --installed | grep -qx thumbv7em-none-eabihf ||
    rustup target add thumbv7em-none-eabihf
command -v defmt-print >/dev/null || cargo install --locked defmt-print

echo "== format and lints"
cargo fmt --check
cargo clippy --release -p lan9118 -p gateway-app -- -D warnings
cargo clippy --release -p board-mps2-an386 --all-targets -- -D warnings
cargo clippy --release -p board-nucleo-f429zi -- -D warnings
cargo clippy --target "$HOST" -p lan9118 -p upticket-replay --all-targets -- -D warnings
cargo clippy --target "$HOST" -p gateway-app --no-default-features --all-targets -- -D warnings

echo "== host unit tests (LAN9118 frame logic, gateway service wiring)"
cargo test --target "$HOST" -p lan9118 -p gateway-app --no-default-features --lib

echo "== real board builds"
cargo build --release -p board-nucleo-f429zi

echo "== on-target tests in QEMU (driver, clock, the core's known-answer vectors)"
cargo test --release -p board-mps2-an386

echo "== gateway over TCP in QEMU, all schemes, replayed through the host service"
tests/qemu_net.sh

echo "== measurements"
tests/measure.sh
