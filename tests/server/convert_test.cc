#include "server/convert.h"

#include <cctype>
#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

using testing::HasSubstr;

TEST(ResolveSpec, UnsetFieldsInheritAndSetFieldsOverride) {
  RewardSpec base;
  base.format_weight = 0.3;
  v1::RewardSpec o;
  o.mutable_weights()->set_accuracy(2);
  o.mutable_advantage()->set_std(v1::STD_KIND_POPULATION);
  o.set_format(v1::FORMAT_TEMPLATE_NONE);
  absl::StatusOr<RewardSpec> s = ResolveSpec(base, o);
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->accuracy_weight, 2);
  EXPECT_DOUBLE_EQ(s->format_weight, 0.3);  // inherited
  EXPECT_EQ(s->std_kind, StdKind::kPopulation);
  EXPECT_EQ(s->format, FormatTemplate::kNone);
  EXPECT_DOUBLE_EQ(s->epsilon, 1e-6);
}

TEST(ResolveSpec, ExplicitZeroIsAnOverrideNotUnset) {
  v1::RewardSpec o;
  o.mutable_weights()->set_format(0);
  EXPECT_DOUBLE_EQ(ResolveSpec(RewardSpec{}, o)->format_weight, 0);
}

TEST(ResolveSpec, RejectsBadValuesNamingTheField) {
  v1::RewardSpec o;
  o.mutable_weights()->set_format(INFINITY);
  EXPECT_THAT(ResolveSpec(RewardSpec{}, o).status().message(), HasSubstr("weights.format"));
  v1::RewardSpec e;
  e.mutable_advantage()->set_epsilon(-1);
  EXPECT_EQ(ResolveSpec(RewardSpec{}, e).status().code(), absl::StatusCode::kInvalidArgument);
  v1::RewardSpec u;
  u.set_format(static_cast<v1::FormatTemplate>(77));
  EXPECT_THAT(ResolveSpec(RewardSpec{}, u).status().message(),
              HasSubstr("unknown format template 77"));
}

TEST(ResolveSpec, MathPoliciesInheritOverrideAndValidate) {
  v1::RewardSpec o;
  o.mutable_math()->set_percent_policy(v1::MathSpec::PERCENT_POLICY_FRACTION);
  absl::StatusOr<RewardSpec> s = ResolveSpec(RewardSpec{}, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->math_percent, math::PercentPolicy::kFraction);
  EXPECT_EQ(s->math_decimal, math::DecimalPolicy::kRoundedAtWrittenPrecision);  // inherited
  EXPECT_EQ(s->math_min_significant_digits, 4);
  o.mutable_math()->set_decimal_policy(v1::MathSpec::DECIMAL_POLICY_EXACT);
  EXPECT_EQ(ResolveSpec(RewardSpec{}, o)->math_decimal, math::DecimalPolicy::kExact);
  o.mutable_math()->set_min_significant_digits(0);
  EXPECT_THAT(ResolveSpec(RewardSpec{}, o).status().message(),
              HasSubstr("math.min_significant_digits"));
  // The effective spec says the policies.
  RewardSpec r;
  r.math_decimal = math::DecimalPolicy::kExact;
  EXPECT_EQ(SpecToProto(r).math().decimal_policy(), v1::MathSpec::DECIMAL_POLICY_EXACT);
}

TEST(SpecToProto, RoundTripsThroughResolve) {
  RewardSpec s;
  s.accuracy_weight = 0.7;
  s.gate_accuracy_on_format = true;
  s.estimator = AdvantageEstimator::kNone;
  absl::StatusOr<RewardSpec> back = ResolveSpec(RewardSpec{}, SpecToProto(s));
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(back->accuracy_weight, 0.7);
  EXPECT_TRUE(back->gate_accuracy_on_format);
  EXPECT_EQ(back->estimator, AdvantageEstimator::kNone);
}

TEST(GroupFromProto, CopiesEveryFieldAndReference) {
  v1::Group in;
  in.set_id("g");
  in.set_prompt("p");
  in.set_prompt_tokens(5);
  in.mutable_math()->add_gold_answers("1");
  v1::Completion* c = in.add_completions();
  c->set_text("t");
  c->set_num_tokens(3);
  c->set_finish_reason("length");
  Group out;
  ASSERT_TRUE(GroupFromProto(in, RewardSpec{}, &out).ok());
  EXPECT_EQ(out.id, "g");
  EXPECT_EQ(out.prompt_tokens, 5);
  EXPECT_EQ(std::get<MathReference>(out.reference).gold_answers[0], "1");
  EXPECT_EQ(out.completions[0].finish_reason, "length");
  in.clear_math();
  ASSERT_TRUE(GroupFromProto(in, RewardSpec{}, &out).ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(out.reference));
}

TEST(GroupFromProto, TakingTheTextsGivesTheSameGroupAndLeavesThemEmpty) {
  v1::Group in;
  in.set_id("g");
  in.mutable_math()->add_gold_answers("1");
  in.add_completions()->set_text(std::string(100, 'x'));  // heap-allocated text
  in.add_completions()->set_text("short");
  in.mutable_completions(1)->set_num_tokens(2);
  in.mutable_spec()->mutable_weights()->set_format(0.5);
  Group copied, taken;
  ASSERT_TRUE(GroupFromProto(in, RewardSpec{}, &copied).ok());
  ASSERT_TRUE(TakeGroupFromProto(&in, RewardSpec{}, &taken).ok());
  ASSERT_EQ(taken.completions.size(), 2u);
  EXPECT_EQ(taken.completions[0].text, std::string(100, 'x'));
  EXPECT_EQ(taken.completions[1].text, "short");
  EXPECT_EQ(taken.completions[1].num_tokens, 2);
  EXPECT_EQ(taken.id, copied.id);
  EXPECT_DOUBLE_EQ(taken.spec.format_weight, 0.5);
  EXPECT_TRUE(in.completions(0).text().empty());
  EXPECT_TRUE(in.completions(1).text().empty());
  EXPECT_EQ(in.completions_size(), 2);
  // A bad spec is the same error either way, and the texts are still taken.
  in.mutable_spec()->set_format(static_cast<v1::FormatTemplate>(99));
  in.mutable_completions(0)->set_text("again");
  absl::Status s = TakeGroupFromProto(&in, RewardSpec{}, &taken);
  EXPECT_EQ(s, GroupFromProto(in, RewardSpec{}, &copied));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(taken.completions[0].text, "again");
}

TEST(GroupFromProto, CopiesInstructionConstraintsWithTheirPresence) {
  v1::Group in;
  v1::Constraint* c = in.mutable_instructions()->add_constraints();
  c->set_id("keywords:letter_frequency");
  c->set_letter("e");
  c->set_let_frequency(0);  // explicit zero: present
  c->set_let_relation("at least");
  c = in.mutable_instructions()->add_constraints();
  c->set_id("keywords:existence");
  c->add_keywords("a");
  c->add_keywords("b");
  Group out;
  ASSERT_TRUE(GroupFromProto(in, RewardSpec{}, &out).ok());
  const auto& ref = std::get<InstructionReference>(out.reference);
  ASSERT_EQ(ref.constraints.size(), 2u);
  EXPECT_EQ(ref.constraints[0].letter, "e");
  EXPECT_EQ(ref.constraints[0].let_frequency, 0);
  EXPECT_EQ(ref.constraints[0].let_relation, "at least");
  EXPECT_FALSE(ref.constraints[0].num_words.has_value());
  EXPECT_EQ(ref.constraints[1].keywords, (std::vector<std::string>{"a", "b"}));
}

TEST(SpecToProto, InstructionOptionsRoundTrip) {
  RewardSpec s;
  s.instructions_all_or_nothing = true;
  s.instructions_loose = true;
  absl::StatusOr<RewardSpec> back = ResolveSpec(RewardSpec{}, SpecToProto(s));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->instructions_all_or_nothing);
  EXPECT_TRUE(back->instructions_loose);
}

TEST(GroupResultToProto, CarriesPerConstraintOutcomes) {
  GroupResult r;
  SampleResult s;
  s.verdict = Verdict::kPartial;
  s.instructions = InstructionDetails{{{"punctuation:no_comma", true, "no comma"},
                                       {"detectable_format:title", false, "no title <<...>>"}},
                                      1,
                                      true};
  r.samples.push_back(s);
  v1::GroupResult p;
  GroupResultToProto(std::move(r), &p);
  const v1::InstructionDetails& d = p.samples(0).instructions();
  EXPECT_EQ(d.followed(), 1);
  EXPECT_EQ(d.total(), 2);
  EXPECT_TRUE(d.loose());
  EXPECT_EQ(d.constraints(1).id(), "detectable_format:title");
  EXPECT_FALSE(d.constraints(1).followed());
  EXPECT_EQ(p.samples(0).verdict(), v1::PARTIAL);
}

TEST(GroupResultToProto, RepairsInvalidUtf8InTextDerivedFromTheCompletion) {
  GroupResult r;
  r.group_id = "g";
  SampleResult s;
  s.verdict = Verdict::kWrongAnswer;
  s.reason = "cut \xe6\x95";
  s.math = MathDetails{"ab\xff", "boxed", "", -1};
  r.samples.push_back(s);
  v1::GroupResult p;
  GroupResultToProto(std::move(r), &p);
  EXPECT_EQ(p.samples(0).math().extracted(), "ab\xEF\xBF\xBD");
  EXPECT_EQ(p.samples(0).reason(), "cut \xEF\xBF\xBD");
  std::string wire;
  EXPECT_TRUE(p.SerializeToString(&wire));
}

TEST(ComponentToProto, EveryComponentHasTheWireEnumValueOfItsName) {
  for (Component c : kAllComponents) {
    SCOPED_TRACE(ComponentName(c));
    const v1::Component id = ComponentToProto(c);
    // COMPONENT_ACCURACY <-> "accuracy": the enum and the map keys name the same set.
    std::string name = v1::Component_Name(id);
    ASSERT_EQ(name.rfind("COMPONENT_", 0), 0u);
    name = name.substr(10);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_EQ(name, ComponentName(c));
    EXPECT_EQ(ComponentFromProto(id), c);
  }
  EXPECT_EQ(ComponentFromProto(v1::COMPONENT_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(ComponentFromProto(static_cast<int>(kAllComponents.size()) + 1), std::nullopt);
  EXPECT_EQ(ComponentFromProto(-1), std::nullopt);
}

TEST(GroupResultToProto, PackedComponentsCarryTheMapsValuesInComponentOrder) {
  SampleResult s;
  s.components = {{Component::kAccuracy, 1}, {Component::kFormat, 0}, {Component::kCosine, -0.5}};
  for (bool packed : {false, true}) {
    SCOPED_TRACE(packed);
    GroupResult r;
    r.samples.push_back(s);
    v1::GroupResult p;
    GroupResultToProto(std::move(r), &p, ResultForm{.packed_components = packed});
    const v1::SampleResult& out = p.samples(0);
    if (packed) {
      EXPECT_TRUE(out.components().empty());
      EXPECT_THAT(
          out.component_ids(),
          testing::ElementsAre(v1::COMPONENT_ACCURACY, v1::COMPONENT_FORMAT, v1::COMPONENT_COSINE));
      EXPECT_THAT(out.component_values(), testing::ElementsAre(1, 0, -0.5));
    } else {
      EXPECT_EQ(out.component_ids_size(), 0);
      EXPECT_EQ(out.component_values_size(), 0);
      EXPECT_EQ(out.components().size(), 3u);
      EXPECT_EQ(out.components().at("cosine"), -0.5);
    }
  }
}

// The wire bytes that GroupResultToProto and serialising the message give, as one element of
// ScoreResponse.groups.
std::string ViaMessage(GroupResult r, ResultForm form) {
  v1::ScoreResponse response;
  GroupResultToProto(std::move(r), response.add_groups(), form);
  return response.SerializeAsString();
}

std::string Direct(GroupResult r, ResultForm form) {
  std::string out = "kept";
  AppendGroupResultWire(std::move(r), form, &out);
  EXPECT_EQ(out.substr(0, 4), "kept");  // appended to what was there
  return out.substr(4);
}

GroupResult RichGroup(int samples, size_t reason_bytes) {
  GroupResult r;
  r.group_id = "group-7";
  r.spec.majority_vote = true;
  for (int i = 0; i < samples; ++i) {
    SampleResult s;
    s.reward = i == 0 ? 0.0 : 1.5 / i;
    s.advantage = i == 1 ? -0.0 : -0.25 * i;  // -0.0 is written: its bits are not zero
    s.verdict = i % 3 == 0 ? Verdict::kCorrect : Verdict::kWrongAnswer;
    s.reason = std::string(reason_bytes, 'r') + (i == 2 ? "cut \xe6\x95" : "");
    s.components = {{Component::kAccuracy, i % 2}, {Component::kFormat, 0.5}};
    if (i % 4 != 3) s.math = MathDetails{i == 2 ? "ab\xff" : "42", "answer_tag", "42", i - 1};
    s.format = FormatResult{i % 2 == 0, 1.0, "r1", i % 2 ? "no </think>" : "", i == 1};
    if (i == 3) {
      s.verdict = Verdict::kError;
      s.error = absl::InternalError("checker \xff failed");
    }
    if (i == 4) {
      s.language_target = "en";
      s.language_words = 12;
      s.language_target_words = -1;
    }
    s.length = i * 1000;
    s.truncated = i == 5;
    r.samples.push_back(std::move(s));
  }
  r.stats.mean = 0.5;
  r.stats.std = 0;
  r.stats.zero_variance = false;
  r.stats.num_samples = samples;
  r.stats.num_correct = 2;
  r.stats.num_format_ok = 3;
  r.stats.num_errors = 1;
  r.stats.num_undecided = -2;
  r.stats.pass_at_k = {{1, 0.25}};
  r.stats.length_unit = "tokens";
  r.stats.majority_answer = "4\xc3";
  r.stats.majority_count = 3;
  r.stats.majority_correct = true;
  r.stats.majority_clusters = 2;
  return r;
}

TEST(AppendGroupResultWire, WritesTheBytesTheMessageWould) {
  const ResultForm packed{.with_spec = false, .packed_components = true};
  // Small and large samples and groups: one-, two- and three-byte lengths.
  for (auto [samples, reason_bytes] : {std::pair{1, 3}, {8, 60}, {8, 200}, {64, 400}}) {
    SCOPED_TRACE(absl::StrCat(samples, " samples, reasons of ", reason_bytes, " bytes"));
    EXPECT_EQ(Direct(RichGroup(samples, reason_bytes), packed),
              ViaMessage(RichGroup(samples, reason_bytes), packed));
  }
  GroupResult empty;  // no samples, every field at its default
  EXPECT_EQ(Direct(empty, packed), ViaMessage(empty, packed));
  GroupResult no_majority = RichGroup(2, 5);
  no_majority.spec.majority_vote = false;
  EXPECT_EQ(Direct(no_majority, packed), ViaMessage(no_majority, packed));
}

TEST(AppendGroupResultWire, FormsItDoesNotWriteGoThroughTheMessage) {
  const ResultForm packed{.with_spec = false, .packed_components = true};
  GroupResult error;
  error.group_id = "bad";
  error.error = absl::InvalidArgumentError("no gold");
  GroupResult code = RichGroup(2, 5);
  code.samples[1].code = code::CodeVerdict{};
  GroupResult instructions = RichGroup(2, 5);
  instructions.samples[0].instructions = InstructionDetails{{{"a", true, "b"}}, 1, false};
  for (const GroupResult& r : {error, code, instructions}) {
    EXPECT_EQ(Direct(r, packed), ViaMessage(r, packed));
  }
  for (ResultForm form : {ResultForm{}, ResultForm{.with_spec = true, .packed_components = true},
                          ResultForm{.with_spec = false, .packed_components = false}}) {
    // With the components map or the spec (a map too): equal as messages.
    v1::ScoreResponse direct, message;
    ASSERT_TRUE(direct.ParseFromString(Direct(RichGroup(3, 5), form)));
    ASSERT_TRUE(message.ParseFromString(ViaMessage(RichGroup(3, 5), form)));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(direct, message));
  }
}

TEST(AppendGroupResultWire, PassAtKEntriesParseToTheSameMap) {
  const ResultForm packed{.with_spec = false, .packed_components = true};
  GroupResult r = RichGroup(4, 5);
  r.stats.pass_at_k = {{1, 0.5}, {2, 0.0}, {4, 1.0}};  // 0.0: an entry writes its value anyway
  v1::ScoreResponse direct, message;
  ASSERT_TRUE(direct.ParseFromString(Direct(r, packed)));
  ASSERT_TRUE(message.ParseFromString(ViaMessage(r, packed)));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(direct, message));
  EXPECT_EQ(direct.groups(0).stats().pass_at_k().at(2), 0.0);
  EXPECT_EQ(direct.ByteSizeLong(), message.ByteSizeLong());
}

}  // namespace
}  // namespace verdict
