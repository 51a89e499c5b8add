// Scaffolding shared by the math table tests (equivalence_table_test, numbers_table_test,
// structure_table_test): a row is a gold answer, a predicted answer and the outcome
// VerifyAnswer(pred, {gold}) must give; a table is named rows. ExpectEveryRow checks a table and
// prints its score; CountRows lets a test assert that every table holds accepted forms and
// wrong neighbours.
#ifndef VERDICT_TESTS_VERIFIER_MATH_TABLE_H_
#define VERDICT_TESTS_VERIFIER_MATH_TABLE_H_

#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "tests/verifier/math/printers.h"
#include "verifier/math/verify.h"

namespace verdict::math::table {

enum class Want {
  kYes,         // kCorrect
  kNo,          // kWrong: read, and judged different
  kNotCorrect,  // anything but kCorrect (wrong, unparseable or undecided)
  kUndecided,   // kUndecided
};
inline constexpr Want kYes = Want::kYes;
inline constexpr Want kNo = Want::kNo;
inline constexpr Want kNotCorrect = Want::kNotCorrect;
inline constexpr Want kUndecided = Want::kUndecided;

struct Case {
  std::string gold;
  std::string pred;
  Want want;
};

struct Table {
  const char* name;
  absl::Span<const Case> cases;
};

inline void PrintTo(const Table& table, std::ostream* os) { *os << table.name; }

// The test name of a table: INSTANTIATE_TEST_SUITE_P(..., ValuesIn(kTables), TableName).
inline std::string TableName(const ::testing::TestParamInfo<Table>& info) {
  return info.param.name;
}

inline const char* WantName(Want want) {
  switch (want) {
    case Want::kYes: return "correct";
    case Want::kNo: return "wrong";
    case Want::kNotCorrect: return "not correct";
    case Want::kUndecided: return "undecided";
  }
  return "?";
}

inline bool Satisfies(Want want, Outcome got) {
  switch (want) {
    case Want::kYes: return got == Outcome::kCorrect;
    case Want::kNo: return got == Outcome::kWrong;
    case Want::kNotCorrect: return got != Outcome::kCorrect;
    case Want::kUndecided: return got == Outcome::kUndecided;
  }
  return false;
}

// Checks every row of `table` (one failure per wrong row, with how it was read) and prints
// "name passed/rows".
inline void ExpectEveryRow(const Table& table) {
  int passed = 0;
  for (const Case& c : table.cases) {
    const MathVerdict v = VerifyAnswer(c.pred, std::vector<std::string>{c.gold});
    const bool ok = Satisfies(c.want, v.outcome);
    passed += ok;
    EXPECT_TRUE(ok) << "gold " << c.gold << "  pred " << c.pred << "\n  want " << WantName(c.want)
                    << ", got " << OutcomeName(v.outcome) << " (canonical " << v.canonical << "; "
                    << v.reason << ")";
  }
  std::printf("%-28s %3d/%zu\n", table.name, passed, table.cases.size());
}

// Expects every table to hold rows that must be accepted and rows that must not; returns the
// number of rows in all.
inline size_t ExpectPositivesAndNegatives(absl::Span<const Table> tables) {
  size_t total = 0;
  for (const Table& t : tables) {
    size_t yes = 0, no = 0;
    for (const Case& c : t.cases) (c.want == Want::kYes ? yes : no)++;
    EXPECT_GT(yes, 0u) << t.name;
    EXPECT_GT(no, 0u) << t.name;
    total += t.cases.size();
  }
  return total;
}

}  // namespace verdict::math::table

#endif  // VERDICT_TESTS_VERIFIER_MATH_TABLE_H_
