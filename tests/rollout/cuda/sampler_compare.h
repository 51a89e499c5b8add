// Shared by the sampler tests: classifies a token chosen by the GPU method (kernel or its CPU
// emulation) against the contract (rollout/sampler.cc) as equal, a near-tie, or a miss.
//
// Near-tie: the contract itself picks that token when its inputs move by a relative 2e-5 — u, or
// the min-p / top-p thresholds — i.e. the difference is the fp32 weights and 2^-40 fixed-point
// sums against the contract's float64, at a boundary (sampler.h allows exactly this).
#ifndef VERDICT_TESTS_ROLLOUT_CUDA_SAMPLER_COMPARE_H_
#define VERDICT_TESTS_ROLLOUT_CUDA_SAMPLER_COMPARE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/types/span.h"
#include "rollout/cuda/sampling.h"
#include "rollout/philox.h"
#include "rollout/sampler.h"

namespace verdict::rollout::testing {

enum class Match { kEqual, kNearTie, kMiss };

inline SamplingParams ParamsOf(const cuda::SamplerRow& p) {
  return {p.temperature, p.min_p, p.top_k, p.top_p};
}

// The contract's draw (sampler.h step 5) over a kept set, for a given u.
inline int32_t DrawFrom(const KeptSet& ks, double u) {
  if (ks.tokens.empty()) return -1;
  std::vector<std::pair<int32_t, double>> by_id;
  for (size_t i = 0; i < ks.tokens.size(); ++i) by_id.push_back({ks.tokens[i], ks.probs[i]});
  std::sort(by_id.begin(), by_id.end());
  double s = 0.0;
  for (const auto& [t, q] : by_id) s += q;
  double run = 0.0;
  for (size_t i = 0; i < ks.tokens.size(); ++i) {
    run += ks.probs[i];
    if (run > u * s) return ks.tokens[i];
  }
  return ks.tokens.back();
}

inline Match Classify(absl::Span<const float> row, const cuda::SamplerRow& p, int32_t token) {
  const SampledToken ref = Sample(row, ParamsOf(p), {p.seed, p.group, p.sample, p.position});
  if (ref.token == token) return Match::kEqual;
  if (p.temperature == 0.0f) {  // greedy: only an exact tie of the maximum can differ
    return token >= 0 && token < static_cast<int32_t>(row.size()) && row[token] == row[ref.token]
               ? Match::kNearTie
               : Match::kMiss;
  }
  const double u = SamplerUniform(p.seed, p.group, p.sample, p.position);
  constexpr double kEps = 2e-5;
  for (double fm : {1.0, 1.0 - kEps, 1.0 + kEps}) {
    for (double fp : {1.0, 1.0 - kEps, 1.0 + kEps}) {
      SamplingParams sp = ParamsOf(p);
      sp.min_p = static_cast<float>(std::min(1.0, sp.min_p * fm));
      sp.top_p = static_cast<float>(std::min(1.0, sp.top_p * fp));
      const KeptSet ks = ComputeKeptSet(row, sp);
      for (double fu : {1.0, 1.0 - kEps, 1.0 + kEps}) {
        if (DrawFrom(ks, std::min(u * fu, 1.0 - 1e-12)) == token) return Match::kNearTie;
      }
    }
  }
  return Match::kMiss;
}

// Logit shapes: 0 LM-like (gaussian + a few spikes), 1 flat-ish gaussian, 2 quantised (many
// exact ties), 3 a -inf-masked row, 4 all equal (too flat for the window: the CPU path),
// 5 one dominant token.
inline void FillRow(std::mt19937_64& rng, int kind, int v, float* z) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::uniform_int_distribution<int> pick(0, v - 1);
  switch (kind) {
    case 0:
      for (int i = 0; i < v; ++i) z[i] = 2.5f * g(rng);
      for (int j = 0; j < 20; ++j) z[pick(rng)] = 12.0f + 3.0f * g(rng);
      break;
    case 1:
      for (int i = 0; i < v; ++i) z[i] = 0.5f * g(rng);
      break;
    case 2:
      for (int i = 0; i < v; ++i) z[i] = std::round(2.0f * g(rng)) * 0.5f;
      for (int j = 0; j < 8; ++j) z[pick(rng)] = 9.0f;
      break;
    case 3:
      for (int i = 0; i < v; ++i) z[i] = (i % 3 == 0) ? -INFINITY : 3.0f * g(rng);
      break;
    case 4:
      for (int i = 0; i < v; ++i) z[i] = 1.25f;
      break;
    default:
      for (int i = 0; i < v; ++i) z[i] = g(rng);
      z[pick(rng)] = 40.0f;
      break;
  }
}

inline cuda::SamplerRow RandomParams(std::mt19937_64& rng, uint64_t r) {
  const float temps[] = {0.0f, 0.3f, 0.7f, 1.0f, 1.0f, 1.5f};
  const float minps[] = {0.0f, 0.0f, 0.02f, 0.1f};
  const int topks[] = {0, 0, 1, 5, 50, 1000};
  const float topps[] = {1.0f, 1.0f, 0.5f, 0.9f, 0.95f};
  cuda::SamplerRow p;
  p.temperature = temps[rng() % 6];
  p.min_p = minps[rng() % 4];
  p.top_k = topks[rng() % 6];
  p.top_p = topps[rng() % 5];
  p.seed = rng();
  p.group = rng() % 1000 + (r << 40);
  p.sample = static_cast<uint32_t>(rng() % 64);
  p.position = static_cast<uint32_t>(rng() % 4096);
  return p;
}

}  // namespace verdict::rollout::testing

#endif  // VERDICT_TESTS_ROLLOUT_CUDA_SAMPLER_COMPARE_H_
