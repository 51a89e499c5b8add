// The OpenRLHF request translation, in the shapes OpenRLHF sends
// (openrlhf/utils/remote_rm_utils.py remote_rm_fn: {"query", "prompts", "labels"}; queries
// decoded with skip_special_tokens=False in openrlhf/trainer/ppo_utils/experience_maker.py).
#include "server/openrlhf.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(StripTrailingSpecialTokens, RemovesEndAndPadTokensRepeatedWithWhitespace) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"<answer>4</answer><|im_end|>", "<answer>4</answer>"},
      {"<answer>4</answer><|endoftext|>", "<answer>4</answer>"},
      {"<answer>4</answer></s>", "<answer>4</answer>"},
      {"<answer>4</answer><|eot_id|>", "<answer>4</answer>"},
      {"<answer>4</answer><|im_end|>\n<|endoftext|><|endoftext|><|endoftext|>",
       "<answer>4</answer>"},
      {"<answer>4</answer><\xEF\xBD\x9C"
       "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
       "<answer>4</answer>"},
      {"<answer>4</answer><end_of_turn><eos>", "<answer>4</answer>"},
      {"<answer>4</answer>[PAD][PAD]", "<answer>4</answer>"},
      // Not special tokens: kept as written.
      {"<answer>4</answer>", "<answer>4</answer>"},
      {"<answer>4</answer>  ", "<answer>4</answer>  "},
      {"a <b> c</answer>", "a <b> c</answer>"},
      {"x <| not a token |>", "x <| not a token |>"},
      {"<|im_end|>", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(StripTrailingSpecialTokens(c.in), c.want) << c.in;
}

TEST(ResponseAfterPrompt, FindsThePromptAfterBosOrInsideTheQuery) {
  EXPECT_EQ(*ResponseAfterPrompt("P:R", "P:"), "R");
  EXPECT_EQ(*ResponseAfterPrompt("<s>P:R", "P:"), "R");  // BOS the prompt lacks
  EXPECT_EQ(*ResponseAfterPrompt("<s> [INST] Q [/INST]R", "<s>[INST] Q [/INST]"), "R");
  EXPECT_EQ(*ResponseAfterPrompt("<|begin_of_text|>P:R", "<|begin_of_text|>P:"), "R");
  EXPECT_EQ(*ResponseAfterPrompt("<unknown_bos>P:R", "P:"), "R");  // found inside
  EXPECT_EQ(ResponseAfterPrompt("Q:R", "P:").status().code(), absl::StatusCode::kNotFound);
}

std::string Body(const std::string& query, const std::string& prompts, const std::string& labels) {
  std::string b = "{\"query\":" + query;
  if (!prompts.empty()) b += ",\"prompts\":" + prompts;
  if (!labels.empty()) b += ",\"labels\":" + labels;
  return b + "}";
}

TEST(ParseOpenRlhfRequest, ScoresEachQueryAgainstItsOwnLabel) {
  // The same prompt with two labels (two dataset rows sharing a question text): two groups.
  absl::StatusOr<OpenRlhfBatch> b =
      ParseOpenRlhfRequest(Body(R"(["P:a<|im_end|>","P:b<|im_end|>","P:c","P:d"])",
                                R"(["P:","P:","P:","P:"])", R"(["1","2","1","2"])"));
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->request.groups_size(), 2);
  EXPECT_THAT(b->request.groups(0).math().gold_answers(), ElementsAre("1"));
  EXPECT_THAT(b->request.groups(1).math().gold_answers(), ElementsAre("2"));
  EXPECT_EQ(b->request.groups(0).completions(0).text(), "a");
  EXPECT_EQ(b->request.groups(0).completions(1).text(), "c");
  EXPECT_EQ(b->request.groups(1).completions(1).text(), "d");
  EXPECT_EQ(b->request.groups(0).prompt(), "P:");
  EXPECT_EQ(b->where, (std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}, {1, 1}}));
}

TEST(ParseOpenRlhfRequest, WithoutPromptsEachQueryStillUsesItsOwnLabel) {
  absl::StatusOr<OpenRlhfBatch> b =
      ParseOpenRlhfRequest(Body(R"(["<s>x</s>","y","z"])", "", R"(["1","2","1"])"));
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->request.groups_size(), 2);
  EXPECT_THAT(b->request.groups(1).math().gold_answers(), ElementsAre("2"));
  EXPECT_EQ(b->request.groups(0).completions(0).text(), "x");
  EXPECT_EQ(b->request.groups(1).completions(0).text(), "y");
}

TEST(ParseOpenRlhfRequest, NumericLabelsAreTheirTextAndListsAreSeveralGolds) {
  absl::StatusOr<OpenRlhfBatch> b =
      ParseOpenRlhfRequest(Body(R"(["a","b","c"])", "", R"([42, 0.5, ["3", 4]])"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->request.groups(0).math().gold_answers(), ElementsAre("42"));
  EXPECT_THAT(b->request.groups(1).math().gold_answers(), ElementsAre("0.5"));
  EXPECT_THAT(b->request.groups(2).math().gold_answers(), ElementsAre("3", "4"));
}

TEST(ParseOpenRlhfRequest, NullLabelIsAnErrorNamingTheQuery) {
  absl::StatusOr<OpenRlhfBatch> b =
      ParseOpenRlhfRequest(Body(R"(["a","b"])", "", R"(["1", null])"));
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(b.status().message(), HasSubstr("query 1: the label is null"));
  EXPECT_THAT(ParseOpenRlhfRequest(Body(R"(["a"])", "", "[true]")).status().message(),
              HasSubstr("query 0: the label is a JSON boolean"));
}

TEST(ParseOpenRlhfRequest, PromptMissingFromItsQueryIsAnErrorNotASilentZero) {
  absl::StatusOr<OpenRlhfBatch> b =
      ParseOpenRlhfRequest(Body(R"(["P:a","Q:b"])", R"(["P:","P:"])", R"(["1","1"])"));
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(b.status().message(), HasSubstr("query 1: its prompt does not occur"));
}

TEST(ParseOpenRlhfRequest, NoLabelsMeansRulesOnlyAndBadShapesAreRejected) {
  absl::StatusOr<OpenRlhfBatch> b = ParseOpenRlhfRequest(Body(R"(["a"])", "", ""));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->request.groups(0).has_rules_only());
  EXPECT_TRUE(ParseOpenRlhfRequest(R"({"query":["a"],"labels":null})").ok());
  EXPECT_FALSE(ParseOpenRlhfRequest(R"({"query":["a"],"labels":["1","2"]})").ok());
  EXPECT_FALSE(ParseOpenRlhfRequest(R"({"query":"a"})").ok());
  EXPECT_FALSE(ParseOpenRlhfRequest(R"({"query":[1]})").ok());
  EXPECT_FALSE(ParseOpenRlhfRequest("not json").ok());
}

}  // namespace
}  // namespace verdict
