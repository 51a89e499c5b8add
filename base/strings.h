// Conversions between the standard library's string types and Abseil's. Debian's Abseil is built
// with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat, StrSplit
// and friends do not take a std::string_view directly.
#ifndef VERDICT_BASE_STRINGS_H_
#define VERDICT_BASE_STRINGS_H_

#include <cstddef>
#include <string_view>

#include "absl/strings/string_view.h"

namespace verdict {

// The same bytes as an absl::string_view (no copy).
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// The same bytes as a std::string_view (no copy).
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Non-overlapping occurrences of `needle` (not empty) in `text`.
inline size_t CountOccurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace verdict

#endif  // VERDICT_BASE_STRINGS_H_
