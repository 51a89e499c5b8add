// Random models for the GPU tests and benchmarks (no checkpoint needed).
#ifndef VERDICT_TESTS_ROLLOUT_CUDA_RANDOM_MODEL_H_
#define VERDICT_TESTS_ROLLOUT_CUDA_RANDOM_MODEL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rollout/cuda/forward_kernels.h"
#include "rollout/weights.h"

namespace verdict::rollout::testing {

// Rounds to bf16 in place, so CPU and GPU see the same weights.
inline void RoundBf16(std::vector<float>* x) {
  for (float& f : *x) {
    const uint32_t u = static_cast<uint32_t>(cuda::FloatToBf16(f)) << 16;
    std::memcpy(&f, &u, 4);
  }
}

// A random model with Qwen2.5-0.5B's shapes (tied embeddings, QKV bias, 151936 vocab); fewer
// layers or a smaller vocabulary keep every kernel's shape but run faster (the SIMT emulator).
inline ModelWeights Qwen05ShapedRandom(int32_t layers = 24, int32_t vocab = 151936) {
  ModelWeights w;
  ModelConfig& c = w.config;
  c.architecture_name = "Qwen2ForCausalLM";
  c.vocab_size = vocab;
  c.hidden_size = 896;
  c.intermediate_size = 4864;
  c.num_layers = layers;
  c.num_heads = 14;
  c.num_kv_heads = 2;
  c.head_dim = 64;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1000000.0;
  c.max_position_embeddings = 32768;
  c.tie_word_embeddings = true;
  c.qkv_bias = true;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto fill = [&state](std::vector<float>* x, size_t n, float scale) {
    x->resize(n);
    for (float& f : *x) {  // uniform in [-scale, scale), splitmix64
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      f = scale * (static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f);
    }
    RoundBf16(x);
  };
  const size_t h = c.hidden_size, i = c.intermediate_size, qd = 14 * 64, kvd = 2 * 64;
  fill(&w.embed, size_t(c.vocab_size) * h, 0.05f);
  w.final_norm.assign(h, 1.0f);
  w.layers.resize(c.num_layers);
  const float s_in = 1.0f / std::sqrt(float(h)), s_mid = 1.0f / std::sqrt(float(i));
  for (auto& L : w.layers) {
    L.attn_norm.assign(h, 1.0f);
    L.mlp_norm.assign(h, 1.0f);
    fill(&L.wq, qd * h, 1.7f * s_in);
    fill(&L.wk, kvd * h, 1.7f * s_in);
    fill(&L.wv, kvd * h, 1.7f * s_in);
    fill(&L.bq, qd, 0.1f);
    fill(&L.bk, kvd, 0.1f);
    fill(&L.bv, kvd, 0.1f);
    fill(&L.wo, h * qd, 0.5f * s_in);
    fill(&L.w_gate, i * h, 1.7f * s_in);
    fill(&L.w_up, i * h, 1.7f * s_in);
    fill(&L.w_down, h * i, 0.5f * s_mid);
  }
  return w;
}

}  // namespace verdict::rollout::testing

#endif  // VERDICT_TESTS_ROLLOUT_CUDA_RANDOM_MODEL_H_
