// A regex engine for the subset of Oniguruma syntax that real tokenizer.json split patterns
// use, with Oniguruma's leftmost-first, backtracking semantics (what HF `tokenizers` runs):
//
//   alternation |, groups ( ) (?: ) (?i: ) (?i), lookahead (?= ) (?! ), atomic (?> ),
//   quantifiers * + ? {n} {n,} {n,m} with lazy (?) and possessive (+) forms,
//   classes [...] [^...] with ranges, . (any but \n), \p{..} \P{..} (general categories),
//   \s \S \d \D, escapes \r \n \t \f \v \xHH \x{H..} \uHHHH and escaped punctuation.
//
// Anything else (lookbehind, anchors, backreferences, \w, scripts, class set operations) is
// UNIMPLEMENTED, named in the message. Character classes come from rollout/unicode.h (the
// Unicode version HF uses), not the host.
//
// Budgets: the pattern is parsed with bounded nesting and a bounded compiled size; matching
// is an explicit-stack backtracker whose steps per search are capped (RESOURCE_EXHAUSTED),
// and a repeat whose body can match empty is refused at compile time, so a pattern cannot
// loop. Immutable after Compile; thread-safe.
#ifndef VERDICT_ROLLOUT_SPLIT_REGEX_H_
#define VERDICT_ROLLOUT_SPLIT_REGEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rollout/unicode.h"

namespace verdict::rollout {

class SplitRegex {
 public:
  // INVALID_ARGUMENT for malformed patterns, UNIMPLEMENTED for syntax outside the subset.
  static absl::StatusOr<SplitRegex> Compile(std::string_view pattern);

  // The non-empty matches of a left-to-right search over `s` (code points), as HF's
  // find_iter sees them: at each position the leftmost-first match; an empty match (or none)
  // moves on one code point. Spans are [begin, end) code point indices.
  absl::Status FindAll(const std::vector<char32_t>& s,
                       std::vector<std::pair<size_t, size_t>>* spans) const;

  // Whether the whole pattern matches at exactly `pos`, and where that match ends.
  absl::StatusOr<bool> MatchAt(const std::vector<char32_t>& s, size_t pos, size_t* end) const;

  struct ClassItem {
    enum Kind : uint8_t { kRange, kCategories, kSpace } kind;
    bool negated;  // \P{..}, \S, \D inside a class
    char32_t lo, hi;
    CategoryMask mask;
  };
  struct Class {
    bool negated = false;
    bool caseless = false;
    std::vector<ClassItem> items;
    uint64_t ascii[2] = {0, 0};  // membership of code points < 128, precomputed
    bool Contains(char32_t c) const;
    bool ContainsRaw(char32_t c) const;
  };
  struct Inst {
    enum Op : uint8_t { kClass, kSplit, kJmp, kMatch, kLook, kAtomic } op;
    bool negate;   // kLook: (?!
    int32_t x, y;  // kClass: class; kSplit: first, second; kJmp: x; kLook/kAtomic: program
  };

 private:
  // 1 matched (end set), 0 no match, -1 the step budget ran out.
  int Run(int prog, const std::vector<char32_t>& s, size_t pos, size_t* end, int64_t* budget,
          std::vector<std::pair<int32_t, size_t>>* stack) const;

  std::vector<Class> classes_;
  std::vector<std::vector<Inst>> programs_;  // [0] is the pattern; others are sub-programs
  friend class SplitRegexCompiler;
};

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_SPLIT_REGEX_H_
