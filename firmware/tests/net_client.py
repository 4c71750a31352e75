#!/usr/bin/env python3
"""Host-side cameras for the gateway firmware under QEMU, over TCP on 127.0.0.1.

Usage: net_client.py PORT CONFIG TRANSCRIPT [--requests N] [--concurrency C] [--clock-offset S]

CONFIG is the configuration document the firmware was built with (cameras and their keys).
Every request/response pair whose answer depends only on the request and the time is appended
to TRANSCRIPT as `NOW REQUEST_HEX RESPONSE_HEX` for upticket-replay, which checks that the host
gateway answers byte for byte the same. Every check prints one line; the run ends with
'N passed, N failed' and exits non-zero on any failure.
"""

import argparse
import calendar
import hashlib
import hmac
import json
import secrets
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
# QEMU's user networking accepts with a listen backlog of 1: under bursts the host kernel drops
# SYNs and the client retries after 1 s, 3 s, ... A generous timeout keeps those from failing.
TIMEOUT = 30.0

passed = 0
failed = 0
transcript = []
lock = threading.Lock()
# Seconds between the firmware's UTC and the host's (network time tests serve a chosen time).
clock_offset = 0


def now_unix():
    return int(time.time()) + clock_offset


def check(name, ok, detail=""):
    global passed, failed
    with lock:
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")


def exchange(port, chunks, pause=0.0, shutdown=False):
    """Sends the byte chunks (pausing between them) and reads until the server closes."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i, chunk in enumerate(chunks):
            if i and pause:
                time.sleep(pause)
            s.sendall(chunk)
        if shutdown:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            part = s.recv(65536)
            if not part:
                return data
            data += part


def parse(raw):
    """(status, headers, body) of one HTTP/1.1 response, checking Content-Length."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError(f"no end of head in {raw[:200]!r}")
    lines = head.decode("ascii").split("\r\n")
    version, status, _reason = lines[0].split(" ", 2)
    if version != "HTTP/1.1":
        raise ValueError(f"status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if int(headers.get("content-length", "-1")) != len(body):
        raise ValueError(f"Content-Length {headers.get('content-length')} != {len(body)}")
    if headers.get("content-type") != "application/json":
        raise ValueError(f"Content-Type {headers.get('content-type')}")
    return int(status), headers, json.loads(body)


def record(now, request, response):
    # The gateway sees at most the core's MAX_REQUEST_LEN bytes of a request (as the simulator).
    request = request[:4096]
    with lock:
        transcript.append(f"{now} {request.hex()} {response.hex()}")


class Camera:
    def __init__(self, entry):
        self.id = entry["id"]
        self.key = bytes.fromhex(entry["key"])
        self.prefix = entry["prefix"]

    def request(self, body, target="/v1/tickets", ts=None, nonce=None, key=None, method="POST"):
        """A signed request (docs/api.md section 2)."""
        ts = str(now_unix() if ts is None else ts)
        nonce = nonce or secrets.token_hex(12)
        string_to_sign = "\n".join(
            ["UPT1-HMAC-SHA256", method, target, self.id, ts, nonce, hashlib.sha256(body).hexdigest()]
        )
        mac = hmac.new(key or self.key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: gateway\r\n"
            f"X-Upticket-Camera: {self.id}\r\nX-Upticket-Timestamp: {ts}\r\n"
            f"X-Upticket-Nonce: {nonce}\r\nX-Upticket-Signature: {mac}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


def ticket_body(extension="jpg", size=123456, content_type="image/jpeg", name=None):
    doc = {"name": name} if name is not None else {"extension": extension}
    doc.update({"size": size, "content_type": content_type})
    return json.dumps(doc, separators=(",", ":")).encode()


def ticket_time(doc, lifetime):
    """The firmware's UTC time for a ticket, from the ticket itself."""
    if "expires" in doc:  # upticket shape
        return doc["expires"] - lifetime
    if "expire" in doc:  # OSS app-server V1
        return doc["expire"] - lifetime
    return calendar.timegm(time.strptime(doc["x_oss_date"], "%Y%m%dT%H%M%SZ"))


def expect(name, port, request, status, error=None, shutdown=False, now=None, pause=0.0):
    """Sends one request; checks status and error word; records it when `now` is given."""
    chunks = request if isinstance(request, list) else [request]
    try:
        raw = exchange(port, chunks, pause=pause, shutdown=shutdown)
        got, _, doc = parse(raw)
        ok = got == status and (error is None or doc.get("error") == error)
        check(name, ok, f"status {got}, body {doc}")
        if ok and now is not None:
            record(now, b"".join(chunks), raw)
        return doc
    except Exception as e:  # noqa: BLE001 - any failure is a failed check
        check(name, False, repr(e))
        return None


def tickets(port, config, cameras):
    """One ticket per camera and shape, sequentially; all recorded for the replay."""
    lifetime = config.get("lifetime_secs", 300)
    now = None
    issued = 0
    for i, cam in enumerate(cameras):
        body = ticket_body(name=f"door {i}.JPG") if i % 2 else ticket_body()
        req = cam.request(body)
        try:
            raw = exchange(port, [req])
            status, _, doc = parse(raw)
            ok = status == 200 and doc["key"].startswith(cam.prefix) and doc["fields"][0][0] == "key"
            check(f"ticket for {cam.id}", ok, f"status {status} {doc}")
            if ok:
                issued += 1
                now = ticket_time(doc, lifetime)
                record(now, req, raw)
        except Exception as e:  # noqa: BLE001
            check(f"ticket for {cam.id}", False, repr(e))
    if config["scheme"].startswith("oss"):
        req = cameras[0].request(ticket_body(), target="/v1/tickets?shape=oss-app-server")
        try:
            raw = exchange(port, [req])
            status, _, doc = parse(raw)
            check("OSS app-server shape", status == 200 and "policy" in doc, f"{status} {doc}")
            if status == 200:
                issued += 1
                record(ticket_time(doc, lifetime), req, raw)
        except Exception as e:  # noqa: BLE001
            check("OSS app-server shape", False, repr(e))
    return now, issued


def post_form(url, fields, data):
    """Posts a browser-style multipart form (fields in order, then `file`); returns the status."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    if host.endswith(".localhost"):
        host = "127.0.0.1"  # RFC 6761: localhost names are loopback (a virtual-hosted bucket)
    boundary = "upticket" + secrets.token_hex(12)
    body = b""
    for name, value in fields:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
             f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /{path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection((host, int(port or 80)), timeout=TIMEOUT) as s:
        s.sendall(head + body)
        raw = b""
        while True:
            part = s.recv(65536)
            if not part:
                break
            raw += part
    return int(raw.split(b" ", 2)[1]), raw


def uploads(port, cameras):
    """Tickets from the firmware, used: accepted for the declared bytes, refused for more."""
    for i, (size, sent, accepted) in enumerate([(1000, 1000, True), (2048, 2048, True),
                                                (1000, 1001, False)]):
        cam = cameras[i]
        name = f"upload of {sent} bytes on a {size}-byte ticket " + ("accepted" if accepted else "refused")
        try:
            status, _, ticket = parse(exchange(port, [cam.request(ticket_body(size=size))]))
            if status != 200:
                check(name, False, f"ticket: {status} {ticket}")
                continue
            for _attempt in range(20):
                got, raw = post_form(ticket["url"], ticket["fields"], secrets.token_bytes(sent))
                if got < 500:
                    break
                time.sleep(0.5)  # the store may still be starting
            ok = (200 <= got < 300) if accepted else (400 <= got < 500)
            check(name, ok, f"status {got}: {raw[:300]!r}")
        except Exception as e:  # noqa: BLE001
            check(name, False, repr(e))


def refusals(port, cameras, now):
    """Bad requests get the service's errors; deterministic ones are recorded. Each signed one
    comes from another camera, so no camera nears the replay guard's limit."""
    cam = iter(cameras[1:] * 2)
    expect("unsigned ticket request -> 401", port,
           b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 401, "unauthenticated", now=now)
    expect("wrong camera key -> 401", port, next(cam).request(ticket_body(), key=b"k" * 32), 401,
           "unauthenticated")
    expect("stale timestamp -> 401", port, next(cam).request(ticket_body(), ts=now_unix() - 3600), 401)
    replayed = next(cam).request(ticket_body())
    expect("first use of a nonce -> 200", port, replayed, 200)
    expect("replayed nonce -> 401", port, replayed, 401, "unauthenticated")
    expect("content type not allowed -> 403", port, next(cam).request(ticket_body(content_type="text/html")),
           403, "forbidden")
    expect("size above the camera's limit -> 413", port, next(cam).request(ticket_body(size=1 << 40)), 413,
           "too_large")
    expect("body not JSON -> 400", port, next(cam).request(b"not json"), 400, "malformed")
    expect("GET /v1/tickets -> 405", port, b"GET /v1/tickets HTTP/1.1\r\n\r\n", 405,
           "method_not_allowed", now=now)
    expect("unknown path -> 404", port, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found", now=now)
    expect("garbage -> 400", port, b"\x00\x01\x02 not http\r\n\r\n", 400, "malformed", now=now)
    expect("head beyond 4 KiB -> 400", port, b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 400,
           "malformed", now=now)
    expect("body beyond 1 KiB -> 413", port,
           b"POST /v1/tickets HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 413, "too_large", now=now)
    expect("chunked body -> 400", port,
           b"POST /v1/tickets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "malformed",
           now=now)
    expect("half a request, then EOF -> 400", port, b"GET /health HTTP/1.1\r\nHo", 400, "malformed",
           shutdown=True, now=now)
    req = b"GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n"
    expect("request in 7-byte segments", port, [req[i:i + 7] for i in range(0, len(req), 7)], 200,
           pause=0.01)
    try:
        data = exchange(port, [], shutdown=True)
        check("connect and close: no answer", data == b"", repr(data[:80]))
    except Exception as e:  # noqa: BLE001
        check("connect and close: no answer", False, repr(e))
    try:
        s = socket.create_connection((HOST, port), timeout=TIMEOUT)
        s.sendall(b"POST /v1/tickets HTTP/1.1\r\n")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # RST
        check("reset mid-request", True)
    except Exception as e:  # noqa: BLE001
        check("reset mid-request", False, repr(e))


def concurrently(cameras, per_camera, work):
    """Runs work(camera) per_camera times in one thread per camera; returns (results, seconds)."""
    results = []

    def run(cam):
        for _ in range(per_camera):
            outcome = work(cam)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run, args=(cam,)) for cam in cameras]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - start


def timed(port, latencies, request, field):
    """A worker that sends `request(cam)`, answers (status, the answer's `field`), and records
    its latency."""
    def work(cam):
        start = time.monotonic()
        try:
            status, _, doc = parse(exchange(port, [request(cam)]))
            return status, doc.get(field, "")
        except Exception as e:  # noqa: BLE001
            return None, repr(e)
        finally:
            with lock:
                latencies.append(time.monotonic() - start)

    return work


def signed_ticket(port, latencies):
    return timed(port, latencies, lambda cam: cam.request(ticket_body()), "reason")


def health(port, latencies):
    return timed(port, latencies, lambda _cam: b"GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n", "status")


def paced(work, per_second):
    """work, at most per_second times a second per camera."""
    def run(cam):
        started = time.monotonic()
        outcome = work(cam)
        time.sleep(max(0.0, 1.0 / per_second - (time.monotonic() - started)))
        return outcome

    return run


def percentiles(latencies):
    xs = sorted(latencies)
    at = lambda q: xs[min(len(xs) - 1, int(len(xs) * q))] * 1000  # noqa: E731
    slow = sum(1 for x in xs if x > 0.9)
    return (f"latency p50 {at(0.5):.1f} ms, p90 {at(0.9):.1f} ms, p99 {at(0.99):.1f} ms; "
            f"{slow} waited for a SYN retransmit (> 0.9 s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("config")
    ap.add_argument("transcript")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--clock-offset", type=int, default=0)
    ap.add_argument("--upload", action="store_true", help="post files with tickets to the store")
    args = ap.parse_args()
    global clock_offset
    clock_offset = args.clock_offset
    port = args.port
    config = json.load(open(args.config))
    cameras = [Camera(c) for c in config["cameras"]]

    req = b"GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n"
    try:
        raw = exchange(port, [req])
        status, headers, doc = parse(raw)
        ok = status == 200 and doc.get("clock") == "trusted" and doc.get("scheme") == config["scheme"]
        check("GET /health: trusted clock, configured scheme", ok, f"{status} {doc}")
        check("Connection: close", headers.get("connection") == "close", repr(headers))
    except Exception as e:  # noqa: BLE001
        check("GET /health", False, repr(e))

    now, issued = tickets(port, config, cameras)
    if now is None:
        now = now_unix()
    refusals(port, cameras, now)
    issued += 1  # "first use of a nonce"
    if args.upload:
        uploads(port, cameras)
        issued += 3

    # The core's replay guard lets a camera have 8 requests within its newest second and the one
    # before; let the refusal tests' nonces age out first.
    time.sleep(2.5)
    crowd = cameras[: args.concurrency]

    # Burst: every camera sends 8 ticket requests back to back, all at once.
    latencies = []
    results, secs = concurrently(crowd, 8, signed_ticket(port, latencies))
    ok = [r for r in results if r[0] == 200]
    issued += len(ok)
    print(f"burst: {len(ok)} tickets for {len(crowd)} concurrent cameras in {secs:.2f} s, "
          f"{len(ok) / secs:.0f} tickets/s over TCP; {percentiles(latencies)}")
    check(f"{len(results)} concurrent ticket requests all issued", len(ok) == len(results),
          f"{[r for r in results if r[0] != 200][:3]}")
    time.sleep(2.5)

    # Load: N ticket requests from the cameras at once, each camera at 3 requests/s (well inside
    # the replay guard), all of them answered with a ticket.
    per_camera = max(1, args.requests // len(crowd))
    latencies = []
    results, secs = concurrently(crowd, per_camera, paced(signed_ticket(port, latencies), 3.0))
    ok = [r for r in results if r[0] == 200]
    errors = [r for r in results if r[0] != 200]
    issued += len(ok)
    print(f"load: {len(results)} ticket requests from {len(crowd)} concurrent cameras at 3/s each "
          f"in {secs:.2f} s, {len(ok) / secs:.0f} tickets/s; {len(errors)} errors; "
          f"{percentiles(latencies)}")
    check(f"{len(results)} ticket requests with zero errors", not errors, f"{errors[:5]}")

    # Throughput of the TCP path without the per-camera limits: N health checks at once.
    latencies = []
    results, secs = concurrently(crowd, per_camera, health(port, latencies))
    errors = [r for r in results if r[0] != 200]
    print(f"health: {len(results)} requests from {len(crowd)} concurrent clients in {secs:.2f} s, "
          f"{len(results) / secs:.0f} requests/s; {len(errors)} errors; {percentiles(latencies)}")
    check(f"{len(results)} health requests with zero errors", not errors, f"{errors[:5]}")

    try:
        status, _, doc = parse(exchange(port, [req]))
        check("still serving afterwards", status == 200, f"{status} {doc}")
        check("issued count matches", doc.get("issued") == issued, f"{doc.get('issued')} != {issued}")
    except Exception as e:  # noqa: BLE001
        check("still serving afterwards", False, repr(e))

    with open(args.transcript, "w") as f:
        f.write("\n".join(transcript) + "\n")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
