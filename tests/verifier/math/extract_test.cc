// Tests for verifier/math/extract.cc (and sentence.cc): where the answer is found, in completions,
// bare answers and golds (DESIGN §5 "Answer extraction", issue #14). Each rule has its accepted
// forms and wrong neighbours that must stay rejected; hedges and retractions must never match.
#include "verifier/math/extract.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/verifier/math/printers.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

struct Case {
  std::string text;
  AnswerSource source;
  std::string answer;  // Extraction::text
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.text; }

MathVerdict Completion(std::string_view completion, const std::string& gold) {
  return VerifyCompletion(completion, std::vector<std::string>{gold});
}

MathVerdict Answer(std::string_view answer, const std::string& gold) {
  return VerifyAnswer(answer, std::vector<std::string>{gold});
}

// --- The answer is a sentence: its one math span, or the one value it states. ---

class SentenceAnswer : public testing::TestWithParam<Case> {};

TEST_P(SentenceAnswer, IsNarrowedToTheValueItStates) {
  const Extraction e = ExtractBareAnswer(GetParam().text, {});
  EXPECT_EQ(e.source, GetParam().source);
  EXPECT_EQ(e.text, GetParam().answer);
  EXPECT_TRUE(e.refusal.empty()) << e.refusal;
}

INSTANTIATE_TEST_SUITE_P(
    MathVerifyForms, SentenceAnswer,
    testing::Values(
        Case{"Answer $ 9 $", AnswerSource::kFinalAnswerPhrase, "9"},
        Case{"Answer \\[ 9 \\]", AnswerSource::kFinalAnswerPhrase, "9"},
        Case{"Answer $$ 9 $$", AnswerSource::kFinalAnswerPhrase, "9"},
        Case{"Answer \\( 9 \\)", AnswerSource::kFinalAnswerPhrase, "9"},
        Case{"Answer \\( (9+1) \\)", AnswerSource::kFinalAnswerPhrase, "(9+1)"},
        Case{"Answer \\[ \n 9 \n \\]", AnswerSource::kFinalAnswerPhrase, "9"},  // block math
        Case{"Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $", AnswerSource::kFinalAnswerPhrase,
             "\\frac{1}{2} \\$ = \\frac{10}{9}"},  // `\$` inside math does not close it
        Case{"Final Answer: The largest $n$ is 34.", AnswerSource::kFinalAnswerPhrase, "34"},
        Case{"Therefore $x \\geq 5$ is the solution.", AnswerSource::kWholeText, "x \\geq 5"},
        Case{"We find that $x \\lt 3$.", AnswerSource::kWholeText, "x \\lt 3"},
        Case{"The solution is $x != 5$", AnswerSource::kWholeText, "x != 5"},
        Case{"The identity matrix is $ \\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix} $.",
             AnswerSource::kWholeText, "\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}"},
        Case{"Special matrix: $ \\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right] $",
             AnswerSource::kWholeText,
             "\\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right]"},
        Case{"The value of $x$ is $5$.", AnswerSource::kWholeText, "5"},
        Case{"Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.",
             AnswerSource::kFinalAnswerPhrase, "120"},
        Case{"Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct.",
             AnswerSource::kFinalAnswerPhrase, "3"},
        Case{"<answer>The answer is $\\frac{1}{2}$.</answer>", AnswerSource::kAnswerTag,
             "\\frac{1}{2}"},
        Case{"<answer>Therefore $x = 7$ is our answer.</answer>", AnswerSource::kAnswerTag,
             "x = 7"},
        Case{"The final answer is $\\$18$", AnswerSource::kFinalAnswerPhrase, "\\$18"},
        Case{"Final Answer: The final answer is $28 \\%$. I hope it is correct.",
             AnswerSource::kFinalAnswerPhrase, "28 \\%"},
        Case{"**Answer:** 42", AnswerSource::kFinalAnswerPhrase, "42"},
        Case{"**Final Answer**\n42", AnswerSource::kFinalAnswerPhrase, "42"},
        Case{"The answer is two.", AnswerSource::kFinalAnswerPhrase, "two"}));

// Sentences that state several values, a hedge, a bound or an operation are not narrowed to one
// number: the region stays whole, and the parser reads it as what it is (a list, or text).
INSTANTIATE_TEST_SUITE_P(
    NotNarrowed, SentenceAnswer,
    testing::Values(
        Case{"Answer $ \n 9 \n $", AnswerSource::kFinalAnswerPhrase, "$"},  // inline math: one line
        Case{"Answer \\( \n 9 \n \\)", AnswerSource::kFinalAnswerPhrase, "\\("},
        Case{"Answer $3$ or $4$", AnswerSource::kFinalAnswerPhrase, "$3$ or $4$"},
        Case{"The answer is the square root of 2.", AnswerSource::kFinalAnswerPhrase,
             "the square root of 2"},
        Case{"The answer is at least 5.", AnswerSource::kFinalAnswerPhrase, "at least 5"},
        Case{"$3$ is not the answer, $4$ is.", AnswerSource::kWholeText,
             "$3$ is not the answer, $4$ is."},
        Case{"so the number is 10 which is 1,000.99", AnswerSource::kWholeText,
             "so the number is 10 which is 1,000.99"},
        Case{"We take log 8.", AnswerSource::kWholeText, "We take log 8."},
        Case{"x = 3. x = 4", AnswerSource::kWholeText, "x = 3. x = 4"}));

TEST(SentenceAnswer, CorrectFormsAreAcceptedAndTheirNeighboursRejected) {
  EXPECT_EQ(Answer("Answer $ 9 $", "$9$").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("Answer $ 8 $", "$9$").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("Answer \\( (9+1) \\)", "10").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("Answer \\( (9-1) \\)", "10").outcome, Outcome::kWrong);
  EXPECT_NE(Answer("Answer $ \n 9 \n $", "9").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("Final Answer: The largest $n$ is 34.", "34").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("Final Answer: The largest $n$ is 34.", "35").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("Therefore $x \\geq 5$ is the solution.", "x >= 5").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("Therefore $x \\geq 5$ is the solution.", "x > 5").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("Therefore $x \\geq 5$ is the solution.", "x <= 5").outcome, Outcome::kWrong);
  EXPECT_EQ(Completion("<answer>The answer is $\\frac{1}{2}$.</answer>", "0.5").outcome,
            Outcome::kCorrect);
  EXPECT_EQ(Completion("<answer>The answer is $-\\frac{1}{2}$.</answer>", "0.5").outcome,
            Outcome::kWrong);
  const MathVerdict v = Answer(
      "The identity matrix is $\\begin{pmatrix}1 & 0 \\\\ 0 & 1"
      "\\end{pmatrix}$.",
      "\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_NE(v.reason.find("the value its sentence states"), std::string::npos) << v.reason;
  EXPECT_EQ(Answer("The identity matrix is $\\begin{pmatrix}1 & 0 \\\\ 1 & 1\\end{pmatrix}$.",
                   "\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}")
                .outcome,
            Outcome::kWrong);
}

TEST(SentenceAnswer, HedgesAndSeveralValuesNeverMatchOne) {
  for (const char* gold : {"3", "4"}) {
    EXPECT_NE(Answer("Answer $3$ or $4$", gold).outcome, Outcome::kCorrect) << gold;
    EXPECT_NE(Answer("$3$ is not the answer, $4$ is.", gold).outcome, Outcome::kCorrect) << gold;
    EXPECT_NE(Completion("<answer>It is 3. It is 4.</answer>", gold).outcome, Outcome::kCorrect)
        << gold;
    EXPECT_NE(Completion("<answer>x = 3. x = 4</answer>", gold).outcome, Outcome::kCorrect) << gold;
  }
  EXPECT_NE(Answer("The answer is the square root of 2.", "2").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("The answer is the square root of $2$.", "2").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("The answer is half of $6$.", "6").outcome, Outcome::kCorrect);
  // Not narrowed to `3` (how the parser reads "3 million" is parse.cc's business).
  EXPECT_EQ(ExtractBareAnswer("The answer is $3$ million.", {}).text, "$3$ million");
  EXPECT_NE(Answer("The answer is at least 5.", "5").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("We take log 8.", "8").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("so the number is 10 which is 1,000.99", "1000.99").outcome, Outcome::kCorrect);
  EXPECT_NE(Answer("The value of $f(7)$ is $5$.", "7").outcome, Outcome::kCorrect);
}

// "not 10, it's 12": a value right after "not" is ruled out and the sentence states what follows
// it (Math-Verify's `test_number_extraction` rows). Never the negated value, and never when the
// rest hedges, adds a value, or something before the negation states one.
TEST(SentenceAnswer, ANegatedValueIsRuledOutAndTheOneAfterItStated) {
  struct Row {
    std::string answer, gold;
  };
  const Row accepted[] = {
      {"the number is not 10 which is 1,000.99\u20ac", "1000.99"},
      {"not it's not 10 it's 1,000.99m\u00b2", "1000.99"},
      {"It's not $10$, it's $12$.", "12"},
      {"It is not 10, it is 12.", "12"},
      {"The answer isn't 3, it's -4.", "-4"},
      {"not 10, 12", "12"},
  };
  for (const Row& r : accepted) {
    const MathVerdict v = Answer(r.answer, r.gold);
    EXPECT_EQ(v.outcome, Outcome::kCorrect) << r.answer << ": " << v.reason;
  }
  const Row rejected[] = {
      {"the number is not 10 which is 1,000.99\u20ac", "10"},  // the negated value
      {"It's not $10$, it's $12$.", "10"},
      {"It is not 12, it is 10.", "12"},
      {"the number is not 10 which is -1,000.99", "1000.99"},  // sign flipped
      {"the number is not 10 which is 1,000.98", "1000.99"},   // one digit changed
      {"The answer isn't 3, it's -4.", "4"},
      {"It's not 5 only but also 6", "6"},  // both
      {"It's not 5, it's 6 or 7", "6"},     // a hedge after it
      {"It's not 5, it's 6 and 7", "6"},
      {"maybe not 5, it is 6", "6"},        // a hedge before it
      {"it is 3, not 5, it's 6", "6"},      // a value before the negation
      {"it is not 5 times, it is 6", "6"},  // the value was an operand
      {"it's not 5, it's 6 squared", "6"},  // an operation after the stated value
      {"It is not 5.", "5"},
      {"so the number is 10 which is 1,000.99", "1000.99"},  // nothing negated: 10 stands
  };
  for (const Row& r : rejected) {
    EXPECT_NE(Answer(r.answer, r.gold).outcome, Outcome::kCorrect) << r.answer << " / " << r.gold;
  }
  // The same rule after a second thought that follows a box: the value stated replaces it.
  EXPECT_EQ(Completion("\\boxed{5}. Hmm, it's not 5, it's 6.", "6").outcome, Outcome::kCorrect);
  EXPECT_NE(Completion("\\boxed{5}. Hmm, it's not 5, it's 6.", "5").outcome, Outcome::kCorrect);
}

// --- Several boxes that together are the answer. ---

TEST(BoxList, AdjacentBoxesAreOneList) {
  struct Row {
    std::string completion, gold, wrong_gold;
  };
  const Row rows[] = {
      {"\\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}", "1, -2", "-2, 2"},
      {"$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$", "(2, 2), (6, 2)",
       "(2, 2), (6, 3)"},
      {"\\boxed{(3, 3)} \\text{ for part (a) and } \\boxed{(1, 1)}", "(3,3),(1,1)", "(3,3),(1,2)"},
      {"\\boxed{k = 45} \\quad \\text{and} \\quad \\boxed{n = 2}", "k = 45, n = 2",
       "k = 45, n = 3"},
      {"are: \\[ \\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}. \\]", "1,-2", "1,2"},
      {"\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "-2, 1", "-2, -1"},
  };
  for (const Row& r : rows) {
    MathVerdict v = Completion(r.completion, r.gold);
    EXPECT_EQ(v.outcome, Outcome::kCorrect) << r.completion << ": " << v.reason;
    EXPECT_EQ(v.source, AnswerSource::kBoxed);
    EXPECT_EQ(Completion(r.completion, r.wrong_gold).outcome, Outcome::kWrong) << r.completion;
    // A list is several answers: never equal to one of its members.
    for (const std::string part : {"1", "-2", "(6, 2)", "n = 2", "2"}) {
      EXPECT_NE(Completion(r.completion, part).outcome, Outcome::kCorrect) << r.completion;
    }
  }
}

// A rule drawn between boxes (three or more of `+ - = * ~`) separates list items: Math-Verify's
// `test_boxed` gold `\\boxed{35 cm} ++++++ \\boxed{4}`, its backslashes doubled. One `+` is an
// operator, not a rule: the last box stays the answer there.
TEST(BoxList, BoxesWithARuleBetweenThemAreOneList) {
  const std::string gold = "$\\\\boxed{35 cm} ++++++ \\\\boxed{4}$";
  EXPECT_EQ(Answer("${35 cm,4}$", gold).outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("35, 4", gold).outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("${35 cm,5}$", gold).outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("${36 cm,4}$", gold).outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("4", gold).outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("35, 4", "\\boxed{35} ---- \\boxed{4}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("35, -4", "\\boxed{35} ---- \\boxed{4}").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("4", "\\boxed{35} + \\boxed{4}").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("4", "\\boxed{35} ++ \\boxed{4}").outcome, Outcome::kCorrect);
}

TEST(BoxList, GoldBoxesSideBySideAreOneList) {
  EXPECT_EQ(Answer("1, 2", "\\boxed{1} papers and \\boxed{2} bins").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("1, 3", "\\boxed{1} papers and \\boxed{2} bins").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("\\boxed{1,2}", "$\\boxed{1}\\boxed{2}$").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("\\boxed{1}", "$\\boxed{1}\\boxed{2}$").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("1, -2", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).").outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("-2", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).").outcome, Outcome::kWrong);
}

TEST(BoxList, AdjacentBoxesAreAListOrAHedgeNeverTheLastOne) {
  for (const char* completion :
       {"\\boxed{2} \\quad \\boxed{3}", "\\boxed{2} \\qquad \\boxed{3}", "\\boxed{2} or \\boxed{3}",
        "\\boxed{2} ---- \\boxed{3}", "\\boxed{2}\n***\n\\boxed{3}",
        "$\\boxed{2}$ \\text{ or } $\\boxed{3}$",
        "So \\boxed{2}. Or, counting differently, \\boxed{3}."}) {
    EXPECT_NE(Completion(completion, "3").outcome, Outcome::kCorrect) << completion;
    EXPECT_NE(Completion(completion, "2").outcome, Outcome::kCorrect) << completion;
  }
}

TEST(BoxList, ABoxFollowedByAnotherCandidateIsAHedge) {
  for (const char* completion :
       {"\\boxed{5} or 6", "$\\boxed{5}$ or $6$", "$\\boxed{5}$. Or maybe $6$.",
        "\\[\\boxed{5}\\] or \\(6\\)", "\\boxed{5} \\text{ or } 6"}) {
    const MathVerdict v = Completion(completion, "5");
    EXPECT_EQ(v.outcome, Outcome::kUnparseable) << completion << ": " << v.reason;
    EXPECT_NE(Completion(completion, "6").outcome, Outcome::kCorrect) << completion;
  }
  EXPECT_NE(Answer("The answer is 5... or 6", "5").outcome, Outcome::kCorrect);
  // A restatement of the same answer, or doubt without another value, is not a hedge.
  EXPECT_EQ(Completion("\\boxed{\\frac12}, or equivalently $0.5$", "0.5").outcome,
            Outcome::kCorrect);
  EXPECT_EQ(Completion("$\\boxed{5}$. Or maybe not.", "5").outcome, Outcome::kCorrect);
}

TEST(BoxList, ACorrectionBetweenBoxesIsNotAList) {
  // The later box is the committed answer (LastBoxedIsTheAnswer in regression_test.cc).
  EXPECT_EQ(Completion("So \\boxed{2}. Wait, no: \\boxed{3}.", "3").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("So \\boxed{2}. Wait, no: \\boxed{3}.", "2").outcome, Outcome::kWrong);
  EXPECT_EQ(Completion("a = \\boxed{2}.\n\nTherefore the answer is \\boxed{3}.", "3").outcome,
            Outcome::kCorrect);
}

// --- Text after the answer that takes it back. ---

TEST(Retraction, ARetractedBoxIsNotTheAnswer) {
  const std::string retracted =
      "So there are \\boxed{5} ways.\n\nWait, that's wrong: I counted (1,4) twice. The correct "
      "count is 7.";
  EXPECT_NE(Completion(retracted, "5").outcome, Outcome::kCorrect);
  const MathVerdict v = Completion(retracted, "7");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.extracted, "7");
  const MathVerdict none = Completion("So \\boxed{5}. Wait, that's wrong.", "5");
  EXPECT_EQ(none.outcome, Outcome::kUnparseable) << none.reason;
  EXPECT_TRUE(none.extracted.empty());
}

TEST(Retraction, TheCommittedAnswerIsTheLastOneStated) {
  EXPECT_EQ(Answer("The answer is 5... no wait, it's 6.", "5").outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("The answer is 5... no wait, it's 6.", "6").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("<answer>The answer is 5... no wait, it's 6.</answer>", "5").outcome,
            Outcome::kWrong);
  EXPECT_NE(Completion("The answer is $5$. Actually, that is not correct.", "5").outcome,
            Outcome::kCorrect);
}

TEST(Retraction, ACheckThatConfirmsTheAnswerLeavesItStanding) {
  EXPECT_EQ(Completion("\\boxed{5}. Wait, let me double-check: yes.", "5").outcome,
            Outcome::kCorrect);
  EXPECT_EQ(Completion("\\boxed{5}\n\nLet me verify: 2+3 = 5.", "5").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("\\boxed{5}\n\nHmm, wait: the answer is 5.", "5").outcome,
            Outcome::kCorrect);
}

TEST(Retraction, ALaterFinalAnswerStatementWinsOverAnEarlierBox) {
  const std::string text =
      "the interest is $\\boxed{255}$ So, after six months, Dr. Zaius has $10,200 + $255 = "
      "$10,455. Final Answer: The final answer is $10455$. I hope it is correct.";
  EXPECT_EQ(Completion(text, "10455").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion(text, "255").outcome, Outcome::kWrong);
}

// --- Several <answer> blocks. ---

TEST(AnswerBlocks, SeveralBlocksEarnNothingInEveryEntryPoint) {
  const std::string hedge = "<think>a</think><answer>5</answer><answer>6</answer>";
  for (const char* gold : {"5", "6"}) {
    MathVerdict v = Completion(hedge, gold);
    EXPECT_EQ(v.outcome, Outcome::kUnparseable) << v.reason;
    EXPECT_EQ(v.reason, "2 <answer> blocks: several candidates for one answer");
    EXPECT_EQ(Answer(hedge, gold).outcome, Outcome::kUnparseable);  // verdict check
  }
  ExtractOptions no_tags;
  no_tags.use_answer_tag = false;  // other templates: the tags are only text
  EXPECT_TRUE(ExtractAnswer(hedge, no_tags).refusal.empty());
}

// --- Reasoning is not the answer. ---

TEST(Reasoning, ABoxOnlyInsideThinkIsNoAnswerInEveryEntryPoint) {
  // `verdict check` read this box; `score` under think_only did not: one rule now (ExtractAnswer).
  for (const char* text : {"<think>so it is \\boxed{5}</think>", "<think>so it is \\boxed{5}",
                           "<think>a</think> <think>so \\boxed{5}", "<think>\n#### 5\n</think>",
                           "<think>The final answer is 5.</think>\n"}) {
    const MathVerdict completion = Completion(text, "5");
    EXPECT_EQ(completion.outcome, Outcome::kNoAnswer) << text;
    EXPECT_NE(completion.reason.find("<think> is not the answer"), std::string::npos) << text;
    const MathVerdict answer = Answer(text, "5");  // verdict check
    EXPECT_EQ(answer.outcome, Outcome::kUnparseable) << text;
    EXPECT_EQ(answer.reason, "the text holds reasoning (<think>) and no answer after it") << text;
  }
}

TEST(Reasoning, TheAnswerAfterTheReasoningIsRead) {
  const char* gold = "5";
  for (const char* text :
       {"<think>maybe \\boxed{4}</think> So \\boxed{5}.",
        "<think>maybe \\boxed{4}</think><answer>5</answer>",
        "<think>maybe <answer>4</answer></think><answer>5</answer>",
        "reasoning \\boxed{4} </think> The final answer is $5$.", "<think>\\boxed{4}</think> 5"}) {
    EXPECT_EQ(Answer(text, gold).outcome, Outcome::kCorrect) << text;
  }
  // Its wrong neighbours: the box inside the reasoning is the gold, the answer after it is not.
  for (const char* text :
       {"<think>surely \\boxed{5}</think> So \\boxed{4}.",
        "<think>surely \\boxed{5}</think><answer>4</answer>", "<think>\\boxed{5}</think> 4"}) {
    EXPECT_EQ(Answer(text, gold).outcome, Outcome::kWrong) << text;
    EXPECT_NE(Completion(text, gold).outcome, Outcome::kCorrect) << text;
  }
}

// --- GSM8K-style predictions. ---

TEST(Gsm8kMarker, TheLastHashLineIsTheAnswer) {
  const std::string gsm8k =
      "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = "
      "$<<9*2=18>>18 every day at the farmer's market.\n#### 18";
  MathVerdict v = Completion(gsm8k, "18");
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_EQ(v.source, AnswerSource::kGsm8kMarker);
  EXPECT_EQ(Completion(gsm8k, "19").outcome, Outcome::kWrong);
  EXPECT_EQ(Completion("So she makes $18.\n#### $18", "18").outcome, Outcome::kCorrect);
  EXPECT_EQ(Completion("So.\n#### 18.00", "18").outcome, Outcome::kCorrect);
  EXPECT_EQ(ExtractAnswer("So.\n#### 1,624", {}).text, "1,624");
  // A markdown heading is not GSM8K's marker, even a numbered one.
  EXPECT_EQ(ExtractAnswer("#### Step 1\nWe get 18.", {}).source, AnswerSource::kNone);
  const Extraction heading = ExtractAnswer("#### 3. Final Answer\nThe answer is 5.", {});
  EXPECT_EQ(heading.source, AnswerSource::kFinalAnswerPhrase);
  EXPECT_EQ(heading.text, "5");
}

TEST(Gsm8kMarker, CalculatorNotesAreDropped) {
  EXPECT_EQ(ExtractAnswer("The answer is <<9*2=18>>18.", {}).text, "18");
  EXPECT_EQ(Completion("The answer is <<9*2=18>>18.", "18").outcome, Outcome::kCorrect);
}

// --- Gold answers that are whole solutions. ---

TEST(GoldReduction, ASolutionTextIsReducedToItsAnswerAndTheVerdictSaysSo) {
  const std::string minerva =
      "Let's assume the value is $100 . $ After losing $10 \\%$ of its value it is $90 . $ "
      "Final Answer: The final answer is $28 \\%$. I hope it is correct.";
  MathVerdict v = Answer("\\boxed{28\\%}", minerva);
  EXPECT_EQ(v.outcome, Outcome::kCorrect) << v.reason;
  EXPECT_NE(v.reason.find("gold solution text was reduced"), std::string::npos) << v.reason;
  EXPECT_EQ(Answer("\\boxed{27\\%}", minerva).outcome, Outcome::kWrong);

  const std::string math_solution =
      "In order for $N$ to be divisible by 12, $N$ must be divisible by $4$ and $3$. "
      "Therefore, $\\boxed{14916}$ is our answer.";
  EXPECT_EQ(Answer("14916", math_solution).outcome, Outcome::kCorrect);
  EXPECT_EQ(Answer("14912", math_solution).outcome, Outcome::kWrong);
  EXPECT_EQ(Answer("4", math_solution).outcome, Outcome::kWrong);

  EXPECT_EQ(Answer("18", "She makes 9 * 2 = $<<9*2=18>>18.\n#### 18").outcome, Outcome::kCorrect);
  const Extraction plain = ExtractGold("\\boxed{5}");
  EXPECT_EQ(plain.text, "5");
  EXPECT_TRUE(plain.note.empty()) << plain.note;  // nothing worth saying
}

TEST(GoldReduction, AGoldIsTrustedNotCheckedForRetractions) {
  // Minerva golds often go on with "Note: The solution provided is incorrect..." boilerplate.
  const Extraction e = ExtractGold(
      "Final Answer: The final answer is $28 \\%$. I hope it is correct. Note: The solution "
      "provided is incorrect. The correct approach is as follows:");
  EXPECT_EQ(e.text, "28 \\%");
  EXPECT_TRUE(e.refusal.empty());
}

// --- Scanning is linear: hostile delimiters. ---

TEST(MathSpans, ThousandsOfUnclosedDelimitersDoNotHideTheAnswer) {
  // Hostile input for the span scanner: without the remembered failures, each unclosed `\[`
  // would cost a scan to the end (2*10^8 steps here). Timing is bench's business; this asserts
  // the reading.
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "\\[ $ \\( ";
  text += "The answer is $5$.";
  const Extraction e = ExtractAnswer(text, {});
  EXPECT_EQ(e.source, AnswerSource::kFinalAnswerPhrase);
  EXPECT_EQ(e.text, "5");
}

}  // namespace
}  // namespace verdict::math
