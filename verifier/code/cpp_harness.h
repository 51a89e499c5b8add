// The trusted harness for C++ assert tests (issue 15), the counterpart of python_harness.h: two
// compiled programs run as two sandboxed processes joined by pipes (harness_pair.h, with
// PairOptions::candidate_channel_fds).
//
//  - The candidate: the solution, then a dispatcher `main` that reads calls (a function's name
//    and its serialised arguments) on fd 3, calls the function and writes the serialised result
//    (or the exception's what()) on fd 4. It says "started" from a constructor that runs before
//    the solution's static initializers and "ready" from its main.
//  - The harness: the solution's `#include <...>` lines and `using namespace std;`, its type
//    aliases rewritten in canonical form, a stub per candidate function the test calls (its
//    signature as read from the solution, forwarding the call over the pipe), then the test
//    code with its main renamed. It reads the nonce on stdin and the hello on fd 5, times the
//    test from there, and reports "<nonce> 0 <PASS|WRONG|ERROR|TIMEOUT|DIED> <ms> <message>":
//    PASS only when the test's main returned 0 and called every stub at least once (else a
//    header's function of the same name took the calls); a failed assert is WRONG. A stub is
//    made for each solution function the test names (called or taken as a value).
//
// Values cross as plain data (a serialiser written once as templates, in both programs):
// integers, bool, float and double (exact bits), std::string, vector, list, deque, set,
// unordered_set, map, unordered_map, pair and tuple of them, nested, and boost::any holding
// one of int, long, long long, unsigned, float, double, bool, char, std::string, const char*.
// The solution's functions are read by a small reader of file-scope definitions; a function the
// test calls is refused (an error, never the one-process program) when it is a template,
// overloaded, takes a non-const reference, a pointer, a default argument or a type outside the
// list above, or returns a reference. Pure functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_CPP_HARNESS_H_
#define VERDICT_VERIFIER_CODE_CPP_HARNESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace verdict::code {

// Each program is its prelude (the serialiser: the same text for every solution, so the compile
// cache can precompile it, CompileExtras::prelude) followed by its source.
struct CppPairSources {
  std::string candidate_prelude;
  std::string candidate;  // compiled as the candidate run's program
  std::string harness_prelude;
  std::string harness;  // compiled as the harness run's program; its stdin is the nonce
};

// kInvalidArgument with the reason when the test code has no main, or a function it calls
// cannot be forwarded.
absl::StatusOr<CppPairSources> BuildCppAssertPair(std::string_view solution,
                                                  std::string_view test_code, int64_t test_ms);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_CPP_HARNESS_H_
