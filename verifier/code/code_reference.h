// Code verification domain types: what a reference says (tests, checker, limits) and what a
// judged completion gets (a typed verdict with per-test details).
#ifndef VERDICT_VERIFIER_CODE_CODE_REFERENCE_H_
#define VERDICT_VERIFIER_CODE_CODE_REFERENCE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/runner.h"

namespace verdict::code {

// How the tests exercise a program.
enum class TestShape {
  kStdio,      // program reads `TestCase::input` on stdin; stdout checked against `expected`
  kCallBased,  // `fn_name` called with JSON args `input`; JSON return compared with `expected`
  kAssert,     // test code `TestCase::input` exercises the program; pass = it completes (Python:
               // in a harness process of its own; C++: with an end marker; else: exit code 0)
};

enum class CheckerKind {
  kTokens,           // whitespace-separated tokens equal (default for stdio)
  kExact,            // byte-equal
  kFloat,            // tokens equal, or both numbers within abs_tol or rel_tol
  kCaseInsensitive,  // tokens equal ignoring ASCII case
  kProgram,          // a checker program decides (exit 0 = accepted)
};

struct CheckerSpec {
  CheckerKind kind = CheckerKind::kTokens;
  // kFloat: accepted when |a-b| <= abs_tol or |a-b| <= rel_tol * |b|. Defaults 1e-6 and 1e-6.
  double abs_tol = 1e-6;
  double rel_tol = 1e-6;
  // kProgram: the checker's language (toolchain name) and source. It runs sandboxed as
  // `checker input.txt output.txt expected.txt` in a work dir holding those three files.
  std::string program_language = "python3";
  std::string program_source;
};

struct TestCase {
  // kStdio: stdin. kCallBased: JSON array of arguments. kAssert: test code (Python: run by the
  // trusted harness with the program's top-level names as proxies; else appended to it).
  std::string input;
  // kStdio: expected stdout. kCallBased: expected return value as JSON. kAssert: unused.
  std::string expected;
};

struct CodeReference {
  // Toolchain name or alias ("python3", "cpp17", "c", "javascript", ...).
  std::string language = "python3";
  TestShape shape = TestShape::kStdio;
  std::vector<TestCase> tests;
  // kCallBased: the function to call (a top-level function, or a method of class Solution).
  std::string fn_name;
  CheckerSpec checker;
  // Limits of one test run (call-based: of each case; the process gets the sum plus start-up).
  sandbox::RunLimits limits;
};

// Verdict of a sample or a single test. Maps one to one onto the wire enum.
enum class Verdict {
  kCorrect,       // all tests passed
  kWrongAnswer,   // ran fine, output judged different
  kPartial,       // some but not all tests passed (pass-fraction scoring only)
  kNoCode,        // no code block of the requested language in the completion
  kCompileError,  // the compiler rejected the program
  kRuntimeError,  // non-zero exit, signal, exception (call-based), failed assert
  kTimeLimit,     // CPU or wall-clock limit
  kMemoryLimit,   // memory limit
  kOutputLimit,   // stdout or file size limit
};

std::string_view VerdictName(Verdict verdict);  // "correct", "wrong_answer", ...

struct TestDetail {
  int index = 0;
  bool passed = false;
  // Not run: early stop after a failure, or an earlier failure ended the shared process.
  bool skipped = false;
  Verdict verdict = Verdict::kCorrect;
  double wall_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  // For wrong answers: "line 3: expected '5', got '6'" (capped); for errors: the runner's detail
  // or the last stderr line.
  std::string message;
};

struct CodeVerdict {
  Verdict verdict = Verdict::kNoCode;
  int passed = 0;
  int total = 0;
  // passed / total (0 when there are no tests run).
  double pass_fraction = 0;
  // The reward accuracy as configured: pass_fraction, or 1/0 for all-pass.
  double accuracy = 0;
  std::vector<TestDetail> tests;
  std::string extracted_code;
  // Compiler diagnostics for kCompileError (capped).
  std::string compile_output;
  bool compile_cache_hit = false;
  // One line for a person: why.
  std::string reason;
};

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_CODE_REFERENCE_H_
