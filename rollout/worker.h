// verdict-rollout: reads prompts (JSONL), generates G completions per prompt, streams each
// finished group to a Verdict server's ScoreStream while generation continues (or skips scoring
// with no_server), and writes one scored JSON line per group.
//
// Input lines: {"id": str|num (default "line-N"), "prompt": str, "gold": str|num|[...]
// (optional; without it the group is scored by rules only)}.
// Output lines: {"id", "prompt", "gold", "prompt_tokens", "completions": [{"text",
// "num_tokens", "finish_reason", "logprob_sum", "reward", "advantage", "components"}],
// "rewards": [...], "advantages": [...], "stats": {...}} — also readable by `verdict score`.
#ifndef VERDICT_ROLLOUT_WORKER_H_
#define VERDICT_ROLLOUT_WORKER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rollout/generator.h"
#include "rollout/tokenizer.h"

namespace verdict::rollout {

struct WorkerOptions {
  std::string model_dir;           // config.json + safetensors
  std::string tokenizer_path;      // default: model_dir/tokenizer.json
  std::string prompts_path;        // JSONL
  std::string output_path;         // scored JSONL
  std::string server_address;      // host:port of `verdict serve`; ignored with no_server
  bool no_server = false;          // write unscored rollouts (no rewards)
  PromptTemplate prompt_template = PromptTemplate::kR1;
  int32_t connect_timeout_ms = 10000;
  bool progress = true;            // progress line on stderr when it is a terminal
  GenerationOptions generation;    // eos_token_ids are added from config.json
};

// Runs the whole job; prints a tokens/s summary to stderr. Errors name the file or line.
absl::Status RunWorker(const WorkerOptions& options);

// Parses argv (flags as in worker_main.cc's usage) into options; INVALID_ARGUMENT with usage.
absl::StatusOr<WorkerOptions> ParseWorkerFlags(const std::vector<std::string>& args);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_WORKER_H_
