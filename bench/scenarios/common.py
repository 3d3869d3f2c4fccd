"""Shared helpers for the bench/scenarios/ scripts (standard library only).

Every scenario runs on 127.0.0.1 only, bounds every run in time, picks free ports,
and kills the processes it started (by pid) when it ends, is interrupted or fails.
"""
from __future__ import annotations

import argparse
import atexit
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# CPU layout on the 2-core bench machine: the proxy under test on one core, the load
# generator and the origin on the other (--no-pin turns it off).
PROXY_CPU = "0"
LOAD_CPU = "1"


# ---------------------------------------------------------------------------
# command line


def parse_args(description: str, extra=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--build-dir", default="build/release",
                   help="build tree holding gateway/gateway and bench/gwbench (default build/release)")
    p.add_argument("--quick", action="store_true", help="short runs, for smoke-testing the scripts")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin processes (default: proxy on CPU 0, gwbench and origin on CPU 1)")
    p.add_argument("--out", default=str(RESULTS), help="directory for the JSON result")
    if extra:
        extra(p)
    a = p.parse_args()
    bd = Path(a.build_dir)
    if not bd.is_absolute():
        bd = REPO / bd
    a.build_dir = bd
    a.gateway = bd / "gateway" / "gateway"
    a.gwbench = bd / "bench" / "gwbench"
    for exe in (a.gateway, a.gwbench):
        if not os.access(exe, os.X_OK):
            sys.exit(f"missing {exe}: build it first (see bench/README.md, 'Scenarios')")
    a.out = Path(a.out)
    a.out.mkdir(parents=True, exist_ok=True)
    global PIN, BUILD
    BUILD = build_info(a.gateway)
    if BUILD["stale_sources"]:
        log(f"WARNING: {len(BUILD['stale_sources'])} source files are newer than {a.gateway} "
            f"(e.g. {BUILD['stale_sources'][0]}): rebuild before measuring")
    PIN = not a.no_pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    return a


PIN = True
BUILD: dict = {}
SOURCE_DIRS = ("gateway", "alloc", "config", "asio", "bench/gwbench", "bench/origin")


def build_info(exe: Path) -> dict:
    """When the binary was linked, and which sources changed after that (a stale build)."""
    return {"gateway_built": linked(exe), "stale_sources": stale_sources(exe, SOURCE_DIRS)}


def linked(exe: Path) -> str:
    """The binary's mtime: when it was linked."""
    t = exe.stat().st_mtime
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def stale_sources(exe: Path, dirs: tuple[str, ...]) -> list[str]:
    """Sources under `dirs` (and the top CMakeLists.txt) newer than `exe`: a binary
    measured from such a tree is not what the sources say."""
    t = exe.stat().st_mtime
    stale = []
    for d in dirs:
        for f in (REPO / d).rglob("*"):
            if f.suffix in (".cpp", ".hpp", ".h", ".txt") and f.stat().st_mtime > t:
                stale.append(str(f.relative_to(REPO)))
    cm = REPO / "CMakeLists.txt"
    if cm.stat().st_mtime > t:
        stale.append("CMakeLists.txt")
    return sorted(stale)


def pinned(cmd: list[str], cpu: str | None) -> list[str]:
    if PIN and cpu is not None:
        return ["taskset", "-c", cpu] + cmd
    return cmd


def log(*parts) -> None:
    print("[%s]" % time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# processes: everything started here is killed on exit (normal, error, signal)

_procs: list[subprocess.Popen] = []
_tmpdirs: list[str] = []


def _cleanup() -> None:
    for p in reversed(_procs):
        if p.poll() is None:
            try:
                p.terminate()
            except ProcessLookupError:
                pass
    deadline = time.time() + 5
    for p in reversed(_procs):
        if p.poll() is None:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    _procs.clear()
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    _tmpdirs.clear()


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


atexit.register(_cleanup)
for _s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_s, _on_signal)


def tmpdir(prefix: str) -> Path:
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return Path(d)


def spawn(cmd: list[str], cpu: str | None = None, log_path: Path | None = None,
          stdout=None) -> subprocess.Popen:
    out = stdout
    if out is None:
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    p = subprocess.Popen(pinned(cmd, cpu), stdout=out,
                         stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    _procs.append(p)
    return p


def stop(p: subprocess.Popen, sig=signal.SIGTERM, timeout=10.0) -> int | None:
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _procs:
        _procs.remove(p)
    return p.returncode


def raise_nofile(want: int = 20000) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(want, hard) if hard != resource.RLIM_INFINITY else want
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------------------
# ports


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def http_get(port: int, path: str, timeout: float = 5.0, preface: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 GET with Connection: close, after `preface` (a PROXY header);
    returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(preface + f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body


# ---------------------------------------------------------------------------
# /proc


def rss_kib(pid: int) -> int:
    return _status_field(pid, "VmRSS")


def hwm_kib(pid: int) -> int:
    return _status_field(pid, "VmHWM")


def _status_field(pid: int, name: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def cpu_us(pid: int) -> float:
    """utime + stime of the whole process (all threads), in microseconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the comm field: state is fields[0]; utime is field 14 -> index 11, stime 12
    return (int(fields[11]) + int(fields[12])) * 1e6 / CLK_TCK


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# ---------------------------------------------------------------------------
# the origin and gwbench


def start_origin(gwbench: Path, size: int = 64, threads: int = 1, cpu: str | None = LOAD_CPU,
                 extra: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [str(gwbench), "origin", "--listen", f"127.0.0.1:{port}", "--size", str(size),
           "--threads", str(threads)] + (extra or [])
    p = spawn(cmd, cpu=cpu)
    wait_port(port, proc=p)
    return p, port


def run_load(gwbench: Path, url: str, connections: int, duration: float | None = None,
             requests: int | None = None, threads: int = 1, extra: list[str] | None = None,
             cpu: str | None = LOAD_CPU, timeout_ms: int = 5000) -> dict:
    """Runs `gwbench load` and returns its JSON result."""
    cmd = [str(gwbench), "load", url, "-c", str(connections), "-t", str(threads),
           "--timeout", str(timeout_ms), "--json", "-"]
    if duration is not None:
        cmd += ["-d", f"{int(duration * 1000)}ms"]
        bound = duration + timeout_ms / 1000 + 30
    else:
        cmd += ["-n", str(requests)]
        bound = 300
    cmd += extra or []
    r = subprocess.run(pinned(cmd, cpu), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=bound, stdin=subprocess.DEVNULL)
    if r.returncode != 0 and not r.stdout:
        raise RuntimeError(f"gwbench failed ({r.returncode}): {r.stderr.decode(errors='replace')}")
    return json.loads(r.stdout)


def cpu_per_request(gwbench: Path, url: str, pid: int, connections: int, duration: float,
                    warm: float) -> tuple[float, dict]:
    """A warm-up run, then a measured one: the process `pid`'s CPU microseconds per
    request over the measured run, and that run's summary."""
    run_load(gwbench, url, connections, duration=warm)
    before = cpu_us(pid)
    s = summarize_load(run_load(gwbench, url, connections, duration=duration))
    return (cpu_us(pid) - before) / max(1, s["requests"]), s


def run_wrk(url: str, connections: int, seconds: float, cpu: str | None = None) -> dict:
    """wrk, one thread, keep-alive, for whole seconds (wrk takes no fraction):
    requests, non-2xx answers and socket errors, and the seconds it ran."""
    secs = max(1, round(seconds))
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{secs}s", "--timeout", "5s", url]
    r = subprocess.run(pinned(cmd, cpu), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=secs + 60, stdin=subprocess.DEVNULL)
    return {**parse_wrk(r.stdout.decode(errors="replace")), "seconds": secs}


def parse_wrk(text: str) -> dict:
    """Requests, non-2xx answers and socket errors from wrk's report."""
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {"requests": int(total.group(1)) if total else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0}


def summarize_load(j: dict) -> dict:
    """The compact part of a gwbench result that goes into bench/results/."""
    lat = j.get("latency_us", {})
    return {
        "requests": j.get("requests", 0),
        "elapsed_s": round(j.get("elapsed_s", 0.0), 3),
        "requests_per_s": round(j.get("requests_per_s", 0.0), 1),
        "bytes_read_per_s": round(j.get("bytes_read_per_s", 0.0)),
        "connections_opened": j.get("connections_opened", 0),
        "latency_us": {k: round(lat.get(k, 0.0), 1)
                       for k in ("p50", "p90", "p99", "p99_9", "max", "mean")},
        "status": j.get("status", {}).get("codes", {}),
        "errors": j.get("errors", {}),
    }


# ---------------------------------------------------------------------------
# the gateway


def gateway_toml(listen_port: int, admin_port: int, origin_port: int, *, workers: int = 1,
                 limit: int = 0, reserve: int = 2, wake: str = "reserve-aware",
                 size: str = "16KiB", maxconn: int = 0, keepalive_pool: int | None = 64,
                 timeouts: dict | None = None, maxrewrite: str | None = None,
                 tls: tuple[str, str] | None = None, routes: str = "") -> str:
    """maxrewrite None keeps the gateway's default (half the buffer), keepalive_pool
    None the shipped one (sized by demand); tls (cert, key)
    makes the listener speak HTTPS; `routes` is TOML appended after the listener
    ([[routes]] tables for the "origin" backend)."""
    t = {"client_head": "30s", "client_idle": "120s", "server": "60s", "queue": "60s"}
    t.update(timeouts or {})
    tl = "\n".join(f'{k} = "{v}"' for k, v in t.items())
    mr = f'\nmaxrewrite = "{maxrewrite}"' if maxrewrite else ""
    pool = f"\nkeepalive_pool = {keepalive_pool}" if keepalive_pool is not None else ""
    tls_table = (f'\n[[listeners.tls.certificates]]\ncert = "{tls[0]}"\nkey = "{tls[1]}"\n' if tls else "")
    return f"""# generated by bench/scenarios
[global]
workers = {workers}
shutdown_timeout = "5s"

[admin]
enabled = true
listen = "127.0.0.1:{admin_port}"

[buffers]
size = "{size}"
limit = {limit}
reserve = {reserve}
wake = "{wake}"{mr}

[timeouts]
{tl}

[logging]
access_log = false
level = "error"

[[listeners]]
name = "bench"
listen = "127.0.0.1:{listen_port}"
default_backend = "origin"
{tls_table}{routes}
[[backends]]
name = "origin"{pool}

[[backends.servers]]
name = "o1"
address = "127.0.0.1:{origin_port}"
maxconn = {maxconn}
"""


class Gateway:
    def __init__(self, exe: Path, origin_port: int, cpu: str | None = PROXY_CPU, **kw):
        self.dir = tmpdir("gw-bench-gateway-")
        self.port = free_port()
        self.admin = free_port()
        self.config = self.dir / "gateway.toml"
        self.config.write_text(gateway_toml(self.port, self.admin, origin_port, **kw))
        self.log = self.dir / "gateway.log"
        self.proc = spawn([str(exe), "--config", str(self.config)], cpu=cpu, log_path=self.log)
        try:
            wait_port(self.port, proc=self.proc)
            wait_port(self.admin, proc=self.proc)
        except RuntimeError:
            raise RuntimeError("gateway did not start: " + self.log.read_text(errors="replace")[-2000:])
        self.pid = self.proc.pid

    def metrics(self) -> dict[str, float]:
        """/metrics as {'name{labels}': value}, plus unlabelled sums under 'name'."""
        status, body = http_get(self.admin, "/metrics")
        if status != 200:
            raise RuntimeError(f"/metrics answered {status}")
        out: dict[str, float] = {}
        for line in body.decode().splitlines():
            if not line or line.startswith("#"):
                continue
            key, _, val = line.rpartition(" ")
            try:
                v = float(val)
            except ValueError:
                continue
            out[key] = v
        # recompute sums for labelled families
        sums: dict[str, float] = {}
        for key, v in out.items():
            if "{" in key:
                base = key.split("{", 1)[0]
                sums[base] = sums.get(base, 0.0) + v
        out.update(sums)
        return out

    def stop(self) -> int | None:
        return stop(self.proc)


POOL_METRICS = ("gateway_pool_waits_total", "gateway_pool_resumes_total",
                "gateway_pool_failed_resumes_total", "gateway_pool_cancels_total",
                "gateway_pool_acquires_total", "gateway_pool_reserve_acquires_total")


def pool_delta(before: dict, after: dict) -> dict:
    d = {k.replace("gateway_pool_", "").replace("_total", ""): int(after.get(k, 0) - before.get(k, 0))
         for k in POOL_METRICS}
    d["buffers_high_water"] = int(after.get("gateway_pool_buffers_high_water", 0))
    d["buffers_limit"] = int(after.get("gateway_pool_buffers_limit", 0))
    d["buffers_allocated"] = int(after.get("gateway_pool_buffers_allocated", 0))
    d["buffers_used_after"] = int(after.get("gateway_pool_buffers_used", 0))
    return d


def wake_ratios(pool: dict) -> dict:
    """How well the pool's wake-ups were spent, from a pool_delta: waits that got a
    buffer, resumes per such wait (1.0 = no wasted wake-up), failed resumes in %."""
    succ = pool["resumes"] - pool["failed_resumes"]
    return {"successful_waits": succ,
            "resumes_per_successful_wait": round(pool["resumes"] / succ, 4) if succ else None,
            "failed_resume_pct": round(100.0 * pool["failed_resumes"] / pool["resumes"], 3)
            if pool["resumes"] else 0.0}


def lone_request_ok(port: int, path: str = "/", timeout: float = 5.0) -> bool:
    try:
        status, _ = http_get(port, path, timeout=timeout)
        return status == 200
    except OSError:
        return False


# ---------------------------------------------------------------------------
# results


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return "unknown"


def source_commit() -> str:
    """The last commit that touched what the binaries are built from."""
    try:
        return subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h", "--",
                               "gateway", "alloc", "config", "asio", "bench/gwbench", "bench/origin",
                               "CMakeLists.txt"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return "unknown"


def machine() -> dict:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": git_commit(),
        "source_commit": source_commit(),
        "loadavg_1m_at_start": loadavg(),
        "pinned": PIN,
        **BUILD,
    }


def write_result(out_dir: Path, name: str, args, data: dict, started: dict) -> Path:
    data = {"scenario": name, "quick": bool(args.quick), "machine": started,
            "loadavg_1m_at_end": loadavg(), **data}
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    log(f"wrote {path}")
    return path
