// Instruction references through the Scorer: the answer region is what is checked, accuracy is
// the fraction of constraints followed (or all-or-nothing), and hacks earn nothing.
#include "rewards/instructions.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewards/scorer.h"

namespace verdict {
namespace {

using ::testing::HasSubstr;

instruct::Constraint C(std::string id) {
  instruct::Constraint c;
  c.id = std::move(id);
  return c;
}

instruct::Constraint Words(int64_t n, const char* relation) {
  instruct::Constraint c = C("length_constraints:number_words");
  c.num_words = n;
  c.relation = relation;
  return c;
}

instruct::Constraint Keywords(std::vector<std::string> k) {
  instruct::Constraint c = C("keywords:existence");
  c.keywords = std::move(k);
  return c;
}

class InstructionScoring : public testing::Test {
 protected:
  GroupResult Score(std::vector<instruct::Constraint> constraints,
                    std::vector<std::string> completions, RewardSpec spec = {}) {
    Group g;
    g.id = "g";
    g.prompt = "Follow the instructions.";
    g.reference = InstructionReference{std::move(constraints)};
    for (std::string& c : completions) g.completions.push_back(Completion{std::move(c), 0, "", {}});
    g.spec = spec;
    return scorer_.Score(g);
  }
  static double Accuracy(const SampleResult& s) {
    for (const auto& [name, v] : s.components) {
      if (name == Component::kAccuracy) return v;
    }
    return -1;
  }

  ThreadPool pool_{2};
  Scorer scorer_{&pool_};
};

TEST_F(InstructionScoring, AccuracyIsTheFractionFollowedOrAllOrNothing) {
  const std::vector<instruct::Constraint> cs = {Words(10, "less than"), C("punctuation:no_comma")};
  const std::vector<std::string> completions = {
      "<think>a, b</think><answer>Short and plain.</answer>",
      "<think>a</think><answer>Short, with a comma.</answer>",
      "<think>a</think><answer>Far too many words, and a comma, in this one answer here.</answer>"};
  GroupResult r = Score(cs, completions);
  ASSERT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(Accuracy(r.samples[0]), 1.0);
  EXPECT_EQ(r.samples[0].verdict, Verdict::kCorrect);
  EXPECT_EQ(Accuracy(r.samples[1]), 0.5);
  EXPECT_EQ(r.samples[1].verdict, Verdict::kPartial);
  EXPECT_EQ(Accuracy(r.samples[2]), 0.0);
  EXPECT_EQ(r.samples[2].verdict, Verdict::kWrongAnswer);
  ASSERT_TRUE(r.samples[1].instructions.has_value());
  EXPECT_EQ(r.samples[1].instructions->followed, 1);
  EXPECT_EQ(r.samples[1].instructions->constraints[1].detail, "has a comma");
  EXPECT_EQ(r.samples[1].reason, "1 of 2 instruction constraints followed");
  EXPECT_EQ(r.stats.num_correct, 1);

  RewardSpec all;
  all.instructions_all_or_nothing = true;
  GroupResult a = Score(cs, completions, all);
  EXPECT_EQ(Accuracy(a.samples[0]), 1.0);
  EXPECT_EQ(Accuracy(a.samples[1]), 0.0);
}

TEST_F(InstructionScoring, LooseSpecReadsIfevalsLooseVariants) {
  RewardSpec spec;
  spec.format = FormatTemplate::kNone;
  const std::string text = "Sure, here you go:\n\"quoted answer\"";
  EXPECT_EQ(Accuracy(Score({C("startend:quotation")}, {text}, spec).samples[0]), 0.0);
  spec.instructions_loose = true;
  GroupResult r = Score({C("startend:quotation")}, {text}, spec);
  EXPECT_EQ(Accuracy(r.samples[0]), 1.0);
  EXPECT_TRUE(r.samples[0].instructions->loose);
}

TEST_F(InstructionScoring, ResponseLanguageUsesTheCld2Checker) {
  instruct::Constraint fr = C("language:response_language");
  fr.language = "fr";
  RewardSpec spec;
  spec.format = FormatTemplate::kThinkOnly;
  GroupResult r = Score({fr},
                        {"<think>I will answer in French.</think>Le chat est sur la table "
                         "et il dort toute la journée au soleil.",
                         "<think>Je vais répondre en français, bien sûr.</think>"
                         "The cat is on the table and it sleeps all day in the sun."},
                        spec);
  EXPECT_EQ(Accuracy(r.samples[0]), 1.0) << r.samples[0].instructions->constraints[0].detail;
  EXPECT_EQ(Accuracy(r.samples[1]), 0.0);
  EXPECT_THAT(r.samples[1].instructions->constraints[0].detail, HasSubstr("detected 'en'"));
}

// CLD2 answers "en" when it cannot place a text; the constraint must not take that for English.
// Minimum: whatever CLD2 places reliably, which measured from two or three common words on
// ("Thank you!", "Yes, it is."); "Yes." or "I agree." cannot be placed and follow nothing.
TEST_F(InstructionScoring, ResponseLanguageFailsOnTextThatCannotBePlaced) {
  instruct::Constraint en = C("language:response_language");
  en.language = "en";
  RewardSpec spec;
  spec.format = FormatTemplate::kNone;
  const std::vector<std::string> english = {
      "Thank you!",
      "Yes, it is.",
      "The cat is on the mat.",
      "I like apples and oranges very much.",
      "Water boils at one hundred degrees Celsius at sea level. It freezes at zero degrees, "
      "and between the two it stays a liquid that covers most of the planet.\n\nThe oceans "
      "hold nearly all of it; the rest is ice, rivers, lakes and vapour in the air.",
      "THE CAT IS ON THE MAT AND IT SLEEPS ALL DAY IN THE SUN.",
      "The answer is 42: 6 * 7 = 42, so the product is 42.",
  };
  const std::vector<std::string> not_english = {
      "Yes.",
      "I agree.",
      "asdkjh qwepoi zxcmnb lkjhgf poiuyt",
      "12345 67890 3.14159",
      "\xF0\x9F\x99\x82\xF0\x9F\x8E\x89\xF0\x9F\x94\xA5 \xF0\x9F\x91\x8D",
      "!!! ??? ... ***",
      "Привет, как дела? Это текст на русском языке.",
      "今天天气很好，我们去公园散步吧。",
      "Hello world. Это длинный текст на русском языке, и в нем много слов, больше чем "
      "английских.",
      "The cat is on the mat and it sleeps all day. 今天天气很好，我们去公园散步吧。",
  };
  std::vector<std::string> all = english;
  all.insert(all.end(), not_english.begin(), not_english.end());
  GroupResult r = Score({en}, all, spec);
  ASSERT_EQ(r.samples.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string& detail = r.samples[i].instructions->constraints[0].detail;
    EXPECT_EQ(Accuracy(r.samples[i]), i < english.size() ? 1.0 : 0.0) << all[i] << ": " << detail;
  }
  EXPECT_THAT(r.samples[english.size()].instructions->constraints[0].detail,
              HasSubstr("not reliably detectable"));
  // The same holds for the case constraints, which need English too.
  GroupResult caps =
      Score({C("change_case:english_capital")}, {"ASDKJH QWEPOI ZXCMNB", "OK."}, spec);
  for (const SampleResult& s : caps.samples) EXPECT_EQ(Accuracy(s), 0.0);
}

TEST_F(InstructionScoring, BadConstraintsAreAGroupErrorNeverAPass) {
  GroupResult unknown = Score({C("punctuation:no_comma"), C("detectable_format:rainbow")}, {"x"});
  EXPECT_EQ(unknown.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.error.message()), HasSubstr("unknown constraint id"));
  EXPECT_TRUE(unknown.samples.empty());
  GroupResult missing = Score({C("keywords:frequency")}, {"x"});
  EXPECT_EQ(missing.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.error.message()), HasSubstr("missing parameter 'keyword'"));
  GroupResult none = Score({}, {"x"});
  EXPECT_EQ(none.error.code(), absl::StatusCode::kInvalidArgument);
}

// Hacks: each completion tries to collect credit it has not earned.
TEST_F(InstructionScoring, EmptyAnswerFollowsNoConstraintNotEvenUpperLimits) {
  GroupResult r = Score({Words(50, "less than"), C("punctuation:no_comma")},
                        {"<think>I will say nothing.</think><answer> </answer>", ""});
  for (const SampleResult& s : r.samples) {
    EXPECT_EQ(Accuracy(s), 0.0);
    EXPECT_EQ(s.verdict, Verdict::kNoAnswer);
  }
}

TEST_F(InstructionScoring, ResponseOfOnlyTheKeywordsGetsOnlyTheKeywordConstraint) {
  GroupResult r = Score({Keywords({"ocean", "whale"}), Words(50, "at least")},
                        {"<think>t</think><answer>ocean whale</answer>"});
  EXPECT_EQ(Accuracy(r.samples[0]), 0.5);
  RewardSpec all;
  all.instructions_all_or_nothing = true;
  r = Score({Keywords({"ocean", "whale"}), Words(50, "at least")},
            {"<think>t</think><answer>ocean whale</answer>"}, all);
  EXPECT_EQ(Accuracy(r.samples[0]), 0.0);
}

TEST_F(InstructionScoring, JsonCountsOnlyWhenTheFenceWrapsTheWholeAnswer) {
  RewardSpec spec;
  spec.format = FormatTemplate::kThinkOnly;
  GroupResult r = Score({C("detectable_format:json_format")},
                        {"<think>t</think>```json\n{\"name\": \"x\"}\n```",
                         "<think>t</think>Here is the JSON:\n```json\n{\"name\": \"x\"}\n```",
                         "<think>t</think>```json\n\"just a string\"\n```"},
                        spec);
  EXPECT_EQ(Accuracy(r.samples[0]), 1.0);
  EXPECT_EQ(Accuracy(r.samples[1]), 0.0);
  EXPECT_EQ(Accuracy(r.samples[2]), 0.0);
}

TEST_F(InstructionScoring, ConstraintsMetOnlyInsideThinkEarnNothing) {
  const std::vector<instruct::Constraint> cs = {Keywords({"ocean"}), C("detectable_format:title")};
  GroupResult r1 = Score(cs, {"<think><<Ocean Title>> the ocean</think><answer>Waves.</answer>"});
  EXPECT_EQ(Accuracy(r1.samples[0]), 0.0);
  RewardSpec think_only;
  think_only.format = FormatTemplate::kThinkOnly;
  GroupResult r2 = Score(cs,
                         {"<think><<Ocean Title>> ocean</think>Waves.",
                          "<think>reasoning about the <<ocean>> never closed"},
                         think_only);
  EXPECT_EQ(Accuracy(r2.samples[0]), 0.0);
  EXPECT_EQ(Accuracy(r2.samples[1]), 0.0);
  EXPECT_EQ(r2.samples[1].verdict, Verdict::kNoAnswer);
  // And a comma in the reasoning does not fail a no-comma answer.
  GroupResult r3 =
      Score({C("punctuation:no_comma")}, {"<think>a, b, c</think><answer>ok</answer>"});
  EXPECT_EQ(Accuracy(r3.samples[0]), 1.0);
}

TEST_F(InstructionScoring, SeveralAnswerBlocksOrAPrefilledThinkWithoutCloseHaveNoAnswer) {
  GroupResult r =
      Score({C("punctuation:no_comma")}, {"<think>t</think><answer>a</answer><answer>b</answer>"});
  EXPECT_EQ(r.samples[0].verdict, Verdict::kNoAnswer);
  EXPECT_EQ(InstructionAnswerRegion("all reasoning", FormatTemplate::kNone, true, ""),
            std::nullopt);
  EXPECT_EQ(InstructionAnswerRegion("plain answer", FormatTemplate::kNone, false, ""),
            std::optional<std::string_view>("plain answer"));
  EXPECT_EQ(InstructionAnswerRegion("r</think> after", FormatTemplate::kNone, true, ""),
            std::optional<std::string_view>(" after"));
  EXPECT_EQ(
      InstructionAnswerRegion("<think>x</think><answer>y</answer>", FormatTemplate::kR1, false, ""),
      std::optional<std::string_view>("y"));
}

}  // namespace
}  // namespace verdict
