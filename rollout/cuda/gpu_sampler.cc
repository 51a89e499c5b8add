#include "rollout/cuda/gpu_sampler.h"

#include <cuda_runtime.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "rollout/cuda/check.h"

namespace verdict::rollout::cuda {

absl::StatusOr<std::unique_ptr<GpuSampler>> GpuSampler::Create(int32_t max_batch, int32_t vocab) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    return absl::UnavailableError("GpuSampler: no CUDA device");
  }
  std::unique_ptr<GpuSampler> s(new GpuSampler(max_batch, vocab));
  const size_t b = static_cast<size_t>(max_batch);
  VERDICT_CUDA_RETURN(cudaMalloc(&s->d_logits_, b * vocab * sizeof(float)));
  VERDICT_CUDA_RETURN(cudaMalloc(&s->d_rows_, b * sizeof(SamplerRow)));
  VERDICT_CUDA_RETURN(cudaMalloc(&s->d_tokens_, b * sizeof(int32_t)));
  VERDICT_CUDA_RETURN(cudaMalloc(&s->d_logprobs_, b * sizeof(float)));
  VERDICT_CUDA_RETURN(cudaMalloc(&s->d_status_, b * sizeof(int32_t)));
  s->tokens_.resize(b);
  s->status_.resize(b);
  s->logprobs_.resize(b);
  return s;
}

GpuSampler::~GpuSampler() {
  // Errors on free are ignored: nothing useful can be done in a destructor.
  cudaFree(d_logits_);
  cudaFree(d_rows_);
  cudaFree(d_tokens_);
  cudaFree(d_logprobs_);
  cudaFree(d_status_);
}

absl::Status GpuSampler::Sample(absl::Span<const float> logits, absl::Span<const SamplerRow> rows,
                                absl::Span<SampledToken> out) {
  const size_t b = rows.size();
  if (b > static_cast<size_t>(max_batch_) || out.size() != b ||
      logits.size() != b * static_cast<size_t>(vocab_)) {
    return absl::InvalidArgumentError(absl::StrCat("GpuSampler::Sample: ", b, " rows (max ",
                                                   max_batch_, "), logits ", logits.size(),
                                                   ", out ", out.size()));
  }
  if (b == 0) return absl::OkStatus();
  VERDICT_CUDA_RETURN(
      cudaMemcpy(d_logits_, logits.data(), logits.size() * sizeof(float), cudaMemcpyHostToDevice));
  VERDICT_CUDA_RETURN(
      cudaMemcpy(d_rows_, rows.data(), b * sizeof(SamplerRow), cudaMemcpyHostToDevice));
  VERDICT_CUDA_RETURN(LaunchSample(d_logits_, static_cast<int32_t>(b), vocab_, d_rows_, d_tokens_,
                                   d_logprobs_, d_status_, nullptr));
  VERDICT_CUDA_RETURN(
      cudaMemcpy(tokens_.data(), d_tokens_, b * sizeof(int32_t), cudaMemcpyDeviceToHost));
  VERDICT_CUDA_RETURN(
      cudaMemcpy(logprobs_.data(), d_logprobs_, b * sizeof(float), cudaMemcpyDeviceToHost));
  VERDICT_CUDA_RETURN(
      cudaMemcpy(status_.data(), d_status_, b * sizeof(int32_t), cudaMemcpyDeviceToHost));
  for (size_t i = 0; i < b; ++i) {
    if (status_[i] == kNanLogits) {
      return absl::InvalidArgumentError(
          absl::StrCat("GpuSampler::Sample: row ", i, " of the logits holds a NaN"));
    }
    if (status_[i] != kNeedsCpu) {  // kSampledOk or kSampledThirdPass: a token
      const bool raw = rows[i].temperature == 0.0f || rows[i].temperature == 1.0f;
      out[i] = {tokens_[i], logprobs_[i], raw ? logprobs_[i] : std::nanf("")};
      continue;
    }
    const SamplerRow& r = rows[i];
    ++cpu_rows_;
    out[i] = verdict::rollout::Sample(logits.subspan(i * vocab_, vocab_),
                                      {r.temperature, r.min_p, r.top_k, r.top_p},
                                      {r.seed, r.group, r.sample, r.position});
  }
  return absl::OkStatus();
}

}  // namespace verdict::rollout::cuda
