#!/usr/bin/env python3
"""Resident memory per idle keep-alive client connection, for the gateway, HAProxy
2.6 and nginx 1.22 (one worker/thread each, same origin): a fresh proxy serves one
warm-up request, then RSS (VmRSS of the process doing the work; nginx's worker) is
read; N client connections are opened, each does one GET (64 B response) and stays
open and idle; after a settling pause RSS is read again. The difference over N is
the cost of one idle connection (user-space memory only: kernel socket buffers are
not in RSS). Then the connections are closed and RSS is read a third time.
A second fresh process gets N connections that send nothing (connect-only): the
cost of an accepted connection before its first request, which tells apart what a
session costs by itself from what it keeps of its last exchange."""
from __future__ import annotations

import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px


def one_request(s: socket.socket) -> bool:
    s.sendall(b"GET /?size=64 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            return False
        body += chunk
    return head.startswith(b"HTTP/1.1 200")


def open_idle(port: int, n: int, request: bool = True) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if request and not one_request(s):
            raise RuntimeError("a request on an idle-to-be connection failed")
        socks.append(s)
    return socks


def baseline_rss(p: px.Proxy, settle: float) -> int:
    """RSS of a proxy that has served one request (its lazy start-up done)."""
    warm = socket.create_connection(("127.0.0.1", p.port), timeout=10)
    one_request(warm)
    warm.close()
    time.sleep(settle)
    return c.rss_kib(p.pid)


def measure(p: px.Proxy, n: int, settle: float) -> dict:
    before = baseline_rss(p, settle)
    t0 = time.time()
    socks = open_idle(p.port, n)
    opened_s = time.time() - t0
    time.sleep(settle)
    after = c.rss_kib(p.pid)
    extra = {}
    if isinstance(p, px.GatewayProxy):
        m = p.gw.metrics()
        extra = {"gateway_connections": int(m.get("gateway_connections", 0)),
                 # (the /metrics reply takes its own buffer after the snapshot: not counted)
                 "pool_buffers_used_while_idle": int(m.get("gateway_pool_buffers_used", 0))}
    # the connections must still be usable (keep-alive, not silently dropped)
    alive = sum(1 for s in socks[:: max(1, n // 50)] if one_request(s))
    for s in socks:
        s.close()
    time.sleep(settle)
    closed = c.rss_kib(p.pid)
    r = {"proxy": p.name, "connections": n, "rss_before_kib": before, "rss_idle_kib": after,
         "rss_after_close_kib": closed, "open_s": round(opened_s, 2),
         "kib_per_connection": round((after - before) / n, 3),
         "bytes_per_connection": round((after - before) * 1024 / n),
         "sampled_still_alive": f"{alive}/{len(socks[:: max(1, n // 50)])}", **extra}
    c.log(f"{p.name:8s}: RSS {before} -> {after} KiB with {n} idle connections: "
          f"{r['kib_per_connection']} KiB each; after close {closed} KiB; alive {r['sampled_still_alive']}")
    return r


def measure_connect_only(p: px.Proxy, n: int, settle: float) -> dict:
    """Same, but the connections send nothing: what accepting alone costs."""
    before = baseline_rss(p, settle)
    socks = open_idle(p.port, n, request=False)
    time.sleep(settle)
    after = c.rss_kib(p.pid)
    for s in socks:
        s.close()
    r = {"rss_before_kib": before, "rss_idle_kib": after,
         "kib_per_connection": round((after - before) / n, 3),
         "bytes_per_connection": round((after - before) * 1024 / n)}
    c.log(f"{p.name:8s}: connect-only: RSS {before} -> {after} KiB: {r['kib_per_connection']} KiB each")
    return r


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
    px.ensure_installed()
    nofile = c.raise_nofile(20000)
    n = 1000 if a.quick else 5000
    if nofile < 2 * n + 200:
        sys.exit(f"RLIMIT_NOFILE is {nofile}; need about {2 * n + 200}")
    settle = 0.5 if a.quick else 2.0
    started = c.machine()
    origin, oport = c.start_origin(a.gwbench, size=64, threads=1)
    results = []
    for make in (lambda: px.GatewayProxy(a.gateway, oport), lambda: px.HAProxy(oport),
                 lambda: px.Nginx(oport)):
        p = make()
        try:
            r = measure(p, n, settle)
        finally:
            p.stop()
        p = make()  # a fresh process: freed memory from the first phase would hide the cost
        try:
            r["connect_only"] = measure_connect_only(p, n, settle)
        finally:
            p.stop()
        results.append(r)
    c.stop(origin)
    gw = next(r for r in results if r["proxy"] == "gateway")
    c.write_result(a.out, "idle-memory", a, {
        "connections": n, "settle_s": settle, "results": results,
        "target": {"kib_per_connection_max": 0.5, "gateway_kib_per_connection": gw["kib_per_connection"],
                   "met": gw["kib_per_connection"] <= 0.5},
    }, started)


if __name__ == "__main__":
    main()
