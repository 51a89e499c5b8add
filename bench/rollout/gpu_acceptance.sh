#!/usr/bin/env bash
# Issue 8's GPU acceptance, in one run (~6-8 minutes on an H100/H200). Writes everything under
# $OUT (default /tmp/verdict-gpu-acceptance): acceptance.log (all output), summary.txt (one line
# per step: PASS/FAIL/SKIP and its time), sampler_bench.txt, decode_bench.txt.
#
# Usage: bash bench/rollout/gpu_acceptance.sh [BUNDLE_OR_BUILD_DIR]
#   gpu-bundle   (holding bundle.tar.xz) made by bench/rollout/make_gpu_bundle.sh and carried
#                to the device (the device image has nvcc, CMake and ninja but not Debian's
#                absl/gRPC/ICU, so the binaries travel with their libraries);
#   a build dir  (default build/h-cuda) on a machine with every dependency; built if needed.
# Steps: GPU sampler vs its CPU emulation and the contract; compute-sanitizer memcheck and
# racecheck on the sampler and on the tiny model's forward; the sampler benchmark (batch
# 64/256/1024 x V=151936, ratio to the bandwidth floor, beside a CUB sort baseline, and the
# raw-logprob kernel's time in its notes); GPU vs CPU logits for the tiny model, the tiny model
# with a Qwen2 sliding window (tiny-window; also memchecked), a Qwen2.5-0.5B-shaped random model
# and a 2-layer one with a 300-token prompt (bf16 tolerance in the test's header; also
# DecodeSample vs Decode + the CPU sampler, and raw logprobs from the GPU kernel); decode tokens/s at batch 64 and 256 with a 2k context vs the bandwidth floor
# (attention split over the SMs, and unsplit), and the worker's step with GPU sampling beside the
# CPU-sampling path; the end-to-end worker test with the CUDA path on (forward and sampling).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-/tmp/verdict-gpu-acceptance}
mkdir -p "$OUT"
LOG=$OUT/acceptance.log
SUMMARY=$OUT/summary.txt
: >"$LOG"
: >"$SUMMARY"
ARG=${1:-build/h-cuda}

say() { echo "$*" | tee -a "$LOG"; }

if [ -f "$ARG/bundle.tar.xz" ]; then  # a bundle
  rm -rf /tmp/verdict-bundle && mkdir -p /tmp/verdict-bundle &&
    tar -C /tmp/verdict-bundle -xJf "$ARG/bundle.tar.xz" ||
    { say "cannot unpack $ARG/bundle.tar.xz"; echo "FAIL unpack" >>"$SUMMARY"; exit 1; }
  B=/tmp/verdict-bundle/build
  export LD_LIBRARY_PATH=/tmp/verdict-bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
  B=$ROOT/$ARG
  if [ ! -x "$B/tests/rollout/cuda/rollout_sampler_gpu_test" ]; then
    say "== building in $B"
    cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_BUILD_BENCH=ON >>"$LOG" 2>&1 &&
      ninja -C "$B" verdict-rollout verdict rollout_sampler_gpu_test rollout_cuda_model_gpu_test \
        rollout_worker_e2e_test sampler_gpu_bench decode_gpu_bench >>"$LOG" 2>&1 ||
      { say "build failed"; echo "FAIL build" >>"$SUMMARY"; exit 1; }
  fi
fi
# cuBLAS comes from the machine's CUDA toolkit (or pip's nvidia-cublas).
if ! ldconfig -p 2>/dev/null | grep -q 'libcublas.so.13'; then
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
           $(python3 -c 'import nvidia.cublas, os; print(os.path.dirname(nvidia.cublas.__file__) + "/lib")' 2>/dev/null); do
    if [ -e "$d/libcublas.so.13" ]; then export LD_LIBRARY_PATH=$d:${LD_LIBRARY_PATH:-}; break; fi
  done
fi
# The tests were compiled with this checkout's paths (VERDICT_SOURCE_DIR=/work/main,
# VERDICT_BINARY_DIR=/work/main/build/h-cuda): make them resolve here.
if [ "$(readlink -f /work/main 2>/dev/null)" != "$ROOT" ]; then
  if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$ROOT" /work/main; fi
fi
if [ "$B" != "$ROOT/build/h-cuda" ] && [ ! -e "$ROOT/build/h-cuda" ]; then
  mkdir -p "$ROOT/build" && ln -s "$B" "$ROOT/build/h-cuda"
fi

nvidia-smi -L 2>&1 | tee -a "$LOG"
say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

# step NAME TIMEOUT_S OUTFILE CMD...: runs with a limit, logs, records PASS/FAIL/SKIP.
step() {
  local name=$1 limit=$2 out=$3
  shift 3
  say "== $name: $*"
  local t0=$SECONDS rc
  if [ -n "$out" ]; then
    timeout "$limit" "$@" 2>&1 | tee -a "$LOG" >"$OUT/$out"
    rc=${PIPESTATUS[0]}
  else
    timeout "$limit" "$@" >>"$LOG" 2>&1
    rc=$?
  fi
  local verdict=PASS
  [ "$rc" = 77 ] && verdict=SKIP
  [ "$rc" != 0 ] && [ "$rc" != 77 ] && verdict="FAIL(rc=$rc)"
  echo "$verdict $name ($((SECONDS - t0)) s)" | tee -a "$SUMMARY" "$LOG"
}

T=$B/tests/rollout/cuda
for d in /usr/local/cuda/bin /usr/local/cuda/compute-sanitizer; do
  if ! command -v compute-sanitizer >/dev/null && [ -x "$d/compute-sanitizer" ]; then export PATH=$PATH:$d; fi
done
step sampler_check 150 "" "$T/rollout_sampler_gpu_test" 4
if command -v compute-sanitizer >/dev/null; then
  step sanitizer_memcheck 150 "" compute-sanitizer --tool memcheck --error-exitcode 9 \
    "$T/rollout_sampler_gpu_test" 1 64
  step sanitizer_racecheck 120 "" compute-sanitizer --tool racecheck --error-exitcode 9 \
    "$T/rollout_sampler_gpu_test" 1 8
  step sanitizer_memcheck_model 150 "" compute-sanitizer --tool memcheck --error-exitcode 9 \
    "$T/rollout_cuda_model_gpu_test" tiny
  # Shared-memory races in the forward kernels, split attention and the sliced sampler included.
  step sanitizer_racecheck_model 120 "" compute-sanitizer --tool racecheck --error-exitcode 9 \
    "$T/rollout_cuda_model_gpu_test" tiny-split
  # Sliding-window attention: chunks from the window's page, never a page outside the table.
  step sanitizer_memcheck_window 150 "" compute-sanitizer --tool memcheck --error-exitcode 9 \
    "$T/rollout_cuda_model_gpu_test" tiny-window
else
  echo "SKIP compute-sanitizer (not on PATH)" | tee -a "$SUMMARY"
fi
step sampler_bench 120 sampler_bench.txt "$B/bench/rollout/gpu/sampler_gpu_bench" 30
step model_logits 240 "" "$T/rollout_cuda_model_gpu_test" all
step decode_bench 240 decode_bench.txt "$B/bench/rollout/gpu/decode_gpu_bench" 16
# The worker must take the CUDA path (forward and sampling on the GPU), not fall back.
VERDICT_ROLLOUT_EXPECT="forward and sampling on the GPU" \
  step worker_e2e 180 "" "$B/tests/rollout/rollout_worker_e2e_test"
# The e2e test runs verdict-rollout; show which path it said it took.
grep -h "verdict-rollout: " "$LOG" | sort | uniq -c | tee -a "$SUMMARY"
say "== summary"
cat "$SUMMARY"
! grep -q '^FAIL' "$SUMMARY"
