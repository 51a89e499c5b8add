// Advantages (DESIGN §5): a baseline subtracted from each reward, then a scale divided out.
//
//   baseline  group mean  b_i = mean_g(r)                 GRPO, Dr. GRPO, REINFORCE++-baseline
//             leave-one-out b_i = (sum_g(r) - r_i)/(n-1)  RLOO
//   scale     group std   A_i = (r_i - b_i) / (std_g(r) + eps)     GRPO
//             none        A_i = r_i - b_i                          Dr. GRPO, RLOO
//             batch std   A = whiten(r - b) over the whole batch:  REINFORCE++-baseline
//                         (A - mean_batch(A)) / (std_batch(A) + eps)
// std is the sample std (n-1) or the population std (n) per RewardSpec::std_kind, for the group
// and the batch alike. Sources: Shao et al. 2024 (GRPO); Liu et al. 2025 (Dr. GRPO); Ahmadian et
// al. 2024 (RLOO); Hu 2025 (REINFORCE++, baseline variant as in OpenRLHF).
//
// GDPO-style (normalize_components): the above per component, then sum_c w_c * A_ic.
//
// Groups with fewer than two scored samples, or all rewards equal, are zero-variance: their
// advantages are 0 (before batch whitening too) and they are flagged.
#ifndef VERDICT_REWARDS_ADVANTAGES_H_
#define VERDICT_REWARDS_ADVANTAGES_H_

#include <vector>

#include "rewards/types.h"

namespace verdict {

struct AdvantageResult {
  std::vector<double> advantages;  // same length as the input
  double mean = 0.0;
  double std = 0.0;  // of the rewards, of the kind `spec.std_kind` names
  bool zero_variance = true;
};

// The scale an estimator uses when `spec.scale` is kDefault.
AdvantageScale EffectiveScale(const RewardSpec& spec);

// Group-level advantages over the samples with `scored[i]` true (the others get 0 and do not
// count). With a batch scale, the result is only baseline-subtracted: BatchWhiten finishes it.
AdvantageResult ComputeAdvantages(const std::vector<double>& rewards,
                                  const std::vector<bool>& scored, const RewardSpec& spec);

// Finishes batch-scaled advantages: whitens `advantages` (the baseline-subtracted values of
// every scored sample of a batch, flattened) in place with `std_kind` and `epsilon`.
void BatchWhiten(std::vector<double*> advantages, StdKind std_kind, double epsilon);

// Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k), n samples of which c correct.
double PassAtK(int n, int c, int k);

}  // namespace verdict

#endif  // VERDICT_REWARDS_ADVANTAGES_H_
