// libFuzzer target for the C assert harness's reader of the solution's and the test's
// declarations (BuildCAssertPair): both are untrusted text (the solution the model's, the test a
// data set's). The input is the solution, a NUL byte, then the test code; without a NUL, a fixed
// test that names a few functions. Checked for every input: no crash, an error is
// kInvalidArgument with a reason, and the same input gives the same programs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "verifier/code/c_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view solution = input.substr(0, nul);
  const std::string_view test =
      nul == std::string_view::npos
          ? std::string_view("int main(void) { f(1); g(\"x\"); add(1, 2); sum(0, 0); }\n")
          : input.substr(nul + 1);
  const auto pair = verdict::code::BuildCAssertPair(solution, test, 1000);
  if (!pair.ok()) {
    if (pair.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    if (pair.status().message().empty()) std::abort();
  }
  const auto again = verdict::code::BuildCAssertPair(solution, test, 1000);
  if (pair.ok() != again.ok()) std::abort();
  if (pair.ok() && (pair->candidate != again->candidate || pair->harness != again->harness)) {
    std::abort();
  }
  return 0;
}
