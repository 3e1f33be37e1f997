#!/usr/bin/env bash
# Prepares .gpu-bundle/ (git-ignored) for the GPU machine that the `device` tool lends in some tasks: an
# NVIDIA H200 with Python 3.12 + PyTorch (CUDA), no Node, no network, 64 MiB for everything that travels
# (the repository's files plus the carried folder). Run here, from anywhere in the repository:
#
#   bench/gpu/prepare.sh
#
# It writes:
#   .gpu-bundle/bench.cjs             bench/gpu/bench.ts and everything it imports, one file (esbuild)
#   .gpu-bundle/node_modules/webgpu/  Dawn's Node binding: index.js + dist/linux-x64/dawn.node
#   .gpu-bundle/step_torch.py         the PyTorch reference (same net, loss, input, optimizer)
#   .gpu-bundle/job/                  a PyTorch training job (bench/gpu/make-job.ts): train.py's step time
#   .gpu-bundle/node.xz               this machine's Node binary, xz-compressed
#   .gpu-bundle/debs/*.deb            the Vulkan loader and GL dispatch libraries (amd64), as the device
#                                     README says: the H200 machine has the NVIDIA driver but no loader
# and checks that the repository plus the bundle stay under 64 MiB. Then, with a machine lent:
#   device run, carry [".gpu-bundle"], command: bash bench/gpu/run.sh   (timeout_s 600)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
out=.gpu-bundle
grep -qxF '.gpu-bundle/' .gitignore || { echo "add .gpu-bundle/ to .gitignore first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/debs"

node bench/gpu/bundle.mjs "$out"
# The PyTorch training job (export --what pytorch-job) whose step time run.sh measures on CUDA.
node scripts/run-ts.mjs bench/gpu/make-job.ts "$out/job"

node_bin=$(readlink -f "$(command -v node)")
echo "compressing $node_bin ($(node --version))"
xz -T0 -6 -c "$node_bin" >"$out/node.xz"

# The loader packages for amd64 from this machine's Debian mirror, without touching apt's own lists.
lists=$(mktemp -d)
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
mkdir -p "$lists/partial"
# shellcheck disable=SC2086
apt-get $o update -qq
# shellcheck disable=SC2086
(cd "$out/debs" && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
rm -rf "$lists"

# What travels: tracked files, untracked files git does not ignore, and the carried bundle.
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 stat -c %s -- 2>/dev/null |
  awk '{s+=$1} END {print s+0}')
bundle=$(du -sb "$out" | cut -f1)
total=$((tree + bundle))
limit=$((64 * 1024 * 1024))
awk -v b="$bundle" -v t="$tree" 'BEGIN { m = 1048576; printf "bundle %.1f MiB + repository %.1f MiB = %.1f MiB (limit 64 MiB)\n", b / m, t / m, (b + t) / m }'
du -sh "$out"/* "$out"/node_modules/webgpu/dist/linux-x64/dawn.node | sed 's/^/  /'
if [ "$total" -ge "$limit" ]; then
  echo "too large for the device machine: $total bytes >= $limit" >&2
  exit 1
fi
