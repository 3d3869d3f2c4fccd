#!/usr/bin/env bash
# Runs every benchmark scenario once, then regenerates bench/RESULTS.md and the PNG
# plots in bench/results/.
#
#   bench/scenarios/run-all.sh [--build-dir DIR] [--quick] [--no-pin] [--no-wait]
#                              [--out DIR] [--only "name ..."]
#
#   --build-dir DIR  build tree with gateway/gateway, bench/gwbench and bench/gwcorpus
#                    (default build/release)
#   --quick          short runs to smoke-test the scripts (about 1 minute, plus 5 for
#                    smuggling, which always runs the whole corpus); the results go to
#                    /tmp/gwbench-quick/ unless --out says otherwise, so a quick run
#                    never overwrites the committed numbers
#   --no-pin         do not pin (default: proxy on CPU 0, gwbench + origin on CPU 1)
#   --no-wait        do not wait for a quiet machine (a full run waits until the 1-minute
#                    load average is below 0.7, polling every 20 s, at most 15 minutes)
#   --out DIR        where the JSON and PNG files go (RESULTS.md goes next to DIR's parent
#                    when DIR is bench/results, else into DIR)
#   --only "a b"     run only these scenarios (proxy-compare idle-memory tls-compare
#                    memory-sweep wake-strategies deadlock smuggling dns-follow reload-under-load policy-cost
#                    client-flood pool-defaults); the report uses whatever JSON
#                    is there
#
# Everything runs on 127.0.0.1, on free ports, bounded in time; the scenario scripts
# kill what they start. A full run takes about 20 minutes (plus the wait).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build_dir="build/release"
quick=0
pin=1
wait_quiet=1
out=""
only="proxy-compare idle-memory tls-compare memory-sweep wake-strategies deadlock smuggling dns-follow reload-under-load policy-cost client-flood pool-defaults"
threshold=0.7
max_wait=900

while [ $# -gt 0 ]; do
    case "$1" in
        --build-dir) build_dir="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        --no-pin) pin=0; shift ;;
        --no-wait) wait_quiet=0; shift ;;
        --out) out="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

case "$build_dir" in /*) ;; *) build_dir="$repo/$build_dir" ;; esac
for exe in "$build_dir/gateway/gateway" "$build_dir/bench/gwbench"; do
    [ -x "$exe" ] || { echo "run-all.sh: missing $exe; build it first (bench/README.md)" >&2; exit 2; }
done

if [ -z "$out" ]; then
    if [ "$quick" = 1 ]; then out=/tmp/gwbench-quick/results; else out="$repo/bench/results"; fi
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ "$out" = "$repo/bench/results" ]; then markdown="$repo/bench/RESULTS.md"; else markdown="$out/RESULTS.md"; fi

current=""
cleanup() {
    # the scenario scripts kill their own processes on SIGTERM; only our child here
    if [ -n "$current" ] && kill -0 "$current" 2>/dev/null; then
        kill -TERM "$current" 2>/dev/null || true
        wait "$current" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# tools: gnuplot for the plots; the proxy scenarios install haproxy, nginx and wrk
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "installing gnuplot-nox" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >/dev/null
fi

load1() { cut -d' ' -f1 /proc/loadavg; }
waited=0
gave_up=false
if [ "$quick" = 0 ] && [ "$wait_quiet" = 1 ]; then
    while awk -v l="$(load1)" -v t="$threshold" 'BEGIN { exit !(l >= t) }'; do
        if [ "$waited" -ge "$max_wait" ]; then
            gave_up=true
            echo "load average still $(load1) after ${waited} s: running anyway (noted in RESULTS.md)" >&2
            break
        fi
        echo "waiting for a quiet machine: 1-minute load average $(load1) >= $threshold (${waited} s so far)" >&2
        sleep 20 & current=$!; wait "$current"; current=""
        waited=$((waited + 20))
    done
fi
start_load="$(load1)"

args=(--build-dir "$build_dir" --out "$out")
[ "$quick" = 1 ] && args+=(--quick)
[ "$pin" = 0 ] && args+=(--no-pin)

failed=()
for s in $only; do
    script="$here/$s.py"
    [ -f "$script" ] || { echo "run-all.sh: no scenario $s" >&2; exit 2; }
    echo "=== $s ===" >&2
    # each scenario bounds its own runs; this is a last-resort bound
    timeout --signal=TERM --kill-after=30 1800 python3 "$script" "${args[@]}" &
    current=$!
    if wait "$current"; then :; else failed+=("$s"); echo "run-all.sh: $s failed" >&2; fi
    current=""
done

python3 - "$out/run-meta.json" "$build_dir" "$threshold" "$waited" "$gave_up" "$start_load" "$quick" <<'EOF'
import json, sys
path, build, thr, waited, gave_up, load, quick = sys.argv[1:]
json.dump({"build_dir": build.replace(__import__("os").getcwd() + "/", ""),
           "quick": quick == "1",
           "load_wait": None if quick == "1" else
               {"threshold": float(thr), "waited_s": int(waited), "gave_up": gave_up == "true",
                "loadavg_1m": float(load)}}, open(path, "w"), indent=1)
EOF
python3 "$here/report.py" --results "$out" --markdown "$markdown"

if [ ${#failed[@]} -gt 0 ]; then
    echo "run-all.sh: failed scenarios: ${failed[*]}" >&2
    exit 1
fi
echo "results: $out, report: $markdown" >&2
