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

// config.json's "rope_scaling" ("rope_type", or the older "type"), as HF transformers'
// modeling_rope_utils defines each type (attention scaling 1 for all three):
//  kLinear: inv_freq / factor.
//  kDynamic (NTK): the base becomes theta * (factor * L / max_pos - (factor - 1))^(d / (d - 2))
//    only for a sequence length L above max_position_embeddings; below it the frequencies are
//    the unscaled ones. This worker never runs past max_position_embeddings (generation stops
//    with "length", the CPU model refuses longer sequences), so it uses the unscaled ones.
//  kLlama3: wavelengths 2*pi/inv_freq above original_max / low_freq_factor are divided by
//    factor, below original_max / high_freq_factor kept, in between smoothly interpolated.
enum class RopeScalingType { kNone, kLinear, kDynamic, kLlama3 };

struct RopeScaling {
  RopeScalingType type = RopeScalingType::kNone;
  double factor = 1.0;                           // > 0; all three types
  double low_freq_factor = 1.0;                  // llama3
  double high_freq_factor = 4.0;                 // llama3; > low_freq_factor
  int32_t original_max_position_embeddings = 0;  // llama3
};

struct ModelConfig {
  Architecture architecture = Architecture::kQwen2;
  std::string architecture_name;  // as in config.json, e.g. "Qwen2ForCausalLM"
  int32_t vocab_size = 0;
  int32_t hidden_size = 0;
  int32_t intermediate_size = 0;
  int32_t num_layers = 0;
  int32_t num_heads = 0;
  int32_t num_kv_heads = 0;  // grouped-query attention: num_heads % num_kv_heads == 0
  int32_t head_dim = 0;      // hidden_size / num_heads unless config.json says otherwise
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  int32_t max_position_embeddings = 0;  // 0 = unknown
  bool tie_word_embeddings = false;     // lm_head shares embed_tokens
  bool qkv_bias = false;                // Qwen2: always; Llama: "attention_bias"
  std::vector<int32_t> eos_token_ids;   // from "eos_token_id" (int or list)
  RopeScaling rope_scaling;
  // Qwen2 sliding-window attention (use_sliding_window true, sliding_window set): layers
  // l >= max_window_layers attend to the last sliding_window positions (the query's own
  // included), as HF's "sliding_attention" layers; the others to all. 0 = none.
  int32_t sliding_window = 0;
  int32_t max_window_layers = 0;
  bool SlidingLayer(int layer) const { return sliding_window > 0 && layer >= max_window_layers; }
};

// The rotary inverse frequencies [head_dim / 2] of a config: theta^(-2i/d), then rope_scaling.
std::vector<double> RopeInverseFrequencies(const ModelConfig& c);

// Parses config.json text. Errors: INVALID_ARGUMENT for malformed JSON or inconsistent sizes,
// UNIMPLEMENTED for an architecture or feature (a rope_scaling type other than linear, dynamic,
// llama3) this worker does not run, naming it.
absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view json);

// The "eos_token_id" (int or list; absent or null = none) of generation_config.json text, which
// HF generate and vLLM stop on as well as config.json's. INVALID_ARGUMENT when malformed.
absl::StatusOr<std::vector<int32_t>> ParseGenerationConfigEos(std::string_view json);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_CONFIG_H_
