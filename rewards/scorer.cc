#include "rewards/scorer.h"

#include <algorithm>
#include <atomic>
#include <stop_token>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "rewards/advantages.h"
#include "rewards/format.h"
#include "rewards/language.h"
#include "rewards/shaping.h"

namespace verdict {
namespace {

// Rejects a group that cannot be scored at all (DESIGN §4: an error, not a verdict).
absl::Status ValidateGroup(const Group& group, const ScorerOptions& options) {
  if (std::holds_alternative<std::monostate>(group.reference)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "group '", group.id, "' has no reference: set math, code or rules_only"));
  }
  if (const auto* math = std::get_if<MathReference>(&group.reference)) {
    if (math->gold_answers.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("group '", group.id, "' has a math reference with no gold answers"));
    }
  }
  if (const auto* code = std::get_if<CodeReference>(&group.reference)) {
    if (options.runner == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "group '", group.id, "': this server does not run code (no sandbox with the minimum "
          "containment layers; see GetInfo.sandbox_layers)"));
    }
    if (code->tests.empty() && code->shape != code::TestShape::kAssert) {
      return absl::InvalidArgumentError(absl::StrCat("group '", group.id, "' has a code reference with no tests"));
    }
  }
  if (group.spec.format == FormatTemplate::kCustom) {
    if (absl::Status s = ValidateFormatPattern(group.spec.format_pattern); !s.ok()) return s;
  }
  if (group.completions.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("group '", group.id, "' has no completions"));
  }
  if (group.completions.size() > options.max_completions_per_group) {
    return absl::InvalidArgumentError(
        absl::StrCat("group '", group.id, "' has ", group.completions.size(),
                     " completions; the limit is ", options.max_completions_per_group));
  }
  return absl::OkStatus();
}

// The server's math options with the request's equivalence policies.
math::MathOptions MathOptionsFor(const math::MathOptions& base, const RewardSpec& spec) {
  math::MathOptions o = base;
  o.compare.decimal = spec.math_decimal;
  o.compare.min_significant_digits = spec.math_min_significant_digits;
  o.compare.percent = spec.math_percent;
  return o;
}

Verdict FromMathOutcome(math::Outcome outcome) {
  switch (outcome) {
    case math::Outcome::kCorrect: return Verdict::kCorrect;
    case math::Outcome::kWrong: return Verdict::kWrongAnswer;
    case math::Outcome::kNoAnswer: return Verdict::kNoAnswer;
    case math::Outcome::kUnparseable: return Verdict::kUnparseable;
    case math::Outcome::kUndecided: return Verdict::kUndecided;
  }
  return Verdict::kUndecided;
}

}  // namespace

Verdict VerdictOfCode(code::Verdict v) {
  switch (v) {
    case code::Verdict::kCorrect: return Verdict::kCorrect;
    case code::Verdict::kWrongAnswer: return Verdict::kWrongAnswer;
    case code::Verdict::kPartial: return Verdict::kPartial;
    case code::Verdict::kNoCode: return Verdict::kNoCode;
    case code::Verdict::kCompileError: return Verdict::kCompileError;
    case code::Verdict::kRuntimeError: return Verdict::kRuntimeError;
    case code::Verdict::kTimeLimit: return Verdict::kTimeLimit;
    case code::Verdict::kMemoryLimit: return Verdict::kMemoryLimit;
    case code::Verdict::kOutputLimit: return Verdict::kOutputLimit;
  }
  return Verdict::kRuntimeError;
}

namespace {

SampleResult ErrorSample(absl::Status status) {
  SampleResult r;
  r.verdict = Verdict::kError;
  r.reason = std::string(status.message());
  r.error = std::move(status);
  return r;
}

// Shared by the tasks of one group; the task that checks the last sample finishes the group.
struct GroupJob {
  std::shared_ptr<const Group> group;
  std::shared_ptr<const Cancellation> cancel;
  Scorer::Done done;
  GroupContext context;
  GroupResult result;
  std::atomic<size_t> remaining_tasks{0};
};

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCorrect: return "CORRECT";
    case Verdict::kWrongAnswer: return "WRONG_ANSWER";
    case Verdict::kNoAnswer: return "NO_ANSWER";
    case Verdict::kUnparseable: return "UNPARSEABLE";
    case Verdict::kUndecided: return "UNDECIDED";
    case Verdict::kNotChecked: return "NOT_CHECKED";
    case Verdict::kError: return "ERROR";
    case Verdict::kPartial: return "PARTIAL";
    case Verdict::kNoCode: return "NO_CODE";
    case Verdict::kCompileError: return "COMPILE_ERROR";
    case Verdict::kRuntimeError: return "RUNTIME_ERROR";
    case Verdict::kTimeLimit: return "TIME_LIMIT";
    case Verdict::kMemoryLimit: return "MEMORY_LIMIT";
    case Verdict::kOutputLimit: return "OUTPUT_LIMIT";
  }
  return "ERROR";
}

Scorer::Scorer(ThreadPool* pool, ScorerOptions options)
    : pool_(pool), options_(std::move(options)) {}

GroupContext Scorer::ContextOf(const Group& group) {
  GroupContext c;
  c.use_tokens = !group.completions.empty() &&
                 std::all_of(group.completions.begin(), group.completions.end(),
                             [](const Completion& x) { return x.num_tokens > 0; });
  if (group.spec.language.enabled) {
    c.language = group.spec.language.target.empty() ? DetectLanguage(group.prompt)
                                                    : group.spec.language.target;
  }
  return c;
}

SampleResult Scorer::ScoreSample(const Group& group, size_t index,
                                 const GroupContext& context) const {
  const Completion& completion = group.completions[index];
  const RewardSpec& spec = group.spec;
  if (completion.text.size() > options_.max_completion_bytes) {
    return ErrorSample(absl::InvalidArgumentError(
        absl::StrCat("completion of ", completion.text.size(), " bytes exceeds the limit of ",
                     options_.max_completion_bytes)));
  }
  SampleResult r;

  // Format, and the region the answer is read from.
  const bool prefilled = PromptPrefillsThink(group.prompt);
  std::string_view answer_text = completion.text;  // searched for the answer
  std::string custom_region;
  bool answer_tag = false;  // read the answer from the <answer> block
  switch (spec.format) {
    case FormatTemplate::kR1:
      r.format = CheckR1Format(completion.text, prefilled);
      answer_tag = true;
      break;
    case FormatTemplate::kThinkOnly: {
      std::string_view after;
      r.format = CheckThinkOnlyFormat(completion.text, prefilled, &after);
      // The answer follows the reasoning; without a well-formed </think>, the whole text.
      if (size_t close = completion.text.rfind("</think>"); close != std::string::npos) {
        answer_text = std::string_view(completion.text).substr(close + 8);
      }
      break;
    }
    case FormatTemplate::kCustom: {
      absl::StatusOr<FormatResult> f =
          CheckCustomFormat(completion.text, prefilled, spec.format_pattern, &custom_region);
      if (!f.ok()) return ErrorSample(f.status());  // validated earlier; kept for safety
      r.format = *std::move(f);
      if (r.format.ok && !custom_region.empty()) answer_text = custom_region;
      break;
    }
    case FormatTemplate::kNone:
      r.format.template_name = "none";
      r.format.ok = true;
      r.format.value = 1.0;
      break;
  }
  const bool format_ok = r.format.ok;
  if (!format_ok && spec.format_partial_credit && spec.format != FormatTemplate::kNone) {
    r.format.value = TagCountCredit(completion.text, spec.format);
  }

  // Accuracy.
  double accuracy = 0.0;
  bool has_accuracy = false;
  if (const auto* ref = std::get_if<MathReference>(&group.reference)) {
    math::MathOptions math_options = MathOptionsFor(options_.math, spec);
    math_options.extract.use_answer_tag = answer_tag;
    math::MathVerdict mv;
    // Several <answer> blocks earn no accuracy: VerifyCompletion refuses them itself, so that
    // `verdict check` and the server read answers by the same rules.
    if (!custom_region.empty()) {
      // A custom pattern's "answer" group is the answer itself, not text to search.
      mv = math::VerifyAnswer(custom_region, ref->gold_answers, math_options);
    } else {
      mv = math::VerifyCompletion(answer_text, ref->gold_answers, math_options);
    }
    r.verdict = FromMathOutcome(mv.outcome);
    r.reason = std::move(mv.reason);
    r.math = MathDetails{std::move(mv.extracted), std::string(math::AnswerSourceName(mv.source)),
                         std::move(mv.canonical), mv.matched_gold};
    has_accuracy = true;
    accuracy = r.verdict == Verdict::kCorrect     ? 1.0
               : r.verdict == Verdict::kUndecided ? spec.undecided_value
                                                  : 0.0;
  } else {
    r.verdict = Verdict::kNotChecked;
    r.reason = "rules only: no reference to check against";
  }

  // Composition: reward = sum(weight * value); gating zeroes the accuracy term only.
  if (has_accuracy) {
    r.components.emplace_back("accuracy", accuracy);
    double term = (spec.gate_accuracy_on_format && !format_ok) ? 0.0 : accuracy;
    r.reward += spec.accuracy_weight * term;
  }
  if (spec.format != FormatTemplate::kNone) {
    r.components.emplace_back("format", r.format.value);
    r.reward += spec.format_weight * r.format.value;
  }

  // Per-sample shaping terms.
  r.length = context.use_tokens ? completion.num_tokens : CodePointLength(completion.text);
  r.truncated = completion.finish_reason == "length";
  auto add = [&r](const char* name, double value, double weight) {
    r.components.emplace_back(name, value);
    r.reward += weight * value;
  };
  if (spec.language.enabled) {
    LanguageResult lang = LanguageConsistency(ChainOfThought(completion.text), context.language);
    r.language_target = lang.target;
    r.language_words = lang.words;
    r.language_target_words = lang.target_words;
    add("language", lang.proportion, spec.language.weight);
  }
  if (spec.overlong.enabled) {
    add("overlong",
        SoftOverlongPenalty(r.length, spec.overlong.max_length, spec.overlong.cache_length),
        spec.overlong.weight);
  }
  if (spec.cosine.enabled) {
    const CosineShaping& c = spec.cosine;
    add("cosine",
        CosineLengthReward(r.length, r.verdict == Verdict::kCorrect,
                           CosineOptions{c.max_length, c.min_value_wrong, c.max_value_wrong,
                                         c.min_value_correct, c.max_value_correct}),
        c.weight);
  }
  if (spec.repetition.enabled) {
    // Token n-grams when the token ids were sent, word n-grams otherwise.
    add("repetition",
        completion.token_ids.empty()
            ? RepetitionPenalty(completion.text, spec.repetition.ngram_size, spec.repetition.max_penalty)
            : RepetitionPenaltyTokens(completion.token_ids, spec.repetition.ngram_size,
                                      spec.repetition.max_penalty),
        spec.repetition.weight);
  }
  return r;
}

namespace {

double WeightOf(const RewardSpec& spec, const std::string& component) {
  if (component == "accuracy") return spec.accuracy_weight;
  if (component == "format") return spec.format_weight;
  return 1.0;
}

// GDPO-style: advantages of each component separately, summed with the component weights.
void ComponentAdvantages(const std::vector<bool>& scored, GroupResult* result) {
  const size_t n = result->samples.size();
  std::vector<std::string> names;
  for (size_t i = 0; i < n && names.empty(); ++i) {
    if (!scored[i]) continue;
    for (const auto& [name, value] : result->samples[i].components) names.push_back(name);
  }
  bool any_variance = false;
  std::vector<double> total(n, 0.0);
  for (const std::string& name : names) {
    std::vector<double> values(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [cname, value] : result->samples[i].components) {
        if (cname == name) values[i] = value;
      }
    }
    AdvantageResult adv = ComputeAdvantages(values, scored, result->spec);
    any_variance = any_variance || !adv.zero_variance;
    for (size_t i = 0; i < n; ++i) total[i] += WeightOf(result->spec, name) * adv.advantages[i];
  }
  result->stats.zero_variance = !any_variance;
  for (size_t i = 0; i < n; ++i) result->samples[i].advantage = total[i];
}

bool BatchScaled(const GroupResult& r) {
  return r.error.ok() && r.spec.estimator != AdvantageEstimator::kNone &&
         EffectiveScale(r.spec) == AdvantageScale::kBatchStd;
}

}  // namespace

namespace {

// Group-relative shaping, then the truncation rule and clipping, on the final reward.
void FinishRewards(GroupResult* result) {
  const RewardSpec& spec = result->spec;
  if (spec.kimi_length.enabled) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const SampleResult& s : result->samples) {
      if (!s.error.ok()) continue;
      lo = std::min(lo, s.length);
      hi = std::max(hi, s.length);
    }
    for (SampleResult& s : result->samples) {
      if (!s.error.ok()) continue;
      double v = KimiLengthReward(s.length, lo, hi, s.verdict == Verdict::kCorrect);
      s.components.emplace_back("length", v);
      s.reward += spec.kimi_length.weight * v;
    }
  }
  for (SampleResult& s : result->samples) {
    if (!s.error.ok()) continue;
    if (s.truncated && spec.truncation == TruncationMode::kMultiply) s.reward *= spec.truncation_value;
    if (s.truncated && spec.truncation == TruncationMode::kReplace) s.reward = spec.truncation_value;
    if (spec.clip) s.reward = std::clamp(s.reward, spec.clip_min, spec.clip_max);
  }
}

}  // namespace

void Scorer::FinishGroup(GroupResult* result) {
  FinishRewards(result);
  const size_t n = result->samples.size();
  std::vector<double> rewards(n);
  std::vector<bool> scored(n);
  GroupStats& stats = result->stats;
  std::string unit = std::move(stats.length_unit);
  stats = GroupStats{};
  stats.length_unit = std::move(unit);
  stats.num_samples = static_cast<int>(n);
  int num_scored = 0;
  for (size_t i = 0; i < n; ++i) {
    const SampleResult& s = result->samples[i];
    rewards[i] = s.reward;
    scored[i] = s.error.ok();
    if (!s.error.ok()) ++stats.num_errors;
    if (s.error.ok()) ++num_scored;
    if (s.verdict == Verdict::kCorrect) ++stats.num_correct;
    if (s.verdict == Verdict::kUndecided) ++stats.num_undecided;
    if (s.error.ok() && s.format.ok) ++stats.num_format_ok;
  }
  AdvantageResult adv = ComputeAdvantages(rewards, scored, result->spec);
  stats.mean = adv.mean;
  stats.std = adv.std;
  stats.zero_variance = adv.zero_variance;
  for (size_t i = 0; i < n; ++i) result->samples[i].advantage = adv.advantages[i];
  if (result->spec.normalize_components &&
      result->spec.estimator != AdvantageEstimator::kNone) {
    ComponentAdvantages(scored, result);
  }
  for (int k : result->spec.pass_at_k) {
    if (k >= 1 && k <= num_scored) {
      stats.pass_at_k.emplace_back(k, PassAtK(num_scored, stats.num_correct, k));
    }
  }
}

void Scorer::MajorityVote(GroupResult* result, const math::MathOptions& options) {
  struct Cluster {
    std::string representative;
    int count = 0;
    bool correct = false;
  };
  std::vector<Cluster> clusters;
  for (const SampleResult& s : result->samples) {
    if (!s.error.ok() || !s.math ||
        (s.verdict != Verdict::kCorrect && s.verdict != Verdict::kWrongAnswer)) {
      continue;
    }
    bool placed = false;
    for (Cluster& c : clusters) {
      std::vector<std::string> rep = {c.representative};
      if (math::VerifyAnswer(s.math->extracted, rep, options).outcome == math::Outcome::kCorrect) {
        ++c.count;
        placed = true;
        break;
      }
    }
    if (!placed) clusters.push_back({s.math->extracted, 1, s.verdict == Verdict::kCorrect});
  }
  GroupStats& st = result->stats;
  st.majority_clusters = static_cast<int>(clusters.size());
  const Cluster* best = nullptr;
  for (const Cluster& c : clusters) {
    if (best == nullptr || c.count > best->count) best = &c;
  }
  if (best != nullptr) {
    st.majority_count = best->count;
    st.majority_answer = best->representative;
    st.majority_correct = best->correct;
  }
}

void Scorer::ScoreCode(const Group& group, const Cancellation* cancel, GroupResult* result) const {
  const auto& ref = std::get<CodeReference>(group.reference);
  const RewardSpec& spec = group.spec;
  std::vector<std::string> texts;
  std::vector<size_t> index;  // sample of each text
  for (size_t i = 0; i < group.completions.size(); ++i) {
    if (!result->samples[i].error.ok()) continue;  // cancelled or too large: not run
    texts.push_back(group.completions[i].text);
    index.push_back(i);
  }
  code::JudgeOptions options = options_.judge;
  options.all_pass = spec.code_all_pass;
  sandbox::CancelFlag flag;  // a cancelled call kills its processes at once
  // The one bridge from the call's stop token to the sandbox: runs at once if already stopped.
  std::stop_callback signal_sandbox(cancel ? cancel->stop : std::stop_token(),
                                    [&flag] { flag.Cancel(); });
  std::vector<absl::StatusOr<code::CodeVerdict>> verdicts =
      code::JudgeGroup(ref, texts, *options_.runner, options, &flag);
  for (size_t k = 0; k < verdicts.size(); ++k) {
    SampleResult& r = result->samples[index[k]];
    if (!verdicts[k].ok()) {  // the sandbox failed, or the call was cancelled: not a verdict
      r = ErrorSample(verdicts[k].status());
      continue;
    }
    code::CodeVerdict& v = *verdicts[k];
    r.verdict = VerdictOfCode(v.verdict);
    r.reason = v.reason;
    const double accuracy = v.verdict == code::Verdict::kNoCode         ? spec.no_code_value
                            : v.verdict == code::Verdict::kCompileError ? spec.compile_error_value
                                                                         : v.accuracy;
    r.components.insert(r.components.begin(), {"accuracy", accuracy});
    const double term = (spec.gate_accuracy_on_format && !r.format.ok) ? 0.0 : accuracy;
    r.reward += spec.accuracy_weight * term;
    r.code = std::move(v);
  }
}

void Scorer::FinishBatch(std::vector<GroupResult*> results) {
  std::vector<double*> values;
  const RewardSpec* spec = nullptr;
  for (GroupResult* r : results) {
    if (!BatchScaled(*r)) continue;
    if (spec == nullptr) spec = &r->spec;
    for (SampleResult& s : r->samples) {
      if (s.error.ok()) values.push_back(&s.advantage);
    }
  }
  if (spec == nullptr) return;
  // Zero-variance groups count toward the batch statistics (as in OpenRLHF's whitening) but keep
  // their advantage of exactly 0.
  std::vector<double> kept(values.size());
  for (size_t i = 0; i < values.size(); ++i) kept[i] = *values[i];
  BatchWhiten(values, spec->std_kind, spec->epsilon);
  size_t v = 0;
  for (GroupResult* r : results) {
    if (!BatchScaled(*r)) continue;
    for (SampleResult& s : r->samples) {
      if (!s.error.ok()) continue;
      if (r->stats.zero_variance) s.advantage = kept[v];
      ++v;
    }
  }
}

void Scorer::ScoreAsync(std::shared_ptr<const Group> group,
                        std::shared_ptr<const Cancellation> cancel, Done done) const {
  GroupResult early;
  early.group_id = group->id;
  early.spec = group->spec;
  if (absl::Status status = ValidateGroup(*group, options_); !status.ok()) {
    early.error = std::move(status);
    std::move(done)(std::move(early));
    return;
  }
  const size_t n = group->completions.size();
  const size_t max_tasks = std::max<size_t>(1, pool_->num_threads() * options_.tasks_per_thread);
  const size_t num_tasks = std::min(n, max_tasks);
  const size_t per_task = (n + num_tasks - 1) / num_tasks;

  auto job = std::make_shared<GroupJob>();
  job->group = std::move(group);
  job->cancel = std::move(cancel);
  job->done = std::move(done);
  job->result = std::move(early);
  job->result.samples.resize(n);
  job->context = ContextOf(*job->group);
  job->result.stats.length_unit = job->context.use_tokens ? "tokens" : "chars";
  const size_t tasks = (n + per_task - 1) / per_task;
  job->remaining_tasks.store(tasks, std::memory_order_relaxed);

  if (std::holds_alternative<CodeReference>(job->group->reference)) {
    // Code: one task scores format and shaping, then judges the group's programs (JudgeGroup
    // runs identical programs once and each program's tests in parallel in the sandbox).
    job->remaining_tasks.store(1, std::memory_order_relaxed);
    pool_->Schedule([this, job]() {
      for (size_t i = 0; i < job->result.samples.size(); ++i) {
        absl::Status live = job->cancel ? job->cancel->Check() : absl::OkStatus();
        job->result.samples[i] = live.ok() ? ScoreSample(*job->group, i, job->context) : ErrorSample(live);
      }
      ScoreCode(*job->group, job->cancel.get(), &job->result);
      FinishGroup(&job->result);
      std::move(job->done)(std::move(job->result));
    });
    return;
  }
  for (size_t t = 0; t < tasks; ++t) {
    const size_t begin = t * per_task;
    const size_t end = std::min(n, begin + per_task);
    pool_->Schedule([this, job, begin, end]() {
      for (size_t i = begin; i < end; ++i) {
        absl::Status live = job->cancel ? job->cancel->Check() : absl::OkStatus();
        job->result.samples[i] =
            live.ok() ? ScoreSample(*job->group, i, job->context) : ErrorSample(live);
      }
      // acq_rel: the finishing task sees every other task's samples.
      if (job->remaining_tasks.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        FinishGroup(&job->result);
        if (job->group->spec.majority_vote) MajorityVote(&job->result, MathOptionsFor(options_.math, job->group->spec));
        std::move(job->done)(std::move(job->result));
      }
    });
  }
}

GroupResult Scorer::Score(const Group& group, const Cancellation* cancel) const {
  absl::Notification finished;
  GroupResult out;
  // Non-owning shared_ptrs: this call blocks until `done` has run.
  std::shared_ptr<const Group> group_ref(&group, [](const Group*) {});
  std::shared_ptr<const Cancellation> cancel_ref(cancel, [](const Cancellation*) {});
  ScoreAsync(std::move(group_ref), std::move(cancel_ref), [&](GroupResult r) {
    out = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

}  // namespace verdict
