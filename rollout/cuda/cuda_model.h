// The bf16 CUDA forward behind rollout/model.h: weights uploaded once as bf16 (norm weights and
// biases fp32), cuBLAS GEMMs with fp32 accumulation (QKV, gate+up fused), custom kernels for
// RMSNorm, RoPE + KV append, attention and SwiGLU (forward_kernels.h), an fp32 residual stream and
// fp32 logits. Qwen2 sliding-window layers (ModelConfig::SlidingLayer) attend to the window only.
// The KV cache is paged (16 positions a page, bf16); Fork shares the parent's full
// pages with the children and copies its partial last page to each child, so a group's prompt KV
// is stored once. Decode steps run as CUDA graphs, one per padded batch size.
//
// Differences from CpuModel (the fp32 reference): weights, GEMM inputs (normed activations,
// attention output, SwiGLU output) and the KV cache are rounded to bf16. The tolerance the tests
// hold it to is stated in tests/rollout/cuda/rollout_cuda_model_gpu_test.cc. model.h promises
// that a sequence's result does not depend on the rest of the batch: here that holds within the
// bf16 tolerance, not bit for bit (cuBLAS may choose another kernel for another padded batch
// size), so a sample's tokens can differ across batch sizes at near-ties of the sampler.
//
// Thread safety: not thread-safe (one generator drives one model). No CUDA header here.
#ifndef VERDICT_ROLLOUT_CUDA_CUDA_MODEL_H_
#define VERDICT_ROLLOUT_CUDA_CUDA_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rollout/model.h"
#include "rollout/weights.h"

namespace verdict::rollout::cuda {

struct CudaModelOptions {
  int32_t max_batch = 256;            // sequences per Decode call
  int32_t max_prefill_tokens = 2048;  // rows per forward chunk (longer prompts run in chunks)
  int64_t kv_cache_bytes = 0;         // 0 = 70% of the device memory free after the weights
  int32_t max_seq_len = 0;            // 0 = config.max_position_embeddings, or 4096 if unknown
  bool cuda_graphs = true;            // capture each decode batch size once and replay it
  // Blocks per (row, KV head) in attention for batches of up to max_batch rows (flash-decoding,
  // forward_kernels.h): 0 = enough for about 4 blocks per SM (AttentionSplits), else this many
  // (1..16). Larger prefill chunks use 1.
  int32_t attention_splits = 0;
  // Blocks per row for the GPU sampler in DecodeSample (1..16; sampling.h, LaunchSampleSliced):
  // 1 = one block per row; more can help batches too small to occupy the GPU. Same tokens either
  // way; sampler_gpu_bench measures both.
  int32_t sampler_slices = 1;
};

struct CudaModelStats {
  int64_t kv_pages_total = 0;
  int64_t kv_pages_used = 0;
  int64_t graphs_captured = 0;
  int64_t graph_replays = 0;
  int64_t gpu_sampled_rows = 0;  // DecodeSample rows the GPU sampler drew
  int64_t cpu_sampled_rows = 0;  // ... that it handed to the CPU sampler (near-flat rows)
};

class CudaModel final : public Model {
 public:
  // Errors: UNAVAILABLE without a CUDA device; UNIMPLEMENTED for shapes the kernels do not run
  // (head_dim not dividing 128, more than 8 query heads per KV head), naming them;
  // RESOURCE_EXHAUSTED when the weights or the KV cache do not fit; INTERNAL naming a failed
  // CUDA or cuBLAS call.
  static absl::StatusOr<std::unique_ptr<CudaModel>> Create(const ModelWeights& weights,
                                                           const CudaModelOptions& options);
  static absl::StatusOr<std::unique_ptr<CudaModel>> Load(const std::string& dir,
                                                         const CudaModelOptions& options);
  ~CudaModel() override;

  const ModelConfig& config() const override;
  absl::StatusOr<SequenceId> Prefill(absl::Span<const int32_t> tokens,
                                     absl::Span<float> logits) override;
  absl::StatusOr<std::vector<SequenceId>> Fork(SequenceId parent, int n) override;
  // Errors beyond CpuModel's: RESOURCE_EXHAUSTED when the KV pool is full or a sequence reaches
  // max_seq_len; INVALID_ARGUMENT for more than max_batch sequences.
  absl::Status Decode(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                      absl::Span<float> logits) override;
  // Decode, then the GPU sampler (sampling.h) on the logits where they are, and raw logprobs
  // (need_raw_logprobs, at a temperature other than 0 or 1) by LaunchRawLogprobs beside it; only
  // the rare rows it hands back (kNeedsCpu) are copied to the host and sampled there. Same
  // errors as Decode.
  absl::Status DecodeSample(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                            const SamplingParams& params, absl::Span<const SampleKey> keys,
                            absl::Span<SampledToken> out) override;
  // Decode with the logits left on the device (benchmarks: the step without the [B, V] copy);
  // returns once the step is enqueued. Synchronize() waits for it.
  absl::Status DecodeOnDevice(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens);
  absl::Status Synchronize();
  int64_t Length(SequenceId seq) const override;
  void Release(SequenceId seq) override;

  CudaModelStats stats() const;

  struct Impl;  // cuda_model.cc

 private:
  explicit CudaModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_CUDA_MODEL_H_
