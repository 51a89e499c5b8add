#include "verifier/code/harness.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

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

bool IsIdent(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool LexCpp(std::string_view s, std::vector<CppToken>* toks, std::vector<std::string>* directives) {
  const size_t n = s.size();
  bool line_start = true;
  for (size_t i = 0; i < n;) {
    const char c = s[i];
    const char next = i + 1 < n ? s[i + 1] : 0;
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (c == '#' && line_start) {
      const size_t start = i;
      while (i < n && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
      if (directives != nullptr) directives->emplace_back(s.substr(start, std::min(i, n) - start));
      continue;
    }
    line_start = false;
    if (c == '/' && next == '/') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && next == '*') {
      const size_t end = s.find("*/", i + 2);
      if (end == s.npos) return false;
      i = end + 2;
      continue;
    }
    if (c == 'R' && next == '"' &&
        (i == 0 || !IsIdent(s[i - 1]) || s[i - 1] == '8' || s[i - 1] == 'u' || s[i - 1] == 'U' ||
         s[i - 1] == 'L')) {
      const size_t open = s.find('(', i + 2);
      if (open == s.npos || open - i > 20) return false;
      const std::string close = absl::StrCat(")", std::string(s.substr(i + 2, open - i - 2)), "\"");
      const size_t end = s.find(close, open);
      if (end == s.npos) return false;
      toks->push_back({"\"\"", i});
      i = end + close.size();
      continue;
    }
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < n && s[j] != c && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      if (j >= n || s[j] != c) return false;
      toks->push_back({"\"\"", i});
      i = j + 1;
      continue;
    }
    if (IsIdent(c)) {
      size_t j = i;
      while (j < n && (IsIdent(s[j]) || (isdigit(c) && s[j] == '.'))) {
        if (j > i && s[j] == 'R' && j + 1 < n && s[j + 1] == '"') break;  // u8R"(...)" and the like
        ++j;
      }
      toks->push_back({std::string(s.substr(i, j - i)), i});
      i = j;
      continue;
    }
    if (c == ':' && next == ':') {
      toks->push_back({"::", i});
      i += 2;
      continue;
    }
    toks->push_back({std::string(1, c), i});
    ++i;
  }
  return true;
}

std::optional<std::pair<size_t, size_t>> FindMainDefinition(std::string_view s) {
  std::vector<CppToken> t;
  if (!LexCpp(s, &t, nullptr)) return std::nullopt;
  size_t main_pos = std::string_view::npos;
  bool in_body = false;
  int depth = 0;
  for (size_t k = 0; k < t.size(); ++k) {
    const std::string& w = t[k].text;
    if (w == "main" && depth == 0 && !in_body && k + 1 < t.size() && t[k + 1].text == "(") {
      main_pos = t[k].pos;
    } else if (w == "{") {
      if (depth == 0 && main_pos != s.npos) in_body = true;
      ++depth;
    } else if (w == "}") {
      if (--depth < 0) return std::nullopt;
      if (depth == 0 && in_body) return std::make_pair(main_pos, t[k].pos);
    } else if (w == ";" && depth == 0 && !in_body) {
      main_pos = s.npos;  // a declaration, not the definition
    }
  }
  return std::nullopt;
}

CppAssertProgram BuildCppAssertProgram(std::string_view solution, std::string_view test_code) {
  CppAssertProgram p;
  std::optional<std::pair<size_t, size_t>> m = FindMainDefinition(test_code);
  if (!m.has_value()) {
    p.source = BuildAssertProgram(solution, test_code);
    return p;
  }
  const auto [name, close] = *m;
  p.has_end_marker = true;
  const std::string test(test_code);
  p.source = absl::StrCat(std::string(solution), "\n", test.substr(0, name), "verdict_test_main_",
                          test.substr(name + 4, close - name - 4), "\nreturn 0;\n",
                          test.substr(close), "\n", kCppMain);
  return p;
}

std::string SafeIncludeLine(std::string_view d) {
  size_t i = 1;
  while (i < d.size() && (d[i] == ' ' || d[i] == '\t')) ++i;
  if (d.substr(i, 7) != "include") return "";
  i += 7;
  while (i < d.size() && (d[i] == ' ' || d[i] == '\t')) ++i;
  if (i >= d.size() || d[i] != '<') return "";
  const size_t close = d.find('>', i);
  if (close == d.npos) return "";
  const std::string_view path = d.substr(i + 1, close - i - 1);
  if (path.empty() || path[0] == '/' || path.find("..") != path.npos) return "";
  for (char c : path) {
    if (!IsIdent(c) && c != '/' && c != '.' && c != '+' && c != '-') return "";
  }
  return absl::StrCat("#include <", std::string(path), ">\n");
}

std::string BuildAssertProgram(std::string_view solution, std::string_view test_code) {
  return absl::StrCat(std::string(solution), "\n", std::string(test_code), "\n");
}

}  // namespace verdict::code
