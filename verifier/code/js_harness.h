// The trusted harness for JavaScript assert tests (DESIGN.md §6, issue 15), the counterpart of
// python_harness.h: two node programs that run as two sandboxed processes joined by two pipes
// (harness_pair.h, with PairOptions::harness_nonblocking and candidate_channel_fds).
//
//  - The candidate server (`main.js` beside the candidate's `solution.js`; its channel on fds 3
//    and 4, PairOptions::candidate_channel_fds, so the solution's stdin is empty and its prints
//    go to its own stdout): says it started, runs the solution as a script in its global scope
//    (`require`, `module` and `exports` defined), sends the names of the global functions the
//    solution's text mentions (declared with function, const, let, var or class: the hello),
//    then answers calls one at a time: a name and arguments in, a value or an exception (its
//    name and message) out.
//  - The harness (`main.js` of the other run: the config with the test code on stdin, fds 3
//    and 4 joined to the candidate, the hello on fd 5) binds each candidate function as a
//    global proxy that calls across the pipe synchronously (fs.readSync), then runs the test
//    code as a script (MultiPL-E's `const assert = require('node:assert'); ...` and
//    HumanEval-X's `console.assert(...)`, which throws here). The test's time limit is vm's
//    watchdog, which the test code cannot catch and which also stops a wait for a candidate
//    that never answers. It reports "<nonce> 0 <PASS|WRONG|ERROR|TIMEOUT|DIED> <ms> <message>"
//    on its stdout once the event loop is empty (asynchronous failures count).
//
// Values cross as plain data only: numbers (-0, NaN and the infinities included), BigInt,
// strings, booleans, null, undefined (array holes too), and arrays, Maps, Sets and objects
// (own enumerable string keys, as plain objects) of them. A function (a valueOf or toString
// of its own, say) fails the test; a class instance crosses as a plain object without its
// prototype; a getter runs in the candidate, where its exception is the call's. The
// candidate's exceptions are thrown in the harness as the builtin error of their name (else an
// Error named after it). Arguments are copies. The test code never exists in the candidate's
// process nor in its work dir (it travels on the harness's stdin). Unlike Python's, the harness
// cannot make itself non-dumpable (node has no prctl): where the two runs share a uid and a pid
// namespace (an --allow-unsafe-sandbox server, NeedsNoDump in judge.cc) the candidate could read
// the harness's memory or stdin through /proc.
//
// Pure functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_JS_HARNESS_H_
#define VERDICT_VERIFIER_CODE_JS_HARNESS_H_

#include <cstdint>
#include <string_view>

#include "verifier/code/harness_pair.h"

namespace verdict::code {

// One pair per test; the test code may run `test_ms` once the candidate is loaded. The
// candidate run gets `candidate_source` as its `main.js` and the solution as `solution.js`;
// the harness run gets `harness_source` as `main.js` and `harness_stdin` (no test file).
PairPrograms BuildJsAssertPair(std::string_view test_code, std::string_view nonce, int64_t test_ms);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_JS_HARNESS_H_
