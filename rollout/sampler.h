// The sampling contract. The CPU implementation here is the reference; the CUDA sampler
// (rollout/cuda/) must choose the same token for the same logits and key.
//
// For one sequence with logits z[0..V) (fp32) and SamplingParams p:
//  0. Greedy: if p.temperature < kGreedyTemperature (1e-5, as vLLM), the token is argmax z
//     (lowest id among equal maxima) and its logprob is log softmax(z)[token]; steps 1-5 are
//     skipped.
//  1. Temperature: q = softmax(z / T), computed in float64 (max-subtracted).
//  2. min-p (if 0 < min_p <= 1): keep tokens with q[i] >= min_p * max(q).
//  3. top-k (if top_k > 0): among the kept tokens, keep the k largest q (ties: lower id first).
//  4. top-p (if 0 < top_p < 1): order the kept tokens by q descending (ties: lower id first),
//     keep the shortest prefix whose running sum of q, divided by the kept tokens' total mass
//     (summed in token-id order), is >= top_p (always at least one token).
//  5. Draw: u = SamplerUniform(seed, group, sample, position) in [0, 1). With the kept tokens in
//     the order of step 4 (descending q, ties lower id) and S = the sum of their q in token-id
//     order, the token is the first one whose running sum of q exceeds u * S (the last kept
//     token if rounding leaves none). Only the prefix the walk reaches needs ordering.
// The returned logprob is log q[token], i.e. under the temperature-scaled distribution before
// truncation by min-p/top-k/top-p ("processed"); raw_logprob is log softmax(z)[token], the
// model's own distribution (what vLLM V1 returns by default and what a trainer's forward pass
// recomputes). They are equal for temperature 1 and for greedy.
//
// The truncation order is vLLM's (min-p, then top-k, then top-p). HF generate's default
// logits-processor order is temperature, top-k, top-p, min-p: with several truncations on, the
// kept set can differ from HF's (with one of them, or none, it is the same).
//
// A GPU may compute q in fp32; then the kept set may differ only for tokens within 1e-6 relative
// of a threshold, and the drawn token only when u*S falls within that rounding of a boundary.
//
// Thread safety: Sample is a pure function; call it from any thread.
#ifndef VERDICT_ROLLOUT_SAMPLER_H_
#define VERDICT_ROLLOUT_SAMPLER_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace verdict::rollout {

// Temperatures below this are greedy (vLLM's _SAMPLING_EPS).
inline constexpr float kGreedyTemperature = 1e-5f;

struct SamplingParams {
  float temperature = 1.0f;  // < kGreedyTemperature = greedy; must be >= 0
  float min_p = 0.0f;        // 0 = off; in [0, 1]
  int32_t top_k = 0;         // 0 = off; >= 0
  float top_p = 1.0f;        // 1 = off; in (0, 1]
  // The caller reads SampledToken::raw_logprob. A model whose fast path cannot compute it for
  // temperatures other than 0 and 1 (the CUDA model) then takes its exact host path.
  bool need_raw_logprobs = false;
};

// p with a temperature below kGreedyTemperature set to exactly 0 (greedy), so that every
// sampler (CPU, GPU) sees the same greedy test.
SamplingParams NormalizeSamplingParams(SamplingParams p);

absl::Status ValidateSamplingParams(const SamplingParams& p);

// Where a draw sits: the Philox key of SamplerUniform.
struct SampleKey {
  uint64_t seed = 0;
  uint64_t group = 0;
  uint32_t sample = 0;
  uint32_t position = 0;
};

struct SampledToken {
  int32_t token = -1;
  float logprob = 0.0f;      // log q[token] ("processed"), see above
  float raw_logprob = 0.0f;  // log softmax(z)[token] ("raw"); NaN where not computed
};

// Steps 1-4: the kept tokens in draw order and their probabilities q (not renormalised).
// Exposed for tests and for the CUDA path's validation. For temperature 0: the argmax alone,
// with q = 1.
struct KeptSet {
  std::vector<int32_t> tokens;
  std::vector<double> probs;
  double log_normaliser = 0.0;  // log sum exp(z / T) incl. the max shift, for logprobs
  double max_scaled = 0.0;      // max z / T
};
KeptSet ComputeKeptSet(absl::Span<const float> logits, const SamplingParams& p);

// Steps 1-5 for one sequence. `logits` has the vocabulary size; params must be valid. Logits
// must not be NaN (the result is then meaningless); callers check with HasNaN and report an error.
SampledToken Sample(absl::Span<const float> logits, const SamplingParams& p, const SampleKey& key);

// log softmax(logits)[token] at temperature 1 (float64 sums): the raw logprob.
float RawLogprob(absl::Span<const float> logits, int32_t token);

// True when a logit is NaN (a broken checkpoint or overflowing numerics: no token can be drawn).
bool HasNaN(absl::Span<const float> logits);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_SAMPLER_H_
