#include "verifier/code/extract.h"

#include "gtest/gtest.h"

namespace verdict::code {
namespace {

ExtractOptions Py() { return ExtractOptions{{"python", "py"}, true, false}; }

TEST(ExtractCode, TakesTheLastBlockOfTheRequestedLanguage) {
  auto c = ExtractCode("a\n```python\nx = 1\n```\ntext\n```python\nx = 2\n```\n", Py());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, "x = 2\n");
}

TEST(ExtractCode, PrefersALabelledBlockOverALaterBlockOfAnotherLanguage) {
  auto c = ExtractCode("```py\nprint(1)\n```\n```bash\nls\n```\n", Py());
  EXPECT_EQ(c.value_or("none"), "print(1)\n");
}

TEST(ExtractCode, FallsBackToAnUnlabelledBlock) {
  EXPECT_EQ(ExtractCode("```\nprint(3)\n```", Py()).value_or("none"), "print(3)\n");
  ExtractOptions strict = Py();
  strict.accept_unlabeled = false;
  EXPECT_FALSE(ExtractCode("```\nprint(3)\n```", strict).has_value());
}

TEST(ExtractCode, NoFenceIsNoCode) {
  EXPECT_FALSE(ExtractCode("def f(): return 1", Py()).has_value());
  EXPECT_FALSE(ExtractCode("", Py()).has_value());
  EXPECT_FALSE(ExtractCode("```cpp\nint main(){}\n```", Py()).has_value());
}

TEST(ExtractCode, UnclosedBlockOnlyWhenAllowed) {
  EXPECT_FALSE(ExtractCode("```python\nx = 1\n", Py()).has_value());
  ExtractOptions o = Py();
  o.accept_unclosed = true;
  EXPECT_EQ(ExtractCode("```python\nx = 1\n", o).value_or("none"), "x = 1\n");
}

TEST(ExtractCode, InfoStringIsCaseInsensitiveFirstWord) {
  EXPECT_EQ(ExtractCode("```Python title=\"a.py\"\nok\n```", Py()).value_or("none"), "ok\n");
}

TEST(ExtractCode, LongerFencesNestShorterOnes) {
  auto c = ExtractCode("````python\ns = '''\n```\n'''\n````\n", Py());
  EXPECT_EQ(c.value_or("none"), "s = '''\n```\n'''\n");
}

TEST(ExtractCode, TildeFencesWork) {
  EXPECT_EQ(ExtractCode("~~~python\nz\n~~~\n", Py()).value_or("none"), "z\n");
}

}  // namespace
}  // namespace verdict::code
