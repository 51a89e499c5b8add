#include "server/convert.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "rewards/spec.h"

namespace verdict {
namespace {

// Text derived from a completion (an extracted answer cut at a byte budget, say) may not be valid
// UTF-8; protobuf refuses to serialise such strings, so repair it on the way out.
std::string WireText(std::string&& s) { return IsValidUtf8(s) ? std::move(s) : RepairUtf8(s); }

}  // namespace

absl::StatusOr<RewardSpec> ResolveSpec(const RewardSpec& base, const v1::RewardSpec& o) {
  RewardSpec s = base;
  if (o.has_weights()) {
    if (o.weights().has_accuracy()) s.accuracy_weight = o.weights().accuracy();
    if (o.weights().has_format()) s.format_weight = o.weights().format();
  }
  if (o.has_format()) {
    switch (o.format()) {
      case v1::FORMAT_TEMPLATE_UNSPECIFIED: break;
      case v1::FORMAT_TEMPLATE_R1: s.format = FormatTemplate::kR1; break;
      case v1::FORMAT_TEMPLATE_NONE: s.format = FormatTemplate::kNone; break;
      case v1::FORMAT_TEMPLATE_THINK_ONLY: s.format = FormatTemplate::kThinkOnly; break;
      case v1::FORMAT_TEMPLATE_CUSTOM: s.format = FormatTemplate::kCustom; break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("reward spec: unknown format template ", static_cast<int>(o.format())));
    }
  }
  if (o.has_format_pattern()) s.format_pattern = o.format_pattern();
  if (o.has_format_partial_credit()) s.format_partial_credit = o.format_partial_credit();
  if (o.has_majority_vote()) s.majority_vote = o.majority_vote();
  if (o.has_math()) {
    switch (o.math().decimal_policy()) {
      case v1::MathSpec::DECIMAL_POLICY_UNSPECIFIED: break;
      case v1::MathSpec::DECIMAL_POLICY_ROUNDED:
        s.math_decimal = math::DecimalPolicy::kRoundedAtWrittenPrecision;
        break;
      case v1::MathSpec::DECIMAL_POLICY_EXACT: s.math_decimal = math::DecimalPolicy::kExact; break;
      default: return absl::InvalidArgumentError("reward spec: unknown math.decimal_policy");
    }
    if (o.math().has_min_significant_digits()) {
      s.math_min_significant_digits = o.math().min_significant_digits();
    }
    switch (o.math().percent_policy()) {
      case v1::MathSpec::PERCENT_POLICY_UNSPECIFIED: break;
      case v1::MathSpec::PERCENT_POLICY_NUMBER_OR_FRACTION:
        s.math_percent = math::PercentPolicy::kNumberOrFraction;
        break;
      case v1::MathSpec::PERCENT_POLICY_NUMBER:
        s.math_percent = math::PercentPolicy::kNumber;
        break;
      case v1::MathSpec::PERCENT_POLICY_FRACTION:
        s.math_percent = math::PercentPolicy::kFraction;
        break;
      default: return absl::InvalidArgumentError("reward spec: unknown math.percent_policy");
    }
  }
  if (o.has_gate_accuracy_on_format()) s.gate_accuracy_on_format = o.gate_accuracy_on_format();
  if (o.has_undecided_value()) s.undecided_value = o.undecided_value();
  if (o.has_advantage()) {
    const v1::AdvantageSpec& a = o.advantage();
    if (a.has_estimator()) {
      switch (a.estimator()) {
        case v1::ADVANTAGE_ESTIMATOR_UNSPECIFIED: break;
        case v1::ADVANTAGE_ESTIMATOR_GRPO: s.estimator = AdvantageEstimator::kGrpo; break;
        case v1::ADVANTAGE_ESTIMATOR_NONE: s.estimator = AdvantageEstimator::kNone; break;
        case v1::ADVANTAGE_ESTIMATOR_DR_GRPO: s.estimator = AdvantageEstimator::kDrGrpo; break;
        case v1::ADVANTAGE_ESTIMATOR_RLOO: s.estimator = AdvantageEstimator::kRloo; break;
        case v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE:
          s.estimator = AdvantageEstimator::kReinforcePlusPlusBaseline;
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(
              "reward spec: unknown advantage estimator ", static_cast<int>(a.estimator())));
      }
    }
    if (a.has_std()) {
      switch (a.std()) {
        case v1::STD_KIND_UNSPECIFIED: break;
        case v1::STD_KIND_SAMPLE: s.std_kind = StdKind::kSample; break;
        case v1::STD_KIND_POPULATION: s.std_kind = StdKind::kPopulation; break;
        default:
          return absl::InvalidArgumentError(
              absl::StrCat("reward spec: unknown std kind ", static_cast<int>(a.std())));
      }
    }
    if (a.has_scale()) {
      switch (a.scale()) {
        case v1::ADVANTAGE_SCALE_UNSPECIFIED: break;
        case v1::ADVANTAGE_SCALE_ESTIMATOR: s.scale = AdvantageScale::kDefault; break;
        case v1::ADVANTAGE_SCALE_GROUP_STD: s.scale = AdvantageScale::kGroupStd; break;
        case v1::ADVANTAGE_SCALE_BATCH_STD: s.scale = AdvantageScale::kBatchStd; break;
        case v1::ADVANTAGE_SCALE_NONE: s.scale = AdvantageScale::kNone; break;
        default:
          return absl::InvalidArgumentError(
              absl::StrCat("reward spec: unknown advantage scale ", static_cast<int>(a.scale())));
      }
    }
    if (a.has_normalize_components()) s.normalize_components = a.normalize_components();
    if (a.has_epsilon()) s.epsilon = a.epsilon();
  }
  if (o.has_instructions()) {
    const v1::InstructionSpec& i = o.instructions();
    if (i.has_all_or_nothing()) s.instructions_all_or_nothing = i.all_or_nothing();
    if (i.has_loose()) s.instructions_loose = i.loose();
  }
  if (o.has_code()) {
    if (o.code().has_all_pass()) s.code_all_pass = o.code().all_pass();
    if (o.code().has_no_code_value()) s.no_code_value = o.code().no_code_value();
    if (o.code().has_compile_error_value()) s.compile_error_value = o.code().compile_error_value();
  }
  if (o.has_language()) {
    s.language.enabled = true;
    if (o.language().has_target()) s.language.target = o.language().target();
    if (o.language().has_weight()) s.language.weight = o.language().weight();
  }
  if (o.has_overlong()) {
    s.overlong.enabled = true;
    if (o.overlong().has_max_length()) s.overlong.max_length = o.overlong().max_length();
    if (o.overlong().has_cache_length()) s.overlong.cache_length = o.overlong().cache_length();
    if (o.overlong().has_weight()) s.overlong.weight = o.overlong().weight();
  }
  if (o.has_kimi_length()) {
    s.kimi_length.enabled = true;
    if (o.kimi_length().has_weight()) s.kimi_length.weight = o.kimi_length().weight();
  }
  if (o.has_cosine()) {
    const v1::CosineSpec& c = o.cosine();
    s.cosine.enabled = true;
    if (c.has_max_length()) s.cosine.max_length = c.max_length();
    if (c.has_min_value_wrong()) s.cosine.min_value_wrong = c.min_value_wrong();
    if (c.has_max_value_wrong()) s.cosine.max_value_wrong = c.max_value_wrong();
    if (c.has_min_value_correct()) s.cosine.min_value_correct = c.min_value_correct();
    if (c.has_max_value_correct()) s.cosine.max_value_correct = c.max_value_correct();
    if (c.has_weight()) s.cosine.weight = c.weight();
  }
  if (o.has_repetition()) {
    s.repetition.enabled = true;
    if (o.repetition().has_ngram_size()) s.repetition.ngram_size = o.repetition().ngram_size();
    if (o.repetition().has_max_penalty()) s.repetition.max_penalty = o.repetition().max_penalty();
    if (o.repetition().has_weight()) s.repetition.weight = o.repetition().weight();
  }
  if (o.has_truncation()) {
    switch (o.truncation().mode()) {
      case v1::TruncationSpec::MODE_UNSPECIFIED: break;
      case v1::TruncationSpec::KEEP: s.truncation = TruncationMode::kKeep; break;
      case v1::TruncationSpec::MULTIPLY: s.truncation = TruncationMode::kMultiply; break;
      case v1::TruncationSpec::REPLACE: s.truncation = TruncationMode::kReplace; break;
      default: return absl::InvalidArgumentError("reward spec: unknown truncation mode");
    }
    if (o.truncation().has_value()) s.truncation_value = o.truncation().value();
  }
  if (o.has_clip()) {
    s.clip = true;
    if (o.clip().has_min()) s.clip_min = o.clip().min();
    if (o.clip().has_max()) s.clip_max = o.clip().max();
  }
  if (o.pass_at_k_size() > 0) {
    s.pass_at_k.assign(o.pass_at_k().begin(), o.pass_at_k().end());
  }
  if (absl::Status st = ValidateSpec(s); !st.ok()) return st;
  return s;
}

v1::RewardSpec SpecToProto(const RewardSpec& s) {
  v1::RewardSpec p;
  p.mutable_weights()->set_accuracy(s.accuracy_weight);
  p.mutable_weights()->set_format(s.format_weight);
  switch (s.format) {
    case FormatTemplate::kR1: p.set_format(v1::FORMAT_TEMPLATE_R1); break;
    case FormatTemplate::kNone: p.set_format(v1::FORMAT_TEMPLATE_NONE); break;
    case FormatTemplate::kThinkOnly: p.set_format(v1::FORMAT_TEMPLATE_THINK_ONLY); break;
    case FormatTemplate::kCustom: p.set_format(v1::FORMAT_TEMPLATE_CUSTOM); break;
  }
  if (!s.format_pattern.empty()) p.set_format_pattern(s.format_pattern);
  p.set_format_partial_credit(s.format_partial_credit);
  p.set_majority_vote(s.majority_vote);
  v1::MathSpec* m = p.mutable_math();
  m->set_decimal_policy(s.math_decimal == math::DecimalPolicy::kExact
                            ? v1::MathSpec::DECIMAL_POLICY_EXACT
                            : v1::MathSpec::DECIMAL_POLICY_ROUNDED);
  m->set_min_significant_digits(s.math_min_significant_digits);
  switch (s.math_percent) {
    case math::PercentPolicy::kNumberOrFraction:
      m->set_percent_policy(v1::MathSpec::PERCENT_POLICY_NUMBER_OR_FRACTION);
      break;
    case math::PercentPolicy::kNumber:
      m->set_percent_policy(v1::MathSpec::PERCENT_POLICY_NUMBER);
      break;
    case math::PercentPolicy::kFraction:
      m->set_percent_policy(v1::MathSpec::PERCENT_POLICY_FRACTION);
      break;
  }
  p.set_gate_accuracy_on_format(s.gate_accuracy_on_format);
  p.set_undecided_value(s.undecided_value);
  v1::AdvantageSpec* a = p.mutable_advantage();
  switch (s.estimator) {
    case AdvantageEstimator::kGrpo: a->set_estimator(v1::ADVANTAGE_ESTIMATOR_GRPO); break;
    case AdvantageEstimator::kDrGrpo: a->set_estimator(v1::ADVANTAGE_ESTIMATOR_DR_GRPO); break;
    case AdvantageEstimator::kRloo: a->set_estimator(v1::ADVANTAGE_ESTIMATOR_RLOO); break;
    case AdvantageEstimator::kReinforcePlusPlusBaseline:
      a->set_estimator(v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE);
      break;
    case AdvantageEstimator::kNone: a->set_estimator(v1::ADVANTAGE_ESTIMATOR_NONE); break;
  }
  switch (s.scale) {
    case AdvantageScale::kDefault: a->set_scale(v1::ADVANTAGE_SCALE_ESTIMATOR); break;
    case AdvantageScale::kGroupStd: a->set_scale(v1::ADVANTAGE_SCALE_GROUP_STD); break;
    case AdvantageScale::kBatchStd: a->set_scale(v1::ADVANTAGE_SCALE_BATCH_STD); break;
    case AdvantageScale::kNone: a->set_scale(v1::ADVANTAGE_SCALE_NONE); break;
  }
  a->set_normalize_components(s.normalize_components);
  for (int k : s.pass_at_k) p.add_pass_at_k(k);
  p.mutable_instructions()->set_all_or_nothing(s.instructions_all_or_nothing);
  p.mutable_instructions()->set_loose(s.instructions_loose);
  p.mutable_code()->set_all_pass(s.code_all_pass);
  p.mutable_code()->set_no_code_value(s.no_code_value);
  p.mutable_code()->set_compile_error_value(s.compile_error_value);
  if (s.language.enabled) {
    p.mutable_language()->set_target(s.language.target);
    p.mutable_language()->set_weight(s.language.weight);
  }
  if (s.overlong.enabled) {
    p.mutable_overlong()->set_max_length(s.overlong.max_length);
    p.mutable_overlong()->set_cache_length(s.overlong.cache_length);
    p.mutable_overlong()->set_weight(s.overlong.weight);
  }
  if (s.kimi_length.enabled) p.mutable_kimi_length()->set_weight(s.kimi_length.weight);
  if (s.cosine.enabled) {
    v1::CosineSpec* c = p.mutable_cosine();
    c->set_max_length(s.cosine.max_length);
    c->set_min_value_wrong(s.cosine.min_value_wrong);
    c->set_max_value_wrong(s.cosine.max_value_wrong);
    c->set_min_value_correct(s.cosine.min_value_correct);
    c->set_max_value_correct(s.cosine.max_value_correct);
    c->set_weight(s.cosine.weight);
  }
  if (s.repetition.enabled) {
    p.mutable_repetition()->set_ngram_size(s.repetition.ngram_size);
    p.mutable_repetition()->set_max_penalty(s.repetition.max_penalty);
    p.mutable_repetition()->set_weight(s.repetition.weight);
  }
  p.mutable_truncation()->set_mode(s.truncation == TruncationMode::kKeep ? v1::TruncationSpec::KEEP
                                   : s.truncation == TruncationMode::kMultiply
                                       ? v1::TruncationSpec::MULTIPLY
                                       : v1::TruncationSpec::REPLACE);
  p.mutable_truncation()->set_value(s.truncation_value);
  if (s.clip) {
    p.mutable_clip()->set_min(s.clip_min);
    p.mutable_clip()->set_max(s.clip_max);
  }
  a->set_std(s.std_kind == StdKind::kSample ? v1::STD_KIND_SAMPLE : v1::STD_KIND_POPULATION);
  a->set_epsilon(s.epsilon);
  return p;
}

namespace {

instruct::Constraint ConstraintFromProto(const v1::Constraint& p) {
  instruct::Constraint c;
  c.id = p.id();
  c.keywords.assign(p.keywords().begin(), p.keywords().end());
  c.forbidden_words.assign(p.forbidden_words().begin(), p.forbidden_words().end());
#define VERDICT_OPTIONAL(field) \
  if (p.has_##field()) c.field = p.field()
  VERDICT_OPTIONAL(keyword);
  VERDICT_OPTIONAL(frequency);
  VERDICT_OPTIONAL(relation);
  VERDICT_OPTIONAL(letter);
  VERDICT_OPTIONAL(let_frequency);
  VERDICT_OPTIONAL(let_relation);
  VERDICT_OPTIONAL(language);
  VERDICT_OPTIONAL(num_sentences);
  VERDICT_OPTIONAL(num_paragraphs);
  VERDICT_OPTIONAL(nth_paragraph);
  VERDICT_OPTIONAL(first_word);
  VERDICT_OPTIONAL(num_words);
  VERDICT_OPTIONAL(num_placeholders);
  VERDICT_OPTIONAL(num_bullets);
  VERDICT_OPTIONAL(num_highlights);
  VERDICT_OPTIONAL(section_spliter);
  VERDICT_OPTIONAL(num_sections);
  VERDICT_OPTIONAL(postscript_marker);
  VERDICT_OPTIONAL(end_phrase);
  VERDICT_OPTIONAL(prompt_to_repeat);
  VERDICT_OPTIONAL(capital_frequency);
  VERDICT_OPTIONAL(capital_relation);
#undef VERDICT_OPTIONAL
  return c;
}

}  // namespace

absl::Status GroupFromProto(const v1::Group& in, const RewardSpec& inherited, Group* out) {
  out->id = in.id();
  out->prompt = in.prompt();
  out->prompt_tokens = in.prompt_tokens();
  switch (in.reference_case()) {
    case v1::Group::kMath:
      out->reference =
          MathReference{{in.math().gold_answers().begin(), in.math().gold_answers().end()}};
      break;
    case v1::Group::kCode: {
      const v1::CodeReference& c = in.code();
      CodeReference ref;
      if (!c.language().empty()) ref.language = c.language();
      ref.shape = c.shape() == v1::CodeReference::CALL_BASED ? code::TestShape::kCallBased
                  : c.shape() == v1::CodeReference::ASSERT   ? code::TestShape::kAssert
                                                             : code::TestShape::kStdio;
      for (const auto& t : c.tests()) ref.tests.push_back({t.input(), t.expected()});
      ref.fn_name = c.fn_name();
      switch (c.checker().kind()) {
        case v1::CodeReference::Checker::EXACT: ref.checker.kind = code::CheckerKind::kExact; break;
        case v1::CodeReference::Checker::FLOAT: ref.checker.kind = code::CheckerKind::kFloat; break;
        case v1::CodeReference::Checker::CASE_INSENSITIVE:
          ref.checker.kind = code::CheckerKind::kCaseInsensitive;
          break;
        case v1::CodeReference::Checker::PROGRAM:
          ref.checker.kind = code::CheckerKind::kProgram;
          break;
        default: ref.checker.kind = code::CheckerKind::kTokens; break;
      }
      if (c.checker().abs_tol() > 0) ref.checker.abs_tol = c.checker().abs_tol();
      if (c.checker().rel_tol() > 0) ref.checker.rel_tol = c.checker().rel_tol();
      if (!c.checker().program_language().empty()) {
        ref.checker.program_language = c.checker().program_language();
      }
      ref.checker.program_source = c.checker().program_source();
      const auto& l = c.limits();
      if (l.cpu_ms() > 0) ref.limits.cpu_ms = l.cpu_ms();
      if (l.wall_ms() > 0) ref.limits.wall_ms = l.wall_ms();
      if (l.memory_bytes() > 0) ref.limits.memory_bytes = l.memory_bytes();
      if (l.stdout_bytes() > 0) ref.limits.stdout_bytes = l.stdout_bytes();
      if (l.file_bytes() > 0) ref.limits.file_bytes = l.file_bytes();
      if (l.processes() > 0) ref.limits.processes = l.processes();
      out->reference = std::move(ref);
      break;
    }
    case v1::Group::kRulesOnly: out->reference = RulesOnly{}; break;
    case v1::Group::kInstructions: {
      InstructionReference ref;
      for (const v1::Constraint& c : in.instructions().constraints()) {
        ref.constraints.push_back(ConstraintFromProto(c));
      }
      out->reference = std::move(ref);
      break;
    }
    case v1::Group::REFERENCE_NOT_SET: out->reference = std::monostate{}; break;
  }
  out->completions.clear();
  out->completions.reserve(in.completions_size());
  for (const v1::Completion& c : in.completions()) {
    out->completions.push_back(Completion{
        c.text(), c.num_tokens(), c.finish_reason(), {c.token_ids().begin(), c.token_ids().end()}});
  }
  if (in.has_spec()) {
    absl::StatusOr<RewardSpec> spec = ResolveSpec(inherited, in.spec());
    if (!spec.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("group '", in.id(), "': ", spec.status().message()));
    }
    out->spec = *spec;
  } else {
    out->spec = inherited;
  }
  return absl::OkStatus();
}

absl::Status TakeGroupFromProto(v1::Group* in, const RewardSpec& inherited, Group* out) {
  std::vector<std::string> texts(static_cast<size_t>(in->completions_size()));
  for (size_t i = 0; i < texts.size(); ++i) {
    texts[i].swap(*in->mutable_completions(static_cast<int>(i))->mutable_text());
  }
  absl::Status s = GroupFromProto(*in, inherited, out);  // copies the emptied texts
  for (size_t i = 0; i < texts.size(); ++i) out->completions[i].text = std::move(texts[i]);
  return s;
}

v1::Verdict VerdictToProto(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCorrect: return v1::CORRECT;
    case Verdict::kWrongAnswer: return v1::WRONG_ANSWER;
    case Verdict::kNoAnswer: return v1::NO_ANSWER;
    case Verdict::kUnparseable: return v1::UNPARSEABLE;
    case Verdict::kUndecided: return v1::UNDECIDED;
    case Verdict::kNotChecked: return v1::NOT_CHECKED;
    case Verdict::kError: return v1::ERROR;
    case Verdict::kPartial: return v1::PARTIAL;
    case Verdict::kNoCode: return v1::NO_CODE;
    case Verdict::kCompileError: return v1::COMPILE_ERROR;
    case Verdict::kRuntimeError: return v1::RUNTIME_ERROR;
    case Verdict::kTimeLimit: return v1::TIME_LIMIT;
    case Verdict::kMemoryLimit: return v1::MEMORY_LIMIT;
    case Verdict::kOutputLimit: return v1::OUTPUT_LIMIT;
  }
  return v1::VERDICT_UNSPECIFIED;
}

v1::Component ComponentToProto(Component component) {
  // verdict.v1.Component numbers the members in enum order from 1 (0 is UNSPECIFIED).
  return static_cast<v1::Component>(static_cast<int>(component) + 1);
}

std::optional<Component> ComponentFromProto(int id) {
  if (id < 1 || id > static_cast<int>(kAllComponents.size())) return std::nullopt;
  return kAllComponents[static_cast<size_t>(id - 1)];
}

ResultForm ResultFormOf(const v1::ScoreRequest& request) {
  return ResultForm{.with_spec = !request.omit_effective_spec(),
                    .packed_components = request.packed_components()};
}

void ErrorGroupResult(const std::string& group_id, const absl::Status& status,
                      v1::GroupResult* out) {
  out->set_group_id(group_id);
  out->mutable_error()->set_code(static_cast<int>(status.code()));
  out->mutable_error()->set_message(std::string(status.message()));
}

void GroupResultToProto(GroupResult&& in, v1::GroupResult* out, ResultForm form) {
  out->set_group_id(std::move(in.group_id));
  if (!in.error.ok()) {
    ErrorGroupResult(out->group_id(), in.error, out);
    return;
  }
  if (form.with_spec) *out->mutable_effective_spec() = SpecToProto(in.spec);
  out->mutable_samples()->Reserve(static_cast<int>(in.samples.size()));
  for (SampleResult& s : in.samples) {
    v1::SampleResult* p = out->add_samples();
    p->set_reward(s.reward);
    if (form.packed_components) {
      p->mutable_component_ids()->Reserve(static_cast<int>(s.components.size()));
      p->mutable_component_values()->Reserve(static_cast<int>(s.components.size()));
      for (const auto& [c, value] : s.components) {
        p->add_component_ids(ComponentToProto(c));
        p->add_component_values(value);
      }
    } else {
      for (const auto& [c, value] : s.components) {
        (*p->mutable_components())[std::string(ComponentName(c))] = value;
      }
    }
    p->set_advantage(s.advantage);
    p->set_verdict(VerdictToProto(s.verdict));
    p->set_reason(WireText(std::move(s.reason)));
    if (!s.error.ok()) {
      p->mutable_error()->set_code(static_cast<int>(s.error.code()));
      p->mutable_error()->set_message(WireText(std::string(s.error.message())));
    }
    if (s.math) {
      v1::MathDetails* m = p->mutable_math();
      m->set_extracted(WireText(std::move(s.math->extracted)));
      m->set_source(std::move(s.math->source));
      m->set_canonical(WireText(std::move(s.math->canonical)));
      m->set_matched_gold(s.math->matched_gold);
    }
    if (s.code) {
      v1::CodeDetails* c = p->mutable_code();
      c->set_passed(s.code->passed);
      c->set_total(s.code->total);
      c->set_compile_output(WireText(std::move(s.code->compile_output)));
      c->set_compile_cache_hit(s.code->compile_cache_hit);
      for (code::TestDetail& t : s.code->tests) {
        v1::CodeDetails::Test* pt = c->add_tests();
        pt->set_index(t.index);
        pt->set_passed(t.passed);
        pt->set_skipped(t.skipped);
        pt->set_verdict(VerdictToProto(VerdictOfCode(t.verdict)));
        pt->set_wall_ms(t.wall_ms);
        pt->set_cpu_ms(t.cpu_ms);
        pt->set_peak_memory_bytes(t.peak_memory_bytes);
        pt->set_message(WireText(std::move(t.message)));
      }
    }
    if (s.instructions) {
      v1::InstructionDetails* d = p->mutable_instructions();
      for (instruct::ConstraintOutcome& o : s.instructions->constraints) {
        v1::InstructionDetails::Outcome* po = d->add_constraints();
        po->set_id(WireText(std::move(o.id)));
        po->set_followed(o.followed);
        po->set_detail(WireText(std::move(o.detail)));
      }
      d->set_followed(s.instructions->followed);
      d->set_total(d->constraints_size());
      d->set_loose(s.instructions->loose);
    }
    if (s.error.ok()) {
      v1::FormatDetails* f = p->mutable_format();
      f->set_ok(s.format.ok);
      f->set_template_(std::move(s.format.template_name));
      f->set_problem(WireText(std::move(s.format.problem)));
      f->set_think_prefilled(s.format.think_prefilled);
      p->set_length(s.length);
      if (!s.language_target.empty()) {
        p->mutable_language()->set_target(s.language_target);
        p->mutable_language()->set_words(s.language_words);
        p->mutable_language()->set_target_words(s.language_target_words);
      }
      p->set_truncated(s.truncated);
    }
  }
  v1::GroupStats* st = out->mutable_stats();
  st->set_mean(in.stats.mean);
  st->set_std(in.stats.std);
  st->set_zero_variance(in.stats.zero_variance);
  st->set_num_samples(in.stats.num_samples);
  st->set_num_correct(in.stats.num_correct);
  st->set_num_format_ok(in.stats.num_format_ok);
  st->set_num_errors(in.stats.num_errors);
  st->set_num_undecided(in.stats.num_undecided);
  for (const auto& [k, value] : in.stats.pass_at_k) (*st->mutable_pass_at_k())[k] = value;
  st->set_length_unit(in.stats.length_unit);
  if (in.spec.majority_vote) {
    v1::MajorityVote* m = st->mutable_majority();
    m->set_answer(WireText(std::move(in.stats.majority_answer)));
    m->set_count(in.stats.majority_count);
    m->set_correct(in.stats.majority_correct);
    m->set_clusters(in.stats.majority_clusters);
  }
}

namespace {

// Protobuf's wire encoding, appended to a string, with the rules the generated serialiser
// follows: fields in number order, proto3 scalars at their default (doubles by bit pattern,
// so -0.0 is written) left out, int32 and enum values sign-extended to 64 bits.
class WireAppender {
 public:
  // Appends to `*out`, which holds the bytes written so far only once this is destroyed: until
  // then it is the buffer, grown in steps and cut back at the end (an append per field through
  // std::string cost twice the instructions).
  explicit WireAppender(std::string* out) : out_(out), pos_(out->size()) {}
  ~WireAppender() { out_->resize(pos_); }
  WireAppender(const WireAppender&) = delete;
  WireAppender& operator=(const WireAppender&) = delete;

  // Inline for one byte (every tag here, most lengths and values), out of line beyond.
  void Varint(uint64_t v) {
    if (v < 0x80) {
      *Room(1) = static_cast<char>(v);
      ++pos_;
      return;
    }
    LongVarint(v);
  }
  [[gnu::noinline]] void LongVarint(uint64_t v) {
    char* p = Room(10);
    size_t n = 0;
    while (v >= 0x80) {
      p[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    p[n++] = static_cast<char>(v);
    pos_ += n;
  }
  void Tag(int field, int wire_type) { Varint(static_cast<uint64_t>(field) << 3 | wire_type); }
  void Fixed64(double v) {
    // Little-endian, as the wire is (x86-64, aarch64).
    std::memcpy(Room(8), &v, 8);
    pos_ += 8;
  }
  void Bytes(std::string_view v) {
    if (v.empty()) return;  // memcpy from a null pointer is undefined
    std::memcpy(Room(v.size()), v.data(), v.size());
    pos_ += v.size();
  }
  void Double(int field, double v) {
    uint64_t raw;
    std::memcpy(&raw, &v, sizeof(raw));
    if (raw == 0) return;
    Tag(field, 1);
    Fixed64(v);
  }
  void Int64(int field, int64_t v) {
    if (v == 0) return;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  void Int32(int field, int32_t v) { Int64(field, v); }
  void Bool(int field, bool v) {
    if (!v) return;
    Tag(field, 0);
    *Room(1) = 1;
    ++pos_;
  }
  void String(int field, std::string_view v) {
    if (v.empty()) return;
    Tag(field, 2);
    Varint(v.size());
    Bytes(v);
  }
  // A string the proto path passes through WireText: repaired when not UTF-8.
  void Text(int field, std::string_view v) {
    if (IsValidUtf8(v)) {
      String(field, v);
    } else {
      String(field, RepairUtf8(v));
    }
  }
  // A sub-message: its tag and a one-byte length now, the length fixed up by End (widened in
  // place when the message turns out to be 128 bytes or longer).
  size_t Begin(int field) {
    Tag(field, 2);
    *Room(1) = 0;
    return ++pos_;
  }
  void End(size_t start) {
    uint64_t size = pos_ - start;
    char* p = out_->data() + start - 1;
    if (size < 0x80) {
      *p = static_cast<char>(size);
      return;
    }
    size_t n = 1;
    for (uint64_t v = size >> 7; v != 0; v >>= 7) ++n;
    Room(n - 1);
    p = out_->data() + start - 1;
    std::memmove(p + n, p + 1, size);
    for (; size >= 0x80; size >>= 7) *p++ = static_cast<char>(size | 0x80);
    *p = static_cast<char>(size);
    pos_ += n - 1;
  }

 private:
  // Where `n` more bytes go. Grown 1 KiB at a time, not doubled: each group's appender cuts
  // the string back, and the next would zero-fill the doubled room again. The string's capacity
  // still grows geometrically.
  char* Room(size_t n) {
    if (out_->size() - pos_ < n) [[unlikely]] {
      Grow(n);
    }
    return out_->data() + pos_;
  }
  [[gnu::noinline]] void Grow(size_t n) { out_->resize(pos_ + std::max<size_t>(n, 1024)); }

  std::string* const out_;
  size_t pos_;  // bytes written; out_->size() is the room
};

// Whether AppendGroupResultWire writes `in` itself (else through the message).
bool DirectForm(const GroupResult& in, ResultForm form) {
  if (form.with_spec || !form.packed_components || !in.error.ok()) return false;
  for (const SampleResult& s : in.samples) {
    if (s.code || s.instructions) return false;
  }
  return true;
}

}  // namespace

void AppendGroupResultWire(GroupResult&& in, ResultForm form, std::string* out) {
  if (!DirectForm(in, form)) {
    v1::GroupResult message;
    GroupResultToProto(std::move(in), &message, form);
    const size_t size = message.ByteSizeLong();
    {
      WireAppender w(out);
      w.Tag(1, 2);
      w.Varint(size);
    }
    const size_t at = out->size();
    out->resize(at + size);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data() + at));
    return;
  }
  WireAppender w(out);
  // The fields as GroupResultToProto sets them, in field-number order.
  const size_t group = w.Begin(1);
  w.String(1, in.group_id);
  for (const SampleResult& s : in.samples) {
    const size_t sample = w.Begin(3);
    w.Double(1, s.reward);
    w.Double(3, s.advantage);
    w.Int32(4, VerdictToProto(s.verdict));
    w.Text(5, s.reason);
    if (!s.error.ok()) {
      const size_t error = w.Begin(6);
      w.Int32(1, static_cast<int>(s.error.code()));
      w.Text(2, std::string_view(s.error.message().data(), s.error.message().size()));
      w.End(error);
    }
    if (s.math) {
      const size_t math = w.Begin(7);
      w.Text(1, s.math->extracted);
      w.String(2, s.math->source);
      w.Text(3, s.math->canonical);
      w.Int32(4, s.math->matched_gold);
      w.End(math);
    }
    if (s.error.ok()) {
      const size_t format = w.Begin(8);
      w.Bool(1, s.format.ok);
      w.String(2, s.format.template_name);
      w.Text(3, s.format.problem);
      w.Bool(4, s.format.think_prefilled);
      w.End(format);
      if (!s.language_target.empty()) {
        const size_t language = w.Begin(10);
        w.String(1, s.language_target);
        w.Int32(2, s.language_words);
        w.Int32(3, s.language_target_words);
        w.End(language);
      }
      w.Int64(11, s.length);
      w.Bool(12, s.truncated);
    }
    if (!s.components.empty()) {
      size_t ids_size = 0;
      for (const auto& [c, value] : s.components) {
        for (uint64_t v = static_cast<uint64_t>(ComponentToProto(c)); v >= 0x80; v >>= 7) {
          ++ids_size;
        }
        ++ids_size;
      }
      w.Tag(14, 2);
      w.Varint(ids_size);
      for (const auto& [c, value] : s.components) w.Varint(ComponentToProto(c));
      w.Tag(15, 2);
      w.Varint(8 * s.components.size());
      for (const auto& [c, value] : s.components) w.Fixed64(value);
    }
    w.End(sample);
  }
  const GroupStats& st = in.stats;
  const size_t stats = w.Begin(4);
  w.Double(1, st.mean);
  w.Double(2, st.std);
  w.Bool(3, st.zero_variance);
  w.Int32(4, st.num_samples);
  w.Int32(5, st.num_correct);
  w.Int32(6, st.num_format_ok);
  w.Int32(7, st.num_errors);
  w.Int32(8, st.num_undecided);
  for (const auto& [k, value] : st.pass_at_k) {
    // A map entry writes its key and value even at their defaults.
    const size_t entry = w.Begin(9);
    w.Tag(1, 0);
    w.Varint(static_cast<uint64_t>(static_cast<int64_t>(k)));
    w.Tag(2, 1);
    w.Fixed64(value);
    w.End(entry);
  }
  w.String(10, st.length_unit);
  if (in.spec.majority_vote) {
    const size_t majority = w.Begin(11);
    w.Text(1, st.majority_answer);
    w.Int32(2, st.majority_count);
    w.Bool(3, st.majority_correct);
    w.Int32(4, st.majority_clusters);
    w.End(majority);
  }
  w.End(stats);
  w.End(group);
}

}  // namespace verdict
