// Text rules of `verdict filter` (cli/filter.cc), pure functions kept apart so they are tested
// directly.
#ifndef VERDICT_CLI_FILTER_RULES_H_
#define VERDICT_CLI_FILTER_RULES_H_

#include <cstdint>
#include <string_view>

namespace verdict::cli {

// The length in code points of the longest paragraph of `text`. Paragraphs are separated by
// blank lines: a line ends at "\n", "\r\n" or "\r", and a blank line holds only white space
// (rewards/utf8.h). A paragraph spans its first line's start to its last line's end.
int64_t LongestParagraph(std::string_view text);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_FILTER_RULES_H_
