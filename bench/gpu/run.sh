#!/usr/bin/env bash
# Runs the GPU benchmark from .gpu-bundle/ (made by bench/gpu/prepare.sh) on the GPU machine: unpacks
# Node, brings the Vulkan loader if the machine has none, points it at the NVIDIA driver, then times the
# U-Net training step on webgpu against PyTorch on CUDA (bench/gpu/bench.ts). From the repository root:
#
#   bash bench/gpu/run.sh            # 256x256 batch 8 and 512x512 batch 4 (a few minutes)
#   bash bench/gpu/run.sh --smoke    # tiny shapes, any adapter, PyTorch on the CPU: checks the bundle here
#
# Other arguments go to bench.cjs (--shapes 256x8,512x4 --steps 10 --python PATH --torch-device cpu).
# Where $OUT is set (the device tool), the log and a JSON summary are written there too.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
b="$root/.gpu-bundle"
[ -f "$b/bench.cjs" ] || { echo "no $b/bench.cjs: run bench/gpu/prepare.sh first (and carry .gpu-bundle)" >&2; exit 2; }
work=${TMPDIR:-/tmp}/maskwright-gpu
mkdir -p "$work"

# Node: the carried binary (the device machine has none; a smoke run here uses it too, to check it).
node="$work/node"
if [ ! -x "$node" ] || [ "$b/node.xz" -nt "$node" ]; then
  if command -v xz >/dev/null; then xz -dc "$b/node.xz" >"$node.part"
  else python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' "$b/node.xz" >"$node.part"; fi
  chmod +x "$node.part" && mv "$node.part" "$node"
fi

# Vulkan loader: as the device README says, unpack the carried packages into / when none is installed.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  if [ "$(id -u)" = 0 ]; then
    for f in "$b"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    for f in "$b"/debs/*.deb; do dpkg -x "$f" "$work/root"; done
    export LD_LIBRARY_PATH="$work/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
# The NVIDIA driver's Vulkan ICD and EGL vendor file (mounted read-only on the device machine).
nv=/usr/local/nvidia/share
if [ -f "$nv/vulkan/icd.d/nvidia_icd.json" ]; then
  export VK_DRIVER_FILES="$nv/vulkan/icd.d/nvidia_icd.json" VK_ICD_FILENAMES="$nv/vulkan/icd.d/nvidia_icd.json"
  export __EGL_VENDOR_LIBRARY_FILENAMES="$nv/glvnd/egl_vendor.d/10_nvidia.json"
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/xdg}
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR" 2>/dev/null || true

echo "node $("$node" --version) ($node); python3 $(python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo none)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
args=("$@")
if [ -n "${OUT:-}" ]; then
  args+=(--json "$OUT/gpu-bench.json")
  "$node" "$b/bench.cjs" "${args[@]}" 2>&1 | grep -v '^Warning: maxDynamic' | tee "$OUT/gpu-bench.log"
else
  "$node" "$b/bench.cjs" "${args[@]}" 2>&1 | grep -v '^Warning: maxDynamic'
fi
status=${PIPESTATUS[0]}

# The PyTorch training job (export --what pytorch-job): ms per step of its train.py, one process, CUDA
# with mixed precision (on the CPU with --smoke), 256x256 batch 8, base 32, depth 3, 12 classes.
if [ -f "$b/job/train.py" ] && python3 -c 'import torch' 2>/dev/null; then
  job_args=(--out "$work/job-out" --time-steps "$work/job-steps.json")
  if [[ " $* " == *" --smoke "* ]]; then job_args+=(--cpu --max-steps 2 --batch-size 1); else job_args+=(--max-steps 23); fi
  if python3 "$b/job/train.py" "${job_args[@]}" >"$work/job.log" 2>&1; then
    echo "pytorch-job train.py: $(cat "$work/job-steps.json")"
    [ -n "${OUT:-}" ] && cp "$work/job-steps.json" "$OUT/pytorch-job-steps.json"
  else
    echo "pytorch-job train.py failed:" >&2
    tail -20 "$work/job.log" >&2
    status=1
  fi
fi
exit "$status"
