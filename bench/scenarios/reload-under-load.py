#!/usr/bin/env python3
"""Configuration reloads under load: while wrk keeps kept-alive connections busy,
a second wrk opens a new connection per request (Connection: close) and WebSocket
tunnels (an Upgrade to an echo server of this script) stay open exchanging
messages, the gateway is reloaded `--reloads` times in a row through POST
/api/reload, each time with a file that changes something (the app backend's
servers, weights, timeouts) and that adds a second listener ("extra") or takes
it away, in turn. Measured: requests, non-2xx and socket errors of both loads,
tunnels closed or broken, reload latency, and after each reload whether "extra"
answers (added) or refuses connections (removed). Then `--memory-reloads` more
reloads without load, with the gateway's RSS and open descriptors read before,
during and after.
Everything on loopback, bounded in time; what it starts it stops."""
from __future__ import annotations

import http.client
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import common as c  # noqa: E402
import proxies as px

TOKEN = "reload-bench-token-0123456789"


class EchoUpgrade(socketserver.BaseRequestHandler):
    """Answers an Upgrade with 101, then echoes every byte until the peer closes."""

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        self.request.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             b"Connection: Upgrade\r\n\r\n")
        rest = data.split(b"\r\n\r\n", 1)[1]
        if rest:
            self.request.sendall(rest)
        while True:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            self.request.sendall(chunk)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def config(listen: int, admin: int, origins: list[int], ws: int, i: int, extra: int) -> str:
    servers = f'[[backends.servers]]\nname = "s1"\naddress = "127.0.0.1:{origins[0]}"\nweight = {1 + i % 3}\n'
    if i % 2 == 0:
        servers += f'[[backends.servers]]\nname = "s2"\naddress = "127.0.0.1:{origins[1]}"\n'
    listeners = ""
    if i % 2 == 1:  # odd reloads add "extra", even ones take it away
        listeners = f'[[listeners]]\nname = "extra"\nlisten = "127.0.0.1:{extra}"\ndefault_backend = "app"\n'
    return f"""[global]
workers = 2
[admin]
listen = "127.0.0.1:{admin}"
token = "{TOKEN}"
[logging]
access_log = false
[timeouts]
server = "{20 + i % 7}s"
tunnel = "10m"
[[listeners]]
name = "http"
listen = "127.0.0.1:{listen}"
default_backend = "app"
{listeners}[[routes]]
path_prefix = "/ws"
backend = "ws"
[[backends]]
name = "app"
balance = "{'roundrobin' if i % 2 else 'leastconn'}"
{servers}[[backends]]
name = "ws"
[[backends.servers]]
address = "127.0.0.1:{ws}"
"""


def extra_as_expected(port: int, present: bool) -> bool:
    """After a reload: "extra" answers 200 when the file has it, else refuses connections."""
    try:
        status, _ = c.http_get(port, "/?size=64")
    except ConnectionRefusedError:
        return not present
    return present and status == 200


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def reload(admin: int) -> tuple[int, float]:
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", admin, timeout=30)
    conn.request("POST", "/api/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    status = conn.getresponse().status
    conn.close()
    return status, time.monotonic() - t0


class Tunnels:
    """`n` WebSocket-like tunnels through the gateway, each sending a message and
    reading its echo every 50 ms; counts the ones that broke."""

    def __init__(self, port: int, n: int) -> None:
        self.socks = []
        for k in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"GET /ws/{k} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(4096)
            if not head.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(f"tunnel {k}: {head[:40]!r}")
            self.socks.append(s)
        self.broken = 0
        self.messages = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        alive = list(self.socks)
        while not self.stopping and alive:
            for s in list(alive):
                try:
                    s.sendall(b"ping")
                    got = b""
                    while len(got) < 4:
                        chunk = s.recv(4 - len(got))
                        if not chunk:
                            raise ConnectionError("closed")
                        got += chunk
                    self.messages += 1
                except OSError:
                    self.broken += 1
                    alive.remove(s)
            time.sleep(0.05)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join()
        for s in self.socks:
            s.close()


def main() -> None:
    a = c.parse_args(__doc__, lambda p: (p.add_argument("--reloads", type=int, default=100),
                                         p.add_argument("--memory-reloads", type=int, default=1000),
                                         p.add_argument("--tunnels", type=int, default=20)))
    px.ensure_installed()
    started = c.machine()
    reloads = 10 if a.quick else a.reloads
    memory_reloads = 50 if a.quick else a.memory_reloads
    o1, p1 = c.start_origin(a.gwbench, size=64)
    o2, p2 = c.start_origin(a.gwbench, size=64)
    ws = Server(("127.0.0.1", 0), EchoUpgrade)
    threading.Thread(target=ws.serve_forever, daemon=True).start()
    listen, admin, extra = c.free_port(), c.free_port(), c.free_port()
    conf = c.tmpdir("reload") / "gateway.toml"
    ports = [p1, p2]
    ws_port = ws.server_address[1]
    conf.write_text(config(listen, admin, ports, ws_port, 0, extra))
    gw = c.spawn(c.pinned([str(a.gateway), "--config", str(conf)], c.PROXY_CPU))
    c.wait_port(listen, proc=gw)
    tunnels = Tunnels(listen, a.tunnels)
    seconds = max(10, int(reloads * 0.1) + 8)
    wrk_dir = c.tmpdir("reload-wrk")
    kept = subprocess.Popen(c.pinned(["wrk", "-t", "1", "-c", "32", "-d", f"{seconds}s", "--timeout", "5s",
                                      f"http://127.0.0.1:{listen}/?size=64"], c.LOAD_CPU),
                            stdout=open(wrk_dir / "kept.txt", "w"), stderr=subprocess.STDOUT)
    fresh = subprocess.Popen(c.pinned(["wrk", "-t", "1", "-c", "4", "-d", f"{seconds}s", "--timeout", "5s",
                                       "-H", "Connection: close", f"http://127.0.0.1:{listen}/?size=64"], c.LOAD_CPU),
                             stdout=open(wrk_dir / "fresh.txt", "w"), stderr=subprocess.STDOUT)
    time.sleep(2)
    statuses: dict[int, int] = {}
    latencies = []
    extra_wrong = 0
    for i in range(1, reloads + 1):
        conf.write_text(config(listen, admin, ports, ws_port, i, extra))
        status, took = reload(admin)
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(took)
        extra_wrong += not extra_as_expected(extra, i % 2 == 1)
        time.sleep(0.05)
    kept.wait(timeout=seconds + 30)
    fresh.wait(timeout=seconds + 30)
    tunnels.stop()
    load = {"kept_alive": c.parse_wrk((wrk_dir / "kept.txt").read_text()),
            "new_connection_per_request": c.parse_wrk((wrk_dir / "fresh.txt").read_text()),
            "tunnels": a.tunnels, "tunnels_broken": tunnels.broken, "tunnel_messages": tunnels.messages}
    c.log("under load:", load, "reload statuses", statuses, "extra listener not as expected", extra_wrong)

    rss = [{"reloads": 0, "rss_kib": c.rss_kib(gw.pid), "fds": open_fds(gw.pid)}]
    for i in range(1, memory_reloads + 1):
        conf.write_text(config(listen, admin, ports, ws_port, reloads + i, extra))
        status, _ = reload(admin)
        statuses[status] = statuses.get(status, 0) + 1
        if i in (10, 100, 250, 500, 750) or i == memory_reloads:
            rss.append({"reloads": i, "rss_kib": c.rss_kib(gw.pid), "fds": open_fds(gw.pid)})
    c.log("RSS after reloads:", rss)
    ok = c.http_get(listen, "/?size=64")[0]
    c.stop(gw)
    c.stop(o1)
    c.stop(o2)
    ws.shutdown()
    latencies.sort()
    c.write_result(a.out, "reload-under-load", a, {
        "reloads_under_load": reloads, "reload_statuses": {str(k): v for k, v in statuses.items()},
        "reload_ms": {"p50": round(latencies[len(latencies) // 2] * 1000, 2),
                      "max": round(latencies[-1] * 1000, 2)},
        "extra_listener_not_as_expected": extra_wrong,
        "load": load, "memory_reloads": memory_reloads, "rss": rss, "request_after_all": ok}, started)


if __name__ == "__main__":
    main()
