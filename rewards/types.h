// Domain types of a scoring request and its result. These mirror verdict.v1 (proto/) but carry no
// protobuf or gRPC types: server/convert.h is the one place that maps between the two.
#ifndef VERDICT_REWARDS_TYPES_H_
#define VERDICT_REWARDS_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "rewards/component.h"
#include "verifier/code/code_reference.h"
#include "verifier/instruct/check.h"
#include "verifier/instruct/constraint.h"
#include "verifier/math/compare.h"

namespace verdict {

struct Completion {
  std::string text;
  int64_t num_tokens = 0;          // 0 = unknown
  std::string finish_reason;       // "stop", "length", ...; empty = unknown
  std::vector<int64_t> token_ids;  // empty = unknown
};

// Gold answers; a completion is correct when equivalent to any of them.
struct MathReference {
  std::vector<std::string> gold_answers;
};

// Test cases for code (verifier/code): language, test shape, tests, checker, limits.
using CodeReference = code::CodeReference;

// No reference: only rule-based components.
struct RulesOnly {};

// Verifiable instruction constraints (verifier/instruct): accuracy is the fraction followed by
// the answer region, or all-or-nothing (RewardSpec::instructions_all_or_nothing).
struct InstructionReference {
  std::vector<instruct::Constraint> constraints;
};

// std::monostate = the caller set no reference: an INVALID_ARGUMENT error for the group.
using Reference =
    std::variant<std::monostate, MathReference, CodeReference, RulesOnly, InstructionReference>;

enum class FormatTemplate {
  kR1,         // <think>..</think><answer>..</answer>, strict (DESIGN §5)
  kNone,       // no format component; the answer is taken from the whole completion
  kThinkOnly,  // reasoning closed by </think>, the answer after it (Qwen3/R1-distill style)
  kCustom,     // RE2 pattern per request (RewardSpec::format_pattern)
};

// Each estimator is a baseline and a default scale (see rewards/advantages.h for formulas).
enum class AdvantageEstimator {
  kGrpo,                       // baseline: group mean; scale: group std (DeepSeekMath/R1)
  kDrGrpo,                     // baseline: group mean; scale: none (Dr. GRPO)
  kRloo,                       // baseline: mean of the other samples; scale: none (RLOO)
  kReinforcePlusPlusBaseline,  // baseline: group mean; scale: batch std (REINFORCE++-baseline)
  kNone,                       // all advantages 0
};

// What the baseline-subtracted rewards are divided by.
enum class AdvantageScale {
  kDefault,   // the estimator's own
  kGroupStd,  // std of the group's rewards
  kBatchStd,  // whitened across every sample of the batch (one Score call)
  kNone,      // not divided
};

enum class StdKind {
  kSample,      // divide by n - 1 (TRL, verl, OpenRLHF)
  kPopulation,  // divide by n (open-instruct)
};

// Optional shaping terms (rewards/shaping.h has the formulas). Each adds `weight * value` to the
// reward when enabled, and is reported as a component (rewards/component.h).
struct OverlongShaping {  // component "overlong" (DAPO)
  bool enabled = false;
  int64_t max_length = 4096;
  int64_t cache_length = 1024;
  double weight = 1.0;
};
struct KimiLengthShaping {  // component "length" (Kimi k1.5), relative to the group
  bool enabled = false;
  double weight = 1.0;
};
struct CosineShaping {  // component "cosine" (Yeo et al.)
  bool enabled = false;
  int64_t max_length = 1000;
  double min_value_wrong = -1.0, max_value_wrong = -0.5;
  double min_value_correct = 0.5, max_value_correct = 1.0;
  double weight = 1.0;
};
struct RepetitionShaping {  // component "repetition" (n-gram, as open-r1)
  bool enabled = false;
  int ngram_size = 3;
  double max_penalty = -1.0;
  double weight = 1.0;
};
struct LanguageShaping {  // component "language" (R1 language consistency)
  bool enabled = false;
  std::string target;  // ISO 639-1 code; empty = detected from the prompt (CLD2)
  double weight = 1.0;
};

// What happens to the reward of a truncated completion (finish reason "length").
enum class TruncationMode {
  kKeep,      // nothing (default)
  kMultiply,  // reward *= value
  kReplace,   // reward = value
};

// A fully resolved reward spec: every field has a value. Defaults here are the server's built-in
// defaults and are repeated in proto/verdict/v1/verdict.proto.
struct RewardSpec {
  double accuracy_weight = 1.0;
  double format_weight = 1.0;
  FormatTemplate format = FormatTemplate::kR1;
  // kCustom: the completion (after a prefilled <think>, if any) must fully match this RE2
  // pattern; a capture group named "answer", if present, is where the answer is read from.
  std::string format_pattern;
  // Partial credit: a completion that fails the template gets 0.25 for each tag of the template
  // that appears exactly once (at most 0.75); one that passes gets 1. Default false (0 or 1).
  bool format_partial_credit = false;
  // When true, the accuracy term of the reward is 0 unless the format check passed. The
  // accuracy component itself is still reported unchanged.
  bool gate_accuracy_on_format = false;
  // Accuracy value of an UNDECIDED verdict.
  double undecided_value = 0.0;
  AdvantageEstimator estimator = AdvantageEstimator::kGrpo;
  AdvantageScale scale = AdvantageScale::kDefault;
  StdKind std_kind = StdKind::kSample;
  double epsilon = 1e-6;
  // GDPO-style: apply baseline and scale to each component separately, then take the weighted
  // sum, instead of normalising the summed reward. Default false.
  bool normalize_components = false;
  // k values for the unbiased pass@k estimate of each group (empty: none).
  std::vector<int> pass_at_k;
  LanguageShaping language;
  // Cluster the group's answers by math equivalence and report the majority (maj@k over the
  // group's samples). Default false.
  bool majority_vote = false;
  // Math equivalence policies (verifier/math/compare.h).
  math::DecimalPolicy math_decimal = math::DecimalPolicy::kRoundedAtWrittenPrecision;
  int math_min_significant_digits = math::CompareOptions{}.min_significant_digits;
  math::PercentPolicy math_percent = math::PercentPolicy::kNumberOrFraction;
  // Code accuracy: all tests must pass (else the pass fraction), and the accuracy of a
  // completion without code / that does not compile. Defaults false, 0, 0.
  bool code_all_pass = false;
  double no_code_value = 0.0;
  double compile_error_value = 0.0;
  // Instruction accuracy: 1 only when every constraint is followed (else the fraction
  // followed), and IFEval's loose reading. Defaults false, false.
  bool instructions_all_or_nothing = false;
  bool instructions_loose = false;
  OverlongShaping overlong;
  KimiLengthShaping kimi_length;
  CosineShaping cosine;
  RepetitionShaping repetition;
  TruncationMode truncation = TruncationMode::kKeep;
  double truncation_value = 0.0;
  // Final reward clipped to [clip_min, clip_max] when clip is true (after truncation).
  bool clip = false;
  double clip_min = -1e300, clip_max = 1e300;
};

struct Group {
  std::string id;
  std::string prompt;
  int64_t prompt_tokens = 0;
  Reference reference;
  std::vector<Completion> completions;
  RewardSpec spec;  // resolved by the caller (group -> request -> server default)
};

// How the accuracy check of one sample came out (wire enum `verdict.v1.Verdict`).
enum class Verdict {
  kCorrect,
  kWrongAnswer,
  kNoAnswer,
  kUnparseable,
  kUndecided,
  kNotChecked,  // rules_only: accuracy is not a component
  kError,       // could not be checked: SampleResult::error says why
  // Code.
  kPartial,  // some tests passed
  kNoCode,
  kCompileError,
  kRuntimeError,
  kTimeLimit,
  kMemoryLimit,
  kOutputLimit,
};

struct FormatResult {
  bool ok = false;
  double value = 0.0;         // the format component: 1 when ok, else 0 or partial credit
  std::string template_name;  // "r1", "none"
  std::string problem;        // empty when ok
  bool think_prefilled = false;
};

struct MathDetails {
  std::string extracted;
  std::string source;  // math::AnswerSourceName: "answer_tag", "boxed", "gsm8k_marker", ...
  std::string canonical;
  int matched_gold = -1;
};

struct InstructionDetails {
  std::vector<instruct::ConstraintOutcome> constraints;  // in reference order
  int followed = 0;
  bool loose = false;
};

struct SampleResult {
  double reward = 0.0;
  // Component values before weighting (ComponentWeight gives each weight), in a fixed order:
  // accuracy, format, then the shaping terms.
  std::vector<std::pair<Component, double>> components;
  double advantage = 0.0;
  Verdict verdict = Verdict::kError;
  std::string reason;
  absl::Status error;  // non-OK iff verdict == kError
  std::optional<MathDetails> math;
  std::optional<code::CodeVerdict> code;
  std::optional<InstructionDetails> instructions;
  FormatResult format;
  // Language consistency of the chain of thought, when the spec asks for it.
  std::string language_target;
  int language_words = 0;
  int language_target_words = 0;
  int64_t length = 0;      // in GroupStats::length_unit
  bool truncated = false;  // finish reason "length"
};

struct GroupStats {
  double mean = 0.0;
  double std = 0.0;
  bool zero_variance = true;
  int num_samples = 0;
  int num_correct = 0;
  int num_format_ok = 0;
  int num_errors = 0;
  int num_undecided = 0;
  // (k, unbiased pass@k) for each requested k <= number of scored samples.
  std::vector<std::pair<int, double>> pass_at_k;
  // "tokens" when every completion had a token count, else "chars" (Unicode code points).
  std::string length_unit = "chars";
  // Majority vote (when asked for): clusters of equivalent answers among the samples that gave
  // a readable answer, and the largest one (the first to reach its size on a tie).
  int majority_clusters = 0;
  int majority_count = 0;
  std::string majority_answer;
  bool majority_correct = false;
};

struct GroupResult {
  std::string group_id;
  absl::Status error;  // non-OK: the group could not be scored; `samples` is empty
  std::vector<SampleResult> samples;
  GroupStats stats;
  RewardSpec spec;  // the spec it was scored with
};

std::string_view VerdictName(Verdict verdict);

// The sample verdict of a code verdict (one to one).
Verdict VerdictOfCode(code::Verdict verdict);

}  // namespace verdict

#endif  // VERDICT_REWARDS_TYPES_H_
