#!/usr/bin/env python3
"""Deadlock torture (the seed's scenario): one server with maxconn 1, a tiny pool,
many clients POSTing bodies larger than a buffer to the origin's /echo (so every
request holds its buffer while it waits in the server's queue, and every response
needs a buffer of its own). With reserve 2 the gateway must serve everything: a
counted run (every request ends as a response or an error) must give only 200s, no
errors, and a lone request afterwards is served at once.

reserve 0 cannot be configured (the config requires reserve >= 2): the script
records what `gateway --check` says about it. The wedge with reserve 0 is shown by
test/integration/seed_test.cpp, which forces reserve 0 in-process.

For comparison the same load is sent, timed, through HAProxy 2.6 with
tune.buffers.limit / tune.buffers.reserve set alike (when haproxy is installed)."""
from __future__ import annotations

import sys

import shutil
import subprocess
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402

CLIENTS = 200
BODY = 3 * 16384          # three buffers long, as in the seed test
BUFFER = 16384

HAPROXY_CFG = """global
    nbthread 1
    maxconn 4000
    tune.bufsize 16384
    tune.buffers.limit {limit}
    tune.buffers.reserve {reserve}
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout queue 60s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    server o1 127.0.0.1:{origin} maxconn 1
"""


def gateway_case(a, oport: int, workers: int, limit: int, n: int) -> dict:
    g = c.Gateway(a.gateway, oport, workers=workers, limit=limit, reserve=2, maxconn=1,
                  keepalive_pool=4)
    try:
        t0 = time.time()
        j = c.run_load(a.gwbench, f"http://127.0.0.1:{g.port}/echo", CLIENTS, requests=n,
                       timeout_ms=60000, extra=["--method", "POST", "--body-size", str(BODY)])
        wall = time.time() - t0
        m = g.metrics()
        s = c.summarize_load(j)
        lone = c.lone_request_ok(g.port, "/echo", timeout=2.0)
        non200 = sum(v for k, v in s["status"].items() if k != "200")
        ok = s["requests"] == n and s["errors"].get("total", 1) == 0 and non200 == 0 and lone
        r = {"proxy": "gateway", "workers": workers, "limit": limit, "reserve": 2, "maxconn": 1,
             "mode": f"counted, -n {n}", "requests_asked": n, **s, "wall_s": round(wall, 2),
             "pool": c.pool_delta({}, m),
             "queued_total": int(m.get("gateway_backend_queued_total", 0)),
             "lone_request_after_ok": lone, "served_everything": ok}
        c.log(f"gateway workers {workers} limit {limit}: {s['requests']}/{n} served, "
              f"{s['requests_per_s']:.0f} req/s, errors {s['errors'].get('total')}, non-200 {non200}, "
              f"waits {r['pool']['waits']} failed resumes {r['pool']['failed_resumes']}, lone ok {lone}")
        return r
    finally:
        g.stop()


def haproxy_case(oport: int, limit: int, reserve: int, dur: float, a) -> dict:
    d = c.tmpdir("gw-bench-haproxy-seed-")
    port = c.free_port()
    cfg = d / "haproxy.cfg"
    cfg.write_text(HAPROXY_CFG.format(limit=limit, reserve=reserve, port=port, origin=oport))
    p = c.spawn(["haproxy", "-db", "-f", str(cfg)], cpu=c.PROXY_CPU, log_path=d / "log")
    try:
        c.wait_port(port, proc=p)
        j = c.run_load(a.gwbench, f"http://127.0.0.1:{port}/echo", CLIENTS, duration=dur,
                       timeout_ms=5000, extra=["--method", "POST", "--body-size", str(BODY)])
        s = c.summarize_load(j)
        lone = c.lone_request_ok(port, "/", timeout=3.0)
        r = {"proxy": "haproxy", "limit": limit, "reserve": reserve, "maxconn": 1,
             "mode": f"timed, {dur:g} s, 5 s request timeout", **s, "lone_request_after_ok": lone}
        c.log(f"haproxy limit {limit} reserve {reserve}: {s['requests']} served in {dur} s, "
              f"errors {s['errors']}, lone ok {lone}")
        return r
    finally:
        c.stop(p)


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
    n = 1000 if a.quick else 10000
    started = c.machine()

    # reserve 0 and 1: what the config says
    refused = []
    d = c.tmpdir("gw-bench-check-")
    for reserve in (0, 1):
        cfg = d / f"reserve{reserve}.toml"
        cfg.write_text(c.gateway_toml(1, 2, 3, limit=4, reserve=reserve, maxconn=1))
        r = subprocess.run([str(a.gateway), "--check", str(cfg)], capture_output=True, text=True,
                           timeout=30)
        msg = (r.stderr or r.stdout).strip().replace(str(cfg), f"reserve{reserve}.toml")
        refused.append({"reserve": reserve, "exit_status": r.returncode, "message": msg})
        c.log(f"--check with reserve {reserve}: exit {r.returncode}: {msg}")

    origin, oport = c.start_origin(a.gwbench, size=64, threads=1)
    cases = [gateway_case(a, oport, 1, 4, n), gateway_case(a, oport, 2, 6, n)]
    if shutil.which("haproxy"):
        hdur = 2.0 if a.quick else 8.0
        cases.append(haproxy_case(oport, 4, 2, hdur, a))
        # control: the same HAProxy with a pool large enough for the 200 clients
        cases.append(haproxy_case(oport, 1000, 2, hdur, a))
    c.stop(origin)
    c.write_result(a.out, "deadlock", a, {
        "load": {"clients": CLIENTS, "method": "POST", "path": "/echo", "body_bytes": BODY,
                 "buffer_size": BUFFER, "server_maxconn": 1},
        "reserve_below_2": refused,
        "reserve_0_wedge_shown_by": "test/integration/seed_test.cpp (forces reserve 0 in-process)",
        "cases": cases,
    }, started)


if __name__ == "__main__":
    main()
