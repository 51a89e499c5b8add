#!/usr/bin/env bash
# Run HERE (a machine with the build dependencies): builds what bench/rollout/gpu_acceptance.sh
# needs in build/h-cuda and copies it, with the shared libraries the GPU machine lacks (Debian's
# absl, gRPC, protobuf, ICU, simdjson, ...; not libc/libstdc++, not the driver, not cuBLAS, which
# that machine's CUDA toolkit has), into gpu-bundle/bundle.tar.xz (git-ignored through
# .git/info/exclude; compressed because ICU's data alone is 31 MB).
# Then, on the device: bash bench/rollout/gpu_acceptance.sh gpu-bundle   (carry: gpu-bundle)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build/h-cuda}
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_WERROR=ON -DVERDICT_BUILD_BENCH=ON
fi
BINS=(rollout/verdict-rollout cli/verdict
      tests/rollout/cuda/rollout_sampler_gpu_test tests/rollout/cuda/rollout_cuda_model_gpu_test
      tests/rollout/rollout_worker_e2e_test
      bench/rollout/gpu/sampler_gpu_bench bench/rollout/gpu/decode_gpu_bench)
targets=()
for b in "${BINS[@]}"; do targets+=("$(basename "$b")"); done
nice ninja -C "$BUILD" -j"${JOBS:-2}" "${targets[@]}"
grep -qx '/gpu-bundle/' .git/info/exclude 2>/dev/null || echo '/gpu-bundle/' >> .git/info/exclude
rm -rf gpu-bundle
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/build" "$STAGE/lib"
for b in "${BINS[@]}"; do
  mkdir -p "$STAGE/build/$(dirname "$b")"
  cp "$BUILD/$b" "$STAGE/build/$b"
  strip --strip-debug "$STAGE/build/$b"
done
for b in "${BINS[@]}"; do ldd "$BUILD/$b"; done | awk '/=> \// {print $3}' | sort -u |
  grep -Ev '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|ld-linux[^/]*|libcuda|libcublas|libcublasLt)\.so' |
  while read -r lib; do cp -L "$lib" "$STAGE/lib/"; done
mkdir -p gpu-bundle
tar -C "$STAGE" -cJf gpu-bundle/bundle.tar.xz build lib
du -sh gpu-bundle
total=$(du -sm gpu-bundle | cut -f1)
if [ "$total" -gt 56 ]; then echo "gpu-bundle is ${total} MiB: over the 64 MiB a device call carries" >&2; exit 1; fi
