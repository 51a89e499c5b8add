// The SIMT emulator itself (rollout/cuda/emu): that it runs CUDA code as a GPU would where the
// code is correct, and that it reports (or visibly exposes) what a GPU would hang on, corrupt or
// reject: divergent barriers, partial shuffles, missing barriers, bad launches, forbidden calls
// during graph capture, copies outside allocations. Also its cuBLAS GEMM and CUB algorithms
// against plain references. Runs on any machine (no GPU involved).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
// After gtest: the emulator's macros (threadIdx, __shared__, ...) are for kernel code.
#include <cublas_v2.h>

#include "rollout/cuda/emu/cub.h"
#include "rollout/cuda/launch.h"

namespace {

// ---- Kernels ----

__global__ void WarpSumKernel(int* out) {
  int v = static_cast<int>(threadIdx.x & 31);
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(~0u, v, o);
  out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}

__global__ void NeighbourKernel(int* out, bool barrier) {
  VERDICT_DYNAMIC_SHARED(smem);
  int* s = reinterpret_cast<int*>(smem);
  const int n = static_cast<int>(blockDim.x), t = static_cast<int>(threadIdx.x);
  s[t] = t * 10 + static_cast<int>(blockIdx.x);
  if (barrier) __syncthreads();
  out[blockIdx.x * n + t] = s[(t + 1) % n];
}

__global__ void SyncOrKernel(const int* in, int* out) {
  const int t = static_cast<int>(threadIdx.x);
  const int a = __syncthreads_or(in[t]);
  const int b = __syncthreads_or(in[t] && t == 0);  // the next barrier's OR is its own
  out[t] = (a != 0) * 2 + (b != 0);
}

__global__ void EarlyReturnKernel(int* out) {
  if (threadIdx.x == 3) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

__global__ void HalfWarpShuffleKernel(int* out) {
  int v = 1;
  if ((threadIdx.x & 31) < 16) v = __shfl_xor_sync(~0u, v, 1);
  out[threadIdx.x] = v;
}

__global__ void NarrowMaskKernel(int* out) { out[threadIdx.x] = __shfl_xor_sync(0xffffu, 1, 1); }

__global__ void AddOneKernel(int* counter) {
  if (threadIdx.x == 0) *counter += 1;
}

__global__ void Index3dKernel(int* out) {
  const int tid = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const int bid = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const int per_block = blockDim.x * blockDim.y * blockDim.z;
  out[bid * per_block + tid] = bid * 1000 + tid;
}

constexpr int kScanThreads = 128;
__global__ void ScanReduceKernel(const uint64_t* in, uint64_t* scanned, uint64_t* total) {
  using Scan = cub::BlockScan<uint64_t, kScanThreads>;
  using Reduce = cub::BlockReduce<uint64_t, kScanThreads>;
  __shared__ typename Scan::TempStorage scan;
  __shared__ typename Reduce::TempStorage red;
  uint64_t v[4];
  for (int j = 0; j < 4; ++j) v[j] = in[threadIdx.x * 4 + j];
  uint64_t sum = v[0] + v[1] + v[2] + v[3];
  Scan(scan).InclusiveSum(v, v);
  for (int j = 0; j < 4; ++j) scanned[threadIdx.x * 4 + j] = v[j];
  sum = Reduce(red).Sum(sum);
  if (threadIdx.x == 0) *total = sum;
}

template <typename T>
T* DeviceAlloc(size_t n) {
  void* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, n * sizeof(T)), cudaSuccess);
  return static_cast<T*>(p);
}

template <typename T>
std::vector<T> ToHost(const T* d, size_t n) {
  std::vector<T> h(n);
  EXPECT_EQ(cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return h;
}

// ---- Execution model ----

TEST(SimtEmulator, WarpShuffleButterflyGivesEveryLaneTheSum) {
  int* d = DeviceAlloc<int>(96);
  VERDICT_LAUNCH(WarpSumKernel, 1, 96, 0, nullptr)(d);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  for (int v : ToHost(d, 96)) EXPECT_EQ(v, 496);
  cudaFree(d);
}

TEST(SimtEmulator, SyncThreadsOrdersSharedMemory) {
  const int n = 256, blocks = 3;
  int* d = DeviceAlloc<int>(n * blocks);
  VERDICT_LAUNCH(NeighbourKernel, blocks, n, n * sizeof(int), nullptr)(d, true);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const std::vector<int> h = ToHost(d, n * blocks);
  for (int b = 0; b < blocks; ++b) {
    for (int t = 0; t < n; ++t) EXPECT_EQ(h[b * n + t], ((t + 1) % n) * 10 + b);
  }
  cudaFree(d);
}

TEST(SimtEmulator, SyncThreadsOrGivesEveryThreadTheBlocksOr) {
  const int n = 96;
  std::vector<int> in(n, 0);
  in[70] = 5;  // a thread that is not thread 0
  int* d_in = DeviceAlloc<int>(n);
  int* d_out = DeviceAlloc<int>(n);
  ASSERT_EQ(cudaMemcpy(d_in, in.data(), n * sizeof(int), cudaMemcpyHostToDevice), cudaSuccess);
  VERDICT_LAUNCH(SyncOrKernel, 1, n, 0, nullptr)(d_in, d_out);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  for (int v : ToHost(d_out, n)) EXPECT_EQ(v, 2);
  in[0] = 1;
  ASSERT_EQ(cudaMemcpy(d_in, in.data(), n * sizeof(int), cudaMemcpyHostToDevice), cudaSuccess);
  VERDICT_LAUNCH(SyncOrKernel, 1, n, 0, nullptr)(d_in, d_out);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  for (int v : ToHost(d_out, n)) EXPECT_EQ(v, 3);
  cudaFree(d_in);
  cudaFree(d_out);
}

TEST(SimtEmulator, MissingBarrierShowsAsWrongValues) {
  // Without the barrier a thread may read its neighbour's slot before the neighbour wrote it; the
  // shuffled order makes that happen (and dynamic shared memory starts as 0xff bytes).
  const int n = 256;
  int* d = DeviceAlloc<int>(n);
  VERDICT_LAUNCH(NeighbourKernel, 1, n, n * sizeof(int), nullptr)(d, false);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  int stale = 0;
  for (int v : ToHost(d, n)) stale += v == -1;
  EXPECT_GT(stale, n / 8);
  EXPECT_LT(stale, n);
  cudaFree(d);
}

TEST(SimtEmulator, ThreadAndBlockIndicesIn3d) {
  const dim3 grid(2, 3, 2), block(4, 2, 3);
  const int per = 24, blocks = 12;
  int* d = DeviceAlloc<int>(per * blocks);
  VERDICT_LAUNCH(Index3dKernel, grid, block, 0, nullptr)(d);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const std::vector<int> h = ToHost(d, per * blocks);
  for (int b = 0; b < blocks; ++b) {
    for (int t = 0; t < per; ++t) EXPECT_EQ(h[b * per + t], b * 1000 + t);
  }
  cudaFree(d);
}

TEST(SimtEmulator, BarrierNotReachedByAllThreadsFailsTheLaunch) {
  int* d = DeviceAlloc<int>(64);
  VERDICT_LAUNCH(EarlyReturnKernel, 1, 64, 0, nullptr)(d);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);  // the launch itself is fine
  EXPECT_EQ(cudaDeviceSynchronize(), cudaErrorLaunchFailure);
  cudaGetLastError();
  cudaFree(d);
}

TEST(SimtEmulator, ShuffleSkippedByPartOfTheWarpFailsTheLaunch) {
  int* d = DeviceAlloc<int>(32);
  VERDICT_LAUNCH(HalfWarpShuffleKernel, 1, 32, 0, nullptr)(d);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaErrorLaunchFailure);
  VERDICT_LAUNCH(NarrowMaskKernel, 1, 32, 0, nullptr)(d);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaErrorLaunchFailure);
  cudaGetLastError();
  // The emulator is usable after a failed launch.
  VERDICT_LAUNCH(WarpSumKernel, 1, 32, 0, nullptr)(d);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  cudaFree(d);
}

TEST(SimtEmulator, LaunchConfigurationIsChecked) {
  int* d = DeviceAlloc<int>(2048);
  VERDICT_LAUNCH(WarpSumKernel, 1, 1025, 0, nullptr)(d);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  VERDICT_LAUNCH(WarpSumKernel, dim3(1, 70000), 32, 0, nullptr)(d);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidConfiguration);
  // Over 48 KiB of dynamic shared memory needs the attribute, and 227 KiB is the most.
  VERDICT_LAUNCH(NeighbourKernel, 1, 32, 64 << 10, nullptr)(d, true);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  ASSERT_EQ(cudaFuncSetAttribute(reinterpret_cast<const void*>(NeighbourKernel),
                                 cudaFuncAttributeMaxDynamicSharedMemorySize, 64 << 10),
            cudaSuccess);
  VERDICT_LAUNCH(NeighbourKernel, 1, 32, 64 << 10, nullptr)(d, true);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(cudaFuncSetAttribute(reinterpret_cast<const void*>(NeighbourKernel),
                                 cudaFuncAttributeMaxDynamicSharedMemorySize, 300 << 10),
            cudaErrorInvalidValue);
  cudaFree(d);
}

// ---- Runtime ----

TEST(SimtEmulator, FreshDeviceMemoryIsPoisonedNotZero) {
  float* d = DeviceAlloc<float>(16);
  for (float f : ToHost(d, 16)) EXPECT_TRUE(std::isnan(f));
  cudaFree(d);
}

TEST(SimtEmulator, CopiesMustLieInsideDeviceAllocations) {
  int* d = DeviceAlloc<int>(8);
  std::vector<int> h(16, 1), other(16);
  EXPECT_EQ(cudaMemcpy(d, h.data(), 8 * sizeof(int), cudaMemcpyHostToDevice), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(d, h.data(), 9 * sizeof(int), cudaMemcpyHostToDevice),
            cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(other.data(), h.data(), 4, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemcpy(h.data(), d + 4, 5 * sizeof(int), cudaMemcpyDeviceToHost),
            cudaErrorInvalidValue);
  EXPECT_EQ(cudaMemset(d + 1, 0, 8 * sizeof(int)), cudaErrorInvalidValue);
  cudaGetLastError();
  EXPECT_EQ(cudaFree(h.data()), cudaErrorInvalidValue);
  EXPECT_EQ(cudaFree(d), cudaSuccess);
  EXPECT_EQ(cudaFree(d), cudaErrorInvalidValue);  // twice
  cudaGetLastError();
}

TEST(SimtEmulator, WorkRunsWhenTheHostWaitsForIt) {
  // As late as CUDA allows: a host that reuses staging memory before waiting sees it.
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  int* d = DeviceAlloc<int>(1);
  int* pinned = nullptr;
  ASSERT_EQ(cudaMallocHost(reinterpret_cast<void**>(&pinned), sizeof(int)), cudaSuccess);
  *pinned = 1;
  ASSERT_EQ(cudaMemcpyAsync(d, pinned, sizeof(int), cudaMemcpyHostToDevice, s), cudaSuccess);
  VERDICT_LAUNCH(AddOneKernel, 1, 32, 0, s)(d);
  *pinned = 40;  // too early: the copy has not run
  EXPECT_EQ(*d, -1) << "nothing ran yet (fresh memory is 0xff bytes)";
  // A synchronous copy on the legacy stream does not wait for a non-blocking stream.
  int h = 0;
  ASSERT_EQ(cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(h, -1);
  ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
  EXPECT_EQ(ToHost(d, 1)[0], 41);
  cudaFreeHost(pinned);
  cudaFree(d);
  cudaStreamDestroy(s);
}

TEST(SimtEmulator, GraphRecordsWorkAndReplaysIt) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  int* d = DeviceAlloc<int>(1);
  ASSERT_EQ(cudaMemset(d, 0, sizeof(int)), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  VERDICT_LAUNCH(AddOneKernel, 1, 32, 0, s)(d);
  VERDICT_LAUNCH(AddOneKernel, 1, 32, 0, s)(d);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  cudaGraph_t g;
  ASSERT_EQ(cudaStreamEndCapture(s, &g), cudaSuccess);
  EXPECT_EQ(ToHost(d, 1)[0], 0) << "captured work must not run";
  cudaGraphExec_t e;
  ASSERT_EQ(cudaGraphInstantiate(&e, g, 0), cudaSuccess);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(cudaGraphLaunch(e, s), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
  EXPECT_EQ(ToHost(d, 1)[0], 6);
  cudaGraphExecDestroy(e);
  cudaGraphDestroy(g);
  cudaFree(d);
  cudaStreamDestroy(s);
}

TEST(SimtEmulator, CallsForbiddenDuringCaptureInvalidateIt) {
  cudaStream_t s;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), cudaSuccess);
  for (int which = 0; which < 4; ++which) {
    ASSERT_EQ(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
    void* p = nullptr;
    int* d = nullptr;
    switch (which) {
      case 0: EXPECT_EQ(cudaMalloc(&p, 16), cudaErrorStreamCaptureUnsupported); break;
      case 1: EXPECT_EQ(cudaStreamSynchronize(s), cudaErrorStreamCaptureUnsupported); break;
      case 2: {
        int h = 0;
        EXPECT_EQ(cudaMemcpy(&h, &h, 4, cudaMemcpyHostToHost), cudaErrorStreamCaptureUnsupported);
        break;
      }
      case 3:  // work for the legacy stream
        VERDICT_LAUNCH(AddOneKernel, 1, 32, 0, nullptr)(d);
        EXPECT_EQ(cudaGetLastError(), cudaErrorStreamCaptureImplicit);
        break;
    }
    cudaGraph_t g = nullptr;
    EXPECT_EQ(cudaStreamEndCapture(s, &g), cudaErrorStreamCaptureInvalidated) << which;
    EXPECT_EQ(g, nullptr);
    cudaGetLastError();
  }
  cudaStreamDestroy(s);
}

// ---- CUB and cuBLAS ----

TEST(SimtEmulator, BlockScanAndReduce) {
  std::vector<uint64_t> in(kScanThreads * 4);
  std::mt19937_64 rng(5);
  for (auto& x : in) x = rng() >> 20;
  uint64_t* d_in = DeviceAlloc<uint64_t>(in.size());
  uint64_t* d_scan = DeviceAlloc<uint64_t>(in.size());
  uint64_t* d_total = DeviceAlloc<uint64_t>(1);
  ASSERT_EQ(cudaMemcpy(d_in, in.data(), in.size() * 8, cudaMemcpyHostToDevice), cudaSuccess);
  VERDICT_LAUNCH(ScanReduceKernel, 1, kScanThreads, 0, nullptr)(d_in, d_scan, d_total);
  ASSERT_EQ(cudaGetLastError(), cudaSuccess);
  const std::vector<uint64_t> scan = ToHost(d_scan, in.size());
  uint64_t run = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    run += in[i];
    ASSERT_EQ(scan[i], run) << i;
  }
  EXPECT_EQ(ToHost(d_total, 1)[0], run);
  cudaFree(d_in);
  cudaFree(d_scan);
  cudaFree(d_total);
}

TEST(SimtEmulator, SegmentedSortDescendingIsStableInRadixOrder) {
  const std::vector<float> keys = {1.0f, -0.0f, 3.0f, 0.0f, 1.0f, -2.0f, 5.0f, 5.0f};
  const std::vector<int> vals = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<int> offsets = {0, 6, 8};
  float* dk = DeviceAlloc<float>(8);
  float* dk_out = DeviceAlloc<float>(8);
  int* dv = DeviceAlloc<int>(8);
  int* dv_out = DeviceAlloc<int>(8);
  int* doff = DeviceAlloc<int>(3);
  cudaMemcpy(dk, keys.data(), 32, cudaMemcpyHostToDevice);
  cudaMemcpy(dv, vals.data(), 32, cudaMemcpyHostToDevice);
  cudaMemcpy(doff, offsets.data(), 12, cudaMemcpyHostToDevice);
  size_t temp_bytes = 0;
  ASSERT_EQ(cub::DeviceSegmentedRadixSort::SortPairsDescending(nullptr, temp_bytes, dk, dk_out, dv,
                                                               dv_out, 8, 2, doff, doff + 1),
            cudaSuccess);
  void* temp = DeviceAlloc<char>(temp_bytes);
  ASSERT_EQ(cub::DeviceSegmentedRadixSort::SortPairsDescending(temp, temp_bytes, dk, dk_out, dv,
                                                               dv_out, 8, 2, doff, doff + 1),
            cudaSuccess);
  // Segment 0: 3, 1 (id 0), 1 (id 4), +0 (id 3), -0 (id 1), -2; segment 1: 5 (6), 5 (7).
  EXPECT_EQ(ToHost(dv_out, 8), (std::vector<int>{2, 0, 4, 3, 1, 5, 6, 7}));
  for (void* p : {static_cast<void*>(dk), static_cast<void*>(dk_out), static_cast<void*>(dv),
                  static_cast<void*>(dv_out), static_cast<void*>(doff), temp}) {
    cudaFree(p);
  }
}

uint16_t Bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
float FromBf16(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(SimtEmulator, GemmExMatchesColumnMajorBlas) {
  const int m = 7, n = 5, k = 11, pad = 3;
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  cublasHandle_t h;
  ASSERT_EQ(cublasCreate(&h), CUBLAS_STATUS_SUCCESS);
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      // Stored A: (ta ? k x m : m x k) column-major with lda = rows + pad; likewise B.
      const int a_rows = ta ? k : m, a_cols = ta ? m : k, b_rows = tb ? n : k, b_cols = tb ? k : n;
      const int lda = a_rows + pad, ldb = b_rows + pad, ldc = m + pad;
      std::vector<uint16_t> a(static_cast<size_t>(lda) * a_cols),
          b(static_cast<size_t>(ldb) * b_cols);
      for (auto& x : a) x = Bf16(dist(rng));
      for (auto& x : b) x = Bf16(dist(rng));
      std::vector<float> c0(static_cast<size_t>(ldc) * n);
      for (auto& x : c0) x = dist(rng);
      uint16_t* da = DeviceAlloc<uint16_t>(a.size());
      uint16_t* db = DeviceAlloc<uint16_t>(b.size());
      float* dc = DeviceAlloc<float>(c0.size());
      cudaMemcpy(da, a.data(), a.size() * 2, cudaMemcpyHostToDevice);
      cudaMemcpy(db, b.data(), b.size() * 2, cudaMemcpyHostToDevice);
      for (float beta : {0.0f, 0.5f}) {
        // beta = 0: C starts as NaN (cudaMalloc's poison), which must not be read.
        if (beta != 0.0f) cudaMemcpy(dc, c0.data(), c0.size() * 4, cudaMemcpyHostToDevice);
        const float alpha = 2.0f;
        ASSERT_EQ(cublasGemmEx(h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m,
                               n, k, &alpha, da, CUDA_R_16BF, lda, db, CUDA_R_16BF, ldb, &beta, dc,
                               CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                  CUBLAS_STATUS_SUCCESS);
        const std::vector<float> c = ToHost(dc, c0.size());
        for (int i = 0; i < n; ++i) {
          for (int j = 0; j < m; ++j) {
            double want = 0;
            for (int p = 0; p < k; ++p) {
              const double av = FromBf16(ta ? a[p + j * lda] : a[j + p * lda]);
              const double bv = FromBf16(tb ? b[i + p * ldb] : b[p + i * ldb]);
              want += av * bv;
            }
            want = alpha * want + beta * c0[j + i * ldc];
            EXPECT_NEAR(c[j + i * ldc], want, 1e-4) << ta << tb << " beta " << beta;
          }
        }
      }
      // A leading dimension smaller than the rows is rejected, like cuBLAS.
      const float one = 1.0f;
      EXPECT_EQ(cublasGemmEx(h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m,
                             n, k, &one, da, CUDA_R_16BF, a_rows - 1, db, CUDA_R_16BF, ldb, &one,
                             dc, CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                CUBLAS_STATUS_INVALID_VALUE);
      // An operand running past its allocation is rejected.
      EXPECT_EQ(cublasGemmEx(h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m,
                             n + 1, k, &one, da, CUDA_R_16BF, lda, db, CUDA_R_16BF, ldb, &one, dc,
                             CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                CUBLAS_STATUS_INVALID_VALUE);
      cudaFree(da);
      cudaFree(db);
      cudaFree(dc);
    }
  }
  cublasDestroy(h);
}

}  // namespace
