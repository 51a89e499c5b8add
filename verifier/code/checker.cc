#include "verifier/code/checker.h"

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace verdict::code {
namespace {

struct Token {
  std::string_view text;
  int line;
};

std::vector<Token> Tokens(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && absl::ascii_isspace(static_cast<unsigned char>(s[i]))) {
      if (s[i] == '\n') ++line;
      ++i;
    }
    size_t start = i;
    while (i < s.size() && !absl::ascii_isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back({s.substr(start, i - start), line});
  }
  return out;
}

std::string Clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return absl::StrCat(std::string(s.substr(0, 37)), "...");
}

bool ParseDouble(std::string_view s, double* v) {
  return absl::SimpleAtod(ToAbsl(s), v) && std::isfinite(*v);
}

bool TokenEqual(const CheckerSpec& spec, std::string_view e, std::string_view a) {
  if (e == a) return true;
  switch (spec.kind) {
    case CheckerKind::kCaseInsensitive: return absl::EqualsIgnoreCase(ToAbsl(e), ToAbsl(a));
    case CheckerKind::kFloat: {
      double x, y;
      if (!ParseDouble(e, &x) || !ParseDouble(a, &y)) return false;
      double d = std::fabs(x - y);
      return d <= spec.abs_tol || d <= spec.rel_tol * std::fabs(x);
    }
    default: return false;
  }
}

}  // namespace

CheckResult CheckOutput(const CheckerSpec& spec, std::string_view expected,
                        std::string_view actual) {
  CheckResult r;
  if (spec.kind == CheckerKind::kProgram) {
    r.first_diff = "checker program is run by the judge";
    return r;
  }
  if (spec.kind == CheckerKind::kExact) {
    if (expected == actual) {
      r.accepted = true;
      return r;
    }
    size_t i = 0;
    int line = 1;
    while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) {
      if (expected[i] == '\n') ++line;
      ++i;
    }
    r.first_diff =
        absl::StrCat("byte ", i, " (line ", line, "): expected '", Clip(expected.substr(i, 20)),
                     "', got '", Clip(actual.substr(i, 20)), "'");
    return r;
  }
  std::vector<Token> e = Tokens(expected), a = Tokens(actual);
  for (size_t i = 0; i < e.size() && i < a.size(); ++i) {
    if (!TokenEqual(spec, e[i].text, a[i].text)) {
      r.first_diff = absl::StrCat("token ", i + 1, " (line ", e[i].line, "): expected '",
                                  Clip(e[i].text), "', got '", Clip(a[i].text), "'");
      return r;
    }
  }
  if (e.size() != a.size()) {
    r.first_diff = a.size() < e.size() ? absl::StrCat("output ended after ", a.size(),
                                                      " tokens, expected ", e.size())
                                       : absl::StrCat("extra output after ", e.size(), " tokens: '",
                                                      Clip(a[e.size()].text), "'");
    return r;
  }
  r.accepted = true;
  return r;
}

}  // namespace verdict::code
