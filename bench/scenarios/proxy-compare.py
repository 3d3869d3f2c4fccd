#!/usr/bin/env python3
"""Side by side: the gateway, HAProxy 2.6 and nginx 1.22 in front of the same origin,
under the same load (gwbench, keep-alive, 64 connections, one load thread), one
worker/thread per proxy, for 64 B, 16 KiB and 256 KiB responses: requests/s, latency
percentiles, and CPU microseconds per request of the proxy process ((utime + stime)
from /proc/PID/stat before and after a run, divided by the requests it served).

All three proxies run at once (idle while another is measured), pinned to CPU 0; the
origin and gwbench share CPU 1. Runs are interleaved (rep -> size -> proxy, the
proxy order rotating) so that a burst of background load hits every proxy alike;
the table reports the median of the repetitions.

Beside them run `byte-relay` and `byte-relay-splice` (bench/byte_relay): bytes
between client and origin with no HTTP at all, one read and one write per message,
through user memory or with splice(2). What they cost per request is the kernel's
share, a floor no proxy on the socket API goes below; the targets table shows the
lower of the two next to each target."""
from __future__ import annotations

import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

SIZES = [64, 16384, 262144]
CONNECTIONS = 64


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
    px.ensure_installed()
    c.raise_nofile()
    started = c.machine()
    reps, dur, warm = (1, 1.0, 0.3) if a.quick else (3, 8.0, 2.0)

    origin, oport = c.start_origin(a.gwbench, size=64, threads=1)
    procs = [px.GatewayProxy(a.gateway, oport), px.HAProxy(oport), px.Nginx(oport),
             px.ByteRelay(a.gwbench.with_name("byte_relay"), oport),
             px.ByteRelay(a.gwbench.with_name("byte_relay"), oport, splice=True)]
    names = [p.name for p in procs]
    for p in procs:
        if not c.lone_request_ok(p.port, "/?size=64"):
            sys.exit(f"{p.name} does not proxy a request; see its log in the temp dir")

    runs: list[dict] = []
    for rep in range(reps):
        for size in SIZES:
            # rotate the order per (rep, size) so no proxy always goes first
            every = names + ["direct"]
            k = (rep + SIZES.index(size)) % len(every)
            order = every[k:] + every[:k]
            for name in order:
                port = oport if name == "direct" else procs[names.index(name)].port
                pid = None if name == "direct" else procs[names.index(name)].pid
                url = f"http://127.0.0.1:{port}/?size={size}"
                c.run_load(a.gwbench, url, CONNECTIONS, duration=warm)
                before = c.cpu_us(pid) if pid else 0.0
                j = c.run_load(a.gwbench, url, CONNECTIONS, duration=dur)
                after = c.cpu_us(pid) if pid else 0.0
                s = c.summarize_load(j)
                reqs = max(1, s["requests"])
                run = {"proxy": name, "size": size, "rep": rep, **s,
                       "proxy_cpu_s": round((after - before) / 1e6, 3) if pid else None,
                       "cpu_us_per_request": round((after - before) / reqs, 2) if pid else None,
                       "rss_kib_after": c.rss_kib(pid) if pid else None}
                runs.append(run)
                c.log(f"rep {rep} {name:8s} {size:>6d} B: {s['requests_per_s']:>9.0f} req/s "
                      f"p99 {s['latency_us']['p99']:>8.0f} us  cpu/req "
                      f"{run['cpu_us_per_request']} us  errors {s['errors'].get('total')}")

    summary = []
    for size in SIZES:
        for name in names + ["direct"]:
            rs = [r for r in runs if r["proxy"] == name and r["size"] == size]
            med = lambda f: round(statistics.median(f(r) for r in rs), 2)
            summary.append({
                "proxy": name, "size": size, "reps": len(rs),
                "requests_per_s": med(lambda r: r["requests_per_s"]),
                "p50_us": med(lambda r: r["latency_us"]["p50"]),
                "p90_us": med(lambda r: r["latency_us"]["p90"]),
                "p99_us": med(lambda r: r["latency_us"]["p99"]),
                "p99_9_us": med(lambda r: r["latency_us"]["p99_9"]),
                "cpu_us_per_request": None if name == "direct" else med(lambda r: r["cpu_us_per_request"]),
                "cpu_us_per_request_all": [r["cpu_us_per_request"] for r in rs],
                "errors": sum(r["errors"].get("total", 0) for r in rs),
                "non_200": sum(n for r in rs for code, n in r["status"].items() if code != "200"),
            })

    targets = []
    for size, factor in ((64, 0.75), (16384, 0.75), (262144, 0.5)):
        row = {s["proxy"]: s for s in summary if s["size"] == size}
        best_name = min(("haproxy", "nginx"), key=lambda n: row[n]["cpu_us_per_request"])
        best = row[best_name]["cpu_us_per_request"]
        gw = row["gateway"]["cpu_us_per_request"]
        floor = min(row["byte-relay"]["cpu_us_per_request"],
                    row["byte-relay-splice"]["cpu_us_per_request"])
        targets.append({"size": size, "gateway_cpu_us": gw, "best_other": best_name,
                        "best_other_cpu_us": best, "target_factor": factor,
                        "target_cpu_us": round(best * factor, 2),
                        "byte_relay_cpu_us": row["byte-relay"]["cpu_us_per_request"],
                        "byte_relay_splice_cpu_us": row["byte-relay-splice"]["cpu_us_per_request"],
                        "floor_cpu_us": floor,
                        "target_below_floor": best * factor < floor,
                        "gateway_over_floor_us": round(gw - floor, 2),
                        "ratio": round(gw / best, 3) if best else None,
                        "met": gw <= best * factor})

    for p in procs:
        p.stop()
    c.stop(origin)
    c.write_result(a.out, "proxy-compare", a, {
        "load": {"connections": CONNECTIONS, "threads": 1, "duration_s": dur, "warmup_s": warm,
                 "reps": reps, "tool": "gwbench load (closed loop, keep-alive)"},
        "versions": {"haproxy": px.version("haproxy"), "nginx": px.version("nginx")},
        "summary": summary, "targets": targets, "runs": runs,
    }, started)


if __name__ == "__main__":
    main()
