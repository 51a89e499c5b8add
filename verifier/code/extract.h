// Code extraction from a completion: the last fenced block of the requested language.
// Pure, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_EXTRACT_H_
#define VERDICT_VERIFIER_CODE_EXTRACT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace verdict::code {

struct ExtractOptions {
  // Fence info strings accepted (lower case, first word of the info string), e.g. {"python",
  // "py", "python3"}. Empty accepts any labelled block.
  std::vector<std::string> languages;
  // When no labelled block matches, take the last block with no info string. Default true.
  bool accept_unlabeled = true;
  // A block still open at the end of the completion counts (truncated generations). Default false.
  bool accept_unclosed = false;
};

// The body of the chosen block (without fences), or nullopt: the caller reports kNoCode.
// Fences are lines starting with ``` or ~~~ (up to 3 spaces of indent); a closing fence uses
// the same character and at least as many.
std::optional<std::string> ExtractCode(std::string_view completion, const ExtractOptions& options);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_EXTRACT_H_
