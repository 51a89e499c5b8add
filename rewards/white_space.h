// White space, the one definition the reward rules use (format templates, word splitting, blank
// lines): Unicode White_Space (read with ICU). Pure functions, thread-safe.
#ifndef VERDICT_REWARDS_WHITE_SPACE_H_
#define VERDICT_REWARDS_WHITE_SPACE_H_

#include <string_view>

namespace verdict {

// \t \n \v \f \r, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
// U+205F and U+3000.
bool IsWhiteSpace(char32_t c);

// True when `text` is empty or only white space. Invalid UTF-8 is not white space.
bool IsBlank(std::string_view text);

// `text` without the white space at its end.
std::string_view StripTrailingWhiteSpace(std::string_view text);

}  // namespace verdict

#endif  // VERDICT_REWARDS_WHITE_SPACE_H_
