#include "rewards/white_space.h"

#include <unicode/uchar.h>

#include "base/utf8.h"

namespace verdict {

bool IsWhiteSpace(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE);
}

bool IsBlank(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (!IsWhiteSpace(NextCodePoint(text, &i))) return false;  // U+FFFD is not white space
  }
  return true;
}

std::string_view StripTrailingWhiteSpace(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;  // the start of the last character
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t i = start;
    const char32_t c = NextCodePoint(text, &i);
    if (i != end || !IsWhiteSpace(c)) break;
    end = start;
  }
  return text.substr(0, end);
}

}  // namespace verdict
