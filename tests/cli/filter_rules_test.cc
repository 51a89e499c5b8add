#include "cli/filter_rules.h"

#include <string>

#include "gtest/gtest.h"

namespace verdict::cli {
namespace {

// Regression: paragraphs were split on "\n\n" only, so three 2,000-character paragraphs separated
// by "\r\n\r\n" read as one 6,000-character paragraph and the sample was dropped.
TEST(LongestParagraph, SplitsOnBlankLinesOfEveryLineEnding) {
  const std::string p(2000, 'a');
  EXPECT_EQ(LongestParagraph(p + "\r\n\r\n" + p + "\r\n\r\n" + p), 2000);
  EXPECT_EQ(LongestParagraph(p + "\n\n" + p + "\r\r" + p), 2000);
  EXPECT_EQ(LongestParagraph(p + "\n \t\n" + p + "\r\n\u3000\r\n" + p), 2000);
}

TEST(LongestParagraph, ASingleLineBreakDoesNotEndAParagraph) {
  EXPECT_EQ(LongestParagraph("abc\ndef"), 7);
  EXPECT_EQ(LongestParagraph("abc\r\ndef\n\nxy"), 8);
}

TEST(LongestParagraph, CountsCodePointsAndIgnoresSurroundingBlankLines) {
  EXPECT_EQ(LongestParagraph(""), 0);
  EXPECT_EQ(LongestParagraph("\n\n  \n"), 0);
  EXPECT_EQ(LongestParagraph("\n\n数学\n\n"), 2);
}

}  // namespace
}  // namespace verdict::cli
