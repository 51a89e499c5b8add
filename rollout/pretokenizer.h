// The pre-tokenizer split of byte-level BPE tokenizers, as an exact hand-written scanner.
//
// Hugging Face tokenizers split text with a regex (Oniguruma). RE2 cannot express the
// `\s+(?!\S)` lookahead, so each supported pattern is implemented here as a scanner that
// reproduces the regex's leftmost-first, greedy-with-backtracking semantics exactly. The tests
// prove each scanner equal to PCRE2 running the original pattern on >= 10,000 generated strings.
//
// Character classes: \p{L} and \p{N} by Unicode general category from rollout/unicode.h (the
// Unicode version HF uses, not the host's ICU); \s is Oniguruma's Unicode whitespace:
// U+0009-U+000D, U+0085 and the Z categories (Zs, Zl, Zp). Other patterns: split_regex.h.
// Pure functions; thread-safe.
#ifndef VERDICT_ROLLOUT_PRETOKENIZER_H_
#define VERDICT_ROLLOUT_PRETOKENIZER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace verdict::rollout {

enum class SplitPattern {
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|
  // \s*[\r\n]+|\s+(?!\S)|\s+
  kQwen2,
  // As kQwen2 with \p{N}{1,3} for \p{N}.
  kLlama3,
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kGpt2,
};

// The regex text of each pattern, exactly as it appears in tokenizer.json.
std::string_view SplitPatternRegex(SplitPattern p);

// Maps a tokenizer.json regex to a supported pattern; UNIMPLEMENTED (quoting it) otherwise.
absl::StatusOr<SplitPattern> RecognizeSplitPattern(std::string_view regex);

// Splits `text` (valid UTF-8, else INVALID_ARGUMENT) into consecutive pieces covering all of it.
absl::StatusOr<std::vector<std::string_view>> PreTokenize(std::string_view text, SplitPattern p);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_PRETOKENIZER_H_
