#include "rewards/advantages.h"

#include <cmath>

namespace verdict {

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
  if (spec.std_kind == StdKind::kPopulation) {
    out.std = std::sqrt(squares / static_cast<double>(n));
  } else {
    out.std = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0;
  }
  out.zero_variance = n < 2 || all_equal;
  if (out.zero_variance || spec.estimator == AdvantageEstimator::kNone) return out;
  for (size_t i = 0; i < rewards.size(); ++i) {
    if (scored[i]) out.advantages[i] = (rewards[i] - out.mean) / (out.std + spec.epsilon);
  }
  return out;
}

}  // namespace verdict
