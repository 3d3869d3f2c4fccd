#!/usr/bin/env python3
"""DNS changes followed under load: the gateway's backend is a name (discover = "all")
that a small DNS responder of this script answers, with three origins (gwbench origin)
on 127.0.0.2, 127.0.0.3 and 127.0.0.4, one port. While wrk (or gwbench when wrk is
missing) keeps kept-alive connections busy, the answer changes every `--every` seconds
through a fixed sequence of address sets. Measured: requests and errors (any non-2xx,
socket error or timeout), how long each change took to show in the gateway's servers
(polled on /api/servers), and that an origin taken out of the answer stops getting
requests. Everything on loopback, bounded in time; what it starts it stops."""
from __future__ import annotations

import json
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

NAME = "app.bench"
HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
SEQUENCE = [[0, 1], [1, 2], [2], [0, 1, 2], [0], [1, 2], [0, 2], [1], [0, 1, 2], [2, 0]]  # into HOSTS


class Responder:
    """A DNS server on 127.0.0.1 UDP answering A questions for NAME (TTL 1 s) from
    a list it is told; AAAA gets an empty answer; other names NXDOMAIN."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.addresses: list[str] = []
        self.queries = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stopping:
            try:
                q, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            self.queries += 1
            reply = self.answer(q)
            if reply:
                self.sock.sendto(reply, peer)

    def answer(self, q: bytes) -> bytes | None:
        if len(q) < 12:
            return None
        qid, _flags, qd = struct.unpack(">HHH", q[:6])
        if qd != 1:
            return None
        labels, i = [], 12
        while i < len(q) and q[i] != 0:
            n = q[i]
            labels.append(q[i + 1:i + 1 + n].decode(errors="replace").lower())
            i += 1 + n
        question = q[12:i + 5]
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        name = ".".join(labels)
        known = name == NAME
        records = []
        if known and qtype == 1:
            for a in list(self.addresses):
                records.append(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 1, 4) + socket.inet_aton(a))
        rcode = 0 if known else 3
        head = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, len(records), 0, 0)
        return head + question + b"".join(records)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join()
        self.sock.close()


def servers_now(admin_port: int) -> set[str]:
    status, body = c.http_get(admin_port, "/api/servers")
    if status != 200:
        return set()
    out = set()
    for b in json.loads(body).get("backends", []):
        for s in b.get("servers", []):
            out.add(s.get("name", ""))
    return out


def origin_requests(admin_port: int) -> dict[str, float]:
    status, body = c.http_get(admin_port, "/metrics")
    out: dict[str, float] = {}
    for line in body.decode().splitlines():
        m = re.match(r'gateway_server_requests_total\{backend="app",server="pods@([0-9.]+):\d+"\} (\S+)', line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def main() -> None:
    a = c.parse_args(__doc__, lambda p: (p.add_argument("--every", type=float, default=2.0),
                                         p.add_argument("--workers", type=int, default=2),
                                         p.add_argument("--connections", type=int, default=32)))
    px.ensure_installed()  # wrk: the load users measure with (gwbench if it cannot be had)
    started = c.machine()
    every = 1.0 if a.quick else a.every
    dns = Responder()
    dns.addresses = [HOSTS[i] for i in SEQUENCE[0]]
    port = c.free_port()
    origins = []
    for h in HOSTS:
        p = c.spawn([str(a.gwbench), "origin", "--listen", f"{h}:{port}", "--size", "64"], cpu=c.LOAD_CPU)
        origins.append(p)
    time.sleep(0.5)
    listen, admin = c.free_port(), c.free_port()
    conf = c.tmpdir("dns-follow") / "gateway.toml"
    conf.write_text(f"""[global]
workers = {a.workers}
[admin]
listen = "127.0.0.1:{admin}"
[logging]
access_log = false
[dns]
nameservers = ["127.0.0.1:{dns.port}"]
min_ttl = "100ms"
max_ttl = "1s"
hold = "5s"
[[listeners]]
name = "http"
listen = "127.0.0.1:{listen}"
default_backend = "app"
[[backends]]
name = "app"
[[backends.servers]]
name = "pods"
address = "{NAME}:{port}"
discover = "all"
""")
    gw = c.spawn(c.pinned([str(a.gateway), "--config", str(conf)], c.PROXY_CPU))
    c.wait_port(listen, proc=gw)
    seconds = int(every * len(SEQUENCE) + 2)
    use_wrk = shutil.which("wrk") is not None
    if use_wrk:
        out_path = c.tmpdir("dns-follow-wrk") / "wrk.txt"
        load = subprocess.Popen(c.pinned(["wrk", "-t", "1", "-c", str(a.connections), "-d", f"{seconds}s",
                                          "--timeout", "5s", f"http://127.0.0.1:{listen}/?size=64"], c.LOAD_CPU),
                                stdout=open(out_path, "w"), stderr=subprocess.STDOUT)
    else:
        result_holder: dict = {}
        load_thread = threading.Thread(target=lambda: result_holder.update(
            c.run_load(a.gwbench, f"http://127.0.0.1:{listen}/?size=64", a.connections, duration=seconds)))
        load_thread.start()
    changes = []
    time.sleep(1.0)
    for step in SEQUENCE[1:]:
        want_hosts = [HOSTS[i] for i in step]
        want = {f"pods@{h}:{port}" for h in want_hosts}
        gone = [h for h in HOSTS if h not in want_hosts]
        dns.addresses = want_hosts
        t0 = time.monotonic()
        seen = None
        while time.monotonic() - t0 < 10:
            if servers_now(admin) == want:
                seen = time.monotonic() - t0
                break
            time.sleep(0.02)
        # Requests to the origins that left, from 0.2 s after the change was seen.
        time.sleep(0.2)
        before = origin_requests(admin)
        time.sleep(max(0.0, every - 0.2 - (seen or 0)))
        after = origin_requests(admin)
        stray = sum(after.get(h, 0) - before.get(h, 0) for h in gone)
        changes.append({"to": want_hosts, "seen_after_s": round(seen, 3) if seen is not None else None,
                        "requests_to_departed": stray})
        c.log(f"answer {want_hosts}: seen after {seen if seen is None else round(seen, 3)} s, "
              f"{stray:.0f} requests to departed origins")
    if use_wrk:
        load.wait(timeout=seconds + 30)
        text = out_path.read_text()
        summary = c.parse_wrk(text) | {"tool": "wrk"}
    else:
        load_thread.join()
        summary = c.summarize_load(result_holder) | {"tool": "gwbench"}
    c.log("load:", summary)
    per_origin = origin_requests(admin)
    c.stop(gw)
    for p in origins:
        c.stop(p)
    dns.stop()
    c.write_result(a.out, "dns-follow", a, {
        "every_s": every, "workers": a.workers, "connections": a.connections,
        "changes": changes, "load": summary, "dns_queries": dns.queries,
        "requests_per_origin_server_at_end": per_origin}, started)


if __name__ == "__main__":
    main()
