// A model's weights in fp32 host memory, loaded and shape-checked from a model directory
// (config.json + safetensors). Both the CPU forward and, later, the CUDA upload read this.
#ifndef VERDICT_ROLLOUT_WEIGHTS_H_
#define VERDICT_ROLLOUT_WEIGHTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rollout/config.h"

namespace verdict::rollout {

// Row-major fp32 matrices, shapes as in the checkpoint ([out, in] for linear layers).
struct LayerWeights {
  std::vector<float> attn_norm;  // [H]
  std::vector<float> wq, bq;     // [nh*hd, H], [nh*hd] (bias empty without qkv_bias)
  std::vector<float> wk, bk;     // [nkv*hd, H], [nkv*hd]
  std::vector<float> wv, bv;     // [nkv*hd, H], [nkv*hd]
  std::vector<float> wo;         // [H, nh*hd]
  std::vector<float> mlp_norm;   // [H]
  std::vector<float> w_gate;     // [I, H]
  std::vector<float> w_up;       // [I, H]
  std::vector<float> w_down;     // [H, I]
};

struct ModelWeights {
  ModelConfig config;
  std::vector<float> embed;       // [V, H]
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;  // [H]
  std::vector<float> lm_head;     // [V, H]; empty when tied to embed
  const std::vector<float>& output_matrix() const { return lm_head.empty() ? embed : lm_head; }
};

// Reads `dir`/config.json and the safetensors weights. Errors name the file or tensor: a missing
// tensor (NOT_FOUND), a mis-shaped one (INVALID_ARGUMENT), a truncated file (DATA_LOSS), an
// unsupported architecture or dtype (UNIMPLEMENTED).
absl::StatusOr<ModelWeights> LoadModelWeights(const std::string& dir);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_WEIGHTS_H_
