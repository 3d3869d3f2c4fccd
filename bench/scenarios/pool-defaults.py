#!/usr/bin/env python3
"""Whether the shipped defaults cost: the gateway (one worker) with the idle server
pool as shipped (sized by demand, idle connections closed after keepalive_timeout),
with the old fixed default (keepalive_pool = 32) and tuned by hand (keepalive_pool =
1024), under wrk (a load generator that is not ours; one thread, keep-alive, nothing
pinned) at 64 and 512 connections, 64 B and 16 KiB responses: CPU microseconds per
request of the gateway, requests/s, and the server connections it opened during the
run (a pool too small for the load opens and closes them all the time). Variants run
in turn, the order reversed every repetition; the table reports medians. Writes
results/pool-defaults.json."""
from __future__ import annotations

import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

VARIANTS = {"shipped": None, "fixed 32 (old default)": 32, "tuned 1024": 1024}
CONNECTIONS = [64, 512]
SIZES = [64, 16384]
OPENED = "gateway_server_connections_opened_total"


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0], lambda p: (p.add_argument("--reps", type=int, default=2),
                                                         p.add_argument("--seconds", type=float, default=5.0)))
    px.ensure_installed()
    started = c.machine()
    c.raise_nofile()
    reps = 1 if a.quick else a.reps
    dur, warm = (1.0, 1.0) if a.quick else (a.seconds, 1.0)
    origin, oport = c.start_origin(a.gwbench, size=64, threads=1, cpu=None)
    gws = {k: c.Gateway(a.gateway, oport, cpu=None, workers=1, keepalive_pool=v) for k, v in VARIANTS.items()}
    runs: dict[str, list[dict]] = {}
    try:
        for rep in range(reps):
            for conns in CONNECTIONS:
                for size in SIZES:
                    order = list(VARIANTS) if rep % 2 == 0 else list(reversed(VARIANTS))
                    for k in order:
                        g = gws[k]
                        url = f"http://127.0.0.1:{g.port}/?size={size}"
                        c.run_wrk(url, conns, warm)
                        opened = g.metrics().get(OPENED, 0.0)
                        before = c.cpu_us(g.pid)
                        w = c.run_wrk(url, conns, dur)
                        us = (c.cpu_us(g.pid) - before) / max(1, w["requests"])
                        run = {"us_per_request": round(us, 2), "requests_per_s": round(w["requests"] / dur),
                               "server_connections_opened": int(g.metrics().get(OPENED, 0.0) - opened),
                               "errors": w["non_2xx"] + w["socket_errors"]}
                        runs.setdefault(f"{k}|{conns}|{size}", []).append(run)
                        c.log(f"rep {rep} c={conns:<4} {size:>6} B {k:>22}: {run['requests_per_s']:>7} req/s "
                              f"{us:6.2f} us/request, {run['server_connections_opened']} server connections opened")
    finally:
        for g in gws.values():
            c.stop(g.proc)
        c.stop(origin)
    table = []
    for key, rs in runs.items():
        k, conns, size = key.split("|")
        table.append({"variant": k, "connections": int(conns), "size": int(size),
                      "us_per_request": statistics.median(r["us_per_request"] for r in rs),
                      "requests_per_s": statistics.median(r["requests_per_s"] for r in rs),
                      "server_connections_opened": statistics.median(r["server_connections_opened"] for r in rs),
                      "errors": sum(r["errors"] for r in rs), "runs": rs})
    for row in table:
        tuned = next(t for t in table if t["variant"] == "tuned 1024" and t["connections"] == row["connections"]
                     and t["size"] == row["size"])
        row["vs_tuned"] = round(row["us_per_request"] / tuned["us_per_request"], 3)
    c.write_result(a.out, "pool-defaults", a, {"reps": reps, "seconds": dur, "load": "wrk -t 1, unpinned",
                                               "rows": table}, started)


if __name__ == "__main__":
    main()
