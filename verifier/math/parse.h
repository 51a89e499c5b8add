// Reads a math answer written in LaTeX or plain text into an expression tree (ast.h).
//
// A recursive-descent parser over the raw text (no separate lexer: LaTeX's `\frac12`, `1{,}000`
// and `7 3/4` need the characters). Recursion is bounded by `Limits::max_depth`; node count,
// literal digits and input length are bounded too, so no input can overflow the stack or run
// long. Pure and thread-safe.
#ifndef VERDICT_VERIFIER_MATH_PARSE_H_
#define VERDICT_VERIFIER_MATH_PARSE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "verifier/math/ast.h"

namespace verdict::math {

// Deterministic budgets for reading and comparing one answer (DESIGN §5 "Budgets").
struct Limits {
  int max_depth = 320;            // parser recursion (about 7 frames per bracket level)
  int max_nodes = 20000;          // tree nodes per answer
  int max_digits = 20000;         // digits of a literal, and of any exact intermediate result
  int64_t max_steps = 1'000'000;  // evaluations and comparisons per answer (worst case ~0.2 s)
};

struct ParseResult {
  enum class Status { kOk, kSyntaxError, kBudget };
  Status status = Status::kSyntaxError;
  std::string error;  // for kSyntaxError / kBudget: what and where
  Tree tree;
  // The ratio of names dropped from the front (`V_{1}:V_{2}` of `V_{1}:V_{2}=11:21`, labels.h),
  // without spaces and braces (`V_1:V_2`); empty when there was none. Two answers that both name
  // their ratio must name the same one (`V_{2}:V_{1}=11:21` states another ratio).
  std::string ratio_label;
};

// Parses a whole answer. Markup that carries no meaning is dropped first: `$`, `\left`,
// `\right`, `\displaystyle`, spacing commands, markdown bold, a currency `\$`, a trailing period.
ParseResult ParseAnswer(std::string_view text, const Limits& limits);

// The cleaned text the parser reads (exposed for tests and explanations).
std::string CleanAnswerText(std::string_view text);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_PARSE_H_
