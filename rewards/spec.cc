#include "rewards/spec.h"

#include <cmath>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "rewards/format.h"

namespace verdict {
namespace {

// The one component table: wire name and weight of each member of Component, in enum order.
struct ComponentInfo {
  std::string_view name;
  double& (*weight)(RewardSpec&);
};

constexpr ComponentInfo kComponents[] = {
    {"accuracy", [](RewardSpec& s) -> double& { return s.accuracy_weight; }},
    {"format", [](RewardSpec& s) -> double& { return s.format_weight; }},
    {"language", [](RewardSpec& s) -> double& { return s.language.weight; }},
    {"overlong", [](RewardSpec& s) -> double& { return s.overlong.weight; }},
    {"length", [](RewardSpec& s) -> double& { return s.kimi_length.weight; }},
    {"cosine", [](RewardSpec& s) -> double& { return s.cosine.weight; }},
    {"repetition", [](RewardSpec& s) -> double& { return s.repetition.weight; }},
};
static_assert(std::size(kComponents) == kAllComponents.size(), "one row per Component");

const ComponentInfo& Info(Component c) { return kComponents[static_cast<size_t>(c)]; }

absl::Status Invalid(const std::string& rule) {
  return absl::InvalidArgumentError("reward spec: " + rule);
}

}  // namespace

std::string_view ComponentName(Component component) { return Info(component).name; }

double ComponentWeight(const RewardSpec& spec, Component component) {
  // The accessor only reads here.
  return Info(component).weight(const_cast<RewardSpec&>(spec));
}

double& ComponentWeight(RewardSpec& spec, Component component) {
  return Info(component).weight(spec);
}

std::optional<Component> ComponentNamed(std::string_view name) {
  for (Component c : kAllComponents) {
    if (Info(c).name == name) return c;
  }
  return std::nullopt;
}

absl::Status ValidateSpec(const RewardSpec& s) {
  const std::pair<double, const char*> finite[] = {
      {s.accuracy_weight, "weights.accuracy"},
      {s.format_weight, "weights.format"},
      {s.language.weight, "language.weight"},
      {s.overlong.weight, "overlong.weight"},
      {s.kimi_length.weight, "kimi_length.weight"},
      {s.cosine.weight, "cosine.weight"},
      {s.repetition.weight, "repetition.weight"},
      {s.undecided_value, "undecided_value"},
      {s.epsilon, "advantage.epsilon"},
      {s.no_code_value, "code.no_code_value"},
      {s.compile_error_value, "code.compile_error_value"},
      {s.cosine.min_value_wrong, "cosine.min_value_wrong"},
      {s.cosine.max_value_wrong, "cosine.max_value_wrong"},
      {s.cosine.min_value_correct, "cosine.min_value_correct"},
      {s.cosine.max_value_correct, "cosine.max_value_correct"},
      {s.repetition.max_penalty, "repetition.max_penalty"},
      {s.truncation_value, "truncation.value"},
      {s.clip_min, "clip.min"},
      {s.clip_max, "clip.max"},
  };
  for (const auto& [value, field] : finite) {
    if (!std::isfinite(value)) return Invalid(std::string(field) + " must be finite");
  }
  if (s.epsilon < 0) return Invalid("advantage.epsilon must be finite and >= 0");
  if (s.math_min_significant_digits < 1 || s.math_min_significant_digits > 1000) {
    return Invalid("math.min_significant_digits must be in [1, 1000]");
  }
  if (s.format == FormatTemplate::kCustom) {
    if (s.format_pattern.empty()) return Invalid("FORMAT_TEMPLATE_CUSTOM needs format_pattern");
    if (absl::Status st = ValidateFormatPattern(s.format_pattern); !st.ok()) return st;
  }
  if (s.overlong.cache_length < 1 || s.overlong.cache_length > s.overlong.max_length) {
    return Invalid("overlong needs 1 <= cache_length <= max_length");
  }
  if (s.cosine.max_length < 1) return Invalid("cosine.max_length must be >= 1");
  if (s.repetition.ngram_size < 1 || s.repetition.max_penalty > 0) {
    return Invalid("repetition needs ngram_size >= 1 and max_penalty <= 0");
  }
  if (s.clip_min > s.clip_max) return Invalid("clip.min > clip.max");
  for (int k : s.pass_at_k) {
    if (k < 1) return Invalid("pass_at_k values must be >= 1");
  }
  return absl::OkStatus();
}

}  // namespace verdict
