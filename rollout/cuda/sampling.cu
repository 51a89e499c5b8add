// Sorting-free GPU sampler and a sort-based baseline; see sampling.h for the method and
// sampling_core.h for the arithmetic both share with the CPU emulation (sampling_reference.cc).
// The contract is rollout/sampler.cc; tests/rollout/cuda/rollout_sampler_gpu_test.cc compares
// all three.
#include <cuda_runtime.h>

#include <cstdint>

#if defined(VERDICT_SIMT_EMU)
#include "rollout/cuda/emu/cub.h"
#else
#include <cub/cub.cuh>
#endif

#include "rollout/cuda/launch.h"
#include "rollout/cuda/sampling.h"
#include "rollout/cuda/sampling_core.h"

namespace verdict::rollout::cuda {
namespace {

constexpr int kSortedThreads = 512;  // the sort-based baseline's walk
using core::Fix;
using core::kBins;
using core::u64;
constexpr int kWin = kCudaSamplerWindow;

// philox.h's SamplerUniform on the device: identical arithmetic, so u is bit-identical.
__device__ float DeviceUniform(uint64_t seed, uint64_t group, uint32_t sample, uint32_t position) {
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  uint32_t c0 = position, c1 = sample, c2 = static_cast<uint32_t>(group),
           c3 = static_cast<uint32_t>(group >> 32);
#pragma unroll
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint32_t lo0 = 0xD2511F53u * c0, hi0 = __umulhi(0xD2511F53u, c0);
    const uint32_t lo1 = 0xCD9E8D57u * c2, hi1 = __umulhi(0xCD9E8D57u, c2);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return static_cast<float>(c0 >> 8) * (1.0f / 16777216.0f);
}

// Calls f(z, id) for every element of the row, each thread in ascending id order; 16-byte loads
// when the row is 16-byte aligned. A thread issues kLoads loads before it uses any of them: f may
// do shared-memory atomics, which the compiler does not move loads across, so a plain unrolled
// loop keeps one load in flight per thread where this keeps kLoads (64 B at 512 threads; 32 B at
// 1024, whose threads must fit in 64 registers).
template <int kThreads, typename F>
__device__ __forceinline__ void ForRow(const float* row, int32_t v, F&& f) {
  constexpr int kLoads = kThreads >= 1024 ? 2 : 4;
  if ((reinterpret_cast<uintptr_t>(row) & 15) == 0) {
    const int32_t n4 = v / 4;
    const float4* r4 = reinterpret_cast<const float4*>(row);
    int32_t i = threadIdx.x;
    for (; i + (kLoads - 1) * kThreads < n4; i += kLoads * kThreads) {
      float4 x[kLoads];
#pragma unroll
      for (int j = 0; j < kLoads; ++j) x[j] = __ldg(r4 + i + j * kThreads);
#pragma unroll
      for (int j = 0; j < kLoads; ++j) {
        const int32_t e = 4 * (i + j * kThreads);
        f(x[j].x, e);
        f(x[j].y, e + 1);
        f(x[j].z, e + 2);
        f(x[j].w, e + 3);
      }
    }
    for (; i < n4; i += kThreads) {
      const float4 x = __ldg(r4 + i);
      f(x.x, 4 * i);
      f(x.y, 4 * i + 1);
      f(x.z, 4 * i + 2);
      f(x.w, 4 * i + 3);
    }
    for (int32_t i = 4 * n4 + threadIdx.x; i < v; i += kThreads) f(__ldg(row + i), i);
  } else {
    for (int32_t i = threadIdx.x; i < v; i += kThreads) f(__ldg(row + i), i);
  }
}

// Max with the lowest id among equal maxima; -inf / INT32_MAX when empty.
struct ArgMax {
  float m;
  int32_t idx;
};
__device__ __forceinline__ ArgMax Better(ArgMax a, ArgMax b) {
  return (b.m > a.m || (b.m == a.m && b.idx < a.idx)) ? b : a;
}

__device__ __forceinline__ u64 Pack(float z, int32_t id) {
  return (static_cast<u64>(__float_as_uint(z)) << 32) | static_cast<uint32_t>(id);
}

// Adds m to a bin's 64-bit mass kept as two 32-bit words, with 32-bit shared atomics only (a
// 64-bit shared atomic add is a compare-and-swap loop, which contention turns into retries): the
// low word wraps modulo 2^32 and the add that wraps it carries 1 into the high word, so after a
// barrier hi * 2^32 + lo is the exact sum whatever the order.
__device__ __forceinline__ void AddMass(uint32_t* lo, uint32_t* hi, u64 m) {
  const uint32_t m_lo = static_cast<uint32_t>(m);
  const uint32_t old = atomicAdd(lo, m_lo);
  const uint32_t up = static_cast<uint32_t>(m >> 32) + (old + m_lo < old ? 1u : 0u);
  if (up != 0) atomicAdd(hi, up);
}

template <int kThreads>
struct Shared {
  union {
    struct {
      uint32_t cnt[kBins];
      union {
        struct {  // pass 2: each bin's mass as 32-bit halves (native shared atomics, see AddMass)
          uint32_t lo[kBins];
          uint32_t hi[kBins];
        } part;
        u64 mass[kBins];  // then: the cumulative masses
      };
    } hist;
    typename cub::BlockScan<uint32_t, kThreads>::TempStorage scan32;
  };
  union {
    typename cub::BlockScan<u64, kThreads>::TempStorage scan64;
    typename cub::BlockReduce<u64, kThreads>::TempStorage reduce64;
    ArgMax warp[kThreads / 32];
  };
  float key[kWin];
  int32_t id[kWin];
  u64 prefix[kWin];  // pass 2: packed (z, id) of collected tokens; then prefix masses
  ArgMax top;
  u64 total_fix;
  int32_t n_collect;
  int32_t n_win;
  int32_t b_lo, b_hi;
  uint32_t base_cnt;
  u64 base_mass;
  int32_t mode;  // 0: window from the collected tokens, 1: third pass, 2: too large
  int32_t flag;  // sliced kernel: the row holds a NaN; then: this block is the row's last
  int32_t slice_off[kCudaSamplerMaxSlices];  // sliced kernel: offsets in the merged collection
};

// Per-row values every stage needs.
struct RowCtx {
  SamplerRow p;
  bool greedy;
  float inv_t, min_p;
};
__device__ __forceinline__ RowCtx MakeRowCtx(const SamplerRow& p) {
  RowCtx c;
  c.p = p;
  c.greedy = p.temperature == 0.0f;
  c.inv_t = c.greedy ? 1.0f : core::InvTemperature(p.temperature);
  c.min_p = p.min_p > 0.0f ? p.min_p : 0.0f;
  return c;
}

__device__ __forceinline__ void WriteResult(int32_t* tokens, float* logprobs, int32_t* status,
                                            int32_t r, int32_t token, float logprob, int32_t st) {
  tokens[r] = token;
  logprobs[r] = logprob;
  status[r] = st;
}

// Pass 1 over row[begin, end): this thread's max and argmax (ids ascend per thread: the first
// maximum stays) and NaN flag, reduced over the warp; lane 0 stores the warp's into warp_out.
template <int kThreads>
__device__ __forceinline__ int WarpArgMax(const float* row, int32_t begin, int32_t end,
                                          ArgMax* warp_out) {
  ArgMax am{-INFINITY, INT32_MAX};
  int nan = 0;
  ForRow<kThreads>(row + begin, end - begin, [&](float x, int32_t i) {
    if (x > am.m) am = ArgMax{x, begin + i};
    nan |= x != x;
  });
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    ArgMax other{__shfl_xor_sync(~0u, am.m, o), __shfl_xor_sync(~0u, am.idx, o)};
    am = Better(am, other);
  }
  if ((threadIdx.x & 31) == 0) warp_out[threadIdx.x >> 5] = am;
  return nan;
}

// Clears the histogram and counters pass 2 fills (no barrier).
template <int kThreads>
__device__ __forceinline__ void ClearHistogram(Shared<kThreads>& sh) {
  for (int b = threadIdx.x; b < kBins; b += kThreads) {
    sh.hist.cnt[b] = 0;
    sh.hist.part.lo[b] = 0;
    sh.hist.part.hi[b] = 0;
  }
  if (threadIdx.x == 0) {
    sh.n_collect = 0;
    sh.n_win = 0;
  }
}

// Pass 2 over row[begin, end): this thread's share of the total weight; the histogram and the
// collection of kept tokens in sh (not for greedy rows). Needs a barrier before sh is read.
// Tokens in the tail (32 nats or more below the top) weigh under kTailWeightBound: their Fix is
// 0, and unless min-p lies in (0, that bound] min-p alone says whether they are kept. A thread
// counts them in a register, without their weight and without a shared-memory atomic: a row
// whose bulk lies there (one dominant token, a low temperature) would otherwise send every lane
// of a warp to one address, and same-address atomics serialise. A thread stops collecting once
// the collection overflowed (the row then takes pass 3).
template <int kThreads>
__device__ __forceinline__ u64 Pass2(Shared<kThreads>& sh, const float* row, int32_t begin,
                                     int32_t end, float zmax, const RowCtx& c) {
  const bool tail_exact = c.min_p > 0.0f && c.min_p <= core::kTailWeightBound;
  const bool tail_kept = c.min_p <= 0.0f;  // when !tail_exact
  const float inv_t = c.inv_t, min_p = c.min_p;
  const bool greedy = c.greedy;
  u64 total = 0;
  uint32_t tail_cnt = 0;
  bool collect = true;
  ForRow<kThreads>(row + begin, end - begin, [&](float x, int32_t i) {
    const float d = core::Scaled(x, zmax, inv_t);
    if (!tail_exact && core::InTail(d)) {
      tail_cnt += tail_kept && x > -INFINITY ? 1u : 0u;
      return;
    }
    const float w = core::ExpNeg(d);
    const u64 f = Fix(w);
    total += f;
    if (greedy || !core::Kept(x, w, min_p)) return;
    const int b = core::Bin(d);
    atomicAdd(&sh.hist.cnt[b], 1u);
    if (f != 0) AddMass(&sh.hist.part.lo[b], &sh.hist.part.hi[b], f);
    if (b < core::kCollectBins && collect) {
      const int slot = atomicAdd(&sh.n_collect, 1);
      if (slot < kWin) {
        sh.prefix[slot] = Pack(x, begin + i);
      } else {
        collect = false;  // n_collect > kWin already says so
      }
    }
  });
  if (!greedy && tail_cnt != 0) atomicAdd(&sh.hist.cnt[kBins - 1], tail_cnt);
  return total;
}

// Everything after pass 2, for the whole row: needs sh.total_fix, the histogram (counts and
// 32-bit mass halves) and the collection of the whole row in sh, published by a barrier.
template <int kThreads>
__device__ void Finish(Shared<kThreads>& sh, const float* row, int32_t v, const RowCtx& rc,
                       ArgMax top, int32_t r, int32_t* tokens, float* logprobs, int32_t* status) {
  constexpr int kScanItems = kWin / kThreads, kBinItems = kBins / kThreads;
  static_assert(kWin % kThreads == 0 && kBins % kThreads == 0, "block shape");
  const SamplerRow& p = rc.p;
  const float zmax = top.m, inv_t = rc.inv_t, min_p = rc.min_p;
  const int tid = threadIdx.x;
  const double log_norm = core::LogNormaliser(sh.total_fix);
  if (rc.greedy) {
    if (tid == 0) {
      WriteResult(tokens, logprobs, status, r, top.idx, static_cast<float>(-log_norm), kSampledOk);
    }
    return;
  }
  {  // Inclusive cumulative histogram, in place.
    uint32_t c[kBinItems];
    u64 m[kBinItems];
#pragma unroll
    for (int j = 0; j < kBinItems; ++j) {
      const int b = tid * kBinItems + j;
      c[j] = sh.hist.cnt[b];
      m[j] = (static_cast<u64>(sh.hist.part.hi[b]) << 32) | sh.hist.part.lo[b];
    }
    __syncthreads();  // scan32 aliases the histogram
    cub::BlockScan<uint32_t, kThreads>(sh.scan32).InclusiveSum(c, c);
    cub::BlockScan<u64, kThreads>(sh.scan64).InclusiveSum(m, m);
    __syncthreads();
#pragma unroll
    for (int j = 0; j < kBinItems; ++j) {
      sh.hist.cnt[tid * kBinItems + j] = c[j];
      sh.hist.mass[tid * kBinItems + j] = m[j];
    }
  }
  __syncthreads();
  const float u = DeviceUniform(p.seed, p.group, p.sample, p.position);
  if (tid == 0) {
    const core::Window w = core::FindWindow(sh.hist.cnt, sh.hist.mass, p, u);
    sh.b_lo = w.b_lo;
    sh.b_hi = w.b_hi;
    sh.base_cnt = w.base_cnt;
    sh.base_mass = w.base_mass;
    sh.mode = w.count > static_cast<uint32_t>(kWin)                   ? 2
              : (sh.n_collect <= kWin && w.b_hi < core::kCollectBins) ? 0
                                                                      : 1;
  }
  __syncthreads();
  const int mode = sh.mode;
  if (mode == 2) {
    if (tid == 0) {
      tokens[r] = -1;
      logprobs[r] = 0.0f;
      status[r] = kNeedsCpu;
    }
    return;
  }
  const int b_lo = sh.b_lo, b_hi = sh.b_hi;
  auto take = [&](float x, int32_t i) {
    const float d = core::Scaled(x, zmax, inv_t);
    if (!core::Kept(x, core::ExpNeg(d), min_p)) return;
    const int b = core::Bin(d);
    if (b < b_lo || b > b_hi) return;
    const int slot = atomicAdd(&sh.n_win, 1);
    sh.key[slot] = x;
    sh.id[slot] = i;
  };
  if (mode == 0) {  // the window is among the collected tokens
    for (int j = tid; j < sh.n_collect; j += kThreads) {
      const u64 e = sh.prefix[j];
      take(__uint_as_float(static_cast<uint32_t>(e >> 32)), static_cast<int32_t>(e & 0xffffffffu));
    }
  } else {  // pass 3
    ForRow<kThreads>(row, v, take);
  }
  __syncthreads();
  const int n = sh.n_win;  // == the window's count from the histogram
  int n_pad = 1;
  while (n_pad < n) n_pad <<= 1;
  for (int i = n + tid; i < n_pad; i += kThreads) {
    sh.key[i] = -INFINITY;
    sh.id[i] = INT32_MAX;
  }
  __syncthreads();
  // Bitonic sort of the window: z descending, ties lower id first.
  for (int size = 2; size <= n_pad; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int i = tid; i < n_pad / 2; i += kThreads) {
        const int a = 2 * i - (i & (stride - 1));
        const int b = a + stride;
        const bool up = (a & size) == 0;  // this run sorts in draw order
        const float ka = sh.key[a], kb = sh.key[b];
        const int32_t ia = sh.id[a], ib = sh.id[b];
        const bool b_first = kb > ka || (kb == ka && ib < ia);
        if (b_first == up) {
          sh.key[a] = kb;
          sh.key[b] = ka;
          sh.id[a] = ib;
          sh.id[b] = ia;
        }
      }
      __syncthreads();
    }
  }
  {  // Inclusive fixed-point prefix masses over the window.
    u64 m[kScanItems];
#pragma unroll
    for (int j = 0; j < kScanItems; ++j) {
      const int i = tid * kScanItems + j;
      m[j] = i < n ? Fix(core::ExpNeg(core::Scaled(sh.key[i], zmax, inv_t))) : 0ull;
    }
    cub::BlockScan<u64, kThreads>(sh.scan64).InclusiveSum(m, m);
#pragma unroll
    for (int j = 0; j < kScanItems; ++j) sh.prefix[tid * kScanItems + j] = sh.base_mass + m[j];
  }
  __syncthreads();
  if (tid == 0) {
    core::Window w;
    w.b_lo = b_lo;
    w.b_hi = b_hi;
    w.base_cnt = sh.base_cnt;
    w.base_mass = sh.base_mass;
    w.count = n;
    const int pick = core::ResolvePick(sh.prefix, n, w, sh.hist.cnt, sh.hist.mass, p, u);
    if (pick < 0) {
      tokens[r] = -1;
      logprobs[r] = 0.0f;
      status[r] = kNeedsCpu;
    } else {
      tokens[r] = sh.id[pick];
      logprobs[r] = static_cast<float>(
          static_cast<double>(core::Scaled(sh.key[pick], zmax, inv_t)) - log_norm);
      status[r] = mode == 0 ? kSampledOk : kSampledThirdPass;
    }
  }
}

template <int kThreads>
__global__ void __launch_bounds__(kThreads)
    SampleKernel(const float* __restrict__ logits, int32_t v, const SamplerRow* __restrict__ rows,
                 int32_t* __restrict__ tokens, float* __restrict__ logprobs,
                 int32_t* __restrict__ status) {
  VERDICT_DYNAMIC_SHARED(smem_raw);
  Shared<kThreads>& sh = *reinterpret_cast<Shared<kThreads>*>(smem_raw);
  const int32_t r = blockIdx.x;
  const RowCtx c = MakeRowCtx(rows[r]);
  const float* row = logits + static_cast<int64_t>(r) * v;
  const int tid = threadIdx.x;

  const int nan = WarpArgMax<kThreads>(row, 0, v, sh.warp);
  ClearHistogram(sh);
  if (__syncthreads_or(nan)) {  // uniform: every thread gets the block's OR
    if (tid == 0) WriteResult(tokens, logprobs, status, r, -1, 0.0f, kNanLogits);
    return;
  }
  if (tid == 0) {
    ArgMax t = sh.warp[0];
    for (int w = 1; w < kThreads / 32; ++w) t = Better(t, sh.warp[w]);
    sh.top = t;
  }
  __syncthreads();
  const ArgMax top = sh.top;
  if (top.idx == INT32_MAX) {  // every logit -inf: nothing to draw from
    if (tid == 0) WriteResult(tokens, logprobs, status, r, 0, -INFINITY, kSampledOk);
    return;
  }
  u64 total = Pass2(sh, row, 0, v, top.m, c);
  total = cub::BlockReduce<u64, kThreads>(sh.reduce64).Sum(total);
  if (tid == 0) sh.total_fix = total;
  __syncthreads();
  Finish(sh, row, v, c, top, r, tokens, logprobs, status);
}

// ---- Sliced: a row over several blocks ----

// One slice's results, written by its block for the row's last block to merge.
struct SliceOut {
  u64 mass[kBins];
  u64 collected[kWin];
  uint32_t cnt[kBins];
  u64 total;
  ArgMax am;  // pass 1
  int32_t nan;
  int32_t n_collect;
};

__device__ __forceinline__ int32_t Min32(int32_t a, int32_t b) { return a < b ? a : b; }

__host__ __device__ inline int32_t SliceLen(int32_t v, int32_t slices) {
  return ((v + slices - 1) / slices + 3) / 4 * 4;  // a multiple of 4: slices stay 16-byte aligned
}

// Pass 1 of each slice: grid (batch, slices).
template <int kThreads>
__global__ void __launch_bounds__(kThreads)
    SliceMaxKernel(const float* __restrict__ logits, int32_t v, SliceOut* __restrict__ out) {
  __shared__ ArgMax warp[kThreads / 32];
  const int32_t r = blockIdx.x, s = blockIdx.y, slices = gridDim.y;
  const int32_t len = SliceLen(v, slices), begin = Min32(v, s * len), end = Min32(v, begin + len);
  const int nan = WarpArgMax<kThreads>(logits + static_cast<int64_t>(r) * v, begin, end, warp);
  const int any_nan = __syncthreads_or(nan);
  if (threadIdx.x == 0) {
    ArgMax t = warp[0];
    for (int w = 1; w < kThreads / 32; ++w) t = Better(t, warp[w]);
    SliceOut& o = out[static_cast<int64_t>(r) * slices + s];
    o.am = t;
    o.nan = any_nan != 0;
  }
}

// Pass 2 of each slice, then the row's last block to finish merges the slices and draws:
// grid (batch, slices). counters[r] counts the row's finished slices; the last resets it.
template <int kThreads>
__global__ void __launch_bounds__(kThreads)
    SliceSampleKernel(const float* __restrict__ logits, int32_t v,
                      const SamplerRow* __restrict__ rows, SliceOut* __restrict__ out,
                      int32_t* __restrict__ counters, int32_t* __restrict__ tokens,
                      float* __restrict__ logprobs, int32_t* __restrict__ status) {
  VERDICT_DYNAMIC_SHARED(smem_raw);
  Shared<kThreads>& sh = *reinterpret_cast<Shared<kThreads>*>(smem_raw);
  const int32_t r = blockIdx.x, s = blockIdx.y, slices = gridDim.y;
  const int32_t len = SliceLen(v, slices), begin = Min32(v, s * len), end = Min32(v, begin + len);
  const RowCtx rc = MakeRowCtx(rows[r]);
  const float* row = logits + static_cast<int64_t>(r) * v;
  SliceOut* mine = out + static_cast<int64_t>(r) * slices;
  const int tid = threadIdx.x;
  if (tid == 0) {  // the row's max, argmax and NaN from pass 1 (the previous launch)
    ArgMax t{-INFINITY, INT32_MAX};
    int nan = 0;
    for (int i = 0; i < slices; ++i) {
      t = Better(t, mine[i].am);
      nan |= mine[i].nan;
    }
    sh.top = t;
    sh.flag = nan;
  }
  ClearHistogram(sh);
  __syncthreads();
  const ArgMax top = sh.top;
  if (sh.flag != 0 || top.idx == INT32_MAX) {  // NaN, or every logit -inf: slice 0 says so
    if (s == 0 && tid == 0) {
      if (sh.flag != 0) {
        WriteResult(tokens, logprobs, status, r, -1, 0.0f, kNanLogits);
      } else {
        WriteResult(tokens, logprobs, status, r, 0, -INFINITY, kSampledOk);
      }
    }
    return;
  }
  u64 total = Pass2(sh, row, begin, end, top.m, rc);
  total = cub::BlockReduce<u64, kThreads>(sh.reduce64).Sum(total);
  __syncthreads();  // pass 2's histogram and collection are complete
  SliceOut& o = mine[s];
  if (tid == 0) {
    o.total = total;
    o.n_collect = sh.n_collect;
  }
  if (!rc.greedy) {
    for (int b = tid; b < kBins; b += kThreads) {
      o.cnt[b] = sh.hist.cnt[b];
      o.mass[b] = (static_cast<u64>(sh.hist.part.hi[b]) << 32) | sh.hist.part.lo[b];
    }
    const int n = Min32(sh.n_collect, kWin);
    for (int j = tid; j < n; j += kThreads) o.collected[j] = sh.prefix[j];
  }
  __threadfence();  // this slice's results are visible before its count
  __syncthreads();
  if (tid == 0) {
    sh.flag = atomicAdd(&counters[r], 1) == slices - 1;
    if (sh.flag) counters[r] = 0;  // every slice has counted: ready for the next launch
  }
  __syncthreads();
  if (!sh.flag) return;
  __threadfence();
  // The last block: the whole row's total, histogram and collection from the slices.
  if (tid == 0) {
    u64 t = 0;
    int32_t n = 0;
    bool over = false;
    for (int i = 0; i < slices; ++i) {
      t += __ldcg(&mine[i].total);
      const int32_t ni = __ldcg(&mine[i].n_collect);
      over = over || ni > kWin;
      sh.slice_off[i] = n;
      n += ni;
    }
    sh.total_fix = t;
    sh.n_collect = over || n > kWin ? kWin + 1 : n;
  }
  if (!rc.greedy) {
    for (int b = tid; b < kBins; b += kThreads) {
      uint32_t cnt = 0;
      u64 m = 0;
      for (int i = 0; i < slices; ++i) {
        cnt += __ldcg(&mine[i].cnt[b]);
        m += __ldcg(&mine[i].mass[b]);
      }
      sh.hist.cnt[b] = cnt;
      sh.hist.part.lo[b] = static_cast<uint32_t>(m);
      sh.hist.part.hi[b] = static_cast<uint32_t>(m >> 32);
    }
  }
  __syncthreads();
  if (!rc.greedy && sh.n_collect <= kWin) {
    for (int i = 0; i < slices; ++i) {
      const int off = sh.slice_off[i], ni = __ldcg(&mine[i].n_collect);
      for (int j = tid; j < ni; j += kThreads) sh.prefix[off + j] = __ldcg(&mine[i].collected[j]);
    }
  }
  __syncthreads();
  Finish(sh, row, v, rc, top, r, tokens, logprobs, status);
}

// ---- Sort-based baseline ----

__global__ void IotaKernel(int32_t* ids, int32_t* offsets, int32_t batch, int32_t v) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < static_cast<int64_t>(batch) * v) ids[i] = static_cast<int32_t>(i % v);
  if (i <= batch) offsets[i] = static_cast<int32_t>(i * v);
}

// First index j in [0, n) whose inclusive prefix mass (of Fix(w) over the sorted row) satisfies
// `> need` (strict) or `>= need`; n when none. *mass_at gets that prefix, written by the one
// thread that finds it (shared: read it after a barrier); untouched when none.
template <typename Scan>
__device__ int ScanFirst(typename Scan::TempStorage& tmp, const float* k, int n, float zmax,
                         float inv_t, double need, bool strict, u64* mass_at, int* s_cut,
                         u64* s_carry) {
  __syncthreads();  // the previous call's readers are done with s_cut / s_carry
  if (threadIdx.x == 0) {
    *s_cut = n;
    *s_carry = 0;
  }
  __syncthreads();
  for (int base = 0; base < n; base += kSortedThreads) {
    const int i = base + threadIdx.x;
    const u64 m = i < n ? Fix(core::ExpNeg(core::Scaled(k[i], zmax, inv_t))) : 0ull;
    u64 incl;
    Scan(tmp).InclusiveSum(m, incl);
    incl += *s_carry;
    const double x = static_cast<double>(incl), prev = static_cast<double>(incl - m);
    const bool hit = i < n && (strict ? x > need : x >= need);
    const bool prev_hit = i > base && (strict ? prev > need : prev >= need);
    __syncthreads();  // everyone has read s_carry
    if (hit && !prev_hit && i < *s_cut) {
      *s_cut = i;  // one thread at most: the prefix is monotone
      *mass_at = incl;
    }
    if (threadIdx.x == kSortedThreads - 1) *s_carry = incl;
    __syncthreads();
    if (*s_cut < n) return *s_cut;
  }
  return n;
}

// One block per row over the row sorted by z descending (ties: lower id; CUB's sort is stable).
__global__ void __launch_bounds__(kSortedThreads)
    WalkSortedKernel(const float* __restrict__ keys, const int32_t* __restrict__ ids, int32_t v,
                     const SamplerRow* __restrict__ rows, int32_t* __restrict__ tokens,
                     float* __restrict__ logprobs) {
  using Scan = cub::BlockScan<u64, kSortedThreads>;
  using Reduce = cub::BlockReduce<u64, kSortedThreads>;
  __shared__ typename Scan::TempStorage scan;
  __shared__ typename Reduce::TempStorage red;
  __shared__ u64 s_total, s_kept, s_mass, s_carry;
  __shared__ int s_cut;
  const int32_t r = blockIdx.x;
  const SamplerRow p = rows[r];
  const float* k = keys + static_cast<int64_t>(r) * v;
  const int32_t* id = ids + static_cast<int64_t>(r) * v;
  const bool greedy = p.temperature == 0.0f;
  const float inv_t = greedy ? 1.0f : core::InvTemperature(p.temperature);
  const float min_p = p.min_p > 0.0f ? p.min_p : 0.0f;
  const float zmax = k[0];
  u64 tot = 0, kept = 0;
  for (int i = threadIdx.x; i < v; i += kSortedThreads) {
    const float w = core::ExpNeg(core::Scaled(k[i], zmax, inv_t));
    tot += Fix(w);
    kept += core::Kept(k[i], w, min_p) ? 1 : 0;
  }
  tot = Reduce(red).Sum(tot);
  __syncthreads();
  kept = Reduce(red).Sum(kept);
  if (threadIdx.x == 0) {
    s_total = tot;
    s_kept = kept;
  }
  __syncthreads();
  const double log_norm = core::LogNormaliser(s_total);
  if (greedy || !(zmax > -INFINITY)) {
    if (threadIdx.x == 0) {
      tokens[r] = id[0];
      logprobs[r] = static_cast<float>(-log_norm);
    }
    return;
  }
  int end = static_cast<int>(s_kept);  // min-p keeps a prefix of the sorted row
  if (p.top_k > 0 && p.top_k < end) end = p.top_k;
  u64 mass = 0;
  ScanFirst<Scan>(scan, k, end, zmax, inv_t, static_cast<double>(INFINITY), true, &mass, &s_cut,
                  &s_carry);
  __syncthreads();
  double s = static_cast<double>(s_carry);  // T: the mass after top-k
  if (p.top_p < 1.0f) {
    const int c = ScanFirst<Scan>(scan, k, end, zmax, inv_t, static_cast<double>(p.top_p) * s,
                                  false, &s_mass, &s_cut, &s_carry);
    __syncthreads();
    if (c < end) {
      end = c + 1;
      s = static_cast<double>(s_mass);
    }
  }
  const float u = DeviceUniform(p.seed, p.group, p.sample, p.position);
  int c = ScanFirst<Scan>(scan, k, end, zmax, inv_t, static_cast<double>(u) * s, true, &mass,
                          &s_cut, &s_carry);
  if (c >= end) c = end - 1;
  if (threadIdx.x == 0) {
    tokens[r] = id[c];
    logprobs[r] =
        static_cast<float>(static_cast<double>(core::Scaled(k[c], zmax, inv_t)) - log_norm);
  }
}

constexpr int kRawThreads = 256;
// One block per row: max, then the float64 sum of exp(z - max) (sampler.cc's RawLogprob).
__global__ void __launch_bounds__(kRawThreads)
    RawLogprobKernel(const float* __restrict__ logits, int32_t v,
                     const int32_t* __restrict__ tokens, const int32_t* __restrict__ status,
                     float* __restrict__ raw) {
  using Reduce = cub::BlockReduce<double, kRawThreads>;
  __shared__ typename Reduce::TempStorage red;
  __shared__ float warp_max[kRawThreads / 32];
  __shared__ float s_max;
  const int32_t r = blockIdx.x;
  const int tid = threadIdx.x;
  const int32_t tok = tokens[r], st = status[r];
  if ((st != kSampledOk && st != kSampledThirdPass) || tok < 0 || tok >= v) {  // uniform
    if (tid == 0) raw[r] = NAN;
    return;
  }
  const float* row = logits + static_cast<int64_t>(r) * v;
  float m = -INFINITY;
  for (int32_t i = tid; i < v; i += kRawThreads) m = fmaxf(m, row[i]);
  for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(~0u, m, o));
  if ((tid & 31) == 0) warp_max[tid >> 5] = m;
  __syncthreads();
  if (tid == 0) {
    float t = warp_max[0];
    for (int w = 1; w < kRawThreads / 32; ++w) t = fmaxf(t, warp_max[w]);
    s_max = t;
  }
  __syncthreads();
  const float mx = s_max;
  if (!(mx > -INFINITY)) {  // every logit -inf (uniform)
    if (tid == 0) raw[r] = -INFINITY;
    return;
  }
  double sum = 0.0;
  for (int32_t i = tid; i < v; i += kRawThreads) sum += exp(static_cast<double>(row[i]) - mx);
  sum = Reduce(red).Sum(sum);
  if (tid == 0) raw[r] = static_cast<float>(static_cast<double>(row[tok]) - mx - log(sum));
}

template <int kThreads>
int LaunchSampleBlocks(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       int32_t* tokens, float* logprobs, int32_t* status, cudaStream_t stream) {
  const size_t smem = sizeof(Shared<kThreads>);
  cudaError_t e =
      cudaFuncSetAttribute(reinterpret_cast<const void*>(SampleKernel<kThreads>),
                           cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
  if (e != cudaSuccess) return e;
  if (batch == 0) return cudaSuccess;
  VERDICT_LAUNCH(SampleKernel<kThreads>, batch, kThreads, smem, stream)
  (logits, vocab, rows, tokens, logprobs, status);
  return cudaGetLastError();
}

template <int kThreads>
int LaunchSlicedBlocks(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       int32_t* tokens, float* logprobs, int32_t* status, int32_t slices,
                       SliceOut* out, int32_t* counters, cudaStream_t stream) {
  const size_t smem = sizeof(Shared<kThreads>);
  cudaError_t e =
      cudaFuncSetAttribute(reinterpret_cast<const void*>(SliceSampleKernel<kThreads>),
                           cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
  if (e != cudaSuccess) return e;
  if (batch == 0) return cudaSuccess;
  const dim3 grid(batch, slices);
  VERDICT_LAUNCH(SliceMaxKernel<kThreads>, grid, kThreads, 0, stream)(logits, vocab, out);
  e = cudaGetLastError();
  if (e != cudaSuccess) return e;
  VERDICT_LAUNCH(SliceSampleKernel<kThreads>, grid, kThreads, smem, stream)
  (logits, vocab, rows, out, counters, tokens, logprobs, status);
  return cudaGetLastError();
}

}  // namespace

size_t SampleSlicedScratchBytes(int32_t batch, int32_t slices) {
  return static_cast<size_t>(batch) * slices * sizeof(SliceOut);
}

int LaunchSampleSliced(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       int32_t* tokens, float* logprobs, int32_t* status, int32_t slices,
                       void* scratch, int32_t* counters, void* stream, int block_threads) {
  if (slices < 1 || slices > kCudaSamplerMaxSlices || scratch == nullptr || counters == nullptr) {
    return cudaErrorInvalidValue;
  }
  SliceOut* out = static_cast<SliceOut*>(scratch);
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
  switch (block_threads) {
    case 512:
      return LaunchSlicedBlocks<512>(logits, batch, vocab, rows, tokens, logprobs, status, slices,
                                     out, counters, st);
    case 1024:
      return LaunchSlicedBlocks<1024>(logits, batch, vocab, rows, tokens, logprobs, status, slices,
                                      out, counters, st);
    default: return cudaErrorInvalidValue;
  }
}

int LaunchSample(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                 int32_t* tokens, float* logprobs, int32_t* status, void* stream,
                 int block_threads) {
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
  switch (block_threads) {
    case 512:
      return LaunchSampleBlocks<512>(logits, batch, vocab, rows, tokens, logprobs, status, st);
    case 1024:
      return LaunchSampleBlocks<1024>(logits, batch, vocab, rows, tokens, logprobs, status, st);
    default: return cudaErrorInvalidValue;
  }
}

int LaunchRawLogprobs(const float* logits, int32_t batch, int32_t vocab, const int32_t* tokens,
                      const int32_t* status, float* raw, void* stream) {
  if (batch == 0) return cudaSuccess;
  VERDICT_LAUNCH(RawLogprobKernel, batch, kRawThreads, 0, static_cast<cudaStream_t>(stream))
  (logits, vocab, tokens, status, raw);
  return cudaGetLastError();
}

int LaunchSampleSorted(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       float* sorted_keys, int32_t* sorted_ids, int32_t* ids_in, int32_t* offsets,
                       void* cub_temp, size_t* cub_temp_bytes, int32_t* tokens, float* logprobs,
                       void* stream) {
  cudaStream_t st = static_cast<cudaStream_t>(stream);
  const int64_t n = static_cast<int64_t>(batch) * vocab;
  if (cub_temp == nullptr) {
    return cub::DeviceSegmentedRadixSort::SortPairsDescending(
        nullptr, *cub_temp_bytes, logits, sorted_keys, ids_in, sorted_ids, n, batch, offsets,
        offsets + 1, 0, 32, st);
  }
  VERDICT_LAUNCH(IotaKernel, static_cast<unsigned>((n + 255) / 256), 256, 0, st)
  (ids_in, offsets, batch, vocab);
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return e;
  e = cub::DeviceSegmentedRadixSort::SortPairsDescending(cub_temp, *cub_temp_bytes, logits,
                                                         sorted_keys, ids_in, sorted_ids, n, batch,
                                                         offsets, offsets + 1, 0, 32, st);
  if (e != cudaSuccess) return e;
  VERDICT_LAUNCH(WalkSortedKernel, batch, kSortedThreads, 0, st)
  (sorted_keys, sorted_ids, vocab, rows, tokens, logprobs);
  return cudaGetLastError();
}

}  // namespace verdict::rollout::cuda
