#!/usr/bin/env python3
"""A test SNTP server on 127.0.0.1: answers every request with a chosen UTC time.

Usage: sntp_server.py PORT UNIX_TIME [SECONDS]

The time it serves starts at UNIX_TIME and advances with the host clock; it stops after
SECONDS (default 600). Reached from QEMU user networking as 10.0.2.2:PORT.
"""

import socket
import struct
import sys
import time

NTP_UNIX_OFFSET = 2_208_988_800


def main():
    port, start_unix = int(sys.argv[1]), int(sys.argv[2])
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    started = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(1.0)
    while time.monotonic() - started < lifetime:
        try:
            request, peer = s.recvfrom(512)
        except socket.timeout:
            continue
        if len(request) < 48 or request[0] & 7 != 3:
            continue
        now = start_unix + (time.monotonic() - started)
        seconds = int(now) + NTP_UNIX_OFFSET
        fraction = int((now % 1) * 2**32)
        answer = bytearray(48)
        answer[0] = 0x24  # LI 0, version 4, mode 4 (server)
        answer[1] = 2  # stratum
        answer[24:32] = request[40:48]  # originate = the client's transmit timestamp
        answer[32:40] = struct.pack(">II", seconds, fraction)  # receive
        answer[40:48] = struct.pack(">II", seconds, fraction)  # transmit
        s.sendto(bytes(answer), peer)


if __name__ == "__main__":
    main()
