// Unicode normalization forms (UAX #15: NFC, NFD, NFKC, NFKD) for the tokenizer's normalizers,
// from tables generated for the data HF `tokenizers` normalizes with (Unicode 9.0.0, the tables
// of its crate unicode-normalization-alignments; see gen_normalizer_tables.py), so token ids do
// not depend on the host. Characters added to Unicode after 9.0 are left as they are, as HF
// does: class 0, no decomposition, no composition.
//
// Pure functions; thread-safe.
#ifndef VERDICT_ROLLOUT_NORMALIZER_H_
#define VERDICT_ROLLOUT_NORMALIZER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace verdict::rollout {

enum class NormalForm { kNfc, kNfd, kNfkc, kNfkd };

// `text` in the normal form. Bytes that are not well-formed UTF-8 are copied unchanged (the
// tokenizer validates its input first).
std::string Normalize(NormalForm form, std::string_view text);

// The canonical combining class (0 for starters, unassigned and post-9.0 code points).
uint8_t CombiningClass(char32_t c);

// The Unicode version of the normalization data ("9.0.0").
std::string_view NormalizationUnicodeVersion();

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_NORMALIZER_H_
