#include "base/utf8.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("数学 — ∑ 😀"));
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xe6\x95"));       // truncated at the end
}

TEST(Utf8, RepairReplacesEachBadSequenceWithOneReplacementCharacter) {
  EXPECT_EQ(RepairUtf8("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(RepairUtf8("x\xe6\x95"), "x\xEF\xBF\xBD");
  EXPECT_EQ(RepairUtf8("数学"), "数学");
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xc0\xaf\xed\xa0\x80 ok \xf8")));
}

TEST(Utf8, DecodeGivesCodePointsAndOffsets) {
  std::vector<char32_t> cps;
  std::vector<size_t> offsets;
  ASSERT_TRUE(DecodeUtf8("a\xC3\xBC\xE6\x95\xB0\xF0\x9F\x98\x80", &cps, &offsets).ok());
  EXPECT_EQ(cps, (std::vector<char32_t>{U'a', U'\u00FC', U'\u6570', U'\U0001F600'}));
  EXPECT_EQ(offsets, (std::vector<size_t>{0, 1, 3, 6, 10}));
}

TEST(Utf8, DecodeNamesTheOffsetOfTheFirstBadSequence) {
  std::vector<char32_t> cps;
  for (std::string_view bad :
       {"ab\xC0\xAF", "ab\xED\xA0\x80", "ab\xF4\x90\x80\x80", "ab\xE6\x95"}) {
    absl::Status s = DecodeUtf8(bad, &cps, nullptr);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(), "invalid UTF-8 at byte 2") << bad;
  }
}

TEST(Utf8, EncodeRoundTripsThroughDecode) {
  std::string text;
  const std::vector<char32_t> cps = {0x0,    0x7F,   0x80,   0x7FF,   0x800,
                                     0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
  for (char32_t cp : cps) AppendUtf8(cp, &text);
  std::vector<char32_t> decoded;
  ASSERT_TRUE(DecodeUtf8(text, &decoded, nullptr).ok());
  EXPECT_EQ(decoded, cps);
  EXPECT_EQ(Utf8SequenceLength(text, 0), 1u);
  EXPECT_EQ(text.size(), 1u + 1 + 2 + 2 + 3 + 3 + 3 + 3 + 4 + 4);
}

TEST(Utf8, NextCodePointDecodesAndReplacesInvalidBytes) {
  std::string_view s =
      "a\u00E9\u6570\U0001F600\xFF"
      "b";
  size_t i = 0;
  std::vector<char32_t> got;
  while (i < s.size()) got.push_back(NextCodePoint(s, &i));
  EXPECT_EQ(got, (std::vector<char32_t>{U'a', 0xE9, 0x6570, 0x1F600, 0xFFFD, U'b'}));
}

}  // namespace
}  // namespace verdict
