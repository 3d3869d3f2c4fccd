#!/usr/bin/env python3
"""What traffic policies cost on the hot path: CPU microseconds per request of the
gateway (one worker, pinned) at 64 B responses under gwbench (64 kept-alive
connections), with no policy and with each policy configured on the route every
request takes, run in turn (A, B, C... then the other order) so that drift of the
machine falls on all alike. Policies: five header rules (two request fields set, one
added, one removed, one response field set), a path prefix rewrite, trace context
(a traceparent started for every request), a per-client rate limit with a connection
limit (the shared client table on every connection and request), and access rules
(five networks checked per request). Writes
results/policy-cost.json."""
from __future__ import annotations

import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

CONNECTIONS = 64
SIZE = 64

VARIANTS = {
    "none": "",
    "five header rules": """
[[routes]]
backend = "origin"
[routes.request_headers]
set = { "X-Client-Address" = "%{client_address}", "X-Env" = "bench" }
add = { "Via" = "1.1 gateway" }
remove = ["X-Debug"]
[routes.response_headers]
set = { "X-Content-Type-Options" = "nosniff" }
""",
    "path prefix rewrite": """
[[routes]]
path_prefix = "/b/"
backend = "origin"
replace_prefix = "/"
""",
    "trace context": """
[tracing]
enabled = true
""",
    # (Right after the listener's table: these are its keys. The rate is far above
    # the load, so every request pays the table's lookup and none is refused.)
    "rate limit": """
client_rate = 1000000
client_burst = 1000000
client_connections = 1000
""",
    "access rules": """
allow = ["127.0.0.0/8", "10.0.0.0/8", "192.168.0.0/16"]
deny = ["10.1.0.0/16", "203.0.113.0/24"]
""",
}
PATHS = {"none": "/", "five header rules": "/", "path prefix rewrite": "/b/", "trace context": "/",
         "rate limit": "/", "access rules": "/"}


def main() -> None:
    a = c.parse_args(__doc__, lambda p: (p.add_argument("--reps", type=int, default=5),
                                         p.add_argument("--seconds", type=float, default=6.0)))
    px.ensure_installed()
    started = c.machine()
    c.raise_nofile()
    reps = 1 if a.quick else a.reps
    dur, warm = (1.0, 0.3) if a.quick else (a.seconds, 2.0)
    origin, oport = c.start_origin(a.gwbench, size=SIZE, threads=1)
    gws = {k: c.Gateway(a.gateway, oport, workers=1, routes=v) for k, v in VARIANTS.items()}
    cpu: dict[str, list[float]] = {k: [] for k in VARIANTS}
    errors: dict[str, int] = {k: 0 for k in VARIANTS}
    try:
        for rep in range(reps):
            order = list(VARIANTS) if rep % 2 == 0 else list(reversed(VARIANTS))
            for k in order:
                g = gws[k]
                url = f"http://127.0.0.1:{g.port}{PATHS[k]}?size={SIZE}"
                us, s = c.cpu_per_request(a.gwbench, url, g.pid, CONNECTIONS, dur, warm)
                cpu[k].append(round(us, 2))
                errors[k] += int(s["errors"].get("total") or 0) + sum(
                    int(n) for code, n in s["status"].items() if not str(code).startswith("2"))
                c.log(f"rep {rep} {k:>20}: {s['requests_per_s']:>8.0f} req/s  {us:6.2f} us/request")
    finally:
        for g in gws.values():
            c.stop(g.proc)
        c.stop(origin)
    base = statistics.median(cpu["none"])
    result = {k: {"us_per_request": statistics.median(v), "runs": v, "vs_none": round(statistics.median(v) / base, 3),
                  "errors": errors[k]} for k, v in cpu.items()}
    c.log("medians:", {k: r["us_per_request"] for k, r in result.items()})
    c.write_result(a.out, "policy-cost", a, {"size": SIZE, "connections": CONNECTIONS, "reps": reps,
                                             "variants": result}, started)


if __name__ == "__main__":
    main()
