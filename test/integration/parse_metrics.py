#!/usr/bin/python3
"""Parses Prometheus text on stdin with the reference parser (python3-prometheus-client)
and prints one sample per line: name TAB sorted labels TAB value. Exit 1 if it fails."""
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            print(f"{sample.name}\t{labels}\t{sample.value:.17g}")
except Exception as e:  # any parse error is a test failure
    print(f"parse error: {e}", file=sys.stderr)
    sys.exit(1)
