// The trusted harness for JavaScript assert and call-based tests (DESIGN.md §6, issue 15), the
// counterpart of python_harness.h: two node programs that run as two sandboxed processes joined
// by two pipes (harness_pair.h, with PairOptions::harness_nonblocking and candidate_channel_fds).
//
//  - The candidate server (`main.js` beside the candidate's `solution.js`; its channel on fds 3
//    and 4, PairOptions::candidate_channel_fds, so the solution's stdin is empty and its prints
//    go to its own stdout): says it started, runs the solution as a script in its global scope
//    (`require`, `module` and `exports` defined), sends the names of the global functions the
//    solution's text mentions (declared with function, const, let, var or class: the hello),
//    then answers calls one at a time: a name (`f`, or `Solution.f`, whose instance is made
//    once) and arguments in, a value, an exception (its name and message) or a timeout (the
//    call's limit, vm's watchdog) out.
//  - The harness (`main.js` of the other run: its config on stdin, fds 3 and 4 joined to the
//    candidate, the hello on fd 5). For an assert test it binds each candidate function as a
//    global proxy that calls across the pipe synchronously (fs.readSync), then runs the test
//    code as a script (MultiPL-E's `const assert = require('node:assert'); ...` and
//    HumanEval-X's `console.assert(...)`, which throws here). The test's time limit is vm's
//    watchdog, which the test code cannot catch and which also stops a wait for a candidate
//    that never answers. It reports "<nonce> 0 <PASS|WRONG|ERROR|TIMEOUT|DIED> <ms> <message>"
//    on its stdout once the event loop is empty (asynchronous failures count). For call-based
//    cases it holds the arguments and expected values, calls `fn_name` (else Solution's method)
//    for each and compares what came back (as JSON sees it, exactly: see callTests), reporting
//    "<nonce> <index> <status> <ms> <message>" per case; TIMEOUT: the call ran past
//    `per_case_ms`, or the candidate did not answer a second after that (no case follows).
//
// Values cross as plain data only: numbers (-0, NaN and the infinities included), BigInt,
// strings, booleans, null, undefined (array holes too), and arrays, Maps, Sets and objects
// (own enumerable string keys, as plain objects) of them. A function (a valueOf or toString
// of its own, say) fails the test; a class instance crosses as a plain object without its
// prototype; a getter runs in the candidate, where its exception is the call's. The
// candidate's exceptions are thrown in the harness as the builtin error of their name (else an
// Error named after it). Arguments are copies. The test code and the expected values never exist
// in the candidate's process nor in its work dir (they travel on the harness's stdin). Unlike
// Python's, the harness cannot make itself non-dumpable (node has no prctl): where the two runs
// share a uid and a pid namespace (an --allow-unsafe-sandbox server, NeedsNoDump in judge.cc)
// the candidate could read the harness's memory or stdin (test code, expected values) via /proc.
//
// Pure functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_JS_HARNESS_H_
#define VERDICT_VERIFIER_CODE_JS_HARNESS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "verifier/code/code_reference.h"
#include "verifier/code/harness_pair.h"

namespace verdict::code {

// One pair per test; the test code may run `test_ms` once the candidate is loaded. The
// candidate run gets `candidate_source` as its `main.js` and the solution as `solution.js`;
// the harness run gets `harness_source` as `main.js` and `harness_stdin` (no test file).
PairPrograms BuildJsAssertPair(std::string_view test_code, std::string_view nonce, int64_t test_ms);

// Call-based: one pair for all cases; each call may take `per_case_ms`. With stop_on_failure
// the harness stops at the first failing case. The cases travel only in `harness_stdin`.
// Errors: kInvalidArgument for a bad fn_name or a case without JSON.
absl::StatusOr<PairPrograms> BuildJsCallPair(std::string_view fn_name,
                                             const std::vector<TestCase>& tests,
                                             int64_t per_case_ms, bool stop_on_failure,
                                             std::string_view nonce);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_JS_HARNESS_H_
