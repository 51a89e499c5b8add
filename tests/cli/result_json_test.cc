#include "cli/result_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict::cli {
namespace {

TEST(AddMember, AppendsToObjectsWithAndWithoutMembers) {
  EXPECT_EQ(AddMember(R"({"a":1})", "v", "2"), R"({"a":1,"v":2})");
  EXPECT_EQ(AddMember(R"({ "a" : [ "}" ] }  )", "v", "{}"), R"({ "a" : [ "}" ],"v":{}})");
  EXPECT_EQ(AddMember("{}", "v", "true"), R"({"v":true})");
  EXPECT_EQ(AddMember("{  }", "v", "null"), R"({"v":null})");
}

TEST(AppendNumber, ShortestRoundTripAndNullForNonFinite) {
  std::string s;
  AppendNumber(0.1, &s);
  s += ' ';
  AppendNumber(2, &s);
  s += ' ';
  AppendNumber(-0.8660254037844386, &s);
  s += ' ';
  AppendNumber(1.0 / 0.0, &s);
  EXPECT_EQ(s, "0.1 2 -0.8660254037844386 null");
}

TEST(AppendGroupResultJson, FixedKeyOrderAndSortedComponents) {
  v1::GroupResult g;
  g.set_group_id("g\"1");
  v1::SampleResult* s = g.add_samples();
  s->set_reward(2);
  s->set_advantage(0.5);
  s->set_verdict(v1::CORRECT);
  s->set_reason("ok");
  (*s->mutable_components())["format"] = 1;
  (*s->mutable_components())["accuracy"] = 1;
  g.mutable_stats()->set_num_samples(1);
  std::string out;
  AppendGroupResultJson(g, &out);
  EXPECT_EQ(
      out, R"({"group_id":"g\"1","samples":[{"reward":2,"advantage":0.5,"verdict":"CORRECT",)"
           R"("reason":"ok","components":{"accuracy":1,"format":1},"length":0,"truncated":false}],)"
           R"("stats":{"mean":0,"std":0,"zero_variance":false,"num_samples":1,"num_correct":0,)"
           R"("num_format_ok":0,"num_errors":0,"num_undecided":0,"length_unit":""}})");
}

TEST(AppendSampleJson, PackedComponentsPrintAsTheMapDoes) {
  // A server that predates ScoreRequest.packed_components sends the map: same output.
  v1::SampleResult map_form, packed;
  for (v1::SampleResult* s : {&map_form, &packed}) {
    s->set_reward(0.75);
    s->set_verdict(v1::WRONG_ANSWER);
  }
  (*map_form.mutable_components())["accuracy"] = 0;
  (*map_form.mutable_components())["format"] = 1;
  (*map_form.mutable_components())["repetition"] = -0.25;
  (*map_form.mutable_components())["length"] = 0.5;
  for (auto [id, value] : {std::pair{v1::COMPONENT_ACCURACY, 0.0},
                           {v1::COMPONENT_FORMAT, 1.0},
                           {v1::COMPONENT_LENGTH, 0.5},
                           {v1::COMPONENT_REPETITION, -0.25}}) {
    packed.add_component_ids(id);
    packed.add_component_values(value);
  }
  std::string a, b;
  AppendSampleJson(map_form, &a);
  AppendSampleJson(packed, &b);
  EXPECT_EQ(b, a);
  EXPECT_THAT(b, testing::HasSubstr(
                     R"("components":{"accuracy":0,"format":1,"length":0.5,"repetition":-0.25})"));
}

TEST(KnownPackedComponents, RefusesUnknownIdsAndMismatchedLists) {
  v1::ScoreResponse r;
  v1::GroupResult* g = r.add_groups();
  g->set_group_id("g");
  v1::SampleResult* s = g->add_samples();
  s->add_component_ids(v1::COMPONENT_ACCURACY);
  s->add_component_values(1);
  EXPECT_TRUE(KnownPackedComponents(r).ok());
  s->add_component_ids(static_cast<v1::Component>(99));  // a component a newer server added
  s->add_component_values(1);
  absl::Status unknown = KnownPackedComponents(r);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(unknown.message(), testing::HasSubstr("group 'g' sample 0: unknown component id 99"));
  s->mutable_component_ids()->RemoveLast();
  absl::Status mismatched = KnownPackedComponents(r);
  EXPECT_EQ(mismatched.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(mismatched.message(), testing::HasSubstr("1 component ids but 2 values"));
}

TEST(AppendSampleJson, CodeSamplesCarryTheirPerTestDetails) {
  v1::SampleResult s;
  s.set_verdict(v1::WRONG_ANSWER);
  s.set_reason("test 1: wrong_answer");
  v1::CodeDetails* c = s.mutable_code();
  c->set_passed(1);
  c->set_total(2);
  v1::CodeDetails::Test* t = c->add_tests();
  t->set_index(0);
  t->set_passed(true);
  t->set_verdict(v1::CORRECT);
  t->set_wall_ms(1.5);
  t->set_cpu_ms(1);
  t = c->add_tests();
  t->set_index(1);
  t->set_verdict(v1::WRONG_ANSWER);
  t->set_message("line 1: expected '5', got '6'");
  std::string out;
  AppendSampleJson(s, &out);
  EXPECT_EQ(out,
            R"({"reward":0,"advantage":0,"verdict":"WRONG_ANSWER","reason":"test 1: wrong_answer",)"
            R"("components":{},"length":0,"truncated":false,"code":{"passed":1,"total":2,)"
            R"("compile_cache_hit":false,"tests":[{"index":0,"passed":true,"skipped":false,)"
            R"("verdict":"CORRECT","wall_ms":1.5,"cpu_ms":1,"peak_memory_bytes":0,"message":""},)"
            R"({"index":1,"passed":false,"skipped":false,"verdict":"WRONG_ANSWER","wall_ms":0,)"
            R"("cpu_ms":0,"peak_memory_bytes":0,"message":"line 1: expected '5', got '6'"}]}})");
}

TEST(AppendGroupResultJson, ErrorGroupsCarryOnlyTheError) {
  v1::GroupResult g;
  g.set_group_id("x");
  g.mutable_error()->set_code(3);
  g.mutable_error()->set_message("bad");
  std::string out;
  AppendGroupResultJson(g, &out);
  EXPECT_EQ(out, R"({"group_id":"x","error":{"code":3,"message":"bad"}})");
}

}  // namespace
}  // namespace verdict::cli
