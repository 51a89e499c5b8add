// Regression tests for each failure mode named in issue 3's "Why": ways today's graders are
// exploited (answers taken from the reasoning, \boxed{9=2}, several candidates, thousands
// separators read as sums, rounding that makes 1/2^99 equal 1/2^98) and ways they reject right
// answers (<answer> tags without $, 6.02e23, i, 7 3/4, an inequality against its interval).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/verifier/math/printers.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

MathVerdict Completion(std::string_view completion, const std::string& gold) {
  return VerifyCompletion(completion, std::vector<std::string>{gold});
}

MathVerdict Answer(std::string_view answer, const std::string& gold) {
  return VerifyAnswer(answer, std::vector<std::string>{gold});
}

// --- Exploits: must not be kCorrect. ---

TEST(Regression, UnparseableFinalAnswerIsNotReplacedByAnEarlierOne) {
  // The reasoning holds the right number; the final answer region does not parse.
  MathVerdict v = Completion(
      "The area is $\\frac{1}{2}\\cdot 6\\cdot 8 = 24$. Hmm, not sure.\n\n"
      "So the answer is $\\boxed{\\frac{24}{}}$.",
      "24");
  EXPECT_EQ(v.outcome, Outcome::kUnparseable) << v.reason;
  v = Completion("We get $24$, so $x = 24$.\n\nThe final answer is $\\boxed{24 +}$", "24");
  EXPECT_EQ(v.outcome, Outcome::kUnparseable) << v.reason;
  v = Completion("<think>It is 24.</think>\n<answer>\\frac{24}{</answer>", "24");
  EXPECT_EQ(v.outcome, Outcome::kUnparseable) << v.reason;
}

TEST(Regression, HedgingInsideAUnitIsNotAUnit) {
  // A trailing \text{} is dropped as a unit only when it has no numbers and does not hedge.
  EXPECT_NE(Answer("5 \\text{ or 6}", "5").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("5 \\text{ (not sure)}", "5").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("5 \\text{ apples, maybe 6}", "5").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("5 \\text{ apples}", "5").outcome, Outcome::kCorrect);
}

TEST(Regression, CompletionWithoutAnAnswerMarkerIsNoAnswer) {
  // "Last number in the text" is off by default: it rewards guessing.
  const MathVerdict v = Completion("We compute 6 * 4 and get 24, which is the area.", "24");
  EXPECT_EQ(v.outcome, Outcome::kNoAnswer) << v.reason;
}

TEST(Regression, BoxedFalseEquationIsNotAcceptedForItsRightHandSide) {
  MathVerdict v = Completion("Thus $\\boxed{9=2}$.", "2");
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
  v = Answer("9=2", "2");
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
  v = Answer("9=2", "9");
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Regression, ThinSpaceThousandsSeparatorsAreOneNumberNotASum) {
  EXPECT_EQ(Answer("1\\,234\\,567", "1234567").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("1\\,234\\,567", "802").outcome, Outcome::kCorrect);  // 1 + 234 + 567
  EXPECT_EQ(Answer("1{,}234{,}567", "1234567").outcome, Outcome::kCorrect);
}

TEST(Regression, TinyRationalsAreComparedExactlyNotByRounding) {
  EXPECT_EQ(Answer("1/2^99", "1/2^98").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("2^{-99}", "\\frac{1}{2^{99}}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("10^{20}+1", "10^{20}").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("100000000000000000001", "100000000000000000000").outcome, Outcome::kWrong);
}

TEST(Regression, SeveralCandidatesDoNotMatchASingleGold) {
  EXPECT_NE(Answer("3 or 4", "3").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("3 \\text{ or } 4", "3").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("3, 4", "3").outcome, Outcome::kCorrect);
  EXPECT_NE(Completion("The answer is $\\boxed{3 \\text{ or } 4}$.", "4").outcome,
            Outcome::kCorrect);
  EXPECT_NE(Completion("So $\\boxed{\\text{the answer is 12 or 13}}$", "12").outcome,
            Outcome::kCorrect);
  EXPECT_NE(Completion("<answer>1, 2, 3, 4, 5</answer>", "3").outcome, Outcome::kCorrect);
  EXPECT_NE(Completion("$\\boxed{\\{1, 2, 3, 4, 5\\}}$", "3").outcome, Outcome::kCorrect);
}

TEST(Regression, ListingAllChoicesDoesNotMatch) {
  EXPECT_NE(Answer("A, B, C, D", "B").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("(A) (B) (C) (D)", "C").outcome, Outcome::kCorrect);
  EXPECT_NE(Completion("The answer is $\\boxed{A, B, C, D}$.", "D").outcome, Outcome::kCorrect);
  // Several boxes side by side in the final answer: one box per option.
  EXPECT_NE(
      Completion("The answer is $\\boxed{A}, \\boxed{B}, \\boxed{C}, \\boxed{D}$.", "D").outcome,
      Outcome::kCorrect);
  EXPECT_NE(
      Completion("The answer is $\\boxed{A}, \\boxed{B}, \\boxed{C}, \\boxed{D}$.", "B").outcome,
      Outcome::kCorrect);
}

// --- Right answers today's graders reject: must be kCorrect. ---

TEST(Regression, AnswerTagWithoutDollarsIsRead) {
  MathVerdict v = Completion("<think>half of it</think>\n<answer>\\frac{1}{2}</answer>", "0.5");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.source, AnswerSource::kAnswerTag);
  v = Completion("<think>half of it</think>\n<answer>$\\frac{1}{2}$</answer>", "\\frac12");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  v = Completion("<think>so x = 7</think>\n<answer>x = 7</answer>", "7");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Regression, ScientificENotationIsANumber) {
  EXPECT_EQ(Answer("6.02e23", "6.02\\times 10^{23}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("6.02e23", "602000000000000000000000").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("6.02e23", "6.02\\times 10^{22}").outcome, Outcome::kWrong);
}

TEST(Regression, LetterIIsTheImaginaryUnit) {
  EXPECT_EQ(Answer("i", "i").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("i^2", "-1").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("4i+3", "3+4i").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("-i", "i").outcome, Outcome::kWrong);
}

TEST(Regression, SpaceSeparatedMixedNumberIsASum) {
  EXPECT_EQ(Answer("7 3/4", "\\frac{31}{4}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("7 3/4", "7.75").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("7 3/4", "\\frac{21}{4}").outcome, Outcome::kWrong);
}

TEST(Regression, InequalityMatchesTheEquivalentInterval) {
  EXPECT_EQ(Answer("x>3", "(3,\\infty)").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("(3,\\infty)", "x>3").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("x \\geq 3", "(3,\\infty)").outcome, Outcome::kWrong);
}

// --- Extraction per DESIGN §5. ---

TEST(Extraction, AnswerTagComesBeforeBoxed) {
  const MathVerdict v = Completion("<think>maybe $\\boxed{5}$</think>\n<answer>7</answer>", "7");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.source, AnswerSource::kAnswerTag);
}

TEST(Extraction, LastBoxedIsTheAnswer) {
  MathVerdict v = Completion(
      "So we get $\\boxed{2\\sqrt{3}}$. Wait, that violates the constraint. Correcting the last "
      "step, the answer is $\\boxed{2\\sqrt{2}}$.",
      "2\\sqrt{2}");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.source, AnswerSource::kBoxed);
  v = Completion("So we get $\\boxed{2}$.\n\nNo: redoing it, we get $\\boxed{3}$.", "2");
  EXPECT_NE(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Extraction, BoxedWithNestedBracesAndWithoutBraces) {
  EXPECT_EQ(Completion("Thus $\\boxed{\\frac{1}{2}}$.", "0.5").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("Thus $\\boxed{\\{1, 2\\}}$.", "\\{2, 1\\}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("Thus $\\boxed 5$.", "5").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("Thus $\\fbox{5}$.", "5").outcome, Outcome::kCorrect);
}

TEST(Extraction, UnbalancedBoxIsNotCorrect) {
  EXPECT_NE(Completion("Thus $\\boxed{5$.", "5").outcome, Outcome::kCorrect);
}

TEST(Extraction, FinalAnswerPhrases) {
  MathVerdict v =
      Completion("Final Answer: The final answer is $0.5$. I hope it is correct.", "\\frac{1}{2}");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.source, AnswerSource::kFinalAnswerPhrase);
  v = Completion("Thus, the count is **73**.\n\n---\n\nFinal Answer: **73**", "73");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  v = Completion("The answer is $42$.", "42");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Extraction, RepeatedBoxWithLeadingZeros) {
  const MathVerdict v = Completion(
      "the remainder is 004. So, \\boxed{004} is the correct answer.\n\n**Final Answer**\n"
      "\\boxed{004}",
      "4");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
}

TEST(Extraction, VerdictCarriesTheExtractedTextAndAReason) {
  const MathVerdict v = Completion("Thus $\\boxed{\\dfrac{1}{2}}$.", "0.5");
  EXPECT_EQ(v.outcome, Outcome::kCorrect);
  EXPECT_EQ(v.extracted, "\\dfrac{1}{2}");
  EXPECT_FALSE(v.canonical.empty());
  EXPECT_FALSE(v.reason.empty());
  EXPECT_EQ(v.matched_gold, 0);
}

}  // namespace
}  // namespace verdict::math
