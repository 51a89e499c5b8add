#include "rewards/internal/finish.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "rewards/advantages.h"
#include "rewards/shaping.h"
#include "rewards/spec.h"

namespace verdict::internal {
namespace {

// GDPO-style: advantages of each component separately, summed with the component weights.
void ComponentAdvantages(const std::vector<bool>& scored, GroupResult* result) {
  const size_t n = result->samples.size();
  std::vector<Component> present;  // the components of the first scored sample
  for (size_t i = 0; i < n && present.empty(); ++i) {
    if (!scored[i]) continue;
    for (const auto& [c, value] : result->samples[i].components) present.push_back(c);
  }
  bool any_variance = false;
  std::vector<double> total(n, 0.0);
  for (Component c : present) {
    std::vector<double> values(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [other, value] : result->samples[i].components) {
        if (other == c) values[i] = value;
      }
    }
    AdvantageResult adv = ComputeAdvantages(values, scored, result->spec);
    any_variance = any_variance || !adv.zero_variance;
    const double weight = ComponentWeight(result->spec, c);
    for (size_t i = 0; i < n; ++i) total[i] += weight * adv.advantages[i];
  }
  result->stats.zero_variance = !any_variance;
  for (size_t i = 0; i < n; ++i) result->samples[i].advantage = total[i];
}

bool BatchScaled(const GroupResult& r) {
  return r.error.ok() && r.spec.estimator != AdvantageEstimator::kNone &&
         EffectiveScale(r.spec) == AdvantageScale::kBatchStd;
}

// Group-relative shaping, then the truncation rule and clipping, on the final reward.
void FinishRewards(GroupResult* result) {
  const RewardSpec& spec = result->spec;
  if (spec.kimi_length.enabled) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const SampleResult& s : result->samples) {
      if (!s.error.ok()) continue;
      lo = std::min(lo, s.length);
      hi = std::max(hi, s.length);
    }
    for (SampleResult& s : result->samples) {
      if (!s.error.ok()) continue;
      double v = KimiLengthReward(s.length, lo, hi, s.verdict == Verdict::kCorrect);
      s.components.emplace_back(Component::kLength, v);
      s.reward += ComponentWeight(spec, Component::kLength) * v;
    }
  }
  for (SampleResult& s : result->samples) {
    if (!s.error.ok()) continue;
    if (s.truncated && spec.truncation == TruncationMode::kMultiply) {
      s.reward *= spec.truncation_value;
    }
    if (s.truncated && spec.truncation == TruncationMode::kReplace) {
      s.reward = spec.truncation_value;
    }
    if (spec.clip) s.reward = std::clamp(s.reward, spec.clip_min, spec.clip_max);
  }
}

}  // namespace

void FinishGroup(GroupResult* result) {
  FinishRewards(result);
  const size_t n = result->samples.size();
  std::vector<double> rewards(n);
  std::vector<bool> scored(n);
  GroupStats& stats = result->stats;
  std::string unit = std::move(stats.length_unit);
  stats = GroupStats{};
  stats.length_unit = std::move(unit);
  stats.num_samples = static_cast<int>(n);
  int num_scored = 0;
  for (size_t i = 0; i < n; ++i) {
    const SampleResult& s = result->samples[i];
    rewards[i] = s.reward;
    scored[i] = s.error.ok();
    if (!s.error.ok()) ++stats.num_errors;
    if (s.error.ok()) ++num_scored;
    if (s.verdict == Verdict::kCorrect) ++stats.num_correct;
    if (s.verdict == Verdict::kUndecided) ++stats.num_undecided;
    if (s.error.ok() && s.format.ok) ++stats.num_format_ok;
  }
  AdvantageResult adv = ComputeAdvantages(rewards, scored, result->spec);
  stats.mean = adv.mean;
  stats.std = adv.std;
  stats.zero_variance = adv.zero_variance;
  for (size_t i = 0; i < n; ++i) result->samples[i].advantage = adv.advantages[i];
  if (result->spec.normalize_components && result->spec.estimator != AdvantageEstimator::kNone) {
    ComponentAdvantages(scored, result);
  }
  for (int k : result->spec.pass_at_k) {
    if (k >= 1 && k <= num_scored) {
      stats.pass_at_k.emplace_back(k, PassAtK(num_scored, stats.num_correct, k));
    }
  }
}

void FinishBatch(const std::vector<GroupResult*>& results) {
  std::vector<double*> values;
  const RewardSpec* spec = nullptr;
  for (GroupResult* r : results) {
    if (!BatchScaled(*r)) continue;
    if (spec == nullptr) spec = &r->spec;
    for (SampleResult& s : r->samples) {
      if (s.error.ok()) values.push_back(&s.advantage);
    }
  }
  if (spec == nullptr) return;
  // Zero-variance groups count toward the batch statistics (as in OpenRLHF's whitening) but keep
  // their advantage of exactly 0.
  std::vector<double> kept(values.size());
  for (size_t i = 0; i < values.size(); ++i) kept[i] = *values[i];
  BatchWhiten(values, spec->std_kind, spec->epsilon);
  size_t v = 0;
  for (GroupResult* r : results) {
    if (!BatchScaled(*r)) continue;
    for (SampleResult& s : r->samples) {
      if (!s.error.ok()) continue;
      if (r->stats.zero_variance) s.advantage = kept[v];
      ++v;
    }
  }
}

}  // namespace verdict::internal
