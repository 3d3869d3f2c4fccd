#!/usr/bin/env python3
"""Memory-limit sweep (the seed's first experiment): a fixed load (64 keep-alive
connections, 64 KiB responses, 16 KiB buffers, one gateway worker) against
buffers.limit from unbounded down to a quarter of what the load needs, and on to the
configured minimum (workers x (reserve + 1)). "What the load needs" is the pool's
high-water mark in the unbounded run. At each point: throughput, latency
percentiles, gateway RSS (VmRSS at the end of the run, and the peak VmHWM), pool
waits, resumes and failed resumes (from /metrics), and whether a lone request right
after the run is served at once (recovery). A fresh gateway per point; the points
are run REPS times, interleaved, and the median run of each point is reported.

With --a OTHER_GATEWAY, an A/B of two binaries: every run of a point runs both,
back to back, in alternating order (so that the machine's drift hits both
alike), and a table of medians (req/s, CPU us per request, B/A) is printed; no
result file is written. B is the build dir's gateway."""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402

CONNECTIONS = 64
RESPONSE = 65536
WORKERS = 1
RESERVE = 2


def point(a, oport: int, limit: int, dur: float, warm: float, label: str) -> dict:
    g = c.Gateway(a.gateway, oport, workers=WORKERS, limit=limit, reserve=RESERVE)
    try:
        url = f"http://127.0.0.1:{g.port}/"
        c.run_load(a.gwbench, url, CONNECTIONS, duration=warm)
        m0 = g.metrics()
        cpu0 = c.cpu_us(g.pid)
        j = c.run_load(a.gwbench, url, CONNECTIONS, duration=dur, timeout_ms=10000)
        cpu1 = c.cpu_us(g.pid)
        rss, hwm = c.rss_kib(g.pid), c.hwm_kib(g.pid)
        m1 = g.metrics()
        lone = c.lone_request_ok(g.port, timeout=2.0)
        s = c.summarize_load(j)
        pool = c.pool_delta(m0, m1)
        r = {"label": label, "limit": limit, **s, "rss_kib": rss, "rss_peak_kib": hwm,
             "cpu_us_per_request": round((cpu1 - cpu0) / max(1, s["requests"]), 2),
             "pool": pool, **c.wake_ratios(pool),
             "lone_request_after_ok": lone}
        c.log(f"limit {label:>10s}: {s['requests_per_s']:>8.0f} req/s p99 {s['latency_us']['p99']:>8.0f} us "
              f"RSS {rss} KiB waits {pool['waits']} resumes {pool['resumes']} failed {pool['failed_resumes']} "
              f"hw {pool['buffers_high_water']} errors {s['errors'].get('total')} lone ok {lone}")
        return r
    finally:
        g.stop()


def extra(p) -> None:
    p.add_argument("--a", default=None, help="an A/B against this 'before' gateway binary")


def run_point(a, oport: int, limit: int, dur: float, warm: float, label: str, rep: int,
              exe_b: Path, exe_a: Path | None, runs_a: list) -> dict:
    """One run of a point (B's result); with an A binary, A runs too, the order alternating."""
    order = [("B", exe_b)] if exe_a is None else (
        [("A", exe_a), ("B", exe_b)] if rep % 2 == 0 else [("B", exe_b), ("A", exe_a)])
    out = {}
    for name, exe in order:
        a.gateway = exe
        out[name] = point(a, oport, limit, dur, warm, f"{name} {label}" if exe_a else label)
        out[name]["rep"] = rep
    a.gateway = exe_b
    if "A" in out:
        runs_a.append(out["A"])
    return out["B"]


def print_ab(limits, runs_a: list, runs_b: list) -> None:
    med = lambda v: statistics.median(v) if v else 0.0
    print(f"{'point':18s} {'A req/s':>9s} {'B req/s':>9s} {'B/A':>6s} {'A us/req':>9s} {'B us/req':>9s} errors A/B")
    for limit, label in limits:
        ra = [r for r in runs_a if r["limit"] == limit]
        rb = [r for r in runs_b if r["limit"] == limit]
        qa, qb = med([r["requests_per_s"] for r in ra]), med([r["requests_per_s"] for r in rb])
        ca, cb = med([r["cpu_us_per_request"] for r in ra]), med([r["cpu_us_per_request"] for r in rb])
        ea = sum(r["errors"].get("total", 0) for r in ra)
        eb = sum(r["errors"].get("total", 0) for r in rb)
        print(f"{label:18s} {qa:9.0f} {qb:9.0f} {qb / qa if qa else 0:6.3f} {ca:9.1f} {cb:9.1f} {ea}/{eb}")


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0], extra)
    exe_b = a.gateway
    exe_a = Path(a.a).resolve() if a.a else None
    reps, dur, warm = (1, 1.0, 0.3) if a.quick else (3, 6.0, 1.0)
    started = c.machine()
    origin, oport = c.start_origin(a.gwbench, size=RESPONSE, threads=1)
    # calibration: what the load needs unbounded (the pool's high-water mark)
    calib = point(a, oport, 0, min(dur, 3.0), warm, "calibration")
    minimum = WORKERS * (RESERVE + 1)
    need = max(calib["pool"]["buffers_high_water"], minimum)
    limits = [(0, "unbounded")]
    for frac, label in ((1.0, "need"), (0.75, "3/4 need"), (0.5, "1/2 need"),
                        (0.375, "3/8 need"), (0.25, "1/4 need"), (None, "min")):
        limit = minimum if frac is None else max(minimum, round(need * frac))
        if limit not in [l for l, _ in limits]:
            limits.append((limit, f"{label} ({limit})"))
    # interleaved repetitions, the order rotating, so that background load drifts
    # hit every point alike; the table shows each point's median run
    runs, runs_a = [], []
    for rep in range(reps):
        k = (rep * 3) % len(limits)
        for limit, label in limits[k:] + limits[:k]:
            runs.append(run_point(a, oport, limit, dur, warm, label, rep, exe_b, exe_a, runs_a))
    c.stop(origin)
    if exe_a is not None:
        print(f"A = {exe_a}\nB = {exe_b}")
        print_ab(limits, runs_a, runs)
        return
    points = []
    for limit, label in limits:
        rs = sorted((r for r in runs if r["limit"] == limit), key=lambda r: r["requests_per_s"])
        med = dict(rs[len(rs) // 2])
        med["requests_per_s_all"] = [r["requests_per_s"] for r in rs]
        med["p99_us_all"] = [r["latency_us"]["p99"] for r in rs]
        med["errors_all_runs"] = sum(r["errors"].get("total", 0) for r in rs)
        med["lone_request_after_ok_all_runs"] = all(r["lone_request_after_ok"] for r in rs)
        points.append(med)
    base = points[0]["requests_per_s"] or 1
    for p in points:
        p["throughput_vs_unbounded"] = round(p["requests_per_s"] / base, 3)
    c.write_result(a.out, "memory-sweep", a, {
        "load": {"connections": CONNECTIONS, "threads": 1, "response_bytes": RESPONSE,
                 "buffer_size": 16384, "workers": WORKERS, "reserve": RESERVE,
                 "duration_s": dur, "warmup_s": warm, "reps": reps},
        "need_buffers": need, "calibration": calib, "points": points,
        "runs": [{k: r[k] for k in ("rep", "limit", "requests_per_s", "latency_us", "rss_kib",
                                    "cpu_us_per_request", "pool", "errors", "lone_request_after_ok")}
                 for r in runs],
    }, started)


if __name__ == "__main__":
    main()
