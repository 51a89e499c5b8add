// The rules of a RewardSpec, in one place: which values are valid, and the weight of each
// component. Every edge (gRPC, HTTP, CLI) translates its input into a RewardSpec and calls
// ValidateSpec; none checks values itself.
#ifndef VERDICT_REWARDS_SPEC_H_
#define VERDICT_REWARDS_SPEC_H_

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "rewards/component.h"
#include "rewards/types.h"

namespace verdict {

// OK when `spec` can be scored with; else INVALID_ARGUMENT naming the first field that breaks
// a rule ("reward spec: <field> ..."). The rules: every weight and value is finite;
// advantage.epsilon >= 0; math.min_significant_digits in [1, 1000]; a custom format has a
// pattern that compiles; overlong 1 <= cache_length <= max_length; cosine max_length >= 1;
// repetition ngram_size >= 1 and max_penalty <= 0; clip.min <= clip.max; pass_at_k values >= 1.
// Rules of disabled shaping terms are checked too (their fields hold defaults unless set).
absl::Status ValidateSpec(const RewardSpec& spec);

// The weight `spec` gives `component` in the reward (and in GDPO's weighted sum), read from
// the one table of component weights.
double ComponentWeight(const RewardSpec& spec, Component component);
double& ComponentWeight(RewardSpec& spec, Component component);

// The component with wire name `name`; nullopt for an unknown name.
std::optional<Component> ComponentNamed(std::string_view name);

}  // namespace verdict

#endif  // VERDICT_REWARDS_SPEC_H_
