#include "rewards/format.h"

#include <string>

#include "gtest/gtest.h"

namespace verdict {
namespace {

struct FormatCase {
  const char* name;
  std::string completion;
  bool prefilled;
  bool ok;
  const char* problem;
};

class R1FormatTable : public testing::TestWithParam<FormatCase> {};

TEST_P(R1FormatTable, JudgesAsLabelled) {
  const FormatCase& c = GetParam();
  FormatResult r = CheckR1Format(c.completion, c.prefilled);
  EXPECT_EQ(r.ok, c.ok) << c.completion;
  EXPECT_EQ(r.problem, c.problem) << c.completion;
  EXPECT_EQ(r.template_name, "r1");
  EXPECT_EQ(r.think_prefilled, c.prefilled);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, R1FormatTable,
    testing::Values(
        FormatCase{"canonical", "<think>a</think><answer>b</answer>", false, true, ""},
        FormatCase{"whitespace_around", "  \n<think>\nx\n</think>\n\n<answer> 42 </answer>\n ",
                   false, true, ""},
        FormatCase{"multiline_bodies", "<think>line1\nline2</think>\n<answer>a\nb</answer>", false,
                   true, ""},
        FormatCase{"missing_think", "reasoning</think><answer>1</answer>", false, false,
                   "missing <think>"},
        FormatCase{"missing_answer_close", "<think>a</think><answer>1", false, false,
                   "missing </answer>"},
        FormatCase{"no_tags_at_all", "The answer is 4.", false, false, "missing <think>"},
        FormatCase{"text_after_answer", "<think>a</think><answer>1</answer> junk", false, false,
                   "text after </answer>"},
        FormatCase{"text_before_think", "Sure! <think>a</think><answer>1</answer>", false, false,
                   "text before <think>"},
        FormatCase{"text_between_blocks", "<think>a</think> so <answer>1</answer>", false, false,
                   "text between </think> and <answer>"},
        FormatCase{"empty_think", "<think>  </think><answer>1</answer>", false, false,
                   "empty <think> block"},
        FormatCase{"empty_answer", "<think>a</think><answer>\n</answer>", false, false,
                   "empty <answer> block"},
        FormatCase{"two_answer_blocks", "<think>a</think><answer>1</answer><answer>2</answer>",
                   false, false, "<answer> appears 2 times"},
        FormatCase{"nested_think", "<think>a<think>b</think></think><answer>1</answer>", false,
                   false, "<think> appears 2 times"},
        FormatCase{"answer_inside_think", "<think>a<answer>1</answer></think>", false, false,
                   "tags out of order"},
        FormatCase{"reversed_blocks", "<answer>1</answer><think>a</think>", false, false,
                   "tags out of order"},
        FormatCase{"prefilled_ok", "reasoning here</think>\n<answer>7</answer>", true, true, ""},
        FormatCase{"prefilled_but_repeats_think", "<think>r</think><answer>7</answer>", true,
                   false, "<think> appears 2 times"},
        FormatCase{"prefilled_empty_reasoning", "</think><answer>7</answer>", true, false,
                   "empty <think> block"}),
    [](const testing::TestParamInfo<FormatCase>& info) { return info.param.name; });

TEST(PromptPrefillsThink, RecognisesTrailingThinkTag) {
  EXPECT_TRUE(PromptPrefillsThink("User: 1+1?\nAssistant: <think>"));
  EXPECT_TRUE(PromptPrefillsThink("Assistant: <think>\n  "));
  EXPECT_FALSE(PromptPrefillsThink("Assistant:"));
  EXPECT_FALSE(PromptPrefillsThink("<think> </think> and <answer> </answer> tags"));
  EXPECT_FALSE(PromptPrefillsThink(""));
}

TEST(R1Format, TenMegabyteCompletionIsJudged) {
  std::string big = "<think>" + std::string(10 << 20, 'x') + "</think><answer>1</answer>";
  EXPECT_TRUE(CheckR1Format(big, false).ok);
  big += "tail";
  EXPECT_EQ(CheckR1Format(big, false).problem, "text after </answer>");
}

}  // namespace
}  // namespace verdict
