#include "cli/filter_rules.h"

#include <algorithm>

#include "rewards/shaping.h"
#include "rewards/white_space.h"

namespace verdict::cli {

int64_t LongestParagraph(std::string_view text) {
  int64_t longest = 0;
  size_t start = std::string_view::npos;  // of the current paragraph
  size_t end = 0;                         // of its last line so far
  auto close = [&] {
    if (start == std::string_view::npos) return;
    longest = std::max(longest, CodePointLength(text.substr(start, end - start)));
    start = std::string_view::npos;
  };
  for (size_t pos = 0; pos <= text.size();) {
    size_t eol = text.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = text.size();
    if (IsBlank(text.substr(pos, eol - pos))) {
      close();
    } else {
      if (start == std::string_view::npos) start = pos;
      end = eol;
    }
    if (eol == text.size()) break;
    pos = eol + (text.compare(eol, 2, "\r\n") == 0 ? 2 : 1);
  }
  close();
  return longest;
}

}  // namespace verdict::cli
