// The GPU sampler's method, run on the CPU (rollout/cuda/sampling_reference.h), against the
// contract (rollout/sampler.cc): same tokens except counted near-ties, logprobs within 2e-5.
// Needs no GPU: this is what CI checks of the kernel's algorithm; the GPU test then checks that
// the kernel equals this emulation bit for bit.
#include "rollout/cuda/sampling_reference.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "rollout/cuda/sampling_core.h"
#include "tests/rollout/cuda/sampler_compare.h"

namespace verdict::rollout::cuda {
namespace {

using testing::Classify;
using testing::Match;

struct Tally {
  int equal = 0, near_ties = 0, misses = 0, cpu_rows = 0, third_pass = 0;
  double max_lp_err = 0.0;
};

Tally RunRows(int v, int rows, int kind_mod, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> z(v);
  Tally t;
  for (int r = 0; r < rows; ++r) {
    const int kind = r % kind_mod;
    testing::FillRow(rng, kind, v, z.data());
    const SamplerRow p = testing::RandomParams(rng, r);
    const WindowedSample w = SampleWindowedOnCpu(z, p);
    if (w.status == kNeedsCpu) {
      ++t.cpu_rows;
      continue;
    }
    if (w.status == kSampledThirdPass) ++t.third_pass;
    const Match m = Classify(z, p, w.token);
    if (m == Match::kEqual) {
      ++t.equal;
      const SampledToken ref =
          Sample(z, testing::ParamsOf(p), {p.seed, p.group, p.sample, p.position});
      if (std::isfinite(ref.logprob)) {
        t.max_lp_err = std::max(t.max_lp_err, std::fabs(double{w.logprob} - ref.logprob));
      }
    } else if (m == Match::kNearTie) {
      ++t.near_ties;
    } else {
      ++t.misses;
      ADD_FAILURE() << "row " << r << " kind " << kind << " T=" << p.temperature
                    << " min_p=" << p.min_p << " k=" << p.top_k << " p=" << p.top_p
                    << ": method token " << w.token;
    }
  }
  return t;
}

TEST(SamplingReference, EqualsTheContractOnSmallVocabularies) {
  // Kinds 0-3 and 5 (skip the all-equal row: with V=1000 it fits the window anyway).
  const Tally t = RunRows(1000, 3000, 6, 11);
  EXPECT_EQ(t.misses, 0);
  EXPECT_GT(t.equal, 2900);
  EXPECT_LE(t.near_ties, 10);
  EXPECT_LT(t.max_lp_err, 2e-5);
  std::printf("V=1000: %d equal, %d near-ties, %d CPU rows, %d third pass, max |dlogprob| %.2g\n",
              t.equal, t.near_ties, t.cpu_rows, t.third_pass, t.max_lp_err);
}

TEST(SamplingReference, EqualsTheContractAtQwenVocabulary) {
  const Tally t = RunRows(151936, 180, 6, 12);
  EXPECT_EQ(t.misses, 0);
  EXPECT_LE(t.near_ties, 3);
  EXPECT_LT(t.max_lp_err, 2e-5);
  // Flat rows (kinds 1, 2 and 4: half of these) can put more than kCudaSamplerWindow tokens in
  // the window's bins; those go to the CPU path. LM-like rows do not (PeakedRowsNeedTwoReads).
  EXPECT_LE(t.cpu_rows, 75);
  std::printf("V=151936: %d equal, %d near-ties, %d CPU rows, %d third pass, max |dlogprob| %.2g\n",
              t.equal, t.near_ties, t.cpu_rows, t.third_pass, t.max_lp_err);
}

TEST(SamplingReference, FlatRowsGoToTheCpuPath) {
  std::vector<float> z(151936, 1.25f);
  SamplerRow p;  // T=1, no truncation: the draw can land anywhere in one bin of 151936 tokens
  p.seed = 5;
  EXPECT_EQ(SampleWindowedOnCpu(z, p).status, kNeedsCpu);
  p.top_k = 50;  // top-k picks the 50 lowest ids: still one bin of 151936
  EXPECT_EQ(SampleWindowedOnCpu(z, p).status, kNeedsCpu);
  p.temperature = 0.0f;  // greedy needs no window
  const WindowedSample g = SampleWindowedOnCpu(z, p);
  EXPECT_EQ(g.status, kSampledOk);
  EXPECT_EQ(g.token, 0);
  EXPECT_NEAR(g.logprob, -std::log(151936.0), 1e-5);
}

TEST(SamplingReference, RowsWithNaNHaveNoToken) {
  std::vector<float> z(1000, 0.5f);
  SamplerRow p;
  for (int at : {0, 517, 999}) {
    std::vector<float> r = z;
    r[at] = std::nanf("");
    for (float t : {0.0f, 1.0f}) {
      p.temperature = t;
      const WindowedSample s = SampleWindowedOnCpu(r, p);
      EXPECT_EQ(s.status, kNanLogits) << at;
      EXPECT_EQ(s.token, -1);
    }
  }
}

TEST(SamplingReference, PeakedRowsNeedTwoReads) {
  std::mt19937_64 rng(3);
  std::vector<float> z(151936);
  int two = 0;
  for (int r = 0; r < 20; ++r) {
    testing::FillRow(rng, 0, static_cast<int>(z.size()), z.data());
    SamplerRow p;
    p.temperature = 0.7f;
    p.top_p = 0.95f;
    p.seed = r;
    two += SampleWindowedOnCpu(z, p).status == kSampledOk;
  }
  EXPECT_EQ(two, 20);
}

TEST(SamplingCore, ExpNegMatchesExp) {
  for (float d = 0.0f; d > -86.0f; d -= 0.001953125f * 3.1f) {
    const double want = std::exp(static_cast<double>(d));
    const float got = core::ExpNeg(d);
    // x = d * log2(e) is rounded to fp32: |d| * 6e-8 relative on top of the polynomial.
    EXPECT_NEAR(got, want, want * (4.0 + std::fabs(d)) * 1.2e-7) << d;
  }
  EXPECT_EQ(core::ExpNeg(0.0f), 1.0f);
  EXPECT_EQ(core::ExpNeg(-INFINITY), 0.0f);
  EXPECT_EQ(core::ExpNeg(-100.0f), 0.0f);
}

// ExpNeg and Fix avoid conversions with bit tricks; these are the plain formulas they must equal,
// for every float input in their range (the kernel and its emulation both depend on the bits).
float ExpNegPlain(float d) {
  const float x = d * 1.44269504088896341f;
  if (!(x > -125.0f)) return 0.0f;
  const float n = std::rint(x);
  const float f = x - n;
  float p = 1.5252733804059840e-05f;
  for (float c :
       {1.5403530393381609e-04f, 1.3333558146428443e-03f, 9.6181291076284772e-03f,
        5.5504108664821580e-02f, 2.4022650695910071e-01f, 6.9314718055994531e-01f, 1.0f}) {
    p = std::fma(p, f, c);
  }
  return p * std::ldexp(1.0f, static_cast<int>(n));
}

uint64_t FixPlain(float w) {
  return static_cast<uint64_t>(static_cast<double>(w) * 1099511627776.0 + 0.5);
}

float FloatOf(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

TEST(SamplingCore, ExpNegEqualsThePlainFormulaForEveryInput) {
  // Every float d in [-87, -2^-16] (where x = d log2(e) takes every rounding case: beyond -87
  // both are 0, above -2^-16 n is 0), then every 97th float d in [-inf, -0].
  uint64_t mismatches = 0;
  auto check = [&](uint64_t b) {
    const float d = FloatOf(static_cast<uint32_t>(b));
    const float got = core::ExpNeg(d), want = ExpNegPlain(d);
    if (std::memcmp(&got, &want, sizeof got) != 0 && mismatches++ < 5) {
      ADD_FAILURE() << "d = " << d << ": " << got << " vs " << want;
    }
    // The kernel counts tail tokens without their weight (sampling.cu, pass 2).
    if (core::InTail(d) && !(got < core::kTailWeightBound && core::Fix(got) == 0) &&
        mismatches++ < 5) {
      ADD_FAILURE() << "d = " << d << " is in the tail but weighs " << got;
    }
  };
  for (uint64_t b = 0xB7800000u; b <= 0xC2AE0000u; ++b) check(b);
  for (uint64_t b = 0x80000000u; b <= 0xff800000u; b += 97) check(b);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(FloatOf(0xB7800000u), -std::ldexp(1.0f, -16));
  EXPECT_EQ(FloatOf(0xC2AE0000u), -87.0f);
  EXPECT_EQ(core::ExpNeg(0.0f), ExpNegPlain(0.0f));
  EXPECT_EQ(core::ExpNeg(std::nanf("")), 0.0f);
}

TEST(SamplingCore, FixEqualsThePlainFormulaForEveryWeight) {
  uint64_t mismatches = 0;
  for (uint32_t b = 0; b <= 0x3f800000u; ++b) {  // every float in [0, 1]
    const float w = FloatOf(b);
    if (core::Fix(w) != FixPlain(w) && mismatches++ < 5) {
      ADD_FAILURE() << "w = " << w << ": " << core::Fix(w) << " vs " << FixPlain(w);
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace verdict::rollout::cuda
