// Group-normalised advantages (DESIGN §5) and group statistics.
#ifndef VERDICT_REWARDS_ADVANTAGES_H_
#define VERDICT_REWARDS_ADVANTAGES_H_

#include <vector>

#include "rewards/types.h"

namespace verdict {

struct AdvantageResult {
  std::vector<double> advantages;  // same length as the input
  double mean = 0.0;
  double std = 0.0;  // of the kind `spec.std_kind` names
  // Fewer than two scored samples, or all rewards equal: advantages are all 0.
  bool zero_variance = true;
};

// Computes advantages over the samples with `scored[i]` true; the others get 0 and do not count
// toward mean or std. Requires rewards.size() == scored.size().
//   GRPO: A_i = (r_i - mean) / (std + epsilon), std per `spec.std_kind`.
//   None: A_i = 0 (mean and std are still reported).
AdvantageResult ComputeAdvantages(const std::vector<double>& rewards,
                                  const std::vector<bool>& scored, const RewardSpec& spec);

}  // namespace verdict

#endif  // VERDICT_REWARDS_ADVANTAGES_H_
