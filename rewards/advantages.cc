#include "rewards/advantages.h"

#include <cmath>

namespace verdict {
namespace {

double StdOf(double squares, size_t n, StdKind kind) {
  if (kind == StdKind::kPopulation) return n ? std::sqrt(squares / static_cast<double>(n)) : 0.0;
  return n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
}

}  // namespace

AdvantageScale EffectiveScale(const RewardSpec& spec) {
  if (spec.scale != AdvantageScale::kDefault) return spec.scale;
  switch (spec.estimator) {
    case AdvantageEstimator::kGrpo: return AdvantageScale::kGroupStd;
    case AdvantageEstimator::kReinforcePlusPlusBaseline: return AdvantageScale::kBatchStd;
    case AdvantageEstimator::kDrGrpo:
    case AdvantageEstimator::kRloo:
    case AdvantageEstimator::kNone: return AdvantageScale::kNone;
  }
  return AdvantageScale::kNone;
}

AdvantageResult ComputeAdvantages(const std::vector<double>& rewards,
                                  const std::vector<bool>& scored, const RewardSpec& spec) {
  AdvantageResult out;
  out.advantages.assign(rewards.size(), 0.0);
  size_t n = 0;
  double sum = 0.0;
  bool all_equal = true;
  double first = 0.0;
  for (size_t i = 0; i < rewards.size(); ++i) {
    if (!scored[i]) continue;
    if (n == 0) first = rewards[i];
    all_equal = all_equal && rewards[i] == first;
    sum += rewards[i];
    ++n;
  }
  if (n == 0) return out;
  out.mean = sum / static_cast<double>(n);
  double squares = 0.0;
  for (size_t i = 0; i < rewards.size(); ++i) {
    if (scored[i]) squares += (rewards[i] - out.mean) * (rewards[i] - out.mean);
  }
  out.std = StdOf(squares, n, spec.std_kind);
  out.zero_variance = n < 2 || all_equal;
  if (out.zero_variance || spec.estimator == AdvantageEstimator::kNone) return out;

  const AdvantageScale scale = EffectiveScale(spec);
  const double divisor = scale == AdvantageScale::kGroupStd ? out.std + spec.epsilon : 1.0;
  for (size_t i = 0; i < rewards.size(); ++i) {
    if (!scored[i]) continue;
    double baseline = spec.estimator == AdvantageEstimator::kRloo
                          ? (sum - rewards[i]) / static_cast<double>(n - 1)
                          : out.mean;
    out.advantages[i] = (rewards[i] - baseline) / divisor;
  }
  return out;
}

void BatchWhiten(std::vector<double*> advantages, StdKind std_kind, double epsilon) {
  if (advantages.empty()) return;
  double sum = 0.0;
  for (double* a : advantages) sum += *a;
  const double mean = sum / static_cast<double>(advantages.size());
  double squares = 0.0;
  for (double* a : advantages) squares += (*a - mean) * (*a - mean);
  const double std = StdOf(squares, advantages.size(), std_kind);
  // All values equal (std 0) with epsilon 0 would be 0/0: every centred value is 0 then.
  const double divisor = std + epsilon > 0 ? std + epsilon : 1.0;
  for (double* a : advantages) *a = (*a - mean) / divisor;
}

double PassAtK(int n, int c, int k) {
  if (k <= 0 || k > n) return 0.0;
  if (n - c < k) return 1.0;
  // prod_{i=n-c+1}^{n} (1 - k/i), the numerically stable form of 1 - C(n-c,k)/C(n,k).
  double fail = 1.0;
  for (int i = n - c + 1; i <= n; ++i) fail *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - fail;
}

}  // namespace verdict
