#!/usr/bin/env python3
"""TLS side by side: the gateway, HAProxy 2.6 and nginx 1.22 terminating TLS in front of
the same origin, with the same certificate, one worker/thread each pinned to CPU 0
(origin and gwbench on CPU 1), TLS 1.3 (Debian's OpenSSL 3.0 in all three):

- full handshakes per second and CPU microseconds per handshake (each connection does
  one 64 B request and closes; gwbench --no-resume), ECDSA P-256 and RSA 2048, TLS 1.3
  and (rows *12) TLS 1.2;
- resumed handshakes (session tickets) the same way;
- CPU microseconds per request over kept-alive TLS connections, 64 B / 16 KiB / 256 KiB
  (64 connections);
- resident memory per idle kept-alive TLS connection (N connections from Python's ssl
  module, each after one request; RSS of the process doing the work before and after).

CPU is (utime + stime) of the proxy process from /proc/PID/stat around each run. Runs
are interleaved (rep -> case -> proxy, order rotating) and the medians reported."""
from __future__ import annotations

import socket
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

HAPROXY_TLS = px.HAPROXY_CFG.replace(
    "    bind 127.0.0.1:{port}\n    http-request set-header X-Forwarded-Proto http",
    "    bind 127.0.0.1:{port} ssl crt {pem} alpn http/1.1\n    http-request set-header X-Forwarded-Proto https")
NGINX_TLS = px.NGINX_CFG.replace(
    "        listen 127.0.0.1:{port} reuseport;",
    "        listen 127.0.0.1:{port} ssl reuseport;\n"
    "        ssl_protocols TLSv1.2 TLSv1.3;\n"  # (1.22's default has no TLS 1.3)
    "        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
    "        ssl_session_tickets on;\n        ssl_session_cache off;")


def make_cert(d: Path, kind: str) -> tuple[Path, Path, Path]:
    """A self-signed certificate for bench.test: cert, key, and both in one PEM (HAProxy)."""
    cert, key, pem = d / f"{kind}.crt", d / f"{kind}.key", d / f"{kind}.pem"
    newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if kind == "ecdsa" else ["-newkey", "rsa:2048"]
    subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "30", "-subj", "/CN=bench.test", "-addext", "subjectAltName=DNS:bench.test"],
                   check=True, capture_output=True)
    pem.write_text(cert.read_text() + key.read_text())
    return cert, key, pem


def start(name: str, oport: int, cert: Path, key: Path, pem: Path, gateway: Path) -> px.Proxy:
    if name == "gateway":
        return px.GatewayProxy(gateway, oport, tls=(str(cert), str(key)))
    if name == "haproxy":
        return px.HAProxy(oport, template=HAPROXY_TLS.replace("{pem}", str(pem)))
    return px.Nginx(oport, template=NGINX_TLS.replace("{cert}", str(cert)).replace("{key}", str(key)))


def cpu_run(gwbench: Path, p: px.Proxy, path: str, conns: int, dur: float, warm: float,
            extra: list[str]) -> dict:
    url = f"https://127.0.0.1:{p.port}{path}"
    c.run_load(gwbench, url, conns, duration=warm, extra=extra)
    before = c.cpu_us(p.pid)
    j = c.run_load(gwbench, url, conns, duration=dur, extra=extra)
    spent = c.cpu_us(p.pid) - before
    ok = j["requests"] > 0 and j.get("errors_total", 0) == 0 and j["status"].get("2xx", j["requests"]) > 0
    return {"requests": j["requests"], "rps": j["requests_per_s"], "handshakes": j.get("tls_handshakes", 0),
            "resumed": j.get("tls_resumed", 0), "cpu_us": spent, "ok": ok,
            "errors": j.get("errors", {}),
            "cpu_us_per_request": spent / max(1, j["requests"]),
            "cpu_us_per_handshake": spent / max(1, j.get("tls_handshakes", 0) or 1),
            "handshakes_per_s": j.get("tls_handshakes", 0) / max(1e-9, j["elapsed_s"])}


def idle_tls(p: px.Proxy, n: int, settle: float) -> dict:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def one(s) -> bool:
        s.sendall(b"GET /?size=64 HTTP/1.1\r\nHost: bench.test\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < 64:
            chunk = s.recv(4096)
            if not chunk:
                return False
            data += chunk
        return data.startswith(b"HTTP/1.1 200")

    warm = ctx.wrap_socket(socket.create_connection(("127.0.0.1", p.port)), server_hostname="bench.test")
    one(warm)
    warm.close()
    time.sleep(settle)
    before = c.rss_kib(p.pid)
    socks = []
    for _ in range(n):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", p.port), timeout=10),
                            server_hostname="bench.test")
        if not one(s):
            raise RuntimeError(f"{p.name}: a request on an idle-to-be TLS connection failed")
        socks.append(s)
    time.sleep(settle)
    after = c.rss_kib(p.pid)
    alive = sum(1 for s in socks[:: max(1, n // 50)] if one(s))
    for s in socks:
        s.close()
    r = {"connections": n, "rss_before_kib": before, "rss_idle_kib": after,
         "kib_per_connection": round((after - before) / n, 3),
         "sampled_still_alive": f"{alive}/{len(socks[:: max(1, n // 50)])}"}
    c.log(f"{p.name:8s}: {n} idle TLS connections: RSS {before} -> {after} KiB, "
          f"{r['kib_per_connection']} KiB each, alive {r['sampled_still_alive']}")
    return r


def main() -> None:
    a = c.parse_args(__doc__.split("\n")[0])
    px.ensure_installed()
    nofile = c.raise_nofile(20000)
    started = c.machine()
    reps, dur, warm = (1, 1.0, 0.3) if a.quick else (3, 5.0, 1.0)
    n_idle = 1000 if a.quick else 5000
    if nofile < 2 * n_idle + 200:
        sys.exit(f"RLIMIT_NOFILE is {nofile}; need about {2 * n_idle + 200}")
    d = c.tmpdir("gw-bench-tls-")
    origin, oport = c.start_origin(a.gwbench, size=64, threads=1)
    names = ["gateway", "haproxy", "nginx"]
    out: dict = {"handshakes": {}, "kept_alive": {}, "idle": {}}
    for kind in ("ecdsa", "rsa"):
        cert, key, pem = make_cert(d, kind)
        procs = {n: start(n, oport, cert, key, pem, a.gateway) for n in names}
        try:
            runs: dict = {}
            for rep in range(reps):
                close = ["-H", "Connection: close"]
                cases = [("full", close + ["--no-resume"]), ("resumed", close),
                         ("full12", close + ["--no-resume", "--tls-max", "1.2"]),
                         ("resumed12", close + ["--tls-max", "1.2"])]
                if kind == "ecdsa":
                    cases += [(f"kept_{size}", []) for size in (64, 16384, 262144)]
                for ci, (case, extra) in enumerate(cases):
                    order = names[(rep + ci) % 3:] + names[:(rep + ci) % 3]
                    for n in order:
                        handshaking = not case.startswith("kept")
                        conns = 16 if handshaking else 64
                        path = "/?size=" + (case.split("_")[1] if case.startswith("kept") else "64")
                        r = cpu_run(a.gwbench, procs[n], path, conns, dur, warm, extra)
                        runs.setdefault((case, n), []).append(r)
                        c.log(f"{kind} {case:11s} {n:8s} rps {r['rps']:9.0f}  cpu/req {r['cpu_us_per_request']:7.1f} us"
                              f"  hs/s {r['handshakes_per_s']:7.0f} (resumed {r['resumed']})")
            for (case, n), rs in runs.items():
                med = lambda k: statistics.median(x[k] for x in rs)  # noqa: E731
                entry = {"rps": round(med("rps")), "cpu_us_per_request": round(med("cpu_us_per_request"), 2),
                         "handshakes_per_s": round(med("handshakes_per_s")),
                         "cpu_us_per_handshake": round(med("cpu_us_per_handshake"), 1),
                         "resumed_share": round(sum(x["resumed"] for x in rs) / max(1, sum(x["handshakes"] for x in rs)), 3),
                         "all_ok": all(x["ok"] for x in rs)}
                hs = not case.startswith("kept")
                (out["handshakes"] if hs else out["kept_alive"]).setdefault(f"{kind}_{case}" if hs else case, {})[n] = entry
            if kind == "ecdsa":
                for n in names:
                    procs[n].stop()
                    procs[n] = start(n, oport, cert, key, pem, a.gateway)  # fresh: memory of the runs above
                    out["idle"][n] = idle_tls(procs[n], n_idle, 0.5 if a.quick else 2.0)
        finally:
            for p in procs.values():
                p.stop()
    c.stop(origin)
    c.write_result(a.out, "tls-compare", a, out, started)
    for case, per in out["handshakes"].items():
        c.log(f"{case:16s} " + "  ".join(f"{n} {v['cpu_us_per_handshake']} us/hs ({v['handshakes_per_s']}/s)"
                                         for n, v in per.items()))
    for case, per in out["kept_alive"].items():
        c.log(f"{case:16s} " + "  ".join(f"{n} {v['cpu_us_per_request']} us/req" for n, v in per.items()))
    for n, v in out["idle"].items():
        c.log(f"idle TLS         {n} {v['kib_per_connection']} KiB/connection")

if __name__ == "__main__":
    main()
