#!/usr/bin/env python3
"""Side by side: the gateway, HAProxy 2.6 and nginx 1.22 in front of the same origin,
under the same load, one worker/thread per proxy, for 64 B, 16 KiB and 256 KiB
responses: requests/s, latency percentiles (gwbench), and CPU microseconds per request
of the proxy process ((utime + stime) from /proc/PID/stat before and after a run,
divided by the requests it served).

Two loads, each at 64 and 512 keep-alive connections and one load thread:
- gwbench (ours), pinned: the proxies on CPU 0, the origin and gwbench on CPU 1;
- wrk (what users measure with), nothing pinned: proxies, origin and wrk as the
  scheduler places them (a second set of proxies, started unpinned).
All proxies run at once (idle while another is measured). Runs are interleaved (rep ->
size -> proxy, the order rotating) so that a burst of background load hits every proxy
alike; the tables report the median of the repetitions.

Beside them run `byte-relay` and `byte-relay-splice` (bench/byte_relay): bytes between
client and origin with no HTTP at all, one read and one write per message, through user
memory or with splice(2). What they cost per request is the kernel's share, a floor no
proxy on the socket API goes below. Issue 17's targets, per load: at 64 B and 16 KiB
the gateway's overhead above that floor at most half the better anchor's; at 256 KiB
the gateway at most 0.8x the better anchor."""
from __future__ import annotations

import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

SIZES = [64, 16384, 262144]
LOADS = [("gwbench", True), ("wrk", False)]  # (tool, pinned)


def start_all(a, pinned: bool):
    cpu = c.PROXY_CPU if pinned else None
    origin, oport = c.start_origin(a.gwbench, size=64, threads=1, cpu=c.LOAD_CPU if pinned else None)
    procs = [px.GatewayProxy(a.gateway, oport, cpu=cpu), px.HAProxy(oport, cpu=cpu), px.Nginx(oport, cpu=cpu),
             px.ByteRelay(a.gwbench.with_name("byte_relay"), oport, cpu=cpu),
             px.ByteRelay(a.gwbench.with_name("byte_relay"), oport, splice=True, cpu=cpu)]
    for p in procs:
        if not c.lone_request_ok(p.port, "/?size=64"):
            sys.exit(f"{p.name} does not proxy a request; see its log in the temp dir")
    return origin, oport, procs


def measure(a, tool: str, url: str, conns: int, pid: int | None, dur: float, warm: float) -> dict:
    """One warm-up and one measured run of `tool`: requests/s, latency (gwbench only),
    errors, and the CPU per request of process `pid`."""
    if tool == "gwbench":
        c.run_load(a.gwbench, url, conns, duration=warm)
    else:
        c.run_wrk(url, conns, warm)
    before = c.cpu_us(pid) if pid else 0.0
    if tool == "gwbench":
        s = c.summarize_load(c.run_load(a.gwbench, url, conns, duration=dur))
        errors = s["errors"].get("total", 0)
        non_200 = sum(n for code, n in s["status"].items() if code != "200")
    else:
        w = c.run_wrk(url, conns, dur)
        s = {"requests": w["requests"], "requests_per_s": w["requests"] / w["seconds"], "latency_us": None}
        errors, non_200 = w["socket_errors"], w["non_2xx"]
    after = c.cpu_us(pid) if pid else 0.0
    reqs = max(1, s["requests"])
    return {"requests": s["requests"], "requests_per_s": round(s["requests_per_s"], 1),
            "latency_us": s.get("latency_us"), "errors": errors, "non_200": non_200,
            "cpu_us_per_request": round((after - before) / reqs, 2) if pid else None,
            "rss_kib_after": c.rss_kib(pid) if pid else None}


def summarize(runs: list[dict], tool: str, conns: int, names: list[str]) -> list[dict]:
    out = []
    for size in SIZES:
        for name in names:
            rs = [r for r in runs if r["tool"] == tool and r["connections"] == conns
                  and r["proxy"] == name and r["size"] == size]
            if not rs:
                continue
            med = lambda f: round(statistics.median(f(r) for r in rs), 2)
            lat = (lambda q: med(lambda r: r["latency_us"][q])) if rs[0]["latency_us"] else (lambda q: None)
            out.append({
                "tool": tool, "connections": conns, "proxy": name, "size": size, "reps": len(rs),
                "requests_per_s": med(lambda r: r["requests_per_s"]),
                "p50_us": lat("p50"), "p90_us": lat("p90"), "p99_us": lat("p99"), "p99_9_us": lat("p99_9"),
                "cpu_us_per_request": None if name == "direct" else med(lambda r: r["cpu_us_per_request"]),
                "cpu_us_per_request_all": [r["cpu_us_per_request"] for r in rs],
                "errors": sum(r["errors"] for r in rs), "non_200": sum(r["non_200"] for r in rs)})
    return out


def targets_of(summary: list[dict], tool: str, conns: int) -> list[dict]:
    """Issue 17: (gateway - floor) <= 0.5 x (better anchor - floor) at 64 B and 16 KiB;
    gateway <= 0.8 x better anchor at 256 KiB. Floor: the lower byte relay."""
    out = []
    for size in SIZES:
        rows = {s["proxy"]: s for s in summary
                if s["tool"] == tool and s["connections"] == conns and s["size"] == size}
        row = {n: s["cpu_us_per_request"] for n, s in rows.items()}
        best_name = min(("haproxy", "nginx"), key=lambda n: row[n])
        best, gw = row[best_name], row["gateway"]
        # (a relay whose runs failed is no floor: bench/byte_relay is a bench tool)
        floor = min(row[n] for n in ("byte-relay", "byte-relay-splice") if rows[n]["errors"] == 0)
        t = {"tool": tool, "connections": conns, "size": size, "gateway_cpu_us": gw,
             "best_other": best_name, "best_other_cpu_us": best, "floor_cpu_us": floor,
             "byte_relay_cpu_us": row["byte-relay"], "byte_relay_splice_cpu_us": row["byte-relay-splice"],
             "gateway_over_floor_us": round(gw - floor, 2), "best_over_floor_us": round(best - floor, 2),
             "ratio": round(gw / best, 3) if best else None}
        if size == 262144:
            t.update(kind="cpu", target_cpu_us=round(0.8 * best, 2), met=gw <= 0.8 * best)
        else:
            over = (gw - floor) / (best - floor) if best > floor else None
            t.update(kind="overhead", overhead_ratio=round(over, 3) if over is not None else None,
                     target_cpu_us=round(floor + 0.5 * (best - floor), 2), met=gw <= floor + 0.5 * (best - floor))
        out.append(t)
    return out


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0], lambda p: (
        p.add_argument("--reps", type=int, default=3),
        p.add_argument("--seconds", type=float, default=5.0),
        p.add_argument("--connections", default="64,512"),
        p.add_argument("--tools", default="gwbench,wrk")))
    px.ensure_installed()
    c.raise_nofile()
    started = c.machine()
    reps, dur, warm = (1, 1.0, 1.0) if a.quick else (a.reps, a.seconds, 1.0)
    conn_list = [int(x) for x in a.connections.split(",")]
    tools = a.tools.split(",")

    runs: list[dict] = []
    summary: list[dict] = []
    targets: list[dict] = []
    for tool, pinned in [(t, p) for t, p in LOADS if t in tools]:
        origin, oport, procs = start_all(a, pinned)
        names = [p.name for p in procs] + (["direct"] if tool == "gwbench" else [])
        for conns in conn_list:
            for rep in range(reps):
                for size in SIZES:
                    # rotate the order per (rep, size) so no proxy always goes first
                    k = (rep + SIZES.index(size)) % len(names)
                    for name in names[k:] + names[:k]:
                        p = None if name == "direct" else procs[[q.name for q in procs].index(name)]
                        port, pid = (oport, None) if p is None else (p.port, p.pid)
                        r = measure(a, tool, f"http://127.0.0.1:{port}/?size={size}", conns, pid, dur, warm)
                        runs.append({"tool": tool, "connections": conns, "proxy": name, "size": size,
                                     "rep": rep, **r})
                        c.log(f"{tool} c{conns} rep {rep} {name:17s} {size:>6d} B: "
                              f"{r['requests_per_s']:>9.0f} req/s  cpu/req {r['cpu_us_per_request']} us  "
                              f"errors {r['errors']}")
            summary += summarize(runs, tool, conns, names)
            targets += targets_of(summary, tool, conns)
        for p in procs:
            p.stop()
        c.stop(origin)

    c.write_result(a.out, "proxy-compare", a, {
        "load": {"connections": conn_list, "threads": 1, "duration_s": dur, "warmup_s": warm, "reps": reps,
                 "tools": {"gwbench": "gwbench load (closed loop, keep-alive), proxies pinned to CPU 0, "
                                      "origin and load on CPU 1",
                           "wrk": "wrk -t 1 (keep-alive), nothing pinned"}},
        "versions": {"haproxy": px.version("haproxy"), "nginx": px.version("nginx")},
        "summary": summary, "targets": targets, "runs": runs,
    }, started)


if __name__ == "__main__":
    main()
