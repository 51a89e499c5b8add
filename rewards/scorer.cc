#include "rewards/scorer.h"

#include <algorithm>
#include <atomic>
#include <stop_token>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "rewards/format.h"
#include "rewards/instructions.h"
#include "rewards/internal/finish.h"
#include "rewards/language.h"
#include "rewards/shaping.h"
#include "rewards/spec.h"

namespace verdict {
namespace {

// Rejects a group that cannot be scored at all (DESIGN §4: an error, not a verdict).
absl::Status ValidateGroup(const Group& group, const ScorerOptions& options) {
  if (std::holds_alternative<std::monostate>(group.reference)) {
    return absl::InvalidArgumentError(
        absl::StrCat("group '", group.id, "' has no reference: set math, code or rules_only"));
  }
  if (const auto* math = std::get_if<MathReference>(&group.reference)) {
    if (math->gold_answers.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("group '", group.id, "' has a math reference with no gold answers"));
    }
  }
  if (const auto* code = std::get_if<CodeReference>(&group.reference)) {
    if (options.runner == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("group '", group.id,
                       "': this server does not run code (no sandbox with the minimum "
                       "containment layers; see GetInfo.sandbox_layers)"));
    }
    if (code->tests.empty() && code->shape != code::TestShape::kAssert) {
      return absl::InvalidArgumentError(
          absl::StrCat("group '", group.id, "' has a code reference with no tests"));
    }
  }
  if (const auto* ins = std::get_if<InstructionReference>(&group.reference)) {
    if (absl::Status s = instruct::ValidateConstraints(ins->constraints); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("group '", group.id, "': ", s.message()));
    }
  }
  if (absl::Status s = ValidateSpec(group.spec); !s.ok()) return s;
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

// What every sample of a group shares, worked out once per group.
struct GroupContext {
  bool use_tokens = false;  // lengths in tokens: every completion has a token count
  std::string language;     // target language for the language component ("" if off)
};

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

namespace {

GroupContext ContextOf(const Group& group) {
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

// Checks one completion of `group`: format, accuracy, the per-sample shaping terms and their
// weighted sum. Group-relative terms, truncation, clipping and advantages come in FinishGroup.
SampleResult ScoreSample(const Group& group, size_t index, const GroupContext& context,
                         const ScorerOptions& options) {
  const Completion& completion = group.completions[index];
  const RewardSpec& spec = group.spec;
  if (completion.text.size() > options.max_completion_bytes) {
    return ErrorSample(absl::InvalidArgumentError(
        absl::StrCat("completion of ", completion.text.size(), " bytes exceeds the limit of ",
                     options.max_completion_bytes)));
  }
  SampleResult r;

  // Format, and the region the answer is read from: both from the format checker.
  absl::StatusOr<FormatCheck> check =
      CheckFormat(completion.text, PromptPrefillsThink(group.prompt), spec);
  if (!check.ok()) return ErrorSample(check.status());  // ValidateSpec refused it earlier
  r.format = std::move(check->format);
  const bool format_ok = r.format.ok;

  // Accuracy.
  double accuracy = 0.0;
  bool has_accuracy = false;
  if (const auto* ref = std::get_if<MathReference>(&group.reference)) {
    math::MathOptions math_options = MathOptionsFor(options.math, spec);
    math_options.extract.use_answer_tag = check->answer_tag;
    math::MathVerdict mv;
    // Several <answer> blocks earn no accuracy: VerifyCompletion refuses them itself, so that
    // `verdict check` and the server read answers by the same rules.
    if (!check->answer.empty()) {
      // A custom pattern's "answer" group is the answer itself, not text to search.
      mv = math::VerifyAnswer(check->answer, ref->gold_answers, math_options);
    } else {
      mv = math::VerifyCompletion(check->answer_text, ref->gold_answers, math_options);
    }
    r.verdict = FromMathOutcome(mv.outcome);
    r.reason = std::move(mv.reason);
    r.math = MathDetails{std::move(mv.extracted), std::string(math::AnswerSourceName(mv.source)),
                         std::move(mv.canonical), mv.matched_gold};
    has_accuracy = true;
    accuracy = r.verdict == Verdict::kCorrect     ? 1.0
               : r.verdict == Verdict::kUndecided ? spec.undecided_value
                                                  : 0.0;
  } else if (const auto* ins = std::get_if<InstructionReference>(&group.reference)) {
    std::optional<std::string_view> region = InstructionAnswerRegion(
        completion.text, spec.format, PromptPrefillsThink(group.prompt), check->answer);
    if (absl::Status s = ScoreInstructions(*ins, region, spec, &r, &accuracy); !s.ok()) {
      return ErrorSample(std::move(s));
    }
    has_accuracy = true;
  } else {
    r.verdict = Verdict::kNotChecked;
    r.reason = "rules only: no reference to check against";
  }

  // Composition: reward = sum(weight * value); gating zeroes the accuracy term only.
  auto add = [&r, &spec](Component c, double value) {
    r.components.emplace_back(c, value);
    r.reward += ComponentWeight(spec, c) * value;
  };
  if (has_accuracy) {
    r.components.emplace_back(Component::kAccuracy, accuracy);
    const double term = (spec.gate_accuracy_on_format && !format_ok) ? 0.0 : accuracy;
    r.reward += ComponentWeight(spec, Component::kAccuracy) * term;
  }
  if (spec.format != FormatTemplate::kNone) add(Component::kFormat, r.format.value);

  // Per-sample shaping terms.
  r.length = context.use_tokens ? completion.num_tokens : CodePointLength(completion.text);
  r.truncated = completion.finish_reason == "length";
  if (spec.language.enabled) {
    LanguageResult lang = LanguageConsistency(ChainOfThought(completion.text), context.language);
    r.language_target = lang.target;
    r.language_words = lang.words;
    r.language_target_words = lang.target_words;
    add(Component::kLanguage, lang.proportion);
  }
  if (spec.overlong.enabled) {
    add(Component::kOverlong,
        SoftOverlongPenalty(r.length, spec.overlong.max_length, spec.overlong.cache_length));
  }
  if (spec.cosine.enabled) {
    const CosineShaping& c = spec.cosine;
    add(Component::kCosine,
        CosineLengthReward(r.length, r.verdict == Verdict::kCorrect,
                           CosineOptions{c.max_length, c.min_value_wrong, c.max_value_wrong,
                                         c.min_value_correct, c.max_value_correct}));
  }
  if (spec.repetition.enabled) {
    // Token n-grams when the token ids were sent, word n-grams otherwise.
    const RepetitionShaping& rep = spec.repetition;
    add(Component::kRepetition,
        completion.token_ids.empty()
            ? RepetitionPenalty(completion.text, rep.ngram_size, rep.max_penalty)
            : RepetitionPenaltyTokens(completion.token_ids, rep.ngram_size, rep.max_penalty));
  }
  return r;
}

// Majority vote over the samples' extracted answers, clustered by math equivalence; fills the
// majority fields of `result->stats`.
void MajorityVote(GroupResult* result, const math::MathOptions& options) {
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

// Runs the group's programs (JudgeGroup: identical programs once) and puts the code accuracy,
// verdict and test details on the samples already scored for format and shaping.
void ScoreCode(const Group& group, const Cancellation* cancel, const ScorerOptions& scorer,
               GroupResult* result) {
  const auto& ref = std::get<CodeReference>(group.reference);
  const RewardSpec& spec = group.spec;
  std::vector<std::string> texts;
  std::vector<size_t> index;  // sample of each text
  for (size_t i = 0; i < group.completions.size(); ++i) {
    if (!result->samples[i].error.ok()) continue;  // cancelled or too large: not run
    texts.push_back(group.completions[i].text);
    index.push_back(i);
  }
  code::JudgeOptions options = scorer.judge;
  options.all_pass = spec.code_all_pass;
  sandbox::CancelFlag flag;  // a cancelled call kills its processes at once
  // The one bridge from the call's stop token to the sandbox: runs at once if already stopped.
  std::stop_callback signal_sandbox(cancel ? cancel->stop : std::stop_token(),
                                    [&flag] { flag.Cancel(); });
  std::vector<absl::StatusOr<code::CodeVerdict>> verdicts =
      code::JudgeGroup(ref, texts, *scorer.runner, options, &flag);
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
    r.components.insert(r.components.begin(), {Component::kAccuracy, accuracy});
    const double term = (spec.gate_accuracy_on_format && !r.format.ok) ? 0.0 : accuracy;
    r.reward += ComponentWeight(spec, Component::kAccuracy) * term;
    r.code = std::move(v);
  }
}

}  // namespace

Scorer::Scorer(ThreadPool* pool, ScorerOptions options)
    : pool_(pool), options_(std::move(options)) {}

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
        job->result.samples[i] =
            live.ok() ? ScoreSample(*job->group, i, job->context, options_) : ErrorSample(live);
      }
      ScoreCode(*job->group, job->cancel.get(), options_, &job->result);
      internal::FinishGroup(&job->result);
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
            live.ok() ? ScoreSample(*job->group, i, job->context, options_) : ErrorSample(live);
      }
      // acq_rel: the finishing task sees every other task's samples.
      if (job->remaining_tasks.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        internal::FinishGroup(&job->result);
        if (job->group->spec.majority_vote) {
          MajorityVote(&job->result, MathOptionsFor(options_.math, job->group->spec));
        }
        std::move(job->done)(std::move(job->result));
      }
    });
  }
}

namespace {

// Shared by the groups of one batch; the group that finishes last finishes the batch.
struct BatchJob {
  std::vector<GroupResult> results;
  Scorer::BatchDone done;
  std::atomic<size_t> remaining{0};

  void DoneOne() {
    // acq_rel: the finishing group sees every other group's result.
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    std::vector<GroupResult*> batch;
    batch.reserve(results.size());
    for (GroupResult& r : results) batch.push_back(&r);
    internal::FinishBatch(batch);
    std::move(done)(std::move(results));
  }
};

}  // namespace

void Scorer::ScoreBatch(std::vector<BatchGroup> groups, std::shared_ptr<const Cancellation> cancel,
                        BatchDone done) const {
  auto job = std::make_shared<BatchJob>();
  const size_t n = groups.size();
  job->results.resize(n);  // slots, filled concurrently
  job->done = std::move(done);
  // One extra count held by this loop, so the batch cannot finish under it.
  job->remaining.store(n + 1, std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    BatchGroup& g = groups[i];
    // Once cancelled (client gone, deadline, shutdown grace over), the rest is not queued: a
    // large batch would otherwise hold the pool for each of its groups.
    if (g.error.ok() && cancel != nullptr) g.error = cancel->Check();
    if (!g.error.ok()) {
      job->results[i].group_id = g.group != nullptr ? g.group->id : "";
      job->results[i].error = std::move(g.error);
      job->DoneOne();
      continue;
    }
    ScoreAsync(std::move(g.group), cancel, [job, i](GroupResult result) {
      job->results[i] = std::move(result);
      job->DoneOne();
    });
  }
  job->DoneOne();
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
