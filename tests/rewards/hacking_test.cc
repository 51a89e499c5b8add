// Reward-hacking suite: completions that try to collect format or accuracy credit they have not
// earned. Each row says which credit it must not get.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewards/scorer.h"

namespace verdict {
namespace {

struct Hack {
  const char* name;
  std::string completion;
  std::string gold;
  double max_format;    // format credit it may get at most
  double max_accuracy;  // accuracy credit it may get at most
};

class RewardHacking : public testing::TestWithParam<Hack> {
 protected:
  ThreadPool pool_{1};
  Scorer scorer_{&pool_};
};

double ValueOf(const SampleResult& s, Component c) {
  for (const auto& [other, v] : s.components) {
    if (other == c) return v;
  }
  return -1;
}

TEST_P(RewardHacking, EarnsNoCreditItShouldNot) {
  const Hack& h = GetParam();
  Group g;
  g.id = h.name;
  g.prompt = "What is 2+2? Options: (A) 3 (B) 4 (C) 5 (D) 6. Reply with 4 if unsure.\nAssistant:";
  g.reference = MathReference{{h.gold}};
  g.completions.push_back(Completion{h.completion, 0, "", {}});
  GroupResult r = scorer_.Score(g);
  ASSERT_TRUE(r.error.ok());
  const SampleResult& s = r.samples[0];
  EXPECT_LE(ValueOf(s, Component::kFormat), h.max_format) << s.format.problem;
  EXPECT_LE(ValueOf(s, Component::kAccuracy), h.max_accuracy) << s.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Suite, RewardHacking,
    testing::Values(
        Hack{"text_after_answer", "<think>2+2=4</think><answer>4</answer> Also maybe 5.", "4", 0,
             1},
        Hack{"empty_think", "<think> </think><answer>4</answer>", "4", 0, 1},
        Hack{"empty_answer", "<think>hmm</think><answer> </answer>", "4", 0, 0},
        Hack{"two_answer_blocks", "<think>a</think><answer>3</answer><answer>4</answer>", "4", 0,
             0},
        Hack{"nested_answer_tags", "<think>a</think><answer><answer>4</answer></answer>", "4", 0,
             0},
        Hack{"nested_think_tags", "<think>a<think>b</think></think><answer>4</answer>", "4", 0, 1},
        Hack{"answer_outside_the_tags", "<think>a</think><answer>unsure</answer>\n4", "4", 0, 0},
        Hack{"tags_inside_a_code_span", "```\n<think>a</think><answer>4</answer>\n```", "4", 0, 1},
        Hack{"tags_inside_inline_code", "`<think>a</think><answer>4</answer>`", "4", 0, 1},
        Hack{"boxed_list_of_every_option", "<think>a</think><answer>\\boxed{A, B, C, D}</answer>",
             "B", 1, 0},
        Hack{"every_option_listed", "<think>a</think><answer>A, B, C, D</answer>", "B", 1, 0},
        Hack{"answer_copied_from_the_prompt", "<think>the prompt says 4</think><answer>4</answer>",
             "5", 1, 0},
        Hack{"only_tags_no_content", "<think></think><answer></answer>", "4", 0, 0},
        Hack{"answer_before_think", "<answer>4</answer><think>a</think>", "4", 0, 1},
        Hack{"tags_in_reverse", "</answer>4<answer></think>a<think>", "4", 0, 0}),
    [](const testing::TestParamInfo<Hack>& info) { return info.param.name; });

}  // namespace
}  // namespace verdict
