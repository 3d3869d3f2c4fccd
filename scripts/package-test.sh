#!/usr/bin/env bash
# The Debian package: made with CPack from a build tree (default build/release,
# the release preset: -O2, as Debian builds its packages; stripped), then checked:
#
#   1. the archive (dpkg-deb): its files, the conffile, the maintainer scripts;
#   2. the systemd unit (systemd-analyze verify, against the unpacked package);
#   3. installed with apt into a clean Debian root (the container test's
#      debian:bookworm-slim image, made by scripts/container-test.sh): the
#      `gateway` user exists and `gateway --check /etc/gateway/gateway.toml` passes;
#   4. in the same root, the life of a package: an operator edits the config,
#      an upgrade (the same archive with a later version) keeps the edit and
#      the user, `remove` keeps the config, `purge` takes the config and the user.
#
# The last line is `package: N passed, M failed`; exit status non-zero on a failure.
#
#   bash scripts/package-test.sh [BUILD_DIR]
#   GW_PACKAGE_INSTALL=0 bash scripts/package-test.sh   # skip step 3 (no podman)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
summary() { echo "package: ${passed} passed, ${failed} failed"; }

bash scripts/apt-install.sh dpkg-dev systemd >/dev/null

echo "=== package: cpack -G DEB in $build"
rm -f "$build"/gateway_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/gateway_*.deb)
echo "  $(basename "$deb"): $(du -k "$deb" | cut -f1) KiB"

echo "=== package: the archive"
contents=$(dpkg-deb --contents "$deb")
for f in ./usr/bin/gateway ./usr/bin/gwbench ./etc/gateway/gateway.toml \
         ./usr/lib/systemd/system/gateway.service ./usr/share/man/man1/gateway.1 \
         ./usr/share/man/man5/gateway.toml.5 ./usr/share/doc/gateway/config-reference.md; do
  if grep -q " $f\$" <<<"$contents"; then ok "has $f"; else bad "missing $f"; fi
done
if grep -q "usr/etc" <<<"$contents"; then bad "a file under /usr/etc"; else ok "nothing under /usr/etc"; fi
control=$(mktemp -d)
root=$(mktemp -d)
trap 'rm -rf "$control" "$root"' EXIT
dpkg-deb -e "$deb" "$control"
if grep -qx /etc/gateway/gateway.toml "$control/conffiles"; then ok "conffile /etc/gateway/gateway.toml"; else bad "no conffile"; fi
for s in postinst prerm postrm; do
  if [[ -x $control/$s ]]; then ok "maintainer script $s"; else bad "no $s"; fi
done
depends=$(dpkg-deb --field "$deb" Depends)
echo "  Depends: $depends"
for lib in libssl3 libc-ares2 libcrypt1 adduser; do
  if grep -q "$lib" <<<"$depends"; then ok "depends on $lib"; else bad "no dependency on $lib"; fi
done

echo "=== package: the systemd unit"
dpkg-deb -x "$deb" "$root"
# On this host, with the unit's binary pointing into the unpacked package
# (verify checks that the commands exist; --root= would need a whole system).
sed "s|/usr/bin/gateway|$root/usr/bin/gateway|g" "$root/usr/lib/systemd/system/gateway.service" \
  >"$control/gateway.service"
if out=$(systemd-analyze verify --man=no "$control/gateway.service" 2>&1) && [[ -z $out ]]; then
  ok "systemd-analyze verify"
else
  bad "systemd-analyze verify: $out"
fi
if "$root/usr/bin/gateway" --check "$root/etc/gateway/gateway.toml" >/dev/null; then
  ok "the packaged gateway checks the packaged configuration"
else
  bad "gateway --check of the packaged configuration"
fi

if [[ ${GW_PACKAGE_INSTALL:-1} == 0 ]]; then
  summary
  ((failed == 0))
  exit
fi
echo "=== package: installed into a clean Debian root"
pm() { podman --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }
# (As the container test: the default ulimits exceed what root may set here.)
nofile=$(ulimit -Hn)
[[ $nofile == unlimited ]] && nofile=1048576
if ! pm image exists docker.io/library/debian:bookworm-slim; then
  bad "no debian:bookworm-slim image (run scripts/container-test.sh first)"
  summary
  exit 1
fi
pkg_dir=$(cd "$(dirname "$deb")" && pwd)
# The upgrade: the same archive with a later version, as the next release.
upgrade_dir=$(mktemp -d)
trap 'rm -rf "$control" "$root" "$upgrade_dir"' EXIT
dpkg-deb -R "$deb" "$upgrade_dir/tree"
sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/' "$upgrade_dir/tree/DEBIAN/control"
dpkg-deb --root-owner-group -b "$upgrade_dir/tree" "$upgrade_dir/gateway-upgrade.deb" >/dev/null
if out=$(pm run --rm --network host --ulimit "nofile=${nofile}:${nofile}" --ulimit nproc=4096:4096 \
      -v "$pkg_dir:/pkg:ro" -v "$upgrade_dir:/upgrade:ro" docker.io/library/debian:bookworm-slim bash -c "
      set -e
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq /pkg/$(basename "$deb") >/dev/null
      id gateway
      gateway --check /etc/gateway/gateway.toml | head -1
      dpkg -s gateway | grep -E '^(Status|Version):'
      test -f /usr/lib/systemd/system/gateway.service && echo unit-installed
      echo '# edited by the operator' >>/etc/gateway/gateway.toml
      apt-get install -y -qq /upgrade/gateway-upgrade.deb >/dev/null
      dpkg -s gateway | grep -q '^Version: .*+upgrade1' && echo upgraded
      grep -q 'edited by the operator' /etc/gateway/gateway.toml && echo edit-kept
      id gateway >/dev/null && echo user-kept
      apt-get remove -y -qq gateway >/dev/null
      test ! -e /usr/bin/gateway && echo binary-removed
      grep -q 'edited by the operator' /etc/gateway/gateway.toml && echo config-kept-on-remove
      apt-get purge -y -qq gateway >/dev/null
      test ! -e /etc/gateway/gateway.toml && echo config-purged
      getent passwd gateway >/dev/null || echo user-purged
      " 2>&1); then
  echo "$out" | sed 's/^/    /'
  if grep -q "uid=.*(gateway)" <<<"$out"; then ok "user gateway made by postinst"; else bad "no gateway user"; fi
  if grep -q "configuration OK" <<<"$out"; then ok "gateway --check /etc/gateway/gateway.toml"; else bad "--check failed"; fi
  if grep -q "unit-installed" <<<"$out"; then ok "unit installed"; else bad "unit missing"; fi
  for step in upgraded edit-kept user-kept binary-removed config-kept-on-remove config-purged user-purged; do
    if grep -qx "$step" <<<"$out"; then ok "$step"; else bad "not $step"; fi
  done
else
  echo "$out" | tail -20 | sed 's/^/    /'
  bad "install, upgrade, remove and purge of the package"
fi
summary
((failed == 0))
