#include "rewards/format.h"

#include <string>

#include "gmock/gmock.h"
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
        FormatCase{"prefilled_but_repeats_think", "<think>r</think><answer>7</answer>", true, false,
                   "<think> appears 2 times"},
        FormatCase{"prefilled_empty_reasoning", "</think><answer>7</answer>", true, false,
                   "empty <think> block"},
        // White space is Unicode White_Space everywhere (rewards/utf8.h). Regression: \v was
        // blank inside a body but not around the tags.
        FormatCase{"vertical_tab_between_blocks", "<think>6*7=42</think>\v<answer>42</answer>",
                   false, true, ""},
        FormatCase{"unicode_spaces_around", "\u3000<think>a</think>\u00A0<answer>1</answer>\u2029",
                   false, true, ""},
        FormatCase{"unicode_space_only_answer", "<think>a</think><answer>\u2003\v</answer>", false,
                   false, "empty <answer> block"},
        FormatCase{"zero_width_space_is_text", "<think>a</think>\u200B<answer>1</answer>", false,
                   false, "text between </think> and <answer>"}),
    [](const testing::TestParamInfo<FormatCase>& info) { return info.param.name; });

TEST(PromptPrefillsThink, RecognisesTrailingThinkTag) {
  EXPECT_TRUE(PromptPrefillsThink("User: 1+1?\nAssistant: <think>"));
  EXPECT_TRUE(PromptPrefillsThink("Assistant: <think>\n  "));
  EXPECT_TRUE(PromptPrefillsThink("Assistant: <think>\u3000\v"));
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

TEST(ThinkOnlyFormat, ReadsTheAnswerAfterTheReasoning) {
  std::string_view answer;
  FormatResult r = CheckThinkOnlyFormat("<think>work</think>\nSo \\boxed{4}.", false, &answer);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.template_name, "think_only");
  EXPECT_EQ(answer, "\nSo \\boxed{4}.");
  EXPECT_TRUE(CheckThinkOnlyFormat("work</think>4", true, &answer).ok);
  EXPECT_EQ(CheckThinkOnlyFormat("<think>w</think>  ", false, &answer).problem,
            "no answer after </think>");
  EXPECT_EQ(CheckThinkOnlyFormat("<think>w</think>a</think>b", false, &answer).problem,
            "</think> appears 2 times");
  EXPECT_EQ(CheckThinkOnlyFormat("hi <think>w</think>4", false, &answer).problem,
            "text before <think>");
  EXPECT_EQ(CheckThinkOnlyFormat("<think>w</think>4", true, &answer).problem,
            "<think> appears 2 times");
}

TEST(CustomFormat, FullMatchWithANamedAnswerGroup) {
  std::string answer;
  absl::StatusOr<FormatResult> r =
      CheckCustomFormat("Reasoning...\nFinal: 42", false, R"(.*\nFinal: (?P<answer>\d+))", &answer);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(answer, "42");
  r = CheckCustomFormat("Final: 42 extra", false, R"(.*Final: (?P<answer>\d+))", &answer);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->problem, "does not match the custom pattern");
}

TEST(CustomFormat, InvalidPatternIsInvalidArgumentNamingIt) {
  std::string answer;
  absl::StatusOr<FormatResult> r = CheckCustomFormat("x", false, "(unclosed", &answer);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), testing::HasSubstr("'(unclosed'"));
  EXPECT_EQ(ValidateFormatPattern("a(b").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateFormatPattern("a+").ok());
}

TEST(TagCountCredit, QuarterPerTagPresentOnceAtMostThreeQuarters) {
  EXPECT_DOUBLE_EQ(TagCountCredit("<think>a</think> 4", FormatTemplate::kR1), 0.5);
  EXPECT_DOUBLE_EQ(TagCountCredit("<think>a</think><answer>4</answer> junk", FormatTemplate::kR1),
                   0.75);
  EXPECT_DOUBLE_EQ(TagCountCredit("<think><think>", FormatTemplate::kR1), 0.0);
  EXPECT_DOUBLE_EQ(TagCountCredit("<think>a</think>", FormatTemplate::kThinkOnly), 0.5);
}

}  // namespace
}  // namespace verdict
