// Custom kernels of the bf16 forward pass; see forward_kernels.h for shapes and layout. The CPU
// references are in rollout/cpu_kernels.h; tests/rollout/cuda/rollout_cuda_model_gpu_test.cc
// compares whole forwards (CudaModel vs CpuModel) within a stated bf16 tolerance.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>

#include "rollout/cuda/forward_kernels.h"
#include "rollout/cuda/launch.h"

namespace verdict::rollout::cuda {
namespace {

constexpr int kP = kKvPageTokens;

__host__ __device__ inline uint16_t ToBf16(float f) {
  uint32_t u;
#if defined(__CUDA_ARCH__)
  u = __float_as_uint(f);
#else
  std::memcpy(&u, &f, sizeof u);
#endif
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

__device__ __forceinline__ float FromBf16(uint16_t b) {
  return __uint_as_float(static_cast<uint32_t>(b) << 16);
}

__device__ __forceinline__ int64_t KvIndex(int32_t page, int32_t layer, int32_t layers, int kind,
                                           int32_t slot, int32_t kv_dim) {
  return ((((static_cast<int64_t>(page) * layers + layer) * 2 + kind) * kP + slot) * kv_dim);
}

template <int kThreads>
__device__ float BlockSum(float v, float* scratch) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(~0u, v, o);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float t = 0.0f;
  for (int w = 0; w < kThreads / 32; ++w) t += scratch[w];
  __syncthreads();
  return t;
}

__global__ void EmbedKernel(const uint16_t* __restrict__ embed, const int32_t* __restrict__ tokens,
                            int32_t h, float* __restrict__ x) {
  const int64_t r = blockIdx.x;
  const uint16_t* e = embed + static_cast<int64_t>(tokens[r]) * h;
  for (int i = threadIdx.x; i < h; i += blockDim.x) x[r * h + i] = FromBf16(e[i]);
}

constexpr int kNormThreads = 256;
__global__ void __launch_bounds__(kNormThreads)
    RmsNormKernel(const float* __restrict__ x, const int32_t* __restrict__ rows,
                  const float* __restrict__ weight, int32_t h, float eps,
                  uint16_t* __restrict__ out) {
  __shared__ float scratch[kNormThreads / 32];
  const int64_t r = blockIdx.x;
  const float* xr = x + (rows ? rows[r] : r) * static_cast<int64_t>(h);
  float ss = 0.0f;
  for (int i = threadIdx.x; i < h; i += kNormThreads) ss += xr[i] * xr[i];
  ss = BlockSum<kNormThreads>(ss, scratch);
  const float scale = 1.0f / sqrtf(ss / static_cast<float>(h) + eps);
  for (int i = threadIdx.x; i < h; i += kNormThreads) {
    out[r * h + i] = ToBf16(xr[i] * scale * weight[i]);
  }
}

__global__ void QkvRopeAppendKernel(
    const float* __restrict__ qkv, const float* __restrict__ bias, const float2* __restrict__ rope,
    const int32_t* __restrict__ positions, const int32_t* __restrict__ row_table,
    const int32_t* __restrict__ page_tables, int32_t max_pages, int32_t nh, int32_t nkv, int32_t hd,
    int32_t layer, int32_t layers, float* __restrict__ q_out, uint16_t* __restrict__ kv_pool) {
  const int64_t r = blockIdx.x;
  const int32_t qd = nh * hd, kvd = nkv * hd, half = hd / 2, width = qd + 2 * kvd;
  const float* in = qkv + r * width;
  const int32_t pos = positions[r];
  const int32_t page = page_tables[static_cast<int64_t>(row_table[r]) * max_pages + pos / kP];
  const float2* cs = rope + static_cast<int64_t>(pos) * half;
  auto at = [&](int32_t c) { return in[c] + (bias ? bias[c] : 0.0f); };
  uint16_t* k_dst = kv_pool + KvIndex(page, layer, layers, 0, pos % kP, kvd);
  uint16_t* v_dst = kv_pool + KvIndex(page, layer, layers, 1, pos % kP, kvd);
  for (int32_t idx = threadIdx.x; idx < (nh + nkv) * half; idx += blockDim.x) {
    const int32_t head = idx / half, i = idx % half;
    const int32_t c = head * hd + i;  // q heads then k heads are contiguous in qkv
    const float a = at(c), b = at(c + half);
    const float2 t = cs[i];
    const float lo = a * t.x - b * t.y, hi = b * t.x + a * t.y;
    if (head < nh) {
      q_out[r * qd + c] = lo;
      q_out[r * qd + c + half] = hi;
    } else {
      const int32_t kc = c - qd;
      k_dst[kc] = ToBf16(lo);
      k_dst[kc + half] = ToBf16(hi);
    }
  }
  for (int32_t j = threadIdx.x; j < kvd; j += blockDim.x) v_dst[j] = ToBf16(at(qd + kvd + j));
}

constexpr int kAttnThreads = 128;  // also the chunk of positions scored at once

__device__ __forceinline__ void Bf16x8(uint4 raw, float* f) {
  const uint32_t w[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    f[2 * e] = __uint_as_float(w[e] << 16);
    f[2 * e + 1] = __uint_as_float(w[e] & 0xffff0000u);
  }
}

// One block per (row, KV head, split): the row's query heads of that KV head over the chunks of
// kAttnThreads positions numbered split, split + splits, ... (flash-decoding: a decode batch
// alone is too few blocks to keep the memory system busy), counted from the page that holds the
// first position the row sees (0, or a sliding window's first; positions before it in that page
// score -inf and weigh 0, and pages before it are not read). Per chunk: each thread scores one
// position (its whole K row loaded at once), an online softmax per head, then each thread
// accumulates 8 dims of V over every (kPosStep)-th position of the chunk (its V loads issued
// together). splits == 1: the block writes the output. Otherwise it writes its partial result
// (unnormalised sums, max, denominator) to `partial`, and the last of the row's splits to finish
// (a counter per (row, KV head), reset by that block) combines them.
template <int kHd>
__global__ void __launch_bounds__(kAttnThreads)
    AttentionKernel(const float* __restrict__ q, const int32_t* __restrict__ positions,
                    const int32_t* __restrict__ row_table, const int32_t* __restrict__ page_tables,
                    int32_t max_pages, int32_t nh, int32_t nkv, int32_t layer, int32_t layers,
                    int32_t window, const uint16_t* __restrict__ kv_pool,
                    uint16_t* __restrict__ out, float* __restrict__ partial,
                    int32_t* __restrict__ counters) {
  constexpr int kG = kAttnMaxGroup, kC = kAttnThreads, kVec = kHd / 8;
  constexpr int kPosStep = kC / kVec;     // positions a V pass covers
  constexpr int kVLoads = kC / kPosStep;  // = kVec: V rows a thread reads per chunk
  constexpr int kWarps = kC / 32;
  static_assert(kVec <= 32 && 32 % kVec == 0, "head_dim / 8 divides a warp");
  __shared__ float q_s[kG][kHd];
  __shared__ float p_s[kG][kC];
  __shared__ float m_s[kG], l_s[kG], alpha_s[kG];
  __shared__ int32_t pg_s[kC / kP];
  __shared__ float red_s[kWarps][kG][kHd];
  __shared__ int last_s;
  const int64_t r = blockIdx.x;
  const int32_t kvh = blockIdx.y, split = blockIdx.z, splits = gridDim.z;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int32_t g_n = nh / nkv, kvd = nkv * kHd;
  const float scale = 1.0f / sqrtf(static_cast<float>(kHd));
  const int32_t* table = page_tables + static_cast<int64_t>(row_table[r]) * max_pages;
  const int32_t len = positions[r] + 1;
  // First position seen; chunks start at its page, so that pg_s indexes whole pages.
  const int32_t lo = window > 0 && len > window ? len - window : 0;
  const int32_t base = lo / kP * kP;
  for (int i = tid; i < g_n * kHd; i += kC) {
    q_s[i / kHd][i % kHd] = q[r * nh * kHd + (kvh * g_n) * kHd + i];
  }
  if (tid < kG) {
    m_s[tid] = -INFINITY;
    l_s[tid] = 0.0f;
  }
  const int dc = tid % kVec,
            pos0 = tid / kVec;  // V: dims [8 dc, 8 dc + 8) of positions pos0 + j kPosStep
  float acc[kG][8];
#pragma unroll
  for (int g = 0; g < kG; ++g) {
#pragma unroll
    for (int e = 0; e < 8; ++e) acc[g][e] = 0.0f;
  }
  for (int32_t c0 = base + split * kC; c0 < len; c0 += splits * kC) {
    if (tid < kC / kP) {
      const int32_t pi = c0 / kP + tid;
      pg_s[tid] = pi * kP < len ? table[pi] : 0;
    }
    __syncthreads();
    // Scores: one position per thread, all query heads of this KV head.
    const int32_t p = c0 + tid;
    if (p >= lo && p < len) {
      const uint4* kr = reinterpret_cast<const uint4*>(
          kv_pool + KvIndex(pg_s[tid / kP], layer, layers, 0, p % kP, kvd) + kvh * kHd);
      uint4 raw[kVec];
#pragma unroll
      for (int j = 0; j < kVec; ++j) raw[j] = kr[j];
      float s[kG];
#pragma unroll
      for (int g = 0; g < kG; ++g) s[g] = 0.0f;
#pragma unroll
      for (int j = 0; j < kVec; ++j) {
        float k[8];
        Bf16x8(raw[j], k);
#pragma unroll
        for (int g = 0; g < kG; ++g) {
          if (g < g_n) {
#pragma unroll
            for (int e = 0; e < 8; ++e) s[g] += q_s[g][8 * j + e] * k[e];
          }
        }
      }
#pragma unroll
      for (int g = 0; g < kG; ++g) {
        if (g < g_n) p_s[g][tid] = s[g] * scale;
      }
    } else {
#pragma unroll
      for (int g = 0; g < kG; ++g) {
        if (g < g_n) p_s[g][tid] = -INFINITY;
      }
    }
    __syncthreads();
    // Online softmax per head (one warp per head at a time).
    for (int g = warp; g < g_n; g += kWarps) {
      float mx = -INFINITY;
      for (int i = lane; i < kC; i += 32) mx = fmaxf(mx, p_s[g][i]);
      for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(~0u, mx, o));
      const float m_old = m_s[g], m_new = fmaxf(m_old, mx);
      float sum = 0.0f;
      for (int i = lane; i < kC; i += 32) {
        const float e = expf(p_s[g][i] - m_new);  // -inf -> 0
        p_s[g][i] = e;
        sum += e;
      }
      for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(~0u, sum, o);
      if (lane == 0) {
        const float alpha = expf(m_old - m_new);  // m_old = -inf -> 0
        l_s[g] = l_s[g] * alpha + sum;
        m_s[g] = m_new;
        alpha_s[g] = alpha;
      }
    }
    __syncthreads();
    // Weighted values.
#pragma unroll
    for (int g = 0; g < kG; ++g) {
      if (g < g_n) {
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[g][e] *= alpha_s[g];
      }
    }
    uint4 vraw[kVLoads];
#pragma unroll
    for (int j = 0; j < kVLoads; ++j) {
      const int i = pos0 + j * kPosStep;
      // Past len: weight 0, and the cache there may be NaN. Before lo (a window's start): weight
      // 0 too, but the sequence wrote those positions, so they are finite and need no test.
      vraw[j] = c0 + i < len
                    ? *reinterpret_cast<const uint4*>(
                          kv_pool + KvIndex(pg_s[i / kP], layer, layers, 1, (c0 + i) % kP, kvd) +
                          kvh * kHd + 8 * dc)
                    : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int j = 0; j < kVLoads; ++j) {
      const int i = pos0 + j * kPosStep;
      float v[8];
      Bf16x8(vraw[j], v);
#pragma unroll
      for (int g = 0; g < kG; ++g) {
        if (g < g_n) {
          const float w = p_s[g][i];
#pragma unroll
          for (int e = 0; e < 8; ++e) acc[g][e] += w * v[e];
        }
      }
    }
    __syncthreads();
  }
  // Sum over the threads that share dims: lanes dc, dc + kVec, ... of each warp, then the warps.
#pragma unroll
  for (int o = kVec; o < 32; o <<= 1) {
#pragma unroll
    for (int g = 0; g < kG; ++g) {
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[g][e] += __shfl_xor_sync(~0u, acc[g][e], o);
    }
  }
  if (lane < kVec) {
#pragma unroll
    for (int g = 0; g < kG; ++g) {
#pragma unroll
      for (int e = 0; e < 8; ++e) red_s[warp][g][8 * lane + e] = acc[g][e];
    }
  }
  __syncthreads();
  const int64_t head0 = r * nh + kvh * g_n;  // the first query head of this block
  if (splits == 1) {
    for (int i = tid; i < g_n * kHd; i += kC) {
      const int g = i / kHd, d = i % kHd;
      float t = 0.0f;
      for (int w = 0; w < kWarps; ++w) t += red_s[w][g][d];
      out[(head0 + g) * kHd + d] = ToBf16(t / l_s[g]);
    }
    return;
  }
  // partial[(head * splits + split) * (kHd + 2) + ...]: kHd sums, then max, then denominator.
  constexpr int kStride = kHd + 2;
  for (int i = tid; i < g_n * kStride; i += kC) {
    const int g = i / kStride, d = i % kStride;
    float t;
    if (d < kHd) {
      t = 0.0f;
      for (int w = 0; w < kWarps; ++w) t += red_s[w][g][d];
    } else {
      t = d == kHd ? m_s[g] : l_s[g];
    }
    partial[((head0 + g) * splits + split) * kStride + d] = t;
  }
  __threadfence();  // this block's partial is visible before its count
  __syncthreads();
  if (tid == 0) {
    int32_t* counter = counters + r * nkv + kvh;
    last_s = atomicAdd(counter, 1) == splits - 1;
    if (last_s) *counter = 0;  // every split has counted: ready for the next launch
  }
  __syncthreads();
  if (!last_s) return;
  __threadfence();
  for (int i = tid; i < g_n * kHd; i += kC) {
    const int g = i / kHd, d = i % kHd;
    const float* pg = partial + (head0 + g) * splits * kStride;
    float m = -INFINITY;
    for (int s2 = 0; s2 < splits; ++s2) m = fmaxf(m, __ldcg(pg + s2 * kStride + kHd));
    float num = 0.0f, den = 0.0f;
    for (int s2 = 0; s2 < splits; ++s2) {
      const float ms = __ldcg(pg + s2 * kStride + kHd);
      if (ms == -INFINITY) continue;  // a split with no positions
      const float f = expf(ms - m);
      num += __ldcg(pg + s2 * kStride + d) * f;
      den += __ldcg(pg + s2 * kStride + kHd + 1) * f;
    }
    out[(head0 + g) * kHd + d] = ToBf16(num / den);
  }
}

__global__ void SwiGluKernel(const float* __restrict__ gu, int32_t inter,
                             uint16_t* __restrict__ out) {
  const int64_t r = blockIdx.y;
  for (int32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < inter; i += gridDim.x * blockDim.x) {
    const float g = gu[r * 2 * inter + i], u = gu[r * 2 * inter + inter + i];
    out[r * inter + i] = ToBf16(g / (1.0f + expf(-g)) * u);
  }
}

}  // namespace

uint16_t FloatToBf16(float f) { return ToBf16(f); }

int LaunchEmbed(const uint16_t* embed, const int32_t* tokens, int32_t n, int32_t h, float* x,
                void* stream) {
  if (n == 0) return cudaSuccess;
  VERDICT_LAUNCH(EmbedKernel, n, 256, 0, static_cast<cudaStream_t>(stream))(embed, tokens, h, x);
  return cudaGetLastError();
}

int LaunchRmsNorm(const float* x, const int32_t* rows, const float* weight, int32_t n, int32_t h,
                  float eps, uint16_t* out, void* stream) {
  if (n == 0) return cudaSuccess;
  VERDICT_LAUNCH(RmsNormKernel, n, kNormThreads, 0, static_cast<cudaStream_t>(stream))
  (x, rows, weight, h, eps, out);
  return cudaGetLastError();
}

int LaunchQkvRopeAppend(const float* qkv, const float* bias, const float* rope,
                        const int32_t* positions, const int32_t* row_table,
                        const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                        int32_t nkv, int32_t hd, int32_t layer, int32_t layers, float* q_out,
                        uint16_t* kv_pool, void* stream) {
  if (n == 0) return cudaSuccess;
  VERDICT_LAUNCH(QkvRopeAppendKernel, n, 128, 0, static_cast<cudaStream_t>(stream))
  (qkv, bias, reinterpret_cast<const float2*>(rope), positions, row_table, page_tables, max_pages,
   nh, nkv, hd, layer, layers, q_out, kv_pool);
  return cudaGetLastError();
}

int32_t AttentionSplits(int32_t n, int32_t nkv, int32_t sm_count) {
  const int64_t blocks = static_cast<int64_t>(n) * nkv, want = 4 * static_cast<int64_t>(sm_count);
  const int64_t s = blocks <= 0 ? 1 : (want + blocks - 1) / blocks;
  return static_cast<int32_t>(s < 1 ? 1 : s > kAttnMaxSplits ? kAttnMaxSplits : s);
}

int LaunchAttention(const float* q, const int32_t* positions, const int32_t* row_table,
                    const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                    int32_t nkv, int32_t hd, int32_t layer, int32_t layers, int32_t window,
                    const uint16_t* kv_pool, uint16_t* out, int32_t splits, float* partial,
                    int32_t* counters, void* stream) {
  if (n == 0) return cudaSuccess;
  if (window < 0 || nh % nkv != 0 || nh / nkv > kAttnMaxGroup || hd > kAttnMaxHeadDim ||
      hd % 8 != 0 || kAttnMaxHeadDim % hd != 0 || splits < 1 || splits > kAttnMaxSplits ||
      (splits > 1 && (partial == nullptr || counters == nullptr))) {
    return cudaErrorInvalidValue;
  }
  const dim3 grid(n, nkv, splits);
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
#define VERDICT_ATTENTION_CASE(HD)                                                             \
  case HD:                                                                                     \
    VERDICT_LAUNCH(AttentionKernel<HD>, grid, kAttnThreads, 0, st)                             \
    (q, positions, row_table, page_tables, max_pages, nh, nkv, layer, layers, window, kv_pool, \
     out, partial, counters);                                                                  \
    break;
  switch (hd) {
    VERDICT_ATTENTION_CASE(8)
    VERDICT_ATTENTION_CASE(16)
    VERDICT_ATTENTION_CASE(32)
    VERDICT_ATTENTION_CASE(64)
    VERDICT_ATTENTION_CASE(128)
    default: return cudaErrorInvalidValue;
  }
#undef VERDICT_ATTENTION_CASE
  return cudaGetLastError();
}

int LaunchSwiGlu(const float* gu, int32_t n, int32_t inter, uint16_t* out, void* stream) {
  if (n == 0) return cudaSuccess;
  const int blocks_x = (inter + 255) / 256 < 64 ? (inter + 255) / 256 : 64;
  VERDICT_LAUNCH(SwiGluKernel, dim3(blocks_x, n), 256, 0, static_cast<cudaStream_t>(stream))
  (gu, inter, out);
  return cudaGetLastError();
}

}  // namespace verdict::rollout::cuda
