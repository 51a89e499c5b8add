// Harness builders for one-process test runs: turn a solution and tests into the program of one
// sandbox run. (Python assert and call-based tests use the two-process harness of
// python_harness.h instead; JavaScript js_harness.h and C++ cpp_harness.h.) Pure functions,
// thread-safe.
#ifndef VERDICT_VERIFIER_CODE_HARNESS_H_
#define VERDICT_VERIFIER_CODE_HARNESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace verdict::code {

// kAssert: the program run for one test: solution, newline, test code.
std::string BuildAssertProgram(std::string_view solution, std::string_view test_code);

// Tokens of C or C++ source, each with its offset: identifiers, numbers, "::", single
// punctuation characters, and "\"\"" for a string or character literal (raw strings too).
// Comments and preprocessor lines (with their continuations) are skipped; the latter are
// appended to `directives` when it is not null. False when the text does not lex (an
// unterminated comment or literal).
struct CppToken {
  std::string text;
  size_t pos = 0;
};
bool LexCpp(std::string_view s, std::vector<CppToken>* toks, std::vector<std::string>* directives);

// Where the identifier `main` of the file-scope definition `... main(...) {...}` in C or C++
// source starts and where its body's closing brace is (LexCpp's tokens); nullopt when there is
// no such definition or the text does not lex.
std::optional<std::pair<size_t, size_t>> FindMainDefinition(std::string_view s);

// kAssert, C (the judge's C++ tests use cpp_harness.h): the program of one test, in which passing
// needs more than exit code 0. The test's `main` is renamed and gets a `return 0;` before its
// closing brace; code of ours reads a nonce from stdin (a pipe) before the candidate's static
// initializers run, and a `main` of ours calls the test's main and, only when that returned 0,
// writes "<nonce> END" on stdout. So `exit(0)`, `_exit(0)`, `quick_exit(0)`, an atexit or SIGABRT
// handler that exits 0 inside the candidate, or a candidate that reads stdin in a static
// initializer, end the run without the marker. It does not stop a candidate written against this
// scheme (one that finds the nonce in its own memory, or reads stdin from a constructor of a
// reserved priority): C++ tests call the candidate's functions directly, in one process.
// `has_end_marker` is false when the test code has no `main` definition that can be found
// (comments, strings and preprocessor lines skipped): then the program is BuildAssertProgram's and
// exit code 0 passes.
struct CppAssertProgram {
  std::string source;
  bool has_end_marker = false;
};
// `c_language`: the same for C (the test's main called with or without argc and argv, as it is
// declared).
CppAssertProgram BuildCppAssertProgram(std::string_view solution, std::string_view test_code,
                                       bool c_language = false);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_HARNESS_H_
