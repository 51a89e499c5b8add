// Harness builders for one-process test runs: turn a solution and tests into the program of one
// sandbox run, and the C/C++ lexing the two-process harnesses share. (Python assert and
// call-based tests use the two-process harness of python_harness.h instead; JavaScript
// js_harness.h, C++ cpp_harness.h and C c_harness.h.) Pure functions, thread-safe.
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

// A preprocessor line (LexCpp's `directives`) as the line `#include <path>\n` when it includes a
// plain header path (no `..`, not absolute, no quotes), else empty: the harness programs of the
// C and C++ assert pairs include the solution's headers, never a file the solution names.
std::string SafeIncludeLine(std::string_view directive);

// The one-process C++ assert program the judge used before the harness pair (cpp_harness.h):
// no longer judged with, kept as code_bench's baseline for what the pair costs. The test's `main`
// is renamed and gets a `return 0;` before its closing brace; a `main` of ours calls it and, only
// when it returned 0, writes "<nonce> END" on stdout, the nonce read from stdin by a constructor
// of priority 101. `has_end_marker` is false when the test code has no `main` definition that can
// be found: then the program is BuildAssertProgram's.
struct CppAssertProgram {
  std::string source;
  bool has_end_marker = false;
};
CppAssertProgram BuildCppAssertProgram(std::string_view solution, std::string_view test_code);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_HARNESS_H_
