// Decode tokens/s of a Qwen2.5-0.5B-shaped random model (bf16, tests/rollout/cuda/random_model.h)
// at batch 64 and 256 with a 2k context, as a ratio to the memory-bandwidth floor of one step.
// Groups of 8 samples share a 2040-token prompt (prefilled once, forked); each step is a CUDA
// graph replay with the logits left on the device (CudaModel::DecodeOnDevice).
// Floor bytes per step: bf16 weights (the tied embedding read once, as the LM head) + the KV
// cache read (every sample's positions; also shown: counting a group's shared prompt once) +
// the fp32 logits written. Bandwidth: a device-to-device copy, bytes read + written.
// Then the step the worker runs (CudaModel::DecodeSample: the GPU sampler on the device logits,
// T=1, top-p 0.95, tokens back on the host) beside the path it replaced (Decode: the [B, V]
// logits copied to the host, then the CPU sampler row by row), both measured here; and the
// same GPU step at T=0.7 with raw logprobs (the worker's default kind: LaunchRawLogprobs after
// the sampler, one more read of the logits).
// Each batch runs with the attention split over the SMs (the default) and, for comparison, with
// one block per (row, KV head) (splits 1).
// Exits 77 without a GPU. Usage: decode_gpu_bench [steps]
// VERDICT_BENCH_SMOKE=1: 2 layers, 4096 tokens, 40-token prompts, batch 8 and 16 (the
// SIMT-emulator smoke test in ctest runs the program end to end; its times mean nothing).
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rollout/cuda/cuda_model.h"
#include "rollout/cuda/forward_kernels.h"
#include "rollout/sampler.h"
#include "tests/rollout/cuda/gpu_main.h"
#include "tests/rollout/cuda/random_model.h"

namespace vr = verdict::rollout;
namespace vc = verdict::rollout::cuda;

int main(int argc, char** argv) {
  if (NoCudaDevice()) return 77;
  const int steps = argc > 1 ? std::atoi(argv[1]) : 16;
  const bool smoke = std::getenv("VERDICT_BENCH_SMOKE") != nullptr;
  double bw = 0;
  {
    void* buf;
    const size_t half = smoke ? size_t{16} << 20 : size_t{1} << 30;
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
  const vr::ModelWeights w =
      smoke ? vr::testing::Qwen05ShapedRandom(2, 4096) : vr::testing::Qwen05ShapedRandom();
  const vr::ModelConfig& c = w.config;
  double weight_bytes = double(c.vocab_size) * c.hidden_size * 2;
  for (const auto& L : w.layers) {
    weight_bytes += 2.0 * (L.wq.size() + L.wk.size() + L.wv.size() + L.wo.size() + L.w_gate.size() +
                           L.w_up.size() + L.w_down.size());
  }
  std::printf("measured bandwidth (D2D copy, read+write) %.0f GB/s; bf16 weights %.3f GB\n",
              bw / 1e9, weight_bytes / 1e9);
  const int group = 8, prompt_len = smoke ? 40 : 2040;
  const double kv_per_pos = double(c.num_layers) * 2 * c.num_kv_heads * c.head_dim * 2;
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return 1;
  std::printf("%6s %7s %7s %10s %10s %12s %8s %14s %8s\n", "batch", "context", "splits", "step_ms",
              "tok/s", "floor_tok/s", "x_floor", "floor_shared", "x_floor");
  std::vector<std::string> sampling_lines;
  for (int batch : smoke ? std::vector<int>{8, 16} : std::vector<int>{64, 256}) {
    // Attention split over the SMs (the default: flash-decoding), then one block per (row, KV
    // head) for comparison; the worker's step below is measured with the default.
    const int32_t auto_splits =
        vc::AttentionSplits(batch, c.num_kv_heads, prop.multiProcessorCount);
    std::vector<int32_t> split_modes = {auto_splits};
    if (auto_splits > 1) split_modes.push_back(1);
    for (int32_t splits : split_modes) {
      vc::CudaModelOptions o;
      o.attention_splits = splits;
      o.max_batch = batch;
      o.max_prefill_tokens = 2048;
      o.kv_cache_bytes = smoke ? int64_t{256} << 20 : int64_t{16} << 30;
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
      std::printf("%6d %7.0f %7d %10.3f %10.0f %12.0f %8.2f %14.0f %8.2f\n", batch, ctx, splits,
                  step_s * 1e3, tps, floor_tps, floor_tps / tps, shared_tps, shared_tps / tps);
      std::fflush(stdout);
      if (splits != auto_splits) continue;  // the comparison row only

      // The worker's step: decode + GPU sampling, tokens on the host.
      const vr::SamplingParams sp{1.0f, 0.0f, 0, 0.95f};
      vr::SamplingParams sp_raw{0.7f, 0.0f, 0, 0.95f};
      sp_raw.need_raw_logprobs = true;
      std::vector<vr::SampleKey> keys(batch);
      std::vector<vr::SampledToken> next(batch);
      auto sample_step = [&](const vr::SamplingParams& params, int pos) {
        for (int b = 0; b < batch; ++b)
          keys[b] = {7, uint64_t(b / group), uint32_t(b % group), uint32_t(pos)};
        return (*m)->DecodeSample(seqs, tokens, params, keys, absl::MakeSpan(next));
      };
      // Seconds per DecodeSample step with `params`, or a negative value on an error.
      auto time_steps = [&](const vr::SamplingParams& params) {
        if (!sample_step(params, 0).ok()) return -1.0;
        const auto t1 = std::chrono::steady_clock::now();
        for (int i = 0; i < steps; ++i) {
          if (auto s = sample_step(params, i + 1); !s.ok()) {
            std::printf("DecodeSample: %s\n", s.ToString().c_str());
            return -1.0;
          }
        }
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() / steps;
      };
      const double gpu_sample_s = time_steps(sp), gpu_raw_s = time_steps(sp_raw);
      if (gpu_sample_s < 0 || gpu_raw_s < 0) return 1;
      // The replaced path: logits to the host, the CPU sampler per row (two steps: it is slow).
      std::vector<float> logits(static_cast<size_t>(batch) * c.vocab_size);
      const int cpu_steps = 2;
      const auto t2 = std::chrono::steady_clock::now();
      for (int i = 0; i < cpu_steps; ++i) {
        if (!(*m)->Decode(seqs, tokens, absl::MakeSpan(logits)).ok()) return 1;
        for (int b = 0; b < batch; ++b) {
          next[b] = vr::Sample(
              absl::MakeConstSpan(logits).subspan(size_t(b) * c.vocab_size, c.vocab_size), sp,
              {7, uint64_t(b / group), uint32_t(b % group), uint32_t(i)});
        }
      }
      const double cpu_path_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count() / cpu_steps;
      const vc::CudaModelStats st = (*m)->stats();
      char line[256];
      std::snprintf(line, sizeof line, "%6d %16.3f %18.3f %24.3f %8.1f %12lld %20.3f\n", batch,
                    step_s * 1e3, gpu_sample_s * 1e3, cpu_path_s * 1e3, cpu_path_s / gpu_sample_s,
                    static_cast<long long>(st.cpu_sampled_rows), gpu_raw_s * 1e3);
      sampling_lines.push_back(line);
    }
  }
  std::printf(
      "\nthe worker's step (decode + sampling, tokens on the host), ms:\n%6s %16s %18s %24s "
      "%8s %12s %20s\n",
      "batch", "decode_on_device", "decode+gpu_sample", "decode+copy+cpu_sample", "speedup",
      "rows_to_cpu", "gpu_sample_T0.7_raw");
  for (const std::string& l : sampling_lines) std::printf("%s", l.c_str());
  return 0;
}
