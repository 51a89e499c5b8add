#include "rollout/model.h"

#include "absl/strings/str_cat.h"

namespace verdict::rollout {

absl::Status CheckDecodeSampleSizes(size_t seqs, size_t keys, size_t out) {
  if (keys == seqs && out == seqs) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("DecodeSample: ", seqs, " sequences, ", keys, " keys, ", out, " outputs"));
}

absl::Status NanLogitsError(SequenceId seq, int64_t length) {
  return absl::InternalError(absl::StrCat(
      "the model's logits for sequence ", seq, " at length ", length,
      " contain NaN: no token can be drawn (a broken checkpoint or overflowing numerics)"));
}

absl::Status Model::DecodeSample(absl::Span<const SequenceId> seqs,
                                 absl::Span<const int32_t> tokens, const SamplingParams& params,
                                 absl::Span<const SampleKey> keys, absl::Span<SampledToken> out) {
  if (auto s = CheckDecodeSampleSizes(seqs.size(), keys.size(), out.size()); !s.ok()) return s;
  const size_t v = config().vocab_size;
  decode_logits_.resize(seqs.size() * v);
  const absl::Span<float> logits = absl::MakeSpan(decode_logits_);
  if (auto s = Decode(seqs, tokens, logits); !s.ok()) return s;
  for (size_t b = 0; b < seqs.size(); ++b) {
    const absl::Span<const float> row = logits.subspan(b * v, v);
    if (HasNaN(row)) return NanLogitsError(seqs[b], Length(seqs[b]));
    out[b] = Sample(row, params, keys[b]);
  }
  return absl::OkStatus();
}

}  // namespace verdict::rollout
