#include "rewards/shaping.h"

#include "gtest/gtest.h"

namespace verdict {
namespace {

// Regression: words were lower-cased and split by ASCII rules only, so "Über", "über" and "ÜBER"
// were three words (-0.2 here, -0.6 in open-r1's text.lower().split()).
TEST(RepetitionPenalty, LowerCasesAndSplitsByUnicodeRules) {
  EXPECT_DOUBLE_EQ(RepetitionPenalty("Über alles über alles ÜBER alles", 2, -1.0), -0.6);
  // U+3000 and U+00A0 separate words as a space does.
  EXPECT_DOUBLE_EQ(RepetitionPenalty("a\u3000b a\u00A0b a b", 2, -1.0),
                   RepetitionPenalty("a b a b a b", 2, -1.0));
}

TEST(RepetitionPenalty, NoRepetitionAndTooFewWordsCostNothing) {
  EXPECT_DOUBLE_EQ(RepetitionPenalty("one two three four", 2, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(RepetitionPenalty("  one  ", 2, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(RepetitionPenalty("", 3, -1.0), 0.0);
}

}  // namespace
}  // namespace verdict
