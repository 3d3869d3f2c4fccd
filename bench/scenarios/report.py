#!/usr/bin/env python3
"""Regenerates bench/RESULTS.md and the PNG plots in bench/results/ from the JSON
files the scenarios wrote (bench/results/*.json). Run by run-all.sh; can be run on
its own: report.py [--results DIR] [--markdown FILE]."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load(d: Path, name: str):
    p = d / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def fmt(v, nd=0):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float) or isinstance(v, int):
        return f"{v:,.{nd}f}"
    return str(v)


def size_name(b: int) -> str:
    return f"{b // 1024} KiB" if b >= 1024 else f"{b} B"


def table(head: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(out)


def ms(us) -> str:
    return "-" if us is None else f"{us / 1000:,.2f}"


# ---------------------------------------------------------------------------


def sec_proxy(r) -> str:
    if not r:
        return "## Proxy comparison\n\nNot run.\n"
    ld = r["load"]
    tools = ld.get("tools", {"gwbench": "gwbench load (closed loop, keep-alive), pinned"})
    lines = ["## Proxy comparison: gateway vs HAProxy vs nginx",
             "",
             f"`proxy-compare.py`. Same origin (`gwbench origin`, one thread), one worker/thread per proxy "
             f"(gateway `workers = 1`, HAProxy `nbthread 1`, nginx `worker_processes 1`), one load thread, "
             f"{ld['duration_s']:g} s per run after {ld['warmup_s']:g} s of warm-up, {ld['reps']} interleaved "
             f"repetitions, median shown. Loads: "
             + "; ".join(f"**{t}**: {d}" for t, d in tools.items()) + ". "
             f"CPU/request = (utime + stime) of the proxy process (nginx: its worker) over the run, "
             f"divided by the requests served. `direct` = gwbench straight to the origin "
             f"(the ceiling of this load setup). `byte-relay` = bench/byte_relay, bytes between client "
             f"and origin with no HTTP at all (one read and one write per message; `-splice`: with "
             f"splice(2) through a pipe): its CPU per request is the kernel's share, the floor under "
             f"any proxy on the socket API. "
             f"{r['versions']['haproxy']}; {r['versions']['nginx']}.",
             ""]
    groups = sorted({(s.get("tool", "gwbench"), s.get("connections", 64)) for s in r["summary"]},
                    key=lambda g: (g[0] != "gwbench", g[1]))
    for tool, conns in groups:
        rows = []
        for s in r["summary"]:
            if (s.get("tool", "gwbench"), s.get("connections", 64)) != (tool, conns):
                continue
            rows.append([size_name(s["size"]), s["proxy"], fmt(s["requests_per_s"]), ms(s["p50_us"]),
                         ms(s["p99_us"]), fmt(s["cpu_us_per_request"], 1),
                         ", ".join(fmt(x, 1) for x in s["cpu_us_per_request_all"]) if s["cpu_us_per_request"] is not None else "-",
                         f"{s['errors']} / {s['non_200']}"])
        lines += [f"### {tool}, {conns} connections", "",
                  table(["response", "proxy", "req/s", "p50 ms", "p99 ms", "CPU us/req", "CPU us/req, each run",
                         "errors / non-200"], rows), ""]
    rows = []
    for t in r["targets"]:
        if t.get("kind", "overhead") == "overhead" and "best_over_floor_us" in t:
            goal = (f"over floor {fmt(t['gateway_over_floor_us'], 1)} vs {fmt(t['best_over_floor_us'], 1)} "
                    f"= {t['overhead_ratio']}x (<= 0.5x)")
        else:
            goal = f"{t['ratio']}x the better (<= 0.8x)"
        rows.append([t.get("tool", "gwbench"), t.get("connections", 64), size_name(t["size"]),
                     fmt(t["gateway_cpu_us"], 1), f"{t['best_other']} {fmt(t['best_other_cpu_us'], 1)}",
                     fmt(t.get("floor_cpu_us"), 1), goal, "met" if t["met"] else "**missed**"])
    lines += ["### Issue 17 targets: CPU per request", "",
              "At 64 B and 16 KiB the gateway's CPU per request above the floor (the lower byte relay) at most "
              "half the better anchor's; at 256 KiB the gateway at most 0.8x the better anchor. Absolute CPU per "
              "request rises when the machine is busy (fewer events per epoll wake-up, shared caches), so "
              "compare the proxies within one load.", "",
              table(["load", "connections", "response", "gateway us/req", "better of HAProxy/nginx",
                     "floor us/req", "measure", "result"], rows), "",
              "![latency percentiles per proxy](results/proxy-latency.png)", "",
              "![CPU per request per proxy](results/proxy-cpu.png)", ""]
    return "\n".join(lines)


def sec_idle(r) -> str:
    if not r:
        return "## Idle keep-alive connections\n\nNot run.\n"
    rows = []
    for x in r["results"]:
        rows.append([x["proxy"], fmt(x["rss_before_kib"]), fmt(x["rss_idle_kib"]),
                     fmt(x["rss_after_close_kib"]), fmt(x["kib_per_connection"], 2),
                     fmt(x["bytes_per_connection"]),
                     fmt(x["connect_only"]["kib_per_connection"], 2) if "connect_only" in x else "-",
                     x["sampled_still_alive"]])
    t = r["target"]
    gwx = next(x for x in r["results"] if x["proxy"] == "gateway")
    return "\n".join([
        "## Resident memory per idle keep-alive connection", "",
        f"`idle-memory.py`. A fresh proxy serves one warm-up request; RSS (VmRSS; nginx: its worker) is read, "
        f"{r['connections']:,} client connections each do one GET (64 B) and stay open and idle; after "
        f"{r['settle_s']:g} s RSS is read again; then they are closed. Kernel socket memory is not in RSS. "
        f"\"still alive\": a sample of the idle connections does a second request afterwards.", "",
        table(["proxy", "RSS before KiB", f"RSS with {r['connections']:,} idle KiB", "RSS after close KiB",
               "KiB per connection", "bytes per connection", "KiB per connection, connect-only",
               "still alive"], rows), "",
        "connect-only: a second fresh process, the same number of connections that send nothing (the cost "
        "of an accepted connection before its first request).", "",
        f"Gateway pool buffers in use while the {gwx.get('gateway_connections', '?')} connections were idle: "
        f"{gwx.get('pool_buffers_used_while_idle', '?')} (the idle connections hold no buffer).", "",
        f"Issue 3 target: at most {t['kib_per_connection_max']} KiB per idle connection; the gateway uses "
        f"{fmt(t['gateway_kib_per_connection'], 2)} KiB: **{'met' if t['met'] else 'missed'}**"
        + ("" if t["met"] else f" ({t['gateway_kib_per_connection'] / t['kib_per_connection_max']:.1f}x the target)")
        + ".", ""])


def sec_tls(r) -> str:
    if not r:
        return "## TLS: gateway vs HAProxy vs nginx\n\nNot run.\n"
    names = ["gateway", "haproxy", "nginx"]
    hs_rows, kept_rows = [], []
    labels = {"full": "full, TLS 1.3", "resumed": "resumed, TLS 1.3", "full12": "full, TLS 1.2",
              "resumed12": "resumed, TLS 1.2"}
    for case, per in r["handshakes"].items():
        kind, _, how = case.partition("_")
        hs_rows.append([f"{kind.upper()} {labels.get(how, how)}"]
                       + [f"{fmt(per[n]['cpu_us_per_handshake'], 0)} us ({fmt(per[n]['handshakes_per_s'])}/s)"
                          + ("" if per[n]["all_ok"] else " (errors)") for n in names])
    for case, per in r["kept_alive"].items():
        kept_rows.append([size_name(int(case.split("_")[1]))]
                         + [f"{fmt(per[n]['cpu_us_per_request'], 1)}" + ("" if per[n]["all_ok"] else " (errors)")
                            for n in names])
    idle = r.get("idle", {})
    idle_rows = [[n, fmt(v["rss_before_kib"]), fmt(v["rss_idle_kib"]), fmt(v["kib_per_connection"], 2),
                  v["sampled_still_alive"]] for n, v in idle.items()]
    n_idle = next(iter(idle.values()), {}).get("connections", "?")
    return "\n".join([
        "## TLS: gateway vs HAProxy vs nginx", "",
        "`tls-compare.py`. The same self-signed certificate (ECDSA P-256, then RSA 2048) in all three, one "
        "worker/thread each, Debian's OpenSSL 3.0 in all three (nginx told `ssl_protocols TLSv1.2 TLSv1.3`: "
        "1.22's default has no TLS 1.3), the same origin. Handshakes: 16 gwbench connections, each doing one "
        "64 B request and closing (`-H 'Connection: close'`), full (`--no-resume`) or resumed by session ticket; "
        "CPU per handshake = the proxy's CPU over the run / handshakes, so it includes accepting the connection, "
        "the request and the close. Kept-alive: 64 connections, CPU per request. Medians of interleaved runs.", "",
        "### Handshakes (CPU per handshake, handshakes per second)", "",
        table(["case"] + names, hs_rows), "",
        "### Kept-alive TLS connections (ECDSA): CPU us per request", "",
        table(["response"] + names, kept_rows), "",
        f"### Resident memory per idle kept-alive TLS connection ({n_idle:,} from Python's ssl, one request each)"
        if isinstance(n_idle, int) else "### Resident memory per idle kept-alive TLS connection", "",
        table(["proxy", "RSS before KiB", "RSS idle KiB", "KiB per connection", "still alive"], idle_rows), "",
    ])


def sec_sweep(r) -> str:
    if not r:
        return "## Memory-limit sweep\n\nNot run.\n"
    ld = r["load"]
    rows = []
    for p in r["points"]:
        pool = p["pool"]
        rows.append([p["label"], fmt(p["requests_per_s"]), f"{p['throughput_vs_unbounded']:.3f}",
                     ms(p["latency_us"]["p50"]), ms(p["latency_us"]["p99"]), ms(p["latency_us"]["max"]),
                     fmt(p["rss_kib"]), fmt(p["rss_peak_kib"]), fmt(pool["buffers_high_water"]),
                     fmt(pool["waits"]), fmt(pool["resumes"]), fmt(pool["failed_resumes"]),
                     fmt(p["cpu_us_per_request"], 1),
                     ", ".join(fmt(x) for x in p.get("requests_per_s_all", [p["requests_per_s"]])),
                     f"{p.get('errors_all_runs', p['errors'].get('total', 0))}",
                     fmt(p.get("lone_request_after_ok_all_runs", p["lone_request_after_ok"]))])
    return "\n".join([
        "## Memory-limit sweep", "",
        f"`memory-sweep.py`. One gateway worker, {ld['buffer_size'] // 1024} KiB buffers, reserve "
        f"{ld['reserve']}; fixed load `gwbench load -c {ld['connections']} -t 1`, "
        f"{size_name(ld['response_bytes'])} responses, {ld['duration_s']:g} s per point after "
        f"{ld['warmup_s']:g} s warm-up, a fresh gateway per run, {ld.get('reps', 1)} interleaved repetitions "
        f"(the order rotating), the median run of each point shown. \"need\" = the pool's high-water mark "
        f"unbounded = **{r['need_buffers']} buffers**; the sweep goes down to a quarter of it and on to the "
        f"configured minimum `workers x (reserve + 1)`. Pool counters are deltas over the measured run "
        f"(high water: since start). \"lone ok\": a single request right after the run is served at once.", "",
        table(["buffers.limit", "req/s", "vs unbounded", "p50 ms", "p99 ms", "max ms", "RSS KiB",
               "peak RSS KiB", "high water", "waits", "resumes", "failed resumes", "CPU us/req",
               "req/s, each run", "errors (all runs)", "lone ok (all runs)"], rows), "",
        "![throughput and p99 against buffers.limit](results/memory-sweep.png)", ""])


def sec_wake(r) -> str:
    if not r:
        return "## Wake strategies\n\nNot run.\n"
    ld = r["load"]
    rows = []
    for s in r["summary"]:
        rows.append([f"`{s['wake']}`", fmt(s["requests_per_s"]),
                     ", ".join(fmt(x) for x in s["requests_per_s_all"]),
                     ms(s["p99_us"]), fmt(s["cpu_us_per_request"], 1), fmt(s["waits"]), fmt(s["resumes"]),
                     fmt(s["failed_resumes"]), f"{s['failed_resume_pct']:.2f} %",
                     fmt(s["resumes_per_successful_wait"], 4), f"{s['errors']}"])
    return "\n".join([
        "## Wake strategies", "",
        f"`wake-strategies.py`. Same contention for each `buffers.wake`: one worker, `limit = {ld['limit']}`, "
        f"reserve {ld['reserve']}, `gwbench load -c {ld['connections']} -t 1`, "
        f"{size_name(ld['response_bytes'])} responses, {ld['duration_s']:g} s per run, {ld['reps']} "
        f"interleaved repetitions, a fresh gateway per run; the median run (by req/s) is shown. "
        f"Resumes per successful wait = resumes / (resumes - failed resumes); 1.0 means no wasted wake-up.", "",
        table(["wake", "req/s (median)", "req/s, each run", "p99 ms", "CPU us/req", "waits", "resumes",
               "failed resumes", "failed / resumes", "resumes per successful wait", "errors"], rows), ""])


def sec_deadlock(r) -> str:
    if not r:
        return "## Deadlock torture\n\nNot run.\n"
    ld = r["load"]
    rows = []
    for x in r["cases"]:
        non200 = sum(v for k, v in x["status"].items() if k != "200")
        if x["proxy"] == "gateway":
            cfg = f"gateway, workers {x['workers']}, limit {x['limit']}, reserve 2"
            pool = x["pool"]
            extra = f"{fmt(pool['waits'])} / {fmt(pool['failed_resumes'])}"
            verdict = "served everything" if x["served_everything"] else "**did not serve everything**"
        else:
            cfg = f"HAProxy 2.6, `tune.buffers.limit {x['limit']}`, reserve {x['reserve']}"
            extra = "-"
            verdict = ("served" if x["requests"] > 0 and x["errors"].get("total", 0) == 0
                       else "**wedged**" if x["requests"] == 0 else "partly served")
        rows.append([cfg, x["mode"], fmt(x["requests"]), fmt(x["requests_per_s"]),
                     ms(x["latency_us"]["p99"]), f"{x['errors'].get('total', 0)} "
                     f"(timeout {x['errors'].get('timeout', 0)}, reset {x['errors'].get('reset', 0)})",
                     non200, extra, fmt(x["lone_request_after_ok"]), verdict])
    refused = "\n".join(f"- `buffers.reserve = {x['reserve']}`: `gateway --check` exits {x['exit_status']}: "
                        f"`{x['message']}`" for x in r["reserve_below_2"])
    return "\n".join([
        "## Deadlock torture (server maxconn 1, tiny pool)", "",
        f"`deadlock.py`. One server with `maxconn = 1`, {ld['clients']} concurrent keep-alive clients each "
        f"POSTing {ld['body_bytes'] // 1024} KiB bodies ({ld['body_bytes'] // ld['buffer_size']} buffers) to "
        f"the origin's `/echo` (the response is as long), `gwbench load --method POST --body-size "
        f"{ld['body_bytes']}`. For the gateway a counted run: every request must end as a 200.", "",
        table(["proxy / pool", "run", "responses", "req/s", "p99 ms", "errors", "non-200",
               "pool waits / failed resumes", "lone request after", "result"], rows), "",
        "reserve 0 cannot be configured: the config requires at least 2, so the wedge with reserve 0 is shown "
        f"in-process by `{r['reserve_0_wedge_shown_by'].split(' ')[0]}` (it forces `reserve = 0` on the loaded "
        "config, sees the 200 clients stall within its bound, and checks the gateway still shuts down cleanly).",
        "", refused, ""])


def sec_dns(r) -> str:
    if not r:
        return "## DNS changes followed under load\n\nNot run.\n"
    ld = r["load"]
    rows = [[", ".join(x["to"]), "-" if x["seen_after_s"] is None else f"{x['seen_after_s']:.2f}",
             fmt(x["requests_to_departed"])] for x in r["changes"]]
    seen = [x["seen_after_s"] for x in r["changes"] if x["seen_after_s"] is not None]
    return "\n".join([
        "## DNS changes followed under load", "",
        f"`dns-follow.py`. The backend is a name (`discover = \"all\"`, `min_ttl` 100 ms, `max_ttl` 1 s) that a "
        f"DNS responder of the script answers with TTL 1 s; three origins on 127.0.0.2-4, one port; "
        f"{r['workers']} workers. {ld['tool']} keeps {r['connections']} kept-alive connections busy while the "
        f"answer changes every {r['every_s']:g} s. \"Seen\" is how long the gateway's servers (`/api/servers`) took "
        f"to match the new answer; \"to departed\" counts requests that reached origins no longer in the answer, "
        f"from 0.2 s after that until the next change.", "",
        f"- requests: {fmt(ld['requests'])}, non-2xx: {fmt(ld.get('non_2xx', 0))}, socket errors: "
        f"{fmt(ld.get('socket_errors', 0))}; {len(r['changes'])} changes, all seen within "
        f"{max(seen) if seen else 0:.2f} s (the TTL); {fmt(r['dns_queries'])} DNS questions", "",
        table(["answer changed to", "seen after (s)", "requests to departed"], rows), ""])


def sec_reload(r) -> str:
    if not r:
        return "## Configuration reloads under load\n\nNot run.\n"
    ld = r["load"]
    ka, nc = ld["kept_alive"], ld["new_connection_per_request"]
    rss = r["rss"]
    rows = [[fmt(x["reloads"]), fmt(x["rss_kib"]), fmt(x["fds"]) if "fds" in x else "-"] for x in rss]
    return "\n".join([
        "## Configuration reloads under load", "",
        f"`reload-under-load.py`. 2 workers; each reload rewrites the file (the app backend's servers, weights, "
        f"balancing and timeouts change"
        + (", and a second listener is added on odd reloads and taken away on even ones" if "extra_listener_not_as_expected" in r else "")
        + f") and calls `POST /api/reload`. During {r['reloads_under_load']} reloads in a "
        f"row: wrk with 32 kept-alive connections, wrk with 4 connections sending `Connection: close` (a new "
        f"connection per request), and {ld['tunnels']} WebSocket tunnels (Upgrade to an echo server) exchanging "
        f"a message every 50 ms. Then {r['memory_reloads']} more reloads with the gateway's RSS (and open descriptors: "
        f"the first reading is taken while the load's connections are still closing) read along the way.", "",
        table(["load", "requests", "non-2xx", "socket errors"],
              [["kept-alive", fmt(ka["requests"]), fmt(ka["non_2xx"]), fmt(ka["socket_errors"])],
               ["new connection per request", fmt(nc["requests"]), fmt(nc["non_2xx"]), fmt(nc["socket_errors"])]]),
        "",
        f"- tunnels closed or broken: {ld['tunnels_broken']} of {ld['tunnels']} ({fmt(ld['tunnel_messages'])} "
        f"messages echoed)",
        f"- reload answers: {r['reload_statuses']}; time per reload p50 {r['reload_ms']['p50']} ms, "
        f"max {r['reload_ms']['max']} ms"]
        + ([f"- after each reload, the second listener answered (added) or refused connections (removed) as the "
            f"file said: {r['reloads_under_load'] - r['extra_listener_not_as_expected']} of {r['reloads_under_load']}"]
           if "extra_listener_not_as_expected" in r else [])
        + ["", table(["reloads done", "gateway RSS (KiB)", "open descriptors"], rows), ""])


def sec_policy(r) -> str:
    if not r:
        return "## What traffic policies cost\n\nNot run.\n"
    rows = [[k, f"{v['us_per_request']:.2f}", f"{v['vs_none']:.3f}", " ".join(f"{x:.2f}" for x in v["runs"]),
             fmt(v["errors"])] for k, v in r["variants"].items()]
    return "\n".join([
        "## What traffic policies cost", "",
        f"`policy-cost.py`. CPU microseconds per request of the gateway (one worker, pinned) at {r['size']} B "
        f"responses, gwbench with {r['connections']} kept-alive connections, each policy on the route every "
        f"request takes; the variants run in turn, {r['reps']} times (median shown). Five header rules: two "
        f"request fields set (one from `%{{client_address}}`), one added, one removed, one response field set.", "",
        table(["policy", "us/request (median)", "vs none", "runs", "errors"], rows), ""])


def sec_pool(r) -> str:
    if not r:
        return "## Idle server connections: the shipped pool against a fixed and a tuned one\n\nNot run.\n"
    rows = [[f"{x['connections']}", f"{fmt(x['size'])} B", x["variant"], f"{x['us_per_request']:.2f}",
             f"{x['vs_tuned']:.3f}", fmt(x["requests_per_s"]), fmt(x["server_connections_opened"]), fmt(x["errors"])]
            for x in sorted(r["rows"], key=lambda x: (x["connections"], x["size"], x["variant"]))]
    return "\n".join([
        "## Idle server connections: the shipped pool against a fixed and a tuned one", "",
        f"`pool-defaults.py`. The gateway (one worker) with its shipped idle server pool (sized by demand, "
        f"`keepalive_timeout` 10 s), with the old fixed default (`keepalive_pool = 32`) and tuned by hand "
        f"(`keepalive_pool = 1024`), under {r['load']}, {r['seconds']} s per run, {r['reps']} repetitions "
        f"(median shown). CPU microseconds per request of the gateway; server connections opened during a "
        f"measured run (a pool smaller than the load opens and closes them all the time).", "",
        table(["clients", "size", "pool", "us/request", "vs tuned", "req/s", "server connections opened", "errors"],
              rows), ""])


def sec_flood(r) -> str:
    if not r:
        return "## The per-client table under a flood of addresses\n\nNot run.\n"
    rows = [[f"{r.get('waves', 1)} x {fmt(r['flood'])}", f"{r['connections_per_s']}", fmt(r["failed"]),
             fmt(r["rss_before_kib"]), fmt(r["rss_after_kib"]), fmt(r.get("rss_after_second_kib", r["rss_after_kib"])),
             fmt(r["rss_growth_kib"]), f"{fmt(r['table_entries'])} / {fmt(r['table_capacity'])}",
             fmt(r["evictions"]), fmt(r["untracked"]), "yes" if r["held_client_still_followed"] else "NO"]]
    return "\n".join([
        "## The per-client table under a flood of addresses", "",
        "`client-flood.py`. One worker; the listener takes the PROXY protocol and limits each client (rate "
        "100/s, one connection); every connection comes from an address of its own (a PROXY v2 header, one "
        "request, close), four client threads, two waves of 100,000 addresses each (the second's all new). The table is `global.client_table_size` (65,536) entries of "
        "48 bytes, so it can grow resident memory by 3 MiB at most; a client holding its connection through "
        "the flood must still be followed (its second connection refused).", "",
        table(["addresses", "conn/s", "failed", "RSS before (KiB)", "after wave 1", "after wave 2", "growth (KiB)",
               "table entries / size", "evictions", "untracked", "held client still followed"], rows), ""])


PROXY_TITLES = {"gateway": "gateway", "haproxy": "HAProxy", "nginx": "nginx"}


def outcomes(vectors: list[dict]) -> str:
    """pass / lenient / unsafe as one table cell, unsafe in bold when there is any."""
    n = {k: sum(1 for v in vectors if v["outcome"] == k) for k in ("pass", "lenient", "unsafe")}
    return f"{n['pass']} / {n['lenient']} / " + (f"**{n['unsafe']}**" if n["unsafe"] else "0")


def visible(text: str) -> str:
    """Control bytes (the corpus sends them on purpose) as \\xNN, so RESULTS.md stays text."""
    return "".join(f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or ord(ch) == 0x7f else ch for ch in text)


def code(text: str) -> str:
    """A Markdown code span: names and details hold `*`, `_` and brackets that plain
    text would render as emphasis or links; a single backtick inside gets a double fence."""
    text = visible(text)
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"


def run_line(r) -> str:
    """Where and from what this run came: it may be another machine and commit than the
    header's (run-all.sh --only), and the binaries may be older than their sources."""
    m, meta = r["machine"], r["meta"]
    stale = m.get("stale_sources", []) + meta.get("gwcorpus_stale_sources", [])
    return (f"Run {m.get('date', '?')} on {m.get('nproc', '?')} CPUs ({m.get('cpu_model', '?')}, Linux "
            f"{m.get('kernel', '?')}), git commit {m.get('git_commit', '?')}; gateway linked "
            f"{m.get('gateway_built', '?')}, gwcorpus linked {meta.get('gwcorpus_built', '?')}"
            + (f"; sources newer than the binaries: {', '.join(sorted(set(stale)))}" if stale else "")
            + f"; 1-minute load average {m.get('loadavg_1m_at_start', 0):.2f} -> {r.get('loadavg_1m_at_end', 0):.2f}.")


def sec_smuggling(r) -> str:
    if not r:
        return "## Request smuggling corpus\n\nNot run.\n"
    meta, res = r["meta"], r["proxies"]
    names = [n for n in PROXY_TITLES if n in res]
    cats = list(dict.fromkeys(v["category"] for n in names for v in res[n]))  # corpus order
    rows = []
    for cat in cats:
        per = {n: [v for v in res[n] if v["category"] == cat] for n in names}
        rows.append([cat, len(per[names[0]])] + [outcomes(per[n]) for n in names])
    rows.append(["**all**", len(res[names[0]])] + [outcomes(res[n]) for n in names])
    v = meta["versions"]
    lines = [
        "## Request smuggling: the attack corpus through gateway, HAProxy and nginx", "",
        f"`smuggling.py`. `gwcorpus` (bench/corpus) sends each of the {meta['vectors']} vectors through one "
        "proxy at a time, in front of a fresh strict observer origin: request vectors (what a client "
        "sends: CL/TE conflicts, malformed chunking, odd whitespace and bytes, pipelining, ...) and "
        "response vectors (what a misbehaving server answers, then probes on the same and on a new "
        "connection). **pass**: the preferred outcome (served exactly, or refused); **lenient**: safe but "
        "not preferred (e.g. a lenient reading forwarded, or a probe refused); **unsafe**: the origin saw a "
        "request the client did not mean, or responses and requests no longer match one for one. "
        "Cells are pass / lenient / unsafe; a category can hold both request and response vectors "
        "(as in gwcorpus's own table)."
        + (f" **Subset only**: vectors whose name starts with `{meta['only']}`." if meta.get("only") else ""),
        "",
        "Each proxy runs with its defaults plus what forwarding to one origin needs: "
        + "; ".join(f"{PROXY_TITLES[n]}: {meta['settings'][n]}" for n in names)
        + f". {v['gateway']}; {v['haproxy']}; {v['nginx']}.", "",
        run_line(r), "",
        table(["category", "vectors"] + [PROXY_TITLES[n] for n in names], rows), "",
        "### Unsafe vectors", ""]
    for n in names:
        bad = [x for x in res[n] if x["outcome"] == "unsafe"]
        lines.append(f"{PROXY_TITLES[n]}: " + ("none." if not bad else f"{len(bad)}."))
        lines += [f"- {x['category']} / {code(x['name'])}: {code(x['detail'])}" for x in bad]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# plots


def gnuplot(script: str) -> None:
    if not shutil.which("gnuplot"):
        print("gnuplot missing: no plots (apt-get install gnuplot-nox)")
        return
    subprocess.run(["gnuplot"], input=script, text=True, check=True, timeout=60)


def plots(d: Path, sweep, proxy) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-plot-"))
    try:
        if sweep:
            dat = tmp / "sweep.dat"
            with dat.open("w") as f:
                for i, p in enumerate(sweep["points"]):
                    lab = "unbounded" if p["limit"] == 0 else str(p["limit"])
                    f.write(f"{i} \"{lab}\" {p['requests_per_s']} {p['latency_us']['p99'] / 1000}\n")
            gnuplot(f"""
set terminal pngcairo size 900,500 font ",10"
set output "{d / 'memory-sweep.png'}"
set title "Gateway under a memory limit ({sweep['load']['connections']} connections, {size_name(sweep['load']['response_bytes'])} responses, 1 worker)"
set xlabel "buffers.limit (16 KiB buffers; load needs {sweep['need_buffers']})"
set ylabel "requests/s"
set y2label "p99 latency (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid ytics
set key bottom left
plot "{dat}" using 1:3:xtic(2) with linespoints lw 2 pt 7 title "requests/s", \\
     "{dat}" using 1:4 axes x1y2 with linespoints lw 2 pt 5 dt 2 title "p99 (ms)"
""")
        # (the pinned gwbench load at 64 connections)
        psum = [x for x in (proxy or {}).get("summary", [])
                if (x.get("tool", "gwbench"), x.get("connections", 64)) == ("gwbench", 64)]
        if psum:
            sizes = sorted({s["size"] for s in psum})
            names = [n for n in ("gateway", "haproxy", "nginx", "byte-relay", "byte-relay-splice", "direct")
                     if any(s["proxy"] == n for s in psum)]
            parts = []
            for size in sizes:
                dat = tmp / f"lat{size}.dat"
                with dat.open("w") as f:
                    for key, lab in (("p50_us", "p50"), ("p90_us", "p90"), ("p99_us", "p99"), ("p99_9_us", "p99.9")):
                        row = {s["proxy"]: s[key] for s in psum if s["size"] == size}
                        f.write(lab + " " + " ".join(str(row[n] / 1000) for n in names) + "\n")
                cols = ", ".join(f"'' using {i + 2} title '{n}'" if i else f"'{dat}' using 2:xtic(1) title '{n}'"
                                 for i, n in enumerate(names))
                parts.append(f"set title '{size_name(size)} responses'\nplot {cols}\n")
            gnuplot(f"""
set terminal pngcairo size 1400,450 font ",10"
set output "{d / 'proxy-latency.png'}"
set multiplot layout 1,{len(sizes)} title "Latency percentiles per proxy (64 connections, closed loop, ms, log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "ms"
set grid ytics
set key top left
""" + "".join(parts) + "unset multiplot\n")
            dat = tmp / "cpu.dat"
            pnames = [n for n in names if n != "direct"]
            with dat.open("w") as f:
                for size in sizes:
                    row = {s["proxy"]: s["cpu_us_per_request"] for s in psum if s["size"] == size}
                    f.write(f"\"{size_name(size)}\" " + " ".join(str(row[n]) for n in pnames) + "\n")
            cols = ", ".join(f"'' using {i + 2} title '{n}'" if i else f"'{dat}' using 2:xtic(1) title '{n}'"
                             for i, n in enumerate(pnames))
            gnuplot(f"""
set terminal pngcairo size 800,450 font ",10"
set output "{d / 'proxy-cpu.png'}"
set title "CPU microseconds per request of the proxy process (one worker/thread)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "us per request (log)"
set grid ytics
set key top left
plot {cols}
""")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=str(REPO / "bench" / "results"))
    ap.add_argument("--markdown", default=str(REPO / "bench" / "RESULTS.md"))
    a = ap.parse_args()
    d = Path(a.results)
    meta = load(d, "run-meta") or {}
    sweep, wake, dead, proxy, idle, smug, tls, dns, rel, pol, flood, pool = (
        load(d, n) for n in ("memory-sweep", "wake-strategies", "deadlock", "proxy-compare", "idle-memory",
                             "smuggling", "tls-compare", "dns-follow", "reload-under-load", "policy-cost",
                             "client-flood", "pool-defaults"))
    plots(d, sweep, proxy)
    any_r = next((x for x in (proxy, idle, sweep, wake, dead, smug, tls, dns, rel, pol, flood, pool) if x), None)
    m = (any_r or {}).get("machine", {})
    runs = [x for x in (proxy, idle, sweep, wake, dead, smug, tls, dns, rel, pol, flood, pool) if x]
    loads = ", ".join(f"{x['scenario']} {x['machine']['loadavg_1m_at_start']:.2f} -> {x['loadavg_1m_at_end']:.2f}"
                      for x in runs)
    quick = any(x.get("quick") for x in runs)
    waited = meta.get("load_wait", {})
    wait_line = ""
    if waited:
        if waited.get("gave_up"):
            wait_line = (f"- **The machine never got quiet**: after waiting {waited.get('waited_s', 0)} s the 1-minute "
                         f"load average was still {waited.get('loadavg_1m')} (threshold {waited.get('threshold')}); "
                         f"the run went ahead anyway, so absolute throughput is depressed and noisy. Ratios between "
                         f"proxies measured in interleaved runs, and CPU per request, are the more reliable numbers.")
        else:
            wait_line = (f"- waited {waited.get('waited_s', 0)} s for the 1-minute load average to drop below "
                         f"{waited.get('threshold')}; it was {waited.get('loadavg_1m')} when the run started.")
    head = [
        "# Benchmark results",
        "",
        "Generated by `bench/scenarios/run-all.sh` (scripts in `bench/scenarios/`, raw numbers in "
        "`bench/results/*.json`); do not edit by hand, re-run the script.",
        "",
        f"- machine: {m.get('nproc', '?')} CPUs (`nproc`), {m.get('cpu_model', '?')}, Linux {m.get('kernel', '?')}",
        f"- date: {m.get('date', '?')}; git commit {m.get('git_commit', '?')}"
        + (f" (last commit touching the gateway, pool, config and gwbench sources: {m['source_commit']})"
           if m.get("source_commit") else "")
        + (f"; build `{meta['build_dir']}`" if meta.get("build_dir") else ""),
        f"- gateway binary linked {m.get('gateway_built', '?')}"
        + (f"; **stale build: {len(m['stale_sources'])} source files were newer than the binary** "
           f"({', '.join(m['stale_sources'][:5])})" if m.get("stale_sources") else
           "; no gateway/pool/config/gwbench source was newer than the binary"),
        "- pinning: " + ("the proxy under test on CPU 0 (`taskset -c 0`), gwbench and the origin on CPU 1"
                         if m.get("pinned") else "none"),
        f"- 1-minute load average at start -> end of each scenario: {loads}",
    ]
    if wait_line:
        head.append(wait_line)
    if quick:
        head.append("- **QUICK MODE** (`--quick`): short smoke-test runs; these numbers are not measurements.")
    others = [x for x in runs if x["machine"].get("source_commit") != m.get("source_commit")]
    if others:
        # `run-all.sh --only` re-ran some scenarios: say which numbers measured other sources.
        head.append("- re-run with `--only`: " + "; ".join(
            f"{x['scenario']} is from {x['machine'].get('date', '?')}, sources at "
            f"{x['machine'].get('source_commit', '?')}" for x in others))
    head += ["- The machine is shared (other engineers compile on it); every number of a scenario comes "
             "from one run of it, loopback only.", ""]
    body = [sec_proxy(proxy), sec_idle(idle), sec_tls(tls), sec_sweep(sweep), sec_wake(wake),
            sec_deadlock(dead), sec_smuggling(smug), sec_dns(dns), sec_reload(rel), sec_policy(pol), sec_flood(flood), sec_pool(pool)]
    Path(a.markdown).write_text("\n".join(head) + "\n" + "\n".join(body))
    print(f"wrote {a.markdown}")


if __name__ == "__main__":
    main()
