#include "verifier/code/harness.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace verdict::code {
namespace {

// Runs the renamed test main; prints the end marker only after it returned 0. The nonce is
// read by a constructor of the highest non-reserved priority, before the static initializers
// of the candidate's code.
constexpr char kCppMain[] = R"CPP(
#include <type_traits>
#include <unistd.h>
  namespace verdict_harness_ {
  static char nonce[64];
  static ssize_t nonce_size = 0;
  __attribute__((constructor(101))) static void ReadNonce() {
    nonce_size = read(0, nonce, sizeof nonce);
  }
  template <typename F>
  int CallTestMain(F f, int argc, char** argv) {
    if constexpr (std::is_invocable_v<F, int, char**>) {
      return f(argc, argv);
    } else {
      return f();
    }
  }
  }  // namespace verdict_harness_
  int main(int argc, char** argv) {
    const int rc = verdict_harness_::CallTestMain(verdict_test_main_, argc, argv);
    if (rc == 0 && verdict_harness_::nonce_size > 0) {
      (void)!write(1, "\n", 1);
      (void)!write(1, verdict_harness_::nonce, verdict_harness_::nonce_size);
      (void)!write(1, " END\n", 5);
    }
    return rc;
  }
)CPP";

// The same for C (no templates): ARGS is "" or "argc, argv", as the test's main takes them.
constexpr char kCMainHead[] = R"C(
#include <unistd.h>
static char verdict_harness_nonce_[64];
static long verdict_harness_nonce_size_ = 0;
__attribute__((constructor(101))) static void verdict_harness_read_nonce_(void) {
  verdict_harness_nonce_size_ = (long)read(0, verdict_harness_nonce_, sizeof verdict_harness_nonce_);
}
int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  const int rc = verdict_test_main_()C";
constexpr char kCMainTail[] = R"C();
  if (rc == 0 && verdict_harness_nonce_size_ > 0) {
    (void)!write(1, "\n", 1);
    (void)!write(1, verdict_harness_nonce_, (size_t)verdict_harness_nonce_size_);
    (void)!write(1, " END\n", 5);
  }
  return rc;
}
)C";

bool IsIdent(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Where the identifier `main` of the file-scope definition `... main(...) {...}` starts and
// where its body's closing brace is. A small lexer: comments, string and character literals
// (raw strings too) and preprocessor lines are skipped; nullopt when there is no such
// definition or the text does not lex.
std::optional<std::pair<size_t, size_t>> FindMainDefinition(std::string_view s) {
  const size_t n = s.size();
  size_t main_pos = std::string_view::npos;
  bool in_body = false;
  bool line_start = true;  // only whitespace so far on this line
  int depth = 0;
  for (size_t i = 0; i < n;) {
    const char c = s[i];
    const char next = i + 1 < n ? s[i + 1] : 0;
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' && line_start) {  // a directive, with its continuation lines
      while (i < n && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
      continue;
    }
    line_start = false;
    if (c == '/' && next == '/') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && next == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == s.npos) return std::nullopt;
      i = end + 2;
      continue;
    }
    if (c == 'R' && next == '"' &&
        (i == 0 || !IsIdent(s[i - 1]) || s[i - 1] == '8' || s[i - 1] == 'u' || s[i - 1] == 'U' ||
         s[i - 1] == 'L')) {
      size_t open = s.find('(', i + 2);
      if (open == s.npos || open - i > 20) return std::nullopt;
      std::string close = absl::StrCat(")", std::string(s.substr(i + 2, open - i - 2)), "\"");
      size_t end = s.find(close, open);
      if (end == s.npos) return std::nullopt;
      i = end + close.size();
      continue;
    }
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < n && s[j] != c && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      if (j >= n || s[j] != c) return std::nullopt;
      i = j + 1;
      continue;
    }
    if (IsIdent(c) && !(c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < n && IsIdent(s[j])) ++j;
      if (depth == 0 && !in_body && s.substr(i, j - i) == "main") {
        size_t k = j;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) ++k;
        if (k < n && s[k] == '(') main_pos = i;
      }
      i = j;
      continue;
    }
    if (c == '{') {
      if (depth == 0 && main_pos != s.npos) in_body = true;
      ++depth;
    } else if (c == '}') {
      if (--depth < 0) return std::nullopt;
      if (depth == 0 && in_body) return std::make_pair(main_pos, i);
    } else if (c == ';' && depth == 0 && !in_body) {
      main_pos = s.npos;  // a declaration, not the definition
    }
    ++i;
  }
  return std::nullopt;
}

}  // namespace

CppAssertProgram BuildCppAssertProgram(std::string_view solution, std::string_view test_code,
                                       bool c_language) {
  CppAssertProgram p;
  std::optional<std::pair<size_t, size_t>> m = FindMainDefinition(test_code);
  if (!m.has_value()) {
    p.source = BuildAssertProgram(solution, test_code);
    return p;
  }
  const auto [name, close] = *m;
  p.has_end_marker = true;
  const std::string test(test_code);
  std::string main_code = kCppMain;
  if (c_language) {
    // C cannot ask whether the test's main takes (argc, argv): read its parameter list.
    const size_t open = test.find('(', name + 4);
    const size_t shut = open == std::string::npos ? open : test.find(')', open);
    std::string_view params;
    if (shut != std::string::npos)
      params = std::string_view(test).substr(open + 1, shut - open - 1);
    while (!params.empty() && absl::ascii_isspace(static_cast<unsigned char>(params.front()))) {
      params.remove_prefix(1);
    }
    while (!params.empty() && absl::ascii_isspace(static_cast<unsigned char>(params.back()))) {
      params.remove_suffix(1);
    }
    const bool no_args = params.empty() || params == "void";
    main_code = absl::StrCat(kCMainHead, no_args ? "" : "argc, argv", kCMainTail);
  }
  p.source = absl::StrCat(std::string(solution), "\n", test.substr(0, name), "verdict_test_main_",
                          test.substr(name + 4, close - name - 4), "\nreturn 0;\n",
                          test.substr(close), "\n", main_code);
  return p;
}

std::string BuildAssertProgram(std::string_view solution, std::string_view test_code) {
  return absl::StrCat(std::string(solution), "\n", std::string(test_code), "\n");
}

}  // namespace verdict::code
