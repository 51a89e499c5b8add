#include "base/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict {
namespace {

TEST(Flags, ParsesValuesBoolsRepeatsAndPositionals) {
  FlagSpec spec{{"listen", "threads"}, {"quiet"}};
  auto f = Flags::Parse({"a", "--listen", "x", "--listen=y", "--quiet", "--threads=3", "b"}, spec);
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(f->GetAll("listen"), testing::ElementsAre("x", "y"));
  EXPECT_EQ(f->Get("listen"), "y");
  EXPECT_TRUE(f->Has("quiet"));
  EXPECT_EQ(*f->GetInt("threads", 0), 3);
  EXPECT_THAT(f->positional(), testing::ElementsAre("a", "b"));
}

TEST(Flags, RejectsUnknownFlagsMissingValuesAndBadNumbers) {
  FlagSpec spec{{"threads"}, {"quiet"}};
  EXPECT_THAT(Flags::Parse({"--nope"}, spec).status().message(),
              testing::HasSubstr("unknown flag --nope"));
  EXPECT_THAT(Flags::Parse({"--threads"}, spec).status().message(),
              testing::HasSubstr("needs a value"));
  auto f = Flags::Parse({"--threads", "many"}, spec);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->GetInt("threads", 0).ok());
}

TEST(Flags, DoubleDashEndsFlags) {
  auto f = Flags::Parse({"--", "--not-a-flag"}, FlagSpec{});
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(f->positional(), testing::ElementsAre("--not-a-flag"));
}

}  // namespace
}  // namespace verdict
