#!/usr/bin/env bash
# End-to-end test of the gateway firmware under emulation, once per signing scheme:
# builds the firmware with a test configuration, boots it in QEMU (mps2-an386, LAN9118, user
# networking forwarded to a free 127.0.0.1 port), runs the host-side cameras of
# tests/net_client.py against it, then replays every recorded exchange through the host's
# gateway service (tools/replay) and requires identical bytes. The cameras also upload with
# their tickets: s3-v4 to SeaweedFS (`weed mini` from the project's e2e venv, installed by
# scripts/e2e/install.sh), oss-v4 and oss-v1 to the simulator's embedded store
# (`upticket-sim store`, the only local server that checks OSS PostObject), both on 127.0.0.1.
#
#   firmware/tests/qemu_net.sh [SCHEME...]     # default: oss-v4 oss-v1 s3-v4
#
# Then runs the oss-v4 suite once more with UTC from an SNTP server on the host that serves a
# chosen time (network time, as real boards get it), and boots a firmware built with an
# invalid configuration to check its safe state.
# Needs: the rustup target thumbv7em-none-eabihf, qemu-system-arm, defmt-print
# (`cargo install --locked defmt-print`), python3. Exits non-zero on any failure; every QEMU is
# stopped (trap, plus a hard `timeout`).
set -euo pipefail

cd "$(dirname "$0")/.."
FW_DIR=$(pwd)
ELF=$FW_DIR/target/thumbv7em-none-eabihf/release/upticket-mps2-an386
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
REPLAY=$FW_DIR/target/$HOST_TRIPLE/release/upticket-replay
BOOT_TIMEOUT=30
export UPTICKET_TIMEOUT=${UPTICKET_TIMEOUT:-600}
WORK=$(mktemp -d -t upticket-qemu-net.XXXXXX)
schemes=("$@")
((${#schemes[@]})) || schemes=(oss-v4 oss-v1 s3-v4)

for tool in qemu-system-arm defmt-print python3 cargo; do
    command -v "$tool" >/dev/null || { echo "qemu_net: missing $tool" >&2; exit 2; }
done

runner=
sntp=
store_pid=
stop_store() {
    if [[ -n "$store_pid" ]]; then
        kill -TERM -- "-$store_pid" 2>/dev/null || true
        wait "$store_pid" 2>/dev/null || true
        store_pid=
    fi
}
stop() {
    if [[ -n "$runner" ]]; then
        kill -TERM -- "-$runner" 2>/dev/null || true
        wait "$runner" 2>/dev/null || true
        runner=
    fi
    if [[ -n "$sntp" ]]; then
        kill -TERM "$sntp" 2>/dev/null || true
        wait "$sntp" 2>/dev/null || true
        sntp=
    fi
}
trap 'stop; stop_store; rm -rf "$WORK"' EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_seaweedfs CONFIG_IN CONFIG_OUT: starts SeaweedFS with the configuration's bucket and
# keys on free loopback ports and writes the configuration with its S3 endpoint.
start_seaweedfs() {
    local weed_bin=$FW_DIR/../.e2e/venv/bin/weed
    [[ -x "$weed_bin" ]] || "$FW_DIR/../scripts/e2e/install.sh"
    local ports=() i
    for i in $(seq 10); do ports+=("$(free_port)"); done
    local dir=$WORK/seaweedfs
    mkdir -p "$dir/data"
    local bucket key secret
    bucket=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bucket"])' "$1")
    key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_key_id"])' "$1")
    secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_key_secret"])' "$1")
    AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret setsid timeout 900 "$weed_bin" mini \
        -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
        -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
        -s3.port="${ports[0]}" -s3.port.grpc="${ports[1]}" -filer.port="${ports[2]}" \
        -filer.port.grpc="${ports[3]}" -master.port="${ports[4]}" -master.port.grpc="${ports[5]}" \
        -volume.port="${ports[6]}" -volume.port.grpc="${ports[7]}" -admin.port="${ports[8]}" \
        -admin.port.grpc="${ports[9]}" -bucket="$bucket" >"$dir/weed.log" 2>&1 &
    store_pid=$!
    python3 - "$1" "$2" "127.0.0.1:${ports[0]}" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["endpoint"] = sys.argv[3]
open(sys.argv[2], "w").write(json.dumps(config, indent=2) + "\n")
PY
    echo "== SeaweedFS S3 on 127.0.0.1:${ports[0]}"
}

# start_store CONFIG_IN CONFIG_OUT: starts the simulator's embedded store (which checks OSS V1
# and V4 PostObject, as no other local server does) with the configuration's bucket, keys and
# region, virtual-hosted under `localhost`, and writes the configuration with its endpoint.
start_store() {
    (cd "$FW_DIR/.." && cargo build --release -q -p upticket-sim)
    local sim=$FW_DIR/../target/release/upticket-sim store_port bucket key secret region
    store_port=$(free_port)
    bucket=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bucket"])' "$1")
    key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_key_id"])' "$1")
    secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_key_secret"])' "$1")
    region=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["region"])' "$1")
    mkdir -p "$WORK/store"
    UPTICKET_ACCESS_KEY_SECRET=$secret setsid timeout 900 "$sim" store \
        --listen "127.0.0.1:$store_port" --bucket "$bucket" --access-key-id "$key" \
        --region "$region" --domain localhost --dir "$WORK/store" >"$WORK/store.log" 2>&1 &
    store_pid=$!
    python3 - "$1" "$2" "localhost:$store_port" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["endpoint"] = sys.argv[3]
config["protocol"] = "http"
open(sys.argv[2], "w").write(json.dumps(config, indent=2) + "\n")
PY
    echo "== embedded store on 127.0.0.1:$store_port (virtual-hosted under localhost)"
}

# boot CONFIG LOG [READY]: builds the firmware with CONFIG, boots it and waits for the log line
# READY (default: "listening on"); sets $port and $runner.
boot() {
    local config=$1 log=$2 ready=${3:-listening on}
    UPTICKET_CONFIG=$config cargo build --release -p board-mps2-an386
    port=$(free_port)
    echo "== boot $(basename "$config") on 127.0.0.1:$port"
    # setsid: the runner, QEMU and defmt-print share a new process group, ended as one.
    UPTICKET_PORT=$port setsid tests/qemu-run.sh "$ELF" >"$log" 2>&1 &
    runner=$!
    local deadline=$((SECONDS + BOOT_TIMEOUT))
    until grep -q "$ready" "$log"; do
        if ((SECONDS > deadline)) || ! kill -0 "$runner" 2>/dev/null; then
            echo "qemu_net: firmware did not come up" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
    done
}

# firmware_log_clean LOG: prints the firmware log; fails on errors, panics and faults.
firmware_log_clean() {
    echo "== firmware log ($(wc -l <"$1") lines, last 15)"
    tail -n 15 "$1"
    if grep -Eq " ERROR |panicked|hard fault" "$1"; then
        echo "qemu_net: the firmware logged errors" >&2
        return 1
    fi
}

echo "== build host replay tool"
cargo build --release -p upticket-replay --target "$HOST_TRIPLE"

status=0
for scheme in "${schemes[@]}"; do
    config=$FW_DIR/tests/config/$scheme.json
    log=$WORK/$scheme.log
    upload=()
    # Uploads with the firmware's tickets: S3 to SeaweedFS, OSS to the embedded store.
    if [[ "$scheme" == s3-v4 ]]; then
        start_seaweedfs "$config" "$WORK/$scheme.json"
    else
        start_store "$config" "$WORK/$scheme.json"
    fi
    config=$WORK/$scheme.json
    upload=(--upload)
    boot "$config" "$log"
    echo "== cameras ($scheme)"
    python3 tests/net_client.py "$port" "$config" "$WORK/$scheme.transcript" "${upload[@]}" || status=1
    stop
    stop_store
    firmware_log_clean "$log" || status=1
    echo "== replay through the host gateway ($scheme)"
    "$REPLAY" "$config" "$WORK/$scheme.transcript" || status=1
done

echo "== network time (SNTP server on the host serving a chosen UTC)"
sntp_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
served_time=1800000000 # 2027-01-15T08:00:00Z
config=$FW_DIR/tests/config/oss-v4.json
log=$WORK/sntp.log
export UPTICKET_SNTP_PORT=$sntp_port
UPTICKET_CONFIG=$config cargo build --release -p board-mps2-an386
sntp_started=$(date +%s)
timeout 600 python3 tests/sntp_server.py "$sntp_port" "$served_time" &
sntp=$!
boot "$config" "$log" "network time: UTC"
unset UPTICKET_SNTP_PORT
python3 tests/net_client.py "$port" "$config" "$WORK/sntp.transcript" \
    --clock-offset $((served_time - sntp_started)) --requests 100 || status=1
stop
firmware_log_clean "$log" || status=1
"$REPLAY" "$config" "$WORK/sntp.transcript" || status=1
# Every recorded answer was given at the served time (which advances from served_time).
if awk -v t="$served_time" '$1 < t || $1 > t + 600 { bad = 1 } END { exit !bad }' "$WORK/sntp.transcript"; then
    echo "FAIL network time: answers were not given at the served time" >&2
    status=1
else
    echo "ok   network time: every ticket carries the SNTP server's time"
fi

echo "== invalid configuration: safe state"
log=$WORK/invalid.log
boot "$FW_DIR/tests/config/invalid.json" "$log"
answer=$(curl -sS -m 10 "http://127.0.0.1:$port/health" || true)
stop
expected='{"error":"internal","reason":"gateway configuration invalid"}'
if [[ "$answer" == "$expected" ]] && grep -q "ERROR configuration rejected" "$log"; then
    echo "ok   invalid configuration: logged, answers $answer"
else
    echo "FAIL invalid configuration: answer '$answer'" >&2
    cat "$log" >&2
    status=1
fi

exit "$status"
