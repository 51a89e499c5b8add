// Reward shaping terms, each with its published definition. Pure functions, thread-safe.
// Lengths are in tokens when every completion of the group has a token count, else in Unicode
// code points; the result says which (LengthUnit).
#ifndef VERDICT_REWARDS_SHAPING_H_
#define VERDICT_REWARDS_SHAPING_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace verdict {

// DAPO soft overlong punishment (Yu et al. 2025, "DAPO", eq. 13):
//   0                              if L <= L_max - L_cache
//   ((L_max - L_cache) - L) / L_cache  if L_max - L_cache < L <= L_max
//   -1                             if L > L_max
double SoftOverlongPenalty(int64_t length, int64_t max_length, int64_t cache_length);

// Kimi k1.5 length reward (Kimi Team 2025, §2.3.3), over a group with lengths in [min, max]:
//   lambda = 0.5 - (L - min) / (max - min);  reward = lambda if correct, min(0, lambda) if not.
// 0 when every length in the group is the same.
double KimiLengthReward(int64_t length, int64_t min_length, int64_t max_length, bool correct);

struct CosineOptions {
  int64_t max_length = 1000;
  double min_value_wrong = -1.0;
  double max_value_wrong = -0.5;
  double min_value_correct = 0.5;
  double max_value_correct = 1.0;
};
// Cosine-scaled length reward (Yeo et al. 2025, "Demystifying Long Chain-of-Thought", as in
// open-r1): progress p = min(L / max_length, 1);
//   correct: r = min_c + (max_c - min_c) * (1 + cos(p*pi)) / 2      (shorter is better)
//   wrong:   r = max_w + (min_w - max_w) * (1 + cos(p*pi)) / 2      (longer is less bad)
double CosineLengthReward(int64_t length, bool correct, const CosineOptions& options);

// N-gram repetition penalty (Yeo et al. 2025, as in open-r1): over word n-grams of `text` (words
// lower-cased and split at white space by Unicode rules, as Python's lower().split())
// (or token n-grams of `tokens` when given), penalty = max_penalty * (1 - unique / total);
// 0 when the text has fewer than n words. max_penalty is <= 0.
double RepetitionPenalty(std::string_view text, int ngram_size, double max_penalty);
double RepetitionPenaltyTokens(const std::vector<int64_t>& tokens, int ngram_size,
                               double max_penalty);

// Number of Unicode code points (invalid bytes count one each).
int64_t CodePointLength(std::string_view text);

}  // namespace verdict

#endif  // VERDICT_REWARDS_SHAPING_H_
