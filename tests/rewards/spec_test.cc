#include "rewards/spec.h"

#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

using testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One rule broken: the spec is refused with INVALID_ARGUMENT naming the field.
void ExpectRefused(const std::function<void(RewardSpec&)>& edit, const std::string& message) {
  RewardSpec s;
  edit(s);
  absl::Status st = ValidateSpec(s);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << message;
  EXPECT_THAT(st.message(), HasSubstr(message));
}

TEST(ValidateSpec, AcceptsTheDefaultsAndEveryTermEnabled) {
  RewardSpec s;
  EXPECT_TRUE(ValidateSpec(s).ok());
  s.language.enabled = s.overlong.enabled = s.kimi_length.enabled = s.cosine.enabled = true;
  s.repetition.enabled = s.clip = true;
  s.pass_at_k = {1, 8};
  EXPECT_TRUE(ValidateSpec(s).ok());
}

TEST(ValidateSpec, EveryWeightMustBeFinite) {
  for (Component c : kAllComponents) {
    for (double bad : {kNaN, kInf, -kInf}) {
      RewardSpec s;
      ComponentWeight(s, c) = bad;
      EXPECT_THAT(ValidateSpec(s).message(), HasSubstr("weight")) << ComponentName(c);
      EXPECT_THAT(ValidateSpec(s).message(), HasSubstr("must be finite")) << ComponentName(c);
    }
  }
}

TEST(ValidateSpec, EveryValueMustBeFinite) {
  const std::pair<std::function<void(RewardSpec&)>, const char*> fields[] = {
      {[](RewardSpec& s) { s.undecided_value = kNaN; }, "undecided_value"},
      {[](RewardSpec& s) { s.epsilon = kInf; }, "advantage.epsilon"},
      {[](RewardSpec& s) { s.no_code_value = kNaN; }, "code.no_code_value"},
      {[](RewardSpec& s) { s.compile_error_value = -kInf; }, "code.compile_error_value"},
      {[](RewardSpec& s) { s.cosine.min_value_wrong = kNaN; }, "cosine.min_value_wrong"},
      {[](RewardSpec& s) { s.cosine.max_value_wrong = kInf; }, "cosine.max_value_wrong"},
      {[](RewardSpec& s) { s.cosine.min_value_correct = kNaN; }, "cosine.min_value_correct"},
      {[](RewardSpec& s) { s.cosine.max_value_correct = kNaN; }, "cosine.max_value_correct"},
      {[](RewardSpec& s) { s.repetition.max_penalty = -kInf; }, "repetition.max_penalty"},
      {[](RewardSpec& s) { s.truncation_value = kNaN; }, "truncation.value"},
      {[](RewardSpec& s) { s.clip_min = kNaN; }, "clip.min"},
      {[](RewardSpec& s) { s.clip_max = kInf; }, "clip.max"},
  };
  for (const auto& [edit, field] : fields) ExpectRefused(edit, std::string(field) + " must be");
}

TEST(ValidateSpec, EpsilonMustNotBeNegative) {
  ExpectRefused([](RewardSpec& s) { s.epsilon = -1e-9; }, "advantage.epsilon");
}

TEST(ValidateSpec, SignificantDigitsMustBeInRange) {
  ExpectRefused([](RewardSpec& s) { s.math_min_significant_digits = 0; },
                "math.min_significant_digits");
  ExpectRefused([](RewardSpec& s) { s.math_min_significant_digits = 1001; },
                "math.min_significant_digits");
}

TEST(ValidateSpec, CustomFormatNeedsAPatternThatCompiles) {
  ExpectRefused([](RewardSpec& s) { s.format = FormatTemplate::kCustom; }, "needs format_pattern");
  ExpectRefused(
      [](RewardSpec& s) {
        s.format = FormatTemplate::kCustom;
        s.format_pattern = "(unclosed";
      },
      "not a valid RE2 pattern");
}

TEST(ValidateSpec, OverlongCacheMustFitInTheMaximum) {
  ExpectRefused([](RewardSpec& s) { s.overlong.cache_length = s.overlong.max_length + 1; },
                "cache_length <= max_length");
  ExpectRefused([](RewardSpec& s) { s.overlong.cache_length = 0; }, "1 <= cache_length");
}

TEST(ValidateSpec, CosineNeedsAPositiveMaximumLength) {
  ExpectRefused([](RewardSpec& s) { s.cosine.max_length = 0; }, "cosine.max_length");
}

TEST(ValidateSpec, RepetitionNeedsAnNgramAndANonPositivePenalty) {
  ExpectRefused([](RewardSpec& s) { s.repetition.ngram_size = 0; }, "ngram_size >= 1");
  ExpectRefused([](RewardSpec& s) { s.repetition.max_penalty = 0.5; }, "max_penalty <= 0");
}

TEST(ValidateSpec, ClipMinMustNotExceedMax) {
  ExpectRefused(
      [](RewardSpec& s) {
        s.clip_min = 1;
        s.clip_max = 0;
      },
      "clip.min > clip.max");
}

TEST(ValidateSpec, PassAtKValuesMustBePositive) {
  ExpectRefused([](RewardSpec& s) { s.pass_at_k = {4, 0}; }, "pass_at_k");
}

TEST(ComponentTable, EveryComponentHasItsOwnNameAndWeight) {
  std::set<std::string_view> names;
  RewardSpec s;
  double w = 2.0;
  for (Component c : kAllComponents) {
    EXPECT_TRUE(names.insert(ComponentName(c)).second) << ComponentName(c);
    EXPECT_EQ(ComponentNamed(ComponentName(c)), c);
    ComponentWeight(s, c) = w;
    w += 1;
  }
  EXPECT_EQ(s.accuracy_weight, 2);
  EXPECT_EQ(s.format_weight, 3);
  EXPECT_EQ(s.language.weight, 4);
  EXPECT_EQ(s.overlong.weight, 5);
  EXPECT_EQ(s.kimi_length.weight, 6);
  EXPECT_EQ(s.cosine.weight, 7);
  EXPECT_EQ(s.repetition.weight, 8);
  EXPECT_EQ(ComponentNamed("reward"), std::nullopt);
}

}  // namespace
}  // namespace verdict
