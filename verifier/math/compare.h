// Equivalence of two parsed answers (DESIGN §5 "Equivalence (math)").
//
// Rules, in the order they apply:
//  - text answers compare as lower-cased text; text never equals a number;
//  - `x = 5` (a lone variable on one side) is read as its value against a bare value; `x \in S`
//    as S; `\boxed{9=2}` is an equation, not the value 2;
//  - intervals, unions and one-variable inequalities with constant bounds compare as sets of
//    intervals: ends equal, open/closed ends equal (`x > 3` is `(3, \infty)`);
//  - several answers (a list, a set, a `\pm`) compare as sets: order-free, each element of one
//    equal to an element of the other; several answers never equal one;
//  - tuples and matrices compare element by element, in order, with equal shapes;
//  - equations compare as `lhs - rhs` up to a non-zero constant factor, inequalities up to a
//    positive one (with the same strictness);
//  - scalars: exactly as complex rationals (GMP) when both sides have exact values; otherwise
//    numerically with MPFR at 256 bits (equal when they agree to 2^-200 relative); with free
//    variables, at 8 deterministic pseudo-random points in (0.3, 2.7), equal when every point
//    where both sides are defined agrees (at least 6 such points; otherwise UNDECIDED). For a
//    polynomial identity of degree d the chance that a non-identity agrees at 8 points drawn from
//    2^40 values is at most (d / 2^40)^8.
//  - decimals: see DecimalPolicy; percentages: see PercentPolicy.
#ifndef VERDICT_VERIFIER_MATH_COMPARE_H_
#define VERDICT_VERIFIER_MATH_COMPARE_H_

#include <string>
#include <string_view>

#include "verifier/math/ast.h"
#include "verifier/math/parse.h"

namespace verdict::math {

enum class DecimalPolicy {
  // A decimal equals an exact value only when it is that value (0.5 = 1/2; 0.333333 != 1/3).
  kExact,
  // Also when the exact value rounds to the decimal at the precision written, provided the
  // decimal has enough significant digits: `min_significant_digits` against a rational value
  // (85.71 = 600/7, 0.3333 = 1/3, but 0.333 != 1/3), `min_significant_digits_irrational`
  // against an irrational one or another decimal (3.14159 = pi, but 3.14 != pi, 25.13 != 8 pi,
  // 85.71 != 85.714). The default.
  kRoundedAtWrittenPrecision,
};

enum class PercentPolicy {
  kNumberOrFraction,  // 25% equals 25 and 0.25 (the default)
  kNumber,            // 25% equals 25 only
  kFraction,          // 25% equals 0.25 only
};

struct CompareOptions {
  DecimalPolicy decimal = DecimalPolicy::kRoundedAtWrittenPrecision;
  // Chosen from labelled data (README "Math answers"): human labels accept 85.71 for 600/7 and
  // 30.52 for 1587/52 (4 digits); the conformance set rejects 3.14 and 25.13 for pi and 8 pi, so
  // decimals against irrational values keep 6.
  int min_significant_digits = 4;
  // Against an irrational value a decimal needs max(min_significant_digits, this).
  int min_significant_digits_irrational = 6;
  PercentPolicy percent = PercentPolicy::kNumberOrFraction;
};

enum class Decision { kEqual, kDifferent, kUndecided };

struct Comparison {
  Decision decision = Decision::kUndecided;
  std::string rule;  // for a person: "equal as exact rationals", "interval ends differ", ...
};

// Compares `pred` with `gold`. Bounded by `limits.max_steps` (UNDECIDED when it runs out).
Comparison CompareAnswers(const Tree& gold, const Tree& pred, const CompareOptions& options,
                          const Limits& limits);

// Whether two answers read the same after normalisation (DESIGN §5: "two answers that read the
// same after normalisation are equal even where neither parses"): the texts the parser reads
// (CleanAnswerText), with whitespace dropped, are identical. Case matters (`F_n` is not `f_n`).
// Used before parsing, so `12:00` equals `12:00` and an answer the parser cannot read equals
// the same gold. Linear in the lengths.
bool SameAnswerText(std::string_view gold, std::string_view pred);

}  // namespace verdict::math

#endif  // VERDICT_VERIFIER_MATH_COMPARE_H_
