// Golden parse trees (issue 3): what the parser reads each construct as, as an S-expression
// (ast.h DumpTree), and the errors it gives for unreadable input.
#include "verifier/math/parse.h"
#include "verifier/math/ast.h"

#include "gtest/gtest.h"

namespace verdict::math {
namespace {

struct Golden {
  const char* input;
  const char* dump;  // "ERROR <message>" for a syntax error
};

constexpr Golden kGolden[] = {
    {R"g(42)g", R"g((num 42))g"},
    {R"g(-7)g", R"g((neg (num 7)))g"},
    {R"g(004)g", R"g((num 4))g"},
    {R"g(1,234,567)g", R"g((num 1234567))g"},
    {R"g(1\,234\,567)g", R"g((num 1234567))g"},
    {R"g(1{,}000)g", R"g((num 1000))g"},
    {R"g(1,234.5)g", R"g((num 1234.5))g"},
    {R"g(2.50)g", R"g((num 2.50))g"},
    {R"g(.5)g", R"g((num 0.5))g"},
    {R"g(6.02e23)g", R"g((num 6.02e23))g"},
    {R"g(1.2\times10^{-5})g", R"g((mul (num 1.2) (pow (num 10) (neg (num 5)))))g"},
    {R"g(\frac{1}{2})g", R"g((div (num 1) (num 2)))g"},
    {R"g(\dfrac12)g", R"g((div (num 1) (num 2)))g"},
    {R"g(\frac{\sqrt{3}}{2})g", R"g((div (func sqrt (num 3)) (num 2)))g"},
    {R"g(\sqrt[3]{8})g", R"g((pow (num 8) (div (num 1) (num 3))))g"},
    {R"g(\sqrt(2))g", R"g((func sqrt (num 2)))g"},
    {R"g(x^2+2x+1)g", R"g((add (pow (sym x) (num 2)) (mul (num 2) (sym x)) (num 1)))g"},
    {R"g(2^{10})g", R"g((pow (num 2) (num 10)))g"},
    {R"g(x_1+x_2)g", R"g((add (sym x_1) (sym x_2)))g"},
    {R"g(2\frac12)g", R"g((mixed (num 2) (num 1) (num 2)))g"},
    {R"g(7 3/4)g", R"g((mixed (num 7) (num 3) (num 4)))g"},
    {R"g(-2\frac{1}{2})g", R"g((neg (mixed (num 2) (num 1) (num 2))))g"},
    {R"g(3\cdot 4)g", R"g((mul (num 3) (num 4)))g"},
    {R"g(6\div 3)g", R"g((div (num 6) (num 3)))g"},
    {R"g(\pm 2)g", R"g((pm (num 2)))g"},
    {R"g(3\pm\sqrt{2})g", R"g((pm (num 3) (func sqrt (num 2))))g"},
    {R"g(\mp 1)g", R"g((pm mp (num 1)))g"},
    {R"g(\pi)g", R"g((pi))g"},
    {R"g(2\pi r)g", R"g((mul (num 2) (pi) (sym r)))g"},
    {R"g(e^{i\pi})g", R"g((pow (e) (mul (i) (pi))))g"},
    {R"g(5i)g", R"g((mul (num 5) (i)))g"},
    {R"g(\infty)g", R"g((inf))g"},
    {R"g(-\infty)g", R"g((neg (inf)))g"},
    {R"g(\left( 1, 2 \right))g", R"g((tuple () (num 1) (num 2)))g"},
    {R"g((1,2,3))g", R"g((tuple () (num 1) (num 2) (num 3)))g"},
    {R"g([2,5))g", R"g((tuple [) (num 2) (num 5)))g"},
    {R"g((-\infty, 3])g", R"g((tuple (] (neg (inf)) (num 3)))g"},
    {R"g((-\infty,-1)\cup(1,\infty))g",
     R"g((union (tuple () (neg (inf)) (neg (num 1))) (tuple () (num 1) (inf))))g"},
    {R"g(\{1,2,3\})g", R"g((set (num 1) (num 2) (num 3)))g"},
    {R"g(\emptyset)g", R"g((set))g"},
    {R"g(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})g",
     R"g((matrix 2x2 (num 1) (num 2) (num 3) (num 4)))g"},
    {R"g(\begin{bmatrix} 1 \\ 2 \end{bmatrix})g", R"g((matrix 2x1 (num 1) (num 2)))g"},
    {R"g(\begin{vmatrix} a & b \\ c & d \end{vmatrix})g",
     R"g((det (matrix 2x2 (sym a) (sym b) (sym c) (sym d))))g"},
    {R"g(\begin{array}{cc} 1 & 0 \\ 0 & 1 \end{array})g",
     R"g((matrix 2x2 (num 1) (num 0) (num 0) (num 1)))g"},
    {R"g(x = 5)g", R"g((rel (sym x) = (num 5)))g"},
    {R"g(y = 2x + 1)g", R"g((rel (sym y) = (add (mul (num 2) (sym x)) (num 1))))g"},
    {R"g(a=2, b=3)g", R"g((list (rel (sym a) = (num 2)) (rel (sym b) = (num 3))))g"},
    {R"g(x > 3)g", R"g((rel (sym x) > (num 3)))g"},
    {R"g(-2 < x \le 5)g", R"g((rel (neg (num 2)) < (sym x) <= (num 5)))g"},
    {R"g(x \ge 3)g", R"g((rel (sym x) >= (num 3)))g"},
    {R"g(x \ne 0)g", R"g((rel (sym x) != (num 0)))g"},
    {R"g(x \in (3, \infty))g", R"g((rel (sym x) in (tuple () (num 3) (inf))))g"},
    {R"g(x<-1 \text{ or } x>1)g",
     R"g((list or (rel (sym x) < (neg (num 1))) (rel (sym x) > (num 1))))g"},
    {R"g(\sin^2 x + \cos^2 x)g",
     R"g((add (pow (func sin (sym x)) (num 2)) (pow (func cos (sym x)) (num 2))))g"},
    {R"g(\sin^{-1}(1))g", R"g((func arcsin (num 1)))g"},
    {R"g(\log_2 8)g", R"g((func log (num 8) (num 2)))g"},
    {R"g(\ln(e^2))g", R"g((func ln (pow (e) (num 2))))g"},
    {R"g(\log_{10} 100)g", R"g((func log (num 100) (num 10)))g"},
    {R"g(\exp(1))g", R"g((func exp (num 1)))g"},
    {R"g(5!)g", R"g((fact (num 5)))g"},
    {R"g(\binom{5}{2})g", R"g((binom (num 5) (num 2)))g"},
    {R"g(|x-1|)g", R"g((abs (add (sym x) (neg (num 1)))))g"},
    {R"g(25\%)g", R"g((percent (num 25)))g"},
    {R"g(30^\circ)g", R"g((degree (num 30)))g"},
    {R"g(30^{\circ})g", R"g((degree (num 30)))g"},
    {R"g(30 degrees)g", R"g((degree (num 30)))g"},
    {R"g(5 \text{ cm})g", R"g((unit cm (num 5)))g"},
    {R"g(36\pi \text{ cm}^2)g", R"g((unit cm (mul (num 36) (pi))))g"},
    {R"g(\$18.90)g", R"g((num 18.90))g"},
    {R"g(\text{Evelyn})g", R"g((text "evelyn"))g"},
    {R"g(Evelyn)g", R"g((text "evelyn"))g"},
    {R"g(\text{yes})g", R"g((text "yes"))g"},
    {R"g(no solution)g", R"g((text "no solution"))g"},
    {R"g(\textbf{(D)})g", R"g((sym D))g"},
    {R"g((B))g", R"g((sym B))g"},
    {R"g(\text{B})g", R"g((sym B))g"},
    {R"g(2 \text{ and } 4)g", R"g((list (num 2) (num 4)))g"},
    {R"g(3 or 4)g", R"g((list or (num 3) (num 4)))g"},
    {R"g(xy)g", R"g((mul (sym x) (sym y)))g"},
    {R"g(\alpha + \beta)g", R"g((add (sym \alpha) (sym \beta)))g"},
    {R"g(\mathbb{R})g", R"g((reals))g"},
    {R"g(\frac{1}{2004!})g", R"g((div (num 1) (fact (num 2004))))g"},
    {R"g(\boxed{42})g", R"g((num 42))g"},
    {R"g(2(3))g", R"g((mul (num 2) (num 3)))g"},
    {R"g((x+1)(x-1))g", R"g((mul (add (sym x) (num 1)) (add (sym x) (neg (num 1)))))g"},
    {R"g(\frac{1}{)g", R"g(ERROR unbalanced '{' at offset 9)g"},
    {R"g(\text{undefined}()g", R"g(ERROR unbalanced '(' at offset 17)g"},
    {R"g(1 2)g", R"g(ERROR two numbers side by side at offset 3)g"},
    {R"g(\foo)g", R"g(ERROR unknown command \foo at offset 4)g"},
};

TEST(ParseGolden, EveryConstructReadsAsItsTree) {
  for (const Golden& g : kGolden) {
    ParseResult r = ParseAnswer(g.input, Limits{});
    std::string got = r.status == ParseResult::Status::kOk ? DumpTree(r.tree) : "ERROR " + r.error;
    EXPECT_EQ(got, g.dump) << "input: " << g.input;
  }
}

TEST(ParseGolden, DepthBudgetIsABudgetNotASyntaxError) {
  std::string deep(100000, '{');
  deep += "1";
  deep += std::string(100000, '}');
  ParseResult r = ParseAnswer(deep, Limits{});
  EXPECT_EQ(r.status, ParseResult::Status::kBudget) << r.error;
  Limits small;
  small.max_nodes = 10;
  EXPECT_EQ(ParseAnswer("1+2+3+4+5+6+7+8+9+10+11", small).status, ParseResult::Status::kBudget);
  small = Limits{};
  small.max_digits = 5;
  EXPECT_EQ(ParseAnswer("1234567", small).status, ParseResult::Status::kBudget);
}

}  // namespace
}  // namespace verdict::math
