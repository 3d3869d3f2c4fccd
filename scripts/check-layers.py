#!/usr/bin/env python3
"""Checks the include rules between the folders of gateway/ (issue 13; the
layering of ../shared/DESIGN.md section 8). Each folder may include only the
folders its rule names; a few includes that the refactoring has not removed yet
are listed in scripts/layers-allowlist.txt, and the check fails both on a new
violation and on an allowlisted one that is gone (so the list only shrinks).

    python3 scripts/check-layers.py [REPO]          # exit 1 and one line per problem
    python3 scripts/check-layers.py --graph [REPO]  # the folder dependencies in use
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

# folder -> folders of gateway/ it may include (itself always)
ALLOWED = {
    "http1": set(),
    "tls": set(),
    "io": set(),
    "policy": set(),
    "relay": {"io", "http1"},
    "upstream": {"io", "http1", "observe", "tls", "policy"},
    "observe": {"io"},
    "proxy": {"io", "http1", "relay", "upstream", "observe", "tls", "policy"},
    "app": {"io", "http1", "relay", "upstream", "observe", "proxy", "tls", "policy"},
}
# Headers a folder may not include at all, whatever the folder rule says.
FORBIDDEN_SYSTEM = {
    "http1": re.compile(r"boost/asio/(?!buffer)"),  # no I/O objects (Beast's buffers are fine)
    "io": re.compile(r"boost/beast/http"),           # bytes only, no HTTP
    "tls": re.compile(r"boost/asio|boost/beast"),   # contexts only, no I/O
    "policy": re.compile(r"boost/asio|boost/beast"),  # addresses and counts, no I/O
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def violations(repo: Path) -> list[str]:
    out = []
    root = repo / "gateway"
    for f in sorted(root.rglob("*.[ch]pp")):
        rel = f.relative_to(root)
        if len(rel.parts) < 2:
            continue  # main.cpp: the process, may include anything
        folder = rel.parts[0]
        may = ALLOWED.get(folder)
        if may is None:
            out.append(f"gateway/{rel}: folder {folder}/ has no rule in scripts/check-layers.py")
            continue
        for inc in INCLUDE.findall(f.read_text()):
            parts = inc.split("/")
            if parts[0] == "gateway" and len(parts) >= 3:
                other = parts[1]
                # (Only app/ may include app/: nothing below it knows the worker.)
                if other != folder and other not in may:
                    out.append(f"gateway/{rel} -> {inc}")
            elif folder in FORBIDDEN_SYSTEM and FORBIDDEN_SYSTEM[folder].search(inc):
                out.append(f"gateway/{rel} -> {inc}")
    return out


def graph(repo: Path) -> str:
    """Which folder includes which, with the number of includes, as text."""
    edges: dict[tuple[str, str], int] = {}
    root = repo / "gateway"
    for f in sorted(root.rglob("*.[ch]pp")):
        rel = f.relative_to(root)
        folder = rel.parts[0] if len(rel.parts) >= 2 else "main.cpp"
        for inc in INCLUDE.findall(f.read_text()):
            parts = inc.split("/")
            if parts[0] == "gateway" and len(parts) >= 3 and parts[1] != folder:
                edges[(folder, parts[1])] = edges.get((folder, parts[1]), 0) + 1
    order = ["main.cpp", "app", "proxy", "observe", "upstream", "relay", "tls", "io", "http1"]
    lines = []
    for a in order:
        outs = [f"{b} ({edges[(a, b)]})" for b in order if (a, b) in edges]
        lines.append(f"{a:9s} -> " + (", ".join(outs) if outs else "(nothing of gateway/)"))
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--graph":
        repo = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent
        print(graph(repo))
        return 0
    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    allow_file = repo / "scripts" / "layers-allowlist.txt"
    allowed = {l.strip() for l in allow_file.read_text().splitlines()
               if l.strip() and not l.startswith("#")}
    found = set(violations(repo))
    bad = sorted(found - allowed)
    gone = sorted(allowed - found)
    for v in bad:
        print(f"layer violation: {v}")
    for v in gone:
        print(f"allowlisted but gone (remove it from scripts/layers-allowlist.txt): {v}")
    print(f"check-layers: {len(found)} allowlisted exceptions, {len(bad)} new, {len(gone)} stale")
    return 1 if bad or gone else 0


if __name__ == "__main__":
    sys.exit(main())
