// Output checkers: pure functions comparing a program's output with the expected output.
// Thread-safe, no I/O. (kProgram is run by the judge, not here.)
#ifndef VERDICT_VERIFIER_CODE_CHECKER_H_
#define VERDICT_VERIFIER_CODE_CHECKER_H_

#include <string>
#include <string_view>

#include "verifier/code/code_reference.h"

namespace verdict::code {

struct CheckResult {
  bool accepted = false;
  // When rejected: where and how they first differ, e.g. "token 3 (line 2): expected '5', got
  // '6'" or "output ended after 2 tokens, expected 3". At most ~200 bytes.
  std::string first_diff;
};

// `spec.kind` must not be kProgram (returns rejected with a message if it is).
CheckResult CheckOutput(const CheckerSpec& spec, std::string_view expected,
                        std::string_view actual);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_CHECKER_H_
