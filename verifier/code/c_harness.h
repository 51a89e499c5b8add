// The trusted harness for C assert tests (issue 15), C's counterpart of cpp_harness.h: two
// programs compiled by the "c" toolchain run as two sandboxed processes joined by pipes
// (harness_pair.h, with PairOptions::candidate_channel_fds), so the test code and its expected
// values never share a process with the candidate.
//
//  - The candidate: the solution (its own `main`, if any, renamed and never called), then a
//    dispatcher `main` that reads calls (a function's name and its serialised arguments) on fd 3,
//    calls the function and writes the serialised result on fd 4. It says "started" from a
//    constructor of priority 101 and "ready" from its main.
//  - The harness: the solution's `#include <...>` lines and its typedefs of plain types, a stub
//    per solution function the test names (its signature as read from the solution, forwarding
//    the call over the pipe), then the test code with its main renamed. It reads the nonce on
//    stdin and the hello on fd 5, times the test from there, and reports like the C++ harness:
//    PASS only when the test's main returned 0 and called every stub at least once (else a C
//    library function of the same name, a macro or a builtin took the calls); a failed assert
//    is WRONG.
//
// Values cross as plain data (c_wire.inc, the same text in both programs): every integer type
// (char, signed/unsigned char, short, int, long, long long, size_t, <stdint.h>'s exact-width
// types), bool/_Bool, float and double (exact bits); `const char*` (in) and `char*` (in, and
// copied back after the call up to its old length, for in-place functions), NULL preserved; a
// returned `char*`/`const char*` (a malloc'd copy in the harness). Arrays by C's convention: a
// pointer to a scalar followed by an integer parameter is an array of that many elements
// (`const T*` copied in, `T*` copied in and back); LeetCode's `T* f(..., int* returnSize)`
// returns a malloc'd array of `*returnSize` elements. A function the test names is refused (an
// error, never the one-process program) when it takes or returns anything else (structs,
// unions, enums, function pointers, pointers without a length, pointers to pointers, void*,
// long double), is variadic, is an old-style (K&R) or implicit-int definition, is declared with
// different signatures, or has a name the harness itself takes from the C library. Pure
// functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_C_HARNESS_H_
#define VERDICT_VERIFIER_CODE_C_HARNESS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "verifier/code/cpp_harness.h"

namespace verdict::code {

// The same four texts as the C++ pair (CppPairSources): each program is its prelude (the wire,
// the same for every solution, so the compile cache can share it) followed by its source.
// kInvalidArgument with the reason when the test code has no main, the solution or the test
// does not lex, or a function the test names cannot be forwarded.
absl::StatusOr<CppPairSources> BuildCAssertPair(std::string_view solution,
                                                std::string_view test_code, int64_t test_ms);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_C_HARNESS_H_
