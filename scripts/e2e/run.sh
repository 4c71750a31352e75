#!/usr/bin/env bash
# Installs the e2e servers (idempotent) and runs the end-to-end suites:
#   e2e_servers: upticket tickets against SeaweedFS 4.48, MiniStack 1.5.33 and the embedded store
#                (prints the results table);
#   e2e_store:   the embedded store's OSS V4 / OSS-only checks.
# Extra arguments go to the test binaries (e.g. --nocapture is already set).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bash "$ROOT/scripts/e2e/install.sh"
cd "$ROOT"
cargo test -p upticket-tests --test e2e_servers --test e2e_store -- --nocapture "$@"
