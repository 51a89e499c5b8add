#include "rollout/pretokenizer.h"

#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "rollout/unicode.h"

namespace verdict::rollout {
namespace {

constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

bool IsL(char32_t c) { return InCategories(c, kLetterMask); }
bool IsN(char32_t c) { return InCategories(c, kNumberMask); }
bool IsSpace(char32_t c) { return IsUnicodeSpace(c); }
bool IsCrLf(char32_t c) { return c == '\r' || c == '\n'; }
bool IsOther(char32_t c) { return !IsSpace(c) && !IsL(c) && !IsN(c); }

// Case-insensitive letter of the contractions: Unicode simple case folding maps U+017F (long s)
// to 's' as well.
char32_t Fold(char32_t c, bool caseless) {
  if (!caseless) return c;
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c == 0x17F) return 's';
  return c;
}

// Length (in code points) of a contraction match at i, or 0.
size_t Contraction(const std::vector<char32_t>& s, size_t i, bool caseless) {
  const size_t n = s.size();
  if (s[i] != '\'' || i + 1 >= n) return 0;
  const char32_t a = Fold(s[i + 1], caseless);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (i + 2 >= n) return 0;
  const char32_t b = Fold(s[i + 2], caseless);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

template <typename Pred>
size_t RunEnd(const std::vector<char32_t>& s, size_t i, Pred pred) {
  while (i < s.size() && pred(s[i])) ++i;
  return i;
}

// Whitespace alternatives shared by all patterns: \s*[\r\n]+ (when with_crlf), \s+(?!\S), \s+.
size_t SpaceMatch(const std::vector<char32_t>& s, size_t i, bool with_crlf) {
  const size_t end = RunEnd(s, i, IsSpace);
  if (with_crlf) {
    for (size_t m = end; m > i; --m) {
      if (IsCrLf(s[m - 1])) return m;  // \s* backtracks to the last CR/LF of the run
    }
  }
  if (end == s.size() || end - i >= 2) return end == s.size() ? end : end - 1;
  return end;
}

// End (exclusive, code points) of the match starting at i.
size_t MatchQwenLike(const std::vector<char32_t>& s, size_t i, size_t max_digits) {
  const size_t n = s.size();
  const char32_t c = s[i];
  if (size_t len = Contraction(s, i, true)) return i + len;
  if (IsL(c)) return RunEnd(s, i, IsL);
  if (!IsCrLf(c) && !IsN(c) && i + 1 < n && IsL(s[i + 1])) return RunEnd(s, i + 1, IsL);
  if (IsN(c)) {
    size_t j = i;
    while (j < n && j - i < max_digits && IsN(s[j])) ++j;
    return j;
  }
  size_t k = n;
  if (c == ' ' && i + 1 < n && IsOther(s[i + 1]))
    k = i + 1;
  else if (IsOther(c))
    k = i;
  if (k < n) return RunEnd(s, RunEnd(s, k, IsOther), IsCrLf);
  if (IsSpace(c)) return SpaceMatch(s, i, true);
  return i + 1;  // unreachable: every code point is L, N, space or other
}

size_t MatchGpt2(const std::vector<char32_t>& s, size_t i) {
  const size_t n = s.size();
  const char32_t c = s[i];
  if (size_t len = Contraction(s, i, false)) return i + len;
  const size_t k = (c == ' ' && i + 1 < n) ? i + 1 : i;
  if (IsL(s[k])) return RunEnd(s, k, IsL);
  if (IsN(s[k])) return RunEnd(s, k, IsN);
  if (IsOther(s[k])) return RunEnd(s, k, IsOther);
  if (IsSpace(c)) return SpaceMatch(s, i, false);
  return i + 1;
}

}  // namespace

std::string_view SplitPatternRegex(SplitPattern p) {
  switch (p) {
    case SplitPattern::kQwen2: return kQwen2Regex;
    case SplitPattern::kLlama3: return kLlama3Regex;
    case SplitPattern::kGpt2: return kGpt2Regex;
  }
  return "";
}

absl::StatusOr<SplitPattern> RecognizeSplitPattern(std::string_view regex) {
  for (SplitPattern p : {SplitPattern::kQwen2, SplitPattern::kLlama3, SplitPattern::kGpt2}) {
    if (regex == SplitPatternRegex(p)) return p;
  }
  return absl::UnimplementedError(absl::StrCat(
      "pre-tokenizer pattern is not supported (Qwen2, Llama-3, GPT-2 only): ", std::string(regex)));
}

absl::StatusOr<std::vector<std::string_view>> PreTokenize(std::string_view text, SplitPattern p) {
  std::vector<char32_t> s;
  std::vector<size_t> off;
  if (auto st = DecodeUtf8(text, &s, &off); !st.ok()) return st;
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = p == SplitPattern::kGpt2 ? MatchGpt2(s, i)
                                        : MatchQwenLike(s, i, p == SplitPattern::kQwen2 ? 1 : 3);
    out.push_back(text.substr(off[i], off[j] - off[i]));
    i = j;
  }
  return out;
}

}  // namespace verdict::rollout
