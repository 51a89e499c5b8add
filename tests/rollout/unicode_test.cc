// The generated Unicode tables against HF `tokenizers` itself: for every code point, membership
// in each class the split regexes use equals what HF's regex engine says.
#include "rollout/unicode.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rollout/split_regex.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

TEST(Unicode, EveryCodePointsClassesEqualHfTokenizers) {
  if (std::string why = testing::PythonMissing("tokenizers"); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = testing::ScratchDir("unicode_classes");
  ASSERT_EQ(testing::RunScript("hf_classes.py", dir + "/classes.txt"), 0);
  std::istringstream in(testing::ReadFile(dir + "/classes.txt"));
  int classes = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    // The engine's own class for the name, so \s and \d are checked as the regexes use them.
    const std::string regex = name == "s" || name == "d" ? "\\" + name : "\\p{" + name + "}";
    auto re = SplitRegex::Compile(regex);
    ASSERT_TRUE(re.ok()) << re.status();
    std::vector<bool> hf(0x110000, false);
    for (std::string r; words >> r;) {
      const size_t dash = r.find('-');
      const char32_t a = std::stoul(r.substr(0, dash), nullptr, 16);
      const char32_t b = std::stoul(r.substr(dash + 1), nullptr, 16);
      for (char32_t c = a; c <= b; ++c) hf[c] = true;
    }
    int differ = 0;
    for (char32_t c = 0; c < 0x110000; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      size_t end = 0;
      auto m = re->MatchAt({c}, 0, &end);
      ASSERT_TRUE(m.ok());
      if (*m != hf[c] && ++differ <= 5) {
        ADD_FAILURE() << name << ": U+" << std::hex << uint32_t(c) << " HF " << hf[c];
      }
    }
    EXPECT_EQ(differ, 0) << name;
    ++classes;
  }
  EXPECT_EQ(classes, 15);
}

TEST(Unicode, TablesAreUnicode16) {
  EXPECT_EQ(UnicodeVersion(), "16.0.0");
  EXPECT_EQ(CategoryOf(U'a'), GeneralCategory::kLl);
  EXPECT_EQ(CategoryOf(0x1C89), GeneralCategory::kLu);   // Cyrillic Tje, new in 16.0
  EXPECT_EQ(CategoryOf(0x1CCF0), GeneralCategory::kNd);  // outlined digit zero, new in 16.0
  EXPECT_EQ(CategoryOf(0x1C8B), GeneralCategory::kCn);   // unassigned in 16.0
  EXPECT_EQ(CategoryOf(0x10FFFF), GeneralCategory::kCn);
  EXPECT_EQ(CategoryOf(0x110000), GeneralCategory::kCn);  // past the last code point
  EXPECT_EQ(SimpleFold(U'K'), U'k');
  EXPECT_EQ(SimpleFold(0x17F), U's');   // long s
  EXPECT_EQ(SimpleFold(0x212A), U'k');  // Kelvin sign
  EXPECT_TRUE(IsUnicodeSpace(0x85));
  EXPECT_FALSE(IsUnicodeSpace(0x200B));  // zero width space is Cf, not White_Space
  EXPECT_EQ(CategoryMaskByName("Greek").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(*CategoryMaskByName("Letter"), kLetterMask);
  EXPECT_EQ(*CategoryMaskByName("lu"), CategoryBit(GeneralCategory::kLu));
}

}  // namespace
}  // namespace verdict::rollout
