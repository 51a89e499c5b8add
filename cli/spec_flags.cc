#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "google/protobuf/util/json_util.h"

namespace verdict::cli {

const char kSpecFlagsHelp[] = R"(reward spec (unset = server default; see README):
  --spec FILE                 JSON of verdict.v1.RewardSpec, e.g. {"weights":{"format":0.5}}
  --format NAME               format template: r1 (default), think_only, none, or
                              custom with --format-pattern RE2
  --format-pattern RE2        custom template; (?P<answer>...) marks the answer
  --format-partial-credit     0.25 per template tag present exactly once when the format fails
  --accuracy-weight W         weight of the accuracy component (default 1)
  --format-weight W           weight of the format component (default 1)
  --gate-accuracy-on-format   accuracy counts only when the format holds
  --undecided-value V         accuracy value of an UNDECIDED verdict (default 0)
  --estimator NAME            grpo (default), dr_grpo, rloo, reinforce_pp_baseline, none
  --scale NAME                estimator (default), group, batch, none
  --std sample|population     std for group and batch scaling (default sample, n-1)
  --epsilon E                 (r-mean)/(std+E) (default 1e-6)
  --normalize-components      GDPO: normalise each component, then sum with the weights
  --pass-at-k K,K,...         report unbiased pass@k per group
  --majority-vote             report maj@k: answers clustered by math equivalence
  --decimal-policy P[:N]      math decimals: rounded (default; N=4, 6 vs irrationals)
                              or exact (0.333333 is not 1/3)
  --percent-policy P          math 25%: number_or_fraction (default), number, fraction
  --instructions-all-or-nothing  instruction accuracy 1 only when every constraint holds
  --instructions-loose        IFEval loose reading (first/last line, '*' markdown dropped)
  --language CODE|auto        language consistency of the reasoning (component "language")
  --overlong MAX,CACHE        DAPO soft overlong punishment (component "overlong")
  --kimi-length               Kimi k1.5 group-relative length reward (component "length")
  --cosine MAX_LEN            cosine-scaled length reward (component "cosine")
  --repetition N,PENALTY      n-gram repetition penalty, e.g. 3,-1 (component "repetition")
  --truncation MODE[:VALUE]   finish_reason "length": keep, multiply:V or replace:V
  --clip MIN,MAX              clip the final reward
  (weights and the other parameters of each term: --spec, see proto/verdict/v1/verdict.proto)
)";

void AddSpecFlags(FlagSpec* spec) {
  for (const char* f :
       {"spec", "format", "accuracy-weight", "format-weight", "undecided-value", "estimator", "std",
        "epsilon", "scale", "pass-at-k", "overlong", "cosine", "repetition", "truncation", "clip",
        "format-pattern", "language", "decimal-policy", "percent-policy"}) {
    spec->value_flags.insert(f);
  }
  spec->bool_flags.insert("gate-accuracy-on-format");
  spec->bool_flags.insert("normalize-components");
  spec->bool_flags.insert("kimi-length");
  spec->bool_flags.insert("format-partial-credit");
  spec->bool_flags.insert("majority-vote");
  spec->bool_flags.insert("instructions-all-or-nothing");
  spec->bool_flags.insert("instructions-loose");
}

absl::StatusOr<v1::RewardSpec> SpecFromFlags(const Flags& flags) {
  v1::RewardSpec spec;
  if (flags.Has("spec")) {
    std::ifstream in(flags.Get("spec"));
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read --spec ", flags.Get("spec")));
    std::stringstream buf;
    buf << in.rdbuf();
    auto status = google::protobuf::util::JsonStringToMessage(buf.str(), &spec);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--spec ", flags.Get("spec"), ": ", status.ToString()));
    }
  }
  auto set_double = [&](const char* name, auto setter) -> absl::Status {
    if (!flags.Has(name)) return absl::OkStatus();
    absl::StatusOr<double> v = flags.GetDouble(name, 0);
    if (!v.ok()) return v.status();
    setter(*v);
    return absl::OkStatus();
  };
  if (auto s =
          set_double("accuracy-weight", [&](double v) { spec.mutable_weights()->set_accuracy(v); });
      !s.ok()) {
    return s;
  }
  if (auto s =
          set_double("format-weight", [&](double v) { spec.mutable_weights()->set_format(v); });
      !s.ok()) {
    return s;
  }
  if (auto s = set_double("undecided-value", [&](double v) { spec.set_undecided_value(v); });
      !s.ok()) {
    return s;
  }
  if (auto s = set_double("epsilon", [&](double v) { spec.mutable_advantage()->set_epsilon(v); });
      !s.ok()) {
    return s;
  }
  if (flags.Has("gate-accuracy-on-format")) {
    spec.set_gate_accuracy_on_format(flags.Get("gate-accuracy-on-format") == "true");
  }
  if (flags.Has("format")) {
    std::string f = flags.Get("format");
    if (f == "r1")
      spec.set_format(v1::FORMAT_TEMPLATE_R1);
    else if (f == "none")
      spec.set_format(v1::FORMAT_TEMPLATE_NONE);
    else if (f == "think_only")
      spec.set_format(v1::FORMAT_TEMPLATE_THINK_ONLY);
    else if (f == "custom")
      spec.set_format(v1::FORMAT_TEMPLATE_CUSTOM);
    else
      return absl::InvalidArgumentError(
          absl::StrCat("--format wants r1, think_only, none or custom, got '", f, "'"));
  }
  if (flags.Has("format-pattern")) {
    spec.set_format_pattern(flags.Get("format-pattern"));
    if (!flags.Has("format")) spec.set_format(v1::FORMAT_TEMPLATE_CUSTOM);
  }
  if (flags.Has("format-partial-credit")) {
    spec.set_format_partial_credit(flags.Get("format-partial-credit") == "true");
  }
  if (flags.Has("estimator")) {
    static const std::map<std::string, v1::AdvantageEstimator> kNames = {
        {"grpo", v1::ADVANTAGE_ESTIMATOR_GRPO},
        {"dr_grpo", v1::ADVANTAGE_ESTIMATOR_DR_GRPO},
        {"rloo", v1::ADVANTAGE_ESTIMATOR_RLOO},
        {"reinforce_pp_baseline", v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE},
        {"none", v1::ADVANTAGE_ESTIMATOR_NONE}};
    auto it = kNames.find(flags.Get("estimator"));
    if (it == kNames.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--estimator wants grpo, dr_grpo, rloo, reinforce_pp_baseline or none, got '",
          flags.Get("estimator"), "'"));
    }
    spec.mutable_advantage()->set_estimator(it->second);
  }
  if (flags.Has("scale")) {
    static const std::map<std::string, v1::AdvantageScale> kNames = {
        {"estimator", v1::ADVANTAGE_SCALE_ESTIMATOR},
        {"group", v1::ADVANTAGE_SCALE_GROUP_STD},
        {"batch", v1::ADVANTAGE_SCALE_BATCH_STD},
        {"none", v1::ADVANTAGE_SCALE_NONE}};
    auto it = kNames.find(flags.Get("scale"));
    if (it == kNames.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--scale wants estimator, group, batch or none, got '", flags.Get("scale"), "'"));
    }
    spec.mutable_advantage()->set_scale(it->second);
  }
  if (flags.Has("normalize-components")) {
    spec.mutable_advantage()->set_normalize_components(flags.Get("normalize-components") == "true");
  }
  // "A,B" -> two numbers.
  auto pair_of = [&](const char* name, double* a, double* b) -> absl::Status {
    std::vector<std::string> parts = absl::StrSplit(flags.Get(name), ',');
    if (parts.size() != 2 || !absl::SimpleAtod(parts[0], a) || !absl::SimpleAtod(parts[1], b)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " wants two numbers A,B, got '", flags.Get(name), "'"));
    }
    return absl::OkStatus();
  };
  double a, b;
  if (flags.Has("overlong")) {
    if (auto s = pair_of("overlong", &a, &b); !s.ok()) return s;
    spec.mutable_overlong()->set_max_length(static_cast<int64_t>(a));
    spec.mutable_overlong()->set_cache_length(static_cast<int64_t>(b));
  }
  if (flags.Has("language")) {
    spec.mutable_language()->set_target(flags.Get("language") == "auto" ? ""
                                                                        : flags.Get("language"));
  }
  if (flags.Has("majority-vote")) spec.set_majority_vote(flags.Get("majority-vote") == "true");
  if (flags.Has("instructions-all-or-nothing")) {
    spec.mutable_instructions()->set_all_or_nothing(flags.Get("instructions-all-or-nothing") ==
                                                    "true");
  }
  if (flags.Has("instructions-loose")) {
    spec.mutable_instructions()->set_loose(flags.Get("instructions-loose") == "true");
  }
  if (flags.Has("decimal-policy")) {
    std::vector<std::string> parts = absl::StrSplit(flags.Get("decimal-policy"), ':');
    int digits = 0;
    if (parts[0] == "exact" && parts.size() == 1) {
      spec.mutable_math()->set_decimal_policy(v1::MathSpec::DECIMAL_POLICY_EXACT);
    } else if (parts[0] == "rounded" &&
               (parts.size() == 1 ||
                (parts.size() == 2 && absl::SimpleAtoi(parts[1], &digits) && digits >= 1))) {
      spec.mutable_math()->set_decimal_policy(v1::MathSpec::DECIMAL_POLICY_ROUNDED);
      if (parts.size() == 2) spec.mutable_math()->set_min_significant_digits(digits);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--decimal-policy wants exact, rounded or rounded:N, got '",
                       flags.Get("decimal-policy"), "'"));
    }
  }
  if (flags.Has("percent-policy")) {
    const std::string& p = flags.Get("percent-policy");
    v1::MathSpec::PercentPolicy policy;
    if (p == "number_or_fraction")
      policy = v1::MathSpec::PERCENT_POLICY_NUMBER_OR_FRACTION;
    else if (p == "number")
      policy = v1::MathSpec::PERCENT_POLICY_NUMBER;
    else if (p == "fraction")
      policy = v1::MathSpec::PERCENT_POLICY_FRACTION;
    else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--percent-policy wants number_or_fraction, number or fraction, got '", p, "'"));
    }
    spec.mutable_math()->set_percent_policy(policy);
  }
  if (flags.Has("kimi-length") && flags.Get("kimi-length") == "true") spec.mutable_kimi_length();
  if (flags.Has("cosine")) {
    int64_t max_len;
    if (!absl::SimpleAtoi(flags.Get("cosine"), &max_len)) {
      return absl::InvalidArgumentError("--cosine wants the maximum length, an integer");
    }
    spec.mutable_cosine()->set_max_length(max_len);
  }
  if (flags.Has("repetition")) {
    if (auto s = pair_of("repetition", &a, &b); !s.ok()) return s;
    spec.mutable_repetition()->set_ngram_size(static_cast<int>(a));
    spec.mutable_repetition()->set_max_penalty(b);
  }
  if (flags.Has("clip")) {
    if (auto s = pair_of("clip", &a, &b); !s.ok()) return s;
    spec.mutable_clip()->set_min(a);
    spec.mutable_clip()->set_max(b);
  }
  if (flags.Has("truncation")) {
    std::vector<std::string> parts = absl::StrSplit(flags.Get("truncation"), ':');
    v1::TruncationSpec* t = spec.mutable_truncation();
    if (parts[0] == "keep" && parts.size() == 1) {
      t->set_mode(v1::TruncationSpec::KEEP);
    } else if ((parts[0] == "multiply" || parts[0] == "replace") && parts.size() == 2 &&
               absl::SimpleAtod(parts[1], &a)) {
      t->set_mode(parts[0] == "multiply" ? v1::TruncationSpec::MULTIPLY
                                         : v1::TruncationSpec::REPLACE);
      t->set_value(a);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--truncation wants keep, multiply:V or replace:V, got '", flags.Get("truncation"), "'"));
    }
  }
  if (flags.Has("pass-at-k")) {
    for (absl::string_view part : absl::StrSplit(flags.Get("pass-at-k"), ',')) {
      int k;
      if (!absl::SimpleAtoi(part, &k) || k < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("--pass-at-k wants positive integers separated by commas, got '",
                         flags.Get("pass-at-k"), "'"));
      }
      spec.add_pass_at_k(k);
    }
  }
  if (flags.Has("std")) {
    std::string s = flags.Get("std");
    if (s == "sample")
      spec.mutable_advantage()->set_std(v1::STD_KIND_SAMPLE);
    else if (s == "population")
      spec.mutable_advantage()->set_std(v1::STD_KIND_POPULATION);
    else
      return absl::InvalidArgumentError(
          absl::StrCat("--std wants sample or population, got '", s, "'"));
  }
  return spec;
}

}  // namespace verdict::cli
