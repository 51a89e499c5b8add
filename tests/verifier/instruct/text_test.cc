#include "verifier/instruct/text.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace verdict::instruct {
namespace {

std::vector<std::string> W(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view w : Words(text)) out.emplace_back(w);
  return out;
}

TEST(Words, SplitsOnSpaceAndPunctuationKeepingApostrophesAndHyphens) {
  EXPECT_EQ(W("Don't stop, well-known 42 times!"),
            (std::vector<std::string>{"Don't", "stop", "well-known", "42", "times"}));
  EXPECT_EQ(W("dogs' toys - a"), (std::vector<std::string>{"dogs", "toys", "a"}));
  EXPECT_TRUE(W("  ... --- !!").empty());
}

TEST(Words, CountsEachCjkCharacterAsAWord) {
  EXPECT_EQ(W("我爱你"), (std::vector<std::string>{"我", "爱", "你"}));
  EXPECT_EQ(W("한국어 ok"), (std::vector<std::string>{"한", "국", "어", "ok"}));
  EXPECT_EQ(W("café naïve Привет"), (std::vector<std::string>{"café", "naïve", "Привет"}));
}

TEST(Words, InvalidUtf8IsNotAWordAndIsNotReadPastTheEnd) {
  EXPECT_EQ(W("ab\xFF"
              "cd\xE6"),
            (std::vector<std::string>{"ab", "cd"}));
}

TEST(CountSentences, EndsAtTerminatorsFollowedBySpace) {
  EXPECT_EQ(CountSentences("Hello there. How are you? Fine!"), 3);
  EXPECT_EQ(CountSentences("No terminator at all"), 1);
  EXPECT_EQ(CountSentences("Wait... what?! Yes."), 3);
  EXPECT_EQ(CountSentences("He said \"go.\" Then left."), 2);
  EXPECT_EQ(CountSentences(""), 0);
  EXPECT_EQ(CountSentences(" . ! ?"), 0);
}

TEST(CountSentences, AbbreviationsInitialsAndNumbersDoNotEndSentences) {
  EXPECT_EQ(CountSentences("Mr. Smith met Dr. Jones at 3.14 p.m. today."), 1);
  EXPECT_EQ(CountSentences("J. R. R. Tolkien wrote it. It sold."), 2);
  EXPECT_EQ(CountSentences("See e.g. the list."), 1);
}

TEST(CountSentences, IdeographicStopsEndSentencesWithoutSpace) {
  EXPECT_EQ(CountSentences("你好。我很好！你呢？"), 3);
}

TEST(Case, UpperAndLowerAreUnicodeAware) {
  EXPECT_TRUE(IsAllUpper("HELLO, WORLD 42"));
  EXPECT_FALSE(IsAllUpper("HELLO, World"));
  EXPECT_FALSE(IsAllUpper("42 !"));  // no cased letter
  EXPECT_TRUE(IsAllUpper("ÉCOLE"));
  EXPECT_TRUE(IsAllLower("école 42"));
  EXPECT_FALSE(IsAllLower("École"));
  EXPECT_EQ(ToLower("ÉCOLE Straße"), "école straße");
}

TEST(StripSpace, RemovesUnicodeSpaceAtBothEnds) {
  EXPECT_EQ(StripSpace("\u3000 \n hi there \t\u00a0"), "hi there");
  EXPECT_EQ(StripSpace(" \n "), "");
}

}  // namespace
}  // namespace verdict::instruct
