#!/usr/bin/env python3
"""The per-client table under a flood of distinct client addresses: a gateway (one
worker) whose listener takes the PROXY protocol and limits each client (rate and
connections), then 100,000 connections from 100,000 distinct addresses (a PROXY v2
header each, one request, close), from 4 client threads. Reports the gateway's
resident memory before and after each wave, the table's entries, capacity and evictions
(from /metrics), and whether a client that kept its connection open through the
flood is still followed (its second connection is over its limit). The table is
global.client_table_size (65,536) entries of 48 bytes: at most 3 MiB, whatever the
flood. Writes results/client-flood.json."""
from __future__ import annotations

import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402

FLOOD = 100_000
THREADS = 4
POLICY = """
proxy_protocol = true
proxy_protocol_from = ["127.0.0.1"]
client_rate = 100
client_connections = 1
"""


def v2_header(a: int, b: int, cc: int, d: int) -> bytes:
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    return sig + bytes([0x21, 0x11]) + struct.pack("!H", 12) + bytes([a, b, cc, d, 127, 0, 0, 1]) + \
        struct.pack("!HH", 40000, 80)


def one(port: int, n: int, wave: int) -> bool:
    preface = v2_header(100 + (n >> 16), (n >> 8) & 255, n & 255, 1 + wave)
    return c.http_get(port, "/?size=2", timeout=10, preface=preface)[0] == 200


def main() -> None:
    a = c.parse_args(__doc__, lambda p: p.add_argument("--flood", type=int, default=FLOOD))
    started = c.machine()
    c.raise_nofile()
    flood = 2000 if a.quick else a.flood
    origin, oport = c.start_origin(a.gwbench, size=2, threads=1)
    g = c.Gateway(a.gateway, oport, workers=1, routes=POLICY)
    try:
        held = socket.create_connection(("127.0.0.1", g.port), timeout=10)
        held.sendall(v2_header(10, 0, 0, 1) + b"GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n")
        held.recv(4096)
        time.sleep(0.5)
        rss_before = c.rss_kib(g.pid)
        failed = [0]
        lock = threading.Lock()

        def work(t: int, wave: int) -> None:
            bad = 0
            for n in range(t, flood, THREADS):
                if not one(g.port, n, wave):
                    bad += 1
            with lock:
                failed[0] += bad

        # Two waves of distinct addresses: the first fills the table, the second
        # (others again) shows it grows no further.
        rss_after: list[int] = []
        seconds = 0.0
        for wave in range(2):
            t0 = time.monotonic()
            threads = [threading.Thread(target=work, args=(t, wave)) for t in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds += time.monotonic() - t0
            time.sleep(0.5)
            rss_after.append(c.rss_kib(g.pid))
        m = g.metrics()
        # The held client: a second connection is over its limit of one (closed unanswered).
        second = socket.create_connection(("127.0.0.1", g.port), timeout=5)
        try:
            second.sendall(v2_header(10, 0, 0, 1) + b"GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n")
            still_followed = second.recv(4096) == b""  # closed unanswered
        except ConnectionResetError:
            still_followed = True  # (closed with our bytes unread: a reset)
        second.close()
        held.close()
    finally:
        c.stop(g.proc)
        c.stop(origin)
    result = {"flood": flood, "waves": 2, "seconds": round(seconds, 1), "connections_per_s": round(2 * flood / seconds),
              "failed": failed[0], "rss_before_kib": rss_before, "rss_after_kib": rss_after[0],
              "rss_after_second_kib": rss_after[1], "rss_growth_kib": rss_after[1] - rss_before,
              "table_entries": int(m.get("gateway_client_table_entries", 0)),
              "table_capacity": int(m.get("gateway_client_table_capacity", 0)),
              "evictions": int(m.get("gateway_client_table_evictions_total", 0)),
              "untracked": int(m.get("gateway_client_table_untracked_total", 0)),
              "held_client_still_followed": still_followed}
    c.log(result)
    c.write_result(a.out, "client-flood", a, result, started)


if __name__ == "__main__":
    main()
