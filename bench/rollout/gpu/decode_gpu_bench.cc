// Decode tokens/s of a Qwen2.5-0.5B-shaped random model (bf16, tests/rollout/cuda/random_model.h)
// at batch 64 and 256 with a 2k context, as a ratio to the memory-bandwidth floor of one step.
// Groups of 8 samples share a 2040-token prompt (prefilled once, forked); each step is a CUDA
// graph replay with the logits left on the device (CudaModel::DecodeOnDevice).
// Floor bytes per step: bf16 weights (the tied embedding read once, as the LM head) + the KV
// cache read (every sample's positions; also shown: counting a group's shared prompt once) +
// the fp32 logits written. Bandwidth: a device-to-device copy, bytes read + written.
// Exits 77 without a GPU. Usage: decode_gpu_bench [steps]
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "rollout/cuda/cuda_model.h"
#include "tests/rollout/cuda/random_model.h"
#include "tests/rollout/cuda/gpu_main.h"

namespace vr = verdict::rollout;
namespace vc = verdict::rollout::cuda;

int main(int argc, char** argv) {
  if (NoCudaDevice()) return 77;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 16;
  double bw = 0;
  {
    void* buf;
    const size_t half = size_t{1} << 30;
    if (cudaMalloc(&buf, 2 * half) != cudaSuccess) return 1;
    cudaMemcpy(static_cast<char*>(buf) + half, buf, half, cudaMemcpyDeviceToDevice);
    cudaDeviceSynchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
      cudaMemcpy(static_cast<char*>(buf) + half, buf, half, cudaMemcpyDeviceToDevice);
    }
    cudaDeviceSynchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bw = 5 * 2.0 * half / s;
    cudaFree(buf);
  }
  const vr::ModelWeights w = vr::testing::Qwen05ShapedRandom();
  const vr::ModelConfig& c = w.config;
  double weight_bytes = double(c.vocab_size) * c.hidden_size * 2;
  for (const auto& L : w.layers) {
    weight_bytes += 2.0 * (L.wq.size() + L.wk.size() + L.wv.size() + L.wo.size() +
                           L.w_gate.size() + L.w_up.size() + L.w_down.size());
  }
  std::printf("measured bandwidth (D2D copy, read+write) %.0f GB/s; bf16 weights %.3f GB\n",
              bw / 1e9, weight_bytes / 1e9);
  const int group = 8, prompt_len = 2040;
  const double kv_per_pos = double(c.num_layers) * 2 * c.num_kv_heads * c.head_dim * 2;
  std::printf("%6s %7s %10s %10s %12s %8s %14s %8s\n", "batch", "context", "step_ms",
              "tok/s", "floor_tok/s", "x_floor", "floor_shared", "x_floor");
  for (int batch : {64, 256}) {
    vc::CudaModelOptions o;
    o.max_batch = batch;
    o.max_prefill_tokens = 2048;
    o.kv_cache_bytes = int64_t{16} << 30;
    o.max_seq_len = 4096;
    auto m = vc::CudaModel::Create(w, o);
    if (!m.ok()) {
      std::printf("CudaModel::Create: %s\n", m.status().ToString().c_str());
      return 1;
    }
    std::vector<vr::SequenceId> seqs;
    std::vector<float> last(c.vocab_size);
    std::vector<int32_t> prompt(prompt_len);
    for (int g = 0; g < batch / group; ++g) {
      for (int i = 0; i < prompt_len; ++i) prompt[i] = (i * 7919 + g * 104729) % c.vocab_size;
      auto p = (*m)->Prefill(prompt, absl::MakeSpan(last));
      if (!p.ok()) {
        std::printf("Prefill: %s\n", p.status().ToString().c_str());
        return 1;
      }
      auto kids = (*m)->Fork(*p, group);
      if (!kids.ok()) return 1;
      seqs.insert(seqs.end(), kids->begin(), kids->end());
    }
    std::vector<int32_t> tokens(batch);
    for (int b = 0; b < batch; ++b) tokens[b] = (b * 31) % c.vocab_size;
    for (int i = 0; i < 3; ++i) {  // capture + warm-up
      if (auto s = (*m)->DecodeOnDevice(seqs, tokens); !s.ok()) {
        std::printf("Decode: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    if (!(*m)->Synchronize().ok()) return 1;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) {
      if (auto s = (*m)->DecodeOnDevice(seqs, tokens); !s.ok()) return 1;
    }
    if (!(*m)->Synchronize().ok()) return 1;
    const double step_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    const double ctx = prompt_len + 3 + steps / 2.0;
    const double logits_bytes = double(batch) * c.vocab_size * 4;
    const double floor_bytes = weight_bytes + batch * ctx * kv_per_pos + logits_bytes;
    const double shared_bytes = weight_bytes + (batch / group) * prompt_len * kv_per_pos +
                                batch * (ctx - prompt_len) * kv_per_pos + logits_bytes;
    const double tps = batch / step_s, floor_tps = batch / (floor_bytes / bw),
                 shared_tps = batch / (shared_bytes / bw);
    std::printf("%6d %7.0f %10.3f %10.0f %12.0f %8.2f %14.0f %8.2f\n", batch, ctx, step_s * 1e3,
                tps, floor_tps, floor_tps / tps, shared_tps, shared_tps / tps);
    std::fflush(stdout);
  }
  return 0;
}
