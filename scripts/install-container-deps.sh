#!/usr/bin/env bash
# Installs what the container test (scripts/container-test.sh) needs on a Debian 12
# host, and nothing when it is all present already. Safe to run again; needs root
# (or sudo).
#
#   podman       builds and runs the image (no Docker engine is needed)
#   runc         the OCI runtime used (crun fails on some hosts' cgroup layouts)
#   debootstrap  makes the debian:bookworm base image locally from the Debian mirror
#   ca-certificates, python3: the mirror may be https; free ports are picked with python3
set -euo pipefail

packages=(podman runc debootstrap ca-certificates python3 curl openssl)
packages+=("$@")

exec bash "$(dirname "$0")/apt-install.sh" "${packages[@]}"
