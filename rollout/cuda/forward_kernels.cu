// Custom kernels of the bf16 forward pass; see forward_kernels.h for shapes and layout. The CPU
// references are in rollout/cpu_kernels.h; tests/rollout/cuda/rollout_cuda_model_gpu_test.cc compares
// whole forwards (CudaModel vs CpuModel) within a stated bf16 tolerance.
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

__global__ void QkvRopeAppendKernel(const float* __restrict__ qkv, const float* __restrict__ bias,
                                    const float2* __restrict__ rope,
                                    const int32_t* __restrict__ positions,
                                    const int32_t* __restrict__ row_table,
                                    const int32_t* __restrict__ page_tables, int32_t max_pages,
                                    int32_t nh, int32_t nkv, int32_t hd, int32_t layer,
                                    int32_t layers, float* __restrict__ q_out,
                                    uint16_t* __restrict__ kv_pool) {
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
__global__ void __launch_bounds__(kAttnThreads)
    AttentionKernel(const float* __restrict__ q, const int32_t* __restrict__ positions,
                    const int32_t* __restrict__ row_table,
                    const int32_t* __restrict__ page_tables, int32_t max_pages, int32_t nh,
                    int32_t nkv, int32_t hd, int32_t layer, int32_t layers,
                    const uint16_t* __restrict__ kv_pool, uint16_t* __restrict__ out) {
  constexpr int kG = kAttnMaxGroup, kC = kAttnThreads;
  __shared__ float q_s[kG][kAttnMaxHeadDim];
  __shared__ float p_s[kG][kC];
  __shared__ float m_s[kG], l_s[kG], alpha_s[kG];
  __shared__ int32_t pg_s[kC / kP];
  __shared__ float red_s[kAttnThreads * kG];
  const int64_t r = blockIdx.x;
  const int32_t kvh = blockIdx.y, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int32_t g_n = nh / nkv, kvd = nkv * hd;
  const float scale = 1.0f / sqrtf(static_cast<float>(hd));
  const int32_t* table = page_tables + static_cast<int64_t>(row_table[r]) * max_pages;
  const int32_t len = positions[r] + 1;
  for (int i = tid; i < g_n * hd; i += kAttnThreads) {
    q_s[i / hd][i % hd] = q[r * nh * hd + (kvh * g_n) * hd + i];
  }
  if (tid < kG) {
    m_s[tid] = -INFINITY;
    l_s[tid] = 0.0f;
  }
  const int nsplit = kAttnThreads / hd, d = tid % hd, part = tid / hd;
  float acc[kG];
#pragma unroll
  for (int g = 0; g < kG; ++g) acc[g] = 0.0f;
  for (int32_t c0 = 0; c0 < len; c0 += kC) {
    if (tid < kC / kP) {
      const int32_t pi = c0 / kP + tid;
      pg_s[tid] = pi * kP < len ? table[pi] : 0;
    }
    __syncthreads();
    // Scores: one position per thread, all query heads of this KV head.
    const int32_t p = c0 + tid;
    if (p < len) {
      const uint16_t* kr =
          kv_pool + KvIndex(pg_s[tid / kP], layer, layers, 0, p % kP, kvd) + kvh * hd;
      float s[kG];
#pragma unroll
      for (int g = 0; g < kG; ++g) s[g] = 0.0f;
      for (int j = 0; j < hd; j += 8) {
        const uint4 raw = *reinterpret_cast<const uint4*>(kr + j);
        const uint32_t w[4] = {raw.x, raw.y, raw.z, raw.w};
        float k[8];
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          k[2 * e] = __uint_as_float(w[e] << 16);
          k[2 * e + 1] = __uint_as_float(w[e] & 0xffff0000u);
        }
#pragma unroll
        for (int g = 0; g < kG; ++g) {
          if (g < g_n) {
#pragma unroll
            for (int e = 0; e < 8; ++e) s[g] += q_s[g][j + e] * k[e];
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
    for (int g = warp; g < g_n; g += kAttnThreads / 32) {
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
    // Weighted values: thread (part, d) sums positions part, part + nsplit, ... of the chunk.
#pragma unroll
    for (int g = 0; g < kG; ++g) {
      if (g < g_n) acc[g] *= alpha_s[g];
    }
    for (int i = part; i < kC && c0 + i < len; i += nsplit) {
      const float v = FromBf16(
          kv_pool[KvIndex(pg_s[i / kP], layer, layers, 1, (c0 + i) % kP, kvd) + kvh * hd + d]);
#pragma unroll
      for (int g = 0; g < kG; ++g) {
        if (g < g_n) acc[g] += p_s[g][i] * v;
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int g = 0; g < kG; ++g) red_s[(part * kG + g) * hd + d] = acc[g];
  __syncthreads();
  if (part == 0) {
    for (int g = 0; g < g_n; ++g) {
      float t = 0.0f;
      for (int s = 0; s < nsplit; ++s) t += red_s[(s * kG + g) * hd + d];
      out[r * nh * hd + (kvh * g_n + g) * hd + d] = ToBf16(t / l_s[g]);
    }
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
  VERDICT_LAUNCH(RmsNormKernel, n, kNormThreads, 0, static_cast<cudaStream_t>(stream))(
      x, rows, weight, h, eps, out);
  return cudaGetLastError();
}

int LaunchQkvRopeAppend(const float* qkv, const float* bias, const float* rope,
                        const int32_t* positions, const int32_t* row_table,
                        const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                        int32_t nkv, int32_t hd, int32_t layer, int32_t layers, float* q_out,
                        uint16_t* kv_pool, void* stream) {
  if (n == 0) return cudaSuccess;
  VERDICT_LAUNCH(QkvRopeAppendKernel, n, 128, 0, static_cast<cudaStream_t>(stream))(
      qkv, bias, reinterpret_cast<const float2*>(rope), positions, row_table, page_tables,
      max_pages, nh, nkv, hd, layer, layers, q_out, kv_pool);
  return cudaGetLastError();
}

int LaunchAttention(const float* q, const int32_t* positions, const int32_t* row_table,
                    const int32_t* page_tables, int32_t max_pages, int32_t n, int32_t nh,
                    int32_t nkv, int32_t hd, int32_t layer, int32_t layers, const uint16_t* kv_pool,
                    uint16_t* out, void* stream) {
  if (n == 0) return cudaSuccess;
  if (nh % nkv != 0 || nh / nkv > kAttnMaxGroup || hd > kAttnMaxHeadDim || hd % 8 != 0 ||
      kAttnMaxHeadDim % hd != 0) {
    return cudaErrorInvalidValue;
  }
  const dim3 grid(n, nkv);
  VERDICT_LAUNCH(AttentionKernel, grid, kAttnThreads, 0, static_cast<cudaStream_t>(stream))(
      q, positions, row_table, page_tables, max_pages, nh, nkv, hd, layer, layers, kv_pool, out);
  return cudaGetLastError();
}

int LaunchSwiGlu(const float* gu, int32_t n, int32_t inter, uint16_t* out, void* stream) {
  if (n == 0) return cudaSuccess;
  const int blocks_x = (inter + 255) / 256 < 64 ? (inter + 255) / 256 : 64;
  VERDICT_LAUNCH(SwiGluKernel, dim3(blocks_x, n), 256, 0, static_cast<cudaStream_t>(stream))(
      gu, inter, out);
  return cudaGetLastError();
}

}  // namespace verdict::rollout::cuda
