#include "cli/result_wire.h"

#include <string>
#include <vector>

#include "cli/result_json.h"
#include "gtest/gtest.h"

namespace verdict::cli {
namespace {

// A response with every field the output prints set, in each kind of result.
v1::ScoreResponse EveryField() {
  v1::ScoreResponse response;
  v1::GroupResult* g = response.add_groups();
  g->set_group_id("g\"1 ü");
  v1::SampleResult* s = g->add_samples();
  s->set_reward(2.5);
  s->set_advantage(-0.125);
  s->set_verdict(v1::RUNTIME_ERROR);
  s->set_reason("test 0: exit 1 — ü");
  for (auto [id, value] : {std::pair{v1::COMPONENT_REPETITION, -0.25},
                           {v1::COMPONENT_ACCURACY, 1.0},
                           {v1::COMPONENT_COSINE, 0.5},
                           {v1::COMPONENT_FORMAT, 1.0}}) {
    s->add_component_ids(id);
    s->add_component_values(value);
  }
  s->set_length(-7);
  s->set_truncated(true);
  s->mutable_math()->set_extracted("\\frac{1}{2}");
  s->mutable_math()->set_source("boxed");
  s->mutable_math()->set_canonical("1/2");
  s->mutable_math()->set_matched_gold(-1);
  s->mutable_format()->set_ok(true);
  s->mutable_format()->set_template_("r1");
  s->mutable_format()->set_problem("text after </answer>");
  s->mutable_format()->set_think_prefilled(true);
  v1::CodeDetails* code = s->mutable_code();
  code->set_passed(1);
  code->set_total(2);
  code->set_compile_cache_hit(true);
  code->set_compile_output("warning: x");
  v1::CodeDetails::Test* t = code->add_tests();
  t->set_index(1);
  t->set_skipped(true);
  t->set_verdict(v1::RUNTIME_ERROR);
  t->set_wall_ms(1.5);
  t->set_cpu_ms(3);
  t->set_peak_memory_bytes(1 << 20);
  t->set_message("exit code 1");
  v1::InstructionDetails* in = s->mutable_instructions();
  in->set_followed(1);
  in->set_total(2);
  in->set_loose(true);
  in->add_constraints()->set_id("keywords:existence");
  in->mutable_constraints(0)->set_followed(true);
  in->mutable_constraints(0)->set_detail("all present");
  s->mutable_language()->set_target("en");
  s->mutable_language()->set_words(9);
  s->mutable_language()->set_target_words(8);
  v1::SampleResult* failed = g->add_samples();
  failed->set_verdict(v1::ERROR);
  failed->set_reason("too long");
  failed->mutable_error()->set_code(3);
  failed->mutable_error()->set_message("too long");
  failed->mutable_format()->set_template_("none");
  v1::GroupStats* st = g->mutable_stats();
  st->set_mean(1.25);
  st->set_std(0.5);
  st->set_zero_variance(true);
  st->set_num_samples(2);
  st->set_num_correct(1);
  st->set_num_format_ok(1);
  st->set_num_errors(1);
  st->set_num_undecided(1);
  st->set_length_unit("tokens");
  st->mutable_majority()->set_answer("1/2");
  st->mutable_majority()->set_count(2);
  st->mutable_majority()->set_correct(true);
  st->mutable_majority()->set_clusters(1);
  (*st->mutable_pass_at_k())[4] = 0.75;
  (*st->mutable_pass_at_k())[1] = 0.5;
  v1::GroupResult* rejected = response.add_groups();
  rejected->set_group_id("bad");
  rejected->mutable_error()->set_code(3);
  rejected->mutable_error()->set_message("unknown constraint id");
  response.add_groups()->set_group_id("empty");
  return response;
}

// The JSON of every group and sample, from views.
std::vector<std::string> Json(const std::vector<GroupView>& groups) {
  std::vector<std::string> out;
  for (const GroupView& g : groups) {
    out.emplace_back();
    AppendGroupResultJson(g, &out.back());
    for (const SampleView& s : g.samples) {
      out.emplace_back();
      AppendSampleJson(s, &out.back());
    }
  }
  return out;
}

TEST(ReadScoreResponse, PrintsWhatTheParsedMessagePrints) {
  const v1::ScoreResponse response = EveryField();
  const std::string bytes = response.SerializeAsString();
  google::protobuf::Arena arena;
  std::vector<GroupView> read;
  ASSERT_TRUE(ReadScoreResponse(bytes, &arena, &read));
  std::vector<GroupView> parsed(static_cast<size_t>(response.groups_size()));
  for (int i = 0; i < response.groups_size(); ++i) {
    GroupViewOf(response.groups(i), &parsed[static_cast<size_t>(i)]);
  }
  const std::vector<std::string> expected = Json(parsed);
  EXPECT_EQ(Json(read), expected);
  EXPECT_EQ(expected.size(), 5u);  // 3 groups, 2 samples
  for (const char* field : {"\"cosine\":0.5", "\"think_prefilled\":true", "\"matched_gold\":-1",
                            "\"compile_output\":", "\"loose\":true", "\"target_words\":8",
                            "\"error\":{\"code\":3", "\"pass_at_k\":{\"1\":0.5,\"4\":0.75}",
                            "\"majority\":{", "\"length\":-7,\"truncated\":true"}) {
    EXPECT_NE(expected[0].find(field), std::string::npos) << field;
  }
  EXPECT_EQ(read[0].samples[0].format->template_name, "r1");
  EXPECT_EQ(read[0].samples[1].format->template_name, "none");
  EXPECT_EQ(read[0].stats->length_unit(), "tokens");
}

// Each of these must leave the response to the message parser, which prints or refuses it.
TEST(ReadScoreResponse, RefusesWhatItWouldNotPrintAsTheParserDoes) {
  auto refused = [](const v1::ScoreResponse& response) {
    google::protobuf::Arena arena;
    std::vector<GroupView> groups;
    return !ReadScoreResponse(response.SerializeAsString(), &arena, &groups);
  };
  ASSERT_FALSE(refused(EveryField()));
  auto sample = [](v1::ScoreResponse* r) { return r->mutable_groups(0)->mutable_samples(0); };
  auto unknown = [](google::protobuf::Message* m) {
    return m->GetReflection()->MutableUnknownFields(m);
  };
  v1::ScoreResponse r = EveryField();
  (*sample(&r)->mutable_components())["accuracy"] = 1;  // an older server's map
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(sample(&r))->AddVarint(99, 1);  // a newer server's field
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(sample(&r)->mutable_math())->AddVarint(9, 1);
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(sample(&r)->mutable_format())->AddLengthDelimited(9, "x");
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(r.mutable_groups(0))->AddVarint(42, 1);
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(&r)->AddVarint(2, 1);
  EXPECT_TRUE(refused(r));
  r = EveryField();
  r.mutable_groups(0)->mutable_effective_spec();
  EXPECT_TRUE(refused(r));
  r = EveryField();
  sample(&r)->add_component_ids(static_cast<v1::Component>(99));  // a component this build lacks
  sample(&r)->add_component_values(1);
  EXPECT_TRUE(refused(r));
  r = EveryField();
  sample(&r)->add_component_values(1);  // more values than ids
  EXPECT_TRUE(refused(r));
  r = EveryField();
  // A second math message: the parser would merge the two.
  unknown(sample(&r))->AddLengthDelimited(7, sample(&r)->math().SerializeAsString());
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(r.mutable_groups(0)->mutable_samples(1))->AddLengthDelimited(6, "");  // a 2nd error
  EXPECT_TRUE(refused(r));
  r = EveryField();
  unknown(sample(&r))->AddFixed64(4, 1);  // a known field with the wrong wire type
  EXPECT_TRUE(refused(r));
  r = EveryField();
  sample(&r)->mutable_format()->set_problem("\xff\xfe");  // not UTF-8: the parser refuses it
  EXPECT_TRUE(refused(r));
  r = EveryField();
  sample(&r)->set_reason("16 ASCII bytes.. \xe2\x80");  // cut short after ASCII words
  EXPECT_TRUE(refused(r));
  // Cut short anywhere: never read.
  const std::string bytes = EveryField().SerializeAsString();
  for (size_t n = 1; n < bytes.size(); ++n) {
    google::protobuf::Arena arena;
    std::vector<GroupView> groups;
    v1::ScoreResponse check;
    if (check.ParseFromString(bytes.substr(0, n))) continue;  // a valid shorter response
    EXPECT_FALSE(ReadScoreResponse(bytes.substr(0, n), &arena, &groups)) << n;
  }
}

}  // namespace
}  // namespace verdict::cli
