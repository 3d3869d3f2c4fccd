#!/usr/bin/env python3
"""Writes deploy/grafana/gateway-dashboard.json: a Grafana dashboard over the
gateway's Prometheus metrics (traffic and status classes per listener and
backend, latency percentiles, servers up/ready/ejected, active exchanges, queue
and queue timeouts, retries, the buffer pool, connections, client policy
refusals, TLS, bytes). Import it in Grafana (Dashboards > Import) and pick the
Prometheus data source. The observability test checks that every metric it
names exists in /metrics.

    python3 scripts/make-dashboard.py
"""
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "deploy" / "grafana" / "gateway-dashboard.json"
panels = []
def panel(title, exprs, unit="short", kind="timeseries", w=12, h=8, desc=""):
    pid = len(panels) + 1
    x = 0 if (sum(p["gridPos"]["w"] for p in panels) % 24) == 0 else 12
    y = sum(p["gridPos"]["h"] for p in panels if p["gridPos"]["x"] == 0) if x == 0 else panels[-1]["gridPos"]["y"]
    panels.append({
        "id": pid, "type": kind, "title": title, "description": desc,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]}}
        if kind == "timeseries" else {},
        "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l} for i, (e, l) in enumerate(exprs)],
    })
panel("Requests per second, by listener", [('sum by (listener) (rate(gateway_requests_total{instance=~"$instance"}[$__rate_interval]))', "{{listener}}")], "reqps")
panel("Responses by status class, by listener", [('sum by (listener, code) (rate(gateway_responses_total{instance=~"$instance"}[$__rate_interval]))', "{{listener}} {{code}}")], "reqps")
panel("Latency percentiles (request start to response end)", [
    ('histogram_quantile(0.5, sum by (le) (rate(gateway_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))', "p50"),
    ('histogram_quantile(0.9, sum by (le) (rate(gateway_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))', "p90"),
    ('histogram_quantile(0.99, sum by (le) (rate(gateway_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))', "p99")], "s")
panel("Backend responses by status class", [('sum by (backend, code) (rate(gateway_backend_responses_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} {{code}}")], "reqps")
panel("Servers up (health checks), ready, ejected", [
    ('sum by (backend) (gateway_server_up{instance=~"$instance"})', "{{backend}} up"),
    ('sum by (backend) (gateway_server_ready{instance=~"$instance"})', "{{backend}} ready"),
    ('sum by (backend) (gateway_server_ejected{instance=~"$instance"})', "{{backend}} ejected")], "short")
panel("Active exchanges per server", [('gateway_server_active{instance=~"$instance"}', "{{backend}}/{{server}}")], "short")
panel("Queue length and queue timeouts", [
    ('sum by (backend) (gateway_backend_queue_length{instance=~"$instance"})', "{{backend}} queued"),
    ('sum by (backend) (rate(gateway_backend_queue_timeouts_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} timeouts/s")], "short")
panel("Retries and connect failures", [
    ('sum by (backend) (rate(gateway_backend_request_retries_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} request retries/s"),
    ('sum by (backend) (rate(gateway_backend_retries_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} connect retries/s"),
    ('sum by (backend) (rate(gateway_server_connect_failures_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} connect failures/s")], "short")
panel("Server connections: idle kept, opened, closed idle", [
    ('sum by (backend) (gateway_backend_idle_connections{instance=~"$instance"})', "{{backend}} idle"),
    ('sum by (backend) (rate(gateway_server_connections_opened_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} opened/s"),
    ('sum by (backend) (rate(gateway_backend_idle_closed_total{instance=~"$instance"}[$__rate_interval]))', "{{backend}} closed idle/s")], "short")
panel("Buffer pool: used, free, limit", [
    ('sum(gateway_pool_buffers_used{instance=~"$instance"})', "used"),
    ('sum(gateway_pool_buffers_free{instance=~"$instance"})', "free"),
    ('sum(gateway_pool_buffers_limit{instance=~"$instance"})', "limit (0 = unbounded)"),
    ('sum(gateway_pool_buffers_reserve{instance=~"$instance"})', "reserve")], "short")
panel("Buffer pool: waiters by class, reserve use, failed resumes", [
    ('sum by (class) (gateway_pool_waiters{instance=~"$instance"})', "waiters {{class}}"),
    ('sum(rate(gateway_pool_reserve_acquires_total{instance=~"$instance"}[$__rate_interval]))', "reserve acquires/s"),
    ('sum(rate(gateway_pool_failed_resumes_total{instance=~"$instance"}[$__rate_interval]))', "failed resumes/s")], "short")
panel("Connections: open, parked", [
    ('sum by (listener) (gateway_connections{instance=~"$instance"})', "{{listener}} open"),
    ('sum(gateway_connections_parked{instance=~"$instance"})', "parked")], "short")
panel("Client policy refusals", [('sum by (listener, reason) (rate(gateway_client_refusals_total{instance=~"$instance"}[$__rate_interval]))', "{{listener}} {{reason}}")], "reqps")
panel("TLS handshakes and failures", [
    ('sum by (listener, resumed) (rate(gateway_tls_handshakes_total{instance=~"$instance"}[$__rate_interval]))', "{{listener}} resumed={{resumed}}"),
    ('sum by (listener, reason) (rate(gateway_tls_handshake_failures_total{instance=~"$instance"}[$__rate_interval]))', "{{listener}} failed: {{reason}}")], "short")
panel("Bytes per second", [
    ('sum(rate(gateway_received_bytes_total{instance=~"$instance"}[$__rate_interval]))', "from clients"),
    ('sum(rate(gateway_sent_bytes_total{instance=~"$instance"}[$__rate_interval]))', "to clients"),
    ('sum(rate(gateway_spliced_bytes_total{instance=~"$instance"}[$__rate_interval]))', "spliced")], "Bps")
dash = {
    "title": "gateway", "uid": "gateway-overview", "schemaVersion": 39, "version": 1, "editable": True,
    "tags": ["gateway", "reverse-proxy"], "time": {"from": "now-1h", "to": "now"}, "refresh": "30s",
    "description": "Traffic, latency, servers, queue and the buffer pool of the gateway (its /metrics). Made by scripts/make-dashboard.py.",
    "templating": {"list": [
        {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"},
        {"name": "instance", "type": "query", "label": "instance", "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "query": "label_values(gateway_workers, instance)", "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2},
    ]},
    "panels": panels,
}
OUT.write_text(json.dumps(dash, indent=2) + "\n")
print(f"wrote {OUT}")
