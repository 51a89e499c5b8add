#include "rollout/sampler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"
#include "rollout/philox.h"

namespace verdict::rollout {
namespace {

// Random123 known-answer vectors (kat_vectors, philox4x32 10 rounds).
TEST(Philox4x32x10, MatchesPublishedVectors) {
  EXPECT_EQ(Philox4x32x10({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(Philox4x32x10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            (PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(Philox4x32x10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            (PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(SamplerUniform, IsInUnitIntervalAndKeyedByEveryField) {
  const float base = SamplerUniform(1, 2, 3, 4);
  EXPECT_GE(base, 0.0f);
  EXPECT_LT(base, 1.0f);
  EXPECT_EQ(base, SamplerUniform(1, 2, 3, 4));
  EXPECT_NE(base, SamplerUniform(2, 2, 3, 4));
  EXPECT_NE(base, SamplerUniform(1, 3, 3, 4));
  EXPECT_NE(base, SamplerUniform(1, 2, 4, 4));
  EXPECT_NE(base, SamplerUniform(1, 2, 3, 5));
  EXPECT_NE(SamplerUniform(1, 2, 3, 4), SamplerUniform(1, 2ull | (1ull << 32), 3, 4));
  double mean = 0;
  for (uint32_t i = 0; i < 100000; ++i) mean += SamplerUniform(7, 0, 0, i);
  EXPECT_NEAR(mean / 100000, 0.5, 0.005);
}

// Independent float64 statement of the contract: full sort, then each rule in order.
struct Expected {
  std::vector<int32_t> tokens;
  std::vector<double> probs;
};
Expected Reference(const std::vector<float>& z, const SamplingParams& p) {
  const int v = z.size();
  std::vector<double> q(v);
  double m = -INFINITY;
  for (float x : z) m = std::max(m, double(x) / p.temperature);
  double s = 0;
  for (int i = 0; i < v; ++i) s += q[i] = std::exp(double(z[i]) / p.temperature - m);
  for (double& x : q) x /= s;
  std::vector<int32_t> order(v);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return q[a] > q[b]; });
  std::vector<int32_t> kept;
  for (int t : order) {
    if (q[t] >= p.min_p * q[order[0]]) kept.push_back(t);
  }
  if (p.top_k > 0 && kept.size() > size_t(p.top_k)) kept.resize(p.top_k);
  double total = 0;
  for (int t : kept) total += q[t];
  std::vector<int32_t> final_set;
  double run = 0;
  for (int t : kept) {
    final_set.push_back(t);
    run += q[t];
    if (p.top_p < 1 && run / total >= p.top_p) break;
  }
  Expected e;
  e.tokens = final_set;
  for (int t : final_set) e.probs.push_back(q[t]);
  return e;
}

std::vector<float> Logits(int v, uint32_t seed) {
  std::vector<float> z(v);
  for (int i = 0; i < v; ++i) z[i] = 6.0f * SamplerUniform(seed, 99, 0, i) - 3.0f;
  return z;
}

TEST(ComputeKeptSet, MatchesFloat64ReferenceForEachRuleAndCombination) {
  const std::vector<SamplingParams> cases = {
      {1.0f, 0.0f, 0, 1.0f}, {0.7f, 0.0f, 0, 1.0f}, {1.0f, 0.1f, 0, 1.0f},
      {1.0f, 0.0f, 5, 1.0f}, {1.0f, 0.0f, 0, 0.9f}, {0.6f, 0.05f, 40, 0.95f},
      {1.3f, 0.2f, 3, 0.5f}, {1.0f, 0.0f, 1, 1.0f}, {2.0f, 0.0f, 0, 0.01f},
  };
  int checked = 0;
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> z = Logits(257, seed);
    for (const SamplingParams& p : cases) {
      const KeptSet got = ComputeKeptSet(z, p);
      const Expected want = Reference(z, p);
      ASSERT_EQ(got.tokens, want.tokens) << "seed " << seed << " T " << p.temperature;
      for (size_t i = 0; i < want.probs.size(); ++i) {
        EXPECT_NEAR(got.probs[i], want.probs[i], 1e-12 * want.probs[i]);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 180);
  // Hand-checked case: q = softmax([0, ln 2, ln 4, ln 8]) = [1, 2, 4, 8] / 15.
  const std::vector<float> z = {0.0f, std::log(2.0f), std::log(4.0f), std::log(8.0f)};
  KeptSet k = ComputeKeptSet(z, {1.0f, 0.2f, 0, 1.0f});  // keeps q >= 0.2 * 8/15
  EXPECT_EQ(k.tokens, (std::vector<int32_t>{3, 2, 1}));
  k = ComputeKeptSet(z, {1.0f, 0.0f, 0, 0.75f});  // 8/15 = .53 < .75 <= 12/15
  EXPECT_EQ(k.tokens, (std::vector<int32_t>{3, 2}));
  EXPECT_NEAR(k.probs[1], 4.0 / 15, 1e-7);
  k = ComputeKeptSet(z, {0.0f, 0.0f, 0, 1.0f});
  EXPECT_EQ(k.tokens, (std::vector<int32_t>{3}));
}

// Step 5 of the contract, recomputed from the float64 reference kept set for many keys.
TEST(Sample, DrawIsFirstRunningSumAboveUTimesS) {
  const std::vector<SamplingParams> cases = {
      {1.0f, 0.0f, 0, 1.0f}, {0.7f, 0.05f, 0, 0.9f}, {1.2f, 0.0f, 20, 1.0f}, {0.9f, 0.0f, 0, 0.6f}};
  int draws = 0;
  for (uint32_t seed = 0; seed < 10; ++seed) {
    const std::vector<float> z = Logits(1000, seed + 50);
    for (const SamplingParams& p : cases) {
      const Expected want = Reference(z, p);
      std::vector<int32_t> ids = want.tokens;
      std::sort(ids.begin(), ids.end());
      std::vector<double> q(z.size());
      for (size_t i = 0; i < want.tokens.size(); ++i) q[want.tokens[i]] = want.probs[i];
      double total = 0;
      for (int32_t t : ids) total += q[t];  // S in token-id order
      for (uint32_t sample = 0; sample < 50; ++sample) {
        const double u = SamplerUniform(seed, 4, sample, 9);
        double run = 0;
        int32_t expected = want.tokens.back();
        for (size_t i = 0; i < want.tokens.size(); ++i) {
          run += want.probs[i];
          if (run > u * total) {
            expected = want.tokens[i];
            break;
          }
        }
        ASSERT_EQ(Sample(z, p, {seed, 4, sample, 9}).token, expected);
        ++draws;
      }
    }
  }
  EXPECT_EQ(draws, 2000);
}

TEST(HasNaN, FindsANaNAnywhere) {
  std::vector<float> z(100, 1.0f);
  z[7] = -INFINITY;
  z[8] = INFINITY;
  EXPECT_FALSE(HasNaN(z));
  z[99] = std::nanf("");
  EXPECT_TRUE(HasNaN(z));
  EXPECT_FALSE(HasNaN({}));
}

TEST(Sample, GreedyTakesLowestArgmaxAndReportsLogprob) {
  const std::vector<float> z = {1.0f, 3.0f, 3.0f, -1.0f};
  const SampledToken t = Sample(z, {0.0f, 0.0f, 0, 1.0f}, {1, 2, 3, 4});
  EXPECT_EQ(t.token, 1);
  const double lse = std::log(std::exp(1.0) + 2 * std::exp(3.0) + std::exp(-1.0));
  EXPECT_NEAR(t.logprob, 3.0 - lse, 1e-6);
}

// Raw: log softmax(z); processed: log softmax(z / T); equal at T = 1 and for greedy.
TEST(Sample, ReturnsRawAndProcessedLogprobs) {
  const std::vector<float> z = {1.5f, -0.25f, 3.0f, 0.5f, 2.75f};
  auto log_softmax = [&](double t, int i) {
    double mx = -INFINITY, sum = 0;
    for (float x : z) mx = std::max(mx, x / t);
    for (float x : z) sum += std::exp(x / t - mx);
    return z[i] / t - mx - std::log(sum);
  };
  for (float t : {0.3f, 0.7f, 1.0f, 1.8f}) {
    for (uint32_t pos = 0; pos < 20; ++pos) {
      SamplingParams p;
      p.temperature = t;
      const SampledToken s = Sample(z, p, {9, 1, 0, pos});
      EXPECT_NEAR(s.logprob, log_softmax(t, s.token), 1e-6) << t;
      EXPECT_NEAR(s.raw_logprob, log_softmax(1.0, s.token), 1e-6) << t;
      if (t == 1.0f) {
        EXPECT_EQ(s.raw_logprob, s.logprob);
      }
    }
  }
  SamplingParams greedy;
  greedy.temperature = 0.0f;
  const SampledToken g = Sample(z, greedy, {});
  EXPECT_EQ(g.token, 2);
  EXPECT_EQ(g.raw_logprob, g.logprob);
  EXPECT_NEAR(g.raw_logprob, log_softmax(1.0, 2), 1e-6);
}

// vLLM treats temperatures below 1e-5 as greedy; a draw at T = 1e-6 would divide logits by 1e-6.
TEST(Sample, TemperatureBelowEpsilonIsGreedy) {
  const std::vector<float> z = {1.0f, 1.0f - 1e-6f, 0.5f};
  SamplingParams tiny;
  tiny.temperature = 5e-6f;
  for (uint32_t pos = 0; pos < 50; ++pos) {
    const SampledToken s = Sample(z, tiny, {1, 2, 3, pos});
    EXPECT_EQ(s.token, 0);
    EXPECT_EQ(s.logprob, s.raw_logprob);
  }
  EXPECT_EQ(NormalizeSamplingParams(tiny).temperature, 0.0f);
  tiny.temperature = 1e-5f;
  EXPECT_EQ(NormalizeSamplingParams(tiny).temperature, 1e-5f);
}

TEST(Sample, DrawsFollowKeptDistributionByChiSquare) {
  const std::vector<float> z = Logits(50, 4);
  const SamplingParams p = {0.8f, 0.02f, 12, 0.9f};
  const KeptSet kept = ComputeKeptSet(z, p);
  ASSERT_GE(kept.tokens.size(), 5u);
  const double total = std::accumulate(kept.probs.begin(), kept.probs.end(), 0.0);
  std::map<int32_t, int> counts;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    const SampledToken t = Sample(z, p, {11, uint64_t(i / 64), uint32_t(i % 64), 3});
    ++counts[t.token];
    ASSERT_NEAR(t.logprob,
                std::log(kept.probs[std::find(kept.tokens.begin(), kept.tokens.end(), t.token) -
                                    kept.tokens.begin()]),
                1e-5);
  }
  double chi2 = 0;
  int seen = 0;
  for (size_t i = 0; i < kept.tokens.size(); ++i) {
    const double expected = n * kept.probs[i] / total;
    const double o = counts.count(kept.tokens[i]) ? counts[kept.tokens[i]] : 0;
    seen += o;
    chi2 += (o - expected) * (o - expected) / expected;
  }
  EXPECT_EQ(seen, n) << "a token outside the kept set was drawn";
  // Critical values of chi-square at p = 0.001 for df = 4..11.
  const double crit[] = {18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26};
  const size_t df = kept.tokens.size() - 1;
  ASSERT_LE(df, 11u);
  EXPECT_LT(chi2, crit[df - 4]) << "df " << df;
  // And a deliberately wrong distribution is rejected by the same statistic.
  double chi2_uniform = 0;
  for (size_t i = 0; i < kept.tokens.size(); ++i) {
    const double e = double(n) / kept.tokens.size();
    chi2_uniform += (counts[kept.tokens[i]] - e) * (counts[kept.tokens[i]] - e) / e;
  }
  EXPECT_GT(chi2_uniform, crit[df - 4]);
}

TEST(Sample, SameKeySameTokenAcrossCallsAndOrders) {
  const std::vector<float> z = Logits(300, 8);
  const SamplingParams p = {1.0f, 0.0f, 0, 1.0f};
  std::vector<int32_t> forward, backward(64);
  for (uint32_t s = 0; s < 64; ++s) forward.push_back(Sample(z, p, {5, 9, s, 0}).token);
  for (int s = 63; s >= 0; --s) backward[s] = Sample(z, p, {5, 9, uint32_t(s), 0}).token;
  EXPECT_EQ(forward, backward);
  std::sort(forward.begin(), forward.end());
  EXPECT_GT(std::unique(forward.begin(), forward.end()) - forward.begin(), 20)
      << "different samples should draw different tokens";
}

TEST(ValidateSamplingParams, RejectsOutOfRangeWithFieldName) {
  EXPECT_TRUE(ValidateSamplingParams({}).ok());
  absl::Status s = ValidateSamplingParams({-1.0f, 0.0f, 0, 1.0f});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("temperature"), std::string::npos);
  s = ValidateSamplingParams({1.0f, 0.0f, 0, 0.0f});
  EXPECT_NE(s.message().find("top_p"), std::string::npos);
  s = ValidateSamplingParams({1.0f, 1.5f, 0, 1.0f});
  EXPECT_NE(s.message().find("min_p"), std::string::npos);
  s = ValidateSamplingParams({1.0f, 0.0f, -2, 1.0f});
  EXPECT_NE(s.message().find("top_k"), std::string::npos);
}

}  // namespace
}  // namespace verdict::rollout
