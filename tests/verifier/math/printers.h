// GoogleTest printers for the math verifier's enums, so failures read "wrong", not bytes.
#ifndef VERDICT_TESTS_VERIFIER_MATH_PRINTERS_H_
#define VERDICT_TESTS_VERIFIER_MATH_PRINTERS_H_

#include <ostream>

#include "verifier/math/verify.h"

namespace verdict::math {

inline void PrintTo(Outcome outcome, std::ostream* os) { *os << OutcomeName(outcome); }
inline void PrintTo(AnswerSource source, std::ostream* os) { *os << AnswerSourceName(source); }

}  // namespace verdict::math

#endif  // VERDICT_TESTS_VERIFIER_MATH_PRINTERS_H_
