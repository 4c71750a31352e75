#!/usr/bin/env bash
# Cargo runner for mps2-an386 ELFs (binaries and on-target tests): runs the ELF in QEMU with
# semihosting, decodes the defmt frames on stdout with defmt-print, and exits with the
# firmware's semihosting exit status.
#
# Environment:
#   UPTICKET_PORT      forward 127.0.0.1:PORT on the host to the firmware's port 80
#                      (QEMU user networking); without it the NIC is on an isolated
#                      (restrict=on) user network that binds nothing on the host.
#   UPTICKET_TIMEOUT   seconds before QEMU is killed (default 120).
set -uo pipefail
elf=$1
shift
net=(-nic user,model=lan9118,restrict=on)
if [[ -n "${UPTICKET_PORT:-}" ]]; then
    net=(-nic "user,model=lan9118,hostfwd=tcp:127.0.0.1:${UPTICKET_PORT}-:80")
fi
# --foreground keeps QEMU in this script's process group, so that whoever ends the group
# (tests/qemu_net.sh) ends QEMU too.
timeout --foreground --signal=TERM --kill-after=5 "${UPTICKET_TIMEOUT:-120}" \
    qemu-system-arm -machine mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native "${net[@]}" -kernel "$elf" "$@" \
    | defmt-print -e "$elf" --log-format '{t} {L} {s}'
status=("${PIPESTATUS[@]}")
exit "${status[0]}"
