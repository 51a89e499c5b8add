// Batched sampling on the GPU behind absl::Status: uploads [B, V] host logits (or takes device
// logits), runs LaunchSample (sampling.h), and redoes the rows the kernel hands back
// (kNeedsCpu: a window over kCudaSamplerWindow tokens) with the CPU reference, counting them.
// Not thread-safe; owns its device buffers. No CUDA header here.
#ifndef VERDICT_ROLLOUT_CUDA_GPU_SAMPLER_H_
#define VERDICT_ROLLOUT_CUDA_GPU_SAMPLER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rollout/cuda/sampling.h"
#include "rollout/sampler.h"

namespace verdict::rollout::cuda {

class GpuSampler {
 public:
  // Errors: UNAVAILABLE when no CUDA device, INTERNAL naming the failed CUDA call.
  static absl::StatusOr<std::unique_ptr<GpuSampler>> Create(int32_t max_batch, int32_t vocab);
  ~GpuSampler();

  // logits: [B, V] fp32 on the host, B = rows.size() <= max_batch; out: [B].
  absl::Status Sample(absl::Span<const float> logits, absl::Span<const SamplerRow> rows,
                      absl::Span<SampledToken> out);

  int64_t cpu_rows() const { return cpu_rows_; }  // rows redone on the CPU so far

 private:
  GpuSampler(int32_t max_batch, int32_t vocab) : max_batch_(max_batch), vocab_(vocab) {}
  int32_t max_batch_, vocab_;
  float* d_logits_ = nullptr;
  SamplerRow* d_rows_ = nullptr;
  int32_t* d_tokens_ = nullptr;
  float* d_logprobs_ = nullptr;
  int32_t* d_status_ = nullptr;
  std::vector<int32_t> tokens_, status_;
  std::vector<float> logprobs_;
  int64_t cpu_rows_ = 0;
};

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_GPU_SAMPLER_H_
