// config.json of a Hugging Face causal LM, for the architectures the rollout worker runs.
#ifndef VERDICT_ROLLOUT_CONFIG_H_
#define VERDICT_ROLLOUT_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace verdict::rollout {

enum class Architecture { kQwen2, kLlama };

struct ModelConfig {
  Architecture architecture = Architecture::kQwen2;
  std::string architecture_name;  // as in config.json, e.g. "Qwen2ForCausalLM"
  int32_t vocab_size = 0;
  int32_t hidden_size = 0;
  int32_t intermediate_size = 0;
  int32_t num_layers = 0;
  int32_t num_heads = 0;
  int32_t num_kv_heads = 0;     // grouped-query attention: num_heads % num_kv_heads == 0
  int32_t head_dim = 0;         // hidden_size / num_heads unless config.json says otherwise
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  int32_t max_position_embeddings = 0;  // 0 = unknown
  bool tie_word_embeddings = false;     // lm_head shares embed_tokens
  bool qkv_bias = false;                // Qwen2: always; Llama: "attention_bias"
  std::vector<int32_t> eos_token_ids;   // from "eos_token_id" (int or list)
};

// Parses config.json text. Errors: INVALID_ARGUMENT for malformed JSON or inconsistent sizes,
// UNIMPLEMENTED for an architecture or feature (rope_scaling, sliding window in use, ...) this
// worker does not run, naming it.
absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view json);

// The "eos_token_id" (int or list; absent or null = none) of generation_config.json text, which
// HF generate and vLLM stop on as well as config.json's. INVALID_ARGUMENT when malformed.
absl::StatusOr<std::vector<int32_t>> ParseGenerationConfigEos(std::string_view json);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_CONFIG_H_
