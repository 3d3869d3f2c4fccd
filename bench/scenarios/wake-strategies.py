#!/usr/bin/env python3
"""Wake strategies under the same contention (the seed's second experiment):
buffers.wake = "wake-all", "per-release" and "reserve-aware", one gateway worker, a
small pool (limit 8, reserve 2, 16 KiB buffers) and many keep-alive connections
(256, 16 KiB responses). Reports resumes per successful wait (resumes / (resumes -
failed resumes); 1.0 is perfect), failed resumes (a woken coroutine that found no
buffer and queued again) as a count and as a share of resumes, throughput, latency
and gateway CPU per request. The three strategies are run in turn, REPS times
(interleaved), a fresh gateway per run; the table shows the median run."""
from __future__ import annotations

import sys

import statistics

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402

STRATEGIES = ["wake-all", "per-release", "reserve-aware"]
CONNECTIONS = 256
LIMIT = 8
RESPONSE = 16384


def run(a, oport: int, wake: str, dur: float, warm: float) -> dict:
    g = c.Gateway(a.gateway, oport, workers=1, limit=LIMIT, reserve=2, wake=wake)
    try:
        url = f"http://127.0.0.1:{g.port}/"
        c.run_load(a.gwbench, url, CONNECTIONS, duration=warm, timeout_ms=10000)
        m0 = g.metrics()
        cpu0 = c.cpu_us(g.pid)
        j = c.run_load(a.gwbench, url, CONNECTIONS, duration=dur, timeout_ms=10000)
        cpu1 = c.cpu_us(g.pid)
        m1 = g.metrics()
        s = c.summarize_load(j)
        pool = c.pool_delta(m0, m1)
        r = {"wake": wake, **s, "pool": pool,
             "cpu_us_per_request": round((cpu1 - cpu0) / max(1, s["requests"]), 2),
             **c.wake_ratios(pool),
             "waits_per_request": round(pool["waits"] / max(1, s["requests"]), 3),
             "lone_request_after_ok": c.lone_request_ok(g.port, timeout=2.0)}
        c.log(f"{wake:14s}: {s['requests_per_s']:>8.0f} req/s p99 {s['latency_us']['p99']:>8.0f} us "
              f"waits {pool['waits']} resumes {pool['resumes']} failed {pool['failed_resumes']} "
              f"({r['failed_resume_pct']} %) resumes/successful wait {r['resumes_per_successful_wait']} "
              f"errors {s['errors'].get('total')}")
        return r
    finally:
        g.stop()


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
    reps, dur, warm = (1, 1.0, 0.3) if a.quick else (3, 6.0, 1.0)
    started = c.machine()
    origin, oport = c.start_origin(a.gwbench, size=RESPONSE, threads=1)
    runs = []
    for rep in range(reps):
        order = STRATEGIES[rep % 3:] + STRATEGIES[:rep % 3]
        for wake in order:
            r = run(a, oport, wake, dur, warm)
            r["rep"] = rep
            runs.append(r)
    c.stop(origin)
    summary = []
    for wake in STRATEGIES:
        rs = sorted((r for r in runs if r["wake"] == wake), key=lambda r: r["requests_per_s"])
        med = rs[len(rs) // 2]
        summary.append({"wake": wake, "median_run_rep": med["rep"],
                        "requests_per_s": med["requests_per_s"],
                        "requests_per_s_all": [r["requests_per_s"] for r in rs],
                        "p99_us": med["latency_us"]["p99"],
                        "cpu_us_per_request": med["cpu_us_per_request"],
                        "waits": med["pool"]["waits"], "resumes": med["pool"]["resumes"],
                        "failed_resumes": med["pool"]["failed_resumes"],
                        "failed_resume_pct": med["failed_resume_pct"],
                        "resumes_per_successful_wait": med["resumes_per_successful_wait"],
                        "resumes_per_successful_wait_all": [r["resumes_per_successful_wait"] for r in rs],
                        "errors": sum(r["errors"].get("total", 0) for r in rs)})
    c.write_result(a.out, "wake-strategies", a, {
        "load": {"connections": CONNECTIONS, "threads": 1, "response_bytes": RESPONSE,
                 "workers": 1, "limit": LIMIT, "reserve": 2, "buffer_size": 16384,
                 "duration_s": dur, "warmup_s": warm, "reps": reps},
        "summary": summary, "runs": runs,
    }, started)


if __name__ == "__main__":
    main()
