#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for tsrun, as root: Debian packages, npm
# dependencies, the build (TypeScript and the C shim), `tsrun` installed on the
# PATH, and a demo busybox bundle in .demo/busybox. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential pkg-config libseccomp-dev libjson-c-dev libcap-dev libcmocka-dev
          busybox-static util-linux iproute2 procps runc python3 containerd docker.io podman attr nftables iptables containernetworking-plugins umoci skopeo zstd docker-registry apache2-utils openssl debootstrap)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: build"
npm run --silent build

# tsrun is installed as a standalone copy, like runc: the static binary and the
# bundled Node side next to it (the binary finds it beside its own realpath).
install -d /usr/local/lib/tsrun
install -m 0755 runtime-shim/build/tsrun /usr/local/lib/tsrun/tsrun.new
mv -f /usr/local/lib/tsrun/tsrun.new /usr/local/lib/tsrun/tsrun
install -m 0644 runtime-shim/build/tsrun-node.cjs /usr/local/lib/tsrun/tsrun-node.cjs
ln -sfn /usr/local/lib/tsrun/tsrun /usr/local/bin/tsrun
# tsctl is two files: the entry (flags) and its commands, loaded when a command runs
# with a V8 code cache beside them, named after the commands' digest: the old build's
# caches go, and one run (which fails at once: no daemon there) makes the new one,
# so that users who cannot write here have it too
install -m 0644 packages/cli/dist/tsctl-commands.cjs /usr/local/lib/tsrun/tsctl-commands.cjs.new
mv -f /usr/local/lib/tsrun/tsctl-commands.cjs.new /usr/local/lib/tsrun/tsctl-commands.cjs
install -m 0755 packages/cli/dist/tsctl.cjs /usr/local/lib/tsrun/tsctl.cjs.new
mv -f /usr/local/lib/tsrun/tsctl.cjs.new /usr/local/lib/tsrun/tsctl.cjs
ln -sfn /usr/local/lib/tsrun/tsctl.cjs /usr/local/bin/tsctl
rm -f /usr/local/lib/tsrun/tsctl-commands-*.v8cache
/usr/local/bin/tsctl -H unix:///nonexistent/tsd.sock version >/dev/null 2>&1 || true
# tsd runs from this checkout (its image unpacker runs worker threads from its own files)
ln -sfn "$PWD/packages/api-gateway/tsd" /usr/local/bin/tsd
# the daemon's socket is for root and this group, as docker's is
getent group tsd >/dev/null || groupadd --system tsd

if [ ! -f .demo/busybox/config.json ]; then
  TSRUN_BIN=/usr/local/bin/tsrun npx tsx tools/make-busybox-bundle.ts .demo/busybox \
    sh -c 'echo "Hello from tsrun: hostname $(hostname), pid $$, user $(id -u)"'
fi
if [ ! -f .demo/busybox.tar ]; then
  npx tsx tools/make-busybox-image.ts .demo/busybox.tar busybox:latest
fi
echo "setup: done ($(tsrun --version | head -1))"
