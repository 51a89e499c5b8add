#include "rewards/white_space.h"

#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(WhiteSpace, IsUnicodeWhiteSpace) {
  for (char32_t c : {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', U'\u0085', U'\u00A0', U'\u1680',
                     U'\u2000', U'\u200A', U'\u2028', U'\u2029', U'\u202F', U'\u205F', U'\u3000'}) {
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

}  // namespace
}  // namespace verdict
