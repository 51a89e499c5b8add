// Budgets (issue 3 point 4): inputs built to exhaust time, memory or stack (power towers, huge
// factorials, 100k nested braces, a 1 MB answer, deeply nested \frac) must each come back with a
// verdict, never be judged equal to 1 (none of them equals 1), and get the same verdict from any
// thread.
// The ctest TIMEOUT catches a hang; elapsed times are printed, not asserted (STYLE.md rule 10).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/verifier/math/printers.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// `open` n times, then `middle`, then `close` n times.
std::string Nest(std::string_view open, std::string_view middle, std::string_view close, size_t n) {
  return Repeat(open, n) + std::string(middle) + Repeat(close, n);
}

struct Hostile {
  std::string name;
  std::string answer;
};

std::vector<Hostile> HostileAnswers() {
  return {
      {"power tower 10^{10^{10}}", "10^{10^{10}}"},
      {"power tower 9^{9^{9}}", "9^{9^{9}}"},
      {"power tower 2^2^2^2^2^2", "2^{2^{2^{2^{2^{2}}}}}"},
      {"negative power tower", "10^{-10^{10}}"},
      {"tower minus itself", "10^{10^{10}}-10^{10^{10}}+2"},
      {"symbolic huge power", "x^{10^{10}}"},
      {"exp tower", "e^{e^{e^{e^{10}}}}"},
      {"sine of a huge number", "\\sin(10^{100})"},
      {"huge factorial", "100000!"},
      {"factorial of a power", "(10^{10})!"},
      {"nested factorial", "((10!)!)!"},
      {"huge binomial", "\\binom{10^{12}}{10^{6}}"},
      {"huge e-notation", "1.0e999999999"},
      {"60k-digit integer", Repeat("9", 60000)},
      {"30k nested braces", Nest("{", "2", "}", 30000)},
      {"100k nested braces", Nest("{", "2", "}", 100000)},
      {"100k open braces", Repeat("{", 100000)},
      {"30k nested parentheses", Nest("(", "2", ")", 30000)},
      {"20k nested \\left( \\right)", Nest("\\left(", "2", "\\right)", 20000)},
      {"10k nested \\frac", Nest("\\frac{1}{", "2", "}", 10000)},
      {"10k nested \\frac in numerators", Nest("\\frac{", "1", "}{2}", 10000)},
      {"10k nested \\sqrt", Nest("\\sqrt{", "0", "}", 10000)},
      {"5k-level power chain", Nest("2^{", "2", "}", 5000)},
      {"10001 unary minus", Repeat("-", 10001) + "1"},
      {"1 MB sum", Repeat("1+", 500000) + "1"},
      {"1 MB product of x", Repeat("x\\cdot ", 150000) + "x"},
      {"20k-term polynomial", Repeat("(x+1)", 20000)},
      {"(x+1)^{10000}", "(x+1)^{10000}-x"},
      {"20k-element set", "\\{" + Repeat("1,", 20000) + "2\\}"},
      {"large matrix",
       "\\begin{pmatrix}" + Repeat(Repeat("1 & ", 99) + "1 \\\\ ", 100) + "\\end{pmatrix}"},
  };
}

void ExpectFinishesAndIsNotOne(const Hostile& h, const MathOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const MathVerdict v = VerifyAnswer(h.answer, std::vector<std::string>{"1"}, options);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %-34s %9zu bytes  %-11s %8.2f ms\n", h.name.c_str(), h.answer.size(),
              std::string(OutcomeName(v.outcome)).c_str(), ms);
  EXPECT_NE(v.outcome, Outcome::kCorrect) << h.name << ": " << v.reason;
}

TEST(Budget, HostileAnswersFinishWithDefaultOptions) {
  for (const Hostile& h : HostileAnswers()) ExpectFinishesAndIsNotOne(h, MathOptions{});
}

// With the byte budget raised far above the input, the depth, node, digit and step budgets must
// still bound the work.
TEST(Budget, HostileAnswersFinishWithALargeByteBudget) {
  MathOptions options;
  options.max_answer_bytes = 8 << 20;
  for (const Hostile& h : HostileAnswers()) ExpectFinishesAndIsNotOne(h, options);
}

TEST(Budget, HostileGoldsFinish) {
  for (const Hostile& h : HostileAnswers()) {
    const MathVerdict v = VerifyAnswer("1", std::vector<std::string>{h.answer});
    EXPECT_NE(v.outcome, Outcome::kCorrect) << h.name << ": " << v.reason;
  }
}

TEST(Budget, AnswerOverTheByteBudgetIsUndecided) {
  MathOptions options;
  options.max_answer_bytes = 1024;
  const MathVerdict v =
      VerifyAnswer(Repeat("1+", 1000) + "1", std::vector<std::string>{"1001"}, options);
  EXPECT_EQ(v.outcome, Outcome::kUndecided) << v.reason;
}

TEST(Budget, OneMegabyteCompletionWithTheAnswerAtTheEnd) {
  const std::string reasoning = Repeat("We try $x = 3$ and get $\\frac{1}{2}$. ", 30000);
  ASSERT_GT(reasoning.size(), 1u << 20);
  MathVerdict v = VerifyCompletion(reasoning + "\n\nThe answer is $\\boxed{7}$.",
                                   std::vector<std::string>{"7"});
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  v = VerifyCompletion(reasoning + "\\boxed{" + Repeat("{", 1 << 20),
                       std::vector<std::string>{"1"});
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
  v = VerifyCompletion(Repeat("\\boxed{", 200000), std::vector<std::string>{"1"});
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Budget, CompletionOverTheSearchBudgetIsSearchedAtItsEnd) {
  MathOptions options;
  options.max_completion_bytes = 64 * 1024;
  const std::string early = "<answer>1</answer>";
  const std::string filler = Repeat("Some reasoning. ", 10000);
  const MathVerdict v = VerifyCompletion(early + filler + "The answer is $\\boxed{7}$.",
                                         std::vector<std::string>{"7"}, options);
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
}

// Budgets are counts, not timers: the verdict for each input is the same on every thread, even
// when many threads run at once.
TEST(Budget, SameVerdictFromManyThreadsAtOnce) {
  std::vector<Hostile> inputs = HostileAnswers();
  inputs.push_back({"fraction", "\\frac{1}{2}"});
  inputs.push_back({"interval", "(3,\\infty)"});
  inputs.push_back({"expression", "(x+1)^2"});
  inputs.push_back({"trig", "\\sin^2 x+\\cos^2 x"});
  std::vector<MathVerdict> want;
  for (const Hostile& h : inputs) {
    want.push_back(VerifyAnswer(h.answer, std::vector<std::string>{"1"}));
  }
  constexpr int kThreads = 4;
  std::vector<std::vector<MathVerdict>> got(kThreads);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      got[t].resize(inputs.size());
      for (size_t i = 0; i < inputs.size(); ++i) {
        // Each thread walks the inputs from a different starting point.
        const size_t k = (i + t * 7) % inputs.size();
        got[t][k] = VerifyAnswer(inputs[k].answer, std::vector<std::string>{"1"});
      }
    });
  }
  for (std::thread& t : pool) t.join();
  for (int t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      EXPECT_EQ(got[t][i].outcome, want[i].outcome) << inputs[i].name << " on thread " << t;
      EXPECT_EQ(got[t][i].canonical, want[i].canonical) << inputs[i].name << " on thread " << t;
      EXPECT_EQ(got[t][i].reason, want[i].reason) << inputs[i].name << " on thread " << t;
    }
  }
}

}  // namespace
}  // namespace verdict::math
