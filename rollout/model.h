// The forward-pass interface the generator drives. CpuModel (cpu_model.h) is the fp32 reference;
// the CUDA model (rollout/cuda/, next issue) implements the same class and is validated against
// it with a stated tolerance.
//
// Sequences are handles to KV caches owned by the model. A group's prompt is prefilled once and
// forked into G samples that share the prompt's KV (read-only) and extend their own.
//
// Thread safety: not thread-safe; one generator drives one model.
#ifndef VERDICT_ROLLOUT_MODEL_H_
#define VERDICT_ROLLOUT_MODEL_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rollout/config.h"
#include "rollout/sampler.h"

namespace verdict::rollout {

using SequenceId = int64_t;

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelConfig& config() const = 0;

  // Runs `tokens` (T >= 1, ids < vocab) through the model as a new sequence and returns it.
  // `logits` is [V] (logits of the last position) or [T, V] (every position), fp32.
  virtual absl::StatusOr<SequenceId> Prefill(absl::Span<const int32_t> tokens,
                                             absl::Span<float> logits) = 0;

  // Returns `n` new sequences that continue `parent`. They share its KV cache, which is frozen:
  // `parent` can no longer be decoded (FAILED_PRECONDITION), only forked again or released.
  virtual absl::StatusOr<std::vector<SequenceId>> Fork(SequenceId parent, int n) = 0;

  // One decode step for B sequences: appends tokens[b] to seqs[b] and writes the next-token
  // logits into logits[b * V, (b + 1) * V). The result for a sequence does not depend on the
  // other sequences of the batch or their order.
  virtual absl::Status Decode(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                              absl::Span<float> logits) = 0;

  // Decode, then the next token of each sequence: out[b] = Sample(logits of seqs[b], params,
  // keys[b]) (sampler.h); INTERNAL (NanLogitsError) when a sequence's logits hold a NaN. This
  // default decodes into host memory and samples on the CPU; a model
  // with a faster path overrides it (CudaModel: the logits stay on the device and the GPU
  // sampler draws, within the near-tie latitude sampler.h grants a GPU).
  virtual absl::Status DecodeSample(absl::Span<const SequenceId> seqs,
                                    absl::Span<const int32_t> tokens, const SamplingParams& params,
                                    absl::Span<const SampleKey> keys, absl::Span<SampledToken> out);
  // Tokens in the sequence (prompt included). -1 for an unknown id.
  virtual int64_t Length(SequenceId seq) const = 0;

  // Frees the sequence's own KV; shared prompt KV lives while any child does.
  virtual void Release(SequenceId seq) = 0;

 private:
  std::vector<float> decode_logits_;  // DecodeSample's [B, V] buffer, reused
};

// For implementations of DecodeSample: INVALID_ARGUMENT unless its spans agree in size; the
// INTERNAL error for a sequence whose logits hold a NaN (no token can be drawn).
absl::Status CheckDecodeSampleSizes(size_t seqs, size_t keys, size_t out);
absl::Status NanLogitsError(SequenceId seq, int64_t length);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_MODEL_H_
