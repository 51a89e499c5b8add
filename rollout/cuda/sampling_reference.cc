#include "rollout/cuda/sampling_reference.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "rollout/cuda/sampling_core.h"
#include "rollout/philox.h"
#include "rollout/sampler.h"

namespace verdict::rollout::cuda {

WindowedSample SampleWindowedOnCpu(absl::Span<const float> logits, const SamplerRow& p) {
  WindowedSample out;
  if (HasNaN(logits)) {
    out.status = kNanLogits;
    return out;
  }
  const int32_t v = static_cast<int32_t>(logits.size());
  const bool greedy = p.temperature == 0.0f;
  const float inv_t = greedy ? 1.0f : core::InvTemperature(p.temperature);
  const float min_p = p.min_p > 0.0f ? p.min_p : 0.0f;
  // Pass 1: max (lowest id among equal maxima).
  float zmax = -INFINITY;
  int32_t arg = -1;
  for (int32_t i = 0; i < v; ++i) {
    if (logits[i] > zmax) {
      zmax = logits[i];
      arg = i;
    }
  }
  if (arg < 0) {
    out.token = 0;
    out.logprob = -INFINITY;
    return out;
  }
  // Pass 2: total weight, histogram of kept tokens, the collected count.
  std::vector<uint32_t> cc(core::kBins, 0);
  std::vector<core::u64> cm(core::kBins, 0);
  core::u64 total = 0;
  int64_t collected = 0;
  for (int32_t i = 0; i < v; ++i) {
    const float d = core::Scaled(logits[i], zmax, inv_t);
    const float w = core::ExpNeg(d);
    total += core::Fix(w);
    if (greedy || !core::Kept(logits[i], w, min_p)) continue;
    const int b = core::Bin(d);
    ++cc[b];
    cm[b] += core::Fix(w);
    if (b < core::kCollectBins) ++collected;
  }
  const double log_norm = core::LogNormaliser(total);
  if (greedy) {
    out.token = arg;
    out.logprob = static_cast<float>(-log_norm);
    return out;
  }
  for (int b = 1; b < core::kBins; ++b) {
    cc[b] += cc[b - 1];
    cm[b] += cm[b - 1];
  }
  const float u = SamplerUniform(p.seed, p.group, p.sample, p.position);
  const core::Window win = core::FindWindow(cc.data(), cm.data(), p, u);
  out.window = win.count;
  if (win.count > static_cast<uint32_t>(kCudaSamplerWindow)) {
    out.status = kNeedsCpu;
    return out;
  }
  const bool third_pass = !(collected <= kCudaSamplerWindow && win.b_hi < core::kCollectBins);
  // The window in draw order, prefix masses, the pick.
  std::vector<std::pair<float, int32_t>> cand;
  for (int32_t i = 0; i < v; ++i) {
    const float d = core::Scaled(logits[i], zmax, inv_t);
    if (!core::Kept(logits[i], core::ExpNeg(d), min_p)) continue;
    const int b = core::Bin(d);
    if (b >= win.b_lo && b <= win.b_hi) cand.push_back({logits[i], i});
  }
  std::sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<core::u64> pm(cand.size());
  core::u64 run = win.base_mass;
  for (size_t j = 0; j < cand.size(); ++j) {
    run += core::Fix(core::ExpNeg(core::Scaled(cand[j].first, zmax, inv_t)));
    pm[j] = run;
  }
  const int pick =
      core::ResolvePick(pm.data(), static_cast<int>(cand.size()), win, cc.data(), cm.data(), p, u);
  if (pick < 0) {
    out.status = kNeedsCpu;
    return out;
  }
  out.token = cand[pick].second;
  out.logprob = static_cast<float>(
      static_cast<double>(core::Scaled(cand[pick].first, zmax, inv_t)) - log_norm);
  out.status = third_pass ? kSampledThirdPass : kSampledOk;
  return out;
}

}  // namespace verdict::rollout::cuda
