#!/usr/bin/env bash
# Size, stack and instruction measurements of the firmware and of the core's signing code.
#
#   firmware/tests/measure.sh [--check]
#
# * Flash/RAM (llvm-size) of both boards' firmware, and of the core's code on its own:
#   size-sign (sign_policy: base64, HMAC-SHA1, V4 key chain, HMAC-SHA256) and size-ticket
#   (Signer::issue and the ticket JSON), each minus size-baseline (the same runtime without them).
# * "No heap": no allocator symbols in any firmware ELF.
# * Instructions per ticket and scheme, cold and with the cached V4 key, and the peak stack of a
#   whole gateway ticket request: the `measure` binary under QEMU -icount (deterministic).
# --check: exit non-zero when a target is missed (V4 signature with cached key < 40,000
# instructions; core signing code < 16 KiB; no heap).
# Needs: qemu-system-arm, defmt-print, llvm-size and llvm-nm (Debian package `llvm`).
set -euo pipefail

cd "$(dirname "$0")/.."
check=0
[[ "${1:-}" == "--check" ]] && check=1
OUT=target/thumbv7em-none-eabihf/release
size_tool=$(command -v llvm-size || ls /usr/bin/llvm-size-* 2>/dev/null | tail -1)
nm_tool=$(command -v llvm-nm || ls /usr/bin/llvm-nm-* 2>/dev/null | tail -1)
[[ -n "$size_tool" && -n "$nm_tool" ]] || { echo "measure: llvm-size/llvm-nm missing (apt-get install llvm)" >&2; exit 2; }

cargo build --release -p board-mps2-an386 --bins
cargo build --release -p board-nucleo-f429zi

text() { "$size_tool" "$1" | awk 'NR == 2 { print $1 }'; }
failed=0

echo
echo "== flash and RAM (bytes; flash = text + data, static RAM = data + bss, stack above)"
printf '%-28s %8s %8s %8s\n' binary text data bss
for elf in "$OUT/upticket-mps2-an386" "$OUT/upticket-nucleo-f429zi" \
    "$OUT/size-baseline" "$OUT/size-sign" "$OUT/size-ticket"; do
    "$size_tool" "$elf" | awk -v n="$(basename "$elf")" 'NR == 2 { printf "%-28s %8d %8d %8d\n", n, $1, $2, $3 }'
done
base=$(text "$OUT/size-baseline")
sign=$(($(text "$OUT/size-sign") - base))
ticket=$(($(text "$OUT/size-ticket") - base))
echo "core signing code alone (size-sign - baseline):   $sign bytes ($((sign * 100 / 16384))% of the 16 KiB target)"
echo "core ticket code (size-ticket - baseline):         $ticket bytes"
((sign < 16384)) || { echo "MISSED: signing code >= 16 KiB"; failed=1; }

echo
echo "== no heap"
for elf in "$OUT/upticket-mps2-an386" "$OUT/upticket-nucleo-f429zi"; do
    if "$nm_tool" "$elf" | grep -Eq '__rust_alloc|__rust_alloc_error_handler|__rdl_alloc'; then
        echo "MISSED: $(basename "$elf") links an allocator"
        failed=1
    else
        echo "$(basename "$elf"): no allocator symbols"
    fi
done

echo
echo "== instructions (QEMU -icount shift=6, SysTick) and stack (painting)"
log=$(mktemp -t upticket-measure.XXXXXX)
status=0
timeout --foreground 120 qemu-system-arm -machine mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -nic user,model=lan9118,restrict=on \
    -icount shift=6,align=off -kernel "$OUT/measure" |
    defmt-print -e "$OUT/measure" --log-format '{s}' >"$log" || status=$?
cat "$log"
if ((status != 0)) || grep -q "failed" "$log"; then
    echo "MISSED: the measurement run failed"
    failed=1
fi
while read -r scheme n; do
    if ((n >= 40000)); then
        echo "MISSED: $scheme V4 signature with cached key: $n >= 40,000 instructions"
        failed=1
    fi
done < <(sed -n 's/^\(\S*\) sign cached-key: \([0-9]*\) instructions.*/\1 \2/p' "$log")
rm -f "$log"

if ((failed)); then
    echo "measure: some targets are missed"
    ((check)) && exit 1
fi
exit 0
