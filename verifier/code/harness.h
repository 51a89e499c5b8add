// Harness builders: turn a solution and tests into the files and stdin of one sandbox run.
// Pure functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_HARNESS_H_
#define VERDICT_VERIFIER_CODE_HARNESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "verifier/code/code_reference.h"

namespace verdict::code {

// kAssert: the program run for one test: solution, newline, test code.
std::string BuildAssertProgram(std::string_view solution, std::string_view test_code);

// kCallBased, Python: a driver `main.py` that loads `solution.py` in its own namespace, then for
// each case calls `fn_name(*args)` (or `Solution().fn_name(*args)`) under a per-case wall timer,
// compares json-normalised results, and reports one line per case on the original stdout:
//   "<nonce> <index> <PASS|WRONG|ERROR|TIMEOUT> <ms> <message>"
// The solution's own prints are discarded. With stop_on_failure the driver stops at the first
// failing case. The cases travel on stdin as JSON.
struct CallHarness {
  std::string driver_source;  // main.py
  std::string stdin_data;
};
absl::StatusOr<CallHarness> BuildPythonCallHarness(std::string_view fn_name,
                                                   const std::vector<TestCase>& tests,
                                                   int64_t per_case_ms, bool stop_on_failure,
                                                   std::string_view nonce);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_HARNESS_H_
