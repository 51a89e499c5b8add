#include "cli/jsonl_input.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict::cli {
namespace {

using testing::HasSubstr;

std::vector<InputUnit> ReadAll(const std::string& text, InputOptions options = {},
                               std::vector<std::string>* warnings = nullptr) {
  std::istringstream in(text);
  JsonlGroupReader reader(&in, options);
  std::vector<InputUnit> units;
  InputUnit u;
  while (reader.Next(&u)) units.push_back(std::move(u));
  if (warnings) *warnings = reader.TakeWarnings();
  return units;
}

TEST(JsonlGroupReader, ReadsListShapeWithStringAndObjectCompletions) {
  auto units = ReadAll(
      R"({"id":"a","prompt":"p","gold":["1","1.0"],"completions":["x",{"text":"y","num_tokens":3,"finish_reason":"length"}]})"
      "\n");
  ASSERT_EQ(units.size(), 1u);
  const v1::Group& g = units[0].group;
  EXPECT_TRUE(units[0].error.ok());
  EXPECT_EQ(g.id(), "a");
  EXPECT_EQ(g.prompt(), "p");
  EXPECT_THAT(g.math().gold_answers(), testing::ElementsAre("1", "1.0"));
  ASSERT_EQ(g.completions_size(), 2);
  EXPECT_EQ(g.completions(1).text(), "y");
  EXPECT_EQ(g.completions(1).num_tokens(), 3);
  EXPECT_EQ(g.completions(1).finish_reason(), "length");
  EXPECT_FALSE(units[0].per_line);
}

TEST(JsonlGroupReader, NumericGoldAndIdsBecomeText) {
  auto units = ReadAll(R"({"id":7,"gold":42,"completions":["x"]})"
                       "\n");
  EXPECT_EQ(units[0].group.id(), "7");
  EXPECT_THAT(units[0].group.math().gold_answers(), testing::ElementsAre("42"));
}

TEST(JsonlGroupReader, GroupsConsecutivePerLineCompletionsById) {
  auto units = ReadAll(R"({"id":"a","gold":"1","completion":"x"}
{"id":"a","gold":"1","completion":"y"}
{"id":"b","gold":"2","completion":"z"}
)");
  ASSERT_EQ(units.size(), 2u);
  EXPECT_TRUE(units[0].per_line);
  EXPECT_EQ(units[0].group.completions_size(), 2);
  EXPECT_EQ(units[0].lines.size(), 2u);
  EXPECT_EQ(units[0].first_line, 1);
  EXPECT_EQ(units[1].group.id(), "b");
  EXPECT_EQ(units[1].first_line, 3);
}

TEST(JsonlGroupReader, ResumedGroupIsWarnedAbout) {
  std::vector<std::string> warnings;
  auto units = ReadAll(R"({"id":"a","gold":"1","completion":"x"}
{"id":"b","gold":"2","completion":"z"}
{"id":"a","gold":"1","completion":"y"}
)",
                       {}, &warnings);
  EXPECT_EQ(units.size(), 3u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("line 3: group 'a' resumes"));
}

TEST(JsonlGroupReader, MalformedLinesAreReportedWithLineNumbersAndTheRestRead) {
  auto units = ReadAll(R"({"id":"a","gold":"1","completions":["x"]}
{"id": broken
[1,2,3]
{"id":"c","gold":"1"}
{"id":"d","gold":"1","completions":"not a list"}
{"id":"e","gold":{"x":1},"completions":["x"]}
{"id":"f","gold":"1","completions":[1]}

{"id":"g","gold":"1","completions":["ok"]}
)");
  ASSERT_EQ(units.size(), 8u);
  EXPECT_TRUE(units[0].error.ok());
  EXPECT_THAT(units[1].error.message(), HasSubstr("line 2: invalid JSON"));
  EXPECT_THAT(units[2].error.message(), HasSubstr("line 3: not a JSON object"));
  EXPECT_THAT(units[3].error.message(),
              HasSubstr("line 4: no 'completions' list and no 'completion' field"));
  EXPECT_THAT(units[4].error.message(), HasSubstr("line 5: field 'completions' must be an array"));
  EXPECT_THAT(units[5].error.message(), HasSubstr("line 6: field 'gold' must be"));
  EXPECT_THAT(units[6].error.message(), HasSubstr("line 7: a completion must be a string"));
  EXPECT_TRUE(units[7].error.ok());
  EXPECT_EQ(units[7].first_line, 9);  // the blank line 8 is skipped
  for (const auto& u : units) EXPECT_EQ(u.lines.size(), 1u);
}

TEST(JsonlGroupReader, UnknownFieldsAreKeptInTheRawLine) {
  auto units =
      ReadAll(R"({"id":"a","gold":"1","completions":["x"],"source":"gsm8k","meta":{"k":[1]}})"
              "\n");
  ASSERT_TRUE(units[0].error.ok());
  EXPECT_THAT(units[0].lines[0], HasSubstr(R"("meta":{"k":[1]})"));
}

TEST(JsonlGroupReader, InvalidUtf8IsRepairedAndWarned) {
  std::vector<std::string> warnings;
  auto units =
      ReadAll("{\"id\":\"a\",\"gold\":\"1\",\"completions\":[\"x\xff\"]}\n", {}, &warnings);
  ASSERT_TRUE(units[0].error.ok()) << units[0].error;
  EXPECT_EQ(units[0].group.completions(0).text(), "x\xEF\xBF\xBD");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("line 1: invalid UTF-8"));
}

TEST(JsonlGroupReader, MissingGoldLeavesNoReferenceUnlessRulesOnly) {
  auto units = ReadAll(R"({"id":"a","completions":["x"]})"
                       "\n");
  EXPECT_EQ(units[0].group.reference_case(), v1::Group::REFERENCE_NOT_SET);
  InputOptions rules;
  rules.rules_only = true;
  units = ReadAll(R"({"id":"a","completions":["x"]})"
                  "\n",
                  rules);
  EXPECT_TRUE(units[0].group.has_rules_only());
}

TEST(JsonlGroupReader, ReadsInstructionConstraintsWithIfevalNullsAsUnset) {
  auto units = ReadAll(
      R"({"id":"i","instructions":[{"id":"length_constraints:number_words","num_words":300,)"
      R"("relation":"less than","keywords":null,"num_bullets":null},)"
      R"({"id":"punctuation:no_comma"}],)"
      R"("completions":["x"]})"
      "\n"
      R"({"id":"j","instructions":{"id":"punctuation:no_comma"},"completions":["x"]})"
      "\n"
      R"({"id":"k","instructions":[{"id":"punctuation:no_comma","no_such":1}],"completions":["x"]})"
      "\n");
  ASSERT_EQ(units.size(), 3u);
  ASSERT_TRUE(units[0].error.ok()) << units[0].error;
  const v1::InstructionReference& ref = units[0].group.instructions();
  ASSERT_EQ(ref.constraints_size(), 2);
  EXPECT_EQ(ref.constraints(0).id(), "length_constraints:number_words");
  EXPECT_EQ(ref.constraints(0).num_words(), 300);
  EXPECT_EQ(ref.constraints(0).relation(), "less than");
  EXPECT_FALSE(ref.constraints(0).has_num_bullets());
  EXPECT_EQ(ref.constraints(0).keywords_size(), 0);
  EXPECT_EQ(units[1].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(units[1].error.message()), HasSubstr("'instructions' must be a list"));
  EXPECT_EQ(units[2].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(units[2].error.message()), HasSubstr("verdict.v1.Constraint"));
}

TEST(JsonlGroupReader, FieldNamesAreConfigurable) {
  InputOptions o;
  o.id_field = "uid";
  o.prompt_field = "question";
  o.gold_field = "answer";
  o.completions_field = "responses";
  auto units = ReadAll(R"({"uid":"q1","question":"Q","answer":"5","responses":["a"]})"
                       "\n",
                       o);
  ASSERT_TRUE(units[0].error.ok());
  EXPECT_EQ(units[0].group.id(), "q1");
  EXPECT_EQ(units[0].group.prompt(), "Q");
  EXPECT_THAT(units[0].group.math().gold_answers(), testing::ElementsAre("5"));
}

}  // namespace
}  // namespace verdict::cli
