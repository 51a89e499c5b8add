#include "server/convert.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rewards/utf8.h"

namespace verdict {
namespace {

// Text derived from a completion (an extracted answer cut at a byte budget, say) may not be valid
// UTF-8; protobuf refuses to serialise such strings, so repair it on the way out.
std::string WireText(std::string&& s) { return IsValidUtf8(s) ? std::move(s) : RepairUtf8(s); }

absl::Status CheckFinite(double value, const char* field) {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat("reward spec: ", field, " must be finite"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RewardSpec> ResolveSpec(const RewardSpec& base, const v1::RewardSpec& o) {
  RewardSpec s = base;
  if (o.has_weights()) {
    if (o.weights().has_accuracy()) {
      if (auto st = CheckFinite(o.weights().accuracy(), "weights.accuracy"); !st.ok()) return st;
      s.accuracy_weight = o.weights().accuracy();
    }
    if (o.weights().has_format()) {
      if (auto st = CheckFinite(o.weights().format(), "weights.format"); !st.ok()) return st;
      s.format_weight = o.weights().format();
    }
  }
  if (o.has_format()) {
    switch (o.format()) {
      case v1::FORMAT_TEMPLATE_UNSPECIFIED: break;
      case v1::FORMAT_TEMPLATE_R1: s.format = FormatTemplate::kR1; break;
      case v1::FORMAT_TEMPLATE_NONE: s.format = FormatTemplate::kNone; break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("reward spec: unknown format template ", static_cast<int>(o.format())));
    }
  }
  if (o.has_gate_accuracy_on_format()) s.gate_accuracy_on_format = o.gate_accuracy_on_format();
  if (o.has_undecided_value()) {
    if (auto st = CheckFinite(o.undecided_value(), "undecided_value"); !st.ok()) return st;
    s.undecided_value = o.undecided_value();
  }
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
    if (a.has_epsilon()) {
      if (!std::isfinite(a.epsilon()) || a.epsilon() < 0) {
        return absl::InvalidArgumentError(
            "reward spec: advantage.epsilon must be finite and >= 0");
      }
      s.epsilon = a.epsilon();
    }
  }
  if (o.pass_at_k_size() > 0) {
    s.pass_at_k.clear();
    for (int k : o.pass_at_k()) {
      if (k < 1) return absl::InvalidArgumentError("reward spec: pass_at_k values must be >= 1");
      s.pass_at_k.push_back(k);
    }
  }
  return s;
}

v1::RewardSpec SpecToProto(const RewardSpec& s) {
  v1::RewardSpec p;
  p.mutable_weights()->set_accuracy(s.accuracy_weight);
  p.mutable_weights()->set_format(s.format_weight);
  p.set_format(s.format == FormatTemplate::kR1 ? v1::FORMAT_TEMPLATE_R1 : v1::FORMAT_TEMPLATE_NONE);
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
  a->set_std(s.std_kind == StdKind::kSample ? v1::STD_KIND_SAMPLE : v1::STD_KIND_POPULATION);
  a->set_epsilon(s.epsilon);
  return p;
}

absl::Status GroupFromProto(const v1::Group& in, const RewardSpec& inherited, Group* out) {
  out->id = in.id();
  out->prompt = in.prompt();
  out->prompt_tokens = in.prompt_tokens();
  switch (in.reference_case()) {
    case v1::Group::kMath:
      out->reference = MathReference{{in.math().gold_answers().begin(),
                                      in.math().gold_answers().end()}};
      break;
    case v1::Group::kCode: out->reference = CodeReference{in.code().language()}; break;
    case v1::Group::kRulesOnly: out->reference = RulesOnly{}; break;
    case v1::Group::REFERENCE_NOT_SET: out->reference = std::monostate{}; break;
  }
  out->completions.clear();
  out->completions.reserve(in.completions_size());
  for (const v1::Completion& c : in.completions()) {
    out->completions.push_back(Completion{c.text(), c.num_tokens(), c.finish_reason()});
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

v1::Verdict VerdictToProto(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCorrect: return v1::CORRECT;
    case Verdict::kWrongAnswer: return v1::WRONG_ANSWER;
    case Verdict::kNoAnswer: return v1::NO_ANSWER;
    case Verdict::kUnparseable: return v1::UNPARSEABLE;
    case Verdict::kUndecided: return v1::UNDECIDED;
    case Verdict::kNotChecked: return v1::NOT_CHECKED;
    case Verdict::kError: return v1::ERROR;
  }
  return v1::VERDICT_UNSPECIFIED;
}

void ErrorGroupResult(const std::string& group_id, const absl::Status& status,
                      v1::GroupResult* out) {
  out->set_group_id(group_id);
  out->mutable_error()->set_code(static_cast<int>(status.code()));
  out->mutable_error()->set_message(std::string(status.message()));
}

void GroupResultToProto(GroupResult&& in, v1::GroupResult* out) {
  out->set_group_id(std::move(in.group_id));
  if (!in.error.ok()) {
    ErrorGroupResult(out->group_id(), in.error, out);
    return;
  }
  *out->mutable_effective_spec() = SpecToProto(in.spec);
  out->mutable_samples()->Reserve(static_cast<int>(in.samples.size()));
  for (SampleResult& s : in.samples) {
    v1::SampleResult* p = out->add_samples();
    p->set_reward(s.reward);
    for (auto& [name, value] : s.components) (*p->mutable_components())[name] = value;
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
    if (s.error.ok()) {
      v1::FormatDetails* f = p->mutable_format();
      f->set_ok(s.format.ok);
      f->set_template_(std::move(s.format.template_name));
      f->set_problem(WireText(std::move(s.format.problem)));
      f->set_think_prefilled(s.format.think_prefilled);
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
}

}  // namespace verdict
