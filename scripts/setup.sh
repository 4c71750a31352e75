#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine of this project's kind (Debian, rustup,
# Python 3.11, root). Idempotent: skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v qemu-system-arm >/dev/null || need_apt+=(qemu-system-arm)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v llvm-size >/dev/null || need_apt+=(llvm)
command -v curl >/dev/null || need_apt+=(curl)
python3 -m venv --help >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx thumbv7em-none-eabihf; then
  echo "setup: rustup target add thumbv7em-none-eabihf"
  rustup target add thumbv7em-none-eabihf
fi
# Decodes the firmware's defmt logs (the version the firmware's defmt 1.x speaks).
if ! command -v defmt-print >/dev/null; then
  echo "setup: cargo install defmt-print"
  cargo install --locked --quiet defmt-print@1.2.0
fi

bash scripts/e2e/install.sh
