#!/usr/bin/env python3
"""Memory-limit sweep (the seed's first experiment): a fixed load (64 keep-alive
connections, 64 KiB responses, 16 KiB buffers, one gateway worker) against
buffers.limit from unbounded down to a quarter of what the load needs, and on to the
configured minimum (workers x (reserve + 1)). "What the load needs" is the pool's
high-water mark in the unbounded run. At each point: throughput, latency
percentiles, gateway RSS (VmRSS at the end of the run, and the peak VmHWM), pool
waits, resumes and failed resumes (from /metrics), and whether a lone request right
after the run is served at once (recovery). A fresh gateway per point; the points
are run REPS times, interleaved, and the median run of each point is reported."""
from __future__ import annotations

import sys

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


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
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
    runs = []
    for rep in range(reps):
        k = (rep * 3) % len(limits)
        for limit, label in limits[k:] + limits[:k]:
            r = point(a, oport, limit, dur, warm, label)
            r["rep"] = rep
            runs.append(r)
    c.stop(origin)
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
