// UTF-8 validation and repair. Completions arrive from files and sockets; text that goes back on
// the wire (extracted answers, reasons) must be valid UTF-8 or protobuf refuses to send it.
#ifndef VERDICT_REWARDS_UTF8_H_
#define VERDICT_REWARDS_UTF8_H_

#include <string>
#include <string_view>

namespace verdict {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Returns `text` with each maximal invalid subsequence replaced by U+FFFD. Valid input is
// returned unchanged.
std::string RepairUtf8(std::string_view text);

// White space, the one definition the reward rules use (format templates, word splitting, blank
// lines): Unicode White_Space, i.e. \t \n \v \f \r, space, U+0085, U+00A0, U+1680,
// U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
bool IsWhiteSpace(char32_t c);

// True when `text` is empty or only white space. Invalid UTF-8 is not white space.
bool IsBlank(std::string_view text);

// `text` without the white space at its end.
std::string_view StripTrailingWhiteSpace(std::string_view text);

// Decodes the code point at text[*i] and advances *i past it; an invalid sequence yields
// U+FFFD and advances by at least one byte.
char32_t NextCodePoint(std::string_view text, size_t* i);

}  // namespace verdict

#endif  // VERDICT_REWARDS_UTF8_H_
