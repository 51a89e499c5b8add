#include "rewards/shaping.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "absl/hash/hash.h"
#include "base/utf8.h"
#include "rewards/white_space.h"
#include "unicode/uchar.h"

namespace verdict {

double SoftOverlongPenalty(int64_t length, int64_t max_length, int64_t cache_length) {
  const int64_t expected = max_length - cache_length;
  if (length <= expected) return 0.0;
  if (length <= max_length) {
    return static_cast<double>(expected - length) / static_cast<double>(cache_length);
  }
  return -1.0;
}

double KimiLengthReward(int64_t length, int64_t min_length, int64_t max_length, bool correct) {
  if (max_length == min_length) return 0.0;
  const double lambda =
      0.5 - static_cast<double>(length - min_length) / static_cast<double>(max_length - min_length);
  return correct ? lambda : std::min(0.0, lambda);
}

double CosineLengthReward(int64_t length, bool correct, const CosineOptions& o) {
  const double progress = std::min(
      1.0, static_cast<double>(length) / static_cast<double>(std::max<int64_t>(1, o.max_length)));
  const double cosine = std::cos(progress * M_PI);
  const double lo = correct ? o.min_value_correct : o.max_value_wrong;
  const double hi = correct ? o.max_value_correct : o.min_value_wrong;
  return lo + 0.5 * (hi - lo) * (1.0 + cosine);
}

namespace {

template <typename T>
double RepetitionOf(const std::vector<T>& items, int n, double max_penalty) {
  if (n < 1 || static_cast<int64_t>(items.size()) < n) return 0.0;
  const size_t total = items.size() - n + 1;
  std::unordered_set<size_t> unique;
  unique.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    size_t h = 0;
    for (int k = 0; k < n; ++k) h = absl::HashOf(h, items[i + k]);
    unique.insert(h);
  }
  return max_penalty * (1.0 - static_cast<double>(unique.size()) / static_cast<double>(total));
}

}  // namespace

double RepetitionPenalty(std::string_view text, int ngram_size, double max_penalty) {
  // Words as open-r1 splits them (Python's text.lower().split()): lower-cased, separated by
  // white space, both by Unicode rules (the case mapping per code point).
  std::vector<std::u32string> words(1);
  for (size_t i = 0; i < text.size();) {
    const char32_t c = NextCodePoint(text, &i);
    if (IsWhiteSpace(c)) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    words.back().push_back(static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))));
  }
  if (words.back().empty()) words.pop_back();
  return RepetitionOf(words, ngram_size, max_penalty);
}

double RepetitionPenaltyTokens(const std::vector<int64_t>& tokens, int ngram_size,
                               double max_penalty) {
  return RepetitionOf(tokens, ngram_size, max_penalty);
}

int64_t CodePointLength(std::string_view text) {
  int64_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace verdict
