#!/usr/bin/env python3
"""A/B of two gateway binaries: CPU microseconds per request (and req/s) of each,
alternating A and B run by run in front of the same origin, under the same load
as proxy-compare (gwbench, keep-alive, 64 connections, one worker, gateway pinned
to CPU 0, gwbench and origin on CPU 1). For "measure before and after a change":
build the old tree elsewhere and pass its binary as --a.

    bench/scenarios/ab-gateway.py --a /tmp/old/build/gateway/gateway [--b build/release/gateway/gateway]
                                  [--reps 5] [--sizes 64,16384,262144] [--seconds 6]

Prints the median and every run per binary and size; writes nothing."""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

CONNECTIONS = 64


def extra(p) -> None:
    p.add_argument("--a", required=True, help="the 'before' gateway binary")
    p.add_argument("--b", default=None, help="the 'after' binary (default: the build dir's)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--sizes", default="64,16384,262144")
    p.add_argument("--seconds", type=float, default=6.0)


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0], extra)
    c.raise_nofile()
    exes = {"A": Path(a.a), "B": Path(a.b) if a.b else a.gateway}
    sizes = [int(s) for s in a.sizes.split(",")]
    dur, warm = (1.0, 0.3) if a.quick else (a.seconds, 2.0)
    origin, oport = c.start_origin(a.gwbench, size=64, threads=1)
    procs = {k: px.GatewayProxy(exe, oport) for k, exe in exes.items()}
    cpu: dict = {(k, s): [] for k in procs for s in sizes}
    rps: dict = {(k, s): [] for k in procs for s in sizes}
    try:
        for rep in range(a.reps):
            for size in sizes:
                order = ["A", "B"] if (rep + sizes.index(size)) % 2 == 0 else ["B", "A"]
                for k in order:
                    p = procs[k]
                    url = f"http://127.0.0.1:{p.port}/?size={size}"
                    us, s = c.cpu_per_request(a.gwbench, url, p.pid, CONNECTIONS, dur, warm)
                    cpu[(k, size)].append(round(us, 2))
                    rps[(k, size)].append(round(s["requests_per_s"]))
                    c.log(f"rep {rep} {k} {size:>6d} B: {s['requests_per_s']:>8.0f} req/s  "
                          f"{us:6.2f} us/request  errors {s['errors'].get('total')}")
    finally:
        for p in procs.values():
            p.stop()
        c.stop(origin)
    print(f"A = {exes['A']}\nB = {exes['B']}")
    for size in sizes:
        ma, mb = statistics.median(cpu[("A", size)]), statistics.median(cpu[("B", size)])
        print(f"{size:>6d} B: A {ma:6.2f} us/req {cpu[('A', size)]}  "
              f"B {mb:6.2f} us/req {cpu[('B', size)]}  B/A {mb / ma:.3f}  "
              f"req/s A {statistics.median(rps[('A', size)]):.0f} B {statistics.median(rps[('B', size)]):.0f}")


if __name__ == "__main__":
    main()
