// The per-row arithmetic of the sorting-free sampler (sampling.h), shared by the CUDA kernel
// (sampling.cu) and its CPU emulation (sampling_reference.h): the weights, bins, fixed-point
// masses, window bounds and cut/draw resolution are the same code on both sides, so the kernel
// and the emulation agree bit for bit (not only within a tolerance). Header-only, no CUDA header:
// compiled as __host__ __device__ under nvcc and as plain C++ elsewhere.
//
// Bit-exactness: every float operation below is a single IEEE-rounded +, -, *, / or fma. On the
// device they are the _rn intrinsics, which nvcc never contracts; the host side is compiled with
// -ffp-contract=off (rollout/cuda/CMakeLists.txt) and uses std::fma. ExpNeg is our own
// polynomial, not expf, because the CUDA and glibc expf differ in the last bit.
//
// Weights: w(z) = ExpNeg((z - zmax) * (1/T)) in (0, 1], w(zmax) = 1; q = w / sum(w).
// Bins: bin(z) = floor(-(z - zmax)/T * 64), clamped to kBins - 1 (1/64 nat per bin; the last bin
// takes everything past 32 nats). Masses: Fix(w) = round(w * 2^40) as uint64, w in [0, 1], so
// any sum over <= 2^23 tokens is exact and independent of order.
#ifndef VERDICT_ROLLOUT_CUDA_SAMPLING_CORE_H_
#define VERDICT_ROLLOUT_CUDA_SAMPLING_CORE_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "rollout/cuda/sampling.h"

#if defined(__CUDACC__)
#define VERDICT_HD __host__ __device__
#else
#define VERDICT_HD
#endif

namespace verdict::rollout::cuda::core {

constexpr int kBins = 2048;
constexpr float kBinsPerNat = 64.0f;
// Pass 2 also keeps the kept tokens of bins [0, kCollectBins) (within 12 nats of the top) in
// shared memory; when the window lies there and they fit, pass 3 (a third read) is skipped.
constexpr int kCollectBins = 768;
constexpr double kFix = 1099511627776.0;  // 2^40
using u64 = unsigned long long;

VERDICT_HD inline float Mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
VERDICT_HD inline float Add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
VERDICT_HD inline float Sub(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}
VERDICT_HD inline float Fma(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
VERDICT_HD inline float InvTemperature(float t) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(1.0f, t);
#else
  return 1.0f / t;
#endif
}
VERDICT_HD inline float FromBits(uint32_t bits) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
#endif
}
VERDICT_HD inline uint32_t Bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
#endif
}
VERDICT_HD inline float Pow2(int n) {  // 2^n for n in [-126, 127]
  return FromBits(static_cast<uint32_t>(n + 127) << 23);
}

// exp(d) for d <= 0, within ~3 ulp; 0 below e^-86 (2^-125). Same bits on host and device.
// No float-integer conversion (those run at a quarter of the float rate on the GPU and the sampler
// calls this for every logit): adding 1.5 * 2^23 rounds x to an integer as rintf does (nearest,
// ties to even; |x| < 2^22) and leaves that integer in the sum's low mantissa bits.
VERDICT_HD inline float ExpNeg(float d) {
  const float x = Mul(d, 1.44269504088896341f);  // log2(e)
  if (!(x > -125.0f)) return 0.0f;               // also -inf and NaN
  constexpr float kRound = 12582912.0f;          // 1.5 * 2^23
  const float shifted = Add(x, kRound);
  const float n = Sub(shifted, kRound);  // rintf(x), exactly
  // n as an integer, from the sum's bits; f = x - n is exact, in [-0.5, 0.5].
  const int32_t ni = static_cast<int32_t>(Bits(shifted)) - 0x4B400000;
  const float f = Sub(x, n);
  // 2^f = sum (f ln2)^k / k!, k <= 7: truncation error < 5e-9.
  float p = 1.5252733804059840e-05f;
  p = Fma(p, f, 1.5403530393381609e-04f);
  p = Fma(p, f, 1.3333558146428443e-03f);
  p = Fma(p, f, 9.6181291076284772e-03f);
  p = Fma(p, f, 5.5504108664821580e-02f);
  p = Fma(p, f, 2.4022650695910071e-01f);
  p = Fma(p, f, 6.9314718055994531e-01f);
  p = Fma(p, f, 1.0f);
  return Mul(p, Pow2(ni));
}

// (z - zmax) / T as the sampler computes it (<= 0 for z <= zmax).
VERDICT_HD inline float Scaled(float z, float zmax, float inv_t) {
  return Mul(Sub(z, zmax), inv_t);
}

// Fix(w) = floor(w * 2^40 + 1/2) for w in [0, 1] (0 or normal), from w's bits: integer shifts,
// no float64 and no conversion (tests/rollout/cuda/sampling_reference_test.cc checks every w
// against the float64 formula).
VERDICT_HD inline u64 Fix(float w) {
  const uint32_t bits = Bits(w);
  const int s = static_cast<int>(bits >> 23) - 127 + 40 - 23;  // w * 2^40 = m * 2^s
  if (s < -24) return 0;                                       // w < 2^-41
  const uint32_t m = (bits & 0x7fffffu) | 0x800000u;
  if (s >= 0) return u64{m} << s;
  return (m + (1u << (-s - 1))) >> -s;  // round half up; m + 2^23 < 2^25: 32 bits suffice
}

// Bin of a token whose scaled logit is d (<= 0). Monotone: a higher z never gets a higher bin.
VERDICT_HD inline int Bin(float d) {
  const float nd = Mul(-d, kBinsPerNat);  // exact (power of two)
  return nd < static_cast<float>(kBins - 1) ? static_cast<int>(nd) : kBins - 1;
}
// Bin(d) == kBins - 1: the tail, d <= -31.984375 (or -inf).
VERDICT_HD inline bool InTail(float d) {
  return !(Mul(-d, kBinsPerNat) < static_cast<float>(kBins - 1));
}
// Every weight in the tail is below this (e^-31.98 = 2^-46.1; ExpNeg is within a few ulp; the
// tests check every float d in the tail): so its Fix is 0, and min-p above the bound drops it.
constexpr float kTailWeightBound = 0x1p-45f;

// The one definition of "kept by min-p": finite, and q >= min_p * max q, i.e. w >= min_p.
VERDICT_HD inline bool Kept(float z, float w, float min_p) { return z > -INFINITY && w >= min_p; }

// First index in [lo, hi] where pred holds (pred monotone false..true), hi + 1 if none.
template <typename T, typename P>
VERDICT_HD int FirstWhere(const T* a, int lo, int hi, P pred) {
  int l = lo, h = hi + 1;
  while (l < h) {
    const int m = (l + h) / 2;
    if (pred(a[m])) {
      h = m;
    } else {
      l = m + 1;
    }
  }
  return l;
}

struct Window {
  int b_lo = 0, b_hi = 0;  // bins [b_lo, b_hi] go to the window
  uint32_t base_cnt = 0;   // kept tokens in bins before b_lo
  u64 base_mass = 0;       // their fixed-point mass
  uint32_t count = 0;      // kept tokens in the window
};

VERDICT_HD inline bool TopKActive(const uint32_t* cc, const SamplerRow& p) {
  return p.top_k > 0 && cc[kBins - 1] > static_cast<uint32_t>(p.top_k);
}

// cc, cm: inclusive cumulative count and mass of kept tokens per bin. The window holds every bin
// that can hold the top-k cut, the top-p cut or the drawn token. Why it suffices: the draw d is
// the first token whose prefix mass exceeds u*S, S in [s_lo, s_hi], so d lies in bins
// [first bin with cm > u*s_lo, first bin with cm > u*s_hi]; the top-p cut c >= d (u < 1) lies in
// a bin <= the first with cm >= top_p * (an upper bound of the top-k mass); the top-k cut lies in
// the first bin with cc >= k, which is >= d's bin.
VERDICT_HD inline Window FindWindow(const uint32_t* cc, const u64* cm, const SamplerRow& p,
                                    float u) {
  const int last = kBins - 1;
  double t_lo = static_cast<double>(cm[last]), t_hi = t_lo;  // bounds on T (mass after top-k)
  int b_hi = 0;
  if (TopKActive(cc, p)) {
    const uint32_t k = static_cast<uint32_t>(p.top_k);
    const int b_k = FirstWhere(cc, 0, last, [k](uint32_t x) { return x >= k; });
    t_hi = static_cast<double>(cm[b_k]);
    t_lo = b_k > 0 ? static_cast<double>(cm[b_k - 1]) : 0.0;
    b_hi = b_k;
  }
  double s_lo = t_lo, s_hi = t_hi;  // bounds on S (mass after top-p)
  if (p.top_p < 1.0f) {
    const double tp = p.top_p, need_lo = tp * t_lo, need_hi = tp * t_hi;
    const int p_hi =
        FirstWhere(cm, 0, last, [need_hi](u64 x) { return static_cast<double>(x) >= need_hi; });
    const int p_hi_c = p_hi > last ? last : p_hi;
    b_hi = b_hi > p_hi_c ? b_hi : p_hi_c;
    s_lo = need_lo;
    s_hi = static_cast<double>(cm[p_hi_c]);
  }
  const double lo_target = static_cast<double>(u) * s_lo;
  const double hi_target = static_cast<double>(u) * s_hi;
  int b_lo =
      FirstWhere(cm, 0, last, [lo_target](u64 x) { return static_cast<double>(x) > lo_target; });
  int u_hi =
      FirstWhere(cm, 0, last, [hi_target](u64 x) { return static_cast<double>(x) > hi_target; });
  if (u_hi > last) u_hi = last;
  if (b_lo > last) b_lo = last;
  b_hi = b_hi > u_hi ? b_hi : u_hi;
  if (b_lo > b_hi) b_lo = b_hi;
  Window w;
  w.b_lo = b_lo;
  w.b_hi = b_hi;
  w.base_cnt = b_lo > 0 ? cc[b_lo - 1] : 0;
  w.base_mass = b_lo > 0 ? cm[b_lo - 1] : 0;
  w.count = cc[b_hi] - w.base_cnt;
  return w;
}

// pm[0, n): inclusive prefix masses (base_mass included) of the window's tokens in draw order.
// Returns the index in the window of the drawn token, or -1 when it cannot be told from the
// window (the caller then uses the CPU reference; not expected, kept as a guard).
VERDICT_HD inline int ResolvePick(const u64* pm, int n, const Window& w, const uint32_t* cc,
                                  const u64* cm, const SamplerRow& p, float u) {
  if (n <= 0) return -1;
  const int last = kBins - 1;
  int end = w.b_hi == last ? n : -1;  // one past the last kept token, if in the window
  double total = static_cast<double>(cm[last]);
  if (TopKActive(cc, p)) {
    end = p.top_k - static_cast<int>(w.base_cnt);
    if (end < 1 || end > n) return -1;
    total = static_cast<double>(pm[end - 1]);
  }
  double s = total;
  if (p.top_p < 1.0f) {
    const double need = static_cast<double>(p.top_p) * total;
    const int hi = (end >= 0 ? end : n) - 1;
    const int j = FirstWhere(pm, 0, hi, [need](u64 x) { return static_cast<double>(x) >= need; });
    if (j > hi) {
      if (end < 0) return -1;
    } else {
      end = j + 1;
      s = static_cast<double>(pm[j]);
    }
  }
  const double target = static_cast<double>(u) * s;
  const int hi = (end >= 0 ? end : n) - 1;
  const int j = FirstWhere(pm, 0, hi, [target](u64 x) { return static_cast<double>(x) > target; });
  if (j <= hi) return j;
  return end >= 1 ? end - 1 : -1;  // rounding left u*S past the running sum: the last kept token
}

// log sum exp((z - zmax)/T) from the fixed-point total of all weights.
VERDICT_HD inline double LogNormaliser(u64 total_fix) {
  return log(static_cast<double>(total_fix) / kFix);
}

}  // namespace verdict::rollout::cuda::core

#endif  // VERDICT_ROLLOUT_CUDA_SAMPLING_CORE_H_
