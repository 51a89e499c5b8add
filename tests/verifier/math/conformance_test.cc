// Acceptance (issue 3): the shared math conformance set, judged with VerifyAnswer(pred, {gold}).
// Prints a per-category table and every disagreement with the labels. Asserts that at least 99%
// of the unambiguous rows agree and that no `hack` row is accepted; ambiguous rows (where
// reasonable graders differ, e.g. 1/3 vs 0.333333) are reported but not asserted.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/verifier/math/conformance_data.h"
#include "verifier/math/verify.h"

namespace verdict::math {
namespace {

constexpr char kPath[] = VERDICT_SHARED_DIR "/data/math/conformance.jsonl";

struct Tally {
  int n = 0;
  int agree = 0;
  int ambiguous = 0;
  int ambiguous_agree = 0;
};

// One line for a report: long answers are cut, newlines shown as \n.
std::string Show(std::string_view s, size_t max = 80) {
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

TEST(MathConformance, AgreesWithTheLabels) {
  std::string error;
  const std::vector<testing::ConformanceRow> rows = testing::ReadConformance(kPath, &error);
  ASSERT_FALSE(rows.empty()) << error;

  std::map<std::string, Tally> by_category;
  Tally total;
  std::vector<std::string> disagreements;
  std::vector<std::string> accepted_hacks;
  for (const testing::ConformanceRow& row : rows) {
    const std::vector<std::string> golds = {row.gold};
    const MathVerdict v = VerifyAnswer(row.pred, golds);
    const bool got = v.outcome == Outcome::kCorrect;
    const bool agree = got == row.expected;
    for (Tally* t : {&by_category[row.category], &total}) {
      if (row.ambiguous) {
        ++t->ambiguous;
        t->ambiguous_agree += agree;
      } else {
        ++t->n;
        t->agree += agree;
      }
    }
    if (row.category == "hack" && got) {
      accepted_hacks.push_back("line " + std::to_string(row.line) + ": gold " + Show(row.gold) +
                               ", pred_answer " + Show(row.pred_answer));
    }
    if (!agree) {
      disagreements.push_back("line " + std::to_string(row.line) +
                              (row.ambiguous ? " (ambiguous)" : "") + " [" + row.category + "/" +
                              row.style + "]\n    gold:        " + Show(row.gold) +
                              "\n    pred_answer: " + Show(row.pred_answer) +
                              "\n    expected:    " + (row.expected ? "correct" : "not correct") +
                              "\n    got:         " + std::string(OutcomeName(v.outcome)) +
                              " (extracted " + Show(v.extracted) + ", canonical " +
                              Show(v.canonical) + ")\n    reason:      " + Show(v.reason, 200));
    }
  }

  std::printf("\n%-12s %5s %6s %9s %10s\n", "category", "n", "agree", "accuracy", "ambiguous");
  auto print_row = [](const std::string& name, const Tally& t) {
    const double acc = t.n == 0 ? 100.0 : 100.0 * t.agree / t.n;
    std::printf("%-12s %5d %6d %8.1f%% %4d/%d agree\n", name.c_str(), t.n, t.agree, acc,
                t.ambiguous_agree, t.ambiguous);
  };
  for (const auto& [name, t] : by_category) print_row(name, t);
  print_row("TOTAL", total);
  std::printf("\n%zu disagreement(s) with the labels:\n", disagreements.size());
  for (const std::string& d : disagreements) std::printf("  %s\n", d.c_str());
  std::fflush(stdout);

  ASSERT_GT(total.n, 0);
  const double accuracy = static_cast<double>(total.agree) / total.n;
  EXPECT_GE(accuracy, 0.99) << total.agree << " of " << total.n
                            << " unambiguous rows agree with the label (need 99%)";
  std::string hacks;
  for (const std::string& h : accepted_hacks) hacks += "\n  " + h;
  EXPECT_TRUE(accepted_hacks.empty()) << "hack rows judged correct:" << hacks;
}

// Every hack row must actually be exercised: the file must hold some, and all labelled false.
TEST(MathConformance, HackRowsAreLabelledNotEquivalent) {
  std::string error;
  const std::vector<testing::ConformanceRow> rows = testing::ReadConformance(kPath, &error);
  ASSERT_FALSE(rows.empty()) << error;
  int hacks = 0;
  for (const testing::ConformanceRow& row : rows) {
    if (row.category != "hack") continue;
    ++hacks;
    EXPECT_FALSE(row.expected) << "line " << row.line;
  }
  EXPECT_GT(hacks, 0);
}

}  // namespace
}  // namespace verdict::math
