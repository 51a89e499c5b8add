// The reward components: a closed set with one name each. The weight of each lives in one table,
// rewards/spec.h ComponentWeight.
#ifndef VERDICT_REWARDS_COMPONENT_H_
#define VERDICT_REWARDS_COMPONENT_H_

#include <array>
#include <ostream>
#include <string_view>

namespace verdict {

enum class Component {
  kAccuracy,    // math, code or instruction-following correctness
  kFormat,      // the format template (DESIGN §5)
  kLanguage,    // R1 language consistency of the chain of thought
  kOverlong,    // DAPO soft overlong penalty
  kLength,      // Kimi k1.5 length reward, relative to the group
  kCosine,      // cosine length scaling (Yeo et al.)
  kRepetition,  // n-gram repetition penalty (open-r1)
};

inline constexpr std::array<Component, 7> kAllComponents = {
    Component::kAccuracy, Component::kFormat, Component::kLanguage,  Component::kOverlong,
    Component::kLength,   Component::kCosine, Component::kRepetition};

// The wire name ("accuracy", "format", ...): the key of GroupResult.components in verdict.v1.
std::string_view ComponentName(Component component);

inline std::ostream& operator<<(std::ostream& os, Component c) { return os << ComponentName(c); }

}  // namespace verdict

#endif  // VERDICT_REWARDS_COMPONENT_H_
