// The CPU emulation of the sorting-free GPU sampler (sampling.h): the same passes, weights, bins,
// fixed-point masses, window and cut resolution (sampling_core.h), run on the host. It checks the
// method against the contract (rollout/sampler.h) on machines without a GPU, and the kernel
// against the method on machines with one: kernel and emulation agree bit for bit (tokens exact,
// logprobs to the last bit of a double log). Pure function; thread-safe.
#ifndef VERDICT_ROLLOUT_CUDA_SAMPLING_REFERENCE_H_
#define VERDICT_ROLLOUT_CUDA_SAMPLING_REFERENCE_H_

#include <cstdint>

#include "absl/types/span.h"
#include "rollout/cuda/sampling.h"

namespace verdict::rollout::cuda {

struct WindowedSample {
  int32_t token = -1;
  float logprob = 0.0f;
  SamplerStatus status = kSampledOk;  // as the kernel reports it (incl. kSampledThirdPass)
  uint32_t window = 0;                // tokens in the window (pass 3's shared-memory load)
};

WindowedSample SampleWindowedOnCpu(absl::Span<const float> logits, const SamplerRow& p);

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_SAMPLING_REFERENCE_H_
