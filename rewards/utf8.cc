#include "rewards/utf8.h"

#include "unicode/uchar.h"

namespace verdict {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is invalid.
size_t SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlongs
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string RepairUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(text, i);
    if (n > 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    out.append("\xEF\xBF\xBD");
    // Skip the lead byte and any continuation bytes that follow it.
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

bool IsWhiteSpace(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE);
}

char32_t NextCodePoint(std::string_view text, size_t* i) {
  const size_t n = SequenceLength(text, *i);
  if (n == 0) {
    ++*i;
    return 0xFFFD;
  }
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[*i + k]); };
  char32_t c = n == 1 ? byte(0) : byte(0) & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) c = (c << 6) | (byte(k) & 0x3F);
  *i += n;
  return c;
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
