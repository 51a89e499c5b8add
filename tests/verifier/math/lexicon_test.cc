// Escaping repair and the word tables (verifier/math/lexicon.h), and the trees the parser builds
// from number-like notation (issue 14): thousands separators by context, repeating decimals,
// ratios, base subscripts, ordinals, number words, floor and ceiling.
#include "verifier/math/lexicon.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "verifier/math/ast.h"
#include "verifier/math/parse.h"

namespace verdict::math {
namespace {

struct Repair {
  const char* in;
  const char* out;
};

TEST(RepairEscapes, UndoesDoubledBackslashesAndEatenEscapesOnly) {
  const Repair kRows[] = {
      {R"(\\frac{1}{2})", R"(\frac{1}{2})"},
      {R"(\\left( \\frac{4}{3}, -\\frac{1}{3} \\right))",
       R"(\left( \frac{4}{3}, -\frac{1}{3} \right))"},
      {R"(-2 \\le x \\le 7)", R"(-2 \le x \le 7)"},
      {R"(\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix})", R"(\begin{pmatrix} 1 \\ 2 \end{pmatrix})"},
      {"\frac{1}{2}", R"(\frac{1}{2})"},          // form feed + rac
      {"-\\\frac{7}{4}", R"(-\frac{7}{4})"},      // a backslash, then form feed + rac
      {"\text{cm}", R"(\text{cm})"},              // tab + ext
      {"2 \times 3", R"(2 \times 3)"},            // tab + imes
      {"x \neq 3", R"(x \neq 3)"},                // newline + eq
      {"\right)", R"(\right))"},                  // carriage return + ight
      {"\begin{pmatrix}", R"(\begin{pmatrix})"},  // backspace + egin
      // Left alone: single-backslash commands beside a row break, whitespace before prose.
      {R"(\begin{pmatrix} 1 \\ 2 \end{pmatrix})", R"(\begin{pmatrix} 1 \\ 2 \end{pmatrix})"},
      {R"(\frac{1}{2} \\frac{1}{3})", R"(\frac{1}{2} \\frac{1}{3})"},
      {"1\n2", "1\n2"},
      {"answer:\n\nend", "answer:\n\nend"},
      {"x\ne", "x\ne"},
      {"\tab", "\tab"},
      {"\tan example", "\tan example"},  // indentation before a word, not \tan
  };
  for (const Repair& r : kRows) {
    std::optional<std::string> repaired = RepairEscapes(r.in);
    EXPECT_EQ(repaired.value_or(r.in), r.out) << r.in;
    EXPECT_EQ(repaired.has_value(), std::string(r.in) != r.out) << r.in;
  }
}

TEST(NumberWordValue, ReadsZeroToTwentyAndTheTensOnly) {
  EXPECT_EQ(NumberWordValue("zero"), 0);
  EXPECT_EQ(NumberWordValue("two"), 2);
  EXPECT_EQ(NumberWordValue("twelve"), 12);
  EXPECT_EQ(NumberWordValue("twenty"), 20);
  EXPECT_EQ(NumberWordValue("ninety"), 90);
  EXPECT_EQ(NumberWordValue("hundred"), -1);
  EXPECT_EQ(NumberWordValue("twenty-one"), -1);
  EXPECT_EQ(NumberWordValue("Two"), -1);  // callers lower-case first
  EXPECT_EQ(NumberWordValue("twos"), -1);
}

struct Golden {
  const char* input;
  const char* dump;
};

TEST(ParseNumbers, ReadsNumberLikeNotationAsTheseTrees) {
  const Golden kRows[] = {
      {"(1,7,103, 105)", "(tuple () (num 1) (num 7) (num 103) (num 105))"},
      {"(1,7,103,105)", "(tuple () (num 1) (num 7) (num 103) (num 105))"},
      {"(1,103,7, 105)", "(tuple () (num 1) (num 103) (num 7) (num 105))"},
      {"(1,000, 2)", "(tuple () (num 1) (num 0) (num 2))"},  // a tuple's commas separate
      {"[1,100]", "(tuple [] (num 1) (num 100))"},
      {"1,000", "(num 1000)"},
      {"1,2,100", "(list (num 1) (num 2) (num 100))"},
      {R"(\{1,000\})", "(set (num 1) (num 0))"},
      {R"(11,\! 111,\! 100)", "(num 11111100)"},
      {"1 000 000", "(num 1000000)"},
      {"7 3/4", "(mixed (num 7) (num 3) (num 4))"},
      {R"(0.1\overline{6})", "(div (add (num 16) (neg (num 1))) (num 90))"},
      {R"(0.777\ldots)", "(div (add (num 7) (neg (num 0))) (num 9))"},
      {"7:32", R"((text "7:32"))"},
      {"3 : 4", R"((text "3:4"))"},
      {"204_5", R"((text "204_5"))"},
      {"15th Day", "(unit th day (num 15))"},
      {"12^{th}", "(unit th (num 12))"},
      {"2.653 m", "(unit m (num 2.653))"},
      {"4 m", "(mul (num 4) (sym m))"},
      {"two", "(num 2)"},
      {R"(\text{Three})", "(num 3)"},
      {"28 pct", "(percent (num 28))"},
      {R"(\lfloor x \rfloor)", "(func floor (sym x))"},
      {R"(\lceil \frac{7}{2} \rceil)", "(func ceil (div (num 7) (num 2)))"},
  };
  Limits limits;
  for (const Golden& g : kRows) {
    ParseResult r = ParseAnswer(g.input, limits);
    ASSERT_EQ(r.status, ParseResult::Status::kOk) << g.input << ": " << r.error;
    EXPECT_EQ(DumpTree(r.tree), g.dump) << g.input;
  }
}

TEST(ParseNumbers, FloorWithoutItsCloserIsASyntaxError) {
  ParseResult r = ParseAnswer(R"(\lfloor x)", Limits{});
  EXPECT_EQ(r.status, ParseResult::Status::kSyntaxError);
  EXPECT_NE(r.error.find("without"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace verdict::math
