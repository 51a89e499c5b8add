// A model's weights in host memory, loaded and shape-checked from a model directory
// (config.json + safetensors): all fp32 (the CUDA upload), or matrices in their checkpoint dtype
// (the CPU forward, so a bf16 7B model takes ~15 GB, not ~30).
#ifndef VERDICT_ROLLOUT_WEIGHTS_H_
#define VERDICT_ROLLOUT_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rollout/config.h"
#include "rollout/safetensors.h"

namespace verdict::rollout {

// A [rows, cols] row-major matrix kept in its checkpoint dtype: fp32 values, or the raw bf16 /
// fp16 bits (half the memory), converted to fp32 a tile at a time by its user.
struct StoredMatrix {
  DType dtype = DType::kF32;
  int64_t rows = 0, cols = 0;
  std::vector<float> f32;      // dtype kF32
  std::vector<uint16_t> bits;  // dtype kBF16 / kF16
  bool empty() const { return rows == 0; }
  size_t Bytes() const { return f32.size() * sizeof(float) + bits.size() * sizeof(uint16_t); }
  // Rows [first, first + count) as fp32 into out[count * cols] (exact for every dtype).
  void RowsToFloat(int64_t first, int64_t count, float* out) const;
  static StoredMatrix FromFloat(std::vector<float> values, int64_t rows, int64_t cols);
};

// Shapes as in the checkpoint ([out, in] for linear layers). Matrix is std::vector<float>
// (fp32, what the CUDA upload reads) or StoredMatrix (the CPU forward: bf16/f16 stay so).
// Norms and biases are small and always fp32.
template <typename Matrix>
struct BasicLayerWeights {
  std::vector<float> attn_norm;  // [H]
  Matrix wq;                     // [nh*hd, H]
  std::vector<float> bq;         // [nh*hd] (empty without qkv_bias)
  Matrix wk;                     // [nkv*hd, H]
  std::vector<float> bk;         // [nkv*hd]
  Matrix wv;                     // [nkv*hd, H]
  std::vector<float> bv;         // [nkv*hd]
  Matrix wo;                     // [H, nh*hd]
  std::vector<float> mlp_norm;   // [H]
  Matrix w_gate;                 // [I, H]
  Matrix w_up;                   // [I, H]
  Matrix w_down;                 // [H, I]
};

template <typename Matrix>
struct BasicModelWeights {
  ModelConfig config;
  Matrix embed;  // [V, H]
  std::vector<BasicLayerWeights<Matrix>> layers;
  std::vector<float> final_norm;  // [H]
  Matrix lm_head;                 // [V, H]; empty when tied to embed
  const Matrix& output_matrix() const { return lm_head.empty() ? embed : lm_head; }
};

using LayerWeights = BasicLayerWeights<std::vector<float>>;
using ModelWeights = BasicModelWeights<std::vector<float>>;
using StoredModelWeights = BasicModelWeights<StoredMatrix>;

// Reads `dir`/config.json and the safetensors weights. Errors name the file or tensor: a missing
// tensor (NOT_FOUND), a mis-shaped one (INVALID_ARGUMENT), a truncated file (DATA_LOSS), an
// unsupported architecture or dtype (UNIMPLEMENTED).
absl::StatusOr<ModelWeights> LoadModelWeights(const std::string& dir);
// Only `dir`/config.json (NOT_FOUND without it; ParseModelConfig's errors).
absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& dir);
// The same, matrices in their checkpoint dtype.
absl::StatusOr<StoredModelWeights> LoadStoredModelWeights(const std::string& dir);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_WEIGHTS_H_
