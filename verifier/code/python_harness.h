// The trusted harness for Python tests (DESIGN.md §6, issue 15): two programs that run as two
// sandboxed processes joined by two pipes (harness_pair.h).
//
//  - The candidate server (`main.py` beside the candidate's `solution.py`): says it started,
//    loads the solution in a fresh module namespace (its stdin empty, its prints discarded),
//    sends the names of its top-level functions, classes, stdlib modules and plain-data values
//    (the hello, which the judge times and passes to the harness on fd 5), then answers calls
//    one at a time: a name (`f` or `Solution.f`, whose instance is made once) and arguments in,
//    a value, an exception (its type's MRO names and message) or a timeout out. Its protocol is
//    its stdin and stdout.
//  - The harness (`main.py` of the other run, fds 3 and 4 joined to the candidate, the hello on
//    fd 5): for
//    kAssert it runs `test.py` (the test code, trusted) in a namespace where each candidate
//    function is a proxy that calls across the pipe; for kCallBased it reads the cases on stdin,
//    calls `fn_name` for each and compares json-normalised results as the old one-process driver
//    did. It reports on its own stdout, which the candidate cannot reach:
//      "<nonce> <index> <PASS|WRONG|ERROR|TIMEOUT|DIED> <ms> <message>"
//    DIED: the candidate exited or closed the channel; the judge then reports the candidate
//    run's own status. TIMEOUT (kCallBased): the call ran past `per_case_ms`.
//
// Values cross as plain data only: None, bool, int (any size), float (nan, inf), str, bytes,
// bytearray, complex, and lists, tuples, sets, frozensets and dicts of them (subclasses cross
// as their base type). Anything else, an always-equal object for one, fails that test. The
// candidate's exceptions are raised in the harness as the first builtin exception type of their
// MRO (else `CandidateError`), so tests that expect a ValueError still see one. A dead,
// silent or garbled candidate fails the test even when the test code catches every exception.
// Arguments are copies: a test that checks that the candidate mutated its argument fails.
//
// Pure functions, thread-safe.
#ifndef VERDICT_VERIFIER_CODE_PYTHON_HARNESS_H_
#define VERDICT_VERIFIER_CODE_PYTHON_HARNESS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/runner.h"
#include "verifier/code/code_reference.h"
#include "verifier/code/harness_pair.h"

namespace verdict::code {

// The candidate run gets PairPrograms::candidate_source as its `main.py` and the solution as
// `solution.py`; the harness run gets `harness_source` as `main.py`, `test_file` as `test.py`
// (kAssert) and `harness_stdin`.

// kAssert: one pair per test; the test code may run `test_ms` once the candidate is loaded.
// With `no_dump` the harness makes itself non-dumpable (prctl through ctypes, ~3 ms): needed
// only where the two runs could share a uid and a pid namespace.
PairPrograms BuildPythonAssertPair(std::string_view test_code, std::string_view nonce,
                                   int64_t test_ms, bool no_dump);

// kCallBased: one pair for all cases; each call may take `per_case_ms` (the candidate's own
// timer interrupts it; the harness gives up one second later). With stop_on_failure the
// harness stops at the first failing case. Errors: kInvalidArgument for a bad fn_name or a
// case without JSON.
absl::StatusOr<PairPrograms> BuildPythonCallPair(std::string_view fn_name,
                                                 const std::vector<TestCase>& tests,
                                                 int64_t per_case_ms, bool stop_on_failure,
                                                 std::string_view nonce, bool no_dump);

// The two programs compiled to bytecode by the runner's python3 (`python_argv[0]`), once per
// runner and interpreter (thread-safe): each run then imports ~400 lines instead of compiling
// them. `candidate` and `harness` replace the `main.py` of the runs (beside `solution.py`,
// `test.py`). Null when compiling failed: the runs use the sources.
struct PythonPairBytecode {
  std::vector<sandbox::InputFile> candidate;
  std::vector<sandbox::InputFile> harness;
};
const PythonPairBytecode* PrecompiledPythonPair(sandbox::Runner& runner,
                                                const std::vector<std::string>& python_argv);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_PYTHON_HARNESS_H_
