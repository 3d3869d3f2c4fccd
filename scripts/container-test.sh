#!/usr/bin/env bash
# The container test: builds the image of docker/Dockerfile with Podman and runs it
# for real on this machine, all on 127.0.0.1 (host networking):
#
#   1. installs what is missing (scripts/install-container-deps.sh);
#   2. makes the Debian base images locally (debootstrap from the host's Debian
#      mirror, imported as docker.io/library/debian:bookworm and :bookworm-slim; the
#      tarballs are cached under /var/cache/gateway-container), so the Dockerfile
#      builds unchanged with --pull=never;
#   3. builds the image (the build time and the image size are printed);
#   4. starts an origin (gwbench origin, from the image) and the gateway container
#      with test/container/gateway-test.toml.in mounted over its config, on free
#      loopback ports;
#   5. checks answers through it (status and body bytes), the admin endpoints, that
#      the image's HEALTHCHECK turns healthy, and that SIGTERM (podman stop, the
#      image's STOPSIGNAL) lets a slow request in flight finish with 200 and the
#      container exit 0;
#   6. removes its containers (trap), whatever happened.
#
# The last line is `container: N passed, M failed`; the exit status is non-zero
# when any check failed. Every wait is bounded.
#
# Environment:
#   GW_IMAGE=localhost/gateway:test   tag of the image built
#   GW_BUILD_JOBS=1                   compile jobs inside the image build ("" = all cores)
#   GW_DEBIAN_MIRROR=URL              mirror for debootstrap (default: the host's apt source)
#   GW_CONTAINER_CACHE=/var/cache/gateway-container   where the base tarballs are kept
#   GW_REBUILD_BASE=1                 make the base images again (ignore the cache)
#   GW_BUILD_NO_CACHE=1               build the image without podman's layer cache
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

image=${GW_IMAGE:-localhost/gateway:test}
jobs=${GW_BUILD_JOBS-1}
cache_dir=${GW_CONTAINER_CACHE:-/var/cache/gateway-container}

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
summary() { echo "container: ${passed} passed, ${failed} failed"; }
die() { # a step the rest cannot go on without
  bad "$*"
  summary
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- 1. dependencies
echo "=== container: dependencies"
bash scripts/install-container-deps.sh

# crun fails on this host's cgroup layout; the default ulimits exceed what root may
# set here: use runc, cgroupfs, and the host's hard nofile limit.
nofile=$(ulimit -Hn)
[[ $nofile == unlimited ]] && nofile=1048576
ulimits=(--ulimit "nofile=${nofile}:${nofile}" --ulimit nproc=4096:4096)
pm() { podman --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }

# ---------------------------------------------------------------- 2. base images
# The Debian mirror the host's apt uses for bookworm (deb822 .sources or one-line).
debian_mirror() {
  if [[ -n ${GW_DEBIAN_MIRROR:-} ]]; then
    echo "$GW_DEBIAN_MIRROR"
    return
  fi
  local f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk '
      /^[ \t]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
      /^URIs:/   { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
      END        { if (u != "" && s) print u }' "$f" | head -n 1)
    [[ -n $uri ]] && break
  done
  if [[ -z $uri ]]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i + 1) == "bookworm") print $i; break } }' |
      head -n 1)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# debian:bookworm = debootstrap's minbase as it is (the build stage). debian:bookworm-slim
# = the same, trimmed the way the official slim image is (no docs, man pages or
# locales, and dpkg told to keep them out of later installs), so that the size measured
# here is close to what the official base gives.
prepare_base() {
  local full=$cache_dir/bookworm-minbase.tar slim=$cache_dir/bookworm-slim.tar
  if [[ -z ${GW_REBUILD_BASE:-} ]] &&
    pm image exists docker.io/library/debian:bookworm &&
    pm image exists docker.io/library/debian:bookworm-slim; then
    echo "base images present"
    return
  fi
  if [[ -n ${GW_REBUILD_BASE:-} || ! -s $full || ! -s $slim ]]; then
    local mirror root t0
    mirror=$(debian_mirror)
    mkdir -p "$cache_dir"
    root=$(mktemp -d /var/tmp/gw-bookworm.XXXXXX)
    t0=$(now)
    echo "debootstrap --variant=minbase bookworm from ${mirror}"
    if ! timeout 900 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache_dir/debootstrap.log" 2>&1; then
      tail -n 20 "$cache_dir/debootstrap.log"
      rm -rf "$root"
      die "debootstrap failed (log: $cache_dir/debootstrap.log)"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar --numeric-owner -C "$root" -cf "$full.tmp" . && mv "$full.tmp" "$full"
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
    rm -rf "$root"/usr/share/{man,groff,info,lintian,linda,locale}/* "$root"/var/cache/apt/*.bin \
      "$root"/var/log/*.log "$root"/var/log/apt/*
    tar --numeric-owner -C "$root" -cf "$slim.tmp" . && mv "$slim.tmp" "$slim"
    rm -rf "$root"
    echo "base tarballs made in $(elapsed "$t0") s"
  fi
  pm import --change 'CMD ["bash"]' "$full" docker.io/library/debian:bookworm >/dev/null
  pm import --change 'CMD ["bash"]' "$slim" docker.io/library/debian:bookworm-slim >/dev/null
  echo "base images imported from $cache_dir"
}

echo "=== container: base images"
t_base=$(now)
prepare_base
echo "base images ready in $(elapsed "$t_base") s"

# ---------------------------------------------------------------- 3. build
echo "=== container: build ${image}"
common_args=(--pull=never --format docker --network host "${ulimits[@]}"
  --build-arg "BUILD_JOBS=${jobs}" -f docker/Dockerfile)
build_args=("${common_args[@]}" -t "$image")
[[ -n ${GW_BUILD_NO_CACHE:-} ]] && build_args+=(--no-cache)
build_image=${image%:*}-build:${image##*:}
old_ids=$(pm image inspect --format '{{.Id}}' "$image" "$build_image" 2>/dev/null || true)
t_build=$(now)
build_log=$(mktemp /tmp/gw-container-build.XXXXXX)
if ! timeout 2400 podman --runtime runc --cgroup-manager cgroupfs --events-backend file \
  build "${build_args[@]}" . >"$build_log" 2>&1; then
  tail -n 40 "$build_log"
  rm -f "$build_log"
  die "podman build"
fi
build_s=$(elapsed "$t_build")
# Tag the build stage's image (the last layer id podman printed before the runtime
# stage began) so that its layers, the -dev packages above all, stay cached; then drop
# the previous run's images, so that repeated runs do not pile up untagged layers.
build_stage_id=$(awk '/^\[2\/[0-9]+\] STEP 1\// { print id; exit } /^--> / { id = $NF }' "$build_log")
if [[ -z $build_stage_id ]] || ! pm tag "$build_stage_id" "$build_image" >/dev/null 2>&1; then
  echo "container: could not tag the build stage (the next build starts it afresh)"
fi
rm -f "$build_log"
new_ids=$(pm image inspect --format '{{.Id}}' "$image" "$build_image" 2>/dev/null || true)
for id in $old_ids; do
  grep -qx "$id" <<<"$new_ids" || pm rmi "$id" >/dev/null 2>&1 || true
done
size=$(pm image inspect --format '{{.Size}}' "$image")
echo "image built in ${build_s} s; size $((size / 1000000)) MB (${size} bytes)"
ok "image builds (${build_s} s, $((size / 1000000)) MB)"

# ---------------------------------------------------------------- 4. run
tmp=$(mktemp -d /tmp/gw-container-test.XXXXXX)
chmod 755 "$tmp"
origin_ctr=gwct-origin-$$
gateway_ctr=gwct-gateway-$$
https_ctr=gwct-https-$$
containers=("$origin_ctr" "$gateway_ctr" "$https_ctr")
bg_pids=()
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pm rm -f --ignore -t 0 "${containers[@]}" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports, asked of the kernel (bind port 0, read it back).
read -r listen_port admin_port origin_port https_port < <(python3 - <<'EOF'
import socket
socks = []
for _ in range(4):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
)
echo "ports: listener ${listen_port}, admin ${admin_port}, origin ${origin_port}"
sed -e "s/@LISTEN_PORT@/${listen_port}/g" -e "s/@ADMIN_PORT@/${admin_port}/g" \
  -e "s/@ORIGIN_PORT@/${origin_port}/g" test/container/gateway-test.toml.in >"$tmp/gateway.toml"
chmod 644 "$tmp/gateway.toml"
cfg_mount=(-v "$tmp/gateway.toml:/etc/gateway/gateway.toml:ro")
gw_url=http://127.0.0.1:${listen_port}
admin_url=http://127.0.0.1:${admin_port}

# curl wrapper: writes the body to $2, prints the status code; always bounded.
fetch() { # URL OUTFILE [curl args...]
  local url=$1 outf=$2
  shift 2
  curl -sS --max-time 10 -o "$outf" -w '%{http_code}' "$@" "$url" 2>/dev/null || true
}
# The origin's body for ?size=N: byte i is the 64-byte cycle's byte i % 64.
expected_body() { # N OUTFILE
  python3 -c '
import sys
n = int(sys.argv[1]); cyc = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
sys.stdout.buffer.write((cyc * (n // 64 + 1))[:n])' "$1" >"$2"
}
# Runs the container's HEALTHCHECK until podman says healthy; at most $2 s (30).
wait_healthy() { # CONTAINER [SECONDS]
  local deadline=$((SECONDS + ${2:-30})) health=none
  while ((SECONDS < deadline)); do
    timeout 10 podman --runtime runc --cgroup-manager cgroupfs --events-backend file \
      healthcheck run "$1" >/dev/null 2>&1 || true
    health=$(pm inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null || echo gone)
    [[ $health == healthy || $health == gone ]] && break
    sleep 1
  done
  echo "$health"
}
dump_logs() {
  echo "--- gateway container log (last 30 lines)"
  pm logs --tail 30 "$gateway_ctr" 2>&1 | sed 's/^/    /' || true
}

echo "=== container: image contents"
user=$(pm image inspect --format '{{.Config.User}}' "$image")
uid=$(pm run --rm --network none --no-healthcheck "${ulimits[@]}" --entrypoint id "$image" -u 2>&1 || true)
if [[ $uid =~ ^[0-9]+$ && $uid != 0 ]]; then ok "runs as a non-root user (USER ${user}, uid ${uid})"; else bad "non-root user (got '${uid}')"; fi
stopsig=$(pm image inspect --format '{{.Config.StopSignal}}' "$image")
if [[ $stopsig == SIGTERM || $stopsig == 15 ]]; then ok "STOPSIGNAL SIGTERM"; else bad "STOPSIGNAL (got '${stopsig}')"; fi
hc=$(pm image inspect --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' "$image")
if [[ $hc == *healthz* ]]; then ok "HEALTHCHECK probes /healthz"; else bad "HEALTHCHECK (got '${hc}')"; fi
for f in /etc/gateway/gateway.toml "$tmp/gateway.toml:/etc/gateway/gateway.toml"; do
  if [[ $f == *:* ]]; then mnt=(-v "$f:ro"); name="the test config"; else mnt=(); name="the image's example config"; fi
  if out=$(pm run --rm --network none --no-healthcheck "${ulimits[@]}" "${mnt[@]}" "$image" --check /etc/gateway/gateway.toml 2>&1); then
    ok "gateway --check passes on ${name}"
  else
    bad "gateway --check on ${name}: ${out}"
  fi
done
# The configs shipped for compose and Kubernetes (the ConfigMap's gateway.toml block).
awk '/^  gateway\.toml: \|/ { on = 1; next } on && /^[^ ]/ { on = 0 } on { sub(/^    /, ""); print }' \
  docker/k8s/configmap.yaml >"$tmp/k8s.toml"
chmod 644 "$tmp/k8s.toml"
for f in docker/compose-gateway.toml docker/k8s/configmap.yaml; do
  src=$repo/$f
  [[ $f == *configmap* ]] && src=$tmp/k8s.toml
  if out=$(pm run --rm --network none --no-healthcheck "${ulimits[@]}" -v "$src:/etc/gateway/gateway.toml:ro" \
    "$image" --check /etc/gateway/gateway.toml 2>&1); then
    ok "gateway --check passes on ${f}"
  else
    bad "gateway --check on ${f}: ${out}"
  fi
done
if out=$(pm run --rm --network none --no-healthcheck "${ulimits[@]}" --entrypoint /usr/local/bin/gwbench "$image" --version 2>&1) &&
  [[ $out == gwbench* ]]; then
  ok "gwbench is in the image (${out})"
else
  bad "gwbench --version: ${out}"
fi

echo "=== container: the image as shipped"
# The default CMD on the image's own config, in a network namespace of its own (as
# docker run would give it): the admin listener on 0.0.0.0:8404 makes the HEALTHCHECK
# healthy with its defaults; SIGTERM with nothing in flight exits 0 at once.
default_ctr=gwct-default-$$
containers+=("$default_ctr")
if pm run -d --name "$default_ctr" --network none --health-interval disable "${ulimits[@]}" "$image" \
  >/dev/null 2>"$tmp/run.err"; then
  health=$(wait_healthy "$default_ctr")
  if [[ $health == healthy ]]; then ok "default config: podman reports the container healthy"; else bad "default config: health status '${health}'"; fi
  timeout 30 podman --runtime runc --cgroup-manager cgroupfs --events-backend file \
    stop --time 20 "$default_ctr" >/dev/null 2>&1 || true
  code=$(pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$default_ctr" 2>/dev/null || echo gone)
  if [[ $code == "exited 0" ]]; then ok "default config: exits 0 on SIGTERM"; else bad "default config: after SIGTERM: ${code}"; fi
  pm rm -f -t 0 "$default_ctr" >/dev/null 2>&1 || true
else
  bad "default config: the container does not start: $(cat "$tmp/run.err")"
fi

echo "=== container: start origin and gateway"
# The automatic health check timer needs systemd, which a CI machine or a container
# may not run: the timer is disabled (podman still says it could not reach systemd;
# that goes to run.err) and the test runs the image's HEALTHCHECK itself.
pm run -d --name "$origin_ctr" --network host --no-healthcheck "${ulimits[@]}" \
  --entrypoint /usr/local/bin/gwbench "$image" origin --listen "127.0.0.1:${origin_port}" \
  >/dev/null 2>"$tmp/run.err" || die "start the origin container: $(cat "$tmp/run.err")"
pm run -d --name "$gateway_ctr" --network host "${ulimits[@]}" "${cfg_mount[@]}" \
  -e "GW_ADMIN_PORT=${admin_port}" --health-interval disable "$image" \
  >/dev/null 2>"$tmp/run.err" || die "start the gateway container: $(cat "$tmp/run.err")"

# Wait (at most 30 s) until the gateway answers through to the origin.
deadline=$((SECONDS + 30))
code=000
while ((SECONDS < deadline)); do
  code=$(fetch "$gw_url/?size=16" "$tmp/probe")
  [[ $code == 200 ]] && break
  state=$(pm inspect --format '{{.State.Status}}' "$gateway_ctr" 2>/dev/null || echo gone)
  [[ $state == running ]] || break
  sleep 0.2
done
if [[ $code == 200 ]]; then
  ok "gateway serves through to the origin"
else
  dump_logs
  die "gateway serves (last status ${code}, container $(pm inspect --format '{{.State.Status}}' "$gateway_ctr" 2>/dev/null || echo gone))"
fi

echo "=== container: requests"
for n in 0 1000 100000 1048576; do
  code=$(fetch "$gw_url/?size=${n}" "$tmp/body")
  expected_body "$n" "$tmp/expected"
  if [[ $code == 200 ]] && cmp -s "$tmp/body" "$tmp/expected"; then
    ok "GET /?size=${n}: 200, ${n} body bytes as sent by the origin"
  else
    bad "GET /?size=${n}: status ${code}, $(wc -c <"$tmp/body") bytes"
  fi
done
code=$(fetch "$gw_url/?size=300000&chunked=1" "$tmp/body")
expected_body 300000 "$tmp/expected"
if [[ $code == 200 ]] && cmp -s "$tmp/body" "$tmp/expected"; then
  ok "chunked response: 200, 300000 bytes"
else
  bad "chunked response: status ${code}, $(wc -c <"$tmp/body") bytes"
fi
head -c 200000 /dev/urandom >"$tmp/upload"
code=$(fetch "$gw_url/echo" "$tmp/body" --data-binary "@$tmp/upload" -H 'Content-Type: application/octet-stream')
if [[ $code == 200 ]] && cmp -s "$tmp/body" "$tmp/upload"; then
  ok "POST /echo: 200, 200000 random bytes back unchanged"
else
  bad "POST /echo: status ${code}, $(wc -c <"$tmp/body") bytes"
fi
code=$(fetch "$gw_url/echo-head" "$tmp/body" -H 'X-Test: container')
if [[ $code == 200 ]] && grep -qi '^x-forwarded-for: 127.0.0.1' "$tmp/body" && grep -qi '^x-test: container' "$tmp/body"; then
  ok "request head forwarded (X-Forwarded-For added, X-Test kept)"
else
  bad "GET /echo-head: status ${code}: $(tr '\r\n' '  ' <"$tmp/body" | head -c 300)"
fi
code=$(fetch "$gw_url/?status=404&size=5" "$tmp/body")
if [[ $code == 404 ]] && [[ $(wc -c <"$tmp/body") == 5 ]]; then ok "origin status passed through (404)"; else bad "origin 404: got ${code}"; fi
# Keep-alive load through the gateway with the image's own gwbench.
if out=$(timeout 60 podman --runtime runc --cgroup-manager cgroupfs --events-backend file run --rm \
  --network host --no-healthcheck "${ulimits[@]}" --entrypoint /usr/local/bin/gwbench "$image" \
  load "$gw_url/?size=1024" -n 2000 -c 8 --json - 2>/dev/null) &&
  python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
sys.exit(0 if r["requests"] == 2000 and r["errors"]["total"] == 0 and r["status"]["codes"].get("200") == 2000 else 1)' <<<"$out"; then
  ok "gwbench load -n 2000 -c 8 through the gateway: 2000 x 200, no errors"
else
  bad "gwbench load through the gateway: $(tr '\n' ' ' <<<"$out" | head -c 400)"
fi

echo "=== container: admin and health check"
code=$(fetch "$admin_url/healthz" "$tmp/body")
if [[ $code == 200 ]]; then ok "GET /healthz on the admin listener: 200 $(head -c 20 "$tmp/body")"; else bad "GET /healthz on the admin listener: status ${code}"; fi
code=$(fetch "$admin_url/readyz" "$tmp/body")
if [[ $code == 200 ]]; then ok "GET /readyz on the admin listener: 200"; else bad "GET /readyz on the admin listener: status ${code}"; fi
# The image's HEALTHCHECK, run by podman (the automatic timer is disabled, see above).
health=$(wait_healthy "$gateway_ctr")
if [[ $health == healthy ]]; then
  ok "podman reports the container healthy (HEALTHCHECK with GW_ADMIN_PORT=${admin_port})"
else
  bad "health status '${health}' after 30 s"
fi

# ... and the same probe fails when nothing answers on the port it is given.
mapfile -d '' -t hc_cmd < <(pm image inspect --format '{{json .Config.Healthcheck.Test}}' "$image" |
  python3 -c '
import json, sys
t = json.load(sys.stdin)
args = ["/bin/sh", "-c", t[1]] if t[0] == "CMD-SHELL" else t[1:]
sys.stdout.write("".join(a + "\0" for a in args))')
if ((${#hc_cmd[@]} > 0)) && ! timeout 10 podman --runtime runc --cgroup-manager cgroupfs --events-backend file \
  exec -e GW_ADMIN_PORT=1 "$gateway_ctr" "${hc_cmd[@]}" >/dev/null 2>&1; then
  ok "the HEALTHCHECK command fails when the admin port does not answer"
else
  bad "the HEALTHCHECK command (${hc_cmd[*]}) did not fail against a closed port"
fi

echo "=== container: HTTPS with a mounted certificate"
# A second gateway from the same image terminates TLS with a certificate mounted
# from the host (as a Kubernetes TLS secret would be), proxies to the same origin,
# and takes a new certificate on SIGHUP without a restart.
mkdir -p "$tmp/tls"
make_cert() { # NAME: a self-signed ECDSA certificate for NAME in $tmp/tls/tls.{crt,key}
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$tmp/tls/tls.key" -out "$tmp/tls/tls.crt" -subj "/CN=$1" -addext "subjectAltName=DNS:$1" \
    >/dev/null 2>&1
  chmod 644 "$tmp/tls/tls.key" "$tmp/tls/tls.crt" # (read by the image's non-root user)
}
make_cert first.test
printf '%s\n' '[admin]' 'enabled = false' '[[listeners]]' 'name = "https"' \
  "listen = \"127.0.0.1:${https_port}\"" 'default_backend = "app"' '[[listeners.tls.certificates]]' \
  'cert = "/etc/gateway/tls/tls.crt"' 'key = "/etc/gateway/tls/tls.key"' '[[backends]]' 'name = "app"' \
  '[[backends.servers]]' "address = \"127.0.0.1:${origin_port}\"" >"$tmp/https.toml"
chmod 644 "$tmp/https.toml"
https_get() { # NAME OUTFILE: GET /?size=1000 over HTTPS, verified for NAME
  fetch "https://${1}:${https_port}/?size=1000" "$2" --cacert "$tmp/tls/tls.crt" \
    --resolve "${1}:${https_port}:127.0.0.1"
}
if pm run -d --name "$https_ctr" --network host --no-healthcheck "${ulimits[@]}" \
  -v "$tmp/https.toml:/etc/gateway/gateway.toml:ro" -v "$tmp/tls:/etc/gateway/tls:ro" "$image" \
  >/dev/null 2>"$tmp/run.err"; then
  code=000
  deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)); do
    code=$(https_get first.test "$tmp/body")
    [[ $code == 200 ]] && break
    sleep 0.2
  done
  expected_body 1000 "$tmp/expected"
  if [[ $code == 200 ]] && cmp -s "$tmp/body" "$tmp/expected"; then
    ok "HTTPS: 200 and the origin's 1000 bytes, the mounted certificate verified by curl"
  else
    bad "HTTPS: status ${code}; $(pm logs --tail 5 "$https_ctr" 2>&1 | tr '\n' ' ')"
  fi
  code=$(fetch "http://127.0.0.1:${https_port}/" "$tmp/body")
  if [[ $code == 400 ]]; then ok "plain HTTP on the HTTPS port: 400"; else bad "plain HTTP on the HTTPS port: got ${code}"; fi
  make_cert second.test
  pm kill -s HUP "$https_ctr" >/dev/null 2>&1 || true
  code=000
  deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    code=$(https_get second.test "$tmp/body")
    [[ $code == 200 ]] && break
    sleep 0.2
  done
  if [[ $code == 200 ]]; then ok "SIGHUP: the new certificate is served without a restart"; else bad "after SIGHUP: status ${code}"; fi
  pm rm -f -t 0 "$https_ctr" >/dev/null 2>&1 || true
else
  bad "HTTPS: the container does not start: $(cat "$tmp/run.err")"
fi

echo "=== container: SIGTERM drains"
# A slow request (the origin waits 2 s before answering) is in flight when podman
# stop sends the image's STOPSIGNAL; it must still complete with 200.
(fetch "$gw_url/?delay=2000&size=5000" "$tmp/slow" >"$tmp/slow.code") &
slow_pid=$!
bg_pids+=("$slow_pid")
sleep 0.5
t_stop=$(now)
(rc=0
  timeout 40 podman --runtime runc --cgroup-manager cgroupfs --events-backend file \
    stop --time 25 "$gateway_ctr" >"$tmp/stop.out" 2>&1 || rc=$?
  echo "$rc" >"$tmp/stop.rc") &
stop_pid=$!
bg_pids+=("$stop_pid")
# While draining: /readyz says 503, and new connections to the listener are refused.
readyz=none
for _ in $(seq 1 10); do
  readyz=$(fetch "$admin_url/readyz" /dev/null --max-time 1)
  [[ $readyz == 503 ]] && break
  sleep 0.1
done
if [[ $readyz == 503 ]]; then ok "GET /readyz while draining: 503"; else bad "GET /readyz while draining: got ${readyz}"; fi
code=$(fetch "$gw_url/?size=1" /dev/null --max-time 1)
if [[ $code == 000 ]]; then ok "listener closed while draining (new connection refused)"; else bad "new request while draining: got ${code}"; fi
wait "$slow_pid" || true
code=$(cat "$tmp/slow.code" 2>/dev/null || echo none)
expected_body 5000 "$tmp/expected"
if [[ $code == 200 ]] && cmp -s "$tmp/slow" "$tmp/expected"; then
  ok "request in flight at SIGTERM completes: 200, 5000 bytes"
else
  bad "request in flight at SIGTERM: status ${code}, $(wc -c <"$tmp/slow" 2>/dev/null || echo 0) bytes"
fi
wait "$stop_pid" || true
stop_s=$(elapsed "$t_stop")
exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$gateway_ctr" 2>/dev/null || echo none)
state=$(pm inspect --format '{{.State.Status}}' "$gateway_ctr" 2>/dev/null || echo gone)
if [[ $(cat "$tmp/stop.rc" 2>/dev/null) == 0 && $state == exited && $exit_code == 0 ]]; then
  ok "container exits 0 after SIGTERM (${stop_s} s after the stop)"
else
  dump_logs
  bad "container after SIGTERM: state ${state}, exit code ${exit_code}, podman stop: $(cat "$tmp/stop.out" 2>/dev/null)"
fi
if awk -v s="$stop_s" 'BEGIN { exit !(s < 15) }'; then
  ok "drain ended when the request did, not at the stop timeout"
else
  bad "drain took ${stop_s} s (SIGKILL after 25 s?)"
fi

echo "=== container: clean up"
pm rm -f -t 0 "$gateway_ctr" "$origin_ctr" >/dev/null 2>&1 || true
if ! pm container exists "$gateway_ctr" && ! pm container exists "$origin_ctr"; then
  ok "containers removed"
else
  bad "containers still present"
fi

summary
((failed == 0))
