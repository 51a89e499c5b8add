// Group generation: each group's prompt is prefilled once and forked into G samples; samples of
// all admitted groups decode together in one batch (continuous batching: a new group is admitted
// as soon as there is room); each group is handed to the caller the moment its last sample ends,
// while the others keep generating.
//
// Determinism: sample s of group g draws its t-th token with SamplerUniform(seed, g, s, t), and
// the CPU model's per-row results do not depend on the batch, so the tokens are the same for any
// max_batch_sequences and any admission order.
#ifndef VERDICT_ROLLOUT_GENERATOR_H_
#define VERDICT_ROLLOUT_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rollout/model.h"
#include "rollout/sampler.h"
#include "rollout/tokenizer.h"

namespace verdict::rollout {

// Which per-token logprob SampleOutput::logprobs holds (sampler.h defines both).
enum class LogprobKind {
  kRaw,        // log softmax(logits): the model's distribution (vLLM V1's default)
  kProcessed,  // log softmax(logits / T): the temperature-scaled distribution sampled from
};
absl::StatusOr<LogprobKind> ParseLogprobKind(std::string_view name);  // "raw" | "processed"
const char* LogprobKindName(LogprobKind k);

struct GenerationStats;

struct GenerationOptions {
  int32_t group_size = 8;            // G samples per prompt
  int32_t max_new_tokens = 256;      // per sample; reaching it finishes with "length"
  int32_t max_batch_sequences = 64;  // samples decoded together; >= group_size
  uint64_t seed = 0;                 // Philox key
  SamplingParams sampling;           // the same for every sample
  // Finish with "stop" when the text contains one of them, or when a special token (not part
  // of the text) is sampled whose content equals one (e.g. "<|im_end|>"). The text is cut before
  // the string, or after it with include_stop_str_in_output (as vLLM's option of that name).
  std::vector<std::string> stop_strings;
  bool include_stop_str_in_output = false;
  std::vector<int32_t> eos_token_ids;  // finish with "eos"; the token is not in the text
  LogprobKind logprobs = LogprobKind::kRaw;
  // Called on the Run thread after every decode step (and prefill) with the running stats;
  // for progress reports. Null: none.
  std::function<void(const GenerationStats&)> on_step;
};

struct GroupInput {
  uint64_t index = 0;  // Philox "group" counter; unique per group of a run
  std::string id;
  std::string prompt;  // after the template
  std::vector<int32_t> prompt_tokens;
};

struct SampleOutput {
  std::string text;             // valid UTF-8 (invalid bytes at a cut become U+FFFD)
  std::vector<int32_t> tokens;  // generated ids, EOS included when it ended the sample
  std::vector<float> logprobs;  // per generated token, of GenerationOptions::logprobs' kind
  std::string finish_reason;    // "eos", "stop" or "length"
};

struct GroupOutput {
  GroupInput input;
  std::vector<SampleOutput> samples;  // in sample order 0..G-1
};

struct GenerationStats {
  int64_t prompt_tokens = 0;     // prefilled (once per group)
  int64_t generated_tokens = 0;  // sampled, over all samples
  int64_t decode_steps = 0;
  int64_t groups_done = 0;
  double seconds = 0;  // of finished Run calls
};

class Generator {
 public:
  // Does not own model or tokenizer; both must outlive the generator.
  Generator(Model* model, const Tokenizer* tokenizer, GenerationOptions options);

  // Generates every group of `groups`, calling on_group(output) on this thread as each finishes
  // (in completion order, not input order). Errors: INVALID_ARGUMENT for bad options or an empty
  // prompt; model errors as returned.
  absl::Status Run(std::vector<GroupInput> groups,
                   const std::function<void(GroupOutput)>& on_group);

  const GenerationStats& stats() const { return stats_; }

 private:
  Model* model_;
  const Tokenizer* tokenizer_;
  GenerationOptions options_;
  GenerationStats stats_;
};

// Replaces invalid UTF-8 sequences by U+FFFD.
std::string SanitizeUtf8(std::string_view bytes);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_GENERATOR_H_
