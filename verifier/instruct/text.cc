#include "verifier/instruct/text.h"

#include <cstdint>

#include "unicode/uchar.h"
#include "unicode/uscript.h"
#include "unicode/utf8.h"

namespace verdict::instruct {
namespace {

// Decodes the code point at text[*i] and advances *i; invalid bytes decode as U+FFFD.
UChar32 Next(std::string_view text, size_t* i) {
  int32_t pos = static_cast<int32_t>(*i);
  UChar32 c;
  U8_NEXT(text.data(), pos, static_cast<int32_t>(text.size()), c);
  *i = static_cast<size_t>(pos);
  return c < 0 ? 0xFFFD : c;
}

UChar32 PeekAt(std::string_view text, size_t i) {
  if (i >= text.size()) return -1;
  return Next(text, &i);
}

bool IsWordChar(UChar32 c) { return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0; }

// A character that is a word on its own (as rewards/language.cc counts CJK).
bool IsSingleCharWord(UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(c, &err);
  if (U_FAILURE(err)) return false;
  return u_isalpha(c) && (s == USCRIPT_HAN || s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA ||
                          s == USCRIPT_HANGUL);
}

bool IsJoiner(UChar32 c) { return c == '\'' || c == 0x2019 || c == '-'; }

}  // namespace

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  size_t start = std::string_view::npos;
  auto close = [&](size_t end) {
    if (start != std::string_view::npos) words.push_back(text.substr(start, end - start));
    start = std::string_view::npos;
  };
  while (i < text.size()) {
    const size_t at = i;
    const UChar32 c = Next(text, &i);
    if (IsSingleCharWord(c)) {
      close(at);
      words.push_back(text.substr(at, i - at));
    } else if (IsWordChar(c)) {
      if (start == std::string_view::npos) start = at;
    } else if (IsJoiner(c) && start != std::string_view::npos) {
      // Inside a word only when a letter follows: "don't", "well-known"; not "dogs' " or "a -".
      const UChar32 next = PeekAt(text, i);
      if (next < 0 || !u_isalpha(next) || IsSingleCharWord(next)) close(at);
    } else {
      close(at);
    }
  }
  close(text.size());
  return words;
}

namespace {

bool IsIdeographicStop(UChar32 c) { return c == 0x3002 || c == 0xFF01 || c == 0xFF1F; }
bool IsStop(UChar32 c) { return c == '.' || c == '!' || c == '?' || c == 0x2026; }
bool IsCloser(UChar32 c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 || c == '*' ||
         c == '_';
}

bool EqualsAsciiNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// True when the period at text[dot] belongs to an abbreviation or an initial.
bool IsAbbreviationDot(std::string_view text, size_t dot) {
  size_t b = dot;
  while (b > 0 && (static_cast<unsigned char>(text[b - 1]) >= 0x80 ||
                   (text[b - 1] != ' ' && text[b - 1] != '\n' && text[b - 1] != '\t' &&
                    text[b - 1] != '(' && text[b - 1] != '"'))) {
    --b;
  }
  std::string_view token = text.substr(b, dot - b);
  if (token.size() == 1 && token[0] >= 'A' && token[0] <= 'Z') return true;  // "J. Smith"
  static constexpr std::string_view kAbbreviations[] = {
      "mr",  "mrs", "ms",  "dr",  "prof", "st",  "jr", "sr",  "inc",    "ltd",  "co", "vs",
      "etc", "e.g", "i.e", "a.m", "p.m",  "u.s", "no", "fig", "approx", "capt", "lt", "mt"};
  for (std::string_view a : kAbbreviations) {
    // Erring this way merges two sentences at "... etc. Next": a count can only fall short.
    if (EqualsAsciiNoCase(token, a)) return true;
  }
  return false;
}

}  // namespace

int CountSentences(std::string_view text) {
  int sentences = 0;
  bool has_content = false;  // the current sentence holds a letter or digit
  size_t i = 0;
  while (i < text.size()) {
    const size_t at = i;
    const UChar32 c = Next(text, &i);
    if (IsWordChar(c)) {
      has_content = true;
      continue;
    }
    bool ends = false;
    if (IsIdeographicStop(c)) {
      ends = true;
    } else if (IsStop(c)) {
      // Runs of terminators ("?!", "...") end once; closing quotes may follow.
      size_t j = i;
      UChar32 next = PeekAt(text, j);
      while (next >= 0 && (IsStop(next) || IsCloser(next))) {
        Next(text, &j);
        next = PeekAt(text, j);
      }
      ends = next < 0 || u_isUWhiteSpace(next);
      if (ends && c == '.' && j == i && IsAbbreviationDot(text, at)) ends = false;
      if (ends) i = j;
    }
    if (ends && has_content) {
      ++sentences;
      has_content = false;
    }
  }
  if (has_content) ++sentences;  // a last sentence without a terminator
  return sentences;
}

std::string ToLower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    UChar32 c = u_tolower(Next(text, &i));
    char buf[4];
    int32_t n = 0;
    U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(buf), n, c);  // c is a valid code point
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// Whether every cased letter has `upper` case, and there is at least one.
bool AllCased(std::string_view text, bool upper) {
  bool any = false;
  size_t i = 0;
  while (i < text.size()) {
    const UChar32 c = Next(text, &i);
    if (!u_hasBinaryProperty(c, UCHAR_CASED)) continue;
    any = true;
    if (upper ? (u_islower(c) || u_istitle(c)) : (u_isupper(c) || u_istitle(c))) return false;
  }
  return any;
}

}  // namespace

bool IsAllUpper(std::string_view text) { return AllCased(text, true); }
bool IsAllLower(std::string_view text) { return AllCased(text, false); }

std::string_view StripSpace(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  size_t i = 0;
  while (i < text.size()) {  // the first non-space
    const size_t at = i;
    if (!u_isUWhiteSpace(Next(text, &i))) {
      begin = at;
      break;
    }
    begin = i;
  }
  // The last non-space: scan forward, remembering where the last one ended.
  size_t last_end = begin;
  i = begin;
  while (i < text.size()) {
    const UChar32 c = Next(text, &i);
    if (!u_isUWhiteSpace(c)) last_end = i;
  }
  end = last_end;
  return text.substr(begin, end - begin);
}

bool HasWordCharacter(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (IsWordChar(Next(text, &i))) return true;
  }
  return false;
}

}  // namespace verdict::instruct
