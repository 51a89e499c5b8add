#include "verifier/code/checker.h"

#include "gtest/gtest.h"

namespace verdict::code {
namespace {

struct Case {
  CheckerKind kind;
  const char* expected;
  const char* actual;
  bool accepted;
  const char* diff;  // substring of first_diff when rejected
};

TEST(CheckOutput, Table) {
  const Case cases[] = {
      {CheckerKind::kTokens, "1 2\n3\n", "1  2 3", true, ""},
      {CheckerKind::kTokens, "1 2\n3\n", "1 2\n3\n\n\n", true, ""},
      {CheckerKind::kTokens, "1 2\n3\n", "1 2\n4\n", false,
       "token 3 (line 2): expected '3', got '4'"},
      {CheckerKind::kTokens, "1\n2\n3\n", "1\n2\n", false,
       "output ended after 2 tokens, expected 3"},
      {CheckerKind::kTokens, "1\n", "1\n2\n", false, "extra output after 1 tokens: '2'"},
      {CheckerKind::kTokens, "", "", true, ""},
      {CheckerKind::kTokens, "YES", "yes", false, "expected 'YES', got 'yes'"},
      {CheckerKind::kExact, "a\n", "a\n", true, ""},
      {CheckerKind::kExact, "a\n", "a", false, "byte 1 (line 1)"},
      {CheckerKind::kExact, "a b", "a  b", false, "byte 2"},
      {CheckerKind::kCaseInsensitive, "YES\nNo", "yes no", true, ""},
      {CheckerKind::kCaseInsensitive, "YES", "yess", false, "expected 'YES'"},
      {CheckerKind::kFloat, "0.333333", "0.3333333333", true, ""},
      {CheckerKind::kFloat, "1000000", "1000000.5", true, ""},  // relative 5e-7
      {CheckerKind::kFloat, "1.0", "1.01", false, "expected '1.0', got '1.01'"},
      {CheckerKind::kFloat, "1.5 abc", "1.5000000001 abc", true, ""},
      {CheckerKind::kFloat, "nan", "nan", true, ""},
      {CheckerKind::kFloat, "1", "inf", false, ""},
      {CheckerKind::kFloat, "2", "two", false, ""},
  };
  for (const Case& c : cases) {
    CheckerSpec spec;
    spec.kind = c.kind;
    CheckResult r = CheckOutput(spec, c.expected, c.actual);
    EXPECT_EQ(r.accepted, c.accepted) << c.expected << " vs " << c.actual;
    if (!c.accepted) {
      EXPECT_NE(r.first_diff.find(c.diff), std::string::npos) << r.first_diff;
    }
  }
}

TEST(CheckOutput, FloatToleranceIsConfigurable) {
  CheckerSpec spec;
  spec.kind = CheckerKind::kFloat;
  spec.abs_tol = 0.1;
  spec.rel_tol = 0;
  EXPECT_TRUE(CheckOutput(spec, "1.0", "1.05").accepted);
  EXPECT_FALSE(CheckOutput(spec, "100", "100.2").accepted);
}

TEST(CheckOutput, LongTokensAreClippedInTheMessage) {
  CheckerSpec spec;
  CheckResult r = CheckOutput(spec, std::string(1000, 'a'), std::string(1000, 'b'));
  EXPECT_FALSE(r.accepted);
  EXPECT_LT(r.first_diff.size(), 200u);
}

}  // namespace
}  // namespace verdict::code
