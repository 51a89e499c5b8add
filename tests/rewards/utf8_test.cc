#include "rewards/utf8.h"

#include <string>
#include <string_view>
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
  EXPECT_EQ(RepairUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(RepairUtf8("x\xe6\x95"), "x\xEF\xBF\xBD");
  EXPECT_EQ(RepairUtf8("数学"), "数学");
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xc0\xaf\xed\xa0\x80 ok \xf8")));
}

TEST(WhiteSpace, IsUnicodeWhiteSpace) {
  for (char32_t c : {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', U'\u0085', U'\u00A0', U'\u1680',
                     U'\u2000', U'\u200A', U'\u2028', U'\u2029', U'\u202F', U'\u205F',
                     U'\u3000'}) {
    EXPECT_TRUE(IsWhiteSpace(c)) << static_cast<int>(c);
  }
  for (char32_t c : {U'a', U'\u200B', U'\uFEFF', U'\u001C', U'\0'}) {
    EXPECT_FALSE(IsWhiteSpace(c)) << static_cast<int>(c);
  }
}

TEST(WhiteSpace, BlankAndStripDecodeUtf8) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \v\t\r\n\u00A0\u3000"));
  EXPECT_FALSE(IsBlank(" x "));
  EXPECT_FALSE(IsBlank("\xC2"));  // a cut U+00A0 is not white space
  EXPECT_EQ(StripTrailingWhiteSpace("a b\u3000\v \n"), "a b");
  EXPECT_EQ(StripTrailingWhiteSpace("数\u00A0"), "数");
  EXPECT_EQ(StripTrailingWhiteSpace("x\xC2"), "x\xC2");
}

TEST(Utf8, NextCodePointDecodesAndReplacesInvalidBytes) {
  std::string_view s = "a\u00E9\u6570\U0001F600\xFF" "b";
  size_t i = 0;
  std::vector<char32_t> got;
  while (i < s.size()) got.push_back(NextCodePoint(s, &i));
  EXPECT_EQ(got, (std::vector<char32_t>{U'a', 0xE9, 0x6570, 0x1F600, 0xFFFD, U'b'}));
}

}  // namespace
}  // namespace verdict
