#!/usr/bin/env bash
# Sets up a fresh Debian machine for ocirt: the Debian packages the project uses, then npm ci,
# which builds the executor, the probe, the CLI and the sample bundles (package.json "prepare").
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(gcc make libc6-dev libseccomp2 iproute2 procps runc crun busybox-static strace hyperfine)
# The engines tests/engines drives ocirt with: podman with conmon and netavark (aardvark-dns, iptables
# for its bridge), and containerd with ctr.
PACKAGES+=(podman conmon netavark aardvark-dns iptables containerd)
# Chromium, for the browser test of the HTML conformance report (tests/integration/conformance-html.test.ts).
PACKAGES+=(chromium)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
