// verdict-rollout: reads prompts (JSONL), generates G completions per prompt, streams each
// finished group to a Verdict server's ScoreStream while generation continues (or skips scoring
// with no_server), and writes one scored JSON line per group.
//
// Input lines: {"id": str|num (default "line-N"), "prompt": str, "gold": str|num|[...]
// (optional; without it the group is scored by rules only)}.
// Output lines: {"id", "prompt", "gold", "prompt_tokens", "logprobs_kind": "raw"|"processed",
// "completions": [{"text", "num_tokens", "finish_reason", "logprob_sum", "token_ids": [...],
// "logprobs": [...], "reward", "advantage", "components"}], "rewards": [...],
// "advantages": [...], "stats": {...}} — also readable by `verdict score`. token_ids are the
// generated ids (EOS included when it ended the sample) and logprobs one per id, of the kind
// logprobs_kind names (generator.h); logprob_sum is their sum. A prompt that cannot be generated
// (no tokens, e.g. "" under --template plain) gets a line with "error" and no completions.
//
// Philox streams: a group's counter is FNV-1a-64(id) + seed_offset, so the shards of a dataset
// (distinct ids) draw distinct streams under one seed, and a prompt draws the same stream in
// whichever shard or line it sits.
#ifndef VERDICT_ROLLOUT_WORKER_H_
#define VERDICT_ROLLOUT_WORKER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rollout/config.h"
#include "rollout/cpu_model.h"
#include "rollout/generator.h"
#include "rollout/tokenizer.h"

namespace verdict::rollout {

struct WorkerOptions {
  std::string model_dir;       // config.json + safetensors
  std::string tokenizer_path;  // default: model_dir/tokenizer.json
  std::string prompts_path;    // JSONL
  std::string output_path;     // scored JSONL
  std::string server_address;  // host:port of `verdict serve`; ignored with no_server
  bool no_server = false;      // write unscored rollouts (no rewards)
  PromptTemplate prompt_template = PromptTemplate::kR1;
  int32_t connect_timeout_ms = 10000;
  // Progress on stderr: a rewritten line when stderr is a terminal, else one line every
  // progress_interval_s (0 = none when not a terminal).
  bool progress = true;
  double progress_interval_s = 10;
  uint64_t seed_offset = 0;  // added to every group's Philox counter
  // KV cache budget in bytes; 0 = a quarter of the machine's physical memory. The batch
  // (generation.max_batch_sequences) is the most samples whose caches fit it (PlanBatch),
  // capped by --max-batch when given (max_batch_given).
  int64_t kv_cache_bytes = 0;
  bool max_batch_given = false;
  // The CPU path's KV cache element (--kv-cache-dtype): fp32, the reference, or bf16 (half the
  // bytes, so about twice the batch in the same budget; cpu_model.h states its tolerance). The
  // CUDA path stores bf16 either way.
  KvCacheDType kv_cache_dtype = KvCacheDType::kF32;
  std::vector<std::string> eos;  // --eos: token ids or token strings, added to the model's
  GenerationOptions generation;  // eos_token_ids are added from config.json, etc.
};

// Samples decoded together so that the KV caches of the run fit `kv_cache_bytes` on the CPU
// path: a group is charged its prompt once (forks share it) plus group_size samples of
// max_new_tokens, each segment with the cache's growth slack (CpuModel::KvBytesPerSegment),
// for the longest prompt, all lengths capped at max_position_embeddings. The result is a
// multiple of group_size, at most `cap` (rounded down to a multiple). RESOURCE_EXHAUSTED
// naming the need when not one group fits. `kv_dtype` is the CPU cache's element. The CUDA path
// (bf16 KV in device pages) is given the same batch.
absl::StatusOr<int32_t> PlanBatch(const ModelConfig& config, int64_t kv_cache_bytes,
                                  int32_t group_size, int64_t max_prompt_tokens,
                                  int32_t max_new_tokens, int32_t cap,
                                  KvCacheDType kv_dtype = KvCacheDType::kF32);

// The EOS ids of a run: config.json's, generation_config.json's (when the model directory has
// one), options.eos and options.generation.eos_token_ids; sorted, unique. INVALID_ARGUMENT for
// a malformed generation_config.json or an --eos that is neither an id < vocab_size nor a token.
absl::StatusOr<std::vector<int32_t>> ResolveEosTokenIds(const WorkerOptions& options,
                                                        const ModelConfig& config,
                                                        const Tokenizer& tokenizer);

// Runs the whole job; prints a tokens/s summary to stderr. Errors name the file or line.
absl::Status RunWorker(const WorkerOptions& options);

// "123", "64K", "512M", "8G" (powers of 1024) as bytes; INVALID_ARGUMENT otherwise.
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);

// Parses argv (flags as in worker_main.cc's usage) into options; INVALID_ARGUMENT with usage.
absl::StatusOr<WorkerOptions> ParseWorkerFlags(const std::vector<std::string>& args);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_WORKER_H_
