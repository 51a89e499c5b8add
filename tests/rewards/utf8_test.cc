#include "rewards/utf8.h"

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

TEST(Utf8, PrefixNeverCutsACharacter) {
  std::string s = "ab数";  // 数 is 3 bytes
  EXPECT_EQ(Utf8Prefix(s, 3), "ab");
  EXPECT_EQ(Utf8Prefix(s, 5), "ab数");
  EXPECT_EQ(Utf8Prefix(s, 100), s);
}

}  // namespace
}  // namespace verdict
