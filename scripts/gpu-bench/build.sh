#!/bin/bash
# Makes what travels to the device machine, here in scripts/gpu-bench/ (git-ignored):
#   .gpu/  the bundled benchmark, dawn.node (npm `webgpu` 0.6.2) and this machine's node binary, xz-compressed
#   .gl/   the Vulkan loader as Debian packages (the device machine has the NVIDIA driver but no loader)
# Needs: the repository's `npm ci` (tfjs comes from there), npm and apt-get. Re-run after changing the project's code.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
[ -d ../../node_modules/@tensorflow/tfjs ] || { echo "run npm ci at the repository root first"; exit 1; }
[ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund
DEST=$here/.gpu
mkdir -p "$DEST/node_modules/webgpu/dist/linux-x64"
node build.mjs bench.mjs "$DEST/bench.mjs"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$DEST/node_modules/webgpu/"
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
if [ ! -f "$DEST/dawn.node.xz" ] || [ "$dawn" -nt "$DEST/dawn.node.xz" ]; then xz -T0 -9 -c "$dawn" > "$DEST/dawn.node.xz"; fi
if [ ! -f "$DEST/node.xz" ]; then xz -T0 -9 -c "$(command -v node)" > "$DEST/node.xz"; fi
cp run_device.sh "$DEST/run_device.sh"
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/gpu-bench-apt/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-bench-apt'
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1)
fi
du -sh "$DEST" .gl
