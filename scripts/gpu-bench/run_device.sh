#!/bin/bash
# Runs on the device machine, from the repository root:  BUDGET=230 bash scripts/gpu-bench/.gpu/run_device.sh
# Needs carry: ["scripts/gpu-bench/.gpu", "scripts/gpu-bench/.gl"] (made by scripts/gpu-bench/build.sh).
# Writes $OUT/log, $OUT/results.jsonl (one JSON line per result), $OUT/dmon, $OUT/probe.txt.
# LOCAL_TEST=1 runs small sizes on this machine's software adapter (SwiftShader through Chromium's Vulkan loader).
set -u
START=$(date +%s)
BUDGET=${BUDGET:-230}            # seconds for the steps, after unpacking and finding the adapter
OUT=${OUT:-/tmp/gb_out}; mkdir -p "$OUT"
LOG=$OUT/log
KIT=scripts/gpu-bench
exec > >(tee -a "$LOG") 2>&1
echo "== start $(date -u +%FT%TZ)"
if [ -z "${LOCAL_TEST:-}" ]; then
  for f in $KIT/.gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,memory.used,memory.total --format=csv
fi

W=/tmp/gb; mkdir -p $W/node_modules/webgpu/dist/linux-x64
unxz_to() { xz -dc "$1" > "$2" 2>/dev/null || python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"; }
unxz_to $KIT/.gpu/node.xz $W/node && chmod +x $W/node
unxz_to $KIT/.gpu/dawn.node.xz $W/node_modules/webgpu/dist/linux-x64/dawn.node
cp $KIT/.gpu/node_modules/webgpu/index.js $KIT/.gpu/node_modules/webgpu/package.json $W/node_modules/webgpu/
cp $KIT/.gpu/bench.mjs $W/
cd $W
./node --version || { echo "node does not run"; exit 3; }
echo "== unpacked after $(( $(date +%s) - START )) s"

DEADLINE=$(( $(date +%s) + BUDGET ))
left() { echo $(( DEADLINE - $(date +%s) )); }
step() { # step CAP tasks...
  local cap=$1; shift
  local l; l=$(left)
  if [ "$l" -lt 15 ]; then echo "== SKIP $* (only ${l}s left)"; return 0; fi
  [ "$cap" -gt "$l" ] && cap=$l
  echo "== STEP (timeout ${cap}s): $*  [t+$(( $(date +%s) - START ))s]"
  timeout -k 3 "$cap" ./node bench.mjs "$@"
  local rc=$?
  echo "== STEP rc=$rc: $*"
  [ $rc -eq 124 ] && echo "== TIMEOUT in: $*"
}
probe() { timeout 40 ./node bench.mjs info 2>&1 | tee $OUT/probe.txt | grep -q '"adapterInfo"'; }

found=""
NV=/usr/local/nvidia
configs="default vkfiles ldpath ldpath+vkfiles"
[ -n "${LOCAL_TEST:-}" ] && configs="swiftshader"
for cfg in $configs; do
  unset VK_DRIVER_FILES VK_LOADER_DEBUG
  case $cfg in
    vkfiles) export VK_DRIVER_FILES=$NV/share/vulkan/icd.d/nvidia_icd.json ;;
    ldpath) export LD_LIBRARY_PATH=$NV/lib64:$NV/lib:${LD_LIBRARY_PATH:-} VK_LOADER_DEBUG=error,warn,driver ;;
    ldpath+vkfiles) export VK_DRIVER_FILES=$NV/share/vulkan/icd.d/nvidia_icd.json VK_LOADER_DEBUG=error,warn,driver ;;
    swiftshader) export LD_LIBRARY_PATH=/usr/lib/chromium:${LD_LIBRARY_PATH:-} VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json ;;
  esac
  if probe; then found=$cfg; unset VK_LOADER_DEBUG; break; fi
  echo "== no adapter with loader config '$cfg':"; head -40 $OUT/probe.txt
done
[ -z "$found" ] && { echo "== NO ADAPTER; giving up"; exit 4; }
echo "== adapter found with loader config '$found'"

[ -z "${LOCAL_TEST:-}" ] && { nvidia-smi dmon -s puc -d 1 > $OUT/dmon 2>&1 & DMON=$!; }
export BENCH_TASK_BUDGET_S=${BENCH_TASK_BUDGET_S:-12}
if [ -n "${LOCAL_TEST:-}" ]; then
  # Every task once, at sizes SwiftShader gets through (it runs VGG16 at 32×32 in seconds per image).
  export BENCH_WARMUP=1 BENCH_ITERS=1 WORKFLOW_H=32 WORKFLOW_TRAIN=16 WORKFLOW_VAL=8
  step 400 info check:32:2
  step 300 fwd:32:1:stock fwd:32:1:ours train:32:1:ours train:32:1:split
  step 400 workflow:ours:2
  step 300 kernels:16:1 sweep:16:1
else
  # Most wanted first: whatever the budget cuts is at the end.
  step 60 info check:32:2
  step 45 fwd:150:64:stock fwd:150:64:ours fwd:150:64:nosg
  step 70 train:150:16:stock train:150:16:ours train:150:16:split train:150:64:stock train:150:64:ours train:150:64:split
  step 70 workflow:ours:3
  step 40 kernels:150:64
  step 45 fwd:150:128:stock fwd:150:128:ours fwd:224:64:stock fwd:224:64:ours train:150:16:nosg
  step 40 workflow:stock:2:nohead
  step 30 sweep:150:64
fi
[ -n "${DMON:-}" ] && kill $DMON 2>/dev/null
[ -z "${LOCAL_TEST:-}" ] && nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,memory.used --format=csv
sleep 1; grep '^RESULT ' $LOG | sed 's/^RESULT //' > $OUT/results.jsonl
echo "== end, total $(( $(date +%s) - START )) s"
